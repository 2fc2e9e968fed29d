/* test_sortspec.c - common/sortspec: parsing `sort` text and the stable sort. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/sortspec.h"

enum { NAME = 1, CREATED = 2 };
static const hg_sort_field_t fields[] = {{"name", NAME}, {"created_at", CREATED}};
static const hg_sort_cfg_t cfg = {"sort", fields, 2};
static const hg_sort_cfg_t name_only = {"sort", fields, 1};

static hg_arena_t *arena;
static void setup(void) { arena = hg_arena_new(); }
static void teardown(void) { hg_arena_free(arena); }

START_TEST(test_sort_parse_accepts) {
  static const struct {
    const char *text;
    size_t n;
    hg_sort_key_t keys[3];
  } cases[] = {
      {NULL, 0, {{0}}},
      {"", 0, {{0}}},
      {"name", 1, {{NAME, 0}}},
      {"name asc", 1, {{NAME, 0}}},
      {"name desc", 1, {{NAME, 1}}},
      {"-name", 1, {{NAME, 1}}},
      {"-name,created_at", 2, {{NAME, 1}, {CREATED, 0}}},
      {"  name   desc ", 1, {{NAME, 1}}},
      {"name desc,created_at", 2, {{NAME, 1}, {CREATED, 0}}},
      {"created_at desc, name asc", 2, {{CREATED, 1}, {NAME, 0}}},
      {"name,name desc,created_at desc", 3, {{NAME, 0}, {NAME, 1}, {CREATED, 1}}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    hg_sort_spec_t spec;
    hg_status_clear(&st);
    ck_assert_msg(hg_sort_parse(&cfg, cases[i].text, arena, &st, &spec) == 0, "%s", cases[i].text);
    ck_assert_uint_eq(spec.n, cases[i].n);
    for (size_t k = 0; k < spec.n; k++) {
      ck_assert_int_eq(spec.keys[k].id, cases[i].keys[k].id);
      ck_assert_int_eq(spec.keys[k].desc, cases[i].keys[k].desc);
    }
  }
}
END_TEST

START_TEST(test_sort_unknown_field_is_enum_with_choices) {
  static const char *const bad[] = {"title",  "name,title", "Name",   "name,", ",name",
                                    "-title", "-",          "--name", "- name"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    hg_status_t st;
    hg_sort_spec_t spec = {.n = 42};
    hg_status_clear(&st);
    ck_assert_uint_eq(hg_sort_parse(&name_only, bad[i], arena, &st, &spec), 1);
    ck_assert_uint_eq(spec.n, 42); /* unchanged */
    const hg_violation_t *v = &st.violations[0];
    ck_assert_str_eq(v->field, "sort");
    ck_assert_str_eq(v->rule, "enum");
    ck_assert_str_eq(v->description, "\"sort\" field must contain any of: [name]");
    ck_assert_ptr_nonnull(v->choices);
    ck_assert_str_eq(v->choices[0], "name");
    ck_assert_ptr_null(v->choices[1]);
  }
}
END_TEST

START_TEST(test_sort_bad_direction_and_too_many_keys) {
  hg_status_t st;
  hg_sort_spec_t spec;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_sort_parse(&cfg, "name up", arena, &st, &spec), 1);
  ck_assert_str_eq(st.violations[0].rule, "enum");
  ck_assert_uint_eq(hg_sort_parse(&cfg, "-name desc", arena, &st, &spec), 1);
  ck_assert_str_eq(st.violations[1].rule, "enum");
  ck_assert_str_eq(st.violations[0].choices[0], "asc");
  ck_assert_str_eq(st.violations[0].choices[1], "desc");
  hg_status_clear(&st);
  ck_assert_uint_eq(
      hg_sort_parse(&cfg, "name,name,name,name,name,name,name,name", arena, &st, &spec), 0);
  ck_assert_uint_eq(spec.n, HG_SORT_MAX_KEYS);
  ck_assert_uint_eq(
      hg_sort_parse(&cfg, "name,name,name,name,name,name,name,name,name", arena, &st, &spec), 1);
  ck_assert_str_eq(st.violations[0].rule, "max_items");
  ck_assert_int_eq(st.violations[0].maximum, HG_SORT_MAX_KEYS);
}
END_TEST

typedef struct item {
  const char *name;
  int created;
} item_t;

static int cmp(const void *x, const void *y, int id) {
  const item_t *a = x, *b = y;
  if (id == NAME) return strcmp(a->name, b->name);
  return (a->created > b->created) - (a->created < b->created);
}

START_TEST(test_sort_apply_is_stable_and_multi_key) {
  item_t items[] = {{"b", 1}, {"a", 2}, {"b", 3}, {"a", 4}, {"c", 5}, {"a", 6}};
  void *v[6];
  hg_status_t st;
  hg_sort_spec_t spec;
  for (int i = 0; i < 6; i++) v[i] = &items[i];
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_sort_parse(&cfg, "name", arena, &st, &spec), 0);
  ck_assert_int_eq(hg_sort_apply(&spec, cmp, v, 6, arena), 0);
  static const int asc[] = {2, 4, 6, 1, 3, 5}; /* equal names keep their order */
  for (int i = 0; i < 6; i++) ck_assert_int_eq(((item_t *)v[i])->created, asc[i]);
  ck_assert_uint_eq(hg_sort_parse(&cfg, "name desc, created_at desc", arena, &st, &spec), 0);
  ck_assert_int_eq(hg_sort_apply(&spec, cmp, v, 6, arena), 0);
  static const int desc[] = {5, 3, 1, 6, 4, 2};
  for (int i = 0; i < 6; i++) ck_assert_int_eq(((item_t *)v[i])->created, desc[i]);
  ck_assert_uint_eq(hg_sort_parse(&cfg, "name desc", arena, &st, &spec), 0);
  for (int i = 0; i < 6; i++) v[i] = &items[i];
  ck_assert_int_eq(hg_sort_apply(&spec, cmp, v, 6, arena), 0);
  static const int desc_stable[] = {5, 1, 3, 2, 4, 6}; /* desc keeps ties in input order */
  for (int i = 0; i < 6; i++) ck_assert_int_eq(((item_t *)v[i])->created, desc_stable[i]);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sortspec");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_sort_parse_accepts);
  tcase_add_test(tc, test_sort_unknown_field_is_enum_with_choices);
  tcase_add_test(tc, test_sort_bad_direction_and_too_many_keys);
  tcase_add_test(tc, test_sort_apply_is_stable_and_multi_key);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
