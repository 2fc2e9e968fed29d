/* test_etcd_kv.c - storage/etcd_kv.c against a real etcd member: put and get, ranges with a
 * limit and a range_end, reads at an old revision, deletes, and txns whose compares hold or
 * fail (optimistic concurrency on mod_revision, create-if-absent on create_revision). */
#include <string.h>

#include "etcd_fixture.h"

static int str_is(hg_str_t s, const char *want) { return hg_str_eq(s, hg_str_c(want)); }

START_TEST(test_put_then_get_answers_value_and_revisions) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  int64_t rev1 = put_ok(c, "kv/get/k", "one");
  int64_t rev2 = put_ok(c, "kv/get/k", "two");
  etcd_kv_t kv;
  int found = 0;
  int64_t read_rev = 0;
  ck_assert_int_gt(rev2, rev1);
  ck_assert_int_eq(etcd_get(c, HG_STR("kv/get/k"), a, &kv, &found, &read_rev, NULL), 0);
  ck_assert_int_eq(found, 1);
  ck_assert(str_is(kv.key, "kv/get/k"));
  ck_assert(str_is(kv.value, "two"));
  ck_assert_int_eq(kv.create_revision, rev1);
  ck_assert_int_eq(kv.mod_revision, rev2);
  ck_assert_int_eq(kv.version, 2);
  ck_assert_int_eq(kv.lease, 0);
  ck_assert_int_ge(read_rev, rev2);
  ck_assert_int_eq(etcd_get(c, HG_STR("kv/get/absent"), a, &kv, &found, NULL, NULL), 0);
  ck_assert_int_eq(found, 0);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_range_at_old_revision_answers_old_value) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  int64_t rev1 = put_ok(c, "kv/old/k", "before");
  put_ok(c, "kv/old/k", "after");
  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/old/k"), .revision = rev1};
  etcd_result_t r;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, NULL), 0);
  ck_assert_uint_eq(r.n_kvs, 1);
  ck_assert(str_is(r.kvs[0].value, "before"));
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

static void put_five(etcd_client_t *c) {
  static const char *const keys[] = {"kv/r/a1", "kv/r/a2", "kv/r/a3",
                                     "kv/r/a4", "kv/r/a5", "kv/r/b1"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) put_ok(c, keys[i], keys[i] + 5);
}

START_TEST(test_range_prefix_with_limit_answers_first_keys_more_and_count) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  put_five(c);
  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/r/a"), .limit = 2};
  ck_assert_int_eq(etcd_prefix_end(op.key, a, &op.range_end), 0);
  ck_assert(str_is(op.range_end, "kv/r/b"));
  etcd_result_t r;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, NULL), 0);
  ck_assert_uint_eq(r.n_kvs, 2);
  ck_assert(str_is(r.kvs[0].key, "kv/r/a1"));
  ck_assert(str_is(r.kvs[0].value, "a1"));
  ck_assert(str_is(r.kvs[1].key, "kv/r/a2"));
  ck_assert_int_eq(r.more, 1);
  ck_assert_int_eq(r.count, 5);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_range_end_is_exclusive) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  put_five(c);
  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/r/a2"), .range_end = HG_STR("kv/r/a4")};
  etcd_result_t r;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, NULL), 0);
  ck_assert_uint_eq(r.n_kvs, 2);
  ck_assert(str_is(r.kvs[0].key, "kv/r/a2"));
  ck_assert(str_is(r.kvs[1].key, "kv/r/a3"));
  ck_assert_int_eq(r.more, 0);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_range_keys_only_and_count_only) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  put_five(c);
  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/r/"), .flags = ETCD_RANGE_KEYS_ONLY};
  ck_assert_int_eq(etcd_prefix_end(op.key, a, &op.range_end), 0);
  etcd_result_t r;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, NULL), 0);
  ck_assert_uint_eq(r.n_kvs, 6);
  ck_assert(str_is(r.kvs[5].key, "kv/r/b1"));
  ck_assert_uint_eq(r.kvs[5].value.n, 0);
  op.flags = ETCD_RANGE_COUNT_ONLY;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, NULL), 0);
  ck_assert_uint_eq(r.n_kvs, 0);
  ck_assert_int_eq(r.count, 6);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

/* DESCEND: the last keys of the range first, so a limit takes the range's end. */
START_TEST(test_range_descend_with_limit_answers_last_keys) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  put_five(c);
  etcd_op_t op = {
      .kind = ETCD_OP_RANGE, .key = HG_STR("kv/r/"), .limit = 2, .flags = ETCD_RANGE_DESCEND};
  ck_assert_int_eq(etcd_prefix_end(op.key, a, &op.range_end), 0);
  etcd_result_t r;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, NULL), 0);
  ck_assert_uint_eq(r.n_kvs, 2);
  ck_assert(str_is(r.kvs[0].key, "kv/r/b1"));
  ck_assert(str_is(r.kvs[1].key, "kv/r/a5"));
  ck_assert_int_eq(r.more, 1);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_delete_range_removes_prefix_and_counts) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  put_ok(c, "kv/del/1", "x");
  put_ok(c, "kv/del/2", "x");
  put_ok(c, "kv/dem", "stays");
  etcd_op_t del = {.kind = ETCD_OP_DELETE, .key = HG_STR("kv/del/")};
  ck_assert_int_eq(etcd_prefix_end(del.key, a, &del.range_end), 0);
  etcd_result_t r;
  ck_assert_int_eq(etcd_do(c, &del, a, &r, NULL), 0);
  ck_assert_int_eq(r.count, 2);
  etcd_op_t count = {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/de"), .flags = ETCD_RANGE_COUNT_ONLY};
  ck_assert_int_eq(etcd_prefix_end(count.key, a, &count.range_end), 0);
  ck_assert_int_eq(etcd_do(c, &count, a, &r, NULL), 0);
  ck_assert_int_eq(r.count, 1);
  ck_assert_int_eq(etcd_do(c, &del, a, &r, NULL), 0);
  ck_assert_int_eq(r.count, 0);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

/* Writes value to key only if key's mod_revision is still rev; on failure reads key back. */
static int cas(etcd_client_t *c, hg_arena_t *a, int64_t rev, const char *value,
               etcd_txn_result_t *out) {
  etcd_cmp_t cmp = {
      .key = HG_STR("kv/cas"), .target = ETCD_CMP_MOD, .op = ETCD_CMP_EQUAL, .number = rev};
  etcd_op_t put = {.kind = ETCD_OP_PUT, .key = HG_STR("kv/cas"), .value = hg_str_c(value)};
  etcd_op_t get = {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/cas")};
  etcd_txn_t txn = {&cmp, 1, &put, 1, &get, 1};
  return etcd_txn(c, &txn, a, out, NULL);
}

START_TEST(test_txn_on_mod_revision_lets_one_of_two_writers_win) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  int64_t read = put_ok(c, "kv/cas", "v0");
  etcd_txn_result_t first, second;
  ck_assert_int_eq(cas(c, a, read, "writer-1", &first), 0);
  ck_assert_int_eq(first.succeeded, 1);
  ck_assert_int_gt(first.revision, read);
  ck_assert_uint_eq(first.n_results, 1);
  ck_assert_int_eq(first.results[0].kind, ETCD_OP_PUT);
  /* The second writer read the same revision: its compare fails, and the failure branch's
   * read shows the first writer's value. */
  ck_assert_int_eq(cas(c, a, read, "writer-2", &second), 0);
  ck_assert_int_eq(second.succeeded, 0);
  ck_assert_uint_eq(second.n_results, 1);
  ck_assert_int_eq(second.results[0].kind, ETCD_OP_RANGE);
  ck_assert_uint_eq(second.results[0].n_kvs, 1);
  ck_assert(str_is(second.results[0].kvs[0].value, "writer-1"));
  ck_assert_int_eq(second.results[0].kvs[0].mod_revision, first.revision);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_txn_create_revision_zero_creates_once) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  etcd_cmp_t absent = {.key = HG_STR("kv/once"), .target = ETCD_CMP_CREATE, .op = ETCD_CMP_EQUAL};
  etcd_op_t put = {.kind = ETCD_OP_PUT, .key = HG_STR("kv/once"), .value = HG_STR("first")};
  etcd_txn_t txn = {.cmps = &absent, .n_cmps = 1, .success = &put, .n_success = 1};
  etcd_txn_result_t r;
  ck_assert_int_eq(etcd_txn(c, &txn, a, &r, NULL), 0);
  ck_assert_int_eq(r.succeeded, 1);
  put.value = HG_STR("second");
  ck_assert_int_eq(etcd_txn(c, &txn, a, &r, NULL), 0);
  ck_assert_int_eq(r.succeeded, 0);
  ck_assert_uint_eq(r.n_results, 0);
  etcd_kv_t kv;
  int found;
  ck_assert_int_eq(etcd_get(c, HG_STR("kv/once"), a, &kv, &found, NULL, NULL), 0);
  ck_assert(str_is(kv.value, "first"));
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_txn_compares_version_and_value_and_runs_ops_in_order) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  put_ok(c, "kv/multi/a", "x");
  put_ok(c, "kv/multi/a", "y");
  put_ok(c, "kv/multi/b", "gone soon");
  etcd_cmp_t cmps[] = {
      {.key = HG_STR("kv/multi/a"), .target = ETCD_CMP_VERSION, .op = ETCD_CMP_EQUAL, .number = 2},
      {.key = HG_STR("kv/multi/a"),
       .target = ETCD_CMP_VALUE,
       .op = ETCD_CMP_EQUAL,
       .value = HG_STR("y")},
      {.key = HG_STR("kv/multi/a"), .target = ETCD_CMP_MOD, .op = ETCD_CMP_GREATER, .number = 0},
  };
  etcd_op_t ops[] = {
      {.kind = ETCD_OP_DELETE, .key = HG_STR("kv/multi/b")},
      {.kind = ETCD_OP_PUT, .key = HG_STR("kv/multi/c"), .value = HG_STR("new")},
      {.kind = ETCD_OP_RANGE, .key = HG_STR("kv/multi/"), .range_end = HG_STR("kv/multi0")},
  };
  etcd_txn_t txn = {cmps, 3, ops, 3, NULL, 0};
  etcd_txn_result_t r;
  ck_assert_int_eq(etcd_txn(c, &txn, a, &r, NULL), 0);
  ck_assert_int_eq(r.succeeded, 1);
  ck_assert_uint_eq(r.n_results, 3);
  ck_assert_int_eq(r.results[0].count, 1);
  ck_assert_uint_eq(r.results[2].n_kvs, 2);
  ck_assert(str_is(r.results[2].kvs[0].key, "kv/multi/a"));
  ck_assert(str_is(r.results[2].kvs[1].key, "kv/multi/c"));
  /* Now the value compare fails: nothing runs. */
  cmps[1].value = HG_STR("x");
  ck_assert_int_eq(etcd_txn(c, &txn, a, &r, NULL), 0);
  ck_assert_int_eq(r.succeeded, 0);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("etcd_kv", test_put_then_get_answers_value_and_revisions,
                 test_range_at_old_revision_answers_old_value,
                 test_range_prefix_with_limit_answers_first_keys_more_and_count,
                 test_range_end_is_exclusive, test_range_keys_only_and_count_only,
                 test_range_descend_with_limit_answers_last_keys,
                 test_delete_range_removes_prefix_and_counts,
                 test_txn_on_mod_revision_lets_one_of_two_writers_win,
                 test_txn_create_revision_zero_creates_once,
                 test_txn_compares_version_and_value_and_runs_ops_in_order);
}
