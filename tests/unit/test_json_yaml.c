/* test_json_yaml.c - common/json/json_yaml: YAML 1.2 core typing into JSON, and block-style
 * YAML out of JSON. */
#include <check.h>
#include <string.h>

#include "json/json_yaml.h"

#include "test_run.h"

/* YAML in -> JSON text out (NULL: refused with code). */
static const struct {
  const char *yaml;
  const char *json;
  int code;
} reads[] = {
    {"a: 2", "{\"a\":2}", 0},
    {"a: 0.5", "{\"a\":0.5}", 0},
    {"a: \"1.17\"", "{\"a\":\"1.17\"}", 0},
    {"a: '2'", "{\"a\":\"2\"}", 0},
    {"a: 1.17", "{\"a\":1.17}", 0},
    {"a: 1e3", "{\"a\":1000.0}", 0},
    {"a: .5", "{\"a\":0.5}", 0},
    {"a: -7", "{\"a\":-7}", 0},
    {"a: 0x1F", "{\"a\":31}", 0},
    {"a: 0o17", "{\"a\":15}", 0},
    {"a: true\nb: False\nc: yes", "{\"a\":true,\"b\":false,\"c\":\"yes\"}", 0},
    {"a: null\nb: ~\nc:", "{\"a\":null,\"b\":null,\"c\":null}", 0},
    {"a: !!str 5", "{\"a\":\"5\"}", 0},
    {"a: 2026-01-01T00:00:00Z", "{\"a\":\"2026-01-01T00:00:00Z\"}", 0},
    {"a:\n  - 1\n  - x\n  - {b: c}", "{\"a\":[1,\"x\",{\"b\":\"c\"}]}", 0},
    {"a: |\n  line\n", "{\"a\":\"line\\n\"}", 0},
    {"1: x", "{\"1\":\"x\"}", 0},
    {"- 1\n- 2", "[1,2]", 0},
    {"", "null", 0},
    {"a: \"\\u00e9\"", "{\"a\":\"\xc3\xa9\"}", 0},
    {"a: [1, 2", NULL, TC_ESYNTAX},
    {"a: &x 1\nb: *x", NULL, TC_ESYNTAX},
    {"a: 1\n---\nb: 2", NULL, TC_ESYNTAX},
    {"a: 1\na: 2", NULL, TC_ESYNTAX},
    {"a: \"x\\0y\"", NULL, TC_ESYNTAX},
    {"\"\\0\": 1", NULL, TC_ESYNTAX},
    {"a:\n  b: 1\n  b: 1\nc: {}", NULL, TC_ESYNTAX},
    {"? [1]\n: x", NULL, TC_ESYNTAX},
    {"a: .inf", NULL, TC_ESYNTAX},
    {"a: 99999999999999999999", NULL, TC_ERANGE},
};

START_TEST(test_yaml_core_schema_reads) {
  for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
    hg_buf_t out = HG_BUF_INIT;
    tc_error_t err;
    int rc = tc_yaml_to_json(reads[i].yaml, strlen(reads[i].yaml), 0, &out, &err);
    ck_assert_msg(rc == reads[i].code, "%s: rc %d", reads[i].yaml, rc);
    if (rc == 0) {
      ck_assert_int_eq(hg_buf_putc(&out, '\0'), 0);
      ck_assert_str_eq(out.p, reads[i].json);
    } else {
      ck_assert_msg(err.reason[0] != '\0', "%s: no reason", reads[i].yaml);
    }
    hg_buf_free(&out);
  }
}
END_TEST

START_TEST(test_yaml_depth_is_bounded) {
  char deep[400];
  size_t n = 0;
  for (int i = 0; i < 100; i++) deep[n++] = '[';
  for (int i = 0; i < 100; i++) deep[n++] = ']';
  hg_buf_t out = HG_BUF_INIT;
  tc_error_t err;
  ck_assert_int_eq(tc_yaml_to_json(deep, n, 64, &out, &err), TC_EDEPTH);
  hg_buf_free(&out);
}
END_TEST

/* JSON in -> YAML out. */
static const struct {
  const char *json;
  const char *yaml;
} writes[] = {
    {"{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"}}",
     "kind: Deployment\nmetadata:\n  name: x\n"},
    {"{\"items\":[{\"a\":1},{\"b\":true}],\"metadata\":{}}",
     "items:\n- a: 1\n- b: true\nmetadata: {}\n"},
    {"{\"v\":\"1.17\",\"n\":\"2\",\"t\":\"true\",\"e\":\"\",\"z\":\"null\",\"y\":\"yes\"}",
     "v: \"1.17\"\n\"n\": \"2\"\nt: \"true\"\ne: \"\"\nz: \"null\"\n\"y\": \"yes\"\n"},
    {"{\"r\":0.1,\"i\":-3,\"x\":null,\"l\":[]}", "r: 0.1\ni: -3\nx: null\nl: []\n"},
    {"{\"big\":1e300,\"whole\":1000.0}", "big: 1e+300\nwhole: 1000.0\n"},
    {"{\"s\":\"a: b\"}", "s: 'a: b'\n"},
};

START_TEST(test_yaml_block_style_writes) {
  for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
    hg_buf_t out = HG_BUF_INIT;
    ck_assert_int_eq(tc_json_to_yaml(writes[i].json, strlen(writes[i].json), &out), 0);
    ck_assert_int_eq(hg_buf_putc(&out, '\0'), 0);
    ck_assert_str_eq(out.p, writes[i].yaml);
    hg_buf_free(&out);
  }
  hg_buf_t out = HG_BUF_INIT;
  ck_assert_int_eq(tc_json_to_yaml("{bad", 4, &out), TC_ESYNTAX);
  hg_buf_free(&out);
}
END_TEST

/* What is written reads back as the same JSON. */
START_TEST(test_yaml_round_trip) {
  const char *json =
      "{\"a\":\"1.17\",\"b\":[1,2.5,\"x\",null,false],\"c\":{\"d\":\"\",\"e\":\"~\"}}";
  hg_buf_t yaml = HG_BUF_INIT, back = HG_BUF_INIT;
  tc_error_t err;
  ck_assert_int_eq(tc_json_to_yaml(json, strlen(json), &yaml), 0);
  ck_assert_int_eq(tc_yaml_to_json(yaml.p, yaml.n, 0, &back, &err), 0);
  ck_assert_int_eq(hg_buf_putc(&back, '\0'), 0);
  ck_assert_str_eq(back.p, json);
  hg_buf_free(&yaml);
  hg_buf_free(&back);
}
END_TEST

int main(void) {
  TEST_RUN("json_yaml", 0, test_yaml_core_schema_reads, test_yaml_depth_is_bounded,
           test_yaml_block_style_writes, test_yaml_round_trip);
}
