/* rpc_limit.c - the in-flight calls of each caller, bounded per server.
 *
 * A service has a few completion-queue threads for every tenant, so one caller looping on
 * expensive requests could hold all of them. Once admission knows who is calling, the call
 * is counted against that caller until it is answered; past the server's bound the call is
 * refused at once with RESOURCE_EXHAUSTED (the gateway's 429 with Retry-After), and every
 * other caller keeps being served.
 *
 * The counts live in a fixed open-addressed table keyed by a 64-bit hash of the key, under
 * the server's lock (a lookup is a few probes; the lock is held for no I/O). A key whose
 * probe window is full of other live callers is let through uncounted: the table bounds
 * memory, and refusing a caller because of others would be the unfairness this prevents. */
#include <string.h>

#include "rpc/rpc_internal.h"

#define PROBES 32

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h ? h : 1; /* 0 marks a slot never used */
}

/* The slot holding h, or the first free one in its window; -1 when neither exists. */
static int find_slot(const rpc_server_t *s, uint64_t h) {
  int free_slot = -1;
  for (int i = 0; i < PROBES; i++) {
    int k = (int)((h + (uint64_t)i) % RPC__LIMIT_SLOTS);
    const rpc__limit_slot_t *e = &s->limits[k];
    if (e->count > 0 && e->hash == h) return k;
    if (e->count == 0 && free_slot < 0) free_slot = k;
  }
  return free_slot;
}

int rpc_ctx_in_flight_or_fail(rpc_ctx_t *ctx, const char *key) {
  rpc_server_t *s = rpc__ctx_server(ctx);
  uint64_t h = fnv1a(key ? key : "");
  int over = 0;
  if (rpc__ctx_limit_slot(ctx) >= 0) return 0; /* counted once per call */
  pthread_mutex_lock(&s->mu);
  int k = find_slot(s, h);
  if (k >= 0) {
    rpc__limit_slot_t *e = &s->limits[k];
    if (e->count == 0) e->hash = h;
    over = e->count >= s->opts.max_in_flight_per_key;
    if (!over) e->count++;
  }
  pthread_mutex_unlock(&s->mu);
  if (over) {
    hg_status_t st;
    hg_status_set(&st, HG_RESOURCE_EXHAUSTED, "Too many requests in flight for this caller");
    st.reason = "TOO_MANY_IN_FLIGHT";
    rpc_fail(ctx, &st);
    return -1;
  }
  if (k >= 0) rpc__ctx_set_limit_slot(ctx, k);
  return 0;
}

void rpc__limit_release(rpc_server_t *s, int slot) {
  pthread_mutex_lock(&s->mu);
  s->limits[slot].count--;
  pthread_mutex_unlock(&s->mu);
}
