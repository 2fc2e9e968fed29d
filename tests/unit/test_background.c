/* test_background.c - common/background: the pass loop's sleeps, wakes, pauses and stop. */
#include <check.h>
#include <stdatomic.h>
#include <time.h>

#include "common/background.h"
#include "common/clock.h"

#include "test_run.h"

#define HOUR_MS (3600 * 1000)

typedef struct probe {
  atomic_int passes;
  int again;        /* passes that ask for the next one at once */
  int wake_in_pass; /* the first pass wakes its own loop */
  int64_t pause_ms; /* > 0: each pass pauses this long first */
  atomic_int paused_to_stop;
  atomic_llong paused_for;
} probe_t;

static int64_t pass(hg_background_t *bg, void *arg) {
  probe_t *p = arg;
  int n = atomic_fetch_add(&p->passes, 1) + 1;
  if (p->wake_in_pass && n == 1) hg_background_wake(bg);
  if (p->pause_ms > 0) {
    int64_t t0 = hg_monotonic_ms();
    int stopped = hg_background_pause(bg, p->pause_ms);
    atomic_store(&p->paused_for, hg_monotonic_ms() - t0);
    atomic_store(&p->paused_to_stop, stopped);
  }
  return n <= p->again ? 0 : HOUR_MS;
}

/* Waits (10 s at most) until p has run at least n passes. */
static int wait_passes(probe_t *p, int n) {
  for (int i = 0; i < 1000 && atomic_load(&p->passes) < n; i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  return atomic_load(&p->passes);
}

START_TEST(test_first_pass_runs_at_once_and_a_wake_ends_the_sleep) {
  probe_t p = {0};
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start(pass, &p, 0, &bg), 0);
  ck_assert_int_eq(wait_passes(&p, 1), 1);
  hg_background_wake(bg); /* the pass asked for an hour */
  ck_assert_int_eq(wait_passes(&p, 2), 2);
  hg_background_stop(bg); /* ends the next hour's sleep too */
  ck_assert_int_eq(atomic_load(&p.passes), 2);
}
END_TEST

START_TEST(test_no_sleep_runs_the_next_pass_at_once) {
  probe_t p = {.again = 5};
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start(pass, &p, 0, &bg), 0);
  ck_assert_int_eq(wait_passes(&p, 6), 6);
  hg_background_stop(bg);
  ck_assert_int_eq(atomic_load(&p.passes), 6);
}
END_TEST

START_TEST(test_a_wake_during_a_pass_is_kept_for_its_sleep) {
  probe_t p = {.wake_in_pass = 1};
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start(pass, &p, 0, &bg), 0);
  ck_assert_int_eq(wait_passes(&p, 2), 2);
  hg_background_stop(bg);
}
END_TEST

START_TEST(test_a_pause_ignores_wakes_and_ends_on_stop) {
  probe_t p = {.pause_ms = 200, .wake_in_pass = 1}; /* pass 1 wakes, then pauses */
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start(pass, &p, 0, &bg), 0);
  ck_assert_int_eq(wait_passes(&p, 2), 2); /* the wake was kept for the sleep after pass 1 */
  ck_assert_int_ge(atomic_load(&p.paused_for), 200);
  ck_assert_int_eq(atomic_load(&p.paused_to_stop), 0);
  hg_background_stop(bg);

  probe_t q = {.pause_ms = HOUR_MS};
  ck_assert_int_eq(hg_background_start(pass, &q, 0, &bg), 0);
  ck_assert_int_eq(wait_passes(&q, 1), 1);
  hg_background_stop(bg); /* returns: the hour's pause ends on stop */
  ck_assert_int_eq(atomic_load(&q.paused_to_stop), 1);
  ck_assert_int_eq(atomic_load(&q.passes), 1);
}
END_TEST

static int64_t until_stopped(hg_background_t *bg, void *arg) {
  atomic_int *steps = arg;
  while (!hg_background_stopping(bg)) {
    atomic_fetch_add(steps, 1);
    hg_background_pause(bg, 1);
  }
  return HOUR_MS;
}

START_TEST(test_a_long_pass_sees_stopping) {
  atomic_int steps = 0;
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start(until_stopped, &steps, 0, &bg), 0);
  for (int i = 0; i < 1000 && atomic_load(&steps) < 3; i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  ck_assert_int_ge(atomic_load(&steps), 3);
  hg_background_stop(bg);
}
END_TEST

START_TEST(test_the_first_pass_waits_first_ms_or_a_wake) {
  probe_t p = {0};
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start(pass, &p, HOUR_MS, &bg), 0);
  nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
  ck_assert_int_eq(atomic_load(&p.passes), 0); /* an hour is not up */
  hg_background_wake(bg);
  ck_assert_int_eq(wait_passes(&p, 1), 1);
  hg_background_stop(bg);

  probe_t q = {0};
  ck_assert_int_eq(hg_background_start(pass, &q, HOUR_MS, &bg), 0);
  hg_background_stop(bg); /* stop ends the wait, and no pass runs */
  ck_assert_int_eq(atomic_load(&q.passes), 0);
}
END_TEST

/* A gate the test opens and closes: what an election answers, without etcd. */
typedef struct switch_gate {
  atomic_int open;   /* check answers this */
  atomic_int held;   /* holding answers this */
  atomic_int checks; /* calls of check */
} switch_gate_t;

static int gate_check(void *arg) {
  switch_gate_t *g = arg;
  atomic_fetch_add(&g->checks, 1);
  int open = atomic_load(&g->open);
  atomic_store(&g->held, open);
  return open;
}

static int gate_holding(void *arg) { return atomic_load(&((switch_gate_t *)arg)->held); }

static hg_gate_t gate_of(switch_gate_t *g) {
  return (hg_gate_t){.check = gate_check, .holding = gate_holding, .recheck_ms = 20, .arg = g};
}

/* Waits (10 s at most) until g was checked at least n times. */
static int wait_checks(switch_gate_t *g, int n) {
  for (int i = 0; i < 1000 && atomic_load(&g->checks) < n; i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  return atomic_load(&g->checks);
}

START_TEST(test_a_closed_gate_runs_no_pass_until_it_opens) {
  switch_gate_t g = {0};
  hg_gate_t gate = gate_of(&g);
  probe_t p = {0};
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start_gated(pass, &p, 0, &gate, &bg), 0);
  ck_assert_int_ge(wait_checks(&g, 5), 5); /* rechecked while closed ... */
  hg_background_wake(bg);                  /* ... and a wake does not get past it */
  ck_assert_int_ge(wait_checks(&g, 7), 7);
  ck_assert_int_eq(atomic_load(&p.passes), 0);
  ck_assert_int_eq(hg_background_holding(bg), 0);
  atomic_store(&g.open, 1);
  ck_assert_int_eq(wait_passes(&p, 1), 1);
  ck_assert_int_eq(hg_background_holding(bg), 1);
  hg_background_stop(bg);
}
END_TEST

START_TEST(test_a_gate_that_closes_stops_the_passes) {
  switch_gate_t g = {.open = 1};
  hg_gate_t gate = gate_of(&g);
  probe_t p = {.again = 1000000}; /* every pass asks for the next at once */
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start_gated(pass, &p, 0, &gate, &bg), 0);
  ck_assert_int_ge(wait_passes(&p, 3), 3);
  atomic_store(&g.open, 0);
  int checks = atomic_load(&g.checks);
  ck_assert_int_ge(wait_checks(&g, checks + 2), checks + 2); /* a check saw it closed */
  int passes = atomic_load(&p.passes);
  ck_assert_int_ge(wait_checks(&g, checks + 5), checks + 5);
  ck_assert_int_eq(atomic_load(&p.passes), passes);
  hg_background_stop(bg);
}
END_TEST

static int64_t until_lapsed(hg_background_t *bg, void *arg) {
  atomic_int *steps = arg;
  while (!hg_background_stopping(bg) && atomic_fetch_add(steps, 1) < 100000)
    hg_background_pause(bg, 1);
  return HOUR_MS;
}

START_TEST(test_a_pass_sees_its_right_lapse) {
  switch_gate_t g = {.open = 1};
  hg_gate_t gate = gate_of(&g);
  gate.recheck_ms = HOUR_MS; /* no check comes to close it: only holding says so */
  atomic_int steps = 0;
  hg_background_t *bg;
  ck_assert_int_eq(hg_background_start_gated(until_lapsed, &steps, 0, &gate, &bg), 0);
  for (int i = 0; i < 1000 && atomic_load(&steps) < 3; i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  atomic_store(&g.held, 0); /* the lease may have expired */
  for (int i = 0; i < 1000 && hg_background_holding(bg); i++)
    nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  ck_assert_int_eq(hg_background_holding(bg), 0);
  int steps_then = atomic_load(&steps);
  nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
  ck_assert_int_eq(atomic_load(&steps), steps_then); /* the pass ended */
  ck_assert_int_lt(steps_then, 100000);
  hg_background_stop(bg);
}
END_TEST

START_TEST(test_a_gate_must_be_whole) {
  hg_gate_t gate = {.check = gate_check, .recheck_ms = 20};
  probe_t p = {0};
  hg_background_t *bg = NULL;
  ck_assert_int_eq(hg_background_start_gated(pass, &p, 0, &gate, &bg), -1);
  ck_assert_ptr_null(bg);
}
END_TEST

START_TEST(test_stop_of_null_is_a_no_op) { hg_background_stop(NULL); }
END_TEST

int main(void) {
  TEST_RUN(
      "background", 0, test_first_pass_runs_at_once_and_a_wake_ends_the_sleep,
      test_no_sleep_runs_the_next_pass_at_once, test_a_wake_during_a_pass_is_kept_for_its_sleep,
      test_a_pause_ignores_wakes_and_ends_on_stop, test_a_long_pass_sees_stopping,
      test_the_first_pass_waits_first_ms_or_a_wake, test_a_closed_gate_runs_no_pass_until_it_opens,
      test_a_gate_that_closes_stops_the_passes, test_a_pass_sees_its_right_lapse,
      test_a_gate_must_be_whole, test_stop_of_null_is_a_no_op);
}
