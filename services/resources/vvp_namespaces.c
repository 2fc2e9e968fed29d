/* vvp_namespaces.c - the Platform's namespaces (/namespaces/v1/namespaces): create, get,
 * list, delete.
 *
 * Namespaces are explicit: objects live only in one that was created here. Creating one
 * also makes its deployment-defaults (present in every namespace), in the same write; a
 * namespace is deleted only when it holds nothing else, checked in the deleting write
 * transaction, so no object can be created into a namespace being deleted. */
#include <string.h>

#include "common/clock.h"
#include "common/fail.h"
#include "common/log.h"
#include "common/uuid.h"
#include "json/json_tree.h"
#include "resources/vvp_api.h"
#include "resources/vvp_kind.h"
#include "resources/vvp_object.h"

typedef Hangar__Resources__V1__CreateNamespaceRequest create_req_t;
typedef Hangar__Resources__V1__NamespaceRef ref_req_t;
typedef Hangar__Resources__V1__NamespaceAnswer answer_t;
typedef Hangar__Resources__V1__ListNamespacesAnswer list_answer_t;

#define PREFIX "namespaces/"
#define ACTIVE "LIFECYCLE_PHASE_ACTIVE"
#define TERMINATING "LIFECYCLE_PHASE_TERMINATING"
#define DEFAULTS "deployment-defaults"

/* Namespace names follow the AppManager's rule for names (63 of [-0-9a-z]). */
static const hg_name_rule_t ns_rule = {63, HG_NAME_LOWER | HG_NAME_DIGIT | HG_NAME_HYPHEN |
                                               HG_NAME_NO_EDGE_HYPHEN};

static const char *short_name(const char *full) {
  return strncmp(full, PREFIX, sizeof(PREFIX) - 1) == 0 ? full + sizeof(PREFIX) - 1 : full;
}

static answer_t *answer_of(hg_arena_t *a, vvp_namespace_t *n) {
  answer_t *ans = hg_arena_alloc(a, sizeof(*ans));
  if (!ans) return NULL;
  hangar__resources__v1__namespace_answer__init(ans);
  ans->namespace_ = n;
  return ans;
}

/* ---- create ----------------------------------------------------------------------------- */

typedef struct ns_call {
  store_call_t call;
  const char *ns;
  vvp_namespace_t *n;
  vvp_obj_t defaults; /* the namespace's deployment-defaults */
} ns_call_t;

static int create_write(store_txn_t *txn, store_call_t *c) {
  ns_call_t *nc = (ns_call_t *)c;
  int base = vvp_svc(c->ctx)->vvp_base;
  uint64_t version;
  int rc = vvp_ns_insert(txn, base, nc->ns, nc->n);
  if (rc == STORE_EXISTS) {
    const char *m = hg_arena_sprintf(c->a, "Namespace '%s' already exists", nc->ns);
    return store_call_refuse(c, HG_ALREADY_EXISTS, m ? m : "Namespace already exists");
  }
  if (rc == 0)
    rc = vvp_obj_save(txn, base, c->a, nc->ns, DEFAULTS, &nc->defaults, STORE_PUT_NOOVERWRITE, 0,
                      &version);
  if (rc == 0 && !(c->aux = answer_of(c->a, nc->n))) rc = STORE_ENOMEM;
  return rc;
}

static const store_call_op_t create_op = {create_write, store_call_reply_aux, NULL, NULL};

/* The deployment-defaults document of a new namespace, in a; 0 or -1 (no memory). */
static int new_defaults(hg_arena_t *a, const char *ns, const char *now, vvp_obj_t *out) {
  char id[HG_UUID_LEN];
  const vvp_kind_t *k = vvp_kind_find(DEFAULTS);
  if (!k || hg_uuid_v4(id) != 0) return -1;
  vvp_system_t sys = {ns, id, now, now, NULL};
  json_t *body = json_object(), *doc = body ? vvp_doc_build(k, body, &sys) : NULL;
  hg_buf_t text = HG_BUF_INIT;
  int rc = doc && tc_tree_write(&text, doc) == 0 ? 0 : -1;
  out->id = hg_arena_strdup(a, id);
  out->name = VVP_DEFAULTS_NAME;
  out->json = rc == 0 ? hg_arena_strndup(a, text.p, text.n) : NULL;
  hg_buf_free(&text);
  json_decref(body);
  json_decref(doc);
  return out->id && out->json ? 0 : -1;
}

static void create_namespace(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const char *full = req->namespace_ && req->namespace_->name ? req->namespace_->name : "";
  const char *ns = short_name(full);
  if (ns == full || !hg_name_matches(&ns_rule, ns, strlen(ns))) {
    hg_status_t st;
    hg_status_clear(&st);
    hg_status_violation(&st, "name", "invalid",
                        "must be namespaces/<name>, the name at most 63 characters of [-0-9a-z], "
                        "not starting or ending with '-'");
    hg_fail_invalid(ctx, &st, VVP_INVALID);
    return;
  }
  ns_call_t *nc = (ns_call_t *)store_call_new(ctx, &vvp_store_answers, sizeof(*nc));
  if (!nc) return;
  vvp_namespace_t *n = hg_arena_alloc(a, sizeof(*n));
  char *now = hg_now_text(a);
  if (!n || !now || new_defaults(a, ns, now, &nc->defaults) != 0) {
    rpc_fail_code(ctx, HG_INTERNAL, VVP_INTERNAL);
    return;
  }
  hangar__resources__v1__namespace__init(n);
  n->name = (char *)full;
  n->createtime = now;
  n->lifecyclephase = ACTIVE;
  n->n_rolebindings = req->namespace_->n_rolebindings;
  n->rolebindings = req->namespace_->rolebindings;
  nc->ns = ns;
  nc->n = n;
  store_call_submit(&nc->call, vvp_svc(ctx)->store, &create_op, req, NULL);
}

/* ---- get, list -------------------------------------------------------------------------- */

static int read_one(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const ref_req_t *req = arg;
  vvp_namespace_t *n;
  int rc = vvp_ns_load(txn, vvp_svc(ctx)->vvp_base, rpc_ctx_arena(ctx), req->ns, &n);
  if (rc == 0 && !(*answer = answer_of(rpc_ctx_arena(ctx), n))) rc = STORE_ENOMEM;
  return rc;
}

static void get_namespace(rpc_ctx_t *ctx, const void *msg) {
  const ref_req_t *req = msg;
  store_call_read(ctx, vvp_svc(ctx)->store, &vvp_store_answers, read_one, req,
                  vvp_ns_missing(rpc_ctx_arena(ctx), req->ns));
}

/* Each caller sees the namespaces it holds a role in; the admin sees all. */
static int read_all(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer) {
  const hg_principal_t *p = arg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  list_answer_t *ans = hg_arena_alloc(a, sizeof(*ans));
  vvp_namespace_t **all;
  size_t n = 0, kept = 0;
  if (!ans) return STORE_ENOMEM;
  int rc = vvp_ns_all(txn, vvp_svc(ctx)->vvp_base, a, &all, &n);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++)
    if (hg_principal_role(p, all[i]->name) >= HG_ROLE_VIEWER) all[kept++] = all[i];
  hangar__resources__v1__list_namespaces_answer__init(ans);
  ans->namespaces = all;
  ans->n_namespaces = kept;
  *answer = ans;
  return 0;
}

static void list_namespaces(rpc_ctx_t *ctx, const void *msg) {
  (void)msg;
  hg_principal_t *p;
  if (authz_principal_or_fail(ctx, vvp_svc(ctx)->authz, &vvp_auth_messages, &p)) return;
  store_call_read(ctx, vvp_svc(ctx)->store, &vvp_store_answers, read_all, p, NULL);
}

/* ---- delete ----------------------------------------------------------------------------- */

static int delete_write(store_txn_t *txn, store_call_t *c) {
  const char *ns = ((const ref_req_t *)c->req)->ns;
  int base = vvp_svc(c->ctx)->vvp_base, holds = 0;
  vvp_namespace_t *n;
  vvp_obj_t defaults;
  int rc = vvp_ns_load(txn, base, c->a, ns, &n);
  if (rc == STORE_NOTFOUND) return store_call_refuse(c, HG_NOT_FOUND, vvp_ns_missing(c->a, ns));
  if (rc == 0) rc = vvp_ns_holds(txn, base, ns, DEFAULTS, &holds);
  if (rc) return rc;
  if (holds) {
    const char *m = hg_arena_sprintf(c->a, "Namespace '%s' is not empty", ns);
    return store_call_refuse(c, HG_FAILED_PRECONDITION, m ? m : "Namespace is not empty");
  }
  rc = vvp_obj_find(txn, base, c->a, ns, DEFAULTS, VVP_DEFAULTS_NAME, VVP_FIND_NAME, &defaults);
  if (rc == 0) rc = vvp_obj_delete(txn, base, c->a, ns, DEFAULTS, defaults.id, 0);
  if (rc == 0 || rc == STORE_NOTFOUND) rc = vvp_ns_delete(txn, base, ns);
  n->lifecyclephase = TERMINATING;
  if (rc == 0 && !(c->aux = answer_of(c->a, n))) rc = STORE_ENOMEM;
  return rc;
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_namespace(rpc_ctx_t *ctx, const void *msg) {
  store_call_start(ctx, vvp_svc(ctx)->store, &vvp_store_answers, &delete_op, msg, NULL);
}

const rpc_binding_t vvp_namespace_bindings[VVP_N_NAMESPACE_BINDINGS] = {
    {"CreateNamespace", create_namespace, vvp_admit_admin},
    {"GetNamespace", get_namespace, vvp_admit_namespace_read},
    {"ListNamespaces", list_namespaces, vvp_admit_authenticated},
    {"DeleteNamespace", delete_namespace, vvp_admit_admin},
};
