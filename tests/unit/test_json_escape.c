/* test_json_escape.c - common/json_escape: every escape JSON needs, invalid UTF-8 replaced
 * byte by byte, output cut only between characters, and any byte string (random ones too)
 * giving a string jansson parses back to the input when that was valid UTF-8. */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "common/json_escape.h"
#include "common/random.h"
#include "common/utf8.h"

#include "test_run.h"

static const char *escape(const char *in, size_t n) {
  static char out[1024];
  size_t used = 0;
  size_t w = hg_json_escape(in, n, out, sizeof(out) - 1, &used);
  ck_assert_uint_eq(used, n);
  out[w] = '\0';
  return out;
}

START_TEST(test_escape_table) {
  static const struct {
    const char *in;
    size_t n;
    const char *out;
  } cases[] = {
      {"plain text 123", 14, "plain text 123"},
      {"say \"hi\"", 8, "say \\\"hi\\\""},
      {"C:\\dir", 6, "C:\\\\dir"},
      {"a\nb\rc\td\be\ff", 11, "a\\nb\\rc\\td\\be\\ff"},
      {"\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f"},
      {"a\0b", 3, "a\\u0000b"},
      {"/</script>", 10, "/</script>"},
      {"caf\xc3\xa9", 5, "caf\xc3\xa9"},                       /* 2-byte UTF-8 */
      {"\xe2\x82\xac", 3, "\xe2\x82\xac"},                     /* euro sign */
      {"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},             /* U+1F600 */
      {"\xe2\x80\xa8", 3, "\xe2\x80\xa8"},                     /* U+2028 is valid JSON */
      {"\x80", 1, "\\ufffd"},                                  /* stray continuation */
      {"\xff", 1, "\\ufffd"},                                  /* never in UTF-8 */
      {"\xc0\xaf", 2, "\\ufffd\\ufffd"},                       /* overlong '/' */
      {"\xe0\x80\xaf", 3, "\\ufffd\\ufffd\\ufffd"},            /* overlong, 3 bytes */
      {"\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"},            /* surrogate U+D800 */
      {"\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* above U+10FFFF */
      {"ab\xe2\x82", 4, "ab\\ufffd\\ufffd"},                   /* truncated at the end */
      {"\xc3(", 2, "\\ufffd("},                                /* lead without continuation */
      {"\xc3\xa9\xa9", 3, "\xc3\xa9\\ufffd"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(strcmp(escape(cases[i].in, cases[i].n), cases[i].out) == 0, "case %zu: %s", i,
                  escape(cases[i].in, cases[i].n));
}
END_TEST

START_TEST(test_cut_between_characters) {
  char out[16];
  size_t used;
  ck_assert_uint_eq(hg_json_escape("ab\"", 3, out, 3, &used), 2); /* \" needs two */
  ck_assert_uint_eq(used, 2);
  ck_assert_uint_eq(hg_json_escape("ab\"", 3, out, 4, &used), 4);
  ck_assert_uint_eq(used, 3);
  ck_assert_uint_eq(hg_json_escape("\x01", 1, out, 5, &used), 0); /* \u0001 needs six */
  ck_assert_uint_eq(used, 0);
  ck_assert_uint_eq(hg_json_escape("a\xc3\xa9", 3, out, 2, &used), 1); /* not half of é */
  ck_assert_uint_eq(used, 1);
  ck_assert_uint_eq(hg_json_escape("\xff", 1, out, 5, &used), 0);
  ck_assert_uint_eq(hg_json_escape("abc", 3, out, 0, &used), 0);
  ck_assert_uint_eq(used, 0);
  ck_assert_uint_eq(hg_json_escape("abc", 3, out, 16, NULL), 3);
}
END_TEST

/* Random byte strings, biased towards the bytes that matter, always escape into a JSON
 * string jansson accepts; a valid UTF-8 input comes back unchanged. */
START_TEST(test_random_bytes_always_parse) {
  static const unsigned char interesting[] = {0x00, 0x01, 0x1f, '"',  '\\', 0x7f, 0x80, 0xbf,
                                              0xc2, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xff, 'a'};
  uint64_t state = 42;
  for (int round = 0; round < 20000; round++) {
    char in[24], out[24 * 6 + 3];
    size_t n = (size_t)(hg_splitmix64_next(&state) % sizeof(in));
    for (size_t i = 0; i < n; i++) {
      uint64_t r = hg_splitmix64_next(&state);
      in[i] = (char)(r & 1 ? interesting[(r >> 1) % sizeof(interesting)] : (r >> 8) & 0xff);
    }
    out[0] = '"';
    size_t used, w = hg_json_escape(in, n, out + 1, sizeof(out) - 3, &used);
    ck_assert_uint_eq(used, n);
    out[w + 1] = '"';
    out[w + 2] = '\0';
    json_error_t err;
    json_t *v = json_loads(out, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    ck_assert_msg(v && json_is_string(v), "round %d: %s: %s", round, out, err.text);
    size_t bad;
    if (hg_utf8_valid(in, n, &bad)) {
      ck_assert_uint_eq(json_string_length(v), n);
      ck_assert(memcmp(json_string_value(v), in, n) == 0);
    }
    json_decref(v);
  }
}
END_TEST

int main(void) {
  TEST_RUN("json_escape", 0, test_escape_table, test_cut_between_characters,
           test_random_bytes_always_parse);
}
