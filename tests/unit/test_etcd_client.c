/* test_etcd_client.c - the etcd client's parts that need no etcd (storage/etcd_client.c,
 * etcd_kv.c), so that they run under ASan too (tests/etcd runs the rest against a real
 * member, in the plain build): member lists, the mapping of etcd's statuses to errors
 * (ErrCompacted above all), prefix range ends, requests refused before anything is sent,
 * and members that are all down. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "storage/etcd_client.h"
#include "test_run.h"

/* "127.0.0.1:PORT" where nothing listens (bound, then closed). */
static void dead_address(char *out, size_t n) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof sa;
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  close(fd);
  snprintf(out, n, "127.0.0.1:%d", ntohs(sa.sin_port));
}

START_TEST(test_member_list_is_split_on_commas) {
  etcd_client_t *c = NULL;
  ck_assert_int_eq(etcd_client_new("127.0.0.1:2379,127.0.0.1:22379,unix:/tmp/x", NULL, &c), 0);
  ck_assert_uint_eq(etcd_client_members(c), 3);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_bad_member_lists_are_einval) {
  static const char *const bad[] = {"", ",", "127.0.0.1:1,", ",127.0.0.1:1", "a:1,,b:2"};
  static char sentinel; /* a failed new leaves *out alone */
  etcd_client_t *c = (etcd_client_t *)&sentinel;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_int_eq(etcd_client_new(bad[i], NULL, &c), ETCD_EINVAL);
  char many[ETCD_MAX_MEMBERS * 20 + 32] = "";
  for (int i = 0; i <= ETCD_MAX_MEMBERS; i++)
    snprintf(many + strlen(many), sizeof many - strlen(many), "%s127.0.0.1:%d", i ? "," : "",
             1000 + i);
  ck_assert_int_eq(etcd_client_new(many, NULL, &c), ETCD_EINVAL);
  ck_assert_int_eq(etcd_client_new(NULL, NULL, &c), ETCD_EINVAL);
  ck_assert_ptr_eq(c, (etcd_client_t *)&sentinel);
}
END_TEST

START_TEST(test_etcd_statuses_map_to_errors) {
  static const struct {
    hg_code_t code;
    const char *message;
    int want;
  } cases[] = {
      {HG_OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted", ETCD_ECOMPACTED},
      {HG_OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision",
       ETCD_EFUTUREREV},
      {HG_OUT_OF_RANGE, "something else out of range", ETCD_ESERVER},
      /* The message alone is not enough: the code must be etcd's too. */
      {HG_UNKNOWN, "etcdserver: mvcc: required revision has been compacted", ETCD_ESERVER},
      {HG_NOT_FOUND, "etcdserver: requested lease not found", ETCD_ELEASE_NOTFOUND},
      {HG_UNAVAILABLE, "etcdserver: no leader", ETCD_EUNAVAILABLE},
      {HG_DEADLINE_EXCEEDED, "Deadline Exceeded", ETCD_ETIMEDOUT},
      {HG_INVALID_ARGUMENT, "etcdserver: key is not provided", ETCD_ESERVER},
      {HG_OUT_OF_RANGE, NULL, ETCD_ESERVER},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_int_eq(etcd_error_from_status(cases[i].code, cases[i].message), cases[i].want);
  ck_assert_str_eq(etcd_err_name(ETCD_ECOMPACTED), "ETCD_ECOMPACTED");
  ck_assert_str_eq(etcd_strerror(ETCD_ECOMPACTED), "required revision has been compacted");
  ck_assert_str_eq(etcd_err_name(12345), "ETCD_UNKNOWN");
}
END_TEST

START_TEST(test_prefix_end_increments_last_byte_below_ff) {
  static const struct {
    const char *prefix;
    size_t n;
    const char *want;
    size_t want_n;
  } cases[] = {
      {"a", 1, "b", 1},       {"kv/r/", 5, "kv/r0", 5}, {"a\xff", 2, "b", 1},
      {"\xff\xff", 2, "", 1}, {"", 0, "", 1},
  };
  hg_arena_t *a = hg_arena_new();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hg_str_t end;
    ck_assert_int_eq(etcd_prefix_end((hg_str_t){cases[i].prefix, cases[i].n}, a, &end), 0);
    ck_assert_uint_eq(end.n, cases[i].want_n);
    ck_assert_int_eq(memcmp(end.p, cases[i].want, end.n), 0);
  }
  hg_arena_free(a);
}
END_TEST

START_TEST(test_invalid_requests_are_refused_before_sending) {
  char dead[64];
  dead_address(dead, sizeof dead);
  etcd_client_t *c;
  ck_assert_int_eq(etcd_client_new(dead, NULL, &c), 0);
  hg_arena_t *a = hg_arena_new();
  etcd_result_t r;
  etcd_err_t err;
  etcd_op_t no_key = {.kind = ETCD_OP_RANGE};
  etcd_op_t bad_kind = {.kind = (etcd_op_kind_t)7, .key = HG_STR("k")};
  etcd_op_t neg_limit = {.kind = ETCD_OP_RANGE, .key = HG_STR("k"), .limit = -1};
  const etcd_op_t *bad[] = {&no_key, &bad_kind, &neg_limit};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(etcd_do(c, bad[i], a, &r, &err), ETCD_EINVAL);
    ck_assert_int_eq(err.status, HG_OK); /* no member was asked */
  }
  etcd_cmp_t bad_target = {.key = HG_STR("k"), .target = (etcd_cmp_target_t)9};
  etcd_txn_t txn = {.cmps = &bad_target, .n_cmps = 1};
  etcd_txn_result_t tr;
  ck_assert_int_eq(etcd_txn(c, &txn, a, &tr, &err), ETCD_EINVAL);
  etcd_txn_t bad_op = {.success = &bad_kind, .n_success = 1};
  ck_assert_int_eq(etcd_txn(c, &bad_op, a, &tr, &err), ETCD_EINVAL);
  ck_assert_int_eq(etcd_lease_grant(c, 0, 0, NULL, NULL, &err), ETCD_EINVAL);
  ck_assert_int_eq(etcd_lease_revoke(c, 0, &err), ETCD_EINVAL);
  ck_assert_int_eq(etcd_compact(c, 0, ETCD_COMPACT_LOGICAL, &err), ETCD_EINVAL);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

/* Every member down: a read and a write both try each member and answer UNAVAILABLE; the
 * write is not "in doubt", because gRPC says it never reached a member. */
START_TEST(test_all_members_down_is_eunavailable) {
  char d1[64], d2[64], list[160];
  dead_address(d1, sizeof d1);
  dead_address(d2, sizeof d2);
  snprintf(list, sizeof list, "%s,%s", d1, d2);
  etcd_client_t *c;
  etcd_client_opts_t o = {.deadline_ms = 2000};
  ck_assert_int_eq(etcd_client_new(list, &o, &c), 0);
  hg_arena_t *a = hg_arena_new();
  etcd_kv_t kv;
  int found = -1;
  etcd_err_t err;
  ck_assert_int_eq(etcd_get(c, HG_STR("k"), a, &kv, &found, NULL, &err), ETCD_EUNAVAILABLE);
  ck_assert_int_eq(err.status, HG_UNAVAILABLE);
  ck_assert_int_eq(found, -1);
  int rc = etcd_put(c, HG_STR("k"), HG_STR("v"), 0, NULL, &err);
  ck_assert_msg(rc == ETCD_EUNAVAILABLE, "put: %s (%s)", etcd_err_name(rc), err.message);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

int main(void) {
  TEST_RUN("etcd_client", 0, test_member_list_is_split_on_commas, test_bad_member_lists_are_einval,
           test_etcd_statuses_map_to_errors, test_prefix_end_increments_last_byte_below_ff,
           test_invalid_requests_are_refused_before_sending, test_all_members_down_is_eunavailable);
}
