/* test_run.h - the one main() every Check suite in tests/unit needs: one suite, one case,
 * the file's tests in order. Include it after <check.h>. */
#ifndef HANGAR_TEST_RUN_H
#define HANGAR_TEST_RUN_H

#include <check.h>
#include <stdlib.h>

/* Runs tests[0..n) as suite `name`; timeout_s > 0 overrides Check's default (and
 * CK_DEFAULT_TIMEOUT). setup and teardown (NULL: none) run once around them all, in the
 * runner's own process (an unchecked fixture: a failing test ends only its forked process,
 * so teardown always runs). The process exit status. */
static inline int test_run_fixture(const char *name, const TTest *const *tests, size_t n,
                                   double timeout_s, SFun setup, SFun teardown) {
  Suite *s = suite_create(name);
  TCase *tc = tcase_create("core");
  if (setup || teardown) tcase_add_unchecked_fixture(tc, setup, teardown);
  if (timeout_s > 0) tcase_set_timeout(tc, timeout_s);
  for (size_t i = 0; i < n; i++) tcase_add_test(tc, tests[i]);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static inline int test_run(const char *name, const TTest *const *tests, size_t n,
                           double timeout_s) {
  return test_run_fixture(name, tests, n, timeout_s, NULL, NULL);
}

#define TEST_RUN(name, timeout_s, ...)                                                             \
  do {                                                                                             \
    const TTest *const tests_[] = {__VA_ARGS__};                                                   \
    return test_run((name), tests_, sizeof tests_ / sizeof tests_[0], (timeout_s));                \
  } while (0)

#endif
