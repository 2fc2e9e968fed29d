/* api_products.c - API products: create, list, get, update (PATCH), delete (with everything
 * under the product, in the same transaction).
 *
 * A product belongs to the caller's org (the org is part of its key). version_count is the
 * versions group's maintained count, read in the same transaction as the product. */
#include <string.h>

#include "products/call.h"
#include "products/fields.h"
#include "common/filter.h"
#include "common/strindex.h"
#include "products/labels_patch.h"
#include "products/list.h"
#include "products/product_store.h"

typedef Hangar__Products__V1__CreateApiProductRequest create_req_t;
typedef Hangar__Products__V1__ListApiProductsRequest list_req_t;
typedef Hangar__Products__V1__GetApiProductRequest get_req_t;
typedef Hangar__Products__V1__UpdateApiProductRequest update_req_t;
typedef Hangar__Products__V1__DeleteApiProductRequest delete_req_t;

static const hg_rule_t name_rows[] = {
    {.field = "name", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .min = 1, .max = 100},
};
static const hg_rules_t name_rules = HG_RULES(&pr_rule_texts, name_rows);
static const char *const path_names[] = {"id", NULL};

enum { ATTR_NAME = 0 }; /* sort and filter attributes */
static const hg_sort_field_t sort_fields[] = {{"name", ATTR_NAME}};
static const hg_sort_cfg_t sort_cfg = {"sort", sort_fields, 1};
static const hg_filter_field_t filter_fields[] = {{"name", ATTR_NAME, HG_FILTER_OPS_STRING}};
static const hg_filter_cfg_t filter_cfg = {"filter", filter_fields, 1};

/* ---- validation and building ------------------------------------------------------------ */

#define KONNECT_MAX_PORTAL_IDS 100
#define KONNECT_MAX_LABEL_TERMS 50 /* labels=k:v,k2,... (a filter's values) */

/* portal_ids: at most 100 (counted before anything else), UUIDs, each once; at most one
 * violation. An item that is no UUID is named by its index ("portal_ids[1]"), as an item of
 * the wrong JSON type is. -1 on allocation failure. */
static int check_portal_ids(char *const *ids, size_t n, hg_arena_t *a, hg_status_t *st) {
  char canon[HG_UUID_LEN];
  hg_strindex_t seen;
  if (n > KONNECT_MAX_PORTAL_IDS) {
    hg_violation_maximum(hg_status_violation(st, "portal_ids", "max_items",
                                             "portal_ids must not have more than 100 items"),
                         KONNECT_MAX_PORTAL_IDS);
    return 0;
  }
  if (hg_strindex_init(n, a, &seen) != 0) return -1;
  for (size_t i = 0; i < n; i++) {
    if (hg_uuid_parse(ids[i], canon) != 0) {
      const char *field = hg_arena_sprintf(a, "portal_ids[%zu]", i);
      pr_violate(st, a, field ? field : "portal_ids", "is_uuid");
      return 0;
    }
    if (hg_strindex_put(&seen, ids[i], i) != i) {
      hg_status_violation(st, "portal_ids", "invalid", "portal_ids must contain unique items");
      return 0;
    }
  }
  return 0;
}

/* ---- create / update / delete -------------------------------------------------------- */

/* What a product write carries: the labels (create) or their PATCH (update), and the
 * record written. */
typedef struct product_write {
  hg_labels_t new_labels, new_public_labels;
  pr_labels_patch_t labels, public_labels;
  product_record_t *rec;
} product_write_t;

static void reply_product(store_call_t *w) {
  rpc_reply(w->ctx, ((product_write_t *)w->aux)->rec->product);
}

static int create_write(store_txn_t *txn, store_call_t *w) {
  return product_save(txn, ((product_write_t *)w->aux)->rec, w->a, STORE_PUT_NOOVERWRITE);
}

static const store_call_op_t create_op = {create_write, reply_product, NULL, NULL};

static int read_create(const ProtobufCMessage *msg, const Google__Protobuf__FieldMask *mask,
                       hg_arena_t *a, hg_status_t *st, void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  product_write_t *pw = aux;
  (void)mask;
  if (pr_labels_create(msg, &pr_labels_cfg, a, st, &pw->new_labels) < 0 ||
      pr_labels_create(msg, &pr_public_labels_cfg, a, st, &pw->new_public_labels) < 0)
    return -1;
  return check_portal_ids(req->portal_ids, req->n_portal_ids, a, st);
}

/* The new product's record into pw->rec; -1 on allocation failure. */
static int new_product(const ProtobufCMessage *msg, const pr_path_t *path, hg_arena_t *a,
                       void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  product_write_t *pw = aux;
  product_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  product_t *p = hg_arena_alloc(a, sizeof(*p));
  if (!rec || !p) return -1;
  hangar__products__v1__product_record__init(rec);
  hangar__products__v1__api_product__init(p);
  rec->org = (char *)path->org;
  rec->product = p;
  p->name = req->name;
  p->description = req->description;
  p->n_portal_ids = req->n_portal_ids;
  p->portal_ids = req->portal_ids;
  if (!(p->id = pr_new_id(a)) || !(p->created_at = hg_now_text(a))) return -1;
  p->updated_at = p->created_at;
  if (hg_labels_to_map(&p->base, "labels", &pw->new_labels, a) != 0 ||
      hg_labels_to_map(&p->base, "public_labels", &pw->new_public_labels, a) != 0)
    return -1;
  pw->rec = rec;
  return 0;
}

static const pr_body_def_t create_body = {&name_rules, path_names,  sizeof(product_write_t),
                                          read_create, new_product, &create_op};

static void create_product(rpc_ctx_t *ctx, const void *msg) {
  pr_path_t path;
  if (pr_path_or_fail(ctx, NULL, NULL, NULL, &path) == 0)
    pr_submit_body(ctx, &create_body, &path, msg, NULL);
}

/* Applies the PATCH to p; STORE_CALL_REFUSED (w->st set) when the labels end up too many. */
static int apply_patch(store_call_t *w, product_t *p) {
  const update_req_t *req = w->req;
  const product_write_t *patch = w->aux;
  const Google__Protobuf__FieldMask *mask = pr_mask_of(req->update_mask);
  if (mask->n_paths == 0) return 0;
  if (hg_mask_has(mask, "name")) p->name = req->name;
  if (hg_mask_has(mask, "description")) p->description = req->description;
  if (hg_mask_has(mask, "portal_ids")) {
    p->n_portal_ids = req->n_portal_ids;
    p->portal_ids = req->portal_ids;
  }
  int rc = pr_labels_patch_apply(&patch->labels, &pr_labels_cfg, &p->base, w->a, &w->st);
  if (rc == 0)
    rc =
        pr_labels_patch_apply(&patch->public_labels, &pr_public_labels_cfg, &p->base, w->a, &w->st);
  if (rc > 0) return store_call_refuse_invalid(w);
  if (rc < 0 || !(p->updated_at = hg_now_text(w->a))) return STORE_ENOMEM;
  return 0;
}

static int update_write(store_txn_t *txn, store_call_t *w) {
  product_write_t *pw = w->aux;
  int rc = pr_product_or_refuse(txn, w, &pw->rec);
  if (rc || (rc = apply_patch(w, pw->rec->product)) != 0) return rc;
  if ((rc = product_save(txn, pw->rec, w->a, 0)) != 0) return rc;
  return product_version_count(txn, pr_path_of(w)->product_id, &pw->rec->product->version_count);
}

static const store_call_op_t update_op = {update_write, reply_product, NULL, NULL};

/* What can be checked without the stored product: the labels patches and portal_ids. */
static int read_update(const ProtobufCMessage *msg, const Google__Protobuf__FieldMask *mask,
                       hg_arena_t *a, hg_status_t *st, void *aux) {
  const update_req_t *req = (const update_req_t *)msg;
  product_write_t *patch = aux;
  if (pr_labels_patch_read(mask, &pr_labels_cfg, req->labels, a, st, &patch->labels) < 0 ||
      pr_labels_patch_read(mask, &pr_public_labels_cfg, req->public_labels, a, st,
                           &patch->public_labels) < 0)
    return -1;
  if (!hg_mask_has(mask, "portal_ids")) return 0;
  return check_portal_ids(req->portal_ids, req->n_portal_ids, a, st);
}

static const pr_body_def_t update_body = {&name_rules, path_names, sizeof(product_write_t),
                                          read_update, NULL,       &update_op};

static void update_product(rpc_ctx_t *ctx, const void *msg) {
  const update_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->id, NULL, NULL, &path) == 0)
    pr_submit_body(ctx, &update_body, &path, req, pr_mask_of(req->update_mask));
}

static int delete_write(store_txn_t *txn, store_call_t *w) {
  product_record_t *rec;
  int rc = pr_product_or_refuse(txn, w, &rec);
  return rc ? rc : product_delete_cascade(txn, w->a, rec);
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_empty, NULL, NULL};

static void delete_product(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->id, NULL, NULL, &path)) return;
  pr_submit_delete(ctx, &path, &delete_op, req);
}

/* ---- reads ---------------------------------------------------------------------------- */

/* What a list request keeps: filter terms and both label queries. */
typedef struct product_query {
  hg_arena_t *a;
  hg_filter_t filter;
  hg_label_query_t labels, public_labels;
} product_query_t;

static const char *product_attr(const void *item, int id) {
  (void)id; /* name is the only attribute */
  return ((const product_record_t *)item)->product->name;
}

static int labels_match(const product_t *p, const char *field, const hg_label_query_t *q,
                        hg_arena_t *a) {
  hg_labels_t l;
  if (q->n == 0) return 1;
  return hg_labels_from_map(&p->base, field, a, &l) == 0 && hg_label_query_match(q, &l);
}

static int keep_product(const void *item, const void *arg) {
  const product_query_t *q = arg;
  const product_t *p = ((const product_record_t *)item)->product;
  return hg_filter_match(&q->filter, product_attr, item) &&
         labels_match(p, "labels", &q->labels, q->a) &&
         labels_match(p, "public_labels", &q->public_labels, q->a);
}

static int compare_products(const void *x, const void *y, int id) {
  return strcmp(product_attr(x, id), product_attr(y, id));
}

/* Parses the list request into lq (and pq, which lq points at); nonzero when answered. */
static int read_list_query_or_fail(rpc_ctx_t *ctx, const list_req_t *req, product_query_t *pq,
                                   pr_list_query_t *lq) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_status_t st;
  hg_status_clear(&st);
  *pq = (product_query_t){.a = a};
  *lq = (pr_list_query_t){.cmp = compare_products};
  pr_page_resolve(req->page, &st, &lq->page);
  hg_sort_parse(&sort_cfg, req->sort, a, &st, &lq->sort);
  hg_filter_from_message(&filter_cfg, (const ProtobufCMessage *)req->filter, a, &st, &pq->filter);
  if (hg_label_query_check("labels", req->labels, KONNECT_MAX_LABEL_TERMS, a, &st) +
          hg_label_query_check("public_labels", req->public_labels, KONNECT_MAX_LABEL_TERMS, a,
                               &st) !=
      0)
    return hg_fail_invalid(ctx, &st, PR_MSG_INVALID);
  if (hg_label_query_parse(req->labels, a, &pq->labels) ||
      hg_label_query_parse(req->public_labels, a, &pq->public_labels))
    return pr_fail_internal(ctx);
  if (st.n_violations) return hg_fail_invalid(ctx, &st, PR_MSG_INVALID);
  if (pq->filter.n || pq->labels.n || pq->public_labels.n) {
    lq->keep = keep_product;
    lq->keep_arg = pq;
  }
  lq->scan_param = lq->sort.n     ? "sort"
                   : pq->filter.n ? "filter"
                   : pq->labels.n ? "labels"
                                  : "public_labels";
  pr_list_use_name_index(lq, &pq->filter, ATTR_NAME, pq->labels.n || pq->public_labels.n);
  return 0;
}

/* An answered product carries its version_count, read in the same transaction. */
static int with_version_count(store_txn_t *txn, hg_arena_t *a, ProtobufCMessage *msg,
                              ProtobufCMessage **out) {
  product_t *p = (product_t *)msg;
  (void)a;
  *out = msg;
  return product_version_count(txn, p->id, &p->version_count);
}

static const pr_reads_t reads = {PR_IN_ORG, PR_PRODUCTS,
                                 &hangar__products__v1__list_api_products_response__descriptor,
                                 with_version_count, with_version_count};

static void get_product(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->id, NULL, NULL, &path) == 0)
    pr_get_reply(ctx, &reads, &path, path.product_id);
}

static void list_products(rpc_ctx_t *ctx, const void *msg) {
  pr_path_t path;
  product_query_t pq;
  pr_list_query_t lq;
  if (pr_path_or_fail(ctx, NULL, NULL, NULL, &path) || read_list_query_or_fail(ctx, msg, &pq, &lq))
    return;
  pr_list_reply(ctx, &reads, &path, &lq);
}

/* ---- registration ------------------------------------------------------------------- */

static const rpc_binding_t bindings[] = {
    {"CreateApiProduct", create_product, pr_admit_editor},
    {"ListApiProducts", list_products, pr_admit_viewer},
    {"GetApiProduct", get_product, pr_admit_product_viewer},
    {"UpdateApiProduct", update_product, pr_admit_product_editor},
    {"DeleteApiProduct", delete_product, pr_admit_product_editor},
};
const pr_methods_t pr_product_methods = PR_METHODS(bindings);
