/* test_transcode_raw.c - common/json/json_raw.c: hangar.json.v1.RawObject, a JSON object
 * kept as canonical text, through CreateResourceRequest.settings_json and Resource. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "json/transcode.h"

typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;
typedef Hangar__Resources__V1__UpdateResourceRequest update_req_t;
typedef Hangar__Resources__V1__Resource resource_t;
typedef Hangar__Json__V1__RawObject raw_t;

#define CREATE_REQ (&hangar__resources__v1__create_resource_request__descriptor)
#define UPDATE_REQ (&hangar__resources__v1__update_resource_request__descriptor)
#define RESOURCE (&hangar__resources__v1__resource__descriptor)

static hg_arena_t *arena;
static hg_buf_t out;
static tc_error_t err;

static void setup(void) {
  arena = hg_arena_new();
  ck_assert_ptr_nonnull(arena);
  memset(&err, 0, sizeof(err));
}

static void teardown(void) {
  hg_arena_free(arena);
  hg_buf_free(&out);
}

static void *new_msg(const ProtobufCMessageDescriptor *d) {
  void *m = tc_message_new(d, arena);
  ck_assert_ptr_nonnull(m);
  return m;
}

static int decode(void *m, const char *json) {
  return tc_decode(m, json, strlen(json), NULL, arena, &err);
}

static const char *encode(const void *m) {
  hg_buf_reset(&out);
  ck_assert_int_eq(tc_encode(m, &out), 0);
  return out.p;
}

/* {"settings_json": object} in; the stored text, checked to encode back unchanged. */
static const char *canonical(const char *object) {
  create_req_t *r = new_msg(CREATE_REQ);
  const char *body = hg_arena_sprintf(arena, "{\"settings_json\":%s}", object);
  int rc = decode(r, body);
  ck_assert_msg(rc == 0, "%s: %s at %s: %s", object, tc_err_name(rc), err.field, err.reason);
  ck_assert_ptr_nonnull(r->settings_json);
  ck_assert_str_eq(encode(r->settings_json), r->settings_json->json);
  return r->settings_json->json;
}

/* The canonical text of one JSON value v, as the member of {"v": v}. */
static const char *value_text(const char *v) {
  const char *text = canonical(hg_arena_sprintf(arena, "{\"v\":%s}", v));
  size_t n = strlen(text);
  ck_assert_uint_gt(n, 6);
  return hg_arena_strndup(arena, text + 5, n - 6);
}

static void assert_type_error(const char *settings) {
  const char *body = hg_arena_sprintf(arena, "{\"settings_json\":%s}", settings);
  int rc = decode(new_msg(CREATE_REQ), body);
  ck_assert_msg(rc == TC_ETYPE, "%s: %s", settings, tc_err_name(rc));
  ck_assert_str_eq(err.field, "settings_json");
  ck_assert_str_eq(err.expected, "object");
}

START_TEST(test_reals_stay_reals) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"1.0", "1.0"},
      {"100.0", "100.0"},
      {"1E5", "100000.0"},
      {"-0.0", "-0.0"},
      {"0.1", "0.1"},
      {"1e300", "1e+300"},
      {"5e-324", "5e-324"},
      {"3.0e0", "3.0"},
      {"-12.5", "-12.5"},
      {"0.0", "0.0"},
      {"2.5E-7", "2.5e-07"},
      {"1e-5", "1e-05"},
      {"0.0001", "0.0001"},
      {"1e15", "1000000000000000.0"},
      {"1e16", "1e+16"},
      {"123.456", "123.456"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      {"9007199254740993.0", "9007199254740992.0"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_str_eq(value_text(cases[i].in), cases[i].out);
}
END_TEST

START_TEST(test_integers_exact_in_int64) {
  ck_assert_str_eq(value_text("9007199254740993"), "9007199254740993");
  ck_assert_str_eq(value_text("-9223372036854775808"), "-9223372036854775808");
  ck_assert_str_eq(value_text("9223372036854775807"), "9223372036854775807");
  ck_assert_str_eq(value_text("0"), "0");
  ck_assert_str_eq(value_text("-0"), "0");
  ck_assert_str_eq(value_text("30"), "30");
}
END_TEST

START_TEST(test_integer_beyond_int64_refused) {
  ck_assert_int_eq(decode(new_msg(CREATE_REQ), "{\"settings_json\":{\"n\":9223372036854775808}}"),
                   TC_ERANGE);
}
END_TEST

/* Any double written as %.17e, decoded and written canonically, reads back bit for bit and
 * still reads as a real (a '.' or an exponent). */
START_TEST(test_random_reals_round_trip_exactly) {
  uint64_t s = 0x9e3779b97f4a7c15u;
  for (int i = 0; i < 20000; i++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double x;
    memcpy(&x, &s, sizeof(x));
    if (!isfinite(x)) continue;
    const char *text = value_text(hg_arena_sprintf(arena, "%.17e", x));
    double back = strtod(text, NULL);
    ck_assert_msg(memcmp(&back, &x, sizeof(x)) == 0, "%.17g came back as %s", x, text);
    ck_assert_msg(strpbrk(text, ".e") != NULL, "%s would read as an integer", text);
  }
}
END_TEST

START_TEST(test_nested_arrays_and_objects) {
  const char *doc =
      "{\"a\":[1,{\"b\":[true,null,\"x\",[],1.5]},false],\"c\":{},\"d\":{\"e\":{\"f\":null}}}";
  ck_assert_str_eq(canonical(doc), doc);
}
END_TEST

START_TEST(test_key_order_kept_and_whitespace_dropped) {
  ck_assert_str_eq(canonical("{ \"zeta\" : 1 ,\n\t\"alpha\": [ 2 , 3 ], \"mid\":{ } }"),
                   "{\"zeta\":1,\"alpha\":[2,3],\"mid\":{}}");
}
END_TEST

START_TEST(test_unicode_and_escapes) {
  ck_assert_str_eq(canonical("{\"u\":\"\\u00e9\\ud83d\\ude00\"}"),
                   "{\"u\":\"\xc3\xa9\xf0\x9f\x98\x80\"}");
  ck_assert_str_eq(canonical("{\"s\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\\/d\x7f\"}"),
                   "{\"s\":\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f/d\x7f\"}");
  ck_assert_str_eq(canonical("{\"\\u00e9\\n\":\"\xe2\x82\xac\",\"\":\"empty key\"}"),
                   "{\"\xc3\xa9\\n\":\"\xe2\x82\xac\",\"\":\"empty key\"}");
}
END_TEST

START_TEST(test_empty_object) {
  ck_assert_str_eq(canonical("{}"), "{}");
  ck_assert_str_eq(canonical(" { } "), "{}");
}
END_TEST

START_TEST(test_null_leaves_unset) {
  create_req_t *r = new_msg(CREATE_REQ);
  ck_assert_int_eq(decode(r, "{\"settings_json\":null}"), 0);
  ck_assert_ptr_null(r->settings_json);
  update_req_t *u = new_msg(UPDATE_REQ);
  ck_assert_int_eq(decode(u, "{\"settings_json\":{\"a\":1}}"), 0);
  ck_assert_str_eq(u->settings_json->json, "{\"a\":1}");
  ck_assert_int_eq(decode(u, "{\"settings_json\":null}"), 0);
  ck_assert_ptr_null(u->settings_json);
  ck_assert_uint_eq(u->update_mask->n_paths, 1);
  ck_assert_str_eq(u->update_mask->paths[0], "settings_json");
}
END_TEST

START_TEST(test_wrong_types_expect_object) {
  const char *bad[] = {"[1]", "[]", "\"{}\"", "7", "1.5", "true", "false"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) assert_type_error(bad[i]);
  ck_assert_int_eq(tc_set_field_text(new_msg(CREATE_REQ), "settings_json", "{}", 2, arena, &err),
                   TC_ETYPE);
  ck_assert_str_eq(err.expected, "object");
  ck_assert(!tc_has_field(RESOURCE, "settings_json.json"));
}
END_TEST

START_TEST(test_encode_is_verbatim) {
  resource_t *r = new_msg(RESOURCE);
  ck_assert_ptr_nonnull(strstr(encode(r), "\"settings_json\":null}"));
  raw_t *raw = new_msg(&hangar__json__v1__raw_object__descriptor);
  r->settings_json = raw;
  ck_assert_ptr_nonnull(strstr(encode(r), "\"settings_json\":{}}"));
  raw->json = NULL;
  ck_assert_str_eq(encode(raw), "{}");
  raw->json = "{ \"kept\" : 1.0 }";
  ck_assert_ptr_nonnull(strstr(encode(r), "\"settings_json\":{ \"kept\" : 1.0 }}"));
}
END_TEST

/* Every allocation the decode makes from the arena fails in turn, cleanly. */
START_TEST(test_decode_fails_cleanly_without_memory) {
  static const char body[] = "{\"settings_json\":{\"a\":[1.0,\"x\",{\"b\":null}]}}";
  int rc;
  long n = 0;
  do {
    hg_arena_t *a = hg_arena_new();
    ck_assert_ptr_nonnull(a);
    hg_arena_test_fail_after(n);
    ProtobufCMessage *m = tc_message_new(CREATE_REQ, a);
    rc = m ? tc_decode(m, body, sizeof(body) - 1, NULL, a, &err) : TC_ENOMEM;
    hg_arena_test_fail_after(-1);
    if (rc == 0)
      ck_assert_str_eq(((create_req_t *)m)->settings_json->json,
                       "{\"a\":[1.0,\"x\",{\"b\":null}]}");
    hg_arena_free(a);
    ck_assert_msg(rc == 0 || rc == TC_ENOMEM, "allocation %ld: %s", n, tc_err_name(rc));
  } while (rc != 0 && ++n < 1000);
  ck_assert_int_eq(rc, 0);
  ck_assert_int_gt(n, 1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("transcode_raw");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reals_stay_reals);
  tcase_add_test(tc, test_integers_exact_in_int64);
  tcase_add_test(tc, test_integer_beyond_int64_refused);
  tcase_add_test(tc, test_random_reals_round_trip_exactly);
  tcase_add_test(tc, test_nested_arrays_and_objects);
  tcase_add_test(tc, test_key_order_kept_and_whitespace_dropped);
  tcase_add_test(tc, test_unicode_and_escapes);
  tcase_add_test(tc, test_empty_object);
  tcase_add_test(tc, test_null_leaves_unset);
  tcase_add_test(tc, test_wrong_types_expect_object);
  tcase_add_test(tc, test_encode_is_verbatim);
  tcase_add_test(tc, test_decode_fails_cleanly_without_memory);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
