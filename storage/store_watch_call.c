/* store_watch_call.c - a server-streaming call fed by a store watch (store_watch_call.h).
 *
 * The call's state is malloc'd (not in the call's arena, which a stream swaps per message)
 * and freed in on_done, after store_watch_stop has made sure the watch thread is out of
 * the event function: that is what keeps rpc_stream_send from touching a freed context.
 * Each change is rendered in an arena of its own, freed once the message is queued, so a
 * stream that lives for hours does not grow. */
#include <stdlib.h>
#include <string.h>

#include "common/fail.h"
#include "common/log.h"
#include "storage/store_watch_call.h"

struct store_watch_call {
  rpc_ctx_t *ctx;
  hg_arena_t *arena; /* the filter's */
  const store_watch_call_cfg_t *cfg;
  void *filter;
  store_watch_t *watch;
};

int store_watch_version_or_fail(rpc_ctx_t *ctx, const store_watch_call_cfg_t *cfg, const char *text,
                                uint64_t *out) {
  uint64_t v = 0;
  size_t n = text ? strlen(text) : 0;
  int ok = n <= 20;
  for (size_t i = 0; ok && i < n; i++) {
    unsigned d = (unsigned)(text[i] - '0');
    ok = d <= 9 && v <= (UINT64_MAX - d) / 10;
    v = v * 10 + d;
  }
  if (ok && v < UINT64_MAX) {
    *out = v;
    return 0;
  }
  hg_status_t st;
  hg_status_clear(&st);
  hg_status_violation(&st, "resourceVersion", "invalid", "must be a number");
  return hg_fail_invalid(ctx, &st, cfg->invalid);
}

store_watch_call_t *store_watch_call_new(rpc_ctx_t *ctx) {
  store_watch_call_t *w = calloc(1, sizeof(*w));
  if (w && !(w->arena = hg_arena_new())) {
    free(w);
    w = NULL;
  }
  if (!w) {
    rpc_fail_code(ctx, HG_INTERNAL, "out of memory");
    return NULL;
  }
  w->ctx = ctx;
  rpc_stream_set_state(ctx, w);
  return w;
}

hg_arena_t *store_watch_call_arena(store_watch_call_t *w) { return w->arena; }

static void fail_expired(store_watch_call_t *w) {
  hg_status_t st;
  hg_status_set(&st, HG_OUT_OF_RANGE, w->cfg->expired);
  st.reason = STORE_WATCH_EXPIRED;
  rpc_fail(w->ctx, &st);
}

static void fail_store(store_watch_call_t *w, int rc) {
  if (rc == STORE_COMPACTED) {
    fail_expired(w);
    return;
  }
  HG_ERROR_IN(w->cfg->module, rpc_ctx_log(w->ctx), "watch: %s", store_strerror(rc));
  hg_status_t st;
  hg_status_set(&st, store_error_code(rc), store_strerror(rc));
  st.reason = store_error_reason(rc);
  rpc_fail(w->ctx, &st);
}

/* The watch thread's store_watch_fn: renders and queues one change. */
static int on_change(void *arg, const store_change_t *c, int err) {
  store_watch_call_t *w = arg;
  if (!c) {
    fail_store(w, err);
    return 0;
  }
  hg_arena_t *a = hg_arena_new();
  void *msg = NULL;
  int rc = a ? w->cfg->event(w->filter, c, a, &msg) : STORE_ENOMEM;
  if (rc == 0 && msg) rc = rpc_stream_send(w->ctx, msg);
  hg_arena_free(a);
  switch (rc) {
    case 0: return 0;
    case RPC_STREAM_FULL: return STORE_WATCH_PAUSE;
    case RPC_STREAM_CLOSED: return -1; /* on_done follows and stops the watch */
    case RPC_STREAM_BAD_MESSAGE:
      rpc_fail_code(w->ctx, HG_INTERNAL, "event encoding failed");
      return -1;
    default: fail_store(w, rc); return -1;
  }
}

static int skip_change(void *arg, const store_change_t *c) {
  (void)arg, (void)c;
  return 0;
}

/* The version the watch starts after: `after`, or the current one for 0; a compacted one
 * is refused here, before the bookmark goes out (one that is compacted between this check
 * and store_watch_start ends the stream just after its bookmark). */
static int start_version(store_t *s, uint64_t *after) {
  store_txn_t *txn = NULL;
  int rc = store_txn_begin_read(s, &txn);
  if (rc == 0 && *after == 0) rc = store_current_version(txn, after);
  if (rc == 0) rc = store_changes(txn, *after, 1, skip_change, NULL);
  store_txn_end(txn);
  return rc;
}

/* Queued before the watch starts, so it precedes every event. */
static int send_bookmark(store_watch_call_t *w, uint64_t after) {
  void *msg = NULL;
  hg_arena_t *a = hg_arena_new();
  int rc = a ? w->cfg->bookmark(after, a, &msg) : STORE_ENOMEM;
  if (rc == 0 && rpc_stream_send(w->ctx, msg) != 0) rc = STORE_ENOMEM;
  hg_arena_free(a);
  return rc;
}

void store_watch_call_start(store_watch_call_t *w, store_t *s, uint64_t after,
                            const store_watch_call_cfg_t *cfg, void *filter) {
  w->cfg = cfg;
  w->filter = filter;
  int rc = start_version(s, &after);
  if (rc == 0) rc = send_bookmark(w, after);
  if (rc == 0) rc = store_watch_start(s, after, on_change, w, &w->watch);
  if (rc != 0) fail_store(w, rc);
}

void store_watch_call_done(rpc_ctx_t *ctx, int cancelled) {
  (void)cancelled;
  store_watch_call_t *w = rpc_stream_state(ctx);
  if (!w) return;
  store_watch_stop(w->watch);
  hg_arena_free(w->arena);
  free(w);
}

void store_watch_call_half_close(rpc_ctx_t *ctx) { (void)ctx; }
