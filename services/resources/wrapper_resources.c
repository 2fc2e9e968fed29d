/* wrapper_resources.c - the wrapper API's resources: create, list, get, patch, delete
 * (seed 003 + CONTRACTS.md).
 *
 * A resource belongs to an existing wrapper (400 "Wrapper with ID '<id>' does not exist"
 * otherwise) and its name is unique within the wrapper (400 "Resource with this identifier
 * already exists"). startPeriod/endPeriod are null until a PATCH sets them; they are stored
 * in one RFC 3339 form (UTC, milliseconds), and endPeriod may not precede startPeriod. */
#include <string.h>

#include "common/clock.h"
#include "resources/wrapper_api.h"

typedef Hangar__Resources__V1__CreateWrapperResourceRequest create_req_t;
typedef Hangar__Resources__V1__ListWrapperResourcesRequest list_req_t;
typedef Hangar__Resources__V1__ListWrapperResourcesResponse list_resp_t;
typedef Hangar__Resources__V1__GetWrapperResourceRequest get_req_t;
typedef Hangar__Resources__V1__PatchWrapperResourceRequest patch_req_t;
typedef Hangar__Resources__V1__DeleteWrapperResourceRequest delete_req_t;
typedef Google__Protobuf__StringValue string_value_t;

#define NOT_FOUND "Resource not found"
#define DUPLICATE "Resource with this identifier already exists"
#define INTERNAL "Internal server error"

static const hg_rule_t create_rows[] = {
    {.field = "wrapper_id", .kind = HG_RULE_PRESENT, .flags = HG_RULE_REQUIRED},
    {.field = "name", .kind = HG_RULE_PRESENT, .flags = HG_RULE_REQUIRED},
    {.field = "type", .kind = HG_RULE_PRESENT, .flags = HG_RULE_REQUIRED},
};
static const hg_rule_t patch_rows[] = {
    {.field = "name", .kind = HG_RULE_PRESENT},
    {.field = "type", .kind = HG_RULE_PRESENT},
};
/* Periods are checked as every create's fields are, whether or not the mask names them: a
 * gRPC caller may set one without naming it, and it must still be a time (then unused). */
static const hg_rule_t period_rows[] = {
    {.field = "startPeriod", .kind = HG_RULE_RFC3339},
    {.field = "endPeriod", .kind = HG_RULE_RFC3339},
};
static const hg_rules_t create_rules = HG_RULES(&wr_rule_texts, create_rows);
static const hg_rules_t patch_rules = HG_RULES(&wr_rule_texts, patch_rows);
static const hg_rules_t period_rules = HG_RULES(&wr_rule_texts, period_rows);

/* ---- create ----------------------------------------------------------------------------- */

/* The unknown-wrapper refusal, naming the id as the client sent it. */
static const char *no_wrapper(hg_arena_t *a, const char *wrapper_id) {
  const char *m = hg_arena_sprintf(a, "Wrapper with ID '%s' does not exist", wrapper_id);
  return m ? m : "Wrapper does not exist";
}

static int create_write(store_txn_t *txn, store_call_t *c) {
  const wres_t *r = c->aux;
  hg_arena_t *a = c->a;
  int base = wr_svc(c->ctx)->wrapper_base;
  wrapper_t *w;
  int rc = wrapper_load(txn, base, a, r->wrapper_id, &w);
  if (rc == STORE_NOTFOUND)
    return store_call_refuse(c, HG_FAILED_PRECONDITION,
                             no_wrapper(a, ((const create_req_t *)c->req)->wrapper_id));
  if (rc == 0) rc = wres_save(txn, base, a, r, STORE_PUT_NOOVERWRITE);
  return rc == STORE_EXISTS ? store_call_refuse(c, HG_ALREADY_EXISTS, DUPLICATE) : rc;
}

static const store_call_op_t create_op = {create_write, store_call_reply_aux,
                                          "Failed to create resource", NULL};

/* The new resource; wrapper_id canonical (lowercase) when it is an ObjectId. */
static wres_t *new_resource(rpc_ctx_t *ctx, const create_req_t *req, const char *wrapper_id) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  wres_t *r = hg_arena_alloc(a, sizeof(*r));
  char *id = hg_arena_alloc(a, HG_OBJECTID_LEN);
  char *wid = hg_arena_strdup(a, wrapper_id);
  if (!r || !id || !wid) return NULL;
  hangar__resources__v1__wrapper_resource__init(r);
  hg_objectid_next(&wr_svc(ctx)->ids, hg_now_ms() / 1000, id);
  r->id = id;
  r->wrapper_id = wid;
  r->name = req->name;
  r->type = req->type;
  return r;
}

static void create_resource(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  char wid[HG_OBJECTID_LEN];
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_scope_t body = {HG_RULES_CREATE, req->update_mask, NULL};
  hg_rules_check(&create_rules, &req->base, &body, rpc_ctx_arena(ctx), &st);
  if (hg_valid_or_fail(ctx, &st, WR_INVALID)) return;
  if (hg_objectid_parse(req->wrapper_id, wid) != 0) { /* cannot name a wrapper */
    rpc_fail_code(ctx, HG_FAILED_PRECONDITION, no_wrapper(rpc_ctx_arena(ctx), req->wrapper_id));
    return;
  }
  wres_t *r = new_resource(ctx, req, wid);
  if (!r) {
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
    return;
  }
  wr_submit(ctx, &create_op, req, r);
}

/* ---- reads ------------------------------------------------------------------------------ */

/* A list request: its page, and the canonical wrapper id it filters by (NULL: none). */
typedef struct list_query {
  hg_page_t page;
  const char *wrapper_id;
} list_query_t;

static int read_page(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const list_query_t *q = arg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  list_resp_t *resp = hg_arena_alloc(a, sizeof(*resp));
  wres_t **items = hg_arena_alloc(a, (size_t)q->page.size * sizeof(*items));
  if (!resp || !items) return STORE_ENOMEM;
  hangar__resources__v1__list_wrapper_resources_response__init(resp);
  resp->resources = items;
  *answer = resp;
  return wres_page(txn, wr_svc(ctx)->wrapper_base, a, q->wrapper_id, q->page.offset,
                   (size_t)q->page.size, items, &resp->n_resources);
}

/* A wrapper_id filter that is no ObjectId matches nothing: the page is empty. */
static void list_resources(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  list_query_t q = {.wrapper_id = NULL};
  char wid[HG_OBJECTID_LEN];
  if (wr_page_or_fail(ctx, req->_skip_case != 0, req->skip, req->_limit_case != 0, req->limit,
                      &q.page))
    return;
  if (req->_wrapper_id_case != 0) {
    if (hg_objectid_parse(req->wrapper_id, wid) != 0) {
      list_resp_t empty = HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_RESPONSE__INIT;
      rpc_reply(ctx, &empty);
      return;
    }
    q.wrapper_id = wid;
  }
  wr_read_reply(ctx, read_page, &q, NULL);
}

static void get_resource(rpc_ctx_t *ctx, const void *msg) {
  wr_get_reply(ctx, ((const get_req_t *)msg)->id, WR_T_RESOURCES, NOT_FOUND);
}

/* ---- patch ------------------------------------------------------------------------------ */

/* A PATCH after validation: the canonical id and periods (NULL when not in the body, or
 * sent as null). */
typedef struct patch {
  const patch_req_t *req;
  char id[HG_OBJECTID_LEN];
  string_value_t *start, *end;
} patch_t;

/* A period from the body in the stored form; NULL when absent or no time (period_rules
 * has said so). */
static string_value_t *period(hg_arena_t *a, const string_value_t *in, int *oom) {
  int64_t ms;
  char text[HG_RFC3339_LEN];
  if (!in || hg_time_parse_rfc3339(in->value, HG_RFC3339_STRICT, &ms) != 0 || ms < 0) return NULL;
  hg_time_rfc3339(ms, text);
  string_value_t *out = hg_arena_alloc(a, sizeof(*out));
  char *copy = hg_arena_strdup(a, text);
  if (!out || !copy) {
    *oom = 1;
    return NULL;
  }
  google__protobuf__string_value__init(out);
  out->value = copy;
  return out;
}

static int64_t period_ms(const string_value_t *v) {
  int64_t ms = 0;
  hg_time_parse_rfc3339(v->value, HG_RFC3339_LAX,
                        &ms); /* stored in canonical form: always parses */
  return ms;
}

/* Applies the body's keys to r; refuses an endPeriod before the startPeriod. */
static int apply_patch(store_call_t *c, const patch_t *p, wres_t *r) {
  const patch_req_t *req = p->req;
  if (hg_mask_has(req->update_mask, "name")) r->name = req->name;
  if (hg_mask_has(req->update_mask, "type")) r->type = req->type;
  if (hg_mask_has(req->update_mask, "startPeriod")) r->startperiod = p->start;
  if (hg_mask_has(req->update_mask, "endPeriod")) r->endperiod = p->end;
  if (!r->startperiod || !r->endperiod || period_ms(r->endperiod) >= period_ms(r->startperiod))
    return 0;
  hg_status_violation(&c->st, "endPeriod", "invalid", "endPeriod must not be before startPeriod");
  return store_call_refuse_invalid(c);
}

static int patch_write(store_txn_t *txn, store_call_t *c) {
  const patch_t *p = c->req;
  int base = wr_svc(c->ctx)->wrapper_base;
  wres_t *r;
  int rc = wres_load(txn, base, c->a, p->id, &r);
  if (rc == STORE_NOTFOUND) return store_call_refuse(c, HG_NOT_FOUND, NOT_FOUND);
  if (rc == 0 && (rc = apply_patch(c, p, r)) == 0) rc = wres_save(txn, base, c->a, r, 0);
  if (rc == STORE_EXISTS) return store_call_refuse(c, HG_ALREADY_EXISTS, DUPLICATE);
  c->aux = r;
  return rc;
}

static const store_call_op_t patch_op = {patch_write, store_call_reply_aux, NULL, NULL};

/* Checks the path id and the body before queueing: a malformed id, null names/types,
 * periods that are not RFC 3339, all listed together (path first) as FastAPI lists them. */
static patch_t *validate_patch_or_fail(rpc_ctx_t *ctx, const patch_req_t *req) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  patch_t *p = hg_arena_alloc(a, sizeof(*p));
  int oom = !p;
  hg_status_t st;
  hg_status_clear(&st);
  if (p && hg_objectid_parse(req->id, p->id) != 0)
    hg_status_violation(&st, "id", "invalid", "Invalid objectid");
  hg_rules_scope_t body = {HG_RULES_PATCH, req->update_mask, NULL};
  hg_rules_check(&patch_rules, &req->base, &body, a, &st);
  hg_rules_check(&period_rules, &req->base, NULL, a, &st);
  if (p) {
    p->req = req;
    p->start = period(a, req->startperiod, &oom);
    p->end = period(a, req->endperiod, &oom);
  }
  if (oom)
    rpc_fail_code(ctx, HG_INTERNAL, INTERNAL);
  else if (st.n_violations)
    hg_fail_invalid(ctx, &st, WR_INVALID);
  return oom || st.n_violations ? NULL : p;
}

static void patch_resource(rpc_ctx_t *ctx, const void *msg) {
  patch_t *p = validate_patch_or_fail(ctx, msg);
  if (p) wr_submit(ctx, &patch_op, p, NULL);
}

/* ---- delete ----------------------------------------------------------------------------- */

static int delete_write(store_txn_t *txn, store_call_t *c) {
  const Hangar__Resources__V1__Deleted *d = c->aux;
  int rc = wres_delete(txn, wr_svc(c->ctx)->wrapper_base, d->id);
  return rc == STORE_NOTFOUND ? store_call_refuse(c, HG_NOT_FOUND, NOT_FOUND) : rc;
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_resource(rpc_ctx_t *ctx, const void *msg) {
  wr_submit_delete(ctx, msg, ((const delete_req_t *)msg)->id, &delete_op);
}

const rpc_binding_t wr_resource_bindings[WR_N_RESOURCE_BINDINGS] = {
    {"CreateResource", create_resource, wr_admit_write},
    {"ListResources", list_resources, wr_admit_read},
    {"GetResource", get_resource, wr_admit_read},
    {"PatchResource", patch_resource, wr_admit_write},
    {"DeleteResource", delete_resource, wr_admit_write},
};
