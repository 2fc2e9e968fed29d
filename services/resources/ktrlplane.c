/* ktrlplane.c - the KtrlPlane Resources API (seed 000 + CONTRACTS.md): handlers and rules.
 *
 * Every method: its admission (authenticate, authorize on "projects/<project_id>"; named by
 * its binding, the rpc layer runs it before the handler and under Admission/Admit, rpc.h),
 * then the handler: check the path ids, validate with the rule tables, then read in a read
 * transaction or write through the store's group commit (the reply is sent from the write's
 * completion, after the durable commit). Reads the caller may not make answer 404, writes
 * 403 (no existence leak). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/fail.h"
#include "common/listing.h"
#include "common/reflect.h"
#include "resources/reconciler.h"
#include "resources/resource_store.h"
#include "rpc/rpc.h"
#include "storage/store_call.h"
#include "storage/store_watch_call.h"
#include "common/validate.h"

typedef Hangar__Resources__V1__ListResourcesRequest list_req_t;
typedef Hangar__Resources__V1__ListResourcesResponse list_resp_t;
typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;
typedef Hangar__Resources__V1__GetResourceRequest get_req_t;
typedef Hangar__Resources__V1__UpdateResourceRequest update_req_t;
typedef Hangar__Resources__V1__DeleteResourceRequest delete_req_t;
typedef Hangar__Resources__V1__DeleteResourceResponse delete_resp_t;
typedef Hangar__Resources__V1__WatchResourcesRequest watch_req_t;
typedef Hangar__Resources__V1__ResourceEvent event_t;
typedef Hangar__Json__V1__RawObject raw_object_t;

#define NAME_MAX_CHARS 200

static const authz_messages_t auth_messages = {
    .missing = "Authorization header required",
    .not_bearer = "Bearer token required",
    .invalid = "Invalid token",
    .unavailable = "Authentication service unavailable",
    .internal = "Internal server error",
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

/* What each operation needs, and how it is refused: a caller who cannot read the project
 * of an operation naming a resource gets 404, not 403. */
#define HIDDEN "Resource not found"

static const authz_need_t access_list = {HG_ROLE_VIEWER,
                                         "Insufficient permissions to list resources", NULL};
static const authz_need_t access_get = {HG_ROLE_VIEWER, HIDDEN, HIDDEN};
static const authz_need_t access_create = {HG_ROLE_EDITOR,
                                           "Insufficient permissions to create resource", NULL};
static const authz_need_t access_update = {HG_ROLE_EDITOR,
                                           "Insufficient permissions to update resource", HIDDEN};
static const authz_need_t access_delete = {HG_ROLE_EDITOR,
                                           "Insufficient permissions to delete resource", HIDDEN};

/* ---- shared steps (each answers the call itself when it returns nonzero) ------------------ */

static resources_svc_t *svc_of(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

/* A store failure is a 500 in the API's words; the code follows the store error. */
static const store_call_cfg_t store_answers = {
    .module = "ktrlplane",
    .internal = "Internal server error",
};

static int fail_not_found(rpc_ctx_t *ctx) {
  rpc_fail_code(ctx, HG_NOT_FOUND, HIDDEN);
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
  return hg_fail_invalid(ctx, &st, "Invalid project id");
}

static int authorize_or_fail(rpc_ctx_t *ctx, const char *project_id, const authz_need_t *need) {
  char scope[160];
  snprintf(scope, sizeof(scope), "projects/%s", project_id);
  return authz_admit_or_fail(ctx, svc_of(ctx)->authz, &auth_messages, scope, need);
}

/* ---- admission: one rule per method (rpc_admit_fn) ---------------------------------------
 * Who may call is answered before what the path names is checked (check_ids_or_fail, in the
 * handler): a malformed project id is no project anyone holds a role on, so only an admin
 * grant gets past authorization to hear 400/404 about it; everyone else hears 401/403/404,
 * as when the gateway asks about a request it cannot transcode. */

static int admit_list(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const list_req_t *)msg)->project_id, &access_list);
}

static int admit_watch(rpc_ctx_t *ctx, const void *msg) {
  return authorize_or_fail(ctx, ((const watch_req_t *)msg)->project_id, &access_list);
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

static int read_resource(store_txn_t *txn, rpc_ctx_t *ctx, const void *msg, void **answer) {
  const get_req_t *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  resource_record_t *rec;
  int rc = resource_load(txn, a, resource_key(a, req->project_id, req->resource_id), &rec);
  if (rc == 0) *answer = rec->resource;
  return rc;
}

static void get_resource(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  if (check_ids_or_fail(ctx, req->project_id, req->resource_id)) return;
  store_call_read(ctx, svc_of(ctx)->store, &store_answers, read_resource, req, HIDDEN);
}

/* limit 0..100 (default 50, larger capped), offset from 0: negative is the client's
 * mistake, 400 naming the parameter. */
static const hg_page_cfg_t page_cfg = {
    HG_PAGE_BY_OFFSET,
    {
        {HG_PAGE_SIZE, "limit", 50, 0, 100, HG_PAGE_CAP, "minimum", "must not be negative", NULL,
         NULL},
        {HG_PAGE_START, "offset", 0, 0, 0, 0, "minimum", "must not be negative", NULL, NULL},
    },
};

/* Reads limit/offset into *out (size = limit); answered when out of bounds. */
static int page_bounds_or_fail(rpc_ctx_t *ctx, const list_req_t *req, hg_page_t *out) {
  hg_page_req_t q = {
      .has_size = req->_limit_case == HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT,
      .size = req->limit,
      .has_start =
          req->_offset_case == HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___OFFSET_OFFSET,
      .start = req->offset,
  };
  hg_status_t st;
  hg_status_clear(&st);
  if (hg_page_resolve(&page_cfg, &q, &st, out))
    return hg_fail_invalid(ctx, &st, "Invalid query parameter");
  return 0;
}

/* A list request whose bounds are checked. */
typedef struct list_query {
  const list_req_t *req;
  hg_page_t bounds;
} list_query_t;

/* The project's total and the page of it the bounds name, encoded as the reply: each stored
 * resource's bytes go into `resources` as they are (record_append_payload), so a page is
 * never unpacked and repacked; total, limit and offset follow, packed. */
static int read_page(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, hg_buf_t *out) {
  const list_query_t *q = arg;
  const ProtobufCMessageDescriptor *d = &hangar__resources__v1__list_resources_response__descriptor;
  record_wire_page_t page = {
      .type = &resource_record_type,
      .a = rpc_ctx_arena(ctx),
      .out = out,
      .field = protobuf_c_message_descriptor_get_field_by_name(d, "resources")->id};
  size_t limit = (size_t)q->bounds.size;
  uint64_t total = 0;
  store_val_t group = {q->req->project_id, strlen(q->req->project_id)};
  uint64_t version = 0;
  int rc = store_group_count(txn, RES_TABLE, group, &total);
  /* The snapshot's version: a watch from it sees every change after this page. */
  if (rc == 0) rc = store_current_version(txn, &version);
  if (rc == 0)
    rpc_ctx_set_answer_md(
        ctx, RPC_RESOURCE_VERSION_MD,
        hg_arena_sprintf(rpc_ctx_arena(ctx), "%llu", (unsigned long long)version));
  if (rc == 0 && limit > 0)
    rc = store_group_scan(txn, RES_TABLE, group, q->bounds.offset, limit, record_collect_wire,
                          &page);
  if (page.rc) rc = page.rc;
  if (rc != 0) return rc;
  list_resp_t tail;
  hangar__resources__v1__list_resources_response__init(&tail);
  tail.total = (int64_t)total;
  tail.limit = q->bounds.size;
  tail.offset = (int64_t)q->bounds.offset;
  return rpc_codec_encode(RPC_PBC(d), &tail, out) == 0 ? 0 : STORE_ENOMEM;
}

static void list_resources(rpc_ctx_t *ctx, const void *msg) {
  list_query_t q = {.req = msg};
  if (check_ids_or_fail(ctx, q.req->project_id, NULL)) return;
  if (page_bounds_or_fail(ctx, q.req, &q.bounds)) return;
  store_call_read_encoded(ctx, svc_of(ctx)->store, &store_answers, read_page, &q, NULL);
}

/* ---- watch ------------------------------------------------------------------------------
 * A project's resources as they change (store_watch_call.h): the events are the records of
 * the change log whose key is under "<project_id>\0", rendered as GET renders them. */

static const char *const event_types[] = {
    [STORE_CHANGE_ADDED] = "ADDED",
    [STORE_CHANGE_MODIFIED] = "MODIFIED",
    [STORE_CHANGE_DELETED] = "DELETED",
};

/* The watched project's key prefix, "<project_id>\0", in the stream's arena. */
typedef struct watch_filter {
  store_val_t prefix;
} watch_filter_t;

static int resource_event(void *arg, const store_change_t *c, hg_arena_t *a, void **msg) {
  const watch_filter_t *f = arg;
  resource_record_t *rec;
  *msg = NULL;
  if (c->table != RES_TABLE || c->key.n <= f->prefix.n ||
      memcmp(c->key.p, f->prefix.p, f->prefix.n) != 0)
    return 0;
  int rc = resource_decode(c->val, a, &rec);
  event_t *ev = hg_arena_alloc(a, sizeof(*ev));
  if (rc != 0) return rc;
  if (!ev) return STORE_ENOMEM;
  hangar__resources__v1__resource_event__init(ev);
  ev->type = (char *)event_types[c->kind];
  ev->object = rec->resource;
  ev->resourceversion = hg_arena_sprintf(a, "%llu", (unsigned long long)c->version);
  *msg = ev;
  return ev->resourceversion ? 0 : STORE_ENOMEM;
}

static int resource_bookmark(uint64_t version, hg_arena_t *a, void **msg) {
  event_t *ev = hg_arena_alloc(a, sizeof(*ev));
  if (!ev) return STORE_ENOMEM;
  hangar__resources__v1__resource_event__init(ev);
  ev->type = "BOOKMARK";
  ev->resourceversion = hg_arena_sprintf(a, "%llu", (unsigned long long)version);
  *msg = ev;
  return ev->resourceversion ? 0 : STORE_ENOMEM;
}

static const store_watch_call_cfg_t watch_cfg = {
    .module = "ktrlplane",
    .event = resource_event,
    .bookmark = resource_bookmark,
    .expired = "Resource version too old: list again for a current one",
    .invalid = "Invalid query parameter",
};

static void watch_resources(rpc_ctx_t *ctx, const void *msg) {
  const watch_req_t *req = msg;
  uint64_t after;
  if (check_ids_or_fail(ctx, req->project_id, NULL)) return;
  if (store_watch_version_or_fail(ctx, &watch_cfg, req->resourceversion, &after)) return;
  store_watch_call_t *w = store_watch_call_new(ctx);
  if (!w) return;
  hg_arena_t *a = store_watch_call_arena(w);
  size_t n = strlen(req->project_id) + 1;
  watch_filter_t *f = hg_arena_alloc(a, sizeof(*f));
  char *prefix = hg_arena_alloc(a, n);
  if (!f || !prefix) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return;
  }
  memcpy(prefix, req->project_id, n); /* with its NUL: the key's separator */
  f->prefix = (store_val_t){prefix, n};
  store_watch_call_start(w, svc_of(ctx)->store, after, &watch_cfg, f);
}

static const rpc_stream_handler_t watch_handler = {
    .on_message = watch_resources,
    .on_half_close = store_watch_call_half_close,
    .on_done = store_watch_call_done,
    .kind = RPC_SERVER_STREAM,
};

/* ---- writes ----------------------------------------------------------------------------- */

/* In a write: the resource the request names, into *out and c->aux (what the reply shows);
 * a missing one is refused NOT_FOUND. */
static int load_or_refuse(store_txn_t *txn, store_call_t *c, const char *project_id,
                          const char *resource_id, resource_record_t **out) {
  int rc = resource_load(txn, c->a, resource_key(c->a, project_id, resource_id), out);
  if (rc == STORE_NOTFOUND) return store_call_refuse(c, HG_NOT_FOUND, "Resource not found");
  if (rc == 0) c->aux = *out;
  return rc;
}

/* A duplicate id is refused here, where the request is known to be a create. */
static int create_write(store_txn_t *txn, store_call_t *c) {
  resource_record_t *rec = c->aux;
  int rc = resource_save(txn, c->a, rec, STORE_PUT_NOOVERWRITE);
  if (rc != STORE_EXISTS) return rc;
  const resource_t *r = rec->resource;
  store_call_refuse(c, HG_ALREADY_EXISTS, "Resource already exists");
  c->st.detail = hg_arena_sprintf(c->a, "resource '%s' already exists in project '%s'",
                                  r->resource_id, r->project_id);
  return STORE_CALL_REFUSED;
}

static void reply_and_kick(store_call_t *c, const void *resp) {
  reconciler_kick(svc_of(c->ctx)->reconciler);
  rpc_reply(c->ctx, resp); /* releases c with the call's arena */
}

/* Creates and updates answer the record the write left in c->aux. */
static void reply_record(store_call_t *c) {
  reply_and_kick(c, ((resource_record_t *)c->aux)->resource);
}

static const store_call_op_t create_op = {create_write, reply_record, NULL, NULL};

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
  r->created_at = r->updated_at = hg_now_text(a);
  rec->resource = r;
  rec->due_ms = hg_now_ms() + svc_of(ctx)->provision_delay_ms;
  return (r->settings_json && r->created_at) ? rec : NULL;
}

static void create_resource(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  if (check_ids_or_fail(ctx, req->project_id, NULL)) return;
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_check(&create_rules, &req->base, NULL, rpc_ctx_arena(ctx), &st);
  if (hg_valid_or_fail(ctx, &st, "Failed to create resource")) return;
  resource_record_t *rec = new_record(ctx, req);
  if (!rec) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return;
  }
  store_call_start(ctx, svc_of(ctx)->store, &store_answers, &create_op, req, rec);
}

static int update_write(store_txn_t *txn, store_call_t *c) {
  const update_req_t *req = c->req;
  hg_arena_t *a = c->a;
  resource_record_t *rec;
  int rc = load_or_refuse(txn, c, req->project_id, req->resource_id, &rec);
  if (rc) return rc;
  resource_t *r = rec->resource;
  if (strcmp(r->status, "deleting") == 0) {
    store_call_refuse(c, HG_FAILED_PRECONDITION, "Resource is being deleted");
    c->st.detail =
        hg_arena_sprintf(a, "resource '%s' cannot be updated while it is deleting", r->resource_id);
    return STORE_CALL_REFUSED;
  }
  /* Only name, sku and settings_json are updatable. A request naming none of them (`{}`, or
   * a gRPC caller's mask of only the ids) is no update: the resource is answered as it
   * stands, its status and updated_at untouched. */
  if (!hg_mask_has(req->update_mask, "name") && !hg_mask_has(req->update_mask, "sku") &&
      !hg_mask_has(req->update_mask, "settings_json"))
    return 0;
  if (hg_mask_has(req->update_mask, "name")) r->name = req->name;
  if (hg_mask_has(req->update_mask, "sku")) r->sku = req->sku;
  if (hg_mask_has(req->update_mask, "settings_json"))
    r->settings_json = settings_or_empty(a, req->settings_json);
  if (strcmp(r->status, "creating") != 0) {
    r->status = "updating";
    rec->due_ms = hg_now_ms() + svc_of(c->ctx)->provision_delay_ms;
  }
  r->updated_at = hg_now_text(a);
  if (!r->settings_json || !r->updated_at) return STORE_ENOMEM;
  return resource_save(txn, a, rec, 0);
}

static const store_call_op_t update_op = {update_write, reply_record, NULL, NULL};

static void update_resource(rpc_ctx_t *ctx, const void *msg) {
  const update_req_t *req = msg;
  if (check_ids_or_fail(ctx, req->project_id, req->resource_id)) return;
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_scope_t body = {HG_RULES_PATCH, req->update_mask, NULL};
  hg_rules_check(&update_rules, &req->base, &body, rpc_ctx_arena(ctx), &st);
  if (hg_valid_or_fail(ctx, &st, "Failed to update resource")) return;
  store_call_start(ctx, svc_of(ctx)->store, &store_answers, &update_op, req, NULL);
}

static int delete_write(store_txn_t *txn, store_call_t *c) {
  const delete_req_t *req = c->req;
  resource_record_t *rec;
  int rc = load_or_refuse(txn, c, req->project_id, req->resource_id, &rec);
  if (rc) return rc;
  resource_t *r = rec->resource;
  if (strcmp(r->status, "deleting") == 0) return 0; /* already on its way out */
  r->status = "deleting";
  r->updated_at = hg_now_text(c->a);
  rec->due_ms = hg_now_ms() + svc_of(c->ctx)->provision_delay_ms;
  return r->updated_at ? resource_save(txn, c->a, rec, 0) : STORE_ENOMEM;
}

static void reply_deleting(store_call_t *c) {
  delete_resp_t resp = HANGAR__RESOURCES__V1__DELETE_RESOURCE_RESPONSE__INIT;
  resp.message = "Resource deletion initiated";
  resp.resource_id = ((resource_record_t *)c->aux)->resource->resource_id;
  resp.status = "deleting";
  reply_and_kick(c, &resp);
}

static const store_call_op_t delete_op = {delete_write, reply_deleting, NULL, NULL};

static void delete_resource(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  if (check_ids_or_fail(ctx, req->project_id, req->resource_id)) return;
  store_call_t *c = store_call_new(ctx, &store_answers, sizeof(*c));
  if (!c) return;
  /* Marking a resource "deleting" adds a due-index entry; a full store must still take it. */
  c->write_flags = STORE_WRITE_RELEASES;
  store_call_submit(c, svc_of(ctx)->store, &delete_op, req, NULL);
}

static const rpc_binding_t ktrlplane_bindings[] = {
    {"ListResources", list_resources, admit_list},
    {"CreateResource", create_resource, admit_create},
    {"GetResource", get_resource, admit_get},
    {"UpdateResource", update_resource, admit_update},
    {"DeleteResource", delete_resource, admit_delete},
};

static const rpc_stream_binding_t ktrlplane_streams[] = {
    {"WatchResources", &watch_handler, admit_watch},
};

int ktrlplane_register(rpc_server_t *server) {
  return rpc_server_add_service_streams(
      server, &hangar__resources__v1__ktrl_plane__descriptor, ktrlplane_bindings,
      sizeof(ktrlplane_bindings) / sizeof(ktrlplane_bindings[0]), ktrlplane_streams,
      sizeof(ktrlplane_streams) / sizeof(ktrlplane_streams[0]));
}
