/* test_transcode_errors.c - common/json error reporting: every field-level error of a body
 * (tc_decode_all) in body order and capped, problems with the text as a whole kept single,
 * and a body the JSON parser refuses reported in the transcoder's words (json_parse.c),
 * naming the key or value when the refusal is about one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/products/v1/products.pb-c.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "json/transcode.h"

#define CREATE_REQ (&hangar__resources__v1__create_resource_request__descriptor)
#define TOKEN_REQ (&hangar__auth__v1__create_token_request__descriptor)
#define PRODUCT_REQ (&hangar__products__v1__create_api_product_request__descriptor)
#define MAX_ERRS 16

static hg_arena_t *arena;
static tc_error_t errs[MAX_ERRS];
static size_t n_errs;

static void setup(void) {
  arena = hg_arena_new();
  ck_assert_ptr_nonnull(arena);
  memset(errs, 0, sizeof(errs));
  n_errs = 99;
}

static void teardown(void) { hg_arena_free(arena); }

static int decode_max(const ProtobufCMessageDescriptor *d, const char *json, size_t max,
                      const tc_opts_t *opts) {
  ProtobufCMessage *m = tc_message_new(d, arena);
  ck_assert_ptr_nonnull(m);
  return tc_decode_all(m, json, strlen(json), opts, arena, errs, max, &n_errs);
}

static int decode_all(const ProtobufCMessageDescriptor *d, const char *json) {
  return decode_max(d, json, MAX_ERRS, NULL);
}

/* errs[i] is code at field. */
static void assert_err(size_t i, int code, const char *field) {
  ck_assert_msg(i < n_errs, "only %zu errors, wanted #%zu", n_errs, i);
  ck_assert_msg(errs[i].code == code, "#%zu: got %s (%s), want %s", i, tc_err_name(errs[i].code),
                errs[i].reason, tc_err_name(code));
  ck_assert_str_eq(errs[i].field, field);
}

/* ---- every field-level error ------------------------------------------------------------ */

START_TEST(test_every_field_error_in_body_order) {
  ck_assert_int_eq(decode_all(CREATE_REQ, "{\"name\":5,\"id\":\"ok\",\"type\":[],\"foo\":1,"
                                          "\"sku\":true}"),
                   TC_ETYPE);
  ck_assert_uint_eq(n_errs, 4);
  assert_err(0, TC_ETYPE, "name");
  ck_assert_str_eq(errs[0].expected, "string");
  assert_err(1, TC_ETYPE, "type");
  assert_err(2, TC_EUNKNOWN_FIELD, "foo");
  assert_err(3, TC_ETYPE, "sku");
}
END_TEST

START_TEST(test_nested_values_elements_and_map_entries) {
  ck_assert_int_eq(decode_all(TOKEN_REQ, "{\"bindings\":[{\"role\":1},{\"scope\":\"s\"},"
                                         "{\"rol\":\"x\",\"scope\":2}],\"ttl_seconds\":\"x\"}"),
                   TC_ETYPE);
  ck_assert_uint_eq(n_errs, 4);
  assert_err(0, TC_ETYPE, "bindings[0].role");
  assert_err(1, TC_EUNKNOWN_FIELD, "bindings[2].rol");
  assert_err(2, TC_ETYPE, "bindings[2].scope");
  assert_err(3, TC_ETYPE, "ttl_seconds");
  ck_assert_int_eq(decode_all(PRODUCT_REQ, "{\"labels\":{\"a\":1,\"b\":\"ok\",\"c\":[]},"
                                           "\"portal_ids\":[\"x\",5,null],\"description\":7}"),
                   TC_ETYPE);
  ck_assert_uint_eq(n_errs, 5);
  assert_err(0, TC_ETYPE, "labels.a");
  assert_err(1, TC_ETYPE, "labels.c");
  assert_err(2, TC_ETYPE, "portal_ids[1]");
  assert_err(3, TC_ETYPE, "portal_ids[2]");
  assert_err(4, TC_ETYPE, "description");
}
END_TEST

START_TEST(test_list_is_capped) {
  char body[512] = "{";
  for (int i = 0; i < 20; i++) {
    size_t k = strlen(body);
    snprintf(body + k, sizeof(body) - k, "%s\"k%02d\":1", i ? "," : "", i);
  }
  strcat(body, "}");
  ck_assert_int_eq(decode_all(CREATE_REQ, body), TC_EUNKNOWN_FIELD);
  ck_assert_uint_eq(n_errs, MAX_ERRS);
  assert_err(0, TC_EUNKNOWN_FIELD, "k00");
  assert_err(MAX_ERRS - 1, TC_EUNKNOWN_FIELD, "k15");
  /* Full inside a nested object: nothing after it, and nothing counted twice. */
  ck_assert_int_eq(decode_max(TOKEN_REQ,
                              "{\"bindings\":[{\"role\":1,\"scope\":2,\"x\":3}],"
                              "\"kind\":4}",
                              2, NULL),
                   TC_ETYPE);
  ck_assert_uint_eq(n_errs, 2);
  assert_err(0, TC_ETYPE, "bindings[0].role");
  assert_err(1, TC_ETYPE, "bindings[0].scope");
}
END_TEST

START_TEST(test_text_problems_are_the_only_error) {
  static const struct {
    const char *body;
    int code;
  } cases[] = {
      {"{\"name\":5,\"foo\":1,}", TC_ESYNTAX},
      {"[{\"name\":5}]", TC_ENOTOBJECT},
      {"{\"name\":5,\"id\":\"\xff\"}", TC_EUTF8},
      {"{\"name\":5,\"id\":NaN}", TC_ESYNTAX},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(decode_all(CREATE_REQ, cases[i].body), cases[i].code);
    ck_assert_uint_eq(n_errs, 1);
    ck_assert_int_eq(errs[0].code, cases[i].code);
  }
  ck_assert_int_eq(decode_all(CREATE_REQ, "{\"name\":\"n\"}"), 0);
  ck_assert_uint_eq(n_errs, 0);
}
END_TEST

START_TEST(test_rejected_keys_in_body_order) {
  static const char *const keys[] = {"project_id", NULL};
  tc_opts_t opts = {.reject_keys = keys};
  ck_assert_int_eq(
      decode_max(CREATE_REQ, "{\"name\":5,\"project_id\":\"p\",\"foo\":1}", MAX_ERRS, &opts),
      TC_ETYPE);
  ck_assert_uint_eq(n_errs, 3);
  assert_err(0, TC_ETYPE, "name");
  assert_err(1, TC_EUNKNOWN_FIELD, "project_id");
  assert_err(2, TC_EUNKNOWN_FIELD, "foo");
}
END_TEST

START_TEST(test_decode_reports_the_first_only) {
  ProtobufCMessage *m = tc_message_new(CREATE_REQ, arena);
  const char *body = "{\"foo\":1,\"name\":5}";
  tc_error_t err;
  ck_assert_int_eq(tc_decode(m, body, strlen(body), NULL, arena, &err), TC_EUNKNOWN_FIELD);
  ck_assert_str_eq(err.field, "foo");
  ck_assert_int_eq(decode_max(CREATE_REQ, body, 0, NULL), TC_EUNKNOWN_FIELD); /* 0 counts as 1 */
  ck_assert_uint_eq(n_errs, 1);
}
END_TEST

/* Field errors come first, then an allocation fails: out of memory is all that is said. */
START_TEST(test_out_of_memory_is_the_only_error) {
  ProtobufCMessage *m = tc_message_new(CREATE_REQ, arena);
  const char *body = "{\"name\":5,\"foo\":1,\"id\":\"needs-a-copy\"}";
  hg_arena_test_fail_after(0);
  int rc = tc_decode_all(m, body, strlen(body), NULL, arena, errs, MAX_ERRS, &n_errs);
  hg_arena_test_fail_after(-1);
  ck_assert_int_eq(rc, TC_ENOMEM);
  ck_assert_uint_eq(n_errs, 1);
  ck_assert_int_eq(errs[0].code, TC_ENOMEM);
}
END_TEST

/* ---- the parser's refusals in our words ------------------------------------------------- */

START_TEST(test_parser_refusals_in_our_words) {
  static const struct {
    const char *body;
    int code;
    const char *field, *reason;
  } cases[] = {
      {"{\"settings_json\":{\"v\":NaN}}", TC_ESYNTAX, "settings_json.v",
       "NaN and Infinity are not JSON numbers"},
      {"{\"settings_json\":{\"v\":[1,Infinity]}}", TC_ESYNTAX, "settings_json.v[1]",
       "NaN and Infinity are not JSON numbers"},
      {"{\"settings_json\":{\"v\":-Infinity}}", TC_ESYNTAX, "settings_json.v",
       "NaN and Infinity are not JSON numbers"},
      {"{\"name\":\"a\",\"name\":\"b\"}", TC_ESYNTAX, "name", "duplicate key"},
      {"{\"settings_json\":{\"k\":1,\n\"k\":2}}", TC_ESYNTAX, "settings_json.k", "duplicate key"},
      {"{\"name\":\"x\\ud800y\"}", TC_ESYNTAX, "name", "unpaired UTF-16 surrogate escape"},
      {"{\"name\":\"\\udc00\"}", TC_ESYNTAX, "name", "unpaired UTF-16 surrogate escape"},
      {"{\"name\":\"\\ud83d\\ude00\\ud800\\u0041\"}", TC_ESYNTAX, "name",
       "unpaired UTF-16 surrogate escape"},
      {"{\"settings_json\":{\"\\ud800\":1}}", TC_ESYNTAX, "settings_json",
       "unpaired UTF-16 surrogate escape"},
      {"\xef\xbb\xbf{\"name\":\"n\"}", TC_ESYNTAX, "", "a byte order mark is not allowed"},
      {"{\"ttl_seconds\":99999999999999999999}", TC_ERANGE, "ttl_seconds",
       "integer beyond the 64-bit range"},
      {"{\"settings_json\":{\"a\":[1,{\"b\":-1e400}]}}", TC_ERANGE, "settings_json.a[1].b",
       "number too large"},
      {"{\"name\":\"a\\u0000b\"}", TC_ESYNTAX, "name", "strings must not contain \\u0000"},
      {"{\"settings_json\":{\"x\\u0000y\":1}}", TC_ESYNTAX, "settings_json",
       "keys must not contain \\u0000"},
      {"{\"settings_json\":{\"caf\\u00e9\":{\"a\\\"b\":NaN}}}", TC_ESYNTAX,
       "settings_json.caf\xc3\xa9.a\"b", "NaN and Infinity are not JSON numbers"},
      {"{\"name\": ", TC_ESYNTAX, "", "unexpected end of the body"},
      {"", TC_ESYNTAX, "", "unexpected end of the body"},
      {"{} x", TC_ESYNTAX, "", "unexpected text after the JSON value"},
      {"{\"name\":\"a\",}", TC_ESYNTAX, "", "malformed JSON"},
      {"{\"name\":\"a\\q\"}", TC_ESYNTAX, "", "malformed JSON"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_msg(decode_all(CREATE_REQ, cases[i].body) == cases[i].code, "%s: %s (%s)",
                  cases[i].body, tc_err_name(errs[0].code), errs[0].reason);
    ck_assert_uint_eq(n_errs, 1);
    ck_assert_str_eq(errs[0].field, cases[i].field);
    ck_assert_str_eq(errs[0].reason, cases[i].reason);
    ck_assert_int_ge(errs[0].position, 0);
  }
}
END_TEST

START_TEST(test_paired_surrogates_and_escaped_keys_are_fine) {
  ck_assert_int_eq(decode_all(CREATE_REQ, "{\"name\":\"\\ud83d\\ude00\",\"settings_json\":"
                                          "{\"\\ud83d\\ude00\":1}}"),
                   0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("transcode_errors");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_every_field_error_in_body_order);
  tcase_add_test(tc, test_nested_values_elements_and_map_entries);
  tcase_add_test(tc, test_list_is_capped);
  tcase_add_test(tc, test_text_problems_are_the_only_error);
  tcase_add_test(tc, test_rejected_keys_in_body_order);
  tcase_add_test(tc, test_decode_reports_the_first_only);
  tcase_add_test(tc, test_out_of_memory_is_the_only_error);
  tcase_add_test(tc, test_parser_refusals_in_our_words);
  tcase_add_test(tc, test_paired_surrogates_and_escaped_keys_are_fine);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
