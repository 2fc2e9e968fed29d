/* test_utf8.c - common/utf8: RFC 3629 validation, and the offset of the first bad byte
 * wherever it falls relative to the 8-byte ASCII fast path. */
#include <check.h>
#include <string.h>

#include "common/utf8.h"

#include "test_run.h"

START_TEST(test_valid_texts) {
  static const char *const ok[] = {
      "",
      "a",
      "plain ascii longer than one word of eight",
      "caf\xc3\xa9",
      "\xe2\x82\xac sign after and before \xe2\x82\xac",
      "\xf0\x9f\x98\x80 emoji",
      "\xef\xbf\xbf",
      "\xf4\x8f\xbf\xbf",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    size_t bad = 12345;
    ck_assert_msg(hg_utf8_valid(ok[i], strlen(ok[i]), &bad), "%zu", i);
    ck_assert_uint_eq(bad, 12345); /* untouched */
  }
}
END_TEST

START_TEST(test_invalid_texts_name_the_first_bad_byte) {
  static const struct {
    const char *text;
    size_t bad;
  } cases[] = {
      {"\x80", 0},                              /* stray continuation */
      {"\xc0\xaf", 0},                          /* overlong */
      {"\xc1\xbf", 0},                          /* overlong */
      {"\xe0\x80\xaf", 0},                      /* overlong, 3 bytes */
      {"\xed\xa0\x80", 0},                      /* surrogate */
      {"\xf0\x80\x80\xaf", 0},                  /* overlong, 4 bytes */
      {"\xf4\x90\x80\x80", 0},                  /* above U+10FFFF */
      {"\xf5\x80\x80\x80", 0},                  /* cannot lead */
      {"abc\xc3", 3},                           /* cut short */
      {"abcdefg\xff", 7},                       /* last byte of the first word */
      {"abcdefgh\xff", 8},                      /* first byte after a clean word */
      {"abcdefghi\xff", 9},                     /* within the tail */
      {"abcdefghijklmnop\x80qrstuvwxyz", 16},   /* after two clean words */
      {"caf\xc3\xa9 then 8 more \xe2\x82", 18}, /* after a sequence and a word */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t bad = 12345;
    ck_assert_msg(!hg_utf8_valid(cases[i].text, strlen(cases[i].text), &bad), "%zu", i);
    ck_assert_msg(bad == cases[i].bad, "case %zu: bad %zu, expected %zu", i, bad, cases[i].bad);
  }
}
END_TEST

/* A NUL is a valid code point, and the length, not a terminator, bounds the text. */
START_TEST(test_length_bounds_the_text) {
  size_t bad = 0;
  ck_assert(hg_utf8_valid("abcdefgh\0ijk", 12, &bad));
  ck_assert(hg_utf8_valid("abcdefgh\xff", 8, &bad));
}
END_TEST

/* Every cut of a text ends on a character boundary: what is kept is valid. */
START_TEST(test_a_cut_never_splits_a_character) {
  static const char *const texts[] = {"ascii only", "caf\xc3\xa9", "\xee\xbb\x8cx\xee\xbb\x8c",
                                      "\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
                                      "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"};
  for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
    size_t n = strlen(texts[t]), bad;
    for (size_t at = 0; at <= n; at++) {
      size_t cut = hg_utf8_cut(texts[t], at);
      ck_assert_uint_le(cut, at);
      ck_assert_uint_gt(cut + 4, at); /* only the split character goes */
      ck_assert_msg(hg_utf8_valid(texts[t], cut, &bad), "text %zu cut at %zu kept %zu", t, at, cut);
    }
    ck_assert_uint_eq(hg_utf8_cut(texts[t], n), n); /* a whole text is kept whole */
  }
  ck_assert_uint_eq(hg_utf8_cut("x\xee\xbb", 3), 1);
  ck_assert_uint_eq(hg_utf8_cut("\xee", 1), 0);
}
END_TEST

int main(void) {
  TEST_RUN("utf8", 0, test_valid_texts, test_invalid_texts_name_the_first_bad_byte,
           test_length_bounds_the_text, test_a_cut_never_splits_a_character);
}
