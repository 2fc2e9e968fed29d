/* wrapper_api.c - the wrapper API's shared steps and its method table. */
#include "resources/wrapper_api.h"

#include <string.h>

/* FastAPI's HTTPBearer words for a missing or malformed header; the real service's for a
 * token it rejects. */
static const authz_messages_t auth_messages = {
    .missing = "Not authenticated",
    .not_bearer = "Invalid authentication credentials",
    .invalid = "Invalid or expired token",
    .unavailable = "Authentication service unavailable",
    .internal = "Internal server error",
};

#define SCOPE "wrappers"
#define INTERNAL "Internal server error"
#define DENIED "Not enough permissions"

static const authz_need_t read_need = {HG_ROLE_VIEWER, DENIED, NULL};
static const authz_need_t write_need = {HG_ROLE_EDITOR, DENIED, NULL};

resources_svc_t *wr_svc(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

int wr_admit_read(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  return authz_admit_or_fail(ctx, wr_svc(ctx)->authz, &auth_messages, SCOPE, &read_need);
}

int wr_admit_write(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  return authz_admit_or_fail(ctx, wr_svc(ctx)->authz, &auth_messages, SCOPE, &write_need);
}

const store_call_cfg_t wr_store_answers = {
    .module = "wrappers",
    .internal = INTERNAL,
    .invalid = WR_INVALID,
    .codes = STORE_CALL_CODE_INTERNAL,
};

void wr_read_reply(rpc_ctx_t *ctx, store_call_read_fn read, const void *arg,
                   const char *not_found) {
  store_call_read(ctx, wr_svc(ctx)->store, &wr_store_answers, read, arg, not_found);
}

/* A GET's object: the table and the canonical id. */
typedef struct get_query {
  int table;
  char id[HG_OBJECTID_LEN];
} get_query_t;

static int read_object(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const get_query_t *q = arg;
  return wr_record_load(txn, wr_svc(ctx)->wrapper_base, q->table, rpc_ctx_arena(ctx), q->id,
                        answer);
}

void wr_get_reply(rpc_ctx_t *ctx, const char *path_id, int table, const char *not_found) {
  get_query_t q = {.table = table};
  if (wr_path_id_or_fail(ctx, path_id, q.id)) return;
  wr_read_reply(ctx, read_object, &q, not_found);
}

/* The answer to a DELETE, in the call's arena; NULL on allocation failure. */
static Hangar__Resources__V1__Deleted *deleted_answer(rpc_ctx_t *ctx, const char *id) {
  Hangar__Resources__V1__Deleted *d = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*d));
  char *copy = hg_arena_strdup(rpc_ctx_arena(ctx), id);
  if (!d || !copy) return NULL;
  hangar__resources__v1__deleted__init(d);
  d->id = copy;
  d->deleted = 1;
  return d;
}

/* pydantic's ObjectId validator says "Invalid objectid". */
int wr_path_id_or_fail(rpc_ctx_t *ctx, const char *id, char out[HG_OBJECTID_LEN]) {
  if (hg_objectid_parse(id, out) == 0) return 0;
  hg_status_t st;
  hg_status_clear(&st);
  hg_status_violation(&st, "id", "invalid", "Invalid objectid");
  hg_fail_invalid(ctx, &st, WR_INVALID);
  return -1;
}

/* The paging parameters as the real service declares them, Query(default, ge=min, le=max),
 * refused out of bounds in pydantic's words. */
static const hg_page_cfg_t page_cfg = {
    HG_PAGE_BY_OFFSET,
    {
        {HG_PAGE_START, "skip", 0, 0, 0, HG_PAGE_EXTRAS, "minimum",
         "ensure this value is greater than or equal to 0", NULL, NULL},
        {HG_PAGE_SIZE, "limit", 10, 1, 50, HG_PAGE_EXTRAS, "minimum",
         "ensure this value is greater than or equal to 1", "maximum",
         "ensure this value is less than or equal to 50"},
    },
};

int wr_page_or_fail(rpc_ctx_t *ctx, int has_skip, int64_t skip, int has_limit, int64_t limit,
                    hg_page_t *out) {
  hg_page_req_t q = {.has_size = has_limit, .size = limit, .has_start = has_skip, .start = skip};
  hg_status_t st;
  hg_status_clear(&st);
  if (hg_page_resolve(&page_cfg, &q, &st, out)) return hg_fail_invalid(ctx, &st, WR_INVALID);
  return 0;
}

const hg_rule_texts_t wr_rule_texts = {{
    [HG_BREAK_REQUIRED] = {"required", "field required", HG_EXTRA_NONE},
    [HG_BREAK_NULL] = {"not_null", "none is not an allowed value", HG_EXTRA_NONE},
    [HG_BREAK_INVALID] = {"invalid", "{text}", HG_EXTRA_NONE},
    [HG_BREAK_DATETIME] = {"datetime", "invalid datetime format", HG_EXTRA_NONE},
}};

/* ---- queued writes ---------------------------------------------------------------------- */

void wr_submit(rpc_ctx_t *ctx, const store_call_op_t *op, const void *req, void *aux) {
  store_call_start(ctx, wr_svc(ctx)->store, &wr_store_answers, op, req, aux);
}

void wr_submit_delete(rpc_ctx_t *ctx, const void *req, const char *path_id,
                      const store_call_op_t *op) {
  char id[HG_OBJECTID_LEN];
  if (wr_path_id_or_fail(ctx, path_id, id)) return;
  Hangar__Resources__V1__Deleted *d = deleted_answer(ctx, id);
  if (!d) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return;
  }
  wr_submit(ctx, op, req, d);
}

/* ---- the method table ------------------------------------------------------------------- */

int wrappers_register(rpc_server_t *server) {
  rpc_binding_t all[WR_N_WRAPPER_BINDINGS + WR_N_RESOURCE_BINDINGS];
  memcpy(all, wr_wrapper_bindings, sizeof(wr_wrapper_bindings));
  memcpy(all + WR_N_WRAPPER_BINDINGS, wr_resource_bindings, sizeof(wr_resource_bindings));
  return rpc_server_add_service(server, &hangar__resources__v1__wrappers__descriptor, all,
                                sizeof(all) / sizeof(all[0]));
}
