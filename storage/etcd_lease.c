/* etcd_lease.c - the Lease service: Grant, KeepAlive (one renewal), Revoke (etcd_client.h). */
#include "etcd/etcdserver/etcdserverpb/rpc.pb-c.h"
#include "storage/etcd_internal.h"

/* One lease call in its own arena: the answers hold nothing the caller keeps but numbers. */
static int lease_call(etcd_client_t *c, const char *path, const ProtobufCMessageDescriptor *in,
                      const void *req, const ProtobufCMessageDescriptor *out, etcd__repeat_t repeat,
                      hg_arena_t *a, void **resp, etcd_err_t *err) {
  if (!a) return etcd__fail(err, ETCD_ENOMEM, HG_OK, NULL);
  return etcd__call(c, path, in, req, out, repeat, a, resp, err);
}

int etcd_lease_grant(etcd_client_t *c, int64_t ttl_s, int64_t id, int64_t *id_out,
                     int64_t *granted_ttl_s, etcd_err_t *err) {
  if (!c || ttl_s <= 0 || id < 0) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  Etcdserverpb__LeaseGrantRequest req = ETCDSERVERPB__LEASE_GRANT_REQUEST__INIT;
  req.ttl = ttl_s;
  req.id = id;
  hg_arena_t *a = hg_arena_new();
  void *resp = NULL;
  /* Granted again on another member, a lease etcd picked the id of would be a second lease:
   * a grant is a write. */
  int rc = lease_call(c, "/etcdserverpb.Lease/LeaseGrant",
                      &etcdserverpb__lease_grant_request__descriptor, &req,
                      &etcdserverpb__lease_grant_response__descriptor, ETCD__ONCE, a, &resp, err);
  if (rc == 0) {
    const Etcdserverpb__LeaseGrantResponse *r = resp;
    if (r->error && r->error[0]) {
      rc = etcd__fail(err, ETCD_ESERVER, HG_OK, r->error);
    } else {
      if (id_out) *id_out = r->id;
      if (granted_ttl_s) *granted_ttl_s = r->ttl;
    }
  }
  hg_arena_free(a);
  return rc;
}

int etcd_lease_keepalive_once(etcd_client_t *c, int64_t id, int64_t *ttl_s, etcd_err_t *err) {
  if (!c || id <= 0) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  Etcdserverpb__LeaseKeepAliveRequest req = ETCDSERVERPB__LEASE_KEEP_ALIVE_REQUEST__INIT;
  req.id = id;
  hg_arena_t *a = hg_arena_new();
  void *resp = NULL;
  /* A renewal sent twice renews twice: harmless, so it fails over like a read. */
  int rc = lease_call(
      c, "/etcdserverpb.Lease/LeaseKeepAlive", &etcdserverpb__lease_keep_alive_request__descriptor,
      &req, &etcdserverpb__lease_keep_alive_response__descriptor, ETCD__REPEATABLE, a, &resp, err);
  if (rc == 0) {
    const Etcdserverpb__LeaseKeepAliveResponse *r = resp;
    /* etcd answers a lease it does not know (expired, revoked) with TTL 0, not an error. */
    if (r->ttl <= 0)
      rc = etcd__fail(err, ETCD_ELEASE_NOTFOUND, HG_OK, NULL);
    else if (ttl_s)
      *ttl_s = r->ttl;
  }
  hg_arena_free(a);
  return rc;
}

int etcd_lease_revoke(etcd_client_t *c, int64_t id, etcd_err_t *err) {
  if (!c || id <= 0) return etcd__fail(err, ETCD_EINVAL, HG_OK, NULL);
  Etcdserverpb__LeaseRevokeRequest req = ETCDSERVERPB__LEASE_REVOKE_REQUEST__INIT;
  req.id = id;
  hg_arena_t *a = hg_arena_new();
  void *resp = NULL;
  int rc = lease_call(c, "/etcdserverpb.Lease/LeaseRevoke",
                      &etcdserverpb__lease_revoke_request__descriptor, &req,
                      &etcdserverpb__lease_revoke_response__descriptor, ETCD__ONCE, a, &resp, err);
  hg_arena_free(a);
  return rc;
}
