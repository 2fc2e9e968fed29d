/* test_gateway_json_syntax.c - gateway/json_syntax.c: where Python's json module stops.
 * Every expectation below is what CPython 3.11's json.loads(bytes) raises (JSONDecodeError
 * msg, pos, lineno, colno), recorded from the interpreter. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/json_syntax.h"

#include "test_run.h"

static const struct {
  const char *in;
  const char *msg; /* NULL: Python reads it */
  long pos, line, col;
} cases[] = {
    {"", "Expecting value", 0, 1, 1},
    {"   ", "Expecting value", 3, 1, 4},
    {"{", "Expecting property name enclosed in double quotes", 1, 1, 2},
    {"{\"wrapper_id\": }", "Expecting value", 15, 1, 16},
    {"{\"a\":1,}", "Expecting property name enclosed in double quotes", 7, 1, 8},
    {"{\"a\" 1}", "Expecting ':' delimiter", 5, 1, 6},
    {"{\"a\":1 \"b\":2}", "Expecting ',' delimiter", 7, 1, 8},
    {"[1,]", "Expecting value", 3, 1, 4},
    {"[1 2]", "Expecting ',' delimiter", 3, 1, 4},
    {"{\"a\":1}x", "Extra data", 7, 1, 8},
    {"{\"a\":1}  \n ", NULL, 0, 0, 0},
    {"01", "Extra data", 1, 1, 2},
    {"{\"a\": tru}", "Expecting value", 6, 1, 7},
    {"{\"a\": \"x", "Unterminated string starting at", 6, 1, 7},
    {"{\"a\": \"\\q\"}", "Invalid \\escape", 7, 1, 8},
    {"{\"a\": \"\\u12\"}", "Invalid \\uXXXX escape", 8, 1, 9},
    {"{\"a\": \"\\ud800\\u12zz\"}", "Invalid \\uXXXX escape", 14, 1, 15},
    {"{\"a\": \"b\tc\"}", "Invalid control character at", 8, 1, 9},
    /* characters, not bytes: "é" and "日本" are one character each */
    {"{\n  \"url\": \"x\",\n  \"\xc3\xa9\": \"\xe6\x97\xa5\xe6\x9c\xac\n}",
     "Invalid control character at", 26, 3, 11},
    {"{\"\xc3\xa9\":1,}", "Expecting property name enclosed in double quotes", 7, 1, 8},
    /* json.loads(bytes) drops a UTF-8 BOM before counting */
    {"\xef\xbb\xbf{\"a\":}", "Expecting value", 5, 1, 6},
    {"{\"a\": -}", "Expecting value", 6, 1, 7},
    {"{\"a\": 1.}", "Expecting ',' delimiter", 7, 1, 8},
    {"{\"a\": 1e}", "Expecting ',' delimiter", 7, 1, 8},
    {"[[[[[]]]]", "Expecting ',' delimiter", 9, 1, 10},
    /* JSON to Python, not to jansson */
    {"{\"a\": NaN, \"b\": -Infinity}", NULL, 0, 0, 0},
    {"{\"a\":1,\"a\":2}", NULL, 0, 0, 0},
    {"{\"a\": 99999999999999999999999}", NULL, 0, 0, 0},
};

START_TEST(test_json_syntax_matches_python) {
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    gw_json_error_t e = {.msg = "unchanged"};
    int rc = gw_json_syntax(cases[i].in, strlen(cases[i].in), &e);
    if (!cases[i].msg) {
      ck_assert_msg(rc == 0, "case %zu: Python reads it, got %s", i, e.msg);
      ck_assert_str_eq(e.msg, "unchanged");
      continue;
    }
    ck_assert_msg(rc == 1, "case %zu: no error found", i);
    ck_assert_msg(strcmp(e.msg, cases[i].msg) == 0, "case %zu: %s", i, e.msg);
    ck_assert_msg(e.pos == cases[i].pos && e.line == cases[i].line && e.col == cases[i].col,
                  "case %zu: at %ld %ld:%ld", i, e.pos, e.line, e.col);
  }
}
END_TEST

/* Past the nesting we follow, the answer is "not ours to say", never a crash. */
START_TEST(test_json_syntax_deep_nesting_gives_up) {
  size_t n = 200000;
  char *p = malloc(n);
  memset(p, '[', n);
  gw_json_error_t e = {.msg = "unchanged"};
  ck_assert_int_eq(gw_json_syntax(p, n, &e), 0);
  ck_assert_str_eq(e.msg, "unchanged");
  free(p);
}
END_TEST

/* Python counts characters, not bytes, and lines and columns from 1. */
START_TEST(test_json_syntax_counts_lines_and_characters) {
  const char *doc = "{\n\"\xc3\xa9\": x}";
  gw_json_error_t e;
  ck_assert_int_eq(gw_json_syntax(doc, strlen(doc), &e), 1);
  ck_assert_str_eq(e.msg, "Expecting value");
  ck_assert_int_eq(e.pos, 7);
  ck_assert_int_eq(e.line, 2);
  ck_assert_int_eq(e.col, 6);
}
END_TEST

int main(void) {
  TEST_RUN("gateway_json_syntax", 0, test_json_syntax_matches_python,
           test_json_syntax_deep_nesting_gives_up, test_json_syntax_counts_lines_and_characters);
}
