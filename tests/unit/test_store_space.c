/* test_store_space.c - a full store (storage/store_space.c): once a small map fills, puts
 * are refused with STORE_FULL and store_full() says so, while reads, deletes and same-size
 * updates keep working; deletes bring it back under the line and puts succeed again. */
#include "test_store_fixture.h"

#include "test_run.h"

#define MAP_SIZE ((size_t)1 << 20)
#define VALUE_LEN 3000 /* an overflow page per record: the map fills in a few hundred puts */

static store_t *open_small(void) {
  store_opts_t opts = {.map_size = MAP_SIZE};
  store_t *s = NULL;
  ck_assert_int_eq(store_open(dir, &schema, &opts, &s), 0);
  return s;
}

static char value[VALUE_LEN + 1];

static int put_nth(store_t *s, int i, char fill) {
  char key[32];
  snprintf(key, sizeof(key), "k%05d", i);
  memset(value, fill, VALUE_LEN);
  return put(s, key, value, "g", NULL, NULL);
}

static int del_nth(store_t *s, int i) {
  char key[32];
  snprintf(key, sizeof(key), "k%05d", i);
  return del(s, key);
}

/* Puts until the store refuses; the number of records written. */
static int fill(store_t *s) {
  int n = 0, rc;
  while ((rc = put_nth(s, n, 'a')) == 0) n++;
  ck_assert_int_eq(rc, STORE_FULL);
  return n;
}

START_TEST(test_full_store_refuses_puts_and_says_so) {
  setup();
  store_t *s = open_small();
  ck_assert_int_eq(store_full(s), 0);
  int n = fill(s);
  ck_assert_int_gt(n, 100);
  ck_assert_int_eq(store_full(s), 1);
  ck_assert_int_eq(put_nth(s, n, 'a'), STORE_FULL);
  ck_assert_uint_eq(table_count(s, T_ITEMS), (uint64_t)n);
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_full_store_still_reads_deletes_and_rewrites_in_place) {
  char buf[256];
  setup();
  store_t *s = open_small();
  int n = fill(s);
  ck_assert_int_eq(get(s, T_ITEMS, "k00000", buf), 0);
  ck_assert_int_eq(buf[0], 'a');
  /* Same size: the trees do not grow, so the reserve takes it. */
  ck_assert_int_eq(put_nth(s, 0, 'b'), 0);
  ck_assert_int_eq(get(s, T_ITEMS, "k00000", buf), 0);
  ck_assert_int_eq(buf[0], 'b');
  for (int i = 1; i < n; i += 2) ck_assert_int_eq(del_nth(s, i), 0);
  ck_assert_uint_eq(table_count(s, T_ITEMS), (uint64_t)(n - n / 2));
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_deletes_make_a_full_store_writable_again) {
  setup();
  store_t *s = open_small();
  int n = fill(s);
  for (int i = 0; i < n / 4; i++) ck_assert_int_eq(del_nth(s, i), 0);
  ck_assert_int_eq(put_nth(s, n, 'c'), 0);
  ck_assert_int_eq(store_full(s), 0);
  store_close(s);
  /* The reserve survives a reopen: the same map size counts the same pages. */
  s = open_small();
  ck_assert_int_eq(put_nth(s, n + 1, 'c'), 0);
  store_close(s);
  teardown();
}
END_TEST

/* A write that starts a removal may grow the trees by a few pages while full. */
START_TEST(test_full_store_takes_a_releasing_write_that_grows_a_little) {
  setup();
  store_t *s = open_small();
  int n = fill(s);
  char key[32];
  snprintf(key, sizeof(key), "k%05d", n);
  memset(value, 'r', VALUE_LEN);
  op_t o = {T_ITEMS, key, value, "g", NULL, NULL, 0, 0};
  ops_t ops = {&o, 1};
  store_write_opts_t plain = {0}, releasing = {.flags = STORE_WRITE_RELEASES};
  ck_assert_int_eq(store_write_opts(s, run_ops, &ops, &plain), STORE_FULL);
  ck_assert_int_eq(store_write_opts(s, run_ops, &ops, &releasing), 0);
  ck_assert_uint_eq(table_count(s, T_ITEMS), (uint64_t)n + 1);
  store_close(s);
  teardown();
}
END_TEST

int main(void) {
  TEST_RUN("store_space", 60, test_full_store_refuses_puts_and_says_so,
           test_full_store_still_reads_deletes_and_rewrites_in_place,
           test_deletes_make_a_full_store_writable_again,
           test_full_store_takes_a_releasing_write_that_grows_a_little);
}
