/* test_credentials_runner.c - crash recovery and jobs (services/credentials/runner.c) over a
 * real store and a driver that counts its calls: records a crash left PROVISIONING or
 * DROPPING are dropped on the backend and removed, retried while the backend is down;
 * a create in flight after the start is never taken for a leftover, but settled once it
 * fails (DROPPING); a job found `processing`
 * runs to its end. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "credentials/credentials.h"
#include "credentials/runner.h"
#include "test_run.h"

typedef struct fake {
  kb_driver_t base;
  atomic_int drops, down;
} fake_t;

static fake_t fake;

static int fake_plan(kb_driver_t *d, const char *backend, const char *type, kb_creds_t *c,
                     hg_arena_t *a) {
  (void)d, (void)backend, (void)type;
  c->hostname = "h";
  c->user = hg_arena_sprintf(a, "u%s", c->id);
  c->password = "p";
  return c->user ? 0 : -1;
}
static int fake_ok(kb_driver_t *d, const kb_creds_t *c) {
  (void)d, (void)c;
  return 0;
}
static int fake_drop(kb_driver_t *d, const kb_creds_t *c) {
  (void)c;
  fake_t *f = (fake_t *)d;
  if (atomic_load(&f->down)) return KB_DRIVER_UNAVAILABLE;
  atomic_fetch_add(&f->drops, 1);
  return 0;
}
static int fake_in_use(kb_driver_t *d, const kb_creds_t *c, int *u) {
  (void)d, (void)c;
  *u = 0;
  return 0;
}

static char dir[64];
static kb_svc_t svc;

static void open_svc(void) {
  memset(&svc, 0, sizeof(svc));
  fake.base = (kb_driver_t){"fake", 0, fake_plan, fake_ok, fake_drop, fake_ok, fake_in_use, NULL};
  atomic_store(&fake.drops, 0);
  atomic_store(&fake.down, 0);
  for (int i = 0; i < KB_N_BACKENDS; i++) svc.drivers[i] = &fake.base;
  svc.public_url = "";
  ck_assert_int_eq(store_open(dir, &kb_store_schema, NULL, &svc.store), 0);
}

static int put_record(store_txn_t *t, void *arg) { return kb_creds_put(t, arg, 0); }

/* A credentials record with this id and state, as a crash would leave it. */
static void leave(const char *id, int state, const char *type) {
  Hangar__Credentials__V1__Credentials c = HANGAR__CREDENTIALS__V1__CREDENTIALS__INIT;
  kb_record_t rec = HANGAR__CREDENTIALS__V1__CREDENTIALS_RECORD__INIT;
  c.id = (char *)id;
  c.user = "u";
  rec.credentials = &c;
  rec.backend = "mysql";
  rec.type = (char *)type;
  rec.project = "p";
  rec.token_id = "t";
  rec.state = (Hangar__Credentials__V1__CredentialsState)state;
  ck_assert_int_eq(store_write(svc.store, put_record, &rec), 0);
}

static int exists(uint64_t id) {
  store_txn_t *txn;
  hg_arena_t *a = hg_arena_new();
  kb_record_t *rec;
  ck_assert_int_eq(store_txn_begin_read(svc.store, &txn), 0);
  int rc = kb_creds_load(txn, id, a, &rec);
  store_txn_end(txn);
  hg_arena_free(a);
  ck_assert(rc == 0 || rc == STORE_NOTFOUND);
  return rc == 0;
}

static int wait_until_gone(uint64_t id, int64_t ms) {
  int64_t end = hg_monotonic_ms() + ms;
  while (exists(id) && hg_monotonic_ms() < end) usleep(20000);
  return !exists(id);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/test_runner_XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  open_svc();
}

static void teardown(void) {
  store_close(svc.store);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_leftovers_are_dropped_and_removed) {
  setup();
  leave("5", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__PROVISIONING, "sandbox");
  leave("6", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__DROPPING, "transformations");
  leave("7", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__READY, "writer");
  kb_runner_t *r;
  ck_assert_int_eq(kb_runner_start(&svc, NULL, &r), 0);
  ck_assert(wait_until_gone(5, 5000));
  ck_assert(wait_until_gone(6, 5000));
  ck_assert(exists(7));
  ck_assert_int_eq(atomic_load(&fake.drops), 2);
  kb_runner_stop(r);
  teardown();
}
END_TEST

START_TEST(test_recovery_waits_for_the_backend) {
  setup();
  atomic_store(&fake.down, 1);
  leave("9", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__PROVISIONING, "sandbox");
  kb_runner_t *r;
  ck_assert_int_eq(kb_runner_start(&svc, NULL, &r), 0);
  usleep(300000);
  ck_assert(exists(9));
  atomic_store(&fake.down, 0);
  ck_assert(wait_until_gone(9, 5000));
  ck_assert_int_eq(atomic_load(&fake.drops), 1);
  kb_runner_stop(r);
  teardown();
}
END_TEST

START_TEST(test_records_of_this_run_are_not_leftovers) {
  setup();
  leave("3", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__PROVISIONING, "sandbox");
  atomic_store(&fake.down, 1);
  kb_runner_t *r;
  ck_assert_int_eq(kb_runner_start(&svc, NULL, &r), 0);
  /* A create of this run, in its first step, while recovery still waits for the backend. */
  leave("40", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__PROVISIONING, "transformations");
  atomic_store(&fake.down, 0);
  ck_assert(wait_until_gone(3, 5000));
  usleep(300000);
  ck_assert(exists(40));
  /* The same create failing at its backend: DROPPING, which the runner settles at once. */
  leave("40", HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__DROPPING, "transformations");
  kb_runner_wake(r);
  ck_assert(wait_until_gone(40, 5000));
  kb_runner_stop(r);
  teardown();
}
END_TEST

static int put_job(store_txn_t *t, void *arg) { return kb_job_put(t, arg); }

/* A create job a crash left `processing` finishes with the docker credentials. */
START_TEST(test_a_processing_job_finishes_after_a_restart) {
  setup();
  Hangar__Credentials__V1__JobParams params = HANGAR__CREDENTIALS__V1__JOB_PARAMS__INIT;
  Hangar__Credentials__V1__JobResult result = HANGAR__CREDENTIALS__V1__JOB_RESULT__INIT;
  kb_job_t job = HANGAR__CREDENTIALS__V1__JOB__INIT;
  kb_job_record_t rec = HANGAR__CREDENTIALS__V1__JOB_RECORD__INIT;
  params.backend = "docker";
  params._type_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___TYPE_TYPE;
  params.type = "rstudio";
  job.id = 12;
  job.runid = "12";
  job.command = "create";
  job.status = "processing";
  job.params = &params;
  job.result = &result;
  rec.job = &job;
  rec.project = "p";
  rec.token_id = "t";
  ck_assert_int_eq(store_write(svc.store, put_job, &rec), 0);
  kb_runner_t *r;
  ck_assert_int_eq(kb_runner_start(&svc, NULL, &r), 0);
  hg_arena_t *a = hg_arena_new();
  kb_job_record_t *got = NULL;
  int64_t end = hg_monotonic_ms() + 5000;
  for (;;) {
    store_txn_t *txn;
    ck_assert_int_eq(store_txn_begin_read(svc.store, &txn), 0);
    ck_assert_int_eq(kb_job_load(txn, 12, a, &got), 0);
    store_txn_end(txn);
    if (strcmp(got->job->status, "processing") != 0 || hg_monotonic_ms() > end) break;
    usleep(20000);
  }
  ck_assert_str_eq(got->job->status, "success");
  ck_assert(got->job->isfinished);
  ck_assert_ptr_nonnull(got->job->result->credentials);
  ck_assert_int_eq(strncmp(got->job->result->url, "docker/", 7), 0);
  ck_assert_int_eq(got->job->result->credentials->id, atoll(got->job->result->url + 7));
  ck_assert(exists((uint64_t)got->job->result->credentials->id));
  hg_arena_free(a);
  kb_runner_stop(r);
  teardown();
}
END_TEST

int main(void) {
  TEST_RUN("credentials_runner", 30, test_leftovers_are_dropped_and_removed,
           test_recovery_waits_for_the_backend, test_records_of_this_run_are_not_leftovers,
           test_a_processing_job_finishes_after_a_restart);
}
