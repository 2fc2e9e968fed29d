/* test_labels.c - common/labels: key and value rules, the count limit, PATCH merges, the
 * `labels=` AND filter, and the protobuf glue (map fields and PATCH Structs). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hangar/products/v1/products.pb-c.h"
#include "common/labels.h"

static const hg_labels_cfg_t cfg = {"labels", 3};
static hg_arena_t *arena;
static void setup(void) { arena = hg_arena_new(); }
static void teardown(void) { hg_arena_free(arena); }

START_TEST(test_label_keys_and_values) {
  static const struct {
    const char *s;
    int key_ok, value_ok;
  } cases[] = {
      {"env", 1, 1},        {"a", 1, 1},       {"", 0, 0},    {"kong-x", 0, 1},   {"KONG", 0, 1},
      {"konnect.io", 0, 1}, {"mesh", 0, 1},    {"kic", 0, 1}, {"_private", 0, 0}, {"k8s", 1, 1},
      {"my key", 1, 0},     {"a-b.c_d", 1, 1}, {"-a", 1, 0},  {"a-", 1, 0},       {"a.", 1, 0},
      {"x:y", 1, 0},        {"ümlaut", 1, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_msg(hg_label_key_valid(cases[i].s) == cases[i].key_ok, "key %s", cases[i].s);
    ck_assert_msg(hg_label_value_valid(cases[i].s) == cases[i].value_ok, "value %s", cases[i].s);
  }
  char long63[64], long64[65];
  memset(long63, 'a', 63);
  long63[63] = '\0';
  memset(long64, 'a', 64);
  long64[64] = '\0';
  ck_assert(hg_label_key_valid(long63) && hg_label_value_valid(long63));
  ck_assert(!hg_label_key_valid(long64) && !hg_label_value_valid(long64));
}
END_TEST

START_TEST(test_labels_check_reports_entries_and_count) {
  hg_label_t items[] = {{"env", "prod"}, {"kong-x", "a"}, {"team", "bad value"}, {"gone", NULL}};
  hg_labels_t l = {items, 4};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_labels_check(&cfg, &l, 1, arena, &st), 3);
  ck_assert_str_eq(st.violations[0].field, "labels.kong-x");
  ck_assert_str_eq(st.violations[0].rule, "is_label");
  ck_assert_str_eq(st.violations[1].field, "labels.team");
  ck_assert_str_eq(st.violations[2].field, "labels");
  ck_assert_str_eq(st.violations[2].rule, "max_items");
  ck_assert_int_eq(st.violations[2].maximum, 3);
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_labels_check(&cfg, &l, 0, arena, &st), 2); /* patches: no count */
}
END_TEST

static void assert_labels(const hg_labels_t *l, const char *const *kv, size_t n) {
  ck_assert_uint_eq(l->n, n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(l->items[i].key, kv[2 * i]);
    ck_assert_str_eq(l->items[i].value, kv[2 * i + 1]);
  }
}

START_TEST(test_labels_merge_patch_semantics) {
  hg_label_t cur_items[] = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  hg_label_t patch_items[] = {{"b", NULL}, {"a", "9"}, {"d", "4"}, {"d", "5"}, {"zz", NULL}};
  hg_labels_t cur = {cur_items, 3}, patch = {patch_items, 5}, out;
  ck_assert_int_eq(hg_labels_merge(&cur, &patch, arena, &out), 0);
  static const char *const want[] = {"a", "9", "c", "3", "d", "5"};
  assert_labels(&out, want, 3);
  ck_assert_str_eq(hg_labels_get(&out, "c"), "3");
  ck_assert_ptr_null(hg_labels_get(&out, "b"));
  hg_labels_t none = {NULL, 0}, same;
  ck_assert_int_eq(hg_labels_merge(&cur, &none, arena, &same), 0);
  static const char *const kept[] = {"a", "1", "b", "2", "c", "3"};
  assert_labels(&same, kept, 3);
}
END_TEST

START_TEST(test_label_query_and_match) {
  hg_label_t items[] = {{"env", "prod"}, {"team", "core"}};
  hg_labels_t l = {items, 2};
  static const struct {
    const char *q;
    size_t terms;
    int match;
  } cases[] = {
      {NULL, 0, 1},        {"", 0, 1},      {"env:prod", 1, 1},      {"env:dev", 1, 0},
      {"env", 1, 1},       {"owner", 1, 0}, {"env:prod,team", 2, 1}, {"env:prod,team:edge", 2, 0},
      {"env,,team", 2, 1}, {"env:", 1, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_label_query_t q;
    ck_assert_int_eq(hg_label_query_parse(cases[i].q, arena, &q), 0);
    ck_assert_uint_eq(q.n, cases[i].terms);
    ck_assert_msg(hg_label_query_match(&q, &l) == cases[i].match, "%s", cases[i].q);
  }
}
END_TEST

START_TEST(test_label_query_terms_capped) {
  static const struct {
    const char *q;
    size_t max, refused;
  } cases[] = {
      {NULL, 2, 0},      {"", 2, 0},
      {"a,b", 2, 0},     {"a,,b,", 2, 0}, /* empty terms ignored */
      {"a,b,c", 2, 1},   {",a,b,c", 2, 1},
      {"a:1,b:2", 1, 1}, {"a:1,,,", 1, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    hg_status_clear(&st);
    ck_assert_msg(hg_label_query_check("labels", cases[i].q, cases[i].max, arena, &st) ==
                      cases[i].refused,
                  "%s", cases[i].q);
    ck_assert_uint_eq(st.n_violations, cases[i].refused);
  }
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_label_query_check("public_labels", "a,b,c", 2, arena, &st), 1);
  ck_assert_str_eq(st.violations[0].field, "public_labels");
  ck_assert_str_eq(st.violations[0].rule, "max_items");
  ck_assert_str_eq(st.violations[0].description, "public_labels must not have more than 2 terms");
  ck_assert_int_eq(st.violations[0].maximum, 2);
}
END_TEST

START_TEST(test_labels_map_round_trip) {
  Hangar__Products__V1__ApiProduct p = HANGAR__PRODUCTS__V1__API_PRODUCT__INIT;
  hg_label_t items[] = {{"env", "test"}, {"tier", "gold"}};
  hg_labels_t in = {items, 2}, out;
  ck_assert_int_eq(hg_labels_to_map(&p.base, "public_labels", &in, arena), 0);
  ck_assert_uint_eq(p.n_public_labels, 2);
  ck_assert_str_eq(p.public_labels[1]->key, "tier");
  ck_assert_int_eq(hg_labels_from_map(&p.base, "public_labels", arena, &out), 0);
  static const char *const want[] = {"env", "test", "tier", "gold"};
  assert_labels(&out, want, 2);
  ck_assert_int_eq(hg_labels_from_map(&p.base, "name", arena, &out), -1); /* not a map */
}
END_TEST

START_TEST(test_labels_from_patch_struct) {
  Google__Protobuf__Value s = GOOGLE__PROTOBUF__VALUE__INIT, n = GOOGLE__PROTOBUF__VALUE__INIT,
                          num = GOOGLE__PROTOBUF__VALUE__INIT;
  s.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
  s.string_value = "prod";
  n.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE;
  num.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
  num.number_value = 3;
  Google__Protobuf__Struct__FieldsEntry e[3] = {GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT,
                                                GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT,
                                                GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT};
  Google__Protobuf__Struct__FieldsEntry *ep[3] = {&e[0], &e[1], &e[2]};
  e[0].key = "env", e[0].value = &s;
  e[1].key = "old", e[1].value = &n;
  e[2].key = "count", e[2].value = &num;
  Google__Protobuf__Struct st_msg = GOOGLE__PROTOBUF__STRUCT__INIT;
  st_msg.fields = ep;
  st_msg.n_fields = 2;
  hg_status_t st;
  hg_labels_t patch;
  hg_status_clear(&st);
  ck_assert_int_eq(hg_labels_from_struct(&cfg, &st_msg, arena, &st, &patch), 0);
  ck_assert_uint_eq(patch.n, 2);
  ck_assert_str_eq(patch.items[0].value, "prod");
  ck_assert_ptr_null(patch.items[1].value);
  st_msg.n_fields = 3;
  ck_assert_int_eq(hg_labels_from_struct(&cfg, &st_msg, arena, &st, &patch), 1);
  ck_assert_str_eq(st.violations[0].field, "labels.count");
  ck_assert_str_eq(st.violations[0].rule, "is_string");
  ck_assert_int_eq(hg_labels_from_struct(&cfg, NULL, arena, &st, &patch), 0);
  ck_assert_uint_eq(patch.n, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("labels");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_label_keys_and_values);
  tcase_add_test(tc, test_labels_check_reports_entries_and_count);
  tcase_add_test(tc, test_labels_merge_patch_semantics);
  tcase_add_test(tc, test_label_query_and_match);
  tcase_add_test(tc, test_label_query_terms_capped);
  tcase_add_test(tc, test_labels_map_round_trip);
  tcase_add_test(tc, test_labels_from_patch_struct);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
