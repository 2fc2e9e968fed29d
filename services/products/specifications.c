/* specifications.c - API product version specifications: create, list, get, update (PATCH)
 * and delete.
 *
 * A version has at most one specification (a second create is ALREADY_EXISTS with the
 * spec's message); the check runs in the write transaction, where writes are serialised.
 * content is base64 on write and must decode to a JSON or YAML document; it is stored and
 * answered as that text. */
#include <stdint.h>
#include <string.h>

#include "products/call.h"
#include "products/content.h"
#include "products/fields.h"
#include "products/list.h"
#include "products/product_store.h"

typedef Hangar__Products__V1__CreateApiProductVersionSpecRequest create_req_t;
typedef Hangar__Products__V1__ListApiProductVersionSpecsRequest list_req_t;
typedef Hangar__Products__V1__GetApiProductVersionSpecRequest get_req_t;
typedef Hangar__Products__V1__UpdateApiProductVersionSpecRequest update_req_t;
typedef Hangar__Products__V1__DeleteApiProductVersionSpecRequest delete_req_t;

/* ^.+(?:\.yaml|\.yml|\.json)$ : one line, something before one of the suffixes. */
static int spec_name_valid(const char *name) {
  static const char *const suffixes[] = {".yaml", ".yml", ".json"};
  size_t n = strlen(name);
  if (strpbrk(name, "\r\n")) return 0;
  for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
    size_t k = strlen(suffixes[i]);
    if (n > k && strcmp(name + n - k, suffixes[i]) == 0) return 1;
  }
  return 0;
}

static const hg_rule_t rule_rows[] = {
    {.field = "name", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .min = 1, .max = 255},
    {.field = "name",
     .kind = HG_RULE_PREDICATE,
     .flags = HG_RULE_REQUIRED,
     .valid = spec_name_valid,
     .text = "^.+(?:\\.yaml|\\.yml|\\.json)$"},
    {.field = "content",
     .kind = HG_RULE_LENGTH,
     .flags = HG_RULE_REQUIRED,
     .min = 1,
     .max = SIZE_MAX},
    {.field = "content", .kind = HG_RULE_BASE64, .flags = HG_RULE_REQUIRED},
};
static const hg_rules_t rules = HG_RULES(&pr_rule_texts, rule_rows);
static const char *const path_names[] = {"api_product_id", "api_product_version_id", "id", NULL};

/* What a specification write carries: the decoded content and the record written. */
typedef struct spec_write {
  const char *text; /* NULL: content unchanged */
  spec_record_t *rec;
} spec_write_t;

static void reply_spec(store_call_t *w) { rpc_reply(w->ctx, ((spec_write_t *)w->aux)->rec->spec); }

/* The product and version of w's path exist; else refused NOT_FOUND. */
static int version_or_refuse(store_txn_t *txn, store_call_t *w) {
  version_record_t *v;
  int rc = pr_in_product_or_refuse(txn, w);
  if (rc == 0)
    rc = version_load(txn, w->a, pr_path_of(w)->product_id, pr_path_of(w)->version_id, &v);
  return pr_found_or_refuse(w, rc);
}

/* Decodes the content when it is named and the rules passed; sw->text NULL otherwise. -1
 * on allocation failure. */
static int read_content(const ProtobufCMessage *req, const Google__Protobuf__FieldMask *mask,
                        hg_arena_t *a, hg_status_t *st, void *aux) {
  spec_write_t *sw = aux;
  const char *content = hg_field_string(req, "content");
  if (st->n_violations || !content || (mask && !hg_mask_has(mask, "content"))) return 0;
  return pr_spec_content_read(content, a, st, &sw->text) < 0 ? -1 : 0;
}

/* ---- create --------------------------------------------------------------------------- */

static int create_write(store_txn_t *txn, store_call_t *w) {
  spec_write_t *sw = w->aux;
  uint64_t n = 0;
  int rc = version_or_refuse(txn, w);
  if (rc == 0) rc = spec_count(txn, w->a, pr_path_of(w)->product_id, pr_path_of(w)->version_id, &n);
  if (rc == 0 && n > 0)
    return store_call_refuse(
        w, HG_ALREADY_EXISTS,
        hg_arena_sprintf(w->a, "Specification for API product version '%s' already exists",
                         pr_path_of(w)->version_id));
  return rc ? rc : spec_save(txn, sw->rec, w->a, STORE_PUT_NOOVERWRITE);
}

static const store_call_op_t create_op = {create_write, reply_spec, NULL, NULL};

/* The new specification's record into sw->rec; -1 on allocation failure. */
static int new_spec(const ProtobufCMessage *msg, const pr_path_t *path, hg_arena_t *a, void *aux) {
  const create_req_t *req = (const create_req_t *)msg;
  spec_write_t *sw = aux;
  spec_record_t *rec = hg_arena_alloc(a, sizeof(*rec));
  spec_t *s = hg_arena_alloc(a, sizeof(*s));
  if (!rec || !s) return -1;
  hangar__products__v1__spec_record__init(rec);
  hangar__products__v1__api_product_version_spec__init(s);
  rec->api_product_id = (char *)path->product_id;
  rec->api_product_version_id = (char *)path->version_id;
  rec->spec = s;
  s->name = req->name;
  s->content = (char *)sw->text;
  if (!(s->id = pr_new_id(a)) || !(s->created_at = hg_now_text(a))) return -1;
  s->updated_at = s->created_at;
  sw->rec = rec;
  return 0;
}

static const pr_body_def_t create_body = {&rules,       path_names, sizeof(spec_write_t),
                                          read_content, new_spec,   &create_op};

static void create_spec(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, req->api_product_version_id, NULL, &path) == 0)
    pr_submit_body(ctx, &create_body, &path, req, NULL);
}

/* ---- update / delete ------------------------------------------------------------------ */

static int load_spec_or_refuse(store_txn_t *txn, store_call_t *w, spec_record_t **out) {
  int rc = version_or_refuse(txn, w);
  if (rc == 0)
    rc = spec_load(txn, w->a, pr_path_of(w)->product_id, pr_path_of(w)->version_id,
                   pr_path_of(w)->id, out);
  return pr_found_or_refuse(w, rc);
}

static int update_write(store_txn_t *txn, store_call_t *w) {
  spec_write_t *sw = w->aux;
  const update_req_t *req = w->req;
  const Google__Protobuf__FieldMask *mask = pr_mask_of(req->update_mask);
  int rc = load_spec_or_refuse(txn, w, &sw->rec);
  if (rc || mask->n_paths == 0) return rc;
  spec_t *s = sw->rec->spec;
  if (hg_mask_has(mask, "name")) s->name = req->name;
  if (sw->text) s->content = (char *)sw->text;
  if (!(s->updated_at = hg_now_text(w->a))) return STORE_ENOMEM;
  return spec_save(txn, sw->rec, w->a, 0);
}

static const store_call_op_t update_op = {update_write, reply_spec, NULL, NULL};

static const pr_body_def_t update_body = {&rules,       path_names, sizeof(spec_write_t),
                                          read_content, NULL,       &update_op};

static void update_spec(rpc_ctx_t *ctx, const void *msg) {
  const update_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, req->api_product_version_id, req->id, &path) == 0)
    pr_submit_body(ctx, &update_body, &path, req, pr_mask_of(req->update_mask));
}

static int delete_write(store_txn_t *txn, store_call_t *w) {
  spec_record_t *rec;
  int rc = load_spec_or_refuse(txn, w, &rec);
  return rc ? rc
            : spec_delete(txn, w->a, pr_path_of(w)->product_id, pr_path_of(w)->version_id,
                          pr_path_of(w)->id);
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_empty, NULL, NULL};

static void delete_spec(rpc_ctx_t *ctx, const void *msg) {
  const delete_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, req->api_product_version_id, req->id, &path))
    return;
  pr_submit_delete(ctx, &path, &delete_op, req);
}

/* ---- reads ---------------------------------------------------------------------------- */

static const pr_reads_t reads = {
    PR_IN_VERSION, PR_SPECS,
    &hangar__products__v1__list_api_product_version_specs_response__descriptor, NULL, NULL};

static void get_spec(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  pr_path_t path;
  if (pr_path_or_fail(ctx, req->api_product_id, req->api_product_version_id, req->id, &path) == 0)
    pr_get_reply(ctx, &reads, &path, path.id);
}

static void list_specs(rpc_ctx_t *ctx, const void *msg) {
  const list_req_t *req = msg;
  pr_path_t path;
  pr_list_query_t q = {0};
  hg_status_t st;
  hg_status_clear(&st);
  if (pr_path_or_fail(ctx, req->api_product_id, req->api_product_version_id, NULL, &path)) return;
  pr_page_resolve(req->page, &st, &q.page);
  if (hg_valid_or_fail(ctx, &st, PR_MSG_INVALID)) return;
  pr_list_reply(ctx, &reads, &path, &q);
}

static const rpc_binding_t bindings[] = {
    {"CreateApiProductVersionSpec", create_spec, pr_admit_child_editor},
    {"ListApiProductVersionSpecs", list_specs, pr_admit_child_viewer},
    {"GetApiProductVersionSpec", get_spec, pr_admit_child_viewer},
    {"UpdateApiProductVersionSpec", update_spec, pr_admit_child_editor},
    {"DeleteApiProductVersionSpec", delete_spec, pr_admit_child_editor},
};
const pr_methods_t pr_spec_methods = PR_METHODS(bindings);
