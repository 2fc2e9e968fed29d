/* etcd_fixture.h - what every tests/etcd suite shares: one real etcd member per executable,
 * started before the first test and stopped after the last by the Check runner's own
 * process (an unchecked fixture: a failing test ends only its forked process, so the stop
 * always runs), and a client per test, made inside the test's process. */
#ifndef HANGAR_TEST_ETCD_FIXTURE_H
#define HANGAR_TEST_ETCD_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "etcd_member.h"
#include "../unit/test_run.h"
#include "storage/etcd_client.h"

static etcd_member_t member;
static int member_started;

static void member_setup(void) { member_started = etcd_member_start(&member) == 0; }
static void member_teardown(void) { etcd_member_stop(&member); }

/* A client of the member (endpoints NULL) or of endpoints; fails the test if it cannot. */
static inline etcd_client_t *client_of(const char *endpoints) {
  etcd_client_t *c = NULL;
  ck_assert_msg(member_started, "the etcd member did not start (its log is above)");
  ck_assert_int_eq(etcd_client_new(endpoints ? endpoints : member.client, NULL, &c), 0);
  return c;
}

/* Puts key=value; the store's revision after it. */
static inline int64_t put_ok(etcd_client_t *c, const char *key, const char *value) {
  int64_t rev = 0;
  etcd_err_t err = {0};
  int rc = etcd_put(c, hg_str_c(key), hg_str_c(value), 0, &rev, &err);
  ck_assert_msg(rc == 0, "put %s: %s (%s)", key, etcd_err_name(rc), err.message);
  return rev;
}

/* The tests in order, in one case with the member around them. */
static inline int etcd_suite_run(const char *name, const TTest *const *tests, size_t n) {
  return test_run_fixture(name, tests, n, 60, member_setup, member_teardown);
}

#define ETCD_SUITE_RUN(name, ...)                                                                  \
  do {                                                                                             \
    const TTest *const tests_[] = {__VA_ARGS__};                                                   \
    return etcd_suite_run((name), tests_, sizeof tests_ / sizeof tests_[0]);                       \
  } while (0)

#endif
