/* test_gateway_dialect_problem.c - the "problem" error dialect (gateway/dialect_problem.c,
 * its row in dialect.c): Konnect's application/problem+json bodies, compared whole. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dialect.h"

#define PR gw_dialect(GW_DIALECT_PROBLEM)
#define TRACE_ABC "kong:trace:7430836138530658123" /* FNV-1a-64("abc") & INT64_MAX */
#define INVALID_HEAD                                                                               \
  "{\"status\":400,\"title\":\"Invalid Request\",\"instance\":\"" TRACE_ABC "\","                  \
  "\"detail\":\"Invalid Parameters\",\"invalid_parameters\":["

static gw_error_t err;
static hg_buf_t body;

static void setup(void) {
  gw_error_init(&err);
  err.request_id = "abc";
}

static void teardown(void) { hg_buf_free(&body); }

/* err rendered as a response of code http. */
static const char *rendered(int http) {
  hg_buf_reset(&body);
  ck_assert_int_eq(gw_dialect_render(PR, &err, http, &body), 0);
  return body.p;
}

/* ---- status, title, instance, detail ------------------------------------------------- */

START_TEST(test_plain_statuses_carry_title_and_message) {
  static const struct {
    hg_code_t code;
    const char *message;
    int http;
    const char *title;
  } cases[] = {
      {HG_UNAUTHENTICATED, "Unauthorized", 401, "Unauthorized"},
      {HG_PERMISSION_DENIED, "You do not have permission to perform this action", 403, "Forbidden"},
      {HG_NOT_FOUND, "Not Found", 404, "Not Found"},
      {HG_ALREADY_EXISTS, "Specification for API product version 'v' already exists", 409,
       "Conflict"},
      {HG_FAILED_PRECONDITION, "Version is in use", 409, "Conflict"},
      {HG_RESOURCE_EXHAUSTED, "Slow down", 429, "Too Many Requests"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char want[512];
    hg_status_set(&err.st, cases[i].code, cases[i].message);
    ck_assert_int_eq(gw_dialect_error_http(PR, &err), cases[i].http);
    snprintf(want, sizeof(want),
             "{\"status\":%d,\"title\":\"%s\",\"instance\":\"" TRACE_ABC "\",\"detail\":\"%s\"}",
             cases[i].http, cases[i].title, cases[i].message);
    ck_assert_str_eq(rendered(cases[i].http), want);
  }
}
END_TEST

START_TEST(test_titles_follow_the_spec_spelling) {
  static const struct {
    int http;
    const char *title;
  } cases[] = {
      {405, "Method Not Allowed"},     {412, "Precondition Failed"}, {413, "Content Too Large"},
      {415, "Unsupported Media Type"}, {501, "Not Implemented"},     {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char want[128];
    hg_status_set(&err.st, HG_UNKNOWN, "m");
    snprintf(want, sizeof(want), "{\"status\":%d,\"title\":\"%s\",", cases[i].http, cases[i].title);
    ck_assert_msg(strncmp(rendered(cases[i].http), want, strlen(want)) == 0, "%s", body.p);
  }
}
END_TEST

START_TEST(test_unlisted_codes_get_a_generic_title) {
  hg_status_set(&err.st, HG_UNKNOWN, "m");
  ck_assert_str_eq(rendered(418), "{\"status\":418,\"title\":\"Error\",\"instance\":\"" TRACE_ABC
                                  "\",\"detail\":\"m\"}");
  ck_assert_ptr_nonnull(strstr(rendered(502), "\"title\":\"Internal Server Error\""));
}
END_TEST

START_TEST(test_instance_is_a_stable_trace_of_the_request_id) {
  hg_status_set(&err.st, HG_NOT_FOUND, "Not Found");
  char first[256];
  snprintf(first, sizeof(first), "%s", rendered(404));
  ck_assert_str_eq(rendered(404), first);
  ck_assert_ptr_nonnull(strstr(first, "\"instance\":\"" TRACE_ABC "\""));
  err.request_id = "abd";
  ck_assert_str_ne(rendered(404), first);
  err.request_id = NULL;
  ck_assert_ptr_nonnull(strstr(rendered(404), "\"instance\":\"kong:trace:0\""));
}
END_TEST

START_TEST(test_5xx_uses_own_texts_never_the_cause) {
  hg_status_set(&err.st, HG_INTERNAL, "store: MDB_MAP_FULL at /var/lib/x");
  err.request_id = NULL;
  ck_assert_str_eq(rendered(500),
                   "{\"status\":500,\"title\":\"Internal Server Error\",\"instance\":"
                   "\"kong:trace:0\",\"detail\":\"Internal Server Error\"}");
  hg_status_set(&err.st, HG_UNAVAILABLE, "connect: /tmp/x.sock refused");
  ck_assert_ptr_nonnull(strstr(rendered(503), "\"detail\":\"Service Unavailable\"}"));
}
END_TEST

START_TEST(test_message_is_json_escaped) {
  hg_status_set(&err.st, HG_NOT_FOUND, "no \"x\"\n");
  ck_assert_str_eq(rendered(404),
                   "{\"status\":404,\"title\":\"Not Found\",\"instance\":\"" TRACE_ABC
                   "\",\"detail\":\"no \\\"x\\\"\\n\"}");
}
END_TEST

START_TEST(test_dialect_row_content_type_and_texts) {
  ck_assert_str_eq(PR->content_type, "application/problem+json");
  for (int t = 0; t < GW_N_TEXTS; t++) ck_assert_ptr_nonnull(PR->texts[t]);
  ck_assert_str_eq(gw_dialect_text(PR, GW_TEXT_BAD_QUERY), "Invalid Parameters");
}
END_TEST

START_TEST(test_media_type_rule_is_415) {
  hg_status_set(&err.st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_status_violation(&err.st, "", "media_type", "unsupported");
  ck_assert_int_eq(gw_dialect_error_http(PR, &err), 415);
}
END_TEST

/* ---- invalid_parameters ---------------------------------------------------------------- */

START_TEST(test_violation_extras_minimum_maximum_choices) {
  static const char *const choices[] = {"name", "created_at", NULL};
  hg_status_set(&err.st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_violation_minimum(hg_status_violation(&err.st, "name", "min_length",
                                           "name must be longer than or equal to 1 characters"),
                       1);
  hg_violation_maximum(hg_status_violation(&err.st, "labels", "max_items", "too many"), 50);
  hg_violation_choices(hg_status_violation(&err.st, "sort", "enum", "bad \"sort\""), choices);
  ck_assert_str_eq(rendered(400), INVALID_HEAD
                   "{\"field\":\"name\",\"rule\":\"min_length\",\"minimum\":1,\"reason\":"
                   "\"name must be longer than or equal to 1 characters\"},"
                   "{\"field\":\"labels\",\"rule\":\"max_items\",\"maximum\":50,\"reason\":"
                   "\"too many\"},"
                   "{\"field\":\"sort\",\"rule\":\"enum\",\"choices\":[\"name\",\"created_at\"],"
                   "\"reason\":\"bad \\\"sort\\\"\"}]}");
}
END_TEST

/* Rules the gateway finds are worded as products-svc words its own. */
START_TEST(test_gateway_rules_in_konnect_words) {
  hg_status_set(&err.st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_status_violation(&err.st, "colour", "unknown_property", "unknown field \"colour\"");
  hg_status_violation(&err.st, "slug", "is_string", "expected a string");
  hg_status_violation(&err.st, "n", "is_integer", "expected an integer");
  ck_assert_str_eq(rendered(400),
                   INVALID_HEAD "{\"field\":\"colour\",\"rule\":\"unknown_property\",\"reason\":"
                                "\"colour is an unknown property\"},"
                                "{\"field\":\"slug\",\"rule\":\"is_string\",\"reason\":"
                                "\"slug must be a string\"},"
                                "{\"field\":\"n\",\"rule\":\"is_integer\",\"reason\":"
                                "\"n must be an integer\"}]}");
}
END_TEST

/* Rules Konnect does not list are "invalid", with the transcoder's sentence. */
START_TEST(test_unlisted_rules_are_invalid_with_their_sentence) {
  hg_status_set(&err.st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_status_violation(&err.st, "", "json_syntax", "unexpected token");
  hg_status_violation(&err.st, "name", "utf8", "must be valid UTF-8");
  hg_status_violation(&err.st, "x", NULL, "free text");
  hg_status_violation(&err.st, "y", "custom", NULL);
  ck_assert_str_eq(rendered(400), INVALID_HEAD
                   "{\"field\":\"body\",\"rule\":\"invalid\",\"reason\":\"unexpected token\"},"
                   "{\"field\":\"name\",\"rule\":\"invalid\",\"reason\":"
                   "\"must be valid UTF-8\"},"
                   "{\"field\":\"x\",\"reason\":\"free text\"},"
                   "{\"field\":\"y\",\"rule\":\"custom\",\"reason\":\"invalid value\"}]}");
}
END_TEST

START_TEST(test_400_without_violations_still_lists_the_body) {
  hg_status_set(&err.st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  ck_assert_str_eq(rendered(400), INVALID_HEAD "{\"field\":\"body\",\"rule\":\"invalid\","
                                               "\"reason\":\"Invalid Parameters\"}]}");
}
END_TEST

START_TEST(test_invalid_parameters_only_on_400) {
  hg_status_set(&err.st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_status_violation(&err.st, "", "media_type", "unsupported");
  ck_assert_ptr_null(strstr(rendered(415), "invalid_parameters"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("gateway_dialect_problem");
  TCase *tc = tcase_create("render");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_plain_statuses_carry_title_and_message);
  tcase_add_test(tc, test_titles_follow_the_spec_spelling);
  tcase_add_test(tc, test_unlisted_codes_get_a_generic_title);
  tcase_add_test(tc, test_instance_is_a_stable_trace_of_the_request_id);
  tcase_add_test(tc, test_5xx_uses_own_texts_never_the_cause);
  tcase_add_test(tc, test_message_is_json_escaped);
  tcase_add_test(tc, test_dialect_row_content_type_and_texts);
  tcase_add_test(tc, test_media_type_rule_is_415);
  tcase_add_test(tc, test_violation_extras_minimum_maximum_choices);
  tcase_add_test(tc, test_gateway_rules_in_konnect_words);
  tcase_add_test(tc, test_unlisted_rules_are_invalid_with_their_sentence);
  tcase_add_test(tc, test_400_without_violations_still_lists_the_body);
  tcase_add_test(tc, test_invalid_parameters_only_on_400);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
