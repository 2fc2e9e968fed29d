/* etcd_election.c - leader election on one etcd key under a lease (etcd_election.h). */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "storage/etcd_election.h"

struct etcd_election {
  etcd_client_t *c;
  char *key;
  char *id;
  int64_t ttl_s;
  int64_t lease;       /* 0: none granted (or etcd no longer knows it) */
  int held;            /* the key is ours, as of the last step */
  int64_t valid_until; /* monotonic ms: the lease cannot expire before */
};

int etcd_election_new(etcd_client_t *c, const char *key, const char *id, int64_t ttl_s,
                      etcd_election_t **out) {
  if (!c || !key || !*key || !id || ttl_s < 0 || !out) return ETCD_EINVAL;
  etcd_election_t *e = calloc(1, sizeof *e);
  if (!e) return ETCD_ENOMEM;
  e->c = c;
  e->key = strdup(key);
  e->id = strdup(id);
  e->ttl_s = ttl_s ? ttl_s : ETCD_ELECTION_DEFAULT_TTL_S;
  if (!e->key || !e->id) {
    etcd_election_destroy(e);
    return ETCD_ENOMEM;
  }
  *out = e;
  return 0;
}

void etcd_election_destroy(etcd_election_t *e) {
  if (!e) return;
  free(e->key);
  free(e->id);
  free(e);
}

/* Keeps a lease: renews the one held, or grants a new one when there is none or etcd has
 * forgotten it (then the key, attached to the old one, is gone too). The lease's lower bound
 * on expiry counts from `sent`, taken before the request left. */
static int keep_lease(etcd_election_t *e, etcd_err_t *err) {
  int64_t sent = hg_monotonic_ms(), ttl = 0;
  int rc = 0;
  if (e->lease) {
    rc = etcd_lease_keepalive_once(e->c, e->lease, &ttl, err);
    if (rc == ETCD_ELEASE_NOTFOUND) {
      e->lease = 0;
      e->held = 0;
    } else if (rc != 0) {
      return rc;
    }
  }
  if (!e->lease) {
    int64_t id = 0;
    if ((rc = etcd_lease_grant(e->c, e->ttl_s, 0, &id, &ttl, err)) != 0) return rc;
    e->lease = id;
  }
  e->valid_until = sent + ttl * 1000;
  return 0;
}

/* Takes the key if nobody holds it, else reads who does: one txn. */
static int take_key(etcd_election_t *e, etcd_err_t *err) {
  hg_arena_t *a = hg_arena_new();
  if (!a) return ETCD_ENOMEM;
  hg_str_t key = hg_str_c(e->key), id = hg_str_c(e->id);
  etcd_cmp_t free_key = {.key = key, .target = ETCD_CMP_CREATE, .op = ETCD_CMP_EQUAL};
  etcd_op_t take = {.kind = ETCD_OP_PUT, .key = key, .value = id, .lease = e->lease};
  etcd_op_t look = {.kind = ETCD_OP_RANGE, .key = key};
  etcd_txn_t txn = {&free_key, 1, &take, 1, &look, 1};
  etcd_txn_result_t r;
  int rc = etcd_txn(e->c, &txn, a, &r, err);
  if (rc == 0) {
    /* Held already: ours only if it carries our lease (a restarted campaigner with the same
     * id but a new lease must wait for the old lease to expire). */
    const etcd_result_t *held = r.succeeded || r.n_results == 0 ? NULL : &r.results[0];
    e->held = r.succeeded || (held && held->n_kvs == 1 && held->kvs[0].lease == e->lease);
  }
  hg_arena_free(a);
  return rc;
}

int etcd_election_step(etcd_election_t *e, int *leading, etcd_err_t *err) {
  if (!e || !leading) return ETCD_EINVAL;
  int rc = keep_lease(e, err);
  if (rc == 0) rc = take_key(e, err);
  if (rc == 0) *leading = e->held;
  return rc;
}

int etcd_election_leading(const etcd_election_t *e) {
  return e && e->held && hg_monotonic_ms() < e->valid_until;
}

int etcd_election_resign(etcd_election_t *e, etcd_err_t *err) {
  if (!e) return ETCD_EINVAL;
  int rc = 0;
  /* Revoking deletes every key attached to the lease: the election's key, if we hold it,
   * goes in the same step, and nobody else's key can be touched. */
  if (e->lease) rc = etcd_lease_revoke(e->c, e->lease, err);
  if (rc == ETCD_ELEASE_NOTFOUND) rc = 0;
  if (rc == 0) {
    e->lease = 0;
    e->held = 0;
    e->valid_until = 0;
  }
  return rc;
}

int64_t etcd_election_lease(const etcd_election_t *e) { return e ? e->lease : 0; }

int etcd_election_leader(etcd_client_t *c, const char *key, hg_arena_t *arena, hg_str_t *leader,
                         int64_t *term, int *found, etcd_err_t *err) {
  if (!key || !leader || !term || !found) return ETCD_EINVAL;
  etcd_kv_t kv;
  int rc = etcd_get(c, hg_str_c(key), arena, &kv, found, NULL, err);
  if (rc == 0 && *found) {
    *leader = kv.value;
    *term = kv.create_revision;
  }
  return rc;
}
