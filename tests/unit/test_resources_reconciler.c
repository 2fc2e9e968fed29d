/* test_resources_reconciler.c - the reconciler (services/resources/reconciler.c) backs off
 * while its writes fail: a due resource whose outcome cannot be recorded is retried after
 * 100 ms, then 200, 400 ... instead of at once, and is driven through as soon as writes
 * succeed again. Its backlog gauges (reconciler_metrics.c) count what is due and not yet
 * recorded, and how long the oldest of it has waited. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "resources/reconciler.h"
#include "resources/resource_store.h"
#include "resources/schema.h"
#include "storage/store_internal.h"
#include "test_run.h"

#define CALLS 4

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int64_t at[64];
static int calls;

/* The local driver's answer, with the time of every call. */
static int provision(const provisioner_t *p, const resource_t *r, hg_arena_t *a,
                     const char **access_url, const char **error) {
  (void)p, (void)r, (void)error;
  pthread_mutex_lock(&mu);
  if (calls < 64) at[calls] = hg_monotonic_ms();
  calls++;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  *access_url = hg_arena_strdup(a, "https://r.p.test/api/v1");
  return 0;
}

static void wait_calls(int n) {
  pthread_mutex_lock(&mu);
  while (calls < n) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

/* A KtrlPlane resource "r<id>" in project p, creating, due at due_ms. */
static int put_resource(store_txn_t *txn, hg_arena_t *a, const char *id, int64_t due_ms) {
  resource_t *r = hg_arena_alloc(a, sizeof(*r));
  resource_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  hangar__resources__v1__resource__init(r);
  hangar__resources__v1__resource_record__init(rec);
  r->project_id = "p";
  r->resource_id = hg_arena_strdup(a, id);
  r->name = r->resource_id;
  r->type = "Konnektr.Graph";
  r->sku = "free";
  r->status = "creating";
  r->created_at = r->updated_at = "2026-01-01T00:00:00.000Z";
  rec->resource = r;
  rec->due_ms = due_ms;
  return resource_save(txn, a, rec, 0);
}

static int put_due(store_txn_t *txn, void *arg) { return put_resource(txn, arg, "r", 1); }

static int status_is(store_t *s, const char *want) {
  hg_arena_t *a = hg_arena_new();
  store_txn_t *txn;
  resource_record_t *rec = NULL;
  ck_assert_int_eq(store_txn_begin_read(s, &txn), 0);
  int rc = resource_load(txn, a, resource_key(a, "p", "r"), &rec);
  int same = rc == 0 && strcmp(rec->resource->status, want) == 0;
  store_txn_end(txn);
  hg_arena_free(a);
  return same;
}

START_TEST(test_failing_writes_back_off_then_recover) {
  char dir[] = "/tmp/test_reconciler.XXXXXX";
  resources_schema_t schema;
  resources_svc_t svc = {0};
  provisioner_t driver = provisioner_local("test");
  driver.provision = provision;
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(resources_schema_init(&schema), 0);
  ck_assert_int_eq(store_open(dir, &schema.schema, NULL, &svc.store), 0);
  hg_arena_t *a = hg_arena_new();
  ck_assert_int_eq(store_write(svc.store, put_due, a), 0);
  store__fault_always(svc.store, STORE_FULL);
  ck_assert_int_eq(reconciler_start(&svc, &driver, NULL, &svc.reconciler), 0);
  wait_calls(CALLS);
  /* Each retry came no sooner than its backoff: 100, 200, 400 ms (spinning would retry at
   * once, thousands of times a second). */
  for (int i = 1; i < CALLS; i++) ck_assert_int_ge(at[i] - at[i - 1], (100 << (i - 1)) - 5);
  ck_assert(status_is(svc.store, "creating"));
  store__fault_always(svc.store, 0);
  reconciler_kick(svc.reconciler);
  while (!status_is(svc.store, "running")) nanosleep(&(struct timespec){0, 10000000}, NULL);
  reconciler_stop(svc.reconciler);
  store_close(svc.store);
  hg_arena_free(a);
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Two transitions overdue (by 5 s and 1 s) and one still in its provisioning delay, with no
 * reconciler running to record them: the backlog gauges see both due ones, the oldest's age,
 * and all three as pending. */
static int put_backlog(store_txn_t *txn, void *arg) {
  int64_t now = hg_now_ms();
  int rc = put_resource(txn, arg, "late", now - 5000);
  rc = rc ? rc : put_resource(txn, arg, "later", now - 1000);
  return rc ? rc : put_resource(txn, arg, "waiting", now + 600000);
}

/* The value of the sample line "<name> <value>" in a text exposition. */
static double sample(const hg_buf_t *b, const char *name) {
  char want[128];
  snprintf(want, sizeof(want), "\n%s ", name);
  const char *at = strstr(b->p, want);
  ck_assert_msg(at != NULL, "no sample %s in:\n%s", name, b->p);
  return strtod(at + strlen(want), NULL);
}

START_TEST(test_backlog_gauges_count_due_transitions) {
  char dir[] = "/tmp/test_reconciler.XXXXXX";
  resources_schema_t schema;
  resources_svc_t svc = {0};
  hg_buf_t out = HG_BUF_INIT;
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(resources_schema_init(&schema), 0);
  ck_assert_int_eq(store_open(dir, &schema.schema, NULL, &svc.store), 0);
  hg_arena_t *a = hg_arena_new();
  ck_assert_int_eq(reconciler_metrics(&svc, &out), 0);
  ck_assert(sample(&out, "hangar_reconciler_queue_depth") == 0);
  ck_assert(sample(&out, "hangar_reconciler_queue_oldest_age_seconds") == 0);
  ck_assert(sample(&out, "hangar_reconciler_pending_resources") == 0);
  ck_assert_int_eq(store_write(svc.store, put_backlog, a), 0);
  hg_buf_reset(&out);
  ck_assert_int_eq(reconciler_metrics(&svc, &out), 0);
  ck_assert(sample(&out, "hangar_reconciler_queue_depth") == 2);
  double age = sample(&out, "hangar_reconciler_queue_oldest_age_seconds");
  ck_assert_msg(age >= 5.0 && age < 3600.0, "oldest age %f", age);
  ck_assert(sample(&out, "hangar_reconciler_pending_resources") == 3);
  hg_buf_free(&out);
  store_close(svc.store);
  hg_arena_free(a);
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void) {
  TEST_RUN("resources_reconciler", 30, test_failing_writes_back_off_then_recover,
           test_backlog_gauges_count_due_transitions);
}
