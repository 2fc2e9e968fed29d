/* test_etcd_compact.c - after a compaction, a read at a revision below it is the distinct
 * ETCD_ECOMPACTED (OUT_OF_RANGE from etcd: what a watch will answer 410 Gone for), a read at
 * the compacted revision still works, and a future revision is ETCD_EFUTUREREV. */
#include "etcd_fixture.h"

START_TEST(test_range_below_compacted_revision_is_ecompacted) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  int64_t rev1 = put_ok(c, "compact/k", "v1");
  put_ok(c, "compact/k", "v2");
  int64_t rev3 = put_ok(c, "compact/k", "v3");
  etcd_err_t err = {0};
  ck_assert_int_eq(etcd_compact(c, rev3, ETCD_COMPACT_PHYSICAL, &err), 0);

  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = HG_STR("compact/k"), .revision = rev1};
  etcd_result_t r = {.count = -7};
  ck_assert_int_eq(etcd_do(c, &op, a, &r, &err), ETCD_ECOMPACTED);
  ck_assert_int_eq(err.code, ETCD_ECOMPACTED);
  ck_assert_int_eq(err.status, HG_OUT_OF_RANGE);
  ck_assert_str_eq(err.message, "etcdserver: mvcc: required revision has been compacted");
  ck_assert_int_eq(r.count, -7); /* a failed call leaves its answer untouched */

  op.revision = rev3;
  ck_assert_int_eq(etcd_do(c, &op, a, &r, &err), 0);
  ck_assert_uint_eq(r.n_kvs, 1);
  ck_assert(hg_str_eq(r.kvs[0].value, HG_STR("v3")));

  /* Compacting again below the compacted revision is refused the same way. */
  ck_assert_int_eq(etcd_compact(c, rev1, ETCD_COMPACT_LOGICAL, &err), ETCD_ECOMPACTED);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

START_TEST(test_range_at_future_revision_is_efuturerev) {
  etcd_client_t *c = client_of(NULL);
  hg_arena_t *a = hg_arena_new();
  int64_t now = put_ok(c, "compact/future", "v");
  etcd_op_t op = {.kind = ETCD_OP_RANGE, .key = HG_STR("compact/future"), .revision = now + 1000};
  etcd_result_t r;
  etcd_err_t err = {0};
  ck_assert_int_eq(etcd_do(c, &op, a, &r, &err), ETCD_EFUTUREREV);
  ck_assert_int_eq(err.status, HG_OUT_OF_RANGE);
  hg_arena_free(a);
  etcd_client_destroy(c);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("etcd_compact", test_range_below_compacted_revision_is_ecompacted,
                 test_range_at_future_revision_is_efuturerev);
}
