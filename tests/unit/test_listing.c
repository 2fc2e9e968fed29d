/* test_listing.c - common/listing: page[size]/page[number] resolution and page windows. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/listing.h"

static const hg_page_cfg_t cfg = {10, 100, "page[size]", "page[number]"};

START_TEST(test_page_resolve_table) {
  static const struct {
    hg_page_req_t req;
    long long number, size;
    uint64_t offset;
  } cases[] = {
      {{0, 0, 0, 0}, 1, 10, 0},      /* defaults */
      {{1, 25, 0, 0}, 1, 25, 0},     /* size given */
      {{1, 10, 1, 3}, 3, 10, 20},    /* offset of page 3 */
      {{1, 100, 1, 2}, 2, 100, 100}, /* exactly the maximum */
      {{1, 1000, 1, 1}, 1, 100, 0},  /* capped, not refused */
      {{1, 1, 1, 1}, 1, 1, 0},       /* smallest */
      {{0, 0, 1, 5000}, 5000, 10, 49990},
      {{1, 100, 1, INT64_MAX}, INT64_MAX, 100, UINT64_MAX}, /* offset saturates */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    hg_page_t p;
    hg_status_clear(&st);
    ck_assert_uint_eq(hg_page_resolve(&cfg, &cases[i].req, &st, &p), 0);
    ck_assert_uint_eq(st.n_violations, 0);
    ck_assert_int_eq(p.number, cases[i].number);
    ck_assert_int_eq(p.size, cases[i].size);
    ck_assert_msg(p.offset == cases[i].offset, "case %zu: offset %llu", i,
                  (unsigned long long)p.offset);
  }
}
END_TEST

START_TEST(test_page_below_one_is_a_min_violation) {
  static const struct {
    hg_page_req_t req;
    size_t violations;
    const char *first_field;
  } cases[] = {
      {{1, 0, 0, 0}, 1, "page[size]"},   {{1, -5, 0, 0}, 1, "page[size]"},
      {{0, 0, 1, 0}, 1, "page[number]"}, {{0, 0, 1, -1}, 1, "page[number]"},
      {{1, 0, 1, 0}, 2, "page[size]"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    hg_page_t p = {77, 77, 77};
    hg_status_clear(&st);
    ck_assert_uint_eq(hg_page_resolve(&cfg, &cases[i].req, &st, &p), cases[i].violations);
    ck_assert_uint_eq(st.n_violations, cases[i].violations);
    ck_assert_str_eq(st.violations[0].field, cases[i].first_field);
    ck_assert_str_eq(st.violations[0].rule, "min");
    ck_assert(st.violations[0].has_minimum && st.violations[0].minimum == 1);
    ck_assert_int_eq(p.number, 77); /* unchanged on failure */
  }
}
END_TEST

START_TEST(test_page_window_table) {
  static const struct {
    long long number, size;
    uint64_t total, start;
    size_t count;
  } cases[] = {
      {1, 10, 0, 0, 0},   {1, 10, 5, 0, 5},     {1, 10, 10, 0, 10}, {2, 10, 10, 10, 0},
      {2, 10, 15, 10, 5}, {3, 10, 100, 20, 10}, {9, 10, 5, 80, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_page_t p = {cases[i].number, cases[i].size,
                   (uint64_t)(cases[i].number - 1) * (uint64_t)cases[i].size};
    uint64_t start;
    size_t count;
    hg_page_window(&p, cases[i].total, &start, &count);
    ck_assert_uint_eq(count, cases[i].count);
    if (count) ck_assert_uint_eq(start, cases[i].start);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("listing");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_page_resolve_table);
  tcase_add_test(tc, test_page_below_one_is_a_min_violation);
  tcase_add_test(tc, test_page_window_table);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
