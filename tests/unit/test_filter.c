/* test_filter.c - common/filter: op matching, terms read from a filter message (the Konnect
 * version filter: name and publish_status are string filters, gateway_service_id a uuid
 * filter), and AND matching. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/filter.h"
#include "hangar/products/v1/products.pb-c.h"

typedef Hangar__Products__V1__ApiProductVersionFilter vfilter_t;
typedef Hangar__Products__V1__StringFieldFilter sfilter_t;
typedef Hangar__Products__V1__UuidFieldFilter ufilter_t;

enum { NAME, STATUS, GSID };
static const hg_filter_field_t fields[] = {
    {"name", NAME, HG_FILTER_OPS_STRING},
    {"publish_status", STATUS, HG_FILTER_OPS_STRING},
    {"gateway_service_id", GSID, HG_FILTER_OPS_UUID},
};
static const hg_filter_cfg_t cfg = {"filter", fields, 3};

static hg_arena_t *arena;
static void setup(void) { arena = hg_arena_new(); }
static void teardown(void) { hg_arena_free(arena); }

START_TEST(test_filter_ops_table) {
  static const struct {
    const char *op, *value, *actual;
    int match;
  } cases[] = {
      {"eq", "v1", "v1", 1},
      {"eq", "v1", "V1", 0},
      {"eq", "v1", "v10", 0},
      {"eq", "", "", 1},
      {"neq", "v1", "v2", 1},
      {"neq", "v1", "v1", 0},
      {"oeq", "v1,v2", "v2", 1},
      {"oeq", "v1,v2", "v3", 0},
      {"oeq", "v1,v2", "v1,v2", 0},
      {"oeq", "a,,b", "", 1},
      {"contains", "API", "my api product", 1},
      {"contains", "prod", "API", 0},
      {"contains", "", "anything", 1},
      {"ocontains", "foo,API", "my api", 1},
      {"ocontains", "foo,bar", "my api", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int op = hg_filter_op_parse(cases[i].op);
    ck_assert_int_ge(op, 0);
    ck_assert_str_eq(hg_filter_op_name((hg_filter_op_t)op), cases[i].op);
    ck_assert_msg(hg_filter_op_match((hg_filter_op_t)op, cases[i].value, cases[i].actual) ==
                      cases[i].match,
                  "%s %s %s", cases[i].op, cases[i].value, cases[i].actual);
  }
  ck_assert_int_eq(hg_filter_op_parse("like"), -1);
  ck_assert_int_eq(hg_filter_op_parse(NULL), -1);
}
END_TEST

typedef struct version {
  const char *name, *status, *gsid;
} version_t;

static const char *attr(const void *item, int id) {
  const version_t *v = item;
  return id == NAME ? v->name : id == STATUS ? v->status : v->gsid;
}

START_TEST(test_filter_from_message_and_match) {
  vfilter_t f = HANGAR__PRODUCTS__V1__API_PRODUCT_VERSION_FILTER__INIT;
  sfilter_t name = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER__INIT;
  sfilter_t status = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER__INIT;
  name._contains_case = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___CONTAINS_CONTAINS;
  name.contains = "beta";
  name._neq_case = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___NEQ_NEQ;
  name.neq = "v2-beta";
  status._eq_case = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___EQ_EQ;
  status.eq = "published";
  f.name = &name;
  f.publish_status = &status;
  hg_status_t st;
  hg_filter_t out;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_filter_from_message(&cfg, &f.base, arena, &st, &out), 0);
  ck_assert_uint_eq(out.n, 3);
  static const struct {
    version_t v;
    int match;
  } items[] = {
      {{"v1-beta", "published", ""}, 1},   {{"v2-beta", "published", ""}, 0}, /* neq */
      {{"v1-BETA", "published", ""}, 1}, /* contains ignores case */
      {{"v1-beta", "unpublished", ""}, 0}, {{"v1", "published", ""}, 0},
  };
  for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
    ck_assert_int_eq(hg_filter_match(&out, attr, &items[i].v), items[i].match);
  hg_filter_t none;
  ck_assert_uint_eq(hg_filter_from_message(&cfg, NULL, arena, &st, &none), 0);
  ck_assert_uint_eq(none.n, 0);
  ck_assert_int_eq(hg_filter_match(&none, attr, &items[1].v), 1);
}
END_TEST

START_TEST(test_filter_op_not_allowed_for_field) {
  /* A uuid field offering only eq: its allowed-ops table refuses oeq. */
  static const hg_filter_field_t eq_only[] = {{"gateway_service_id", GSID, 1u << HG_FILTER_EQ}};
  static const hg_filter_cfg_t strict = {"filter", eq_only, 1};
  vfilter_t f = HANGAR__PRODUCTS__V1__API_PRODUCT_VERSION_FILTER__INIT;
  ufilter_t g = HANGAR__PRODUCTS__V1__UUID_FIELD_FILTER__INIT;
  g._oeq_case = HANGAR__PRODUCTS__V1__UUID_FIELD_FILTER___OEQ_OEQ;
  g.oeq = "a,b";
  f.gateway_service_id = &g;
  hg_status_t st;
  hg_filter_t out = {.n = 9};
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_filter_from_message(&strict, &f.base, arena, &st, &out), 1);
  ck_assert_uint_eq(out.n, 9);
  ck_assert_str_eq(st.violations[0].field, "filter[gateway_service_id][oeq]");
  ck_assert_str_eq(st.violations[0].rule, "enum");
  ck_assert_str_eq(st.violations[0].choices[0], "eq");
  ck_assert_ptr_null(st.violations[0].choices[1]);
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_filter_from_message(&cfg, &f.base, arena, &st, &out), 0);
  ck_assert_uint_eq(out.n, 1);
  ck_assert_int_eq(out.terms[0].op, HG_FILTER_OEQ);
  version_t v = {"x", "y", "b"};
  ck_assert(hg_filter_match(&out, attr, &v));
}
END_TEST

START_TEST(test_filter_values_per_term_capped) {
  vfilter_t f = HANGAR__PRODUCTS__V1__API_PRODUCT_VERSION_FILTER__INIT;
  sfilter_t name = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER__INIT;
  char list[200];
  size_t n = 0;
  for (int i = 0; i < 50; i++)
    n += (size_t)snprintf(list + n, sizeof(list) - n, "%sv", i ? "," : "");
  name._ocontains_case = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___OCONTAINS_OCONTAINS;
  name.ocontains = list;
  f.name = &name;
  hg_status_t st;
  hg_filter_t out = {.n = 9};
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_filter_from_message(&cfg, &f.base, arena, &st, &out), 0); /* 50 values */
  ck_assert_uint_eq(out.n, 1);
  snprintf(list + n, sizeof(list) - n, ",w"); /* 51 */
  out.n = 9;
  ck_assert_uint_eq(hg_filter_from_message(&cfg, &f.base, arena, &st, &out), 1);
  ck_assert_uint_eq(out.n, 9);
  ck_assert_str_eq(st.violations[0].field, "filter[name][ocontains]");
  ck_assert_str_eq(st.violations[0].rule, "max_items");
  ck_assert_str_eq(st.violations[0].description,
                   "filter[name][ocontains] must not have more than 50 values");
  ck_assert_int_eq(st.violations[0].maximum, 50);
  name._ocontains_case = 0; /* oeq too; eq and contains take one value, commas and all */
  name._oeq_case = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___OEQ_OEQ;
  name.oeq = list;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_filter_from_message(&cfg, &f.base, arena, &st, &out), 1);
  ck_assert_str_eq(st.violations[0].field, "filter[name][oeq]");
  name._oeq_case = 0;
  name._contains_case = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___CONTAINS_CONTAINS;
  name.contains = list;
  hg_status_clear(&st);
  ck_assert_uint_eq(hg_filter_from_message(&cfg, &f.base, arena, &st, &out), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("filter");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_filter_ops_table);
  tcase_add_test(tc, test_filter_from_message_and_match);
  tcase_add_test(tc, test_filter_op_not_allowed_for_field);
  tcase_add_test(tc, test_filter_values_per_term_capped);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
