/* versions.c - API product versions: create, list (filter, sort), get, update (PATCH) and
 * delete (with its specification).
 *
 * Versions are grouped by product, so the product's version_count is the group's count and
 * changes in the same transaction as every create and delete here. gateway_service takes
 * Konnect's payload {id, control_plane_id} or the legacy {id, runtime_group_id} and is
 * answered with all three (runtime_group_id = control_plane_id); null unlinks it. notify is
 * accepted and validated on PATCH; Hangar has no portal consumers to notify. */
#include <stdint.h>
#include <string.h>

#include "products/call.h"
#include "products/fields.h"
#include "common/filter.h"
#include "products/labels_patch.h"
#include "products/list.h"
#include "products/product_store.h"

typedef Hangar__Products__V1__CreateApiProductVersionRequest create_req_t;
typedef Hangar__Products__V1__ListApiProductVersionsRequest list_req_t;
typedef Hangar__Products__V1__GetApiProductVersionRequest get_req_t;
typedef Hangar__Products__V1__UpdateApiProductVersionRequest update_req_t;
typedef Hangar__Products__V1__DeleteApiProductVersionRequest delete_req_t;
typedef Hangar__Products__V1__GatewayService gateway_service_t;

static const char *const publish_statuses[] = {"unpublished", "published", NULL};
static const hg_rule_t rule_rows[] = {
    {.field = "name", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .min = 1, .max = SIZE_MAX},
    {.field = "publish_status", .kind = HG_RULE_ONE_OF, .choices = publish_statuses},
};
static const hg_rules_t rules = HG_RULES(&pr_rule_texts, rule_rows);
static const char *const path_names[] = {"api_product_id", "id", NULL};

enum { ATTR_NAME, ATTR_PUBLISH_STATUS, ATTR_GATEWAY_SERVICE_ID };
static const hg_sort_field_t sort_fields[] = {{"name", ATTR_NAME}};
static const hg_sort_cfg_t sort_cfg = {"sort", sort_fields, 1};
static const hg_filter_field_t filter_fields[] = {
    {"name", ATTR_NAME, HG_FILTER_OPS_STRING},
    {"publish_status", ATTR_PUBLISH_STATUS, HG_FILTER_OPS_STRING},
    {"gateway_service_id", ATTR_GATEWAY_SERVICE_ID, HG_FILTER_OPS_UUID},
};
static const hg_filter_cfg_t filter_cfg = {"filter", filter_fields, 3};

/* ---- gateway_service ------------------------------------------------------------------ */

/* One uuid member of the payload into *out (canonical); "required"/"is_uuid" otherwise. */
static void read_uuid(const char *value, const char *field, hg_arena_t *a, hg_status_t *st,
                      char **out) {
  char canon[HG_UUID_LEN];
  if (!value)
    pr_violate(st, a, field, "required");
  else if (hg_uuid_parse(value, canon) != 0)
    pr_violate(st, a, field, "is_uuid");
  else
    *out = hg_arena_strdup(a, canon);
}

/* The stored (normalised) form of a payload; *out NULL for none. -1 on allocation failure. */
static int read_gateway_service(const gateway_service_t *g, hg_arena_t *a, hg_status_t *st,
                                gateway_service_t **out) {
  char *id = NULL, *cp = NULL;
  *out = NULL;
  if (!g) return 0;
  const char *plane = g->_control_plane_id_case   ? g->control_plane_id
                      : g->_runtime_group_id_case ? g->runtime_group_id
                                                  : NULL;
  size_t before = st->n_violations;
  read_uuid(g->_id_case ? g->id : NULL, "gateway_service.id", a, st, &id);
  read_uuid(plane, "gateway_service.control_plane_id", a, st, &cp);
  if (st->n_violations > before) return 0;
  gateway_service_t *n = hg_arena_alloc(a, sizeof(*n));
  if (!n || !id || !cp) return -1;
  hangar__products__v1__gateway_service__init(n);
  n->_id_case = HANGAR__PRODUCTS__V1__GATEWAY_SERVICE___ID_ID;
  n->id = id;
  n->_control_plane_id_case =
      HANGAR__PRODUCTS__V1__GATEWAY_SERVICE___CONTROL_PLANE_ID_CONTROL_PLANE_ID;
  n->control_plane_id = cp;
  n->_runtime_group_id_case =
      HANGAR__PRODUCTS__V1__GATEWAY_SERVICE___RUNTIME_GROUP_ID_RUNTIME_GROUP_ID;
  n->runtime_group_id = cp;
  *out = n;
  return 0;
}

/* ---- shared --------------------------------------------------------------------------- */

typedef struct version_input {
  hg_labels_t labels;             /* create */
  pr_labels_patch_t labels_patch; /* update */
  gateway_service_t *gateway_service;
  version_record_t *rec; /* the write's result */
} version_input_t;

static void reply_version(store_call_t *w) {
  rpc_reply(w->ctx, ((version_input_t *)w->aux)->rec->version);
}

/* ---- create --------------------------------------------------------------------------- */

/* The new version's record into in->rec; -1 on allocation failure. */
static int new_version(const ProtobufCMessage *msg, const pr_path_t *path, hg_arena_t *a,
                       void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  version_input_t *in = aux;
  version_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  version_t *v = hg_arena_alloc(a, sizeof(*v));
  if (!rec || !v) return -1;
  hangar__products__v1__version_record__init(rec);
  hangar__products__v1__api_product_version__init(v);
  rec->api_product_id = (char *)path->product_id;
  rec->version = v;
  v->name = req->name;
  v->publish_status = req->_publish_status_case ? req->publish_status : "unpublished";
  v->deprecated = req->_deprecated_case ? req->deprecated : 0;
  v->gateway_service = in->gateway_service;
  if (!(v->id = pr_new_id(a)) || !(v->created_at = hg_now_text(a))) return -1;
  v->updated_at = v->created_at;
  in->rec = rec;
  return hg_labels_to_map(&v->base, "labels", &in->labels, a) == 0 ? 0 : -1;
}

static int create_write(store_txn_t *txn, store_call_t *w) {
  int rc = pr_in_product_or_refuse(txn, w);
  return rc ? rc : version_save(txn, ((version_input_t *)w->aux)->rec, w->a, STORE_PUT_NOOVERWRITE);
}

static const store_call_op_t create_op = {create_write, reply_version, NULL, NULL};

static int read_create(const ProtobufCMessage *msg, const Google__Protobuf__FieldMask *mask,
                       hg_arena_t *a, hg_status_t *st, void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  version_input_t *in = aux;
  (void)mask;
  if (pr_labels_create(msg, &pr_labels_cfg, a, st, &in->labels) < 0) return -1;
  return read_gateway_service(req->gateway_service, a, st, &in->gateway_service);
}

static const pr_body_def_t create_body = {&rules,      path_names,  sizeof(version_input_t),
                                          read_create, new_version, &create_op};

static void create_version(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, NULL, &path) == 0)
    pr_submit_body(ctx, &create_body, &path, req, NULL);
}

/* ---- update --------------------------------------------------------------------------- */

static int apply_update(store_call_t *w, const version_input_t *in, version_t *v) {
  const update_req_t *req = w->req;
  const Google__Protobuf__FieldMask *mask = pr_mask_of(req->update_mask);
  if (mask->n_paths == 0) return 0;
  if (hg_mask_has(mask, "name")) v->name = req->name;
  if (hg_mask_has(mask, "publish_status")) v->publish_status = req->publish_status;
  if (hg_mask_has(mask, "deprecated")) v->deprecated = req->deprecated;
  if (hg_mask_has(mask, "gateway_service")) v->gateway_service = in->gateway_service;
  int rc = pr_labels_patch_apply(&in->labels_patch, &pr_labels_cfg, &v->base, w->a, &w->st);
  if (rc > 0) return store_call_refuse_invalid(w);
  return rc < 0 || !(v->updated_at = hg_now_text(w->a)) ? STORE_ENOMEM : 0;
}

static int update_write(store_txn_t *txn, store_call_t *w) {
  version_input_t *in = w->aux;
  const pr_path_t *path = pr_path_of(w);
  int rc = pr_in_product_or_refuse(txn, w);
  if (rc == 0)
    rc = pr_found_or_refuse(w, version_load(txn, w->a, path->product_id, path->id, &in->rec));
  if (rc || (rc = apply_update(w, in, in->rec->version)) != 0) return rc;
  return version_save(txn, in->rec, w->a, 0);
}

static const store_call_op_t update_op = {update_write, reply_version, NULL, NULL};

/* deprecated and notify, when named, must be booleans (JSON null unsets them); then the
 * labels patch and gateway_service. */
static int read_update(const ProtobufCMessage *msg, const Google__Protobuf__FieldMask *mask,
                       hg_arena_t *a, hg_status_t *st, void *aux) {
  const update_req_t *req = (const update_req_t *)msg;
  version_input_t *in = aux;
  if (hg_mask_has(mask, "deprecated") && !req->_deprecated_case)
    pr_violate(st, a, "deprecated", "is_boolean");
  if (hg_mask_has(mask, "notify") && !req->_notify_case) pr_violate(st, a, "notify", "is_boolean");
  if (pr_labels_patch_read(mask, &pr_labels_cfg, req->labels, a, st, &in->labels_patch) < 0)
    return -1;
  return read_gateway_service(req->gateway_service, a, st, &in->gateway_service);
}

static const pr_body_def_t update_body = {&rules,      path_names, sizeof(version_input_t),
                                          read_update, NULL,       &update_op};

static void update_version(rpc_ctx_t *ctx, const void *msg) {
  const update_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, req->id, &path) == 0)
    pr_submit_body(ctx, &update_body, &path, req, pr_mask_of(req->update_mask));
}

/* ---- delete --------------------------------------------------------------------------- */

static int delete_write(store_txn_t *txn, store_call_t *w) {
  version_record_t *rec;
  const pr_path_t *path = pr_path_of(w);
  int rc = pr_in_product_or_refuse(txn, w);
  if (rc == 0)
    rc = pr_found_or_refuse(w, version_load(txn, w->a, path->product_id, path->id, &rec));
  return rc ? rc : version_delete_cascade(txn, w->a, path->product_id, path->id);
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_empty, NULL, NULL};

static void delete_version(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, req->id, &path)) return;
  pr_submit_delete(ctx, &path, &delete_op, req);
}

/* ---- reads ---------------------------------------------------------------------------- */

static const pr_reads_t reads = {
    PR_IN_PRODUCT, PR_VERSIONS,
    &hangar__products__v1__list_api_product_versions_response__descriptor, NULL, NULL};

static void get_version(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, req->id, &path) == 0)
    pr_get_reply(ctx, &reads, &path, path.id);
}

static const char *version_attr(const void *item, int id) {
  const version_t *v = ((const version_record_t *)item)->version;
  switch (id) {
    case ATTR_PUBLISH_STATUS: return v->publish_status;
    case ATTR_GATEWAY_SERVICE_ID:
      return v->gateway_service && v->gateway_service->_id_case ? v->gateway_service->id : "";
    default: return v->name;
  }
}

static int keep_version(const void *item, const void *arg) {
  return hg_filter_match(arg, version_attr, item);
}

static int compare_versions(const void *x, const void *y, int id) {
  return strcmp(version_attr(x, id), version_attr(y, id));
}

static void list_versions(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  pr_path_t path;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_filter_t *filter = hg_arena_alloc(a, sizeof(*filter));
  pr_list_query_t q = {.cmp = compare_versions};
  hg_status_t st;
  hg_status_clear(&st);
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, NULL, &path)) return;
  if (!filter) {
    pr_fail_internal(ctx);
    return;
  }
  pr_page_resolve(req->page, &st, &q.page);
  hg_sort_parse(&sort_cfg, req->sort, a, &st, &q.sort);
  hg_filter_from_message(&filter_cfg, (const ProtobufCMessage *)req->filter, a, &st, filter);
  if (hg_valid_or_fail(ctx, &st, PR_MSG_INVALID)) return;
  if (filter->n) q.keep = keep_version, q.keep_arg = filter;
  pr_list_use_name_index(&q, filter, ATTR_NAME, 0);
  pr_list_reply(ctx, &reads, &path, &q);
}

static const rpc_binding_t bindings[] = {
    {"CreateApiProductVersion", create_version, pr_admit_child_editor},
    {"ListApiProductVersions", list_versions, pr_admit_child_viewer},
    {"GetApiProductVersion", get_version, pr_admit_child_viewer},
    {"UpdateApiProductVersion", update_version, pr_admit_child_editor},
    {"DeleteApiProductVersion", delete_version, pr_admit_child_editor},
};
const pr_methods_t pr_version_methods = PR_METHODS(bindings);
