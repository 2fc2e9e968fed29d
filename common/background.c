/* background.c - the background pass loop (background.h). */
#include "common/background.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "common/clock.h"

struct hg_background {
  hg_pass_fn pass;
  void *arg;
  int64_t first_ms;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stopping;
  int woken; /* a wake not yet taken by a sleep between passes */
};

/* Waits up to ms, until stop or (when wakeable) a wake; takes the wake. 1 when stopping. */
static int sleep_ms(hg_background_t *bg, int64_t ms, int wakeable) {
  struct timespec until = hg_timespec_after(CLOCK_MONOTONIC, ms > 0 ? ms : 0);
  pthread_mutex_lock(&bg->mu);
  while (ms > 0 && !bg->stopping && !(wakeable && bg->woken))
    if (pthread_cond_timedwait(&bg->cv, &bg->mu, &until) == ETIMEDOUT) break;
  if (wakeable) bg->woken = 0;
  int stop = bg->stopping;
  pthread_mutex_unlock(&bg->mu);
  return stop;
}

static void *loop(void *arg) {
  hg_background_t *bg = arg;
  if (bg->first_ms > 0 && sleep_ms(bg, bg->first_ms, 1)) return NULL;
  while (!hg_background_stopping(bg) && !sleep_ms(bg, bg->pass(bg, bg->arg), 1)) continue;
  return NULL;
}

int hg_background_start(hg_pass_fn pass, void *arg, int64_t first_ms, hg_background_t **out) {
  hg_background_t *bg = calloc(1, sizeof(*bg));
  pthread_condattr_t ca;
  if (!bg) return -1;
  bg->pass = pass;
  bg->arg = arg;
  bg->first_ms = first_ms;
  pthread_mutex_init(&bg->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&bg->cv, &ca);
  pthread_condattr_destroy(&ca);
  *out = bg; /* before the first pass, which may reach bg through its arg */
  if (pthread_create(&bg->thread, NULL, loop, bg) != 0) {
    pthread_cond_destroy(&bg->cv);
    pthread_mutex_destroy(&bg->mu);
    free(bg);
    *out = NULL;
    return -1;
  }
  return 0;
}

/* Sets *flag (woken or stopping) and wakes a sleep. */
static void raise_flag(hg_background_t *bg, int *flag) {
  pthread_mutex_lock(&bg->mu);
  *flag = 1;
  pthread_cond_signal(&bg->cv);
  pthread_mutex_unlock(&bg->mu);
}

void hg_background_wake(hg_background_t *bg) { raise_flag(bg, &bg->woken); }

int hg_background_stopping(hg_background_t *bg) {
  pthread_mutex_lock(&bg->mu);
  int stop = bg->stopping;
  pthread_mutex_unlock(&bg->mu);
  return stop;
}

int hg_background_pause(hg_background_t *bg, int64_t ms) { return sleep_ms(bg, ms, 0); }

void hg_background_stop(hg_background_t *bg) {
  if (!bg) return;
  raise_flag(bg, &bg->stopping);
  pthread_join(bg->thread, NULL);
  pthread_cond_destroy(&bg->cv);
  pthread_mutex_destroy(&bg->mu);
  free(bg);
}
