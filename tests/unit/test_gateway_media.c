/* test_gateway_media.c - gateway/media.c: is a Content-Type JSON, and does an Accept header
 * name a media type. */
#include <check.h>
#include <stdlib.h>

#include "gateway/media.h"

#include "test_run.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Content-Type --------------------------------------------------------------------- */

START_TEST(test_json_and_plus_json_types_are_json) {
  static const char *const json[] = {"application/json", "application/merge-patch+json",
                                     "application/problem+json", "application/vnd.konnect.x+json"};
  for (size_t i = 0; i < N(json); i++) ck_assert_msg(gw_media_is_json(json[i]), "%s", json[i]);
}
END_TEST

START_TEST(test_json_type_ignores_case_whitespace_and_parameters) {
  static const char *const json[] = {" Application/JSON ", "application/json; charset=utf-8",
                                     "application/json;charset=\"x\"", "\tapplication/json\t;v=1",
                                     "APPLICATION/VND.X+JSON;v=1"};
  for (size_t i = 0; i < N(json); i++) ck_assert_msg(gw_media_is_json(json[i]), "%s", json[i]);
}
END_TEST

START_TEST(test_other_types_are_not_json) {
  static const char *const other[] = {"text/plain",
                                      "application/jsonx",
                                      "application/+json",
                                      "application/json+x",
                                      "text/json",
                                      "text/x+json",
                                      "json",
                                      "",
                                      " ",
                                      ";application/json",
                                      "application/x-www-form-urlencoded",
                                      "multipart/form-data; boundary=json"};
  for (size_t i = 0; i < N(other); i++) ck_assert_msg(!gw_media_is_json(other[i]), "%s", other[i]);
  ck_assert(!gw_media_is_json(NULL));
}
END_TEST

/* ---- Accept --------------------------------------------------------------------------- */

START_TEST(test_accept_finds_type_anywhere_in_list) {
  ck_assert(gw_media_accepts("a/b", "a/b"));
  ck_assert(gw_media_accepts("x/y, a/b", "a/b"));
  ck_assert(gw_media_accepts("a/b,x/y", "a/b"));
  ck_assert(gw_media_accepts("x/y;q=1, a/b ;level=1", "a/b"));
}
END_TEST

START_TEST(test_accept_ignores_case_and_whitespace) {
  ck_assert(gw_media_accepts("  A/B  ", "a/b"));
  ck_assert(gw_media_accepts("x/y,\ta/B\t;q=0.5", "a/b"));
}
END_TEST

START_TEST(test_accept_q_zero_refuses_the_type) {
  static const char *const refused[] = {"a/b;q=0", "a/b; q=0.000", "a/b;Q=0.0", "a/b;x=1;q=0",
                                        "a/b;q=0 , x/y"};
  static const char *const taken[] = {"a/b;q=0.001", "a/b;q=1", "a/b;q=0.5", "a/b;qq=0", "a/b;x=0"};
  for (size_t i = 0; i < N(refused); i++)
    ck_assert_msg(!gw_media_accepts(refused[i], "a/b"), "%s", refused[i]);
  for (size_t i = 0; i < N(taken); i++)
    ck_assert_msg(gw_media_accepts(taken[i], "a/b"), "%s", taken[i]);
}
END_TEST

START_TEST(test_accept_q_zero_on_one_range_leaves_another) {
  ck_assert(gw_media_accepts("a/b;q=0, a/b", "a/b"));
  ck_assert(!gw_media_accepts("a/b, x/y;q=0", "x/y"));
}
END_TEST

/* A variant is served only to a client that names it. */
START_TEST(test_accept_wildcards_do_not_count) {
  ck_assert(!gw_media_accepts("a/*, */*", "a/b"));
  ck_assert(!gw_media_accepts("*/*;q=1", "a/b"));
}
END_TEST

START_TEST(test_accept_needs_the_whole_type) {
  ck_assert(!gw_media_accepts("a/bc", "a/b"));
  ck_assert(!gw_media_accepts("a/", "a/b"));
  ck_assert(!gw_media_accepts("xa/b", "a/b"));
}
END_TEST

START_TEST(test_accept_empty_or_absent_accepts_nothing) {
  ck_assert(!gw_media_accepts(NULL, "a/b"));
  ck_assert(!gw_media_accepts("", "a/b"));
  ck_assert(!gw_media_accepts(",,", "a/b"));
  ck_assert(!gw_media_accepts(" , ;q=1", "a/b"));
}
END_TEST

START_TEST(test_yaml_types) {
  static const char *const yaml[] = {"application/yaml", "Application/YAML; charset=utf-8",
                                     "application/x-yaml", "text/yaml", " text/x-yaml "};
  static const char *const other[] = {"application/json", "application/yamlx", "yaml",
                                      "application/vnd.x+yaml", ""};
  for (size_t i = 0; i < sizeof(yaml) / sizeof(yaml[0]); i++)
    ck_assert_msg(gw_media_is_yaml(yaml[i]), "%s", yaml[i]);
  for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
    ck_assert_msg(!gw_media_is_yaml(other[i]), "%s", other[i]);
  ck_assert(!gw_media_is_yaml(NULL));
}
END_TEST

int main(void) {
  TEST_RUN("gateway_media", 0, test_yaml_types, test_json_and_plus_json_types_are_json,
           test_json_type_ignores_case_whitespace_and_parameters, test_other_types_are_not_json,
           test_accept_finds_type_anywhere_in_list, test_accept_ignores_case_and_whitespace,
           test_accept_q_zero_refuses_the_type, test_accept_q_zero_on_one_range_leaves_another,
           test_accept_wildcards_do_not_count, test_accept_needs_the_whole_type,
           test_accept_empty_or_absent_accepts_nothing);
}
