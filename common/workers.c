/* workers.c - a mutex, a condition variable and a ring of tasks: the queue is short and
 * each task is slow (milliseconds), so nothing finer pays. */
#include "common/workers.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct task {
  hg_task_fn fn;
  void *arg;
} task_t;

struct hg_workers {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  task_t *ring;
  size_t cap, head, n;
  int stopping;
  size_t n_threads;
  pthread_t threads[];
};

static void *run(void *arg) {
  hg_workers_t *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (w->n == 0 && !w->stopping) pthread_cond_wait(&w->cv, &w->mu);
    if (w->n == 0) break;
    task_t t = w->ring[w->head];
    w->head = (w->head + 1) % w->cap;
    w->n--;
    pthread_mutex_unlock(&w->mu);
    t.fn(t.arg);
    pthread_mutex_lock(&w->mu);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

int hg_workers_start(size_t n, size_t capacity, hg_workers_t **out) {
  if (n == 0 || capacity == 0) return -1;
  hg_workers_t *w = calloc(1, sizeof(*w) + n * sizeof(pthread_t));
  if (!w || !(w->ring = calloc(capacity, sizeof(task_t)))) {
    free(w);
    return -1;
  }
  w->cap = capacity;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  for (; w->n_threads < n; w->n_threads++)
    if (pthread_create(&w->threads[w->n_threads], NULL, run, w) != 0) {
      hg_workers_stop(w);
      return -1;
    }
  *out = w;
  return 0;
}

int hg_workers_submit(hg_workers_t *w, hg_task_fn fn, void *arg) {
  pthread_mutex_lock(&w->mu);
  int ok = !w->stopping && w->n < w->cap;
  if (ok) {
    w->ring[(w->head + w->n) % w->cap] = (task_t){fn, arg};
    w->n++;
    pthread_cond_signal(&w->cv);
  }
  pthread_mutex_unlock(&w->mu);
  return ok ? 0 : -1;
}

void hg_workers_stop(hg_workers_t *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->stopping = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  for (size_t i = 0; i < w->n_threads; i++) pthread_join(w->threads[i], NULL);
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  free(w->ring);
  free(w);
}
