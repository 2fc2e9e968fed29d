/* ktrlplane.c - the KtrlPlane Resources API (seed 000 + CONTRACTS.md): handlers and rules.
 *
 * Every handler: its method's admission (authenticate, authorize on "projects/<project_id>";
 * also what Admission/Admit runs, rpc.h), check the path ids, validate with the rule tables,
 * then read in a read transaction or write through the store's group commit (the reply is
 * sent from the write's completion, after the durable commit). Reads the caller may not
 * make answer 404, writes 403 (no existence leak). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/log.h"
#include "resources/reconciler.h"
#include "resources/resource_store.h"
#include "rpc/rpc.h"
#include "common/validate.h"

typedef Hangar__Resources__V1__ListResourcesRequest list_req_t;
typedef Hangar__Resources__V1__ListResourcesResponse list_resp_t;
typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;
typedef Hangar__Resources__V1__GetResourceRequest get_req_t;
typedef Hangar__Resources__V1__UpdateResourceRequest update_req_t;
typedef Hangar__Resources__V1__DeleteResourceRequest delete_req_t;
typedef Hangar__Resources__V1__DeleteResourceResponse delete_resp_t;
typedef Hangar__Json__V1__RawObject raw_object_t;

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 100
#define NAME_MAX_CHARS 200

static const authz_messages_t auth_messages = {
    .missing = "Authorization header required",
    .not_bearer = "Bearer token required",
    .invalid = "Invalid token",
    .unavailable = "Authentication service unavailable",
};

/* ---- rules ------------------------------------------------------------------------------ */

static const char *const resource_types[] = {"Konnektr.Graph", "Konnektr.Flow",
                                             "Konnektr.Assembler", "Konnektr.Compass", NULL};
static const char *const skus[] = {"free", "pro", "enterprise", NULL};

#define TYPE_DESC                                                                                  \
  "must be one of Konnektr.Graph, Konnektr.Flow, Konnektr.Assembler, Konnektr.Compass"
#define SKU_DESC "must be one of free, pro, enterprise"
#define SETTINGS_DESC "must be a JSON object"
#define NAME_DESC "must be 1 to 200 characters"
#define ID_DESC                                                                                    \
  "must be a DNS label: 1-63 characters of a-z, 0-9 and '-', starting with a letter and not "      \
  "ending with '-'"

/* The settings text is a JSON object; "" stands for {}. The gateway sends canonical text
 * of an object and writes stored text back out verbatim, but a gRPC caller bypasses its
 * transcoder: the text must be checked here. */
static int settings_text_valid(const char *text) {
  if (!*text) return 1;
  json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  int ok = json_is_object(j);
  json_decref(j);
  return ok;
}

/* The rows both writes share; update applies them to the fields its body names. */
#define NAME_ROW                                                                                   \
  {                                                                                                \
    .field = "name", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .min = 1,                  \
    .max = NAME_MAX_CHARS, .text = NAME_DESC                                                       \
  }
#define SKU_ROW                                                                                    \
  { .field = "sku", .kind = HG_RULE_ONE_OF, .choices = skus, .text = SKU_DESC }
#define SETTINGS_ROW                                                                               \
  {                                                                                                \
    .field = "settings_json", .kind = HG_RULE_PREDICATE, .flags = HG_RULE_NULLABLE,                \
    .valid = settings_text_valid, .text = SETTINGS_DESC                                            \
  }

static const hg_rule_t create_rows[] = {
    {.field = "id", .kind = HG_RULE_DNS_LABEL, .flags = HG_RULE_REQUIRED, .text = ID_DESC},
    NAME_ROW,
    {.field = "type",
     .kind = HG_RULE_ONE_OF,
     .flags = HG_RULE_REQUIRED,
     .choices = resource_types,
     .text = TYPE_DESC},
    SKU_ROW,
    SETTINGS_ROW,
};
static const hg_rule_t update_rows[] = {NAME_ROW, SKU_ROW, SETTINGS_ROW};
static const hg_rules_t create_rules = HG_RULES(&hg_rule_texts_described, create_rows);
static const hg_rules_t update_rules = HG_RULES(&hg_rule_texts_described, update_rows);
static const hg_rule_t project_rule = {
    .field = "project_id",
    .kind = HG_RULE_CHARSET,
    .min = 1,
    .max = 128,
    .charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
    .text = "must be 1-128 characters of letters, digits, '.', '_', '-'"};
static const hg_rule_t resource_id_rule = {
    .field = "resource_id", .kind = HG_RULE_DNS_LABEL, .text = ID_DESC};

/* What each operation needs, and how it is refused. */
typedef struct op_access {
  hg_role_t need;
  int names_resource; /* a caller who cannot read the project gets 404, not 403 */
  const char *denied;
} op_access_t;

static const op_access_t access_list = {HG_ROLE_VIEWER, 0,
                                        "Insufficient permissions to list resources"};
static const op_access_t access_get = {HG_ROLE_VIEWER, 1, "Resource not found"};
static const op_access_t access_create = {HG_ROLE_EDITOR, 0,
                                          "Insufficient permissions to create resource"};
static const op_access_t access_update = {HG_ROLE_EDITOR, 1,
                                          "Insufficient permissions to update resource"};
static const op_access_t access_delete = {HG_ROLE_EDITOR, 1,
                                          "Insufficient permissions to delete resource"};

/* ---- shared steps (each answers the call itself when it returns nonzero) ------------------ */

static resources_svc_t *svc_of(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

static int fail_not_found(rpc_ctx_t *ctx) {
  rpc_fail_code(ctx, HG_NOT_FOUND, "Resource not found");
  return -1;
}

static int fail_invalid(rpc_ctx_t *ctx, hg_status_t *st, const char *message) {
  st->code = HG_INVALID_ARGUMENT;
  st->message = message;
  rpc_fail(ctx, st);
  return -1;
}

/* Checks the path ids: a malformed resource id cannot exist (404); a malformed project id
 * is the client's mistake (400). */
static int check_ids_or_fail(rpc_ctx_t *ctx, const char *project_id, const char *resource_id) {
  if (resource_id && !hg_rule_valid(&resource_id_rule, resource_id)) return fail_not_found(ctx);
  if (hg_rule_valid(&project_rule, project_id)) return 0;
  if (resource_id) return fail_not_found(ctx);
  hg_status_t st;
  hg_status_clear(&st);
  hg_status_violation(&st, "project_id", "invalid", project_rule.text);
  return fail_invalid(ctx, &st, "Invalid project id");
}

static int authorize_or_fail(rpc_ctx_t *ctx, const char *project_id, const op_access_t *op) {
  hg_principal_t *p = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*p));
  if (!p) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return -1;
  }
  if (authz_bearer_or_fail(ctx, svc_of(ctx)->authz, &auth_messages, p) != 0) return -1;
  char scope[160];
  snprintf(scope, sizeof(scope), "projects/%s", project_id);
  hg_role_t role = hg_principal_role(p, scope);
  if (role >= op->need) return 0;
  if (role < HG_ROLE_VIEWER && op->names_resource) return fail_not_found(ctx);
  rpc_fail_code(ctx, HG_PERMISSION_DENIED, op->denied);
  return -1;
}

/* ---- admission: one rule per method (rpc_admit_fn) ---------------------------------------
 * Who may call is answered before what the path names is checked (check_ids_or_fail, in the
 * handler): a malformed project id is no project anyone holds a role on, so only an admin
 * grant gets past authorization to hear 400/404 about it; everyone else hears 401/403/404,
 * as when the gateway asks about a request it cannot transcode. */

static int admit_list(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const list_req_t *)msg)->project_id, &access_list);
}

static int admit_get(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const get_req_t *)msg)->project_id, &access_get);
}

static int admit_create(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const create_req_t *)msg)->project_id, &access_create);
}

static int admit_update(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const update_req_t *)msg)->project_id, &access_update);
}

static int admit_delete(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const delete_req_t *)msg)->project_id, &access_delete);
}

static void fail_store(rpc_ctx_t *ctx, int rc) {
  HG_ERROR("ktrlplane", rpc_ctx_request_id(ctx), "store: %s", store_strerror(rc));
  rpc_fail_code(ctx, store_error_code(rc), "Internal server error");
}

static char *now_text(hg_arena_t *a) {
  char now[HG_RFC3339_LEN];
  hg_time_rfc3339(hg_now_ms(), now);
  return hg_arena_strdup(a, now);
}

/* The settings to store: s, or {} when absent, so settings_json is always an object. */
static raw_object_t *settings_or_empty(hg_arena_t *a, raw_object_t *s) {
  if (s && s->json && *s->json) return s;
  raw_object_t *e = hg_arena_alloc(a, sizeof(*e));
  if (!e) return NULL;
  hangar__json__v1__raw_object__init(e);
  e->json = "{}";
  return e;
}

/* ---- reads ------------------------------------------------------------------------------ */

static void get_resource(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  if (admit_get(ctx, msg) || check_ids_or_fail(ctx, req->project_id, req->resource_id)) return;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  store_txn_t *txn;
  resource_record_t *rec = NULL;
  int rc = store_txn_begin_read(svc_of(ctx)->store, &txn);
  if (rc == 0) {
    rc = resource_load(txn, a, resource_key(a, req->project_id, req->resource_id), &rec);
    store_txn_end(txn);
  }
  if (rc == STORE_NOTFOUND) {
    fail_not_found(ctx);
  } else if (rc) {
    fail_store(ctx, rc);
  } else {
    rpc_reply(ctx, rec->resource);
  }
}

typedef struct list_page {
  hg_arena_t *arena;
  resource_t **items;
  size_t n;
  int rc;
} list_page_t;

static int collect_resource(void *arg, store_val_t key, store_val_t val) {
  (void)key;
  list_page_t *page = arg;
  resource_record_t *rec;
  page->rc = resource_decode(val, page->arena, &rec);
  if (page->rc) return 1;
  page->items[page->n++] = rec->resource;
  return 0;
}

/* Reads limit/offset; answers 400 naming the parameter when negative. */
static int page_bounds_or_fail(rpc_ctx_t *ctx, const list_req_t *req, int64_t *limit,
                               int64_t *offset) {
  int has_limit = req->_limit_case == HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT;
  int has_offset =
      req->_offset_case == HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___OFFSET_OFFSET;
  *limit = has_limit ? req->limit : LIST_DEFAULT_LIMIT;
  *offset = has_offset ? req->offset : 0;
  hg_status_t st;
  hg_status_clear(&st);
  if (*limit < 0) hg_status_violation(&st, "limit", "minimum", "must not be negative");
  if (*offset < 0) hg_status_violation(&st, "offset", "minimum", "must not be negative");
  if (st.n_violations) return fail_invalid(ctx, &st, "Invalid query parameter");
  if (*limit > LIST_MAX_LIMIT) *limit = LIST_MAX_LIMIT;
  return 0;
}

static void list_resources(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  int64_t limit, offset;
  if (admit_list(ctx, msg) || check_ids_or_fail(ctx, req->project_id, NULL)) return;
  if (page_bounds_or_fail(ctx, req, &limit, &offset)) return;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  list_page_t page = {.arena = a,
                      .items = hg_arena_alloc(a, sizeof(resource_t *) * (size_t)(limit + 1))};
  uint64_t total = 0;
  store_val_t group = {req->project_id, strlen(req->project_id)};
  store_txn_t *txn;
  int rc = page.items ? store_txn_begin_read(svc_of(ctx)->store, &txn) : STORE_ENOMEM;
  if (rc == 0) {
    rc = store_group_count(txn, RES_TABLE, group, &total);
    if (rc == 0 && limit > 0)
      rc = store_group_scan(txn, RES_TABLE, group, (uint64_t)offset, (size_t)limit,
                            collect_resource, &page);
    store_txn_end(txn);
  }
  if (rc == 0) rc = page.rc;
  if (rc) {
    fail_store(ctx, rc);
    return;
  }
  list_resp_t resp = HANGAR__RESOURCES__V1__LIST_RESOURCES_RESPONSE__INIT;
  resp.resources = page.items;
  resp.n_resources = page.n;
  resp.total = (int64_t)total;
  resp.limit = limit;
  resp.offset = offset;
  rpc_reply(ctx, &resp);
}

/* ---- writes ----------------------------------------------------------------------------- */

/* One queued write; lives in the call's arena until the reply. */
typedef struct write_op {
  rpc_ctx_t *ctx;
  const void *req;
  resource_record_t *rec; /* create: the new record; update/delete: the result */
  hg_status_t st;         /* set when the write function refuses */
} write_op_t;

#define WRITE_REFUSED 1 /* a write function's code: op->st says why */

static int refuse(write_op_t *op, hg_code_t code, const char *message) {
  hg_status_set(&op->st, code, message);
  return WRITE_REFUSED;
}

/* Queues fn for req (op->rec preset when rec is non-NULL); answers the call on failure. */
static void submit_record_or_fail(rpc_ctx_t *ctx, const void *req, resource_record_t *rec,
                                  store_write_fn fn, store_done_fn done) {
  write_op_t *op = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*op));
  if (!op) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return;
  }
  op->ctx = ctx;
  op->req = req;
  op->rec = rec;
  int rc = store_submit(svc_of(ctx)->store, fn, done, op);
  if (rc) fail_store(ctx, rc);
}

static void submit_or_fail(rpc_ctx_t *ctx, const void *req, store_write_fn fn, store_done_fn done) {
  submit_record_or_fail(ctx, req, NULL, fn, done);
}

/* Common completion: a refused or failed write answers its error; else reply() answers. */
static int write_failed(write_op_t *op, int rc) {
  if (rc == 0) return 0;
  if (rc == WRITE_REFUSED) {
    rpc_fail(op->ctx, &op->st);
  } else {
    fail_store(op->ctx, rc);
  }
  return -1;
}

/* A duplicate id is refused here, where the request is known to be a create. */
static int create_write(store_txn_t *txn, void *arg) {
  write_op_t *op = arg;
  hg_arena_t *a = rpc_ctx_arena(op->ctx);
  int rc = resource_save(txn, a, op->rec, STORE_PUT_NOOVERWRITE);
  if (rc != STORE_EXISTS) return rc;
  const resource_t *r = op->rec->resource;
  refuse(op, HG_ALREADY_EXISTS, "Resource already exists");
  op->st.detail = hg_arena_sprintf(a, "resource '%s' already exists in project '%s'",
                                   r->resource_id, r->project_id);
  return WRITE_REFUSED;
}

static void reply_and_kick(write_op_t *op, const void *resp) {
  reconciler_kick(svc_of(op->ctx)->reconciler);
  rpc_reply(op->ctx, resp); /* releases op with the call's arena */
}

static void create_done(void *arg, int rc) {
  write_op_t *op = arg;
  if (write_failed(op, rc) == 0) reply_and_kick(op, op->rec->resource);
}

static resource_record_t *new_record(rpc_ctx_t *ctx, const create_req_t *req) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  resource_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  resource_t *r = hg_arena_alloc(a, sizeof(*r));
  if (!rec || !r) return NULL;
  hangar__resources__v1__resource_record__init(rec);
  hangar__resources__v1__resource__init(r);
  r->resource_id = req->id;
  r->project_id = req->project_id;
  r->name = req->name;
  r->type = req->type;
  r->sku = req->_sku_case ? req->sku : "free";
  r->status = "creating";
  r->settings_json = settings_or_empty(a, req->settings_json);
  r->created_at = r->updated_at = now_text(a);
  rec->resource = r;
  rec->due_ms = hg_now_ms() + svc_of(ctx)->provision_delay_ms;
  return (r->settings_json && r->created_at) ? rec : NULL;
}

static void create_resource(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  if (admit_create(ctx, msg) || check_ids_or_fail(ctx, req->project_id, NULL)) return;
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_check(&create_rules, &req->base, NULL, rpc_ctx_arena(ctx), &st);
  if (st.n_violations) {
    fail_invalid(ctx, &st, "Failed to create resource");
    return;
  }
  resource_record_t *rec = new_record(ctx, req);
  if (!rec) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return;
  }
  submit_record_or_fail(ctx, req, rec, create_write, create_done);
}

static int mask_has(const update_req_t *req, const char *path) {
  if (!req->update_mask) return 0;
  for (size_t i = 0; i < req->update_mask->n_paths; i++)
    if (strcmp(req->update_mask->paths[i], path) == 0) return 1;
  return 0;
}

static int update_write(store_txn_t *txn, void *arg) {
  write_op_t *op = arg;
  const update_req_t *req = op->req;
  hg_arena_t *a = rpc_ctx_arena(op->ctx);
  int rc = resource_load(txn, a, resource_key(a, req->project_id, req->resource_id), &op->rec);
  if (rc == STORE_NOTFOUND) return refuse(op, HG_NOT_FOUND, "Resource not found");
  if (rc) return rc;
  resource_t *r = op->rec->resource;
  if (strcmp(r->status, "deleting") == 0) {
    refuse(op, HG_FAILED_PRECONDITION, "Resource is being deleted");
    op->st.detail =
        hg_arena_sprintf(a, "resource '%s' cannot be updated while it is deleting", r->resource_id);
    return WRITE_REFUSED;
  }
  /* Only name, sku and settings_json are updatable. A request naming none of them (`{}`, or
   * a gRPC caller's mask of only the ids) is no update: the resource is answered as it
   * stands, its status and updated_at untouched. */
  if (!mask_has(req, "name") && !mask_has(req, "sku") && !mask_has(req, "settings_json")) return 0;
  if (mask_has(req, "name")) r->name = req->name;
  if (mask_has(req, "sku")) r->sku = req->sku;
  if (mask_has(req, "settings_json")) r->settings_json = settings_or_empty(a, req->settings_json);
  if (strcmp(r->status, "creating") != 0) {
    r->status = "updating";
    op->rec->due_ms = hg_now_ms() + svc_of(op->ctx)->provision_delay_ms;
  }
  r->updated_at = now_text(a);
  if (!r->settings_json || !r->updated_at) return STORE_ENOMEM;
  return resource_save(txn, a, op->rec, 0);
}

static void update_done(void *arg, int rc) {
  write_op_t *op = arg;
  if (write_failed(op, rc) == 0) reply_and_kick(op, op->rec->resource);
}

static void update_resource(rpc_ctx_t *ctx, const void *msg) {
  const update_req_t *req = msg;
  if (admit_update(ctx, msg) || check_ids_or_fail(ctx, req->project_id, req->resource_id)) return;
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_scope_t body = {HG_RULES_PATCH, req->update_mask, NULL};
  hg_rules_check(&update_rules, &req->base, &body, rpc_ctx_arena(ctx), &st);
  if (st.n_violations) {
    fail_invalid(ctx, &st, "Failed to update resource");
    return;
  }
  submit_or_fail(ctx, req, update_write, update_done);
}

static int delete_write(store_txn_t *txn, void *arg) {
  write_op_t *op = arg;
  const delete_req_t *req = op->req;
  hg_arena_t *a = rpc_ctx_arena(op->ctx);
  int rc = resource_load(txn, a, resource_key(a, req->project_id, req->resource_id), &op->rec);
  if (rc == STORE_NOTFOUND) return refuse(op, HG_NOT_FOUND, "Resource not found");
  if (rc) return rc;
  resource_t *r = op->rec->resource;
  if (strcmp(r->status, "deleting") == 0) return 0; /* already on its way out */
  r->status = "deleting";
  r->updated_at = now_text(a);
  op->rec->due_ms = hg_now_ms() + svc_of(op->ctx)->provision_delay_ms;
  return r->updated_at ? resource_save(txn, a, op->rec, 0) : STORE_ENOMEM;
}

static void delete_done(void *arg, int rc) {
  write_op_t *op = arg;
  if (write_failed(op, rc)) return;
  delete_resp_t resp = HANGAR__RESOURCES__V1__DELETE_RESOURCE_RESPONSE__INIT;
  resp.message = "Resource deletion initiated";
  resp.resource_id = op->rec->resource->resource_id;
  resp.status = "deleting";
  reply_and_kick(op, &resp);
}

static void delete_resource(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  if (admit_delete(ctx, msg) || check_ids_or_fail(ctx, req->project_id, req->resource_id)) return;
  submit_or_fail(ctx, req, delete_write, delete_done);
}

static const rpc_binding_t ktrlplane_bindings[] = {
    {"ListResources", list_resources, admit_list},
    {"CreateResource", create_resource, admit_create},
    {"GetResource", get_resource, admit_get},
    {"UpdateResource", update_resource, admit_update},
    {"DeleteResource", delete_resource, admit_delete},
};

int ktrlplane_register(rpc_server_t *server) {
  return rpc_server_add_service(server, &hangar__resources__v1__ktrl_plane__descriptor,
                                ktrlplane_bindings,
                                sizeof(ktrlplane_bindings) / sizeof(ktrlplane_bindings[0]));
}
