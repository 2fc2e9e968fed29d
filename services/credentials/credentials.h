/* credentials.h - credentials-svc: the Keboola Provisioning API (seed 001), its state and the
 * steps its handler files share.
 *
 * Every call is admitted by the X-StorageApi-Token it carries (a `storage` token of auth-svc
 * with a binding on storage-projects/<id>): credentials belong to the token that created
 * them, jobs to its project. The handlers check the request on a CQ thread and hand the rest
 * to the service's worker pool, because a backend driver may block (a MySQL round trip).
 *
 * Nothing is half-created. A create stores its record PROVISIONING before the driver makes
 * anything and marks it READY after; a drop marks it DROPPING before the driver drops and
 * deletes it after. A create whose driver call fails is marked DROPPING (part of it may
 * exist, or appear when a stalled server wakes), and so stays a drop that fails. The runner
 * (runner.h) drops every DROPPING record and removes it once the backend answers, and after
 * a restart also what a crash left PROVISIONING, so neither a database without a record nor
 * a record without a database survives. A records-only driver skips the two steps.
 *
 * Failures answer in the service's words, which the gateway's "keboola" dialect wraps in
 * Keboola's error object: 400 for a request the API refuses, 401, 404, 503 when a backend
 * cannot be reached (clients retry 5xx), and the extend refusal as 400 with reason
 * KB_REASON_WARNING, which the dialect renders as {"status":"warning","message":...}.
 * Threads: handlers on CQ threads, tasks on the worker pool, the runner on its own thread;
 * kb_svc_t is read-only after start. */
#ifndef HANGAR_CREDENTIALS_H
#define HANGAR_CREDENTIALS_H

#include <stdint.h>

#include "common/authz.h"
#include "common/workers.h"
#include "credentials/backends.h"
#include "credentials/cred_store.h"
#include "credentials/driver.h"
#include "rpc/rpc.h"
#include "storage/store.h"

typedef struct kb_runner kb_runner_t;

typedef struct kb_svc {
  store_t *store;
  authz_t *authz;
  hg_workers_t *workers;
  kb_runner_t *runner;
  /* Per backend; NULL: the backend has no server configured (mysql without --mysql-dsn),
   * and its calls answer 503. */
  kb_driver_t *drivers[KB_N_BACKENDS];
  const char *public_url; /* "" : job URLs are made from the request's Host */
  int64_t job_delay_ms;   /* how long the records-only container driver takes to "start" */
} kb_svc_t;

/* Who is calling: the project of the token and the token itself (access.c). */
typedef struct kb_caller {
  const char *project;
  const char *token_id;
} kb_caller_t;

#define KB_REASON_WARNING "WARNING"

kb_svc_t *kb_svc(rpc_ctx_t *ctx);

/* The one admission rule of every method (rpc_admit_fn): a valid storage token with a
 * project. 401 without one; the caller is then kb_caller(ctx). */
int kb_admit(rpc_ctx_t *ctx, const void *req);
const kb_caller_t *kb_caller(rpc_ctx_t *ctx);

/* Answers for failures; each returns -1 for `return kb_..._fail(...)`. */
int kb_store_fail(rpc_ctx_t *ctx, int rc);
/* A driver's KB_DRIVER_* as 503 (unavailable) or 500. */
int kb_driver_fail(rpc_ctx_t *ctx, const kb_backend_t *b, int rc);
int kb_invalid(rpc_ctx_t *ctx, const char *message);
int kb_not_found(rpc_ctx_t *ctx);

/* The backend the path names, NULL (and 400 answered) for an unknown one. */
const kb_backend_t *kb_backend_or_fail(rpc_ctx_t *ctx, const char *name);

/* A worker task: run(t) answers t->ctx exactly once. Allocated in the call's arena. */
typedef struct kb_task kb_task_t;
struct kb_task {
  rpc_ctx_t *ctx;
  kb_svc_t *svc;
  const kb_caller_t *who;
  const kb_backend_t *backend;
  const char *type;
  uint64_t id; /* the credentials a call names */
  void (*run)(kb_task_t *t);
};
/* A task for ctx in its arena (NULL: answered 500). */
kb_task_t *kb_task_new(rpc_ctx_t *ctx, const kb_backend_t *b, void (*run)(kb_task_t *t));
/* Queues t on the worker pool; a full pool answers 503. */
void kb_task_start(kb_task_t *t);

/* Loads credentials t->id that belong to t->who under t->backend and are READY; 0, or -1
 * after answering (404 for anything else, whoever owns it). */
int kb_own_creds_or_fail(kb_task_t *t, kb_record_t **out);

/* Answer builders (answers.c); strings in the call's arena, NULL on allocation failure. */
char *kb_digits(hg_arena_t *a, int64_t v);
/* RFC 3339 with a numeric offset, seconds precision: "2026-12-06T10:00:00+00:00". */
char *kb_time_text(hg_arena_t *a, int64_t unix_s);
/* *out: touch + 24 h (a string, the 2020 blueprint's type, whether or not the credentials
 * can be extended). 0, or -1 when out of memory. */
int kb_expiration(hg_arena_t *a, const kb_record_t *rec, Google__Protobuf__StringValue **out);
/* <base>/queue/job/<id>: base is --public-url, else "http://" + the request's Host. */
char *kb_job_url(rpc_ctx_t *ctx, int64_t id);

/* The bindings of each handler file; credentials_register binds them all. */
#define KB_N_SYNC_BINDINGS 6
#define KB_N_JOB_BINDINGS 4
extern const rpc_binding_t kb_sync_bindings[KB_N_SYNC_BINDINGS]; /* sync.c */
extern const rpc_binding_t kb_job_bindings[KB_N_JOB_BINDINGS];   /* jobs.c */
int credentials_register(rpc_server_t *server);

#endif
