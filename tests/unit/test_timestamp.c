/* test_timestamp.c - the current time as arena text (common/timestamp). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/timestamp.h"

START_TEST(test_now_text_is_rfc3339_between_two_clock_reads) {
  hg_arena_t *a = hg_arena_new();
  int64_t before = hg_now_ms();
  char *text = hg_now_text(a);
  int64_t after = hg_now_ms(), at = 0;
  ck_assert_ptr_nonnull(text);
  ck_assert_uint_eq(strlen(text), strlen("2025-01-15T14:20:00.123Z"));
  ck_assert_int_eq(text[strlen(text) - 1], 'Z');
  ck_assert_int_eq(hg_time_parse_rfc3339(text, &at), 0);
  ck_assert(at >= before && at <= after);
  hg_arena_free(a);
}
END_TEST

int main(void) {
  Suite *s = suite_create("timestamp");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_now_text_is_rfc3339_between_two_clock_reads);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
