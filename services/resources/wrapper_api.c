/* wrapper_api.c - the wrapper API's shared steps and its method table. */
#include "resources/wrapper_api.h"

#include <string.h>

#include "common/clock.h"
#include "common/log.h"

/* FastAPI's HTTPBearer words for a missing or malformed header; the real service's for a
 * token it rejects. */
static const authz_messages_t auth_messages = {
    .missing = "Not authenticated",
    .not_bearer = "Invalid authentication credentials",
    .invalid = "Invalid or expired token",
    .unavailable = "Authentication service unavailable",
};

#define SCOPE "wrappers"
#define INTERNAL "Internal server error"

resources_svc_t *wr_svc(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

static int admit_or_fail(rpc_ctx_t *ctx, hg_role_t need) {
  hg_principal_t *p = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*p));
  if (!p) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return -1;
  }
  if (authz_bearer_or_fail(ctx, wr_svc(ctx)->authz, &auth_messages, p) != 0) return -1;
  if (hg_principal_role(p, SCOPE) >= need) return 0;
  rpc_fail_code(ctx, HG_PERMISSION_DENIED, "Not enough permissions");
  return -1;
}

int wr_admit_read(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  return admit_or_fail(ctx, HG_ROLE_VIEWER);
}

int wr_admit_write(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  return admit_or_fail(ctx, HG_ROLE_EDITOR);
}

void wr_fail_invalid(rpc_ctx_t *ctx, hg_status_t *st) {
  st->code = HG_INVALID_ARGUMENT;
  st->message = WR_INVALID;
  rpc_fail(ctx, st);
}

void wr_fail_store(rpc_ctx_t *ctx, int rc) {
  HG_ERROR("wrappers", rpc_ctx_request_id(ctx), "store: %s", store_strerror(rc));
  rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
}

void wr_answer_read(rpc_ctx_t *ctx, int rc, const void *resp, const char *not_found) {
  if (rc == 0)
    rpc_reply(ctx, resp);
  else if (rc == STORE_NOTFOUND && not_found)
    rpc_fail_code(ctx, HG_NOT_FOUND, not_found);
  else
    wr_fail_store(ctx, rc);
}

char *wr_now_text(hg_arena_t *a) {
  char now[HG_RFC3339_LEN];
  hg_time_rfc3339(hg_now_ms(), now);
  return hg_arena_strdup(a, now);
}

Hangar__Resources__V1__Deleted *wr_deleted(rpc_ctx_t *ctx, const char *id) {
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
  wr_fail_invalid(ctx, &st);
  return -1;
}

/* A paging parameter as the real service declares it: Query(default, ge=min, le=max). */
typedef struct bound {
  const char *field;
  int64_t def, min, max; /* max 0: unbounded */
} bound_t;

static const bound_t skip_bound = {"skip", 0, 0, 0};
static const bound_t limit_bound = {"limit", WR_LIMIT_DEFAULT, 1, WR_LIMIT_MAX};

/* The value (the default when absent); out of bounds adds a violation carrying the bound,
 * worded as pydantic words it. */
static int64_t check_bound(hg_arena_t *a, const bound_t *b, int has, int64_t value,
                           hg_status_t *st) {
  if (!has) return b->def;
  if (value < b->min) {
    const char *d = hg_arena_sprintf(a, "ensure this value is greater than or equal to %lld",
                                     (long long)b->min);
    hg_violation_minimum(hg_status_violation(st, b->field, "minimum", d), b->min);
  } else if (b->max && value > b->max) {
    const char *d =
        hg_arena_sprintf(a, "ensure this value is less than or equal to %lld", (long long)b->max);
    hg_violation_maximum(hg_status_violation(st, b->field, "maximum", d), b->max);
  }
  return value;
}

int wr_page_or_fail(rpc_ctx_t *ctx, int has_skip, int64_t skip, int has_limit, int64_t limit,
                    wr_page_t *out) {
  hg_status_t st;
  hg_status_clear(&st);
  skip = check_bound(rpc_ctx_arena(ctx), &skip_bound, has_skip, skip, &st);
  limit = check_bound(rpc_ctx_arena(ctx), &limit_bound, has_limit, limit, &st);
  if (st.n_violations) {
    wr_fail_invalid(ctx, &st);
    return -1;
  }
  *out = (wr_page_t){.skip = (uint64_t)skip, .limit = (size_t)limit};
  return 0;
}

int wr_mask_has(const Google__Protobuf__FieldMask *mask, const char *name) {
  for (size_t i = 0; mask && i < mask->n_paths; i++)
    if (strcmp(mask->paths[i], name) == 0) return 1;
  return 0;
}

const hg_rule_texts_t wr_rule_texts = {{
    [HG_BREAK_REQUIRED] = {"required", "field required", HG_EXTRA_NONE},
    [HG_BREAK_NULL] = {"not_null", "none is not an allowed value", HG_EXTRA_NONE},
    [HG_BREAK_INVALID] = {"invalid", "{text}", HG_EXTRA_NONE},
    [HG_BREAK_DATETIME] = {"datetime", "invalid datetime format", HG_EXTRA_NONE},
}};

/* ---- queued writes ---------------------------------------------------------------------- */

int wr_refuse(wr_write_t *op, hg_code_t code, const char *message) {
  hg_status_set(&op->st, code, message);
  return WR_REFUSED;
}

void wr_submit_or_fail(rpc_ctx_t *ctx, const void *req, void *result, const char *failed,
                       store_write_fn fn, store_done_fn done) {
  wr_write_t *op = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*op));
  if (!op) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return;
  }
  *op = (wr_write_t){.ctx = ctx, .req = req, .result = result, .failed = failed};
  hg_status_clear(&op->st);
  int rc = store_submit(wr_svc(ctx)->store, fn, done, op);
  if (rc) wr_fail_store(ctx, rc);
}

/* A store failure on a write the seed words ("Failed to create resource") is that 400
 * (ABORTED: nothing was written); any other is a 500. The cause goes to the log only. */
int wr_write_failed(wr_write_t *op, int rc) {
  if (rc == 0) return 0;
  if (rc == WR_REFUSED) {
    rpc_fail(op->ctx, &op->st);
  } else if (op->failed) {
    HG_ERROR("wrappers", rpc_ctx_request_id(op->ctx), "store: %s", store_strerror(rc));
    rpc_fail_code(op->ctx, HG_ABORTED, op->failed);
  } else {
    wr_fail_store(op->ctx, rc);
  }
  return -1;
}

void wr_reply_result(void *arg, int rc) {
  wr_write_t *op = arg;
  if (wr_write_failed(op, rc) == 0) rpc_reply(op->ctx, op->result);
}

/* ---- the method table ------------------------------------------------------------------- */

int wrappers_register(rpc_server_t *server) {
  rpc_binding_t all[WR_N_WRAPPER_BINDINGS + WR_N_RESOURCE_BINDINGS];
  memcpy(all, wr_wrapper_bindings, sizeof(wr_wrapper_bindings));
  memcpy(all + WR_N_WRAPPER_BINDINGS, wr_resource_bindings, sizeof(wr_resource_bindings));
  return rpc_server_add_service(server, &hangar__resources__v1__wrappers__descriptor, all,
                                sizeof(all) / sizeof(all[0]));
}
