/* etcd_leader_gate.c - an etcd election as a background thread's gate (etcd_leader_gate.h). */
#include "storage/etcd_leader_gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "storage/etcd_election.h"

struct etcd_leader_gate {
  etcd_client_t *c;
  etcd_election_t *e;
  char key[256];
  char id[320];
  int64_t ttl_s;
  int leading; /* as of the last check: a change is logged */
  int failing; /* the last step failed: only the first failure of a run is logged */
  hg_gate_t gate;
};

static int check(void *arg);
static int holding(void *arg);

int etcd_leader_gate_new(const char *endpoints, const char *key, int64_t ttl_s,
                         etcd_leader_gate_t **out) {
  char host[256] = "localhost";
  if (!key || !out) return ETCD_EINVAL;
  etcd_leader_gate_t *g = calloc(1, sizeof(*g));
  if (!g) return ETCD_ENOMEM;
  gethostname(host, sizeof(host) - 1);
  g->ttl_s = ttl_s ? ttl_s : ETCD_ELECTION_DEFAULT_TTL_S;
  int rc = (size_t)snprintf(g->key, sizeof(g->key), "%s", key) < sizeof(g->key) ? 0 : ETCD_EINVAL;
  snprintf(g->id, sizeof(g->id), "%s:%ld", host, (long)getpid());
  if (rc == 0) rc = etcd_client_new(endpoints, NULL, &g->c);
  if (rc == 0) rc = etcd_election_new(g->c, g->key, g->id, g->ttl_s, &g->e);
  /* Three renewals per TTL: one lost or slow renewal does not lose the lease. */
  g->gate =
      (hg_gate_t){.check = check, .holding = holding, .recheck_ms = g->ttl_s * 1000 / 3, .arg = g};
  if (rc != 0) {
    etcd_leader_gate_destroy(g);
    return rc;
  }
  *out = g;
  return 0;
}

/* hg_gate_t.check: one election step. On an error the answer is what the last renewal still
 * guarantees, so a leader keeps working through a brief etcd hiccup, never past its lease. */
static int check(void *arg) {
  etcd_leader_gate_t *g = arg;
  etcd_err_t err = {0};
  int leading = 0;
  int rc = etcd_election_step(g->e, &leading, &err);
  if (rc != 0) {
    leading = etcd_election_leading(g->e);
    if (!g->failing)
      HG_WARN("leader", NULL, "%s: election step failed: %s (%s); retrying quietly", g->key,
              etcd_err_name(rc), err.message);
  } else if (g->failing) {
    HG_INFO("leader", NULL, "%s: election steps succeed again", g->key);
  }
  g->failing = rc != 0;
  if (leading != g->leading)
    HG_INFO("leader", NULL, "%s: %s leads as %s", g->key, leading ? "now" : "no longer", g->id);
  g->leading = leading;
  return leading;
}

static int holding(void *arg) { return etcd_election_leading(((etcd_leader_gate_t *)arg)->e); }

const hg_gate_t *etcd_leader_gate(etcd_leader_gate_t *g) { return g ? &g->gate : NULL; }

int etcd_leader_gate_for_store(const store_spec_t *spec, const char *work,
                               etcd_leader_gate_t **out) {
  char key[256];
  *out = NULL;
  if (spec->engine != STORE_ENGINE_ETCD) return 0;
  if ((size_t)snprintf(key, sizeof(key), "%s/leader/%s", spec->prefix, work) >= sizeof(key))
    return ETCD_EINVAL;
  int rc = etcd_leader_gate_new(spec->where, key, 0, out);
  if (rc != 0) HG_ERROR("leader", NULL, "%s: cannot campaign: %s", key, etcd_strerror(rc));
  return rc;
}

void etcd_leader_gate_destroy(etcd_leader_gate_t *g) {
  if (!g) return;
  if (g->e) {
    etcd_err_t err = {0};
    int rc = etcd_election_resign(g->e, &err);
    if (rc != 0)
      HG_WARN("leader", NULL, "%s: resign failed (%s); the lease ends within %llds", g->key,
              err.message, (long long)g->ttl_s);
    etcd_election_destroy(g->e);
  }
  etcd_client_destroy(g->c);
  free(g);
}
