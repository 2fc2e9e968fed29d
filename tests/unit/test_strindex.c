/* test_strindex.c - common/strindex: first position wins, the max_keys limit, many keys. */
#include <check.h>
#include <stdio.h>

#include "common/strindex.h"
#include "test_run.h"

START_TEST(test_strindex_first_position_wins) {
  hg_arena_t *a = hg_arena_new();
  hg_strindex_t x;
  ck_assert_int_eq(hg_strindex_init(3, a, &x), 0);
  ck_assert_uint_eq(hg_strindex_put(&x, "a", 0), 0);
  ck_assert_uint_eq(hg_strindex_put(&x, "b", 1), 1);
  ck_assert_uint_eq(hg_strindex_put(&x, "a", 2), 0); /* already there, at 0 */
  ck_assert_uint_eq(hg_strindex_put(&x, "", 2), 2);
  ck_assert_uint_eq(hg_strindex_put(&x, "c", 3), HG_STRINDEX_FULL);
  ck_assert_uint_eq(hg_strindex_put(&x, "b", 3), 1); /* full, but known keys still answer */
  hg_arena_free(a);
}
END_TEST

START_TEST(test_strindex_many_keys) {
  enum { N = 20000 };
  static char keys[N][8];
  hg_arena_t *a = hg_arena_new();
  hg_strindex_t x;
  ck_assert_int_eq(hg_strindex_init(N, a, &x), 0);
  for (size_t i = 0; i < N; i++) {
    snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
    ck_assert_uint_eq(hg_strindex_put(&x, keys[i], i), i);
  }
  for (size_t i = 0; i < N; i++) ck_assert_uint_eq(hg_strindex_put(&x, keys[i], N + i), i);
  hg_arena_free(a);
}
END_TEST

int main(void) {
  TEST_RUN("strindex", 0, test_strindex_first_position_wins, test_strindex_many_keys);
}
