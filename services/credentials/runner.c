/* runner.c - the job and recovery thread.
 *
 * A job's steps, each its own durable write:
 *   waiting -> processing (startTime);
 *   create: the container's credentials stored PROVISIONING, the driver creates, then the
 *   credentials READY and the job success in one write;
 *   delete: the credentials DROPPING, the driver drops, then the credentials gone and the
 *   job success in one write.
 * A crash between steps leaves credentials PROVISIONING or DROPPING, which recovery drops at
 * the next start before any job runs again, and a job `processing`, which then runs again
 * from its first step: a create that already finished finds the credentials READY and
 * answers them.
 * With replicas on one store (a gate), the thread runs on the leading replica only, and a
 * PROVISIONING record counts as left over once it is PROVISIONING_GRACE_S old, since until
 * then it may be a create another replica is still making. */
#include "credentials/runner.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/background.h"
#include "common/clock.h"
#include "common/log.h"

#define READY HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__READY
#define PROVISIONING HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__PROVISIONING
#define DROPPING HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__DROPPING
#define BATCH 64 /* more than --workers creates can hold PROVISIONING at once */
#define IDLE_MS 1000
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
/* With replicas, a record PROVISIONING may be a create still running on another replica:
 * one this old cannot be (a backend call ends within seconds: the drivers' timeouts). */
#define PROVISIONING_GRACE_S 120

typedef Hangar__Credentials__V1__JobResult result_t;

struct kb_runner {
  kb_svc_t *svc;
  hg_background_t *bg;
  atomic_int settle_now; /* a wake asks for recovery too, whatever its backoff */
  int64_t recover_at;    /* monotonic ms of the next recovery attempt */
  /* PROVISIONING records with ids up to this one were left by an earlier run. Ids only
   * grow, so a create in flight in this run is never taken for one. */
  uint64_t recover_upto;
  int shared; /* gated: replicas share the store (then recover_upto says nothing of theirs) */
  int64_t backoff_ms;
};

static int64_t now_s(void) { return hg_now_ms() / 1000; }

/* ---- recovery ------------------------------------------------------------------------------ */

typedef struct settle {
  uint64_t id;
  int state;
} settle_t;

static int settle_write(store_txn_t *txn, void *arg) {
  const settle_t *s = arg;
  hg_arena_t *a = hg_arena_new();
  kb_record_t *rec;
  int rc = a ? kb_creds_load(txn, s->id, a, &rec) : STORE_ENOMEM;
  if (rc == 0 && (int)rec->state == s->state) rc = kb_creds_del(txn, s->id);
  hg_arena_free(a);
  return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Drops what did not finish: every DROPPING record (a drop, or a create that failed, whose
 * backend call did not complete) and the PROVISIONING records an earlier run left (ids up to
 * recover_upto; a higher one is a create in flight in this run). 0 when nothing is left to
 * do, -1 when something must be tried again. */
static int recover(kb_runner_t *r) {
  hg_arena_t *a = hg_arena_new();
  kb_record_t *recs[BATCH];
  size_t n = 0;
  store_txn_t *txn;
  int rc = a ? store_txn_begin_read(r->svc->store, &txn) : STORE_ENOMEM;
  if (rc == 0) {
    rc = kb_creds_unsettled(txn, a, BATCH, recs, &n);
    store_txn_end(txn);
  }
  int left = rc != 0 || n == BATCH;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    uint64_t id;
    if (kb_id_parse(recs[i]->credentials->id, &id) != 0) continue;
    if (recs[i]->state == PROVISIONING && r->shared &&
        recs[i]->touch > now_s() - PROVISIONING_GRACE_S) {
      left = 1; /* perhaps still being made elsewhere: look again later */
      continue;
    }
    if (recs[i]->state == PROVISIONING && !r->shared && id > r->recover_upto) continue;
    const kb_backend_t *b = kb_backend_find(recs[i]->backend);
    kb_driver_t *d = b ? r->svc->drivers[b->id] : NULL;
    int drc = d ? d->drop(d, recs[i]->credentials) : KB_DRIVER_UNAVAILABLE;
    if (drc != 0) {
      HG_WARN("recovery", NULL, "cannot drop unfinished %s credentials %s yet", recs[i]->backend,
              recs[i]->credentials->id);
      left = 1;
      continue;
    }
    settle_t s = {id, (int)recs[i]->state};
    if (store_write(r->svc->store, settle_write, &s) != 0)
      left = 1;
    else
      HG_INFO("recovery", NULL, "dropped %s credentials %s %s", recs[i]->backend,
              recs[i]->credentials->id,
              recs[i]->state == PROVISIONING ? "left half-created by a crash"
                                             : "whose create or drop did not finish");
  }
  hg_arena_free(a);
  return left ? -1 : 0;
}

/* The highest id among unsettled records at start (0: none). */
static int find_leftovers(kb_runner_t *r) {
  store_txn_t *txn;
  int rc = store_txn_begin_read(r->svc->store, &txn);
  if (rc == 0) {
    rc = kb_creds_unsettled_max(txn, &r->recover_upto);
    store_txn_end(txn);
  }
  return rc;
}

/* ---- jobs ---------------------------------------------------------------------------------- */

/* One job being run: its record, in its own arena. */
typedef struct run {
  kb_runner_t *r;
  hg_arena_t *a;
  kb_job_record_t *rec;
  kb_record_t *creds; /* create: the credentials made or found; delete: the ones dropped */
  const char *error;  /* set: the job fails with this message */
} run_t;

/* STORE_CONFLICT when the job has finished since it was read: with replicas, a job is run
 * only by the replica holding the runner's lease, and a lease lost mid-job stops it between
 * steps; this check is what makes "never run twice to completion" hold even so. */
static int unfinished(store_txn_t *txn, const run_t *j) {
  kb_job_record_t *now;
  int rc = kb_job_load(txn, (uint64_t)j->rec->job->id, j->a, &now);
  return rc == 0 && now->job->isfinished ? STORE_CONFLICT : rc;
}

static int put_job(store_txn_t *txn, void *arg) {
  run_t *j = arg;
  int rc = unfinished(txn, j);
  return rc ? rc : kb_job_put(txn, j->rec);
}

static int start_job(run_t *j) {
  kb_job_t *job = j->rec->job;
  if (strcmp(job->status, "processing") == 0) return 0;
  job->status = "processing";
  job->starttime = hg_arena_alloc(j->a, sizeof(*job->starttime));
  if (!job->starttime) return STORE_ENOMEM;
  google__protobuf__string_value__init(job->starttime);
  job->starttime->value = kb_time_text(j->a, now_s());
  return job->starttime->value ? store_write(j->r->svc->store, put_job, j) : STORE_ENOMEM;
}

/* The job's end: status, result, endTime and duration. */
static int finish(run_t *j, result_t *res) {
  kb_job_t *job = j->rec->job;
  int64_t end = now_s(), start = end, start_ms;
  if (job->starttime && job->starttime->value &&
      hg_time_parse_rfc3339(job->starttime->value, HG_RFC3339_LAX, &start_ms) == 0)
    start = start_ms / 1000;
  job->status = j->error ? "error" : "success";
  job->isfinished = 1;
  job->result = res;
  job->endtime = hg_arena_alloc(j->a, sizeof(*job->endtime));
  job->durationseconds = hg_arena_alloc(j->a, sizeof(*job->durationseconds));
  if (!job->endtime || !job->durationseconds) return STORE_ENOMEM;
  google__protobuf__string_value__init(job->endtime);
  google__protobuf__int64_value__init(job->durationseconds);
  job->endtime->value = kb_time_text(j->a, end);
  job->durationseconds->value = end - start;
  if (j->error) {
    res->_message_case = HANGAR__CREDENTIALS__V1__JOB_RESULT___MESSAGE_MESSAGE;
    res->message = (char *)j->error;
  } else {
    res->_status_case = HANGAR__CREDENTIALS__V1__JOB_RESULT___STATUS_STATUS;
    res->status = "ok";
  }
  return job->endtime->value ? 0 : STORE_ENOMEM;
}

static result_t *new_result(run_t *j) {
  result_t *res = hg_arena_alloc(j->a, sizeof(*res));
  if (res) hangar__credentials__v1__job_result__init(res);
  return res;
}

/* A create's result: the credentials as the blueprint's finished job shows them. */
static result_t *created_result(run_t *j) {
  result_t *res = new_result(j);
  Hangar__Credentials__V1__JobCredentials *c = hg_arena_alloc(j->a, sizeof(*c));
  if (!res || !c) return NULL;
  hangar__credentials__v1__job_credentials__init(c);
  const kb_creds_t *k = j->creds->credentials;
  c->id = (int64_t)strtoull(k->id, NULL, 10);
  c->hostname = k->hostname;
  c->port = k->port;
  c->user = k->user;
  c->password = k->password;
  res->_credentials_case = HANGAR__CREDENTIALS__V1__JOB_RESULT___CREDENTIALS_CREDENTIALS;
  res->credentials = c;
  res->_url_case = HANGAR__CREDENTIALS__V1__JOB_RESULT___URL_URL;
  res->url = hg_arena_sprintf(j->a, "%s/%s", j->creds->backend, k->id);
  return res->url ? res : NULL;
}

/* Create, step 1: the token's container of this type if it has one, else new credentials
 * stored PROVISIONING. */
static int create_begin(store_txn_t *txn, void *arg) {
  run_t *j = arg;
  const kb_job_record_t *rec = j->rec;
  const char *type = rec->job->params->type;
  int rc = kb_creds_find(txn, rec->project, rec->token_id, "docker", type, j->a, &j->creds);
  if (rc == 0 && j->creds->state == READY) return 0;
  if (rc == 0) return STORE_EXISTS; /* a leftover recovery has not dropped yet */
  if (rc != STORE_NOTFOUND) return rc;
  kb_record_t *c = hg_arena_alloc(j->a, sizeof(*c));
  kb_creds_t *k = hg_arena_alloc(j->a, sizeof(*k));
  uint64_t id;
  if (!c || !k) return STORE_ENOMEM;
  hangar__credentials__v1__credentials_record__init(c);
  hangar__credentials__v1__credentials__init(k);
  if ((rc = store_next_version(txn, &id)) != 0) return rc;
  kb_driver_t *d = j->r->svc->drivers[KB_BACKEND_DOCKER];
  c->credentials = k;
  c->backend = "docker";
  c->type = (char *)type;
  c->project = rec->project;
  c->token_id = rec->token_id;
  c->touch = now_s();
  c->created_at = hg_now_text(j->a);
  c->state = PROVISIONING;
  if (!(k->id = kb_digits(j->a, (int64_t)id)) || !c->created_at ||
      d->plan(d, "docker", type, k, j->a) != 0)
    return STORE_ENOMEM;
  j->creds = c;
  return kb_creds_put(txn, c, STORE_PUT_NOOVERWRITE);
}

/* Create and delete, last step: the credentials settled and the job finished, together. */
static int end_write(store_txn_t *txn, void *arg) {
  run_t *j = arg;
  int rc = unfinished(txn, j);
  if (rc) return rc;
  if (!j->error && j->creds) {
    uint64_t id;
    if (kb_id_parse(j->creds->credentials->id, &id) != 0) return STORE_EINVAL;
    if (strcmp(j->rec->job->command, "delete") == 0) {
      rc = kb_creds_del(txn, id);
    } else if (j->creds->state != READY) {
      /* A copy: the writer may run this function again (a commit lost to another replica,
       * storage/store_writer.c), and it must find j->creds as the first run did. */
      kb_record_t ready = *j->creds;
      ready.state = READY;
      rc = kb_creds_put(txn, &ready, 0);
    }
  }
  return rc ? rc : kb_job_put(txn, j->rec);
}

/* Delete, step 1: the credentials DROPPING, if they still exist and are the token's. */
static int delete_begin(store_txn_t *txn, void *arg) {
  run_t *j = arg;
  uint64_t id;
  const char *cid = j->rec->job->params->id;
  if (kb_id_parse(cid ? cid : "", &id) != 0) return STORE_NOTFOUND;
  int rc = kb_creds_load(txn, id, j->a, &j->creds);
  if (rc) return rc;
  if (strcmp(j->creds->project, j->rec->project) != 0 ||
      strcmp(j->creds->token_id, j->rec->token_id) != 0 || j->creds->state == PROVISIONING)
    return STORE_NOTFOUND;
  if (j->creds->state == DROPPING) return 0;
  j->creds->state = DROPPING;
  return kb_creds_put(txn, j->creds, 0);
}

/* Runs one job to its end; a store failure leaves it pending for the next pass. */
/* A started job's work and end (start_job and the container's start time came first). */
static int run_job(run_t *j) {
  kb_svc_t *svc = j->r->svc;
  kb_driver_t *d = svc->drivers[KB_BACKEND_DOCKER];
  int is_delete = strcmp(j->rec->job->command, "delete") == 0;
  int rc = store_write(svc->store, is_delete ? delete_begin : create_begin, j);
  if (rc == STORE_NOTFOUND && is_delete) {
    j->error = "Credentials not found";
    j->creds = NULL;
    rc = 0;
  } else if (rc) {
    return rc;
  } else if (j->creds->state != READY) {
    int drc = is_delete ? d->drop(d, j->creds->credentials) : d->create(d, j->creds->credentials);
    if (drc)
      j->error = drc == KB_DRIVER_UNAVAILABLE ? "The docker backend is unavailable"
                                              : "The docker backend failed";
  }
  result_t *res = j->error || is_delete ? new_result(j) : created_result(j);
  if (!res || finish(j, res) != 0) return STORE_ENOMEM;
  if (j->error && j->creds && !is_delete) j->creds = NULL; /* recovery drops the half-made */
  return store_write(svc->store, end_write, j);
}

/* Works through the pending jobs, a batch at a time: all of them start (processing), their
 * containers take their start time together, then each runs to its end; so many jobs queued
 * at once finish in one start time, not one after another. 1 when there were any. */
static int run_pending(kb_runner_t *r) {
  hg_arena_t *list = hg_arena_new();
  kb_job_record_t *jobs[BATCH];
  run_t runs[BATCH];
  int rcs[BATCH];
  size_t n = 0;
  store_txn_t *txn;
  int rc = list ? store_txn_begin_read(r->svc->store, &txn) : STORE_ENOMEM;
  if (rc == 0) {
    rc = kb_jobs_pending(txn, list, BATCH, jobs, &n);
    store_txn_end(txn);
  }
  for (size_t i = 0; i < n; i++) {
    runs[i] = (run_t){r, hg_arena_new(), jobs[i], NULL, NULL};
    rcs[i] = rc ? rc : runs[i].a ? start_job(&runs[i]) : STORE_ENOMEM;
  }
  if (rc == 0 && n && hg_background_pause(r->bg, r->svc->job_delay_ms)) rc = STORE_ECLOSED;
  for (size_t i = 0; i < n; i++) {
    if (rc == 0 && rcs[i] == 0 && !hg_background_stopping(r->bg)) rcs[i] = run_job(&runs[i]);
    if (rcs[i] == STORE_CONFLICT) {
      HG_INFO("jobs", NULL, "job %lld: finished by another replica", (long long)jobs[i]->job->id);
      rcs[i] = 0;
    } else if (rcs[i] && rcs[i] != STORE_ECLOSED)
      HG_WARN("jobs", NULL, "job %lld: %s; trying again later", (long long)jobs[i]->job->id,
              store_strerror(rcs[i]));
    hg_arena_free(runs[i].a);
    if (rcs[i] && !rc) rc = rcs[i];
  }
  hg_arena_free(list);
  return rc ? -1 : n > 0;
}

/* hg_pass_fn. Recovery is tried again with a growing pause while it cannot finish (a
 * backend down); jobs run meanwhile, since a docker job never waits for a mysql leftover. */
static int64_t pass(hg_background_t *bg, void *arg) {
  kb_runner_t *r = arg;
  (void)bg;
  if (atomic_exchange(&r->settle_now, 0) || hg_monotonic_ms() >= r->recover_at) {
    int left = recover(r) != 0;
    r->backoff_ms = left ? (r->backoff_ms ? r->backoff_ms * 2 : BACKOFF_MIN_MS) : 0;
    if (r->backoff_ms > BACKOFF_MAX_MS) r->backoff_ms = BACKOFF_MAX_MS;
    r->recover_at = hg_monotonic_ms() + r->backoff_ms;
  }
  int busy = run_pending(r);
  return busy > 0 ? 0 : busy < 0 ? BACKOFF_MIN_MS : IDLE_MS;
}

int kb_runner_start(kb_svc_t *svc, const hg_gate_t *gate, kb_runner_t **out) {
  kb_runner_t *r = calloc(1, sizeof(*r));
  if (!r) return -1;
  r->svc = svc;
  r->shared = gate != NULL;
  if (find_leftovers(r) != 0 || hg_background_start_gated(pass, r, 0, gate, &r->bg) != 0) {
    free(r);
    return -1;
  }
  *out = r;
  return 0;
}

void kb_runner_wake(kb_runner_t *r) {
  if (!r) return;
  atomic_store(&r->settle_now, 1);
  hg_background_wake(r->bg);
}

void kb_runner_stop(kb_runner_t *r) {
  if (!r) return;
  hg_background_stop(r->bg);
  free(r);
}
