/* background.c - the background pass loop (background.h). */
#include "common/background.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "common/clock.h"

struct hg_background {
  hg_pass_fn pass;
  void *arg;
  int64_t first_ms;
  hg_gate_t gate; /* check NULL: ungated */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stopping;
  int woken;        /* a wake not yet taken by a sleep between passes */
  atomic_int holds; /* the gate's last check opened it (1 when ungated) */
};

/* Waits until the monotonic time `until`, stop or (when wakeable) a wake; takes the wake
 * into *woken. 1 when stopping. */
static int sleep_until(hg_background_t *bg, int64_t until, int wakeable, int *woken) {
  int64_t ms = until - hg_monotonic_ms();
  struct timespec at = hg_timespec_after(CLOCK_MONOTONIC, ms > 0 ? ms : 0);
  pthread_mutex_lock(&bg->mu);
  while (ms > 0 && !bg->stopping && !(wakeable && bg->woken))
    if (pthread_cond_timedwait(&bg->cv, &bg->mu, &at) == ETIMEDOUT) break;
  if (wakeable) {
    if (woken) *woken = bg->woken;
    bg->woken = 0;
  }
  int stop = bg->stopping;
  pthread_mutex_unlock(&bg->mu);
  return stop;
}

static int stop_asked(hg_background_t *bg) {
  pthread_mutex_lock(&bg->mu);
  int stop = bg->stopping;
  pthread_mutex_unlock(&bg->mu);
  return stop;
}

/* Runs a pass when it is due and the gate is open, checks the gate when due, and sleeps
 * until whichever comes next. A wake makes the pass due at once. */
static void *loop(void *arg) {
  hg_background_t *bg = arg;
  int gated = bg->gate.check != NULL, woken = 0;
  int64_t now = hg_monotonic_ms(), pass_at = now + bg->first_ms, check_at = now;
  while (!stop_asked(bg)) {
    now = hg_monotonic_ms();
    if (gated && now >= check_at) {
      atomic_store(&bg->holds, bg->gate.check(bg->gate.arg) == 1);
      check_at = hg_monotonic_ms() + bg->gate.recheck_ms;
    }
    int open = atomic_load(&bg->holds);
    if (open && now >= pass_at) {
      int64_t ms = bg->pass(bg, bg->arg);
      pass_at = hg_monotonic_ms() + (ms > 0 ? ms : 0);
      continue;
    }
    int64_t until = open ? pass_at : check_at;
    if (gated && check_at < until) until = check_at;
    if (sleep_until(bg, until, 1, &woken)) break;
    if (woken) pass_at = hg_monotonic_ms();
  }
  return NULL;
}

int hg_background_start_gated(hg_pass_fn pass, void *arg, int64_t first_ms, const hg_gate_t *gate,
                              hg_background_t **out) {
  hg_background_t *bg = calloc(1, sizeof(*bg));
  pthread_condattr_t ca;
  if (!bg || (gate && (!gate->check || !gate->holding || gate->recheck_ms <= 0))) {
    free(bg);
    return -1;
  }
  bg->pass = pass;
  bg->arg = arg;
  bg->first_ms = first_ms > 0 ? first_ms : 0;
  if (gate) bg->gate = *gate;
  atomic_init(&bg->holds, gate ? 0 : 1);
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

int hg_background_start(hg_pass_fn pass, void *arg, int64_t first_ms, hg_background_t **out) {
  return hg_background_start_gated(pass, arg, first_ms, NULL, out);
}

/* Sets *flag (woken or stopping) and wakes a sleep. */
static void raise_flag(hg_background_t *bg, int *flag) {
  pthread_mutex_lock(&bg->mu);
  *flag = 1;
  pthread_cond_signal(&bg->cv);
  pthread_mutex_unlock(&bg->mu);
}

void hg_background_wake(hg_background_t *bg) { raise_flag(bg, &bg->woken); }

int hg_background_holding(hg_background_t *bg) { return atomic_load(&bg->holds); }

/* Called from the pass (the background thread), so the gate's holding may be asked. */
int hg_background_stopping(hg_background_t *bg) {
  if (stop_asked(bg)) return 1;
  if (bg->gate.holding && !bg->gate.holding(bg->gate.arg)) {
    atomic_store(&bg->holds, 0);
    return 1;
  }
  return 0;
}

int hg_background_pause(hg_background_t *bg, int64_t ms) {
  return sleep_until(bg, hg_monotonic_ms() + ms, 0, NULL) || hg_background_stopping(bg);
}

void hg_background_stop(hg_background_t *bg) {
  if (!bg) return;
  raise_flag(bg, &bg->stopping);
  pthread_join(bg->thread, NULL);
  pthread_cond_destroy(&bg->cv);
  pthread_mutex_destroy(&bg->mu);
  free(bg);
}
