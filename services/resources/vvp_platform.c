/* vvp_platform.c - the Platform's SQL objects and catalogs (CONTRACTS.md "Ververica"):
 * /sql/v1beta1/namespaces/{ns}/{sqlscripts,udfartifacts,connectors,formats,
 * catalog-connectors} and /catalog/v1beta2/namespaces/{ns}/catalogs.
 *
 * They are stored objects and nothing more: no SQL runs, so every custom verb (`:execute`,
 * `:list-tables`, `:getDatabase` ...) answers 501 saying so. A bare object comes in, its
 * `name` the full path "namespaces/<ns>/<collection>/<short>"; the swagger's wrapped object
 * goes out ({"sqlScript": {...}}, lists {"sqlScripts": [...]}). Objects are kept in the
 * namespace's object table under the collection (vvp_store.h), keyed by the short name, so
 * a namespace holding them cannot be deleted. createTime survives a PUT; updateTime follows
 * every write (for the collections whose swagger has them). */
#include <string.h>

#include "common/clock.h"
#include "common/fail.h"
#include "common/names.h"
#include "json/json_tree.h"
#include "resources/vvp_api.h"

typedef Hangar__Resources__V1__ObjectRequest req_t;
typedef Hangar__Resources__V1__ObjectAnswer answer_t;

/* One collection: the path segment, the wrapped keys of one and of a list, what a DELETE
 * answers (the swagger's Delete...Response, empty lists for its reports), and whether the
 * object carries createTime/updateTime. */
typedef struct collection {
  const char *segment, *one, *many, *deleted;
  int times;
} collection_t;

static const collection_t collections[] = {
    {"sqlscripts", "sqlScript", "sqlScripts", "{}", 1},
    {"udfartifacts", "udfArtifact", "udfArtifacts", "{\"referencedClasses\":[]}", 1},
    {"connectors", "connector", "connectors", "{\"affectedTables\":[]}", 0},
    {"formats", "format", "formats", "{\"affectedTables\":[]}", 0},
    {"catalog-connectors", "catalogConnector", "catalogConnectors", "{}", 0},
    {"catalogs", "catalog", "catalogs", "{}", 0},
};

static const hg_name_rule_t short_names = {63, HG_NAME_LOWER | HG_NAME_DIGIT | HG_NAME_HYPHEN |
                                                   HG_NAME_NO_EDGE_HYPHEN};

static const collection_t *collection_or_fail(rpc_ctx_t *ctx, const req_t *req) {
  for (size_t i = 0; i < sizeof(collections) / sizeof(collections[0]); i++)
    if (strcmp(collections[i].segment, req->plural) == 0) return &collections[i];
  rpc_fail_code(ctx, HG_NOT_FOUND, "Unknown resource kind");
  return NULL;
}

/* ---- answers ------------------------------------------------------------------------------ */

static answer_t *answer_new(hg_arena_t *a, const char *p, size_t n) {
  answer_t *ans = hg_arena_alloc(a, sizeof(*ans));
  Hangar__Json__V1__RawObject *raw = hg_arena_alloc(a, sizeof(*raw));
  if (!ans || !raw) return NULL;
  hangar__resources__v1__object_answer__init(ans);
  hangar__json__v1__raw_object__init(raw);
  ans->object = raw;
  return (raw->json = hg_arena_strndup(a, p, n)) ? ans : NULL;
}

/* {"<one>": doc} as c->aux. 0 or STORE_ENOMEM. */
static int wrap_one(hg_arena_t *a, const collection_t *col, const char *doc, void **out) {
  const char *text = hg_arena_sprintf(a, "{\"%s\":%s}", col->one, doc);
  return text && (*out = answer_new(a, text, strlen(text))) ? 0 : STORE_ENOMEM;
}

/* ---- documents ---------------------------------------------------------------------------- */

/* The short name the body's name gives, when it is namespaces/<ns>/<segment>/<short> with
 * a valid short name; else NULL and a violation of "name". */
static const char *short_name(hg_arena_t *a, const req_t *req, const collection_t *col,
                              json_t *body, hg_status_t *st) {
  const char *prefix = hg_arena_sprintf(a, "namespaces/%s/%s/", req->namespace_, col->segment);
  const char *name = json_string_value(json_object_get(body, "name"));
  size_t pn = prefix ? strlen(prefix) : 0;
  if (prefix && name && strncmp(name, prefix, pn) == 0 &&
      hg_name_matches(&short_names, name + pn, strlen(name + pn)))
    return hg_arena_strdup(a, name + pn);
  const char *m =
      hg_arena_sprintf(a,
                       "must be namespaces/%s/%s/<name>, the name at most 63 characters "
                       "of [-0-9a-z], not starting or ending with '-'",
                       req->namespace_, col->segment);
  hg_status_violation(st, "name", "invalid", m ? m : "invalid name");
  return NULL;
}

/* The stored text: name first, the client's other keys in order, then the times. */
static char *document(hg_arena_t *a, const collection_t *col, json_t *body, const char *created,
                      const char *now) {
  json_t *doc = json_object();
  const char *key;
  json_t *v;
  int rc = doc ? json_object_set(doc, "name", json_object_get(body, "name")) : -1;
  json_object_foreach(body, key, v) {
    if (strcmp(key, "name") && strcmp(key, "createTime") && strcmp(key, "updateTime"))
      rc |= json_object_set(doc, key, v);
  }
  if (col->times) {
    rc |= json_object_set_new(doc, "createTime", json_string(created));
    rc |= json_object_set_new(doc, "updateTime", json_string(now));
  }
  hg_buf_t text = HG_BUF_INIT;
  char *out =
      rc == 0 && tc_tree_write(&text, doc) == 0 ? hg_arena_strndup(a, text.p, text.n) : NULL;
  hg_buf_free(&text);
  json_decref(doc);
  return out;
}

/* ---- writes ----------------------------------------------------------------------------- */

typedef struct platform_call {
  store_call_t call;
  const collection_t *col;
  const char *ns, *name, *now;
  const char *text; /* the checked body (a PUT's with its name filled in) */
  int replace;      /* PUT: an existing object is replaced */
} platform_call_t;

static int save(store_txn_t *txn, platform_call_t *pc, json_t *body, const char *created,
                uint64_t expect) {
  store_call_t *c = &pc->call;
  char *doc = document(c->a, pc->col, body, created, pc->now);
  vvp_obj_t o = {pc->name, NULL, doc, 0};
  uint64_t version;
  if (!doc) return STORE_ENOMEM;
  int rc = vvp_obj_save(txn, vvp_svc(c->ctx)->vvp_base, c->a, pc->ns, pc->col->segment, &o,
                        expect ? 0 : STORE_PUT_NOOVERWRITE, expect, &version);
  if (rc == STORE_EXISTS) {
    const char *m = hg_arena_sprintf(c->a, "%s '%s' already exists", pc->col->one, pc->name);
    return store_call_refuse(c, HG_ALREADY_EXISTS, m ? m : "Already exists");
  }
  return rc ? rc : wrap_one(c->a, pc->col, doc, &c->aux);
}

/* A PUT of an existing object keeps its createTime. */
static int replace_or_insert(store_txn_t *txn, platform_call_t *pc, json_t *body) {
  store_call_t *c = &pc->call;
  vvp_obj_t cur;
  int rc = pc->replace ? vvp_obj_find(txn, vvp_svc(c->ctx)->vvp_base, c->a, pc->ns,
                                      pc->col->segment, pc->name, VVP_FIND_ID, &cur)
                       : STORE_NOTFOUND;
  if (rc == STORE_NOTFOUND) return save(txn, pc, body, pc->now, 0);
  if (rc) return rc;
  json_t *old = tc_tree_parse(cur.json, strlen(cur.json));
  const char *created = json_string_value(json_object_get(old, "createTime"));
  rc = save(txn, pc, body, created ? hg_arena_strdup(c->a, created) : pc->now, cur.version);
  json_decref(old);
  return rc;
}

static int platform_write(store_txn_t *txn, store_call_t *c) {
  platform_call_t *pc = (platform_call_t *)c;
  int rc = vvp_ns_exists_or_refuse(txn, c, pc->ns);
  if (rc) return rc;
  json_t *body = tc_tree_parse(pc->text, strlen(pc->text));
  rc = body ? replace_or_insert(txn, pc, body) : STORE_EINVAL;
  json_decref(body);
  return rc;
}

static const store_call_op_t write_op = {platform_write, store_call_reply_aux, NULL, NULL};

/* POST (the body names the object) and PUT (the path does; a body name must agree). */
static void write_object(rpc_ctx_t *ctx, const req_t *req, int replace) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const collection_t *col = collection_or_fail(ctx, req);
  if (!col) return;
  const char *text =
      req->object && req->object->json && *req->object->json ? req->object->json : "{}";
  json_t *body = tc_tree_parse(text, strlen(text));
  hg_status_t st;
  hg_status_clear(&st);
  if (replace && json_is_object(body) && !json_object_get(body, "name"))
    json_object_set_new(body, "name",
                        json_string(hg_arena_sprintf(a, "namespaces/%s/%s/%s", req->namespace_,
                                                     col->segment, req->name)));
  const char *name = json_is_object(body) ? short_name(a, req, col, body, &st) : NULL;
  if (!json_is_object(body))
    hg_status_violation(&st, "", "invalid", "the body must be a JSON object");
  if (name && replace && strcmp(name, req->name) != 0)
    hg_status_violation(&st, "name", "invalid", "must be the name in the path");
  hg_buf_t checked = HG_BUF_INIT;
  int ok = st.n_violations == 0 && tc_tree_write(&checked, body) == 0;
  const char *copy = ok ? hg_arena_strndup(a, checked.p, checked.n) : NULL;
  hg_buf_free(&checked);
  json_decref(body);
  if (st.n_violations) {
    hg_fail_invalid(ctx, &st, VVP_INVALID);
    return;
  }
  const char *now = hg_now_text(a);
  if (!copy || !now) {
    rpc_fail_code(ctx, HG_INTERNAL, VVP_INTERNAL);
    return;
  }
  platform_call_t *pc = (platform_call_t *)store_call_new(ctx, &vvp_store_answers, sizeof(*pc));
  if (!pc) return;
  pc->col = col;
  pc->ns = req->namespace_;
  pc->name = name;
  pc->now = now;
  pc->text = copy;
  pc->replace = replace;
  store_call_submit(&pc->call, vvp_svc(ctx)->store, &write_op, req, NULL);
}

static void create_platform_object(rpc_ctx_t *ctx, const void *msg) { write_object(ctx, msg, 0); }
static void put_platform_object(rpc_ctx_t *ctx, const void *msg) { write_object(ctx, msg, 1); }

typedef struct delete_call {
  store_call_t call;
  const collection_t *col;
} delete_call_t;

static int delete_write(store_txn_t *txn, store_call_t *c) {
  const req_t *req = c->req;
  const collection_t *col = ((delete_call_t *)c)->col;
  vvp_obj_t cur;
  int base = vvp_svc(c->ctx)->vvp_base;
  int rc = vvp_ns_exists_or_refuse(txn, c, req->namespace_);
  if (rc == 0)
    rc = vvp_obj_find(txn, base, c->a, req->namespace_, col->segment, req->name, VVP_FIND_ID, &cur);
  if (rc == STORE_NOTFOUND) {
    const char *m = hg_arena_sprintf(c->a, "%s '%s' not found", col->one, req->name);
    return store_call_refuse(c, HG_NOT_FOUND, m ? m : "Not found");
  }
  if (rc == 0)
    rc = vvp_obj_delete(txn, base, c->a, req->namespace_, col->segment, cur.id, cur.version);
  if (rc == 0 && !(c->aux = answer_new(c->a, col->deleted, strlen(col->deleted))))
    rc = STORE_ENOMEM;
  return rc;
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_platform_object(rpc_ctx_t *ctx, const void *msg) {
  const collection_t *col = collection_or_fail(ctx, msg);
  if (!col) return;
  delete_call_t *dc = (delete_call_t *)store_call_new(ctx, &vvp_store_answers, sizeof(*dc));
  if (!dc) return;
  dc->col = col;
  store_call_submit(&dc->call, vvp_svc(ctx)->store, &delete_op, msg, NULL);
}

/* ---- reads -------------------------------------------------------------------------------- */

typedef struct read_arg {
  const req_t *req;
  const collection_t *col;
} read_arg_t;

static int ns_or_notfound(store_txn_t *txn, rpc_ctx_t *ctx, const char *ns) {
  vvp_namespace_t *n;
  return vvp_ns_load(txn, vvp_svc(ctx)->vvp_base, rpc_ctx_arena(ctx), ns, &n);
}

static int read_one(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const read_arg_t *r = arg;
  vvp_obj_t o;
  int rc = ns_or_notfound(txn, ctx, r->req->namespace_);
  if (rc == 0)
    rc = vvp_obj_find(txn, vvp_svc(ctx)->vvp_base, rpc_ctx_arena(ctx), r->req->namespace_,
                      r->col->segment, r->req->name, VVP_FIND_ID, &o);
  return rc ? rc : wrap_one(rpc_ctx_arena(ctx), r->col, o.json, answer);
}

static int read_list(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const read_arg_t *r = arg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  vvp_obj_t *items;
  size_t n;
  int rc = ns_or_notfound(txn, ctx, r->req->namespace_);
  if (rc == 0)
    rc = vvp_obj_all(txn, vvp_svc(ctx)->vvp_base, a, r->req->namespace_, r->col->segment, &items,
                     &n);
  if (rc) return rc;
  hg_buf_t text = HG_BUF_INIT;
  rc = hg_buf_printf(&text, "{\"%s\":[", r->col->many);
  for (size_t i = 0; rc == 0 && i < n; i++)
    rc = (i ? hg_buf_putc(&text, ',') : 0) || hg_buf_puts(&text, items[i].json);
  rc = rc || hg_buf_puts(&text, "]}");
  if (rc == 0 && !(*answer = answer_new(a, text.p, text.n))) rc = STORE_ENOMEM;
  hg_buf_free(&text);
  return rc ? STORE_ENOMEM : 0;
}

/* A 404 names what is missing: the namespace, else the object. */
static void read_reply(rpc_ctx_t *ctx, const req_t *req, store_call_read_fn fn) {
  const collection_t *col = collection_or_fail(ctx, req);
  if (!col) return;
  read_arg_t r = {req, col};
  store_txn_t *txn;
  vvp_namespace_t *n;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const char *missing = NULL;
  if (store_txn_begin_read(vvp_svc(ctx)->store, &txn) == 0) {
    if (vvp_ns_load(txn, vvp_svc(ctx)->vvp_base, a, req->namespace_, &n) == STORE_NOTFOUND)
      missing = vvp_ns_missing(a, req->namespace_);
    store_txn_end(txn);
  }
  if (!missing) missing = hg_arena_sprintf(a, "%s '%s' not found", col->one, req->name);
  store_call_read(ctx, vvp_svc(ctx)->store, &vvp_store_answers, fn, &r, missing);
}

static void platform_custom_verb(rpc_ctx_t *ctx, const void *msg);

/* "<name>:<verb>" (`:list-tables`, `:getDatabase` ...) is a custom verb on the object. */
static void get_platform_object(rpc_ctx_t *ctx, const void *msg) {
  if (strchr(((const req_t *)msg)->name, ':'))
    platform_custom_verb(ctx, msg);
  else
    read_reply(ctx, msg, read_one);
}
static void list_platform_objects(rpc_ctx_t *ctx, const void *msg) {
  read_reply(ctx, msg, read_list);
}

/* ---- custom verbs --------------------------------------------------------------------------- */

/* A deliberate 501: the ErrorInfo reason lets the gateway show the sentence. */
static void platform_custom_verb(rpc_ctx_t *ctx, const void *msg) {
  (void)msg;
  hg_status_t st;
  hg_status_set(&st, HG_UNIMPLEMENTED,
                "Not implemented: Hangar stores SQL objects and catalogs but runs no SQL");
  st.reason = "NO_SQL_RUNS";
  rpc_fail(ctx, &st);
}

const rpc_binding_t vvp_platform_bindings[VVP_N_PLATFORM_BINDINGS] = {
    {"CreatePlatformObject", create_platform_object, vvp_admit_object_write},
    {"GetPlatformObject", get_platform_object, vvp_admit_object_read},
    {"ListPlatformObjects", list_platform_objects, vvp_admit_object_read},
    {"PutPlatformObject", put_platform_object, vvp_admit_object_write},
    {"DeletePlatformObject", delete_platform_object, vvp_admit_object_write},
    {"PlatformCustomVerb", platform_custom_verb, vvp_admit_object_read},
};
