/* admin_bindings.c - AuthAdmin CreateRoleBinding, ListRoleBindings, DeleteRoleBinding.
 *
 * A role binding grants a subject a role on one scope; Verify merges a subject's bindings
 * into every token that subject presents, so a change here reaches services within their
 * authz cache TTL. */
#include <stddef.h>
#include <string.h>

#include "auth/admin.h"
#include "auth/auth_store.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "auth/render.h"
#include "auth/token.h"

typedef Hangar__Auth__V1__CreateRoleBindingRequest create_req_t;

static const hg_rule_t request_rows[] = {AUTH_SUBJECT_RULE, AUTH_SCOPE_RULE, AUTH_ROLE_RULE};
static const hg_rules_t request_rules = HG_RULES(&hg_rule_texts_described, request_rows);

static int put_binding(store_txn_t *txn, store_call_t *c) {
  return auth_store_put_binding(txn, c->req);
}

static int delete_binding(store_txn_t *txn, store_call_t *c) {
  return auth_store_delete(txn, AUTH_T_ROLE_BINDINGS, c->req);
}

static const store_call_op_t put_op = {put_binding, store_call_reply_aux, NULL, NULL};
static const store_call_op_t delete_op = {delete_binding, store_call_reply_empty, NULL,
                                          "Role binding not found"};

static Hangar__Auth__V1__RoleBindingRecord *new_record(hg_arena_t *a, const create_req_t *req,
                                                       int64_t now) {
  Hangar__Auth__V1__RoleBindingRecord *rec = hg_arena_alloc(a, sizeof(*rec));
  char *id = auth_id_new(a, "rb_");
  if (!rec || !id) return NULL;
  hangar__auth__v1__role_binding_record__init(rec);
  rec->id = id;
  rec->subject = req->subject;
  rec->scope = req->scope;
  rec->role = req->role;
  rec->created_at = now;
  return rec;
}

static void create_role_binding(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_check(&request_rules, &req->base, NULL, a, &st);
  if (auth__valid_or_fail(ctx, &st, "Invalid role binding request") != 0) return;
  Hangar__Auth__V1__RoleBindingRecord *rec = new_record(a, req, auth_now(svc));
  auth__create_or_fail(ctx, &put_op, rec, rec ? auth_render_binding(a, rec) : NULL,
                       "Could not create role binding");
}

/* Every role binding, or the subject's, as a ListRoleBindingsResponse. */
static int list_bindings(store_txn_t *txn, rpc_ctx_t *ctx, const void *msg, void **answer) {
  const Hangar__Auth__V1__ListRoleBindingsRequest *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  Hangar__Auth__V1__ListRoleBindingsResponse *resp = hg_arena_alloc(a, sizeof(*resp));
  Hangar__Auth__V1__RoleBindingRecord **recs;
  size_t n;
  if (!resp) return STORE_ENOMEM;
  hangar__auth__v1__list_role_bindings_response__init(resp);
  int rc = auth_store_list_bindings(txn, req->subject, a, &recs, &n);
  if (rc == 0 &&
      !(resp->role_bindings = hg_arena_alloc(a, (n ? n : 1) * sizeof(*resp->role_bindings))))
    rc = STORE_ENOMEM;
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (!(resp->role_bindings[resp->n_role_bindings++] = auth_render_binding(a, recs[i])))
      rc = STORE_ENOMEM;
  *answer = resp;
  return rc;
}

static void list_role_bindings(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__ListRoleBindingsRequest *req = msg;
  static const Hangar__Auth__V1__ListRoleBindingsResponse empty =
      HANGAR__AUTH__V1__LIST_ROLE_BINDINGS_RESPONSE__INIT;
  auth__list_reply(ctx, list_bindings, req, req->subject, &empty);
}

static void delete_role_binding(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__DeleteRoleBindingRequest *req = msg;
  auth__delete_or_fail(ctx, &delete_op, req->id, "Role binding not found");
}

const rpc_binding_t auth__role_binding_bindings[] = {
    {"CreateRoleBinding", create_role_binding, auth__admit},
    {"ListRoleBindings", list_role_bindings, auth__admit},
    {"DeleteRoleBinding", delete_role_binding, auth__admit},
};
const size_t auth__n_role_binding_bindings =
    sizeof(auth__role_binding_bindings) / sizeof(auth__role_binding_bindings[0]);
