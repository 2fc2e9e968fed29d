/* reconciler_metrics.c - the KtrlPlane reconciler's backlog, read from the store.
 *
 * The reconciler's queue is the store's due index (resource_store.h): a transition enters
 * it when a client creates, updates or deletes a resource, becomes due after the
 * provisioning delay, and leaves it when its outcome is recorded. Like a delaying work
 * queue, only due entries count as queued: the depth and the oldest age describe work the
 * reconciler could be doing now, so a growing age means it is falling behind, not that the
 * delay is long. Entries are in due order, so the walk stops at the first one not yet due. */
#include <stdint.h>

#include "common/clock.h"
#include "common/prom.h"
#include "resources/reconciler.h"
#include "resources/resource_store.h"

#define DEPTH "hangar_reconciler_queue_depth"
#define AGE "hangar_reconciler_queue_oldest_age_seconds"
#define PENDING "hangar_reconciler_pending_resources"

typedef struct due_walk {
  int64_t now;
  int64_t oldest_due; /* the first due entry's due time; INT64_MAX: none */
  uint64_t depth;
  hg_arena_t *a;
} due_walk_t;

static int count_due(void *arg, store_val_t key, store_val_t val) {
  due_walk_t *w = arg;
  resource_record_t *rec;
  (void)key;
  if (resource_decode(val, w->a, &rec) != 0) return 0; /* unreadable: not counted */
  if (rec->due_ms > w->now) return 1;
  if (w->depth++ == 0) w->oldest_due = rec->due_ms;
  return 0;
}

static int render(hg_buf_t *out, const due_walk_t *w, uint64_t pending) {
  int64_t age_ms = w->depth ? w->now - w->oldest_due : 0;
  int rc = prom_family(out, DEPTH, "gauge",
                       "KtrlPlane transitions whose due time has passed, not yet recorded.");
  rc |= prom_sample(out, DEPTH, NULL, 0, w->depth);
  rc |= prom_family(out, AGE, "gauge",
                    "How long the oldest due KtrlPlane transition has been due, seconds; 0 "
                    "when none is.");
  rc |= prom_sample_scaled(out, AGE, NULL, 0, age_ms > 0 ? (uint64_t)age_ms : 0, 3);
  rc |= prom_family(out, PENDING, "gauge",
                    "KtrlPlane resources in a transitional status (creating, updating, "
                    "deleting), due or not yet.");
  return rc | prom_sample(out, PENDING, NULL, 0, pending) ? -1 : 0;
}

int reconciler_metrics(void *svc, hg_buf_t *out) {
  resources_svc_t *s = svc;
  due_walk_t w = {.now = hg_now_ms(), .oldest_due = INT64_MAX, .a = hg_arena_new()};
  store_txn_t *txn = NULL;
  uint64_t pending = 0;
  int rc = w.a ? store_txn_begin_read(s->store, &txn) : STORE_ENOMEM;
  if (rc == 0)
    rc = store_index_count(txn, RES_TABLE, RES_INDEX_DUE, (store_val_t){NULL, 0}, &pending);
  if (rc == 0)
    rc = store_index_scan(txn, RES_TABLE, RES_INDEX_DUE, (store_val_t){NULL, 0}, 0, count_due, &w);
  store_txn_end(txn);
  hg_arena_free(w.a);
  /* count_due's 1 only stops the walk */
  return rc < 0 ? -1 : render(out, &w, pending);
}
