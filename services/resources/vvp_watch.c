/* vvp_watch.c - the Ververica-style API's watch: a kind's objects in a namespace as they
 * change (WatchObjects, a server stream over the objects table's change log,
 * storage/store_watch_call.h). The namespace must exist when the watch starts (404 as for
 * its list); events are the log's records under "<ns>/<plural>/" whose labels hold the
 * request's labelSelector, each rendered as GET renders the object, with the change's
 * version as its metadata.resourceVersion. */
#include <string.h>

#include <jansson.h>

#include "common/fail.h"
#include "json/json_tree.h"
#include "resources/vvp_api.h"
#include "resources/vvp_kind.h"
#include "resources/vvp_object.h"
#include "storage/store_watch_call.h"

typedef Hangar__Resources__V1__WatchObjectsRequest watch_req_t;
typedef Hangar__Resources__V1__ObjectEvent event_t;

static const char *const event_types[] = {
    [STORE_CHANGE_ADDED] = "ADDED",
    [STORE_CHANGE_MODIFIED] = "MODIFIED",
    [STORE_CHANGE_DELETED] = "DELETED",
};

/* What a stream shows, in the stream's arena. */
typedef struct filter {
  int table;
  store_val_t prefix;   /* "<ns>/<plural>/" */
  const char *selector; /* "" or the labelSelector (kinds filtered by labels) */
} filter_t;

static event_t *event_new(hg_arena_t *a, const char *type, uint64_t version) {
  event_t *ev = hg_arena_alloc(a, sizeof(*ev));
  if (!ev) return NULL;
  hangar__resources__v1__object_event__init(ev);
  ev->type = (char *)type;
  ev->resourceversion = hg_arena_sprintf(a, "%llu", (unsigned long long)version);
  return ev->resourceversion ? ev : NULL;
}

static int object_event(void *arg, const store_change_t *c, hg_arena_t *a, void **msg) {
  const filter_t *f = arg;
  const char *json;
  hg_buf_t text = HG_BUF_INIT;
  *msg = NULL;
  if (c->table != f->table || c->key.n <= f->prefix.n ||
      memcmp(c->key.p, f->prefix.p, f->prefix.n) != 0)
    return 0;
  int rc = vvp_obj_decode(c->val, a, &json);
  if (rc) return rc;
  json_t *doc = tc_tree_parse(json, strlen(json));
  if (!doc) return STORE_EIO;
  int shown = !*f->selector || vvp_doc_labels_match(doc, f->selector) == 1;
  if (shown && vvp_doc_answer_tree(doc, c->version, &text) != 0) rc = STORE_ENOMEM;
  json_decref(doc);
  event_t *ev = shown && rc == 0 ? event_new(a, event_types[c->kind], c->version) : NULL;
  Hangar__Json__V1__RawObject *raw = ev ? hg_arena_alloc(a, sizeof(*raw)) : NULL;
  if (raw) {
    hangar__json__v1__raw_object__init(raw);
    raw->json = hg_arena_strndup(a, text.p, text.n);
    ev->object = raw;
  }
  hg_buf_free(&text);
  if (rc || !shown) return rc;
  if (!raw || !raw->json) return STORE_ENOMEM;
  *msg = ev;
  return 0;
}

static int object_bookmark(uint64_t version, hg_arena_t *a, void **msg) {
  event_t *ev = event_new(a, "BOOKMARK", version);
  *msg = ev;
  return ev ? 0 : STORE_ENOMEM;
}

static const store_watch_call_cfg_t watch_cfg = {
    .module = "ververica",
    .event = object_event,
    .bookmark = object_bookmark,
    .expired = "The resourceVersion is too old: list again for a current one",
    .invalid = VVP_INVALID,
};

/* 0 when the namespace exists; else answered (404 as its list's, or a store failure). */
static int namespace_or_fail(rpc_ctx_t *ctx, const char *ns) {
  store_txn_t *txn;
  vvp_namespace_t *n;
  int rc = store_txn_begin_read(vvp_svc(ctx)->store, &txn);
  if (rc == 0) {
    rc = vvp_ns_load(txn, vvp_svc(ctx)->vvp_base, rpc_ctx_arena(ctx), ns, &n);
    store_txn_end(txn);
  }
  if (rc == STORE_NOTFOUND) {
    rpc_fail_code(ctx, HG_NOT_FOUND, vvp_ns_missing(rpc_ctx_arena(ctx), ns));
    return -1;
  }
  return rc ? store_call_fail(ctx, &vvp_store_answers, rc) : 0;
}

/* The kind, or answered as its list would be (unknown kind 404, no list 501, a selector
 * that does not parse 400). */
static const vvp_kind_t *kind_or_fail(rpc_ctx_t *ctx, const watch_req_t *req) {
  const vvp_kind_t *k = vvp_kind_find(req->plural);
  if (!k) {
    rpc_fail_code(ctx, HG_NOT_FOUND, "Unknown resource kind");
    return NULL;
  }
  if (!(k->verbs & VVP_LIST)) {
    rpc_fail_code(ctx, HG_UNIMPLEMENTED, "This method is not supported for this resource kind");
    return NULL;
  }
  if ((k->filters & VVP_BY_LABELS) && vvp_doc_labels_match(NULL, req->labelselector) < 0) {
    hg_status_t st;
    hg_status_clear(&st);
    hg_status_violation(&st, "labelSelector", "invalid", "must be key=value[,key=value...]");
    hg_fail_invalid(ctx, &st, VVP_INVALID);
    return NULL;
  }
  return k;
}

static void watch_objects(rpc_ctx_t *ctx, const void *msg) {
  const watch_req_t *req = msg;
  uint64_t after;
  const vvp_kind_t *k = kind_or_fail(ctx, req);
  if (!k || store_watch_version_or_fail(ctx, &watch_cfg, req->resourceversion, &after) ||
      namespace_or_fail(ctx, req->namespace_))
    return;
  store_watch_call_t *w = store_watch_call_new(ctx);
  if (!w) return;
  hg_arena_t *a = store_watch_call_arena(w);
  filter_t *f = hg_arena_alloc(a, sizeof(*f));
  char *prefix = hg_arena_sprintf(a, "%s/%s/", req->namespace_, k->plural);
  const char *sel = (k->filters & VVP_BY_LABELS) ? req->labelselector : "";
  if (!f || !prefix || !(f->selector = hg_arena_strdup(a, sel ? sel : ""))) {
    rpc_fail_code(ctx, HG_INTERNAL, VVP_INTERNAL);
    return;
  }
  f->table = vvp_svc(ctx)->vvp_base + VVP_T_OBJECTS;
  f->prefix = (store_val_t){prefix, strlen(prefix)};
  store_watch_call_start(w, vvp_svc(ctx)->store, after, &watch_cfg, f);
}

static int admit_watch(rpc_ctx_t *ctx, const void *req) {
  return vvp_admit_namespace(ctx, ((const watch_req_t *)req)->namespace_);
}

static const rpc_stream_handler_t watch_handler = {
    .on_message = watch_objects,
    .on_half_close = store_watch_call_half_close,
    .on_done = store_watch_call_done,
    .kind = RPC_SERVER_STREAM,
};

const rpc_stream_binding_t vvp_stream_bindings[VVP_N_STREAM_BINDINGS] = {
    {"WatchObjects", &watch_handler, admit_watch},
};
