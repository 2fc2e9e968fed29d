/* etcd_client.c - the client's members, its failover and its errors (etcd_client.h). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc.h"
#include "storage/etcd_internal.h"

#define DEFAULT_DEADLINE_MS 5000

struct etcd_client {
  rpc_client_t *rpc;
  size_t n;
  rpc_channel_t *members[ETCD_MAX_MEMBERS];
  /* The member that answered last: where the next call starts, so a dead member costs one
   * failed attempt, not one per call. */
  atomic_size_t current;
  int64_t deadline_ms;
};

HG_ERR_FUNCTIONS(etcd_strerror, etcd_err_name, ETCD_ERRORS, "unknown etcd error", "ETCD_UNKNOWN")

/* etcd's own errors that a caller must tell apart, by code and message as etcd's Go client
 * does (api/v3rpc/rpctypes: errStringToError): etcd sends no machine-readable reason. */
static const struct {
  hg_code_t code;
  const char *message;
  int err;
} KNOWN[] = {
    {HG_OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted", ETCD_ECOMPACTED},
    {HG_OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision", ETCD_EFUTUREREV},
    {HG_NOT_FOUND, "etcdserver: requested lease not found", ETCD_ELEASE_NOTFOUND},
};

/* UNAVAILABLE answers that say the call never ran, so even a write may go to the next member:
 * gRPC could not reach the member, or etcd refused before proposing (no leader to propose
 * to). Every other UNAVAILABLE to a write ("etcdserver: request timed out", "etcdserver:
 * leader changed", a connection lost mid-call) may come after the write was applied. */
static const char *const NEVER_RAN[] = {
    "failed to connect to all addresses",
    "etcdserver: no leader",
    "etcdserver: unhealthy cluster",
};

int etcd_error_from_status(hg_code_t code, const char *message) {
  for (size_t i = 0; message && i < sizeof KNOWN / sizeof KNOWN[0]; i++)
    if (KNOWN[i].code == code && strcmp(KNOWN[i].message, message) == 0) return KNOWN[i].err;
  switch (code) {
    case HG_UNAVAILABLE: return ETCD_EUNAVAILABLE;
    case HG_DEADLINE_EXCEEDED: return ETCD_ETIMEDOUT;
    default: return ETCD_ESERVER;
  }
}

static int never_ran(const char *message) {
  for (size_t i = 0; message && i < sizeof NEVER_RAN / sizeof NEVER_RAN[0]; i++)
    if (strncmp(message, NEVER_RAN[i], strlen(NEVER_RAN[i])) == 0) return 1;
  return 0;
}

int etcd__fail(etcd_err_t *err, int code, hg_code_t status, const char *message) {
  if (err) {
    err->code = code;
    err->status = status;
    snprintf(err->message, sizeof err->message, "%s", message ? message : etcd_strerror(code));
  }
  return code;
}

/* Splits endpoints into the client's members. 0 or ETCD_EINVAL / ETCD_ENOMEM. */
static int add_members(etcd_client_t *c, const char *endpoints) {
  const char *p = endpoints;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char target[256];
    if (n == 0 || n >= sizeof target || c->n == ETCD_MAX_MEMBERS) return ETCD_EINVAL;
    memcpy(target, p, n);
    target[n] = '\0';
    if (rpc_channel_new(c->rpc, target, &c->members[c->n]) != 0) return ETCD_ENOMEM;
    c->n++;
    if (!end) return 0;
    p = end + 1;
  }
}

int etcd_client_new(const char *endpoints, const etcd_client_opts_t *opts, etcd_client_t **out) {
  if (!endpoints || !out) return ETCD_EINVAL;
  etcd_client_t *c = calloc(1, sizeof *c);
  if (!c) return ETCD_ENOMEM;
  c->deadline_ms = opts && opts->deadline_ms > 0 ? opts->deadline_ms : DEFAULT_DEADLINE_MS;
  atomic_init(&c->current, 0);
  int rc = rpc_client_new(&c->rpc) != 0 ? ETCD_ENOMEM : add_members(c, endpoints);
  if (rc != 0) {
    etcd_client_destroy(c);
    return rc;
  }
  *out = c;
  return 0;
}

void etcd_client_destroy(etcd_client_t *c) {
  if (!c) return;
  if (c->rpc) rpc_client_destroy(c->rpc);
  free(c);
}

size_t etcd_client_members(const etcd_client_t *c) { return c ? c->n : 0; }

int etcd__call(etcd_client_t *c, const char *path, const ProtobufCMessageDescriptor *in,
               const void *req, const ProtobufCMessageDescriptor *out, etcd__repeat_t repeat,
               hg_arena_t *arena, void **resp, etcd_err_t *err) {
  size_t first = atomic_load(&c->current);
  hg_status_t st;
  hg_status_clear(&st);
  for (size_t i = 0; i < c->n; i++) {
    size_t m = (first + i) % c->n;
    rpc_call_opts_t o = {.deadline_ms = c->deadline_ms, .arena = arena};
    void *r = NULL;
    hg_status_clear(&st);
    /* The returned code is the call's even when it could not start (st then says nothing). */
    st.code =
        (hg_code_t)rpc_call_sync(c->members[m], path, RPC_PBC(in), req, RPC_PBC(out), &o, &st, &r);
    if (st.code != HG_UNAVAILABLE) atomic_store(&c->current, m); /* it answered: it is up */
    if (st.code == HG_OK) {
      *resp = r;
      return 0;
    }
    if (st.code != HG_UNAVAILABLE) break;
    if (repeat == ETCD__ONCE && !never_ran(st.message))
      return etcd__fail(err, ETCD_EINDOUBT, st.code, st.message);
  }
  return etcd__fail(err, etcd_error_from_status(st.code, st.message), st.code, st.message);
}
