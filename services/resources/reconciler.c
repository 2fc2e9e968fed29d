/* reconciler.c - the lifecycle loop: find due work, run the driver, record the outcome. */
#include "resources/reconciler.h"

#include <stdlib.h>
#include <string.h>

#include "common/background.h"
#include "common/clock.h"
#include "common/log.h"
#include "resources/resource_store.h"

#define RECONCILE_BATCH 64
#define RECONCILE_IDLE_MS 1000
/* After a pass whose writes failed (a full store, a full queue), the next pass waits this
 * long, doubling per failing pass: the due records are still due, so without it the loop
 * would retry them at once, forever. */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 30000

struct reconciler {
  resources_svc_t *svc;
  const provisioner_t *driver;
  hg_background_t *bg;
  int64_t backoff_ms; /* 0 while writes succeed; reconciler thread only */
};

typedef struct due_batch {
  int64_t now;
  int64_t next_due; /* earliest due time not yet reached, or INT64_MAX */
  size_t n;
  store_val_t keys[RECONCILE_BATCH];
  hg_arena_t *arena;
} due_batch_t;

/* The outcome of one transition for rec as read, written only if the record is still at
 * the version read (rec->resource_version). */
typedef struct outcome {
  resource_record_t *rec;
  int remove;
  const char *status;
  const char *access_url;
  const char *error;
  hg_arena_t *arena;
} outcome_t;

static int collect_due(void *arg, store_val_t key, store_val_t val) {
  due_batch_t *b = arg;
  resource_record_t *rec;
  if (resource_decode(val, b->arena, &rec) != 0) return 0;
  if (rec->due_ms > b->now) {
    b->next_due = rec->due_ms;
    return 1;
  }
  b->keys[b->n++] = (store_val_t){hg_arena_memdup(b->arena, key.p, key.n), key.n};
  return b->n == RECONCILE_BATCH;
}

static int apply_outcome(store_txn_t *txn, void *arg) {
  outcome_t *o = arg;
  resource_record_t *rec = o->rec;
  if (o->remove) return resource_delete_if(txn, o->arena, rec->resource, rec->resource_version);
  resource_t *r = rec->resource;
  char now[HG_RFC3339_LEN];
  hg_time_rfc3339(hg_now_ms(), now);
  r->status = (char *)o->status;
  r->updated_at = hg_arena_strdup(o->arena, now);
  r->_error_message_case = HANGAR__RESOURCES__V1__RESOURCE___ERROR_MESSAGE__NOT_SET;
  if (o->error) {
    r->error_message = (char *)o->error;
    r->_error_message_case = HANGAR__RESOURCES__V1__RESOURCE___ERROR_MESSAGE_ERROR_MESSAGE;
  }
  if (o->access_url) {
    r->access_url = (char *)o->access_url;
    r->_access_url_case = HANGAR__RESOURCES__V1__RESOURCE___ACCESS_URL_ACCESS_URL;
  }
  return resource_save_if(txn, o->arena, rec, 0, rec->resource_version);
}

/* Runs the driver for one due record (outside any transaction) and records the result,
 * unless the record changed or went away meanwhile (STORE_CONFLICT, STORE_NOTFOUND): then
 * its new state is what counts, and a pass that finds it still due drives it again.
 * Returns 1 when the result could not be written (the pass should back off), else 0. */
static int reconcile_one(reconciler_t *r, store_val_t key) {
  int failed = 0;
  hg_arena_t *a = hg_arena_new();
  if (!a) return 1;
  outcome_t o = {.arena = a};
  store_txn_t *txn;
  resource_record_t *rec = NULL;
  if (store_txn_begin_read(r->svc->store, &txn) == 0) {
    if (resource_load(txn, a, key, &rec) == 0) o.rec = rec;
    store_txn_end(txn);
  }
  if (rec && resource_status_pending(rec->resource->status)) {
    const resource_t *res = rec->resource;
    if (strcmp(res->status, "deleting") == 0) {
      o.remove = r->driver->deprovision(r->driver, res, a, &o.error) == 0;
      o.status = "error";
    } else {
      o.status = r->driver->provision(r->driver, res, a, &o.access_url, &o.error) == 0 ? "running"
                                                                                       : "error";
    }
    int rc = store_write(r->svc->store, apply_outcome, &o);
    failed = rc && rc != STORE_CONFLICT && rc != STORE_NOTFOUND;
    if (failed)
      HG_ERROR("reconciler", NULL, "recording %s failed: %s", res->resource_id, store_strerror(rc));
  }
  hg_arena_free(a);
  return failed;
}

/* When the pass that failed (or not) should be followed by the next one. */
static int64_t after_pass(reconciler_t *r, int failed, int64_t next) {
  if (!failed) {
    r->backoff_ms = 0;
    return next;
  }
  r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : BACKOFF_MIN_MS;
  if (r->backoff_ms > BACKOFF_MAX_MS) r->backoff_ms = BACKOFF_MAX_MS;
  HG_WARN("reconciler", NULL, "writes failing; next pass in %lld ms", (long long)r->backoff_ms);
  return hg_now_ms() + r->backoff_ms;
}

/* One pass: handles every due record; returns when the next one is due (or idle). */
static int64_t reconcile_due(reconciler_t *r) {
  due_batch_t b = {.now = hg_now_ms(), .next_due = INT64_MAX};
  int failed = 0;
  do {
    b.n = 0;
    b.arena = hg_arena_new();
    if (!b.arena) return b.now + RECONCILE_IDLE_MS;
    store_txn_t *txn;
    if (store_txn_begin_read(r->svc->store, &txn) == 0) {
      store_index_scan(txn, RES_TABLE, RES_INDEX_DUE, (store_val_t){NULL, 0}, 0, collect_due, &b);
      store_txn_end(txn);
    }
    for (size_t i = 0; i < b.n; i++) failed |= reconcile_one(r, b.keys[i]);
    hg_arena_free(b.arena);
  } while (b.n == RECONCILE_BATCH && !failed);
  int64_t idle = hg_now_ms() + RECONCILE_IDLE_MS;
  return after_pass(r, failed, b.next_due < idle ? b.next_due : idle);
}

/* hg_pass_fn: a pass, then sleep until the next record is due. */
static int64_t reconcile_pass(hg_background_t *bg, void *arg) {
  (void)bg;
  return reconcile_due(arg) - hg_now_ms();
}

int reconciler_start(resources_svc_t *svc, const provisioner_t *driver, const hg_gate_t *gate,
                     reconciler_t **out) {
  reconciler_t *r = calloc(1, sizeof(*r));
  if (!r) return -1;
  r->svc = svc;
  r->driver = driver;
  if (hg_background_start_gated(reconcile_pass, r, 0, gate, &r->bg) != 0) {
    free(r);
    return -1;
  }
  *out = r;
  return 0;
}

void reconciler_kick(reconciler_t *r) { hg_background_wake(r->bg); }

void reconciler_stop(reconciler_t *r) {
  hg_background_stop(r->bg);
  free(r);
}
