/* store_writer.c - group commit: one writer thread turns queued writes into few durable
 * transactions.
 *
 * A durable LMDB commit costs an fsync whatever it contains, so committing writes one by one
 * caps a service at its disk's fsync rate. Instead every write is queued; the writer takes
 * all that are waiting (up to batch_max), runs each in a nested transaction of one parent
 * (a write that fails is rolled back alone), commits the parent once, and only then reports
 * each write's result. Writes that arrive during an fsync form the next batch, so a batch
 * grows with the load and no write waits for a timer.
 *
 * On an engine shared by several processes (etcd) a commit can lose to another process's:
 * nothing was written, and the whole part runs again on a fresh snapshot, its write
 * functions called again (they derive everything from the txn, so a re-run is the same write
 * on newer data). A part also ends before a write that would make it more than one engine
 * commit may carry (etcd's --max-txn-ops and request size); that write starts the next.
 *
 * The queue is bounded (queue_max): past it a write is refused at once with STORE_BUSY, so a
 * stalled disk turns into quick 503s instead of memory growth and writes that commit long
 * after their callers gave up. For the same reason a write whose deadline passed while it
 * waited is dropped before it runs (STORE_EXPIRED), and nothing is committed for it. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "common/clock.h"
#include "common/random.h"
#include "storage/store_internal.h"

struct store__job {
  store__job_t *next;
  store_write_fn fn;
  void *fn_arg;
  store_done_fn done;
  void *done_arg;
  store_write_opts_t opts;
  int rc;
};

/* Blocks until writes are queued; detaches up to batch_max of them. NULL once the store is
 * closing and the queue is empty. */
static store__job_t *take_batch(store_t *s) {
  pthread_mutex_lock(&s->mu);
  while (!s->head && !s->closing) pthread_cond_wait(&s->queued, &s->mu);
  store__job_t *batch = s->head, *last = batch;
  int n = batch ? 1 : 0;
  for (; last && n < s->batch_max && last->next; n++) last = last->next;
  s->queued_n -= n;
  if (last) {
    s->head = last->next;
    last->next = NULL;
    if (!s->head) s->tail = NULL;
  }
  pthread_mutex_unlock(&s->mu);
  return batch;
}

/* Runs one write in a child of parent: kept on 0, rolled back alone otherwise. An engine
 * error the write function ignored still rolls it back, and so does, in a full store, a
 * write that grew the trees (only deletes, same-size updates and, by a few pages, writes that
 * start a removal may use the reserve). A write whose deadline passed while it was queued
 * does not run. 1 (and the write rolled back, j->rc untouched) when the write would make
 * the parent more than one commit can carry (etcd's limits): the batch must end before it. */
static int run_one(store_t *s, store_txn_t *parent, store__job_t *j) {
  const store__engine_t *e = s->eng;
  store_txn_t t = {.s = s};
  size_t before = 0;
  int full = store_full(s);
  if (j->opts.deadline_ms && hg_monotonic_ms() >= j->opts.deadline_ms) {
    j->rc = STORE_EXPIRED;
    return 0;
  }
  int rc = e->nested_begin(parent, &t), begun = rc == 0;
  if (rc == 0 && full) before = e->tree_pages(&t);
  if (rc == 0) rc = j->fn(&t, j->fn_arg);
  if (rc == 0 && t.err) rc = t.err;
  size_t slack = (j->opts.flags & STORE_WRITE_RELEASES) ? STORE_RELEASE_SLACK_PAGES : 0;
  if (rc == 0 && full && e->tree_pages(&t) > before + slack) rc = STORE_FULL;
  if (rc == 0 && e->txn_too_big(&t)) {
    e->nested_abort(&t);
    return 1;
  }
  if (rc == 0)
    rc = e->nested_commit(&t);
  else if (begun)
    e->nested_abort(&t);
  j->rc = rc;
  /* The map's end was hit before the line was measured: full until the next measurement. */
  if (rc == STORE_FULL) atomic_store(&s->full, 1);
  return 0;
}

/* The durable commit; a fault injected here stands for a failed fsync. */
static int commit(store_t *s, store_txn_t *parent) {
  int rc = store__fault(s);
  if (rc != 0) {
    s->eng->txn_abort(parent);
    return rc;
  }
  return s->eng->txn_commit(parent);
}

/* Reports every write of [batch, end) and frees them. If the part failed as a whole (rc),
 * nothing was written: writes that had succeeded get rc, failed ones keep their own code. */
static void finish(store__job_t *batch, const store__job_t *end, int rc) {
  while (batch != end) {
    store__job_t *next = batch->next;
    int r = batch->rc ? batch->rc : rc;
    if (batch->done) batch->done(batch->done_arg, r);
    free(batch);
    batch = next;
  }
}

/* Runs the writes from batch on in one write txn and commits it. *end: the first write that
 * did not fit (NULL: all did); it and those after it are the next part's. A write alone too
 * big for one commit fails STORE_FULL. STORE__RETRY: another process committed first;
 * nothing was written and the part may run again from scratch. */
static int run_part(store_t *s, store__job_t *batch, store__job_t **end) {
  store_txn_t parent = {.s = s};
  uint64_t n = 0;
  atomic_store(&s->full, s->eng->space_over(s));
  int rc = s->eng->txn_begin(&parent, 0);
  for (store__job_t *j = batch; j != *end && rc == 0; j = j->next, n++) {
    j->rc = 0;
    if (run_one(s, &parent, j) == 0) continue;
    if (j != batch) {
      *end = j;
      break;
    }
    j->rc = STORE_FULL;
  }
  if (rc != 0) return rc;
  int64_t t0 = hg_monotonic_us();
  rc = commit(s, &parent);
  prom_histogram_observe(&s->commit_us, (uint64_t)(hg_monotonic_us() - t0));
  prom_histogram_observe(&s->batch_writes, n);
  return rc;
}

/* A part that loses to another process's commits this many times in a row fails
 * STORE_CONTENDED: its writes did not run, so the caller may send them again. Between tries
 * the writer backs off for a random time below a bound that doubles from 1 ms up to
 * BACKOFF_MAX_MS (about 1.5 s in all), so that replicas that keep colliding drift apart
 * instead of colliding in lockstep: every write of a store takes the store-wide version
 * counter, so two replicas' writes always conflict and only time can separate them. */
#define WRITE_TRIES 16
#define BACKOFF_MAX_MS 128

static void backoff(int attempt, uint64_t *seed) {
  int64_t bound = (int64_t)1 << (attempt < 7 ? attempt : 7);
  if (bound > BACKOFF_MAX_MS) bound = BACKOFF_MAX_MS;
  uint64_t us = hg_splitmix64_next(seed) % (uint64_t)(bound * 1000);
  struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

static void run_batch(store_t *s, store__job_t *batch) {
  uint64_t seed = (uint64_t)hg_monotonic_us() ^ (uint64_t)(uintptr_t)s;
  while (batch) {
    store__job_t *end = NULL;
    int rc = STORE__RETRY;
    for (int i = 0; i < WRITE_TRIES && rc == STORE__RETRY; i++) {
      if (i > 0) backoff(i, &seed);
      rc = run_part(s, batch, &end);
    }
    if (rc == STORE__RETRY) rc = STORE_CONTENDED;
    if (rc == STORE_FULL) atomic_store(&s->full, 1);
    if (rc == 0) store__hub_notify(s);
    finish(batch, end, rc);
    batch = end;
  }
}

static void *writer_main(void *arg) {
  store_t *s = arg;
  store__job_t *batch;
  while ((batch = take_batch(s)) != NULL) run_batch(s, batch);
  return NULL;
}

int store__writer_start(store_t *s) {
  if (pthread_create(&s->writer, NULL, writer_main, s) != 0) return STORE_ENOMEM;
  s->writer_started = 1;
  return 0;
}

void store__writer_stop(store_t *s) {
  pthread_mutex_lock(&s->mu);
  s->closing = 1;
  pthread_cond_signal(&s->queued);
  pthread_mutex_unlock(&s->mu);
  if (s->writer_started) pthread_join(s->writer, NULL);
  s->writer_started = 0;
}

static int enqueue(store_t *s, store_write_fn fn, void *fn_arg, store_done_fn done, void *done_arg,
                   const store_write_opts_t *opts) {
  static const store_write_opts_t none = {0};
  if (!s || !fn) return STORE_EINVAL;
  store__job_t *j = calloc(1, sizeof(*j));
  if (!j) return STORE_ENOMEM;
  *j = (store__job_t){.fn = fn, .fn_arg = fn_arg, .done = done, .done_arg = done_arg};
  j->opts = opts ? *opts : none;
  pthread_mutex_lock(&s->mu);
  int rc = s->closing ? STORE_ECLOSED : s->queued_n >= s->queue_max ? STORE_BUSY : 0;
  if (rc == 0) {
    if (s->tail)
      s->tail->next = j;
    else
      s->head = j;
    s->tail = j;
    s->queued_n++;
    pthread_cond_signal(&s->queued);
  }
  pthread_mutex_unlock(&s->mu);
  if (rc) free(j);
  return rc;
}

int store_submit(store_t *s, store_write_fn fn, store_done_fn done, void *arg) {
  return enqueue(s, fn, arg, done, arg, NULL);
}

int store_submit_opts(store_t *s, store_write_fn fn, store_done_fn done, void *arg,
                      const store_write_opts_t *opts) {
  return enqueue(s, fn, arg, done, arg, opts);
}

/* store_write's waiter shares the store's mutex, which outlives it: the writer signals and
 * unlocks before the waiter can wake and destroy its condition variable. */
typedef struct waiter {
  store_t *s;
  pthread_cond_t cv;
  int done;
  int rc;
} waiter_t;

static void wake(void *arg, int rc) {
  waiter_t *w = arg;
  pthread_mutex_lock(&w->s->mu);
  w->rc = rc;
  w->done = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->s->mu);
}

int store_write(store_t *s, store_write_fn fn, void *arg) {
  return store_write_opts(s, fn, arg, NULL);
}

int store_write_opts(store_t *s, store_write_fn fn, void *arg, const store_write_opts_t *opts) {
  waiter_t w = {.s = s};
  if (s && s->writer_started && pthread_equal(pthread_self(), s->writer)) return STORE_EINVAL;
  pthread_cond_init(&w.cv, NULL);
  int rc = enqueue(s, fn, arg, wake, &w, opts);
  if (rc == 0) {
    pthread_mutex_lock(&s->mu);
    while (!w.done) pthread_cond_wait(&w.cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    rc = w.rc;
  }
  pthread_cond_destroy(&w.cv);
  return rc;
}
