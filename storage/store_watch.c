/* store_watch.c - the watch thread: follows the change log for every open watch.
 *
 * One thread per store, started by the first watch. Each commit bumps a counter and wakes
 * it; it then serves the watches one by one, each from the version it last delivered, in
 * a read transaction of the round. A round hands a watch at most ROUND_MAX changes, so one
 * watch far behind cannot starve the others; a watch that got that many, or paused because
 * its consumer was full, makes the thread go round again (after PAUSE_MS for a paused
 * one: it waits for a consumer, never for the store).
 *
 * On an engine that other processes write too (etcd: the engine's poll_ms, 100 ms), their
 * commits wake nobody here, so the thread also goes round every poll_ms while watches are
 * open: a watch sees another replica's write within about that long.
 *
 * store_watch_stop must not free a watch the thread is calling into: the thread marks the
 * watch it serves (hub.serving), and stop waits until it is no longer that one before it
 * unlinks it. The thread picks the next watch under the lock, so a watch it is about to
 * serve cannot be unlinked in between. */
#include <stdlib.h>
#include <time.h>

#include "storage/store_internal.h"

#define ROUND_MAX 256
#define PAUSE_MS 20

struct store_watch {
  store_watch_t *prev, *next; /* hub.watches, under hub.mu */
  store_t *s;
  store_watch_fn fn;
  void *arg;
  uint64_t after; /* the last version delivered */
  int done;       /* fn will not be called again */
  int paused;     /* the last call answered STORE_WATCH_PAUSE */
  int stopping;
};

void store__hub_init(store_t *s) {
  store__hub_t *h = &s->hub;
  pthread_mutex_init(&h->mu, NULL);
  pthread_cond_init(&h->wake, NULL);
  pthread_cond_init(&h->idle, NULL);
}

void store__hub_notify(store_t *s) {
  store__hub_t *h = &s->hub;
  pthread_mutex_lock(&h->mu);
  h->commits++;
  if (h->started) pthread_cond_signal(&h->wake);
  pthread_mutex_unlock(&h->mu);
}

/* What a round did for one watch: whether it needs another round soon. */
typedef struct serve {
  store_watch_t *w;
  size_t n;
  int rc; /* fn's last answer */
} serve_t;

static int deliver(void *arg, const store_change_t *c) {
  serve_t *sv = arg;
  store_watch_t *w = sv->w;
  sv->rc = w->fn(w->arg, c, 0);
  if (sv->rc != 0) return sv->rc;
  w->after = c->version;
  sv->n++;
  return 0;
}

/* Serves w in txn; 1 when w wants another round now, 2 after a pause, 0 when caught up. */
static int serve(store_txn_t *txn, store_watch_t *w) {
  serve_t sv = {.w = w};
  int rc = store_changes(txn, w->after, ROUND_MAX, deliver, &sv);
  w->paused = sv.rc == STORE_WATCH_PAUSE;
  if (w->paused) return 2;
  if (sv.rc != 0) {
    w->done = 1;
    return 0;
  }
  if (rc != 0) { /* the store ends the watch */
    w->done = 1;
    w->fn(w->arg, NULL, rc);
    return 0;
  }
  return sv.n == ROUND_MAX;
}

/* The next watch to serve after prev (NULL: the first), marked as served; NULL at the end. */
static store_watch_t *next_locked(store__hub_t *h, store_watch_t *prev) {
  store_watch_t *w = prev ? prev->next : h->watches;
  while (w && (w->done || w->stopping)) w = w->next;
  h->serving = w;
  pthread_cond_broadcast(&h->idle);
  return w;
}

/* One round over every watch; what serve() said, the most urgent of all. */
static int round_all(store_t *s) {
  store__hub_t *h = &s->hub;
  store_txn_t *txn = NULL;
  int again = 0;
  if (store_txn_begin_read(s, &txn) != 0) return 2; /* try again after a pause */
  pthread_mutex_lock(&h->mu);
  for (store_watch_t *w = next_locked(h, NULL); w; w = next_locked(h, w)) {
    pthread_mutex_unlock(&h->mu);
    int r = serve(txn, w);
    if (r == 1 || (r == 2 && again == 0)) again = r;
    pthread_mutex_lock(&h->mu);
  }
  pthread_mutex_unlock(&h->mu);
  store_txn_end(txn);
  return again;
}

/* Waits on hub.wake for at most ms (h->mu held). */
static void wait_ms(store__hub_t *h, int ms) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += ms * 1000000L;
  while (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(&h->wake, &h->mu, &until);
}

static void *hub_main(void *arg) {
  store_t *s = arg;
  store__hub_t *h = &s->hub;
  uint64_t seen = 0;
  int again = 1; /* a new watch catches up at once */
  pthread_mutex_lock(&h->mu);
  while (!h->closing) {
    if (again == 2 && seen == h->commits) {
      wait_ms(h, PAUSE_MS);
    } else if (again == 0 && s->eng->poll_ms > 0) {
      if (seen == h->commits) wait_ms(h, s->eng->poll_ms);
    } else if (again == 0) {
      while (!h->closing && seen == h->commits) pthread_cond_wait(&h->wake, &h->mu);
    }
    if (h->closing) break;
    seen = h->commits;
    pthread_mutex_unlock(&h->mu);
    again = round_all(s);
    pthread_mutex_lock(&h->mu);
  }
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

int store_watch_start(store_t *s, uint64_t after, store_watch_fn fn, void *arg,
                      store_watch_t **out) {
  store__hub_t *h;
  store_txn_t *txn = NULL;
  uint64_t floor = 0;
  if (!s || !fn || !out || after == UINT64_MAX) return STORE_EINVAL;
  h = &s->hub;
  int rc = store_txn_begin_read(s, &txn);
  if (rc == 0) rc = store__log_floor(txn, &floor);
  store_txn_end(txn);
  if (rc != 0) return rc;
  if (after < floor) return STORE_COMPACTED;
  store_watch_t *w = calloc(1, sizeof(*w));
  if (!w) return STORE_ENOMEM;
  *w = (store_watch_t){.s = s, .fn = fn, .arg = arg, .after = after};
  pthread_mutex_lock(&h->mu);
  rc = h->closing ? STORE_ECLOSED : 0;
  if (rc == 0 && !h->started) {
    if (pthread_create(&h->thread, NULL, hub_main, s) != 0)
      rc = STORE_ENOMEM;
    else
      h->started = 1;
  }
  if (rc == 0) {
    w->next = h->watches;
    if (w->next) w->next->prev = w;
    h->watches = w;
    h->commits++; /* a round, so that the new watch catches up */
    pthread_cond_signal(&h->wake);
  }
  pthread_mutex_unlock(&h->mu);
  if (rc != 0) {
    free(w);
    return rc;
  }
  *out = w;
  return 0;
}

void store_watch_stop(store_watch_t *w) {
  if (!w) return;
  store__hub_t *h = &w->s->hub;
  pthread_mutex_lock(&h->mu);
  w->stopping = 1;
  while (h->serving == w) pthread_cond_wait(&h->idle, &h->mu);
  if (w->prev)
    w->prev->next = w->next;
  else
    h->watches = w->next;
  if (w->next) w->next->prev = w->prev;
  pthread_mutex_unlock(&h->mu);
  free(w);
}

void store__hub_close(store_t *s) {
  store__hub_t *h = &s->hub;
  pthread_mutex_lock(&h->mu);
  h->closing = 1;
  pthread_cond_signal(&h->wake);
  int started = h->started;
  pthread_mutex_unlock(&h->mu);
  if (started) pthread_join(h->thread, NULL);
  h->started = 0;
  pthread_cond_destroy(&h->idle);
  pthread_cond_destroy(&h->wake);
  pthread_mutex_destroy(&h->mu);
}
