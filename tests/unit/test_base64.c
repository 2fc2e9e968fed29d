/* test_base64.c - common/base64: strict validity (validator.js isBase64) and decoding. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

START_TEST(test_base64_table) {
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
    ck_assert_msg(hg_base64_valid(cases[i].in, strlen(cases[i].in)) == cases[i].valid, "%s",
                  cases[i].in);
    int rc = hg_base64_decode(cases[i].in, strlen(cases[i].in), a, &out, &n);
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

int main(void) {
  Suite *s = suite_create("base64");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_base64_table);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
