/* test_arena.c - common/arena: zero-filled and uninitialised allocations, copies, the
 * failure seam. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "common/arena.h"

#include "test_run.h"

START_TEST(test_alloc_is_aligned_and_zero_filled_after_reuse_of_dirty_bytes) {
  hg_arena_t *a = hg_arena_new();
  ck_assert_ptr_nonnull(a);
  unsigned char *dirty = hg_arena_alloc_uninit(a, 100);
  ck_assert_ptr_nonnull(dirty);
  ck_assert_uint_eq((uintptr_t)dirty % 16, 0);
  memset(dirty, 0xAB, 100);
  unsigned char *clean = hg_arena_alloc(a, 5000); /* past the first block too */
  ck_assert_ptr_nonnull(clean);
  ck_assert_uint_eq((uintptr_t)clean % 16, 0);
  for (size_t i = 0; i < 5000; i++) ck_assert_uint_eq(clean[i], 0);
  ck_assert_uint_eq(dirty[99], 0xAB); /* neither overlaps the other */
  hg_arena_free(a);
}
END_TEST

START_TEST(test_uninit_memory_is_whole_and_distinct) {
  hg_arena_t *a = hg_arena_new();
  unsigned char *p[64];
  for (int i = 0; i < 64; i++) {
    p[i] = hg_arena_alloc_uninit(a, 11000);
    ck_assert_ptr_nonnull(p[i]);
    memset(p[i], i, 11000);
  }
  for (int i = 0; i < 64; i++) {
    ck_assert_uint_eq(p[i][0], (unsigned)i);
    ck_assert_uint_eq(p[i][10999], (unsigned)i);
  }
  hg_arena_free(a);
}
END_TEST

START_TEST(test_copies_are_exact) {
  hg_arena_t *a = hg_arena_new();
  char *s = hg_arena_strndup(a, "hangar!", 6);
  ck_assert_str_eq(s, "hangar");
  ck_assert_str_eq(hg_arena_strdup(a, "x"), "x");
  ck_assert_ptr_null(hg_arena_strdup(a, NULL));
  ck_assert_str_eq(hg_arena_strndup(a, "", 0), "");
  const unsigned char bytes[] = {0, 1, 2, 0, 255};
  unsigned char *d = hg_arena_memdup(a, bytes, sizeof(bytes));
  ck_assert_mem_eq(d, bytes, sizeof(bytes));
  hg_arena_free(a);
}
END_TEST

START_TEST(test_the_failure_seam_covers_every_kind) {
  hg_arena_t *a = hg_arena_new();
  hg_arena_test_fail_after(1);
  ck_assert_ptr_nonnull(hg_arena_alloc_uninit(a, 8));
  ck_assert_ptr_null(hg_arena_alloc_uninit(a, 8));
  ck_assert_ptr_null(hg_arena_alloc(a, 8));
  ck_assert_ptr_null(hg_arena_strdup(a, "x"));
  ck_assert_ptr_null(hg_arena_memdup(a, "x", 1));
  hg_arena_test_fail_after(-1);
  ck_assert_ptr_nonnull(hg_arena_alloc(a, 8));
  hg_arena_free(a);
}
END_TEST

int main(void) {
  TEST_RUN("arena", 0, test_alloc_is_aligned_and_zero_filled_after_reuse_of_dirty_bytes,
           test_uninit_memory_is_whole_and_distinct, test_copies_are_exact,
           test_the_failure_seam_covers_every_kind);
}
