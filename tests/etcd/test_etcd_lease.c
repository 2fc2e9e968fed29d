/* test_etcd_lease.c - storage/etcd_lease.c against a real etcd member: a granted lease holds
 * the keys attached to it, renews, and revoking it deletes them; a revoked lease is
 * ETCD_ELEASE_NOTFOUND to every later call. */
#include "etcd_fixture.h"

START_TEST(test_revoke_deletes_keys_attached_to_lease) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  int64_t id = 0, ttl = 0;
  etcd_err_t err = {0};
  ck_assert_int_eq(etcd_lease_grant(c, 60, 0, &id, &ttl, &err), 0);
  ck_assert_int_gt(id, 0);
  ck_assert_int_eq(ttl, 60);
  ck_assert_int_eq(etcd_put(c, HG_STR("lease/k"), HG_STR("held"), id, NULL, &err), 0);
  etcd_kv_t kv;
  int found = 0;
  ck_assert_int_eq(etcd_get(c, HG_STR("lease/k"), a, &kv, &found, NULL, NULL), 0);
  ck_assert_int_eq(found, 1);
  ck_assert_int_eq(kv.lease, id);
  int64_t renewed = 0;
  ck_assert_int_eq(etcd_lease_keepalive_once(c, id, &renewed, &err), 0);
  ck_assert_int_gt(renewed, 0);
  ck_assert_int_eq(etcd_lease_revoke(c, id, &err), 0);
  ck_assert_int_eq(etcd_get(c, HG_STR("lease/k"), a, &kv, &found, NULL, NULL), 0);
  ck_assert_int_eq(found, 0);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_revoked_lease_is_not_found) {
  etcd_client_t *c = client_of(NULL);
  int64_t id = 0, ttl = 0;
  etcd_err_t err = {0};
  ck_assert_int_eq(etcd_lease_grant(c, 30, 0, &id, NULL, &err), 0);
  ck_assert_int_eq(etcd_lease_revoke(c, id, &err), 0);
  ck_assert_int_eq(etcd_lease_keepalive_once(c, id, &ttl, &err), ETCD_ELEASE_NOTFOUND);
  ck_assert_int_eq(ttl, 0);
  ck_assert_int_eq(etcd_lease_revoke(c, id, &err), ETCD_ELEASE_NOTFOUND);
  ck_assert_int_eq(err.code, ETCD_ELEASE_NOTFOUND);
  ck_assert_int_eq(err.status, HG_NOT_FOUND);
  ck_assert_str_eq(err.message, "etcdserver: requested lease not found");
  /* Attaching a key to it is refused by etcd, and the key is not written. */
  ck_assert_int_eq(etcd_put(c, HG_STR("lease/late"), HG_STR("x"), id, NULL, &err),
                   ETCD_ELEASE_NOTFOUND);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_grant_with_chosen_id) {
  etcd_client_t *c = client_of(NULL);
  int64_t id = 0;
  etcd_err_t err = {0};
  ck_assert_int_eq(etcd_lease_grant(c, 30, 4242, &id, NULL, &err), 0);
  ck_assert_int_eq(id, 4242);
  /* The same id again is etcd's "lease already exists". */
  ck_assert_int_eq(etcd_lease_grant(c, 30, 4242, &id, NULL, &err), ETCD_ESERVER);
  ck_assert_int_eq(err.status, HG_FAILED_PRECONDITION);
  ck_assert_int_eq(etcd_lease_revoke(c, 4242, &err), 0);
  etcd_client_destroy(c);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("etcd_lease", test_revoke_deletes_keys_attached_to_lease,
                 test_revoked_lease_is_not_found, test_grant_with_chosen_id);
}
