/* test_listing.c - common/listing: page[size]/page[number] resolution and page windows. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/listing.h"

#include "test_run.h"

/* Konnect's settings (products/list.c). */
static const hg_page_cfg_t cfg = {
    HG_PAGE_BY_NUMBER,
    {
        {HG_PAGE_SIZE, "page[size]", 10, 1, 100, HG_PAGE_CAP | HG_PAGE_EXTRAS, "min",
         "page size must be greater than or equal to 1", NULL, NULL},
        {HG_PAGE_START, "page[number]", 1, 1, 0, HG_PAGE_EXTRAS, "min",
         "page number must be greater than or equal to 1", NULL, NULL},
    },
};

/* An offset surface that refuses above its maximum and lists the start first (skip/limit). */
static const hg_page_cfg_t skip_cfg = {
    HG_PAGE_BY_OFFSET,
    {
        {HG_PAGE_START, "skip", 0, 0, 0, HG_PAGE_EXTRAS, "minimum", "skip >= 0", NULL, NULL},
        {HG_PAGE_SIZE, "limit", 10, 1, 50, HG_PAGE_EXTRAS, "minimum", "limit >= 1", "maximum",
         "limit <= 50"},
    },
};

/* An offset surface that caps its size and names no bounds (limit/offset). */
static const hg_page_cfg_t offset_cfg = {
    HG_PAGE_BY_OFFSET,
    {
        {HG_PAGE_SIZE, "limit", 50, 0, 100, HG_PAGE_CAP, "minimum", "not negative", NULL, NULL},
        {HG_PAGE_START, "offset", 0, 0, 0, 0, "minimum", "not negative", NULL, NULL},
    },
};

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

START_TEST(test_page_offset_style_caps) {
  static const struct {
    hg_page_req_t req;
    long long size;
    uint64_t offset;
  } cases[] = {
      {{0, 0, 0, 0}, 50, 0},
      {{1, 0, 0, 0}, 0, 0},
      {{1, 100, 1, 7}, 100, 7},
      {{1, 101, 0, 0}, 100, 0},
      {{0, 0, 1, 1000000}, 50, 1000000},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    hg_page_t p;
    hg_status_clear(&st);
    ck_assert_uint_eq(hg_page_resolve(&offset_cfg, &cases[i].req, &st, &p), 0);
    ck_assert_int_eq(p.number, 0);
    ck_assert_int_eq(p.size, cases[i].size);
    ck_assert_uint_eq(p.offset, cases[i].offset);
  }
}
END_TEST

START_TEST(test_page_offset_negative_names_each_without_bounds) {
  hg_page_req_t req = {1, -1, 1, -2};
  hg_status_t st;
  hg_page_t p = {77, 77, 77};
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_page_resolve(&offset_cfg, &req, &st, &p), 2);
  ck_assert_str_eq(st.violations[0].field, "limit");
  ck_assert_str_eq(st.violations[1].field, "offset");
  ck_assert_str_eq(st.violations[1].rule, "minimum");
  ck_assert_str_eq(st.violations[1].description, "not negative");
  ck_assert(!hg_violation_has_extras(&st.violations[0]));
  ck_assert_int_eq(p.size, 77);
}
END_TEST

START_TEST(test_page_refused_above_max_in_table_order) {
  hg_page_req_t req = {1, 51, 1, -1};
  hg_status_t st;
  hg_page_t p;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_page_resolve(&skip_cfg, &req, &st, &p), 2);
  ck_assert_str_eq(st.violations[0].field, "skip");
  ck_assert(st.violations[0].has_minimum && st.violations[0].minimum == 0);
  ck_assert_str_eq(st.violations[1].field, "limit");
  ck_assert_str_eq(st.violations[1].rule, "maximum");
  ck_assert_str_eq(st.violations[1].description, "limit <= 50");
  ck_assert(st.violations[1].has_maximum && st.violations[1].maximum == 50);
  hg_page_req_t ok = {1, 50, 1, 3};
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_page_resolve(&skip_cfg, &ok, &st, &p), 0);
  ck_assert_int_eq(p.size, 50);
  ck_assert_uint_eq(p.offset, 3);
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
  TEST_RUN("listing", 0, test_page_resolve_table, test_page_below_one_is_a_min_violation,
           test_page_offset_style_caps, test_page_offset_negative_names_each_without_bounds,
           test_page_refused_above_max_in_table_order, test_page_window_table);
}
