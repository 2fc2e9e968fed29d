/* test_base64.c - common/base64: each form (strict, proto3 JSON, JWT), both alphabets,
 * padding required, optional and refused, decoding and encoding. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

#include "test_run.h"

START_TEST(test_strict_table) {
  static const struct {
    const char *in;
    int valid;
    const char *out;
    size_t out_n;
  } cases[] = {
      {"", 1, "", 0},
      {"TWFu", 1, "Man", 3},
      {"TWE=", 1, "Ma", 2},
      {"TQ==", 1, "M", 1},
      {"TXkgWUFNTCBvciBKU09OIGZvcm1hdHRlZCBPQVMgY29udGVudA==", 1,
       "My YAML or JSON formatted OAS content", 37},
      {"AA==", 1, "\0", 1},
      {"TWF", 0, NULL, 0},   /* length */
      {"TQ", 0, NULL, 0},    /* no padding */
      {"T===", 0, NULL, 0},  /* too much padding */
      {"TW=u", 0, NULL, 0},  /* padding inside */
      {"TW-_", 0, NULL, 0},  /* URL-safe alphabet */
      {"TW Fu", 0, NULL, 0}, /* whitespace */
      {"# Title", 0, NULL, 0},
  };
  hg_arena_t *a = hg_arena_new();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *out = (char *)"unchanged";
    size_t n = 99;
    ck_assert_msg(hg_base64_valid(cases[i].in, strlen(cases[i].in), HG_BASE64_STRICT) ==
                      cases[i].valid,
                  "%s", cases[i].in);
    int rc = hg_base64_decode_dup(cases[i].in, strlen(cases[i].in), HG_BASE64_STRICT, a, &out, &n);
    if (!cases[i].valid) {
      ck_assert_int_eq(rc, -1);
      ck_assert_str_eq(out, "unchanged");
      continue;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(n, cases[i].out_n);
    ck_assert_int_eq(memcmp(out, cases[i].out, n), 0);
    ck_assert_int_eq(out[n], '\0');
  }
  hg_arena_free(a);
}
END_TEST

/* Validity of one text in each form: strict, proto3 JSON, JWT. */
START_TEST(test_forms_table) {
  static const struct {
    const char *in;
    int strict, proto_json, jwt;
  } cases[] = {
      {"", 1, 1, 1},       {"TWFu", 1, 1, 1},   {"TWE=", 1, 1, 0},  {"TWE", 0, 1, 1},
      {"TQ==", 1, 1, 0},   {"TQ", 0, 1, 1},     {"TQ=", 0, 0, 0},   {"T", 0, 0, 0},
      {"TQ===", 0, 0, 0},  {"T===", 0, 0, 0},   {"TW=u", 0, 0, 0},  {"+/+/", 1, 1, 0},
      {"-_-_", 0, 1, 1},   {"+_-/", 0, 1, 0},   {"TW Fu", 0, 0, 0}, {"====", 0, 0, 0},
      {"TWFuTQ", 0, 1, 1}, {"TWFu\n", 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *in = cases[i].in;
    ck_assert_msg(hg_base64_valid(in, strlen(in), HG_BASE64_STRICT) == cases[i].strict, "%s", in);
    ck_assert_msg(hg_base64_valid(in, strlen(in), HG_BASE64_PROTO_JSON) == cases[i].proto_json,
                  "%s", in);
    ck_assert_msg(hg_base64_valid(in, strlen(in), HG_BASE64_JWT) == cases[i].jwt, "%s", in);
  }
}
END_TEST

START_TEST(test_url_alphabet_decodes_62_and_63) {
  uint8_t out[8];
  size_t n = 0;
  ck_assert_int_eq(hg_base64_decode("-_-_", 4, HG_BASE64_JWT, out, &n), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_int_eq(out[0], 0xfb);
  ck_assert_int_eq(out[1], 0xff);
  ck_assert_int_eq(out[2], 0xbf);
  ck_assert_int_eq(hg_base64_decode("+/+/", 4, HG_BASE64_STRICT, out, &n), 0);
  ck_assert_int_eq(out[0], 0xfb);
  n = 7;
  ck_assert_int_eq(hg_base64_decode("+/+/", 4, HG_BASE64_JWT, out, &n), -1);
  ck_assert_uint_eq(n, 7); /* unchanged on failure */
}
END_TEST

START_TEST(test_unpadded_tail_decodes) {
  uint8_t out[8];
  size_t n = 0;
  ck_assert_int_eq(hg_base64_decode("TWFuTQ", 6, HG_BASE64_PROTO_JSON, out, &n), 0);
  ck_assert_uint_eq(n, 4);
  ck_assert_int_eq(memcmp(out, "ManM", 4), 0);
  ck_assert_int_eq(hg_base64_decode("TWFuTWE", 7, HG_BASE64_JWT, out, &n), 0);
  ck_assert_uint_eq(n, 5);
  ck_assert_int_eq(memcmp(out, "ManMa", 5), 0);
  ck_assert_uint_le(n, HG_BASE64_DECODED_MAX(7));
}
END_TEST

START_TEST(test_encode_pads_or_not) {
  static const struct {
    const char *in;
    unsigned flags;
    const char *out;
  } cases[] = {
      {"", HG_BASE64_STD | HG_BASE64_PAD, ""},
      {"M", HG_BASE64_STD | HG_BASE64_PAD, "TQ=="},
      {"Ma", HG_BASE64_STD | HG_BASE64_PAD, "TWE="},
      {"Man", HG_BASE64_STD | HG_BASE64_PAD, "TWFu"},
      {"M", HG_BASE64_JWT, "TQ"},
      {"\xfb\xff\xbf", HG_BASE64_STD, "+/+/"},
      {"\xfb\xff\xbf", HG_BASE64_URL, "-_-_"},
      {"\xfb\xff", HG_BASE64_URL | HG_BASE64_NOPAD, "-_8"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[16];
    size_t len = strlen(cases[i].in);
    size_t n = hg_base64_encode((const uint8_t *)cases[i].in, len, cases[i].flags, out);
    ck_assert_uint_le(n, HG_BASE64_ENCODED_LEN(len));
    out[n] = '\0';
    ck_assert_str_eq(out, cases[i].out);
  }
}
END_TEST

int main(void) {
  TEST_RUN("base64", 0, test_strict_table, test_forms_table, test_url_alphabet_decodes_62_and_63,
           test_unpadded_tail_decodes, test_encode_pads_or_not);
}
