/* rpc_replicas.c - several replicas of one upstream: a channel each, round-robin over those
 * that are up, and a thread that health-checks them.
 *
 * Why a channel per replica rather than gRPC core's own round_robin policy over one channel:
 * gRPC's unix: resolver takes a single path (only ipv4:/ipv6: take address lists), gRPC's
 * client-side health checking watches grpc.health.v1 Health/Watch, which our servers do not
 * serve (Check only), and a caller that retries must know which replica failed so that the
 * retry goes elsewhere. One channel per replica keeps gRPC core's reconnect and backoff per
 * replica and leaves the choice, the state and the retry here, where they can be seen and
 * tested (docs/architecture.md, "Replicas").
 *
 * The up flags and the round-robin counter are relaxed atomics: a pick never locks, and a
 * state that is a moment stale costs at most one retried call. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/rpc_internal.h"

typedef struct replica {
  char *target;
  rpc_channel_t *ch;
  atomic_int up;
} replica_t;

struct rpc_replicas {
  char *name;
  size_t n;
  replica_t r[RPC_REPLICAS_MAX];
  atomic_uint next; /* round-robin position */
  pthread_t thread;
  int thread_started;
  pthread_mutex_t mu; /* guards stopping; cv wakes the thread to stop */
  pthread_cond_t cv;
  int stopping;
  int64_t interval_ms, deadline_ms;
};

/* gRPC core 1.51 fails a call whose pick found no connection (pick_first in
 * TRANSIENT_FAILURE: refused, no socket) with UNAVAILABLE and this text. The C API gives no
 * other sign that the call never left the client, so the text is the contract, as etcd's
 * client decides a write's retry on "there is no address available". */
static const char never_ran_prefix[] = "failed to connect to all addresses";

int rpc_call_never_ran(const hg_status_t *st) {
  return st && st->code == HG_UNAVAILABLE && st->message &&
         strncmp(st->message, never_ran_prefix, sizeof(never_ran_prefix) - 1) == 0;
}

static void free_targets(rpc_replicas_t *r) {
  for (size_t i = 0; i < r->n; i++) free(r->r[i].target);
  free(r->name);
  free(r);
}

/* The next item of a comma list at *p, trimmed, as a malloc'd string; *p moves past it and
 * *more says whether a comma followed. NULL when the item is empty or memory runs out. */
static char *next_item(const char **p, int *more) {
  const char *s = *p, *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s);
  *more = comma != NULL;
  *p = comma ? comma + 1 : end;
  while (s < end && (*s == ' ' || *s == '\t')) s++;
  while (end > s && (end[-1] == ' ' || end[-1] == '\t')) end--;
  return end > s ? strndup(s, (size_t)(end - s)) : NULL;
}

int rpc_replicas_new(rpc_client_t *c, const char *name, const char *targets, rpc_replicas_t **out) {
  rpc_replicas_t *r;
  const char *p = targets;
  int more = 1;
  if (!c || !name || !targets || !out || !(r = calloc(1, sizeof *r))) return -1;
  if (!(r->name = strdup(name))) goto fail;
  while (more) {
    if (r->n == RPC_REPLICAS_MAX || !(r->r[r->n].target = next_item(&p, &more))) goto fail;
    atomic_init(&r->r[r->n++].up, 1);
  }
  /* Channels last: they belong to the client and cannot be taken back on failure. */
  for (size_t i = 0; i < r->n; i++)
    if (rpc_channel_new(c, r->r[i].target, &r->r[i].ch) != 0) goto fail;
  atomic_init(&r->next, 0);
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  *out = r;
  return 0;
fail:
  free_targets(r);
  return -1;
}

size_t rpc_replicas_count(const rpc_replicas_t *r) { return r->n; }

const char *rpc_replicas_target(const rpc_replicas_t *r, size_t i) {
  return i < r->n ? r->r[i].target : NULL;
}

rpc_channel_t *rpc_replicas_channel(const rpc_replicas_t *r, size_t i) {
  return i < r->n ? r->r[i].ch : NULL;
}

int rpc_replicas_is_up(const rpc_replicas_t *r, size_t i) {
  return i < r->n && atomic_load_explicit(&r->r[i].up, memory_order_relaxed);
}

void rpc_replicas_mark(rpc_replicas_t *r, size_t i, rpc_replica_state_t state) {
  int up = state == RPC_REPLICA_UP;
  if (i >= r->n) return;
  int was = atomic_exchange_explicit(&r->r[i].up, up ? 1 : 0, memory_order_relaxed);
  if (was && !up)
    HG_WARN("rpc", NULL, "%s replica %s is down: skipped until it answers", r->name,
            r->r[i].target);
  else if (!was && up)
    HG_INFO("rpc", NULL, "%s replica %s is up again", r->name, r->r[i].target);
}

int rpc_replicas_pick(rpc_replicas_t *r, uint32_t tried) {
  size_t start = atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed);
  for (int want_up = 1; want_up >= 0; want_up--)
    for (size_t k = 0; k < r->n; k++) {
      size_t i = (start + k) % r->n;
      if (!(tried & (1u << i)) && (!want_up || rpc_replicas_is_up(r, i))) return (int)i;
    }
  return -1;
}

/* ---- the check thread ------------------------------------------------------------------ */

/* Waits interval_ms or until stopping; 1 when stopping. */
static int pause_or_stop(rpc_replicas_t *r) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += r->interval_ms / 1000;
  until.tv_nsec += (r->interval_ms % 1000) * 1000000;
  if (until.tv_nsec >= 1000000000) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&r->mu);
  while (!r->stopping && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0) {
  }
  int stop = r->stopping;
  pthread_mutex_unlock(&r->mu);
  return stop;
}

static void *check_thread(void *arg) {
  rpc_replicas_t *r = arg;
  do {
    for (size_t i = 0; i < r->n; i++)
      rpc_replicas_mark(r, i,
                        rpc_health_check_sync(r->r[i].ch, r->deadline_ms) == 0 ? RPC_REPLICA_UP
                                                                               : RPC_REPLICA_DOWN);
  } while (!pause_or_stop(r));
  return NULL;
}

int rpc_replicas_start_checks(rpc_replicas_t *r, int64_t interval_ms, int64_t deadline_ms) {
  if (!r || interval_ms <= 0 || deadline_ms <= 0 || r->thread_started || r->stopping) return -1;
  if (r->n < 2) return 0;
  r->interval_ms = interval_ms;
  r->deadline_ms = deadline_ms;
  if (pthread_create(&r->thread, NULL, check_thread, r) != 0) return -1;
  r->thread_started = 1;
  return 0;
}

void rpc_replicas_stop_checks(rpc_replicas_t *r) {
  if (!r || !r->thread_started) return;
  pthread_mutex_lock(&r->mu);
  r->stopping = 1;
  pthread_cond_signal(&r->cv);
  pthread_mutex_unlock(&r->mu);
  pthread_join(r->thread, NULL);
  r->thread_started = 0;
}

void rpc_replicas_free(rpc_replicas_t *r) {
  if (!r) return;
  rpc_replicas_stop_checks(r);
  pthread_cond_destroy(&r->cv);
  pthread_mutex_destroy(&r->mu);
  free_targets(r);
}
