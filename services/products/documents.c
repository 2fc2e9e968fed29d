/* documents.c - API product documents: create, list (summaries), tree, get, update (PATCH)
 * and delete (with every document below it).
 *
 * Placement rules, checked inside the write transaction against the product's documents:
 * parent_document_id must name a document of the same product (rule missing_reference),
 * may not be the document itself or below it (a cycle, rule invalid), and the tree may not
 * get deeper than PR_DOC_MAX_DEPTH. A new document, and a document given a new parent or
 * an explicit null parent, goes to the bottom of its siblings. Slugs are unique per product
 * through the store's unique index (ALREADY_EXISTS). `ast` is derived from the content
 * whenever a document is answered. */
#include <stdint.h>
#include <string.h>

#include "products/call.h"
#include "products/content.h"
#include "products/document_tree.h"
#include "products/fields.h"
#include "products/list.h"
#include "products/product_store.h"

typedef Hangar__Products__V1__CreateApiProductDocumentRequest create_req_t;
typedef Hangar__Products__V1__ListApiProductDocumentsRequest list_req_t;
typedef Hangar__Products__V1__ListApiProductDocumentTreeResponse tree_resp_t;
typedef Hangar__Products__V1__GetApiProductDocumentRequest get_req_t;
typedef Hangar__Products__V1__UpdateApiProductDocumentRequest update_req_t;
typedef Hangar__Products__V1__DeleteApiProductDocumentRequest delete_req_t;
typedef Hangar__Products__V1__ApiProductDocumentSummary summary_t;

static const char *const statuses[] = {"published", "unpublished", NULL};
static const hg_rule_t rule_rows[] = {
    {.field = "slug", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .max = 80},
    {.field = "slug",
     .kind = HG_RULE_CHARSET,
     .flags = HG_RULE_REQUIRED,
     .min = 1,
     .max = SIZE_MAX,
     .charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
     .text = "^[\\w-]+$"},
    {.field = "status", .kind = HG_RULE_ONE_OF, .flags = HG_RULE_REQUIRED, .choices = statuses},
    {.field = "title",
     .kind = HG_RULE_LENGTH,
     .flags = HG_RULE_REQUIRED,
     .min = 1,
     .max = SIZE_MAX},
};
static const hg_rules_t rules = HG_RULES(&pr_rule_texts, rule_rows);
static const char *const path_names[] = {"api_product_id", "id", NULL};

/* What a create or PATCH body asks for beyond the rule-checked strings. */
typedef struct doc_input {
  int move;           /* set parent_document_id (create: a parent was given) */
  const char *parent; /* canonical parent id; NULL = top level */
  int set_content;
  pr_doc_content_t content;
  Google__Protobuf__Struct *metadata; /* NULL: unchanged */
  document_record_t *rec;             /* the write's result */
} doc_input_t;

/* ---- reading the body ----------------------------------------------------------------- */

/* 0, or -1 on allocation failure. */
static int read_parent(const Google__Protobuf__StringValue *p, hg_arena_t *a, hg_status_t *st,
                       doc_input_t *in) {
  char canon[HG_UUID_LEN];
  if (!p) return 0;
  if (hg_uuid_parse(p->value, canon) != 0) {
    pr_violate(st, a, "parent_document_id", "is_uuid");
    return 0;
  }
  return (in->parent = hg_arena_strdup(a, canon)) ? 0 : -1;
}

/* Reads parent, content and metadata; mask NULL = create. -1 on allocation failure. */
static int read_input(const Google__Protobuf__FieldMask *mask,
                      const Google__Protobuf__StringValue *parent, const char *content,
                      Google__Protobuf__Struct *metadata, hg_arena_t *a, hg_status_t *st,
                      doc_input_t *in) {
  in->move = mask ? hg_mask_has(mask, "parent_document_id") : parent != NULL;
  if (in->move && read_parent(parent, a, st, in) != 0) return -1;
  in->set_content = !mask || hg_mask_has(mask, "content");
  if (in->set_content && mask && !content) {
    pr_violate(st, a, "content", "is_string");
  } else if (in->set_content &&
             pr_doc_content_read(content ? content : "", a, st, &in->content) < 0) {
    return -1;
  }
  in->metadata = metadata;
  if (!mask && !metadata && !(in->metadata = pr_empty_struct(a))) return -1;
  if (mask && hg_mask_has(mask, "metadata") && !metadata)
    pr_violate(st, a, "metadata", "is_object");
  return 0;
}

/* ---- answering ------------------------------------------------------------------------ */

/* An answered document carries the ast of its content. */
static int with_ast(store_txn_t *txn, hg_arena_t *a, ProtobufCMessage *msg,
                    ProtobufCMessage **out) {
  document_t *d = (document_t *)msg;
  pr_doc_content_t c;
  (void)txn;
  if (pr_doc_content_parse(d->content, a, &c) != 0) return STORE_ENOMEM;
  d->ast = c.ast;
  d->n_ast = c.n_ast;
  *out = msg;
  return 0;
}

/* The written document; its ast from the write when the content came with it. */
static void reply_document_write(store_call_t *w) {
  doc_input_t *in = w->aux;
  document_t *d = in->rec->document;
  ProtobufCMessage *msg = &d->base;
  if (in->set_content) {
    d->ast = in->content.ast;
    d->n_ast = in->content.n_ast;
  } else if (with_ast(NULL, rpc_ctx_arena(w->ctx), msg, &msg) != 0) {
    pr_fail_internal(w->ctx);
    return;
  }
  rpc_reply(w->ctx, d);
}

/* ---- placement ------------------------------------------------------------------------ */

static int refuse_parent(store_call_t *w, const char *rule, const char *reason) {
  hg_status_violation(&w->st, "parent_document_id", rule, reason);
  return store_call_refuse_invalid(w);
}

/* Checks that doc (-1: a new document) may go under parent in forest f. */
static int check_placement(store_call_t *w, const pr_forest_t *f, long doc, const char *parent) {
  long p = pr_forest_find(f, parent);
  if (p < 0)
    return refuse_parent(w, "missing_reference",
                         "parent_document_id must reference a document of this API product");
  if (doc >= 0 && pr_forest_within(f, (size_t)p, (size_t)doc))
    return refuse_parent(w, "invalid",
                         "a document cannot be placed under itself or its own "
                         "descendants");
  size_t height = doc >= 0 ? pr_forest_height(f, (size_t)doc) : 1;
  if (pr_forest_depth(f, (size_t)p) + height > PR_DOC_MAX_DEPTH)
    return refuse_parent(w, "invalid", "documents nest at most 32 levels deep");
  return 0;
}

static int load_forest(store_txn_t *txn, store_call_t *w, pr_forest_t *f) {
  void **docs;
  size_t n;
  int rc = pr_load_group(txn, w->a, PR_DOCUMENTS, pr_str(pr_path_of(w)->product_id),
                         &hangar__products__v1__document_record__descriptor, &docs, &n);
  if (rc == 0 && pr_forest_build(docs, n, w->a, f) != 0) rc = STORE_ENOMEM;
  return rc;
}

/* Applies in->move to rec: checks the new parent and takes a new (bottom) position. A
 * PATCH naming the current parent again changes nothing. */
static int place(store_txn_t *txn, store_call_t *w, const doc_input_t *in, document_record_t *rec,
                 int is_new) {
  document_t *d = rec->document;
  const Google__Protobuf__StringValue *cur = d->parent_document_id;
  pr_forest_t f;
  int rc;
  if (!is_new && cur && in->parent && strcmp(cur->value, in->parent) == 0) return 0;
  if (in->parent) {
    if ((rc = load_forest(txn, w, &f)) != 0) return rc;
    if ((rc = check_placement(w, &f, is_new ? -1 : pr_forest_find(&f, d->id), in->parent)))
      return rc;
    Google__Protobuf__StringValue *sv = hg_arena_alloc(w->a, sizeof(*sv));
    if (!sv) return STORE_ENOMEM;
    google__protobuf__string_value__init(sv);
    sv->value = (char *)in->parent;
    d->parent_document_id = sv;
  } else {
    d->parent_document_id = NULL;
  }
  return store_next_version(txn, &rec->position);
}

/* Saves rec; a slug taken by another document of the product is ALREADY_EXISTS. */
static int save_document(store_txn_t *txn, store_call_t *w, const document_record_t *rec,
                         unsigned flags) {
  int rc = document_save(txn, rec, w->a, flags);
  if (rc != STORE_EXISTS) return rc;
  return store_call_refuse(
      w, HG_ALREADY_EXISTS,
      hg_arena_sprintf(w->a, "Document slug '%s' already exists for this API product",
                       rec->document->slug));
}

/* ---- create --------------------------------------------------------------------------- */

static int create_write(store_txn_t *txn, store_call_t *w) {
  doc_input_t *in = w->aux;
  int rc = pr_in_product_or_refuse(txn, w);
  if (rc == 0) rc = place(txn, w, in, in->rec, 1);
  return rc ? rc : save_document(txn, w, in->rec, STORE_PUT_NOOVERWRITE);
}

static const store_call_op_t create_op = {create_write, reply_document_write, NULL, NULL};

/* The new document's record into in->rec; -1 on allocation failure. */
static int new_document(const ProtobufCMessage *msg, const pr_path_t *path, hg_arena_t *a,
                        void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  doc_input_t *in = aux;
  document_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  document_t *d = hg_arena_alloc(a, sizeof(*d));
  if (!rec || !d) return -1;
  hangar__products__v1__document_record__init(rec);
  hangar__products__v1__api_product_document__init(d);
  rec->api_product_id = (char *)path->product_id;
  rec->document = d;
  d->slug = req->slug;
  d->status = req->status;
  d->title = req->title;
  d->content = (char *)in->content.text;
  d->metadata = in->metadata;
  if (!(d->id = pr_new_id(a)) || !(d->created_at = hg_now_text(a))) return -1;
  d->updated_at = d->created_at;
  in->rec = rec;
  return 0;
}

static int read_create(const ProtobufCMessage *msg, const Google__Protobuf__FieldMask *mask,
                       hg_arena_t *a, hg_status_t *st, void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  return read_input(mask, req->parent_document_id, hg_field_string(msg, "content"), req->metadata,
                    a, st, aux);
}

static const pr_body_def_t create_body = {&rules,      path_names,   sizeof(doc_input_t),
                                          read_create, new_document, &create_op};

static void create_document(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, NULL, &path) == 0)
    pr_submit_body(ctx, &create_body, &path, req, NULL);
}

/* ---- update --------------------------------------------------------------------------- */

static int apply_update(store_call_t *w, const doc_input_t *in, document_t *d) {
  const update_req_t *req = w->req;
  const Google__Protobuf__FieldMask *mask = pr_mask_of(req->update_mask);
  if (hg_mask_has(mask, "slug")) d->slug = req->slug;
  if (hg_mask_has(mask, "status")) d->status = req->status;
  if (hg_mask_has(mask, "title")) d->title = req->title;
  if (in->set_content) d->content = (char *)in->content.text;
  if (in->metadata) d->metadata = in->metadata;
  return (d->updated_at = hg_now_text(w->a)) ? 0 : STORE_ENOMEM;
}

static int update_write(store_txn_t *txn, store_call_t *w) {
  doc_input_t *in = w->aux;
  const pr_path_t *path = pr_path_of(w);
  int rc = pr_in_product_or_refuse(txn, w);
  if (rc == 0)
    rc = pr_found_or_refuse(w, document_load(txn, w->a, path->product_id, path->id, &in->rec));
  const update_req_t *req = w->req;
  if (rc || pr_mask_of(req->update_mask)->n_paths == 0) return rc;
  if ((rc = apply_update(w, in, in->rec->document)) != 0) return rc;
  if (in->move && (rc = place(txn, w, in, in->rec, 0)) != 0) return rc;
  return save_document(txn, w, in->rec, 0);
}

static const store_call_op_t update_op = {update_write, reply_document_write, NULL, NULL};

static int read_update(const ProtobufCMessage *msg, const Google__Protobuf__FieldMask *mask,
                       hg_arena_t *a, hg_status_t *st, void *aux) {
  const update_req_t *req = (const update_req_t *)msg;
  return read_input(mask, req->parent_document_id, hg_field_string(msg, "content"), req->metadata,
                    a, st, aux);
}

static const pr_body_def_t update_body = {&rules,      path_names, sizeof(doc_input_t),
                                          read_update, NULL,       &update_op};

static void update_document(rpc_ctx_t *ctx, const void *msg) {
  const update_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, req->id, &path) == 0)
    pr_submit_body(ctx, &update_body, &path, req, pr_mask_of(req->update_mask));
}

/* ---- delete --------------------------------------------------------------------------- */

static int delete_write(store_txn_t *txn, store_call_t *w) {
  document_record_t *rec;
  pr_forest_t f;
  const char **ids;
  size_t n;
  const pr_path_t *path = pr_path_of(w);
  int rc = pr_in_product_or_refuse(txn, w);
  if (rc == 0)
    rc = pr_found_or_refuse(w, document_load(txn, w->a, path->product_id, path->id, &rec));
  if (rc || (rc = load_forest(txn, w, &f)) != 0) return rc;
  long i = pr_forest_find(&f, path->id);
  if (i < 0 || pr_forest_subtree(&f, (size_t)i, w->a, &ids, &n) != 0) return STORE_ENOMEM;
  for (size_t k = 0; rc == 0 && k < n; k++)
    rc = document_delete(txn, w->a, path->product_id, ids[k]);
  return rc;
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_empty, NULL, NULL};

static void delete_document(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, req->id, &path)) return;
  pr_submit_delete(ctx, &path, &delete_op, req);
}

/* ---- reads ---------------------------------------------------------------------------- */

/* A listed document is its summary: every summary field is the document's. */
static int summary_of(store_txn_t *txn, hg_arena_t *a, ProtobufCMessage *doc,
                      ProtobufCMessage **out) {
  summary_t *s = hg_arena_alloc(a, sizeof(*s));
  (void)txn;
  if (!s) return STORE_ENOMEM;
  hangar__products__v1__api_product_document_summary__init(s);
  hg_copy_shared_fields(doc, &s->base);
  *out = &s->base;
  return 0;
}

static const pr_reads_t reads = {
    PR_IN_PRODUCT, PR_DOCUMENTS,
    &hangar__products__v1__list_api_product_documents_response__descriptor, summary_of, with_ast};

static void get_document(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, req->id, &path) == 0)
    pr_get_reply(ctx, &reads, &path, path.id);
}

/* The path and the page of a list request; nonzero: answered. */
static int read_list_or_fail(rpc_ctx_t *ctx, const list_req_t *req, pr_path_t *path,
                             hg_page_t *page) {
  hg_status_t st;
  hg_status_clear(&st);
  if (pr_path_or_fail(ctx, req->api_product_id, NULL, NULL, path)) return -1;
  return pr_page_resolve(req->page, &st, page) ? hg_fail_invalid(ctx, &st, PR_MSG_INVALID) : 0;
}

static void list_documents(rpc_ctx_t *ctx, const void *msg) {
  pr_path_t path;
  pr_list_query_t q = {0};
  if (read_list_or_fail(ctx, msg, &path, &q.page) == 0) pr_list_reply(ctx, &reads, &path, &q);
}

static void list_document_tree(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  pr_path_t path;
  hg_page_t pg;
  store_txn_t *txn;
  void **docs;
  size_t n, n_roots = 0, count;
  uint64_t start;
  pr_forest_t f;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  tree_resp_t resp = HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_DOCUMENT_TREE_RESPONSE__INIT;
  if (read_list_or_fail(ctx, req, &path, &pg) || pr_begin_product_read_or_fail(ctx, &path, &txn))
    return;
  int rc = pr_load_group(txn, a, PR_DOCUMENTS, pr_str(path.product_id),
                         &hangar__products__v1__document_record__descriptor, &docs, &n);
  store_txn_end(txn);
  if (rc == 0 && (pr_forest_build(docs, n, a, &f) || pr_forest_render(&f, a, &resp.data, &n_roots)))
    rc = STORE_ENOMEM;
  if (rc == 0 && !(resp.meta = pr_list_meta(a, &pg, n_roots))) rc = STORE_ENOMEM;
  if (rc) {
    store_call_fail(ctx, &pr_store_answers, rc);
    return;
  }
  hg_page_window(&pg, n_roots, &start, &count);
  resp.data += count ? start : 0;
  resp.n_data = count;
  rpc_reply(ctx, &resp);
}

static const rpc_binding_t bindings[] = {
    {"CreateApiProductDocument", create_document, pr_admit_child_editor},
    {"ListApiProductDocuments", list_documents, pr_admit_child_viewer},
    {"ListApiProductDocumentTree", list_document_tree, pr_admit_child_viewer},
    {"GetApiProductDocument", get_document, pr_admit_child_viewer},
    {"UpdateApiProductDocument", update_document, pr_admit_child_editor},
    {"DeleteApiProductDocument", delete_document, pr_admit_child_editor},
};
const pr_methods_t pr_document_methods = PR_METHODS(bindings);
