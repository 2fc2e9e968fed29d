/* test_etcd_failover.c - a client given several members skips one that is down: reads and
 * writes (which a dead member never ran) go to the next member, whichever position the dead
 * one has, and a client with no live member answers ETCD_EUNAVAILABLE. */
#include <string.h>

#include "etcd_fixture.h"

/* "dead,live" or "live,dead" with a port nothing listens on as the dead member. */
static void endpoints(char *out, size_t n, int dead_first) {
  char dead[64];
  ck_assert_int_eq(etcd_member_free_port(dead, sizeof dead), 0);
  snprintf(out, n, "%s,%s", dead_first ? dead : member.client, dead_first ? member.client : dead);
}

static void put_and_get_through(const char *list, const char *key) {
  etcd_client_t *c = client_of(list);
  hg_arena_t *a = hg_arena_new();
  etcd_err_t err = {0};
  ck_assert_uint_eq(etcd_client_members(c), 2);
  /* Several calls: the first finds the live member, the rest start from it. */
  for (int i = 0; i < 3; i++) {
    int rc = etcd_put(c, hg_str_c(key), HG_STR("through"), 0, NULL, &err);
    ck_assert_msg(rc == 0, "put: %s (%s)", etcd_err_name(rc), err.message);
    etcd_kv_t kv;
    int found = 0;
    ck_assert_int_eq(etcd_get(c, hg_str_c(key), a, &kv, &found, NULL, &err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(kv.version, i + 1);
  }
  hg_arena_free(a);
  etcd_client_destroy(c);
}

START_TEST(test_first_member_dead_fails_over_to_second) {
  char list[160];
  endpoints(list, sizeof list, 1);
  put_and_get_through(list, "failover/first-dead");
}
END_TEST

START_TEST(test_second_member_dead_is_never_needed) {
  char list[160];
  endpoints(list, sizeof list, 0);
  put_and_get_through(list, "failover/second-dead");
}
END_TEST

START_TEST(test_txn_and_lease_fail_over_too) {
  char list[160];
  endpoints(list, sizeof list, 1);
  etcd_client_t *c = client_of(list);
  hg_arena_t *a = hg_arena_new();
  etcd_err_t err = {0};
  int64_t id = 0;
  ck_assert_int_eq(etcd_lease_grant(c, 30, 0, &id, NULL, &err), 0);
  etcd_cmp_t absent = {.key = HG_STR("failover/txn"), .target = ETCD_CMP_CREATE};
  etcd_op_t put = {
      .kind = ETCD_OP_PUT, .key = HG_STR("failover/txn"), .value = HG_STR("v"), .lease = id};
  etcd_txn_t txn = {.cmps = &absent, .n_cmps = 1, .success = &put, .n_success = 1};
  etcd_txn_result_t r;
  ck_assert_int_eq(etcd_txn(c, &txn, a, &r, &err), 0);
  ck_assert_int_eq(r.succeeded, 1);
  ck_assert_int_eq(etcd_lease_revoke(c, id, &err), 0);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_member_killed_while_in_use_is_skipped) {
  /* A second, independent member: the client starts on it, it dies, and the client moves
   * to the fixture's member for every kind of call. */
  etcd_member_t other;
  ck_assert_int_eq(etcd_member_start(&other), 0);
  char list[160];
  snprintf(list, sizeof list, "%s,%s", other.client, member.client);
  etcd_client_t *c = client_of(list);
  hg_arena_t *a = hg_arena_new();
  etcd_err_t err = {0};
  ck_assert_int_eq(etcd_put(c, HG_STR("failover/on-other"), HG_STR("x"), 0, NULL, &err), 0);
  etcd_member_stop(&other);
  etcd_kv_t kv;
  int found = 1;
  int rc = etcd_get(c, HG_STR("failover/on-other"), a, &kv, &found, NULL, &err);
  ck_assert_msg(rc == 0, "get: %s (%s)", etcd_err_name(rc), err.message);
  ck_assert_int_eq(found, 0); /* the fixture's member never had that key */
  rc = etcd_put(c, HG_STR("failover/after"), HG_STR("y"), 0, NULL, &err);
  ck_assert_msg(rc == 0, "put: %s (%s)", etcd_err_name(rc), err.message);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("etcd_failover", test_first_member_dead_fails_over_to_second,
                 test_second_member_dead_is_never_needed, test_txn_and_lease_fail_over_too,
                 test_member_killed_while_in_use_is_skipped);
}
