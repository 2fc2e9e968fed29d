/* test_gateway_uri.c - gateway/uri.c: percent-decoding of path segments and query values,
 * query iteration and the "a[b]" -> "a.b" query name rule. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/uri.h"

#include "test_run.h"

static char out[64];
static size_t n;

static int decode(const char *s, gw_decode_mode_t mode) {
  memset(out, 'X', sizeof(out));
  return gw_uri_decode(s, strlen(s), mode, out, &n);
}

/* ---- decoding ------------------------------------------------------------------------- */

START_TEST(test_decode_escapes_either_case_and_terminates) {
  ck_assert_int_eq(decode("a%41%6a%6A", GW_DECODE_PATH), GW_URI_OK);
  ck_assert_str_eq(out, "aAjj");
  ck_assert_uint_eq(n, 4);
  ck_assert_int_eq(decode("", GW_DECODE_PATH), GW_URI_OK);
  ck_assert_str_eq(out, "");
  ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_decode_plus_is_space_in_query_only) {
  ck_assert_int_eq(decode("a+b", GW_DECODE_QUERY), GW_URI_OK);
  ck_assert_str_eq(out, "a b");
  ck_assert_int_eq(decode("a+b", GW_DECODE_PATH), GW_URI_OK);
  ck_assert_str_eq(out, "a+b");
  ck_assert_int_eq(decode("a%2Bb", GW_DECODE_QUERY), GW_URI_OK);
  ck_assert_str_eq(out, "a+b");
}
END_TEST

START_TEST(test_decode_malformed_escapes_are_errors) {
  static const char *const bad[] = {"%", "%4", "abc%", "abc%4", "%zz", "%G1", "%1G", "%%41"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_msg(decode(bad[i], GW_DECODE_PATH) == GW_URI_EESCAPE, "%s", bad[i]);
    ck_assert_msg(decode(bad[i], GW_DECODE_QUERY) == GW_URI_EESCAPE, "%s", bad[i]);
  }
}
END_TEST

START_TEST(test_decode_slash_refused_in_path_allowed_in_query) {
  ck_assert_int_eq(decode("a%2Fb", GW_DECODE_PATH), GW_URI_ESLASH);
  ck_assert_int_eq(decode("a%2fb", GW_DECODE_PATH), GW_URI_ESLASH);
  ck_assert_int_eq(decode("a%2Fb", GW_DECODE_QUERY), GW_URI_OK);
  ck_assert_str_eq(out, "a/b");
}
END_TEST

START_TEST(test_decode_nul_refused_in_both_modes) {
  ck_assert_int_eq(decode("a%00b", GW_DECODE_PATH), GW_URI_ENUL);
  ck_assert_int_eq(decode("%00", GW_DECODE_QUERY), GW_URI_ENUL);
}
END_TEST

START_TEST(test_decode_dot_segments_refused_in_path_only) {
  static const char *const dots[] = {".", "..", "%2E", "%2e%2E", "%2e."};
  for (size_t i = 0; i < sizeof(dots) / sizeof(dots[0]); i++) {
    ck_assert_msg(decode(dots[i], GW_DECODE_PATH) == GW_URI_EDOT, "%s", dots[i]);
    ck_assert_msg(decode(dots[i], GW_DECODE_QUERY) == GW_URI_OK, "%s", dots[i]);
  }
  ck_assert_int_eq(decode("...", GW_DECODE_PATH), GW_URI_OK);
  ck_assert_int_eq(decode(".a", GW_DECODE_PATH), GW_URI_OK);
}
END_TEST

START_TEST(test_decode_accepts_valid_utf8) {
  ck_assert_int_eq(decode("%C3%A9t%C3%A9", GW_DECODE_PATH), GW_URI_OK);
  ck_assert_str_eq(out, "\xc3\xa9t\xc3\xa9");
  ck_assert_int_eq(decode("%E2%82%AC%F0%9F%98%80%F4%8F%BF%BF", GW_DECODE_QUERY), GW_URI_OK);
  ck_assert_uint_eq(n, 3 + 4 + 4);
}
END_TEST

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no stray bytes. */
START_TEST(test_decode_refuses_invalid_utf8) {
  static const char *const bad[] = {
      "%ff",          /* never valid */
      "%80",          /* stray continuation */
      "%C0%AF",       /* overlong '/' */
      "%C3",          /* truncated */
      "%C3%28",       /* bad continuation */
      "%E0%80%AF",    /* overlong, 3 bytes */
      "%ED%A0%80",    /* surrogate U+D800 */
      "%F0%80%80%AF", /* overlong, 4 bytes */
      "%F4%90%80%80", /* U+110000 */
      "%F5%80%80%80", /* lead byte past U+10FFFF */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(decode(bad[i], GW_DECODE_QUERY) == GW_URI_EUTF8, "%s", bad[i]);
}
END_TEST

START_TEST(test_strerror_names_each_error) {
  static const int errs[] = {GW_URI_EESCAPE, GW_URI_ESLASH, GW_URI_ENUL,
                             GW_URI_EUTF8,   GW_URI_EDOT,   GW_URI_ENAME};
  ck_assert_str_eq(gw_uri_strerror(GW_URI_OK), "");
  ck_assert_str_eq(gw_uri_strerror(1), "");
  ck_assert_str_eq(gw_uri_strerror(GW_URI_ESLASH), "must not contain '/'");
  for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
    ck_assert_str_ne(gw_uri_strerror(errs[i]), "");
    for (size_t k = 0; k < i; k++)
      ck_assert_str_ne(gw_uri_strerror(errs[i]), gw_uri_strerror(errs[k]));
  }
}
END_TEST

/* ---- query iteration ------------------------------------------------------------------ */

START_TEST(test_query_pairs_in_order_raw) {
  hg_str_t rest = HG_STR("a=1&&b&c=x%3Dy&=v&d=&e=f=g"), k, v;
  static const char *const want[][2] = {{"a", "1"}, {"b", ""}, {"c", "x%3Dy"},
                                        {"", "v"},  {"d", ""}, {"e", "f=g"}};
  size_t i = 0;
  while (gw_query_next(&rest, &k, &v)) {
    ck_assert_uint_lt(i, 6);
    ck_assert_uint_eq(k.n, strlen(want[i][0]));
    ck_assert_uint_eq(v.n, strlen(want[i][1]));
    ck_assert(k.n == 0 || memcmp(k.p, want[i][0], k.n) == 0);
    ck_assert(v.n == 0 || memcmp(v.p, want[i][1], v.n) == 0);
    i++;
  }
  ck_assert_uint_eq(i, 6);
  ck_assert_uint_eq(rest.n, 0);
}
END_TEST

START_TEST(test_query_empty_or_only_separators_yields_nothing) {
  hg_str_t k, v, rest = {"", 0};
  ck_assert_int_eq(gw_query_next(&rest, &k, &v), 0);
  rest = HG_STR("&&&");
  ck_assert_int_eq(gw_query_next(&rest, &k, &v), 0);
  ck_assert_uint_eq(rest.n, 0);
}
END_TEST

/* ---- query names ---------------------------------------------------------------------- */

START_TEST(test_query_bracket_names_map_to_field_paths) {
  static const char *const ok[][2] = {
      {"limit", "limit"},
      {"page[size]", "page.size"},
      {"filter[name][eq]", "filter.name.eq"},
      {"a.b", "a.b"},
  };
  char path[64];
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    ck_assert_int_eq(gw_query_field_path(ok[i][0], strlen(ok[i][0]), path, sizeof(path)), 0);
    ck_assert_str_eq(path, ok[i][1]);
  }
}
END_TEST

START_TEST(test_query_malformed_brackets_are_ename) {
  static const char *const bad[] = {"a[", "a[]", "a]b", "[a]", "a[b]c", "a[[b]]", "", "a[b"};
  char path[64];
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(gw_query_field_path(bad[i], strlen(bad[i]), path, sizeof(path)) == GW_URI_ENAME,
                  "%s", bad[i]);
}
END_TEST

START_TEST(test_query_field_path_that_does_not_fit_is_ename) {
  char path[64];
  ck_assert_int_eq(gw_query_field_path("page[size]", 10, path, 5), GW_URI_ENAME);
  ck_assert_int_eq(gw_query_field_path("page[size]", 10, path, 0), GW_URI_ENAME);
  ck_assert_int_eq(gw_query_field_path("page[size]", 10, path, 9), GW_URI_ENAME);
  ck_assert_int_eq(gw_query_field_path("page[size]", 10, path, 10), 0);
  ck_assert_str_eq(path, "page.size");
}
END_TEST

START_TEST(test_query_percent_encoded_brackets_decode_then_map) {
  char path[64];
  ck_assert_int_eq(decode("page%5Bsize%5D", GW_DECODE_QUERY), GW_URI_OK);
  ck_assert_int_eq(gw_query_field_path(out, n, path, sizeof(path)), 0);
  ck_assert_str_eq(path, "page.size");
}
END_TEST

int main(void) {
  TEST_RUN("gateway_uri", 0, test_decode_escapes_either_case_and_terminates,
           test_decode_plus_is_space_in_query_only, test_decode_malformed_escapes_are_errors,
           test_decode_slash_refused_in_path_allowed_in_query,
           test_decode_nul_refused_in_both_modes, test_decode_dot_segments_refused_in_path_only,
           test_decode_accepts_valid_utf8, test_decode_refuses_invalid_utf8,
           test_strerror_names_each_error, test_query_pairs_in_order_raw,
           test_query_empty_or_only_separators_yields_nothing,
           test_query_bracket_names_map_to_field_paths, test_query_malformed_brackets_are_ename,
           test_query_field_path_that_does_not_fit_is_ename,
           test_query_percent_encoded_brackets_decode_then_map);
}
