/* jobs.c - the async actions: a docker container created (plain or for a transformation) or
 * dropped by a job, and the job itself at /queue/job/{id}.
 *
 * A handler stores the job `waiting` through group commit and answers its reference only
 * after the commit, so a job a client was told about is never lost; the runner (runner.h)
 * does the rest. */
#include <string.h>

#include "common/clock.h"
#include "credentials/credentials.h"
#include "credentials/runner.h"
#include "storage/store_call.h"

typedef Hangar__Credentials__V1__CreateAsyncRequest async_req_t;
typedef Hangar__Credentials__V1__CreateTransformationRequest transformation_req_t;
typedef Hangar__Credentials__V1__DropAsyncRequest drop_req_t;
typedef Hangar__Credentials__V1__GetJobRequest get_req_t;
typedef Hangar__Credentials__V1__JobRef job_ref_t;
typedef Hangar__Credentials__V1__JobParams params_t;

#define COMPONENT "keboola-provisioning-bundle"
#define RUN_ID_MAX 64

static const store_call_cfg_t job_answers = {
    .module = "jobs",
    .internal = "Internal server error",
    .not_found = "Job not found",
    .invalid = "Invalid request",
    .codes = STORE_CALL_CODE_INTERNAL,
};

/* Only docker runs as jobs; anything else is 400, an unknown backend included. */
static const kb_backend_t *async_backend_or_fail(rpc_ctx_t *ctx, const char *name) {
  const kb_backend_t *b = kb_backend_or_fail(ctx, name);
  if (b && !b->async_only) {
    const char *m = hg_arena_sprintf(rpc_ctx_arena(ctx),
                                     "Backend '%s' has no async actions; only docker has", name);
    kb_invalid(ctx, m ? m : "Only docker has async actions");
    return NULL;
  }
  return b;
}

static int docker_type_or_fail(rpc_ctx_t *ctx, const kb_backend_t *b, const char *type) {
  if (kb_backend_has_type(b, type)) return 0;
  const char *m = hg_arena_sprintf(rpc_ctx_arena(ctx),
                                   "Type '%s' is not supported by backend 'docker'; use "
                                   "'rstudio' or 'jupyter'",
                                   type);
  return kb_invalid(ctx, m ? m : "Unsupported type");
}

/* The caller's X-KBC-RunId when it is a sane token, else the job's own id. */
static const char *run_id(rpc_ctx_t *ctx) {
  const char *r = rpc_ctx_metadata(ctx, "x-kbc-runid");
  if (!r || !*r || strlen(r) > RUN_ID_MAX ||
      strspn(r, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_") != strlen(r))
    return NULL;
  return r;
}

/* A new waiting job of the caller's in ctx's arena; NULL on allocation failure. */
static kb_job_record_t *new_job(rpc_ctx_t *ctx, const char *command, params_t *params) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const kb_caller_t *who = kb_caller(ctx);
  kb_job_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  kb_job_t *job = hg_arena_alloc(a, sizeof(*job));
  Hangar__Credentials__V1__JobResult *result = hg_arena_alloc(a, sizeof(*result));
  if (!rec || !job || !result) return NULL;
  hangar__credentials__v1__job_record__init(rec);
  hangar__credentials__v1__job__init(job);
  hangar__credentials__v1__job_result__init(result);
  rec->job = job;
  rec->project = (char *)who->project;
  rec->token_id = (char *)who->token_id;
  job->runid = (char *)run_id(ctx);
  job->component = COMPONENT;
  job->command = (char *)command;
  job->params = params;
  job->result = result;
  job->status = "waiting";
  job->createdtime = kb_time_text(a, hg_now_ms() / 1000);
  return job->createdtime ? rec : NULL;
}

static params_t *new_params(rpc_ctx_t *ctx, const kb_backend_t *b) {
  params_t *p = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*p));
  if (!p) return NULL;
  hangar__credentials__v1__job_params__init(p);
  p->backend = (char *)b->name;
  return p;
}

/* On the writer thread: the job's id (and, without X-KBC-RunId, its run id) from the store's
 * counter, then the record. */
static int insert_job(store_txn_t *txn, store_call_t *c) {
  kb_job_record_t *rec = c->aux;
  uint64_t id;
  int rc = store_next_version(txn, &id);
  if (rc) return rc;
  rec->job->id = (int64_t)id;
  if (!rec->job->runid && !(rec->job->runid = kb_digits(c->a, rec->job->id))) return STORE_ENOMEM;
  return kb_job_put(txn, rec);
}

/* After the commit: {"id", "url", "status": "waiting"}, and the runner woken. */
static void reply_ref(store_call_t *c) {
  const kb_job_record_t *rec = c->aux;
  job_ref_t *r = hg_arena_alloc(c->a, sizeof(*r));
  kb_runner_wake(kb_svc(c->ctx)->runner);
  if (r) {
    hangar__credentials__v1__job_ref__init(r);
    r->id = rec->job->id;
    r->url = kb_job_url(c->ctx, r->id);
    r->status = rec->job->status;
  }
  if (!r || !r->url)
    kb_store_fail(c->ctx, STORE_ENOMEM);
  else
    rpc_reply(c->ctx, r);
}

static const store_call_op_t insert_op = {insert_job, reply_ref, NULL, NULL};

static void queue_job(rpc_ctx_t *ctx, const char *command, params_t *params) {
  kb_job_record_t *rec = new_job(ctx, command, params);
  if (!rec) {
    kb_store_fail(ctx, STORE_ENOMEM);
    return;
  }
  store_call_start(ctx, kb_svc(ctx)->store, &job_answers, &insert_op, NULL, rec);
}

/* An empty input mapping: what the blueprint's finished job shows when none was sent. */
static Google__Protobuf__ListValue *empty_list(rpc_ctx_t *ctx) {
  Google__Protobuf__ListValue *l = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*l));
  if (l) google__protobuf__list_value__init(l);
  return l;
}

static void create_async(rpc_ctx_t *ctx, const void *msg) {
  const async_req_t *req = msg;
  const kb_backend_t *b = async_backend_or_fail(ctx, req->backend);
  if (!b) return;
  if (!req->_type_case) {
    kb_invalid(ctx, "Missing type: 'rstudio' or 'jupyter'");
    return;
  }
  if (docker_type_or_fail(ctx, b, req->type)) return;
  params_t *p = new_params(ctx, b);
  if (p) {
    p->_type_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___TYPE_TYPE;
    p->type = req->type;
    p->_input_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___INPUT_INPUT;
    p->input = req->input ? req->input : empty_list(ctx);
    p->_script_case = req->_script_case ? HANGAR__CREDENTIALS__V1__JOB_PARAMS___SCRIPT_SCRIPT : 0;
    p->script = req->script;
  }
  if (!p || !p->input)
    kb_store_fail(ctx, STORE_ENOMEM);
  else
    queue_job(ctx, "create", p);
}

/* transformation is a required object of three required strings (the blueprint). */
static int transformation_or_fail(rpc_ctx_t *ctx,
                                  const Hangar__Credentials__V1__TransformationRef *t) {
  if (!t)
    return kb_invalid(ctx, "Missing transformation: an object with config_id, "
                           "config_version and row_id");
  const struct {
    const char *name, *value;
  } fields[] = {
      {"config_id", t->config_id}, {"config_version", t->config_version}, {"row_id", t->row_id}};
  for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
    if (!fields[i].value || !fields[i].value[0]) {
      const char *m =
          hg_arena_sprintf(rpc_ctx_arena(ctx), "Missing transformation.%s", fields[i].name);
      return kb_invalid(ctx, m ? m : "Missing transformation field");
    }
  return 0;
}

static void create_transformation(rpc_ctx_t *ctx, const void *msg) {
  const transformation_req_t *req = msg;
  const kb_backend_t *b = async_backend_or_fail(ctx, req->backend);
  if (!b) return; /* answered: req is gone */
  const char *type = req->_type_case ? req->type : KB_DEFAULT_DOCKER_TYPE;
  if (transformation_or_fail(ctx, req->transformation) || docker_type_or_fail(ctx, b, type)) return;
  params_t *p = new_params(ctx, b);
  if (p) {
    p->_type_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___TYPE_TYPE;
    p->type = (char *)type;
    p->_transformation_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___TRANSFORMATION_TRANSFORMATION;
    p->transformation = req->transformation;
    p->_input_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___INPUT_INPUT;
    p->input = empty_list(ctx);
  }
  if (!p || !p->input)
    kb_store_fail(ctx, STORE_ENOMEM);
  else
    queue_job(ctx, "create", p);
}

/* Unknown credentials are 404 now, not a failed job later. */
static void run_drop_async(kb_task_t *t) {
  kb_record_t *rec;
  if (kb_own_creds_or_fail(t, &rec)) return;
  params_t *p = new_params(t->ctx, t->backend);
  if (!p) {
    kb_store_fail(t->ctx, STORE_ENOMEM);
    return;
  }
  p->_id_case = HANGAR__CREDENTIALS__V1__JOB_PARAMS___ID_ID;
  p->id = rec->credentials->id;
  queue_job(t->ctx, "delete", p);
}

static void drop_async(rpc_ctx_t *ctx, const void *msg) {
  const drop_req_t *req = msg;
  const kb_backend_t *b = async_backend_or_fail(ctx, req->backend);
  uint64_t id;
  if (!b) return;
  if (kb_id_parse(req->id, &id) != 0) {
    kb_not_found(ctx);
    return;
  }
  kb_task_t *t = kb_task_new(ctx, b, run_drop_async);
  if (!t) return;
  t->id = id;
  kb_task_start(t);
}

/* A job of the caller's project, with its URL; NOTFOUND for another project's. */
static int read_job(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  kb_job_record_t *rec;
  int rc = kb_job_load(txn, *(const uint64_t *)arg, rpc_ctx_arena(ctx), &rec);
  if (rc) return rc;
  if (strcmp(rec->project, kb_caller(ctx)->project) != 0) return STORE_NOTFOUND;
  if (!(rec->job->url = kb_job_url(ctx, rec->job->id))) return STORE_ENOMEM;
  *answer = rec->job;
  return 0;
}

static void get_job(rpc_ctx_t *ctx, const void *msg) {
  uint64_t id;
  if (kb_id_parse(((const get_req_t *)msg)->id, &id) != 0) {
    rpc_fail_code(ctx, HG_NOT_FOUND, job_answers.not_found);
    return;
  }
  store_call_read(ctx, kb_svc(ctx)->store, &job_answers, read_job, &id, NULL);
}

const rpc_binding_t kb_job_bindings[KB_N_JOB_BINDINGS] = {
    {"CreateAsync", create_async, kb_admit},
    {"CreateTransformation", create_transformation, kb_admit},
    {"DropAsync", drop_async, kb_admit},
    {"GetJob", get_job, kb_admit},
};
