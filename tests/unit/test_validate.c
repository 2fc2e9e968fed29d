/* test_validate.c - common/validate: each rule kind, presence (oneof, plain string, wrapper
 * message), create and PATCH modes, per-surface texts with their templates and extras,
 * several violations listed at once, one per field, prefixed field paths; and DNS labels. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "common/reflect.h"
#include "common/validate.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "hangar/resources/v1/wrappers.pb-c.h"

typedef Hangar__Resources__V1__CreateResourceRequest create_t;
typedef Hangar__Resources__V1__PatchWrapperResourceRequest patch_t;

static hg_arena_t *arena;
static void setup(void) { arena = hg_arena_new(); }
static void teardown(void) { hg_arena_free(arena); }

static const char *const kinds[] = {"a", "b", NULL};
static int is_even_length(const char *v) { return strlen(v) % 2 == 0; }

START_TEST(test_dns_label_rules) {
  const char *good[] = {"a", "my-graph-db", "a1", "x0-9"};
  const char *bad[] = {"", "-a", "a-", "A", "1a", "a_b", "a.b", "my graph"};
  for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
    ck_assert_msg(hg_name_is_dns_label(good[i], strlen(good[i])), "%s", good[i]);
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
    ck_assert_msg(!hg_name_is_dns_label(bad[i], strlen(bad[i])), "%s", bad[i]);
  char label[65];
  memset(label, 'a', 64);
  label[64] = '\0';
  ck_assert(!hg_name_is_dns_label(label, 64));
  ck_assert(hg_name_is_dns_label(label, 63));
}
END_TEST

START_TEST(test_each_rule_kind) {
  static const struct {
    hg_rule_t rule;
    const char *value;
    int valid;
  } cases[] = {
      {{.kind = HG_RULE_PRESENT}, "", 1},
      {{.kind = HG_RULE_LENGTH, .min = 1, .max = 3}, "\xc3\xa9\xc3\xa9\xc3\xa9", 1}, /* chars */
      {{.kind = HG_RULE_LENGTH, .min = 1, .max = 3}, "abcd", 0},
      {{.kind = HG_RULE_LENGTH, .min = 1, .max = 3}, "", 0},
      {{.kind = HG_RULE_TEXT, .min = 1, .max = 4}, "a b", 1},
      {{.kind = HG_RULE_TEXT, .min = 1, .max = 4}, "a\tb", 0},
      {{.kind = HG_RULE_TEXT, .min = 1, .max = 4}, "\xc3\xa9\xc3\xa9\xc3\xa9", 0}, /* bytes */
      {{.kind = HG_RULE_CHARSET, .min = 1, .max = 3, .charset = "ab"}, "aba", 1},
      {{.kind = HG_RULE_CHARSET, .min = 1, .max = 3, .charset = "ab"}, "abc", 0},
      {{.kind = HG_RULE_CHARSET, .min = 1, .max = 3, .charset = "ab"}, "abab", 0},
      {{.kind = HG_RULE_ONE_OF, .choices = kinds}, "b", 1},
      {{.kind = HG_RULE_ONE_OF, .choices = kinds}, "c", 0},
      {{.kind = HG_RULE_DNS_LABEL}, "my-db", 1},
      {{.kind = HG_RULE_DNS_LABEL}, "My_db", 0},
      {{.kind = HG_RULE_UUID}, "4a1f6e58-7b7d-4d5f-9a8e-0e1c2b3a4d5f", 1},
      {{.kind = HG_RULE_UUID}, "4a1f6e58", 0},
      {{.kind = HG_RULE_OBJECTID}, "507f1f77bcf86cd799439011", 1},
      {{.kind = HG_RULE_OBJECTID}, "507f1f77bcf86cd79943901", 0},
      {{.kind = HG_RULE_RFC3339}, "2025-01-15T14:30:00.5+02:00", 1},
      {{.kind = HG_RULE_RFC3339}, "2025-02-30T00:00:00Z", 0}, /* strict */
      {{.kind = HG_RULE_RFC3339}, "1969-12-31T23:59:59Z", 0}, /* before the epoch */
      {{.kind = HG_RULE_BASE64}, "TWE=", 1},
      {{.kind = HG_RULE_BASE64}, "TWE", 0},
      {{.kind = HG_RULE_PREDICATE, .valid = is_even_length}, "ab", 1},
      {{.kind = HG_RULE_PREDICATE, .valid = is_even_length}, "abc", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(hg_rule_valid(&cases[i].rule, cases[i].value) == cases[i].valid, "case %zu", i);
}
END_TEST

START_TEST(test_field_string_reads_presence) {
  create_t c = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  ck_assert_ptr_null(hg_field_string(&c.base, "name")); /* plain "": absent */
  ck_assert_ptr_null(hg_field_string(&c.base, "sku"));  /* oneof unset */
  ck_assert_ptr_null(hg_field_string(&c.base, "settings_json"));
  ck_assert_ptr_null(hg_field_string(&c.base, "no_such_field"));
  c._sku_case = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU;
  c.sku = "";
  ck_assert_str_eq(hg_field_string(&c.base, "sku"), ""); /* oneof set to "": present */
  Hangar__Json__V1__RawObject raw = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  raw.json = "{}";
  c.settings_json = &raw;
  ck_assert_str_eq(hg_field_string(&c.base, "settings_json"), "{}"); /* wrapper message */
}
END_TEST

static int json_object_text(const char *v) { return !*v || v[0] == '{'; }

static const hg_rule_t create_rows[] = {
    {.field = "id", .kind = HG_RULE_DNS_LABEL, .flags = HG_RULE_REQUIRED, .text = "dns"},
    {.field = "name", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .max = 3, .text = "1-3"},
    {.field = "type",
     .kind = HG_RULE_ONE_OF,
     .flags = HG_RULE_REQUIRED,
     .choices = kinds,
     .text = "a or b"},
    {.field = "sku", .kind = HG_RULE_ONE_OF, .choices = kinds, .text = "sku a or b"},
    {.field = "settings_json",
     .kind = HG_RULE_PREDICATE,
     .flags = HG_RULE_NULLABLE,
     .valid = json_object_text,
     .text = "object"},
};
static const hg_rules_t create_rules = HG_RULES(&hg_rule_texts_described, create_rows);

START_TEST(test_create_lists_every_violation_in_table_order) {
  create_t c = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  Hangar__Json__V1__RawObject raw = HANGAR__JSON__V1__RAW_OBJECT__INIT;
  raw.json = "[1]";
  c.id = "Bad_Id";
  c.type = "c";
  c._sku_case = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU;
  c.sku = "";
  c.settings_json = &raw;
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&create_rules, &c.base, NULL, arena, &st), 5);
  static const char *const want[][3] = {
      {"id", "invalid", "dns"},
      {"name", "required", "is required"},
      {"type", "invalid", "a or b"},
      {"sku", "invalid", "sku a or b"},
      {"settings_json", "invalid", "object"},
  };
  for (size_t i = 0; i < 5; i++) {
    ck_assert_str_eq(st.violations[i].field, want[i][0]);
    ck_assert_str_eq(st.violations[i].rule, want[i][1]);
    ck_assert_str_eq(st.violations[i].description, want[i][2]);
    ck_assert(!hg_violation_has_extras(&st.violations[i]));
  }
}
END_TEST

START_TEST(test_create_absent_optional_passes) {
  create_t c = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  c.id = "ok";
  c.name = "abc";
  c.type = "a";
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&create_rules, &c.base, NULL, arena, &st), 0);
  ck_assert_uint_eq(st.n_violations, 0);
}
END_TEST

/* ---- PATCH and the FastAPI words -------------------------------------------------------- */

static const hg_rule_texts_t fastapi = {{
    [HG_BREAK_REQUIRED] = {"required", "field required", HG_EXTRA_NONE},
    [HG_BREAK_NULL] = {"not_null", "none is not an allowed value", HG_EXTRA_NONE},
    [HG_BREAK_INVALID] = {"invalid", "{text}", HG_EXTRA_NONE},
    [HG_BREAK_DATETIME] = {"datetime", "invalid datetime format", HG_EXTRA_NONE},
}};
static const hg_rule_t patch_rows[] = {
    {.field = "name", .kind = HG_RULE_PRESENT, .flags = HG_RULE_REQUIRED},
    {.field = "type", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .max = 2, .text = "short"},
    {.field = "startPeriod", .kind = HG_RULE_RFC3339, .flags = HG_RULE_NULLABLE},
    {.field = "endPeriod", .kind = HG_RULE_RFC3339, .flags = HG_RULE_NULLABLE},
};
static const hg_rules_t patch_rules = HG_RULES(&fastapi, patch_rows);

static Google__Protobuf__FieldMask mask_of(char **paths, size_t n) {
  Google__Protobuf__FieldMask m = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
  m.paths = paths;
  m.n_paths = n;
  return m;
}

START_TEST(test_patch_checks_only_named_fields) {
  patch_t p = HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST__INIT;
  Google__Protobuf__StringValue start = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  start.value = "yesterday";
  p.startperiod = &start;
  p._type_case = HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST___TYPE_TYPE;
  p.type = "long";
  char *paths[] = {"name", "startPeriod", "endPeriod"};
  Google__Protobuf__FieldMask mask = mask_of(paths, 3);
  hg_rules_scope_t scope = {HG_RULES_PATCH, &mask, NULL};
  hg_status_t st;
  hg_status_clear(&st);
  /* name: null; type: not named, so not checked; startPeriod: no timestamp; endPeriod: null
   * is allowed (it clears the period). */
  ck_assert_uint_eq(hg_rules_check(&patch_rules, &p.base, &scope, arena, &st), 2);
  ck_assert_str_eq(st.violations[0].field, "name");
  ck_assert_str_eq(st.violations[0].rule, "not_null");
  ck_assert_str_eq(st.violations[0].description, "none is not an allowed value");
  ck_assert_str_eq(st.violations[1].field, "startPeriod");
  ck_assert_str_eq(st.violations[1].rule, "datetime");
  ck_assert_str_eq(st.violations[1].description, "invalid datetime format");
}
END_TEST

START_TEST(test_patch_without_mask_checks_nothing) {
  patch_t p = HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST__INIT;
  hg_rules_scope_t scope = {HG_RULES_PATCH, NULL, NULL};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&patch_rules, &p.base, &scope, arena, &st), 0);
}
END_TEST

/* On a create, an absent required field the body named (sent as null) is "null". */
START_TEST(test_create_tells_null_from_absent_by_mask) {
  patch_t p = HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST__INIT;
  char *paths[] = {"type"};
  Google__Protobuf__FieldMask mask = mask_of(paths, 1);
  hg_rules_scope_t scope = {HG_RULES_CREATE, &mask, NULL};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&patch_rules, &p.base, &scope, arena, &st), 2);
  ck_assert_str_eq(st.violations[0].rule, "required");
  ck_assert_str_eq(st.violations[0].description, "field required");
  ck_assert_str_eq(st.violations[1].field, "type");
  ck_assert_str_eq(st.violations[1].rule, "not_null");
}
END_TEST

/* ---- templates, extras, one violation per field, prefixes ------------------------------- */

static const hg_rule_texts_t konnect = {{
    [HG_BREAK_REQUIRED] = {"required", "is a required field", HG_EXTRA_NONE},
    [HG_BREAK_NULL] = {"is_string", "{field} must be a string", HG_EXTRA_NONE},
    [HG_BREAK_INVALID] = {"invalid", "{field} is invalid", HG_EXTRA_NONE},
    [HG_BREAK_TOO_SHORT] = {"min_length",
                            "{field} must be longer than or equal to {min} characters",
                            HG_EXTRA_MIN},
    [HG_BREAK_TOO_LONG] = {"max_length",
                           "{field} must be shorter than or equal to {max} characters",
                           HG_EXTRA_MAX},
    [HG_BREAK_ENUM] = {"enum", "{field} must be one of the following values: {choices}",
                       HG_EXTRA_CHOICES},
    [HG_BREAK_PATTERN] = {"matches_regex", "{field} must match /{text}/ regular expression",
                          HG_EXTRA_NONE},
}};
static const hg_rule_t konnect_rows[] = {
    {.field = "id", .kind = HG_RULE_LENGTH, .min = 2, .max = 4},
    {.field = "id", .kind = HG_RULE_PREDICATE, .valid = is_even_length, .text = "^(..)+$"},
    {.field = "name", .kind = HG_RULE_LENGTH, .min = 2, .max = 4},
    {.field = "type", .kind = HG_RULE_ONE_OF, .choices = kinds},
    {.field = "sku", .kind = HG_RULE_DNS_LABEL, .text = "^[a-z]$"},
};
static const hg_rules_t konnect_rules = HG_RULES(&konnect, konnect_rows);

START_TEST(test_templates_fill_and_extras_follow_the_texts) {
  create_t c = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  c.id = "abc"; /* keeps the length row, breaks the pattern row */
  c.name = "abcde";
  c.type = "z";
  c._sku_case = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU;
  c.sku = "";
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&konnect_rules, &c.base, NULL, arena, &st), 4);
  ck_assert_str_eq(st.violations[0].rule, "matches_regex");
  ck_assert_str_eq(st.violations[0].description, "id must match /^(..)+$/ regular expression");
  ck_assert_str_eq(st.violations[1].rule, "max_length");
  ck_assert_str_eq(st.violations[1].description,
                   "name must be shorter than or equal to 4 characters");
  ck_assert(st.violations[1].has_maximum && st.violations[1].maximum == 4);
  ck_assert(!st.violations[1].has_minimum);
  ck_assert_str_eq(st.violations[2].rule, "enum");
  ck_assert_str_eq(st.violations[2].description, "type must be one of the following values: a, b");
  ck_assert_ptr_eq(st.violations[2].choices, kinds);
  ck_assert_str_eq(st.violations[3].field, "sku");
  ck_assert_str_eq(st.violations[3].rule, "matches_regex");
}
END_TEST

START_TEST(test_only_the_first_broken_rule_of_a_field) {
  create_t c = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  c.id = "a"; /* too short, and odd */
  c.name = "ab";
  c.type = "a";
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&konnect_rules, &c.base, NULL, arena, &st), 1);
  ck_assert_str_eq(st.violations[0].rule, "min_length");
  ck_assert_str_eq(st.violations[0].description, "id must be longer than or equal to 2 characters");
  ck_assert(st.violations[0].has_minimum && st.violations[0].minimum == 2);
}
END_TEST

START_TEST(test_prefix_names_the_nested_field) {
  create_t c = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  hg_rules_scope_t at = {HG_RULES_CREATE, NULL, "items[3]."};
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_rules_check(&create_rules, &c.base, &at, arena, &st), 3);
  ck_assert_str_eq(st.violations[0].field, "items[3].id");
  ck_assert_str_eq(st.violations[2].field, "items[3].type");
}
END_TEST

START_TEST(test_violate_words_one_break) {
  hg_status_t st;
  hg_status_clear(&st);
  hg_rule_t row = {.min = 7};
  hg_rule_violate(&konnect, HG_BREAK_NULL, NULL, "title", arena, &st);
  hg_rule_violate(&konnect, HG_BREAK_TOO_SHORT, &row, "slug", arena, &st);
  hg_rule_violate(&konnect, HG_BREAK_UUID, NULL, "parent", arena, &st); /* unset: INVALID */
  ck_assert_str_eq(st.violations[0].description, "title must be a string");
  ck_assert_str_eq(st.violations[1].description,
                   "slug must be longer than or equal to 7 characters");
  ck_assert_int_eq(st.violations[1].minimum, 7);
  ck_assert_str_eq(st.violations[2].rule, "invalid");
  ck_assert_str_eq(st.violations[2].description, "parent is invalid");
}
END_TEST

int main(void) {
  Suite *s = suite_create("validate");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_dns_label_rules);
  tcase_add_test(tc, test_each_rule_kind);
  tcase_add_test(tc, test_field_string_reads_presence);
  tcase_add_test(tc, test_create_lists_every_violation_in_table_order);
  tcase_add_test(tc, test_create_absent_optional_passes);
  tcase_add_test(tc, test_patch_checks_only_named_fields);
  tcase_add_test(tc, test_patch_without_mask_checks_nothing);
  tcase_add_test(tc, test_create_tells_null_from_absent_by_mask);
  tcase_add_test(tc, test_templates_fill_and_extras_follow_the_texts);
  tcase_add_test(tc, test_only_the_first_broken_rule_of_a_field);
  tcase_add_test(tc, test_prefix_names_the_nested_field);
  tcase_add_test(tc, test_violate_words_one_break);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
