/* test_store_metrics.c - the store's gauges and histograms (storage/store_metrics.c) with
 * work in flight: while the writer thread is held inside a write, the writes submitted after
 * it wait in the queue and hangar_store_write_queue_depth counts exactly them; once the
 * writer is let go every write commits, the depth is back to 0 and the commit histograms
 * have counted the batches. A real store in a temporary directory. */
#include <pthread.h>
#include <time.h>

#include "common/buf.h"
#include "test_run.h"
#include "test_store_fixture.h"

#define WAITING 3

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int holding, released, done_n;

/* The first write: tells the test it runs, then holds the writer thread until released. */
static int hold(store_txn_t *txn, void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  holding = 1;
  pthread_cond_broadcast(&cv);
  while (!released) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return apply(txn, &(op_t){.table = T_PLAIN, .key = "held", .val = "1"});
}

static int put_one(store_txn_t *txn, void *arg) {
  return apply(txn, &(op_t){.table = T_PLAIN, .key = arg, .val = "v"});
}

static void done(void *arg, int rc) {
  (void)arg;
  ck_assert_int_eq(rc, 0);
  pthread_mutex_lock(&mu);
  done_n++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

/* The value of the sample line "<name> <value>" in s's exposition. */
static double sample(store_t *s, const char *name) {
  hg_buf_t out = HG_BUF_INIT;
  char want[128];
  ck_assert_int_eq(store_metrics(s, &out), 0);
  snprintf(want, sizeof(want), "\n%s ", name);
  const char *at = strstr(out.p, want);
  ck_assert_msg(at != NULL, "no sample %s in:\n%s", name, out.p);
  double v = strtod(at + strlen(want), NULL);
  hg_buf_free(&out);
  return v;
}

START_TEST(test_queue_depth_counts_writes_waiting_for_the_writer) {
  static char keys[WAITING][8];
  setup();
  store_t *s = open_store();
  ck_assert(sample(s, "hangar_store_write_queue_depth") == 0);
  double commits = sample(s, "hangar_store_commit_duration_seconds_count");
  ck_assert_int_eq(store_submit(s, hold, done, NULL), 0);
  pthread_mutex_lock(&mu);
  while (!holding) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < WAITING; i++) {
    snprintf(keys[i], sizeof(keys[i]), "k%d", i);
    ck_assert_int_eq(store_submit(s, put_one, done, keys[i]), 0);
    ck_assert(sample(s, "hangar_store_write_queue_depth") == i + 1);
  }
  pthread_mutex_lock(&mu);
  released = 1;
  pthread_cond_broadcast(&cv);
  while (done_n < WAITING + 1) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  ck_assert(sample(s, "hangar_store_write_queue_depth") == 0);
  /* the held write's batch, then the waiting ones in one or more batches */
  double batches = sample(s, "hangar_store_commit_duration_seconds_count") - commits;
  ck_assert_msg(batches >= 2 && batches <= WAITING + 1, "%f batches", batches);
  ck_assert(sample(s, "hangar_store_commit_batch_writes_sum") >= WAITING + 1);
  store_close(s);
  teardown();
}
END_TEST

int main(void) {
  TEST_RUN("store_metrics", 30, test_queue_depth_counts_writes_waiting_for_the_writer);
}
