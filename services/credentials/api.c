/* api.c - the Provisioning API's shared steps: admission by storage token, failures in the
 * API's words, worker tasks, and the method table. */
#include <string.h>

#include "common/log.h"
#include "credentials/credentials.h"
#include "storage/store_call.h"

#define SCOPE_PREFIX "storage-projects/"
#define INTERNAL "Internal server error"
#define NOT_FOUND "Credentials not found"

static const authz_messages_t auth_messages = {
    .missing = "Storage API token is missing (send it in the X-StorageApi-Token header)",
    .not_bearer = "Invalid access token",
    .invalid = "Invalid access token",
    .unavailable = "Authentication service unavailable",
    .internal = INTERNAL,
};

static const store_call_cfg_t store_answers = {
    .module = "credentials",
    .internal = INTERNAL,
    .not_found = NOT_FOUND,
    .invalid = "Invalid request",
    .codes = STORE_CALL_CODE_INTERNAL,
};

kb_svc_t *kb_svc(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

/* The project of a storage token: its first binding on storage-projects/<id>. */
static const char *token_project(const hg_principal_t *p) {
  for (size_t i = 0; i < p->n_bindings; i++)
    if (strncmp(p->bindings[i].scope, SCOPE_PREFIX, sizeof(SCOPE_PREFIX) - 1) == 0 &&
        p->bindings[i].scope[sizeof(SCOPE_PREFIX) - 1] != '\0' &&
        p->bindings[i].role >= HG_ROLE_VIEWER)
      return p->bindings[i].scope + sizeof(SCOPE_PREFIX) - 1;
  return NULL;
}

/* Not a storage token, or one of no project: as invalid as a token auth-svc does not know,
 * since this API has no other kind of caller. */
static int not_storage_token(rpc_ctx_t *ctx, const char *why) {
  hg_status_t st;
  hg_status_set(&st, HG_UNAUTHENTICATED, auth_messages.invalid);
  st.reason = "INVALID_TOKEN";
  st.detail = why;
  rpc_fail(ctx, &st);
  return -1;
}

int kb_admit(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_principal_t *p = hg_arena_alloc_uninit(a, sizeof(*p)); /* authz fills what is read */
  kb_caller_t *who = hg_arena_alloc(a, sizeof(*who));
  if (!p || !who) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return -1;
  }
  if (authz_token_or_fail(ctx, kb_svc(ctx)->authz, &auth_messages, "x-storageapi-token", p))
    return -1;
  if (strcmp(p->kind, "storage") != 0 || !p->token_id[0])
    return not_storage_token(ctx, "not a storage token");
  who->project = token_project(p);
  who->token_id = hg_arena_strdup(a, p->token_id);
  if (!who->project) return not_storage_token(ctx, "the token has no storage-projects binding");
  if (!(who->project = hg_arena_strdup(a, who->project)) || !who->token_id) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return -1;
  }
  rpc_ctx_set_user(ctx, who);
  return 0;
}

const kb_caller_t *kb_caller(rpc_ctx_t *ctx) { return rpc_ctx_user(ctx); }

int kb_store_fail(rpc_ctx_t *ctx, int rc) { return store_call_fail(ctx, &store_answers, rc); }

int kb_driver_fail(rpc_ctx_t *ctx, const kb_backend_t *b, int rc) {
  hg_status_t st;
  if (rc == KB_DRIVER_UNAVAILABLE) {
    const char *m =
        hg_arena_sprintf(rpc_ctx_arena(ctx), "The %s backend is unavailable; retry later", b->name);
    hg_status_set(&st, HG_UNAVAILABLE, m ? m : "Backend unavailable");
    st.reason = "BACKEND_UNAVAILABLE";
  } else {
    const char *m = hg_arena_sprintf(rpc_ctx_arena(ctx), "The %s backend failed", b->name);
    hg_status_set(&st, HG_INTERNAL, m ? m : INTERNAL);
    st.reason = "BACKEND_FAILED";
  }
  rpc_fail(ctx, &st);
  return -1;
}

int kb_invalid(rpc_ctx_t *ctx, const char *message) {
  rpc_fail_code(ctx, HG_INVALID_ARGUMENT, message);
  return -1;
}

int kb_not_found(rpc_ctx_t *ctx) {
  rpc_fail_code(ctx, HG_NOT_FOUND, NOT_FOUND);
  return -1;
}

const kb_backend_t *kb_backend_or_fail(rpc_ctx_t *ctx, const char *name) {
  const kb_backend_t *b = kb_backend_find(name);
  if (!b) {
    const char *m = hg_arena_sprintf(rpc_ctx_arena(ctx), "Unsupported backend '%s'", name);
    kb_invalid(ctx, m ? m : "Unsupported backend");
  }
  return b;
}

/* ---- worker tasks ----------------------------------------------------------------------- */

kb_task_t *kb_task_new(rpc_ctx_t *ctx, const kb_backend_t *b, void (*run)(kb_task_t *t)) {
  kb_task_t *t = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*t));
  if (!t) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return NULL;
  }
  *t = (kb_task_t){ctx, kb_svc(ctx), kb_caller(ctx), b, NULL, 0, run};
  return t;
}

static void run_task(void *arg) {
  kb_task_t *t = arg;
  t->run(t);
}

void kb_task_start(kb_task_t *t) {
  if (hg_workers_submit(t->svc->workers, run_task, t) == 0) return;
  hg_status_t st;
  hg_status_set(&st, HG_UNAVAILABLE, "Too many provisioning requests at once; retry later");
  st.reason = "BUSY";
  rpc_fail(t->ctx, &st);
}

int kb_own_creds_or_fail(kb_task_t *t, kb_record_t **out) {
  store_txn_t *txn;
  kb_record_t *rec = NULL;
  int rc = store_txn_begin_read(t->svc->store, &txn);
  if (rc == 0) {
    rc = kb_creds_load(txn, t->id, rpc_ctx_arena(t->ctx), &rec);
    store_txn_end(txn);
  }
  if (rc == STORE_NOTFOUND ||
      (rc == 0 &&
       (strcmp(rec->backend, t->backend->name) != 0 || strcmp(rec->project, t->who->project) != 0 ||
        strcmp(rec->token_id, t->who->token_id) != 0 ||
        rec->state != HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__READY)))
    return kb_not_found(t->ctx);
  if (rc != 0) return kb_store_fail(t->ctx, rc);
  *out = rec;
  return 0;
}

/* ---- the method table ------------------------------------------------------------------- */

int credentials_register(rpc_server_t *server) {
  rpc_binding_t all[KB_N_SYNC_BINDINGS + KB_N_JOB_BINDINGS];
  memcpy(all, kb_sync_bindings, sizeof(kb_sync_bindings));
  memcpy(all + KB_N_SYNC_BINDINGS, kb_job_bindings, sizeof(kb_job_bindings));
  return rpc_server_add_service(server, &hangar__credentials__v1__provisioning__descriptor, all,
                                sizeof(all) / sizeof(all[0]));
}
