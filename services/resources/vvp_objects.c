/* vvp_objects.c - the AppManager objects at /api/v1/namespaces/{ns}/{plural}[/{key}]: one
 * set of handlers for every kind of the kind table (vvp_kind.h).
 *
 * A write runs whole in one group-commit write function: the namespace must exist, the
 * object is looked up, a stale metadata.resourceVersion is refused, the new document is
 * built and written conditionally on the version read, and the answer is made from the
 * version the store assigned, so what POST/PUT/PATCH answer is exactly what a GET reads
 * afterwards. Reads run in one read transaction. */
#include <inttypes.h>
#include <string.h>

#include "common/clock.h"
#include "common/fail.h"
#include "common/uuid.h"
#include "json/json_tree.h"
#include "resources/vvp_api.h"
#include "resources/vvp_kind.h"
#include "resources/vvp_object.h"

typedef Hangar__Resources__V1__ObjectRequest req_t;
typedef Hangar__Resources__V1__ObjectAnswer answer_t;

#define CREATED 201

/* One queued object write: the request, its kind, and what the handler prepared. */
typedef struct obj_call {
  store_call_t call;
  const req_t *req;
  const vvp_kind_t *kind;
  char id[HG_UUID_LEN]; /* a new object's id */
  const char *now;
} obj_call_t;

/* ---- steps every method shares ----------------------------------------------------------- */

/* The request's kind, when it allows verb; else the call is answered (404 for an unknown
 * kind, 405 UNIMPLEMENTED for a verb its path does not have) and NULL returned. */
static const vvp_kind_t *kind_or_fail(rpc_ctx_t *ctx, const req_t *req, vvp_verb_t verb) {
  const vvp_kind_t *k = vvp_kind_find(req->plural);
  if (!k) {
    rpc_fail_code(ctx, HG_NOT_FOUND, "Unknown resource kind");
    return NULL;
  }
  if (!(k->verbs & verb)) {
    rpc_fail_code(ctx, HG_UNIMPLEMENTED, "This method is not supported for this resource kind");
    return NULL;
  }
  return k;
}

static json_t *parse_body(const req_t *req) {
  const char *t = req->object && req->object->json && *req->object->json ? req->object->json : "{}";
  return tc_tree_parse(t, strlen(t));
}

/* The body as a tree (new reference); a body that is not one JSON object (a gRPC caller's)
 * is answered 400 and NULL returned. */
static json_t *body_or_fail(rpc_ctx_t *ctx, const req_t *req) {
  json_t *body = parse_body(req);
  if (json_is_object(body)) return body;
  json_decref(body);
  hg_status_t st;
  hg_status_clear(&st);
  hg_status_violation(&st, "", "invalid", "the body must be a JSON object");
  hg_fail_invalid(ctx, &st, VVP_INVALID);
  return NULL;
}

static obj_call_t *call_new(rpc_ctx_t *ctx, const req_t *req, const vvp_kind_t *k) {
  obj_call_t *oc = (obj_call_t *)store_call_new(ctx, &vvp_store_answers, sizeof(*oc));
  if (!oc) return NULL;
  oc->req = req;
  oc->kind = k;
  if (hg_uuid_v4(oc->id) == 0 && (oc->now = hg_now_text(rpc_ctx_arena(ctx)))) return oc;
  rpc_fail_code(ctx, HG_INTERNAL, VVP_INTERNAL);
  return NULL;
}

static const char *not_found_text(hg_arena_t *a, const vvp_kind_t *k, const char *key) {
  const char *m = hg_arena_sprintf(a, "%s '%s' not found", k->kind, key);
  return m ? m : "Not found";
}

/* How the path's key finds an object of k, and which key (deployment-defaults: its one). */
static unsigned find_how(const vvp_kind_t *k) {
  return k->naming == VVP_BY_ID       ? VVP_FIND_ID
         : k->naming == VVP_SINGLETON ? VVP_FIND_NAME
                                      : VVP_FIND_ID | VVP_FIND_NAME;
}
static const char *path_key(const vvp_kind_t *k, const req_t *req) {
  return k->naming == VVP_SINGLETON ? VVP_DEFAULTS_NAME : req->name;
}

/* The answer for doc at version, in c's arena, as c->aux; status: the HTTP code (0: the
 * route's). 0 or STORE_ENOMEM. */
static int answer_tree(store_call_t *c, json_t *doc, uint64_t version, int status) {
  hg_buf_t text = HG_BUF_INIT;
  answer_t *ans = hg_arena_alloc(c->a, sizeof(*ans));
  Hangar__Json__V1__RawObject *raw = hg_arena_alloc(c->a, sizeof(*raw));
  int rc = ans && raw && vvp_doc_answer_tree(doc, version, &text) == 0 ? 0 : STORE_ENOMEM;
  if (rc == 0) {
    hangar__resources__v1__object_answer__init(ans);
    hangar__json__v1__raw_object__init(raw);
    if (!(raw->json = hg_arena_strndup(c->a, text.p, text.n))) rc = STORE_ENOMEM;
    ans->object = raw;
    ans->http_status = status;
    c->aux = ans;
  }
  hg_buf_free(&text);
  return rc;
}

/* A stale metadata.resourceVersion: 409, nothing written. */
static int stale(store_call_t *c, uint64_t sent, uint64_t current) {
  const char *m = hg_arena_sprintf(
      c->a, "The resourceVersion %" PRIu64 " is stale: the object is at resourceVersion %" PRIu64,
      sent, current);
  return store_call_refuse(c, HG_ABORTED, m ? m : "Stale resourceVersion");
}

/* Saves doc (built) as the object id/name of the call and answers it. */
static int save_and_answer(store_txn_t *txn, obj_call_t *oc, json_t *doc, const char *id,
                           unsigned flags, uint64_t expect, int status) {
  store_call_t *c = &oc->call;
  hg_buf_t text = HG_BUF_INIT;
  uint64_t version;
  int rc = tc_tree_write(&text, doc) == 0 && hg_buf_putc(&text, '\0') == 0 ? 0 : STORE_ENOMEM;
  vvp_obj_t o = {id, oc->kind->naming == VVP_BY_ID ? NULL : vvp_doc_meta(doc, "name"), text.p, 0};
  if (rc == 0)
    rc = vvp_obj_save(txn, vvp_svc(c->ctx)->vvp_base, c->a, oc->req->namespace_, oc->kind->plural,
                      &o, flags, expect, &version);
  hg_buf_free(&text);
  if (rc == STORE_EXISTS) {
    const char *m = hg_arena_sprintf(c->a, "%s with name '%s' already exists", oc->kind->kind,
                                     o.name ? o.name : "");
    return store_call_refuse(c, HG_ALREADY_EXISTS, m ? m : "Already exists");
  }
  return rc ? rc : answer_tree(c, doc, version, status);
}

/* Builds body into a new object of the call (a fresh id, created now) and saves it. */
static int insert(store_txn_t *txn, obj_call_t *oc, json_t *body, int status) {
  vvp_system_t sys = {oc->req->namespace_, oc->id, oc->now, oc->now, NULL};
  json_t *doc = vvp_doc_build(oc->kind, body, &sys);
  int rc =
      doc ? save_and_answer(txn, oc, doc, oc->id, STORE_PUT_NOOVERWRITE, 0, status) : STORE_ENOMEM;
  json_decref(doc);
  return rc;
}

/* Replaces stored object o (its tree: cur) by body: id, createdAt and status stay. */
static int replace(store_txn_t *txn, obj_call_t *oc, const vvp_obj_t *o, json_t *cur,
                   json_t *body) {
  vvp_system_t sys = {oc->req->namespace_, o->id, vvp_doc_meta(cur, "createdAt"), oc->now,
                      json_object_get(cur, "status")};
  json_t *doc = vvp_doc_build(oc->kind, body, &sys);
  int rc = doc ? save_and_answer(txn, oc, doc, o->id, 0, o->version, 0) : STORE_ENOMEM;
  json_decref(doc);
  return rc;
}

/* ---- create --------------------------------------------------------------------------- */

static int create_write(store_txn_t *txn, store_call_t *c) {
  obj_call_t *oc = (obj_call_t *)c;
  int rc = vvp_ns_exists_or_refuse(txn, c, oc->req->namespace_);
  if (rc) return rc;
  json_t *body = parse_body(oc->req);
  rc = body ? insert(txn, oc, body, 0) : STORE_EINVAL;
  json_decref(body);
  return rc;
}

static const store_call_op_t create_op = {create_write, store_call_reply_aux, NULL, NULL};

static void create_object(rpc_ctx_t *ctx, const void *msg) {
  const req_t *req = msg;
  const vvp_kind_t *k = kind_or_fail(ctx, req, VVP_CREATE);
  json_t *body = k ? body_or_fail(ctx, req) : NULL;
  if (!body) return;
  hg_status_t st;
  hg_status_clear(&st);
  vvp_doc_check(k, body, 1, &st);
  json_decref(body);
  if (hg_valid_or_fail(ctx, &st, VVP_INVALID)) return;
  obj_call_t *oc = call_new(ctx, req, k);
  if (oc) store_call_submit(&oc->call, vvp_svc(ctx)->store, &create_op, req, NULL);
}

/* ---- put (upsert by name) ------------------------------------------------------------- */

/* The stored object the path names, as a tree too; STORE_NOTFOUND when there is none. */
static int load(store_txn_t *txn, obj_call_t *oc, unsigned how, vvp_obj_t *o, json_t **tree) {
  int rc = vvp_obj_find(txn, vvp_svc(oc->call.ctx)->vvp_base, oc->call.a, oc->req->namespace_,
                        oc->kind->plural, path_key(oc->kind, oc->req), how, o);
  if (rc) return rc;
  *tree = tc_tree_parse(o->json, strlen(o->json));
  return *tree ? 0 : STORE_EINVAL;
}

static int put_write(store_txn_t *txn, store_call_t *c) {
  obj_call_t *oc = (obj_call_t *)c;
  vvp_obj_t o;
  json_t *cur = NULL, *body = NULL;
  int has;
  uint64_t sent;
  int rc = vvp_ns_exists_or_refuse(txn, c, oc->req->namespace_);
  if (rc == 0 && !(body = parse_body(oc->req))) rc = STORE_EINVAL;
  if (rc == 0) rc = load(txn, oc, VVP_FIND_NAME, &o, &cur);
  if (rc == STORE_NOTFOUND) {
    rc = insert(txn, oc, body, CREATED);
  } else if (rc == 0) {
    vvp_doc_version(body, &has, &sent);
    rc = has && sent != o.version ? stale(c, sent, o.version) : replace(txn, oc, &o, cur, body);
  }
  json_decref(cur);
  json_decref(body);
  return rc;
}

static const store_call_op_t put_op = {put_write, store_call_reply_aux, NULL, NULL};

/* A PUT's body names the path's object: its name is the path's (filled in when absent). */
static void put_object(rpc_ctx_t *ctx, const void *msg) {
  const req_t *req = msg;
  const vvp_kind_t *k = kind_or_fail(ctx, req, VVP_PUT);
  json_t *body = k ? body_or_fail(ctx, req) : NULL;
  if (!body) return;
  hg_status_t st;
  hg_status_clear(&st);
  json_t *meta = json_object_get(body, "metadata");
  const char *name = vvp_doc_meta(body, "name");
  if (!meta || json_is_null(meta)) json_object_set_new(body, "metadata", meta = json_object());
  if (json_is_object(meta) && !name)
    json_object_set_new(meta, "name", json_string(req->name));
  else if (name && strcmp(name, req->name) != 0)
    hg_status_violation(&st, "metadata.name", "invalid", "must be the name in the path");
  vvp_doc_check(k, body, 1, &st);
  hg_buf_t text = HG_BUF_INIT;
  int rc = st.n_violations == 0 && tc_tree_write(&text, body) == 0 ? 0 : -1;
  json_decref(body);
  if (hg_valid_or_fail(ctx, &st, VVP_INVALID)) {
    hg_buf_free(&text);
    return;
  }
  /* The call writes the body with its name filled in. */
  req_t *copy = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*copy));
  Hangar__Json__V1__RawObject *raw = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*raw));
  obj_call_t *oc = NULL;
  if (rc == 0 && copy && raw) {
    *copy = *req;
    hangar__json__v1__raw_object__init(raw);
    raw->json = hg_arena_strndup(rpc_ctx_arena(ctx), text.p, text.n);
    copy->object = raw;
    oc = raw->json ? call_new(ctx, copy, k) : NULL;
  } else {
    rpc_fail_code(ctx, HG_INTERNAL, VVP_INTERNAL);
  }
  hg_buf_free(&text);
  if (oc) store_call_submit(&oc->call, vvp_svc(ctx)->store, &put_op, copy, NULL);
}

/* ---- patch (RFC 7386) ------------------------------------------------------------------ */

/* The patched body: cur merged with the patch, minus what the client does not own (status)
 * and with the name kept (a rename is refused before). New reference or NULL. */
static json_t *patched(json_t *cur, json_t *patch) {
  json_t *p = json_deep_copy(patch);
  if (!p) return NULL;
  json_object_del(p, "status");
  json_t *merged = tc_merge_patch(cur, p);
  json_decref(p);
  json_t *meta = json_object_get(merged, "metadata"),
         *name = json_object_get(json_object_get(cur, "metadata"), "name");
  if (merged && name && json_is_object(meta)) json_object_set(meta, "name", name);
  return merged;
}

/* A patch may not rename: a metadata.name (or null) other than the object's is 400. */
static int renames(json_t *cur, json_t *patch) {
  json_t *meta = json_object_get(patch, "metadata");
  if (!json_is_object(meta) || !json_object_get(meta, "name")) return json_is_null(meta);
  json_t *sent = json_object_get(meta, "name");
  const char *now = vvp_doc_meta(cur, "name");
  return !now || !json_is_string(sent) || strcmp(json_string_value(sent), now) != 0;
}

static int patch_apply(store_txn_t *txn, obj_call_t *oc, const vvp_obj_t *o, json_t *cur,
                       json_t *patch) {
  store_call_t *c = &oc->call;
  int has;
  uint64_t sent;
  if (vvp_doc_version(patch, &has, &sent) != 0) {
    hg_status_violation(&c->st, "metadata.resourceVersion", "invalid",
                        "must be a non-negative integer");
    return store_call_refuse_invalid(c);
  }
  if (has && sent != o->version) return stale(c, sent, o->version);
  if (oc->kind->naming == VVP_BY_NAME && renames(cur, patch)) {
    hg_status_violation(&c->st, "metadata.name", "invalid", "cannot be changed");
    return store_call_refuse_invalid(c);
  }
  json_t *merged = patched(cur, patch);
  if (!merged) return STORE_ENOMEM;
  int rc = vvp_doc_check(oc->kind, merged, 1, &c->st) ? store_call_refuse_invalid(c)
                                                      : replace(txn, oc, o, cur, merged);
  json_decref(merged);
  return rc;
}

static int patch_write(store_txn_t *txn, store_call_t *c) {
  obj_call_t *oc = (obj_call_t *)c;
  vvp_obj_t o;
  json_t *cur = NULL, *patch = NULL;
  int rc = vvp_ns_exists_or_refuse(txn, c, oc->req->namespace_);
  if (rc == 0 && !(patch = parse_body(oc->req))) rc = STORE_EINVAL;
  if (rc == 0) rc = load(txn, oc, find_how(oc->kind), &o, &cur);
  if (rc == STORE_NOTFOUND)
    rc = store_call_refuse(c, HG_NOT_FOUND,
                           not_found_text(c->a, oc->kind, path_key(oc->kind, oc->req)));
  else if (rc == 0)
    rc = patch_apply(txn, oc, &o, cur, patch);
  json_decref(cur);
  json_decref(patch);
  return rc;
}

static const store_call_op_t patch_op = {patch_write, store_call_reply_aux, NULL, NULL};

static void patch_object(rpc_ctx_t *ctx, const void *msg) {
  const req_t *req = msg;
  const vvp_kind_t *k = kind_or_fail(ctx, req, VVP_PATCH);
  json_t *body = k ? body_or_fail(ctx, req) : NULL;
  if (!body) return;
  json_decref(body);
  obj_call_t *oc = call_new(ctx, req, k);
  if (oc) store_call_submit(&oc->call, vvp_svc(ctx)->store, &patch_op, req, NULL);
}

/* ---- delete ----------------------------------------------------------------------------- */

static int delete_write(store_txn_t *txn, store_call_t *c) {
  obj_call_t *oc = (obj_call_t *)c;
  vvp_obj_t o;
  json_t *cur = NULL;
  int rc = vvp_ns_exists_or_refuse(txn, c, oc->req->namespace_);
  if (rc == 0) rc = load(txn, oc, find_how(oc->kind), &o, &cur);
  if (rc == STORE_NOTFOUND)
    rc = store_call_refuse(c, HG_NOT_FOUND, not_found_text(c->a, oc->kind, oc->req->name));
  else if (rc == 0)
    rc = vvp_obj_delete(txn, vvp_svc(c->ctx)->vvp_base, c->a, oc->req->namespace_, oc->kind->plural,
                        o.id, o.version);
  if (rc == 0) rc = answer_tree(c, cur, o.version, oc->kind->verbs & VVP_DELETE_EMPTY ? 204 : 0);
  json_decref(cur);
  return rc;
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_object(rpc_ctx_t *ctx, const void *msg) {
  const req_t *req = msg;
  const vvp_kind_t *k = kind_or_fail(ctx, req, VVP_DELETE);
  obj_call_t *oc = k ? call_new(ctx, req, k) : NULL;
  if (oc) store_call_submit(&oc->call, vvp_svc(ctx)->store, &delete_op, req, NULL);
}

/* ---- get, list ---------------------------------------------------------------------------- */

/* A read's outcome: the answer, or a status to fail with. */
typedef struct read {
  rpc_ctx_t *ctx;
  const req_t *req;
  const vvp_kind_t *k;
  hg_buf_t text;
  hg_code_t code;
  const char *message;
} read_t;

static int read_one(store_txn_t *txn, read_t *r) {
  vvp_obj_t o;
  hg_arena_t *a = rpc_ctx_arena(r->ctx);
  int rc = vvp_obj_find(txn, vvp_svc(r->ctx)->vvp_base, a, r->req->namespace_, r->k->plural,
                        path_key(r->k, r->req), find_how(r->k), &o);
  if (rc == STORE_NOTFOUND) {
    r->code = HG_NOT_FOUND;
    r->message = not_found_text(a, r->k, path_key(r->k, r->req));
    return 0;
  }
  return rc ? rc : vvp_doc_answer(o.json, o.version, &r->text) ? STORE_EINVAL : 0;
}

/* The list's filters as (metadata key, wanted value) pairs; an empty value filters nothing. */
static int kept(const read_t *r, json_t *doc) {
  const struct {
    unsigned filter;
    const char *key, *want;
  } by[] = {
      {VVP_BY_DEPLOYMENT, "deploymentId", r->req->deploymentid},
      {VVP_BY_JOB, "jobId", r->req->jobid},
      {VVP_BY_SESSION_CLUSTER, "sessionClusterId", r->req->sessionclusterid},
  };
  for (size_t i = 0; i < sizeof(by) / sizeof(by[0]); i++) {
    if (!(r->k->filters & by[i].filter) || !by[i].want || !*by[i].want) continue;
    const char *have = vvp_doc_meta(doc, by[i].key);
    if (!have || strcmp(have, by[i].want) != 0) return 0;
  }
  return !(r->k->filters & VVP_BY_LABELS) || vvp_doc_labels_match(doc, r->req->labelselector) == 1;
}

static int read_list(store_txn_t *txn, read_t *r) {
  vvp_obj_t *items;
  size_t n;
  int rc = vvp_obj_all(txn, vvp_svc(r->ctx)->vvp_base, rpc_ctx_arena(r->ctx), r->req->namespace_,
                       r->k->plural, &items, &n);
  if (rc) return rc;
  size_t shown = 0;
  uint64_t version = 0;
  /* The snapshot's version: a watch from it sees every change after this list. */
  if ((rc = store_current_version(txn, &version)) != 0) return rc;
  rc =
      hg_buf_printf(&r->text, "{\"kind\":\"%sList\",\"apiVersion\":\"v1\",\"items\":[", r->k->kind);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    json_t *doc = tc_tree_parse(items[i].json, strlen(items[i].json));
    if (!doc) return STORE_EINVAL;
    if (kept(r, doc) && (rc = shown++ ? hg_buf_putc(&r->text, ',') : 0) == 0)
      rc = vvp_doc_answer_tree(doc, items[i].version, &r->text);
    json_decref(doc);
  }
  return rc || hg_buf_printf(&r->text, "],\"metadata\":{\"resourceVersion\":%llu}}",
                             (unsigned long long)version)
             ? STORE_ENOMEM
             : 0;
}

/* Answers r: its text as the ObjectAnswer, or its refusal, or store error rc. */
static void read_answer(read_t *r, int rc) {
  hg_arena_t *a = rpc_ctx_arena(r->ctx);
  if (rc) {
    store_call_fail(r->ctx, &vvp_store_answers, rc);
    return;
  }
  if (r->code != HG_OK) {
    rpc_fail_code(r->ctx, r->code, r->message);
    return;
  }
  answer_t *ans = hg_arena_alloc(a, sizeof(*ans));
  Hangar__Json__V1__RawObject *raw = hg_arena_alloc(a, sizeof(*raw));
  if (!ans || !raw) {
    store_call_fail(r->ctx, &vvp_store_answers, STORE_ENOMEM);
    return;
  }
  hangar__resources__v1__object_answer__init(ans);
  hangar__json__v1__raw_object__init(raw);
  raw->json = hg_arena_strndup(a, r->text.p, r->text.n);
  ans->object = raw;
  if (!raw->json)
    store_call_fail(r->ctx, &vvp_store_answers, STORE_ENOMEM);
  else
    rpc_reply(r->ctx, ans);
}

/* A read in one transaction: the namespace first (404 when it does not exist), then fn. */
static void read_reply(rpc_ctx_t *ctx, const req_t *req, const vvp_kind_t *k,
                       int (*fn)(store_txn_t *, read_t *)) {
  read_t r = {ctx, req, k, HG_BUF_INIT, HG_OK, NULL};
  store_txn_t *txn;
  vvp_namespace_t *n;
  int rc = store_txn_begin_read(vvp_svc(ctx)->store, &txn);
  if (rc == 0) {
    rc = vvp_ns_load(txn, vvp_svc(ctx)->vvp_base, rpc_ctx_arena(ctx), req->namespace_, &n);
    if (rc == STORE_NOTFOUND) {
      r.code = HG_NOT_FOUND;
      r.message = vvp_ns_missing(rpc_ctx_arena(ctx), req->namespace_);
      rc = 0;
    } else if (rc == 0) {
      rc = fn(txn, &r);
    }
    store_txn_end(txn);
  }
  read_answer(&r, rc);
  hg_buf_free(&r.text);
}

static void get_object(rpc_ctx_t *ctx, const void *msg) {
  const req_t *req = msg;
  const vvp_kind_t *k = kind_or_fail(ctx, req, VVP_GET);
  if (k) read_reply(ctx, req, k, read_one);
}

static void list_objects(rpc_ctx_t *ctx, const void *msg) {
  const req_t *req = msg;
  const vvp_kind_t *k = kind_or_fail(ctx, req, VVP_LIST);
  if (!k) return;
  if ((k->filters & VVP_BY_LABELS) && vvp_doc_labels_match(NULL, req->labelselector) < 0) {
    hg_status_t st;
    hg_status_clear(&st);
    hg_status_violation(&st, "labelSelector", "invalid", "must be key=value[,key=value...]");
    hg_fail_invalid(ctx, &st, VVP_INVALID);
    return;
  }
  read_reply(ctx, req, k, read_list);
}

const rpc_binding_t vvp_object_bindings[VVP_N_OBJECT_BINDINGS] = {
    {"CreateObject", create_object, vvp_admit_object_write},
    {"GetObject", get_object, vvp_admit_object_read},
    {"ListObjects", list_objects, vvp_admit_object_read},
    {"PutObject", put_object, vvp_admit_object_write},
    {"PatchObject", patch_object, vvp_admit_object_write},
    {"DeleteObject", delete_object, vvp_admit_object_write},
};
