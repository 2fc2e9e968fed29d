/* test_store_index_walk.c - walking an index either way with skip and limit, and counting
 * its entries under a prefix (storage/store.h: store_index_walk, store_index_count): what
 * a sorted page is made of. */
#include "test_store_fixture.h"

#include "test_run.h"

/* The records store_index_walk visits on index "tag" under prefix, as "key=val;". */
static char *walk(store_t *s, const char *prefix, uint64_t skip, size_t limit, int reverse,
                  char *buf) {
  store_txn_t *t;
  store_walk_t w = {skip, limit, reverse};
  buf[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_index_walk(t, T_ITEMS, I_TAG, V(prefix), &w, collect, buf), 0);
  store_txn_end(t);
  return buf;
}

static uint64_t count(store_t *s, const char *prefix) {
  store_txn_t *t;
  uint64_t n = 99;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_index_count(t, T_ITEMS, I_TAG, V(prefix), &n), 0);
  store_txn_end(t);
  return n;
}

/* Tags: "a/x" for k1 and k3 (a key shared: dups in primary-key order), "a/y" for k2, "b/x"
 * for k4, and "a\xff" for k5 and "a\xff\xff" for k6, whose prefix "a\xff" has no successor
 * of the same length. */
static store_t *fill(void) {
  store_t *s = open_store();
  ck_assert_int_eq(put(s, "k3", "3", "g", NULL, "a/x"), 0);
  ck_assert_int_eq(put(s, "k1", "1", "g", NULL, "a/x"), 0);
  ck_assert_int_eq(put(s, "k2", "2", "g", NULL, "a/y"), 0);
  ck_assert_int_eq(put(s, "k4", "4", "g", NULL, "b/x"), 0);
  ck_assert_int_eq(put(s, "k5", "5", "g", NULL, "a\xff"), 0);
  ck_assert_int_eq(put(s, "k6", "6", "g", NULL, "a\xff\xff"), 0);
  return s;
}

START_TEST(test_forward_and_reverse) {
  setup();
  store_t *s = fill();
  char buf[4096];
  ck_assert_str_eq(walk(s, "a/", 0, 0, 0, buf), "k1=1;k3=3;k2=2;");
  ck_assert_str_eq(walk(s, "a/", 0, 0, 1, buf), "k2=2;k3=3;k1=1;");
  ck_assert_str_eq(walk(s, "", 0, 0, 1, buf), "k4=4;k6=6;k5=5;k2=2;k3=3;k1=1;");
  ck_assert_str_eq(walk(s, "b/", 0, 0, 1, buf), "k4=4;");
  ck_assert_str_eq(walk(s, "c/", 0, 0, 1, buf), "");
  ck_assert_str_eq(walk(s, "0", 0, 0, 1, buf), "");
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_skip_and_limit) {
  setup();
  store_t *s = fill();
  char buf[4096];
  ck_assert_str_eq(walk(s, "a/", 1, 1, 0, buf), "k3=3;");
  ck_assert_str_eq(walk(s, "a/", 1, 5, 1, buf), "k3=3;k1=1;");
  ck_assert_str_eq(walk(s, "a/", 3, 5, 0, buf), "");
  ck_assert_str_eq(walk(s, "a/", 2, 0, 1, buf), "k1=1;");
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_prefix_of_0xff_bytes) {
  setup();
  store_t *s = fill();
  char buf[4096];
  ck_assert_str_eq(walk(s, "a\xff", 0, 0, 1, buf), "k6=6;k5=5;");
  ck_assert_str_eq(walk(s, "a\xff\xff", 0, 0, 1, buf), "k6=6;");
  ck_assert_str_eq(walk(s, "a\xff", 0, 0, 0, buf), "k5=5;k6=6;");
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_count_follows_writes) {
  setup();
  store_t *s = fill();
  ck_assert_uint_eq(count(s, "a/"), 3);
  ck_assert_uint_eq(count(s, "a/x"), 2);
  ck_assert_uint_eq(count(s, ""), 6);
  ck_assert_uint_eq(count(s, "z"), 0);
  ck_assert_int_eq(del(s, "k3"), 0);
  ck_assert_int_eq(put(s, "k2", "2", "g", NULL, "b/y"), 0);
  ck_assert_uint_eq(count(s, "a/"), 1);
  ck_assert_uint_eq(count(s, "b/"), 2);
  store_close(s);
  teardown();
}
END_TEST

int main(void) {
  TEST_RUN("store_index_walk", 0, test_forward_and_reverse, test_skip_and_limit,
           test_prefix_of_0xff_bytes, test_count_follows_writes);
}
