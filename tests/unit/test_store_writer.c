/* test_store_writer.c - the writer queue's bounds (storage/store_writer.c): past queue_max a
 * write is refused at once with STORE_BUSY, and a write whose deadline passed while the
 * writer was stalled is dropped unrun with STORE_EXPIRED, committing nothing. */
#include "test_store_fixture.h"

#include <pthread.h>

#include "common/clock.h"
#include "test_run.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int gate_entered, gate_open, done_n;

/* Holds the writer thread until open_gate(), after telling the test it holds it. */
static int gate_run(store_txn_t *t, void *arg) {
  (void)t, (void)arg;
  pthread_mutex_lock(&mu);
  gate_entered = 1;
  pthread_cond_broadcast(&cv);
  while (!gate_open) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return 0;
}

static void stall_writer(store_t *s) {
  gate_entered = gate_open = done_n = 0;
  ck_assert_int_eq(store_submit(s, gate_run, NULL, NULL), 0);
  pthread_mutex_lock(&mu);
  while (!gate_entered) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

static void open_gate(void) {
  pthread_mutex_lock(&mu);
  gate_open = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

typedef struct job {
  op_t op;
  int ran, rc;
} job_t;

static int job_run(store_txn_t *t, void *arg) {
  job_t *j = arg;
  j->ran = 1;
  return apply(t, &j->op);
}

static void job_done(void *arg, int rc) {
  pthread_mutex_lock(&mu);
  ((job_t *)arg)->rc = rc;
  done_n++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void wait_done(int n) {
  pthread_mutex_lock(&mu);
  while (done_n < n) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

START_TEST(test_queue_past_its_bound_is_busy) {
  setup();
  store_opts_t opts = {.queue_max = 2};
  store_t *s = NULL;
  char buf[256];
  ck_assert_int_eq(test_store_open(dir, &schema, &opts, &s), 0);
  job_t a = {{T_ITEMS, "a", "A", NULL, NULL, NULL, 0, 0}, 0, -1};
  job_t b = {{T_ITEMS, "b", "B", NULL, NULL, NULL, 0, 0}, 0, -1};
  job_t c = {{T_ITEMS, "c", "C", NULL, NULL, NULL, 0, 0}, 0, -1};
  stall_writer(s);
  ck_assert_int_eq(store_submit(s, job_run, job_done, &a), 0);
  ck_assert_int_eq(store_submit(s, job_run, job_done, &b), 0);
  ck_assert_int_eq(store_submit(s, job_run, job_done, &c), STORE_BUSY);
  open_gate();
  wait_done(2);
  ck_assert_int_eq(a.rc, 0);
  ck_assert_int_eq(b.rc, 0);
  ck_assert_int_eq(c.ran, 0);
  ck_assert_int_eq(get(s, T_ITEMS, "c", buf), STORE_NOTFOUND);
  /* Drained, the queue takes writes again. */
  ck_assert_int_eq(put(s, "c", "C", NULL, NULL, NULL), 0);
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_write_past_its_deadline_is_dropped_unrun) {
  setup();
  store_t *s = open_store();
  char buf[256];
  job_t late = {{T_ITEMS, "late", "L", "g", "n", NULL, 0, 0}, 0, -1};
  job_t timely = {{T_ITEMS, "ok", "O", "g", NULL, NULL, 0, 0}, 0, -1};
  stall_writer(s);
  store_write_opts_t soon = {.deadline_ms = hg_monotonic_ms() + 20};
  store_write_opts_t later = {.deadline_ms = hg_monotonic_ms() + 600000};
  ck_assert_int_eq(store_submit_opts(s, job_run, job_done, &late, &soon), 0);
  ck_assert_int_eq(store_submit_opts(s, job_run, job_done, &timely, &later), 0);
  /* The writer stays stalled until the first deadline has certainly passed. */
  while (hg_monotonic_ms() <= soon.deadline_ms) {
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
  }
  open_gate();
  wait_done(2);
  ck_assert_int_eq(late.rc, STORE_EXPIRED);
  ck_assert_int_eq(late.ran, 0);
  ck_assert_int_eq(timely.rc, 0);
  ck_assert_int_eq(get(s, T_ITEMS, "late", buf), STORE_NOTFOUND);
  ck_assert_int_eq(by_index(s, I_NAME, "n", buf), STORE_NOTFOUND);
  ck_assert_uint_eq(group_count(s, "g"), 1);
  store_close(s);
  teardown();
}
END_TEST

START_TEST(test_store_write_opts_reports_expiry) {
  setup();
  store_t *s = open_store();
  char buf[256];
  job_t j = {{T_ITEMS, "x", "X", NULL, NULL, NULL, 0, 0}, 0, -1};
  store_write_opts_t past = {.deadline_ms = hg_monotonic_ms() - 1};
  ck_assert_int_eq(store_write_opts(s, job_run, &j, &past), STORE_EXPIRED);
  ck_assert_int_eq(j.ran, 0);
  ck_assert_int_eq(get(s, T_ITEMS, "x", buf), STORE_NOTFOUND);
  store_close(s);
  teardown();
}
END_TEST

int main(void) {
  TEST_RUN("store_writer", 60, test_queue_past_its_bound_is_busy,
           test_write_past_its_deadline_is_dropped_unrun, test_store_write_opts_reports_expiry);
}
