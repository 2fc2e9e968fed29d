/* call.c - authentication, org choice, error answers and the group-commit write plumbing
 * shared by every products-svc handler. */
#include "products/call.h"

#include <string.h>

#include "products/fields.h"
#include "products/product_store.h"

#define ORG_PREFIX "orgs/"
#define DEFAULT_ORG "default"

/* Konnect's 401 problem texts: the spec's example ("Unauthorized") for a missing or
 * malformed header, its UnauthorizedError example ("Invalid credentials") for a token the
 * verifier rejects. */
static const authz_messages_t auth_messages = {
    .missing = "Unauthorized",
    .not_bearer = "Unauthorized",
    .invalid = "Invalid credentials",
    .unavailable = "Authentication service unavailable",
    .internal = PR_MSG_INTERNAL,
};

static const authz_need_t viewer = {HG_ROLE_VIEWER, PR_MSG_FORBIDDEN, NULL};
static const authz_need_t editor = {HG_ROLE_EDITOR, PR_MSG_FORBIDDEN, NULL};

products_svc_t *pr_svc(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

const char *products_org_of(const hg_principal_t *p) {
  const char *best = NULL;
  int admin_binding = 0;
  if (p->admin) return DEFAULT_ORG;
  for (size_t i = 0; i < p->n_bindings && i < HG_PRINCIPAL_MAX_BINDINGS; i++) {
    const char *scope = p->bindings[i].scope;
    admin_binding |=
        p->bindings[i].role == HG_ROLE_ADMIN && strcmp(scope, HG_SCOPE_EVERYWHERE) == 0;
    if (strncmp(scope, ORG_PREFIX, strlen(ORG_PREFIX)) != 0 || !scope[strlen(ORG_PREFIX)]) continue;
    if (!best || strcmp(scope, best) < 0) best = scope;
  }
  if (best) return best + strlen(ORG_PREFIX);
  return admin_binding ? DEFAULT_ORG : NULL;
}

/* Is the product product_id (raw, from the path) one of org's? Else answered NOT_FOUND. */
static int own_product_or_fail(rpc_ctx_t *ctx, const char *org, const char *product_id) {
  char canon[HG_UUID_LEN];
  store_txn_t *txn;
  product_record_t *p;
  if (hg_uuid_parse(product_id, canon) != 0) return pr_fail_not_found(ctx);
  if (pr_read_begin_or_fail(ctx, &txn)) return -1;
  int rc = product_load(txn, rpc_ctx_arena(ctx), org, canon, &p);
  store_txn_end(txn);
  return rc ? store_call_fail(ctx, &pr_store_answers, rc) : 0;
}

/* Admission in the caller's org with role need, on the product product_id names when it is
 * neither NULL nor "". "" names none: the gateway leaves a path id it could not decode
 * unset when it asks (Admission/Admit), and the handler's pr_path_or_fail refuses it.
 * A caller with no org is checked against no scope, which only an admin grant passes, and
 * an admin grant always yields an org: so no org is always PERMISSION_DENIED. */
static int admit_or_fail(rpc_ctx_t *ctx, const authz_need_t *need, const char *product_id) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_principal_t *p;
  if (authz_principal_or_fail(ctx, pr_svc(ctx)->authz, &auth_messages, &p) != 0) return -1;
  const char *o = products_org_of(p);
  const char *scope = o ? hg_arena_sprintf(a, ORG_PREFIX "%s", o) : NULL;
  if (o && !scope) return pr_fail_internal(ctx);
  if (authz_role_or_fail(ctx, p, scope, need) != 0) return -1;
  char *org = hg_arena_strdup(a, o);
  if (!org) return pr_fail_internal(ctx);
  if (product_id && *product_id && own_product_or_fail(ctx, org, product_id)) return -1;
  rpc_ctx_set_user(ctx, org);
  return 0;
}

int pr_admit_viewer(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  return admit_or_fail(ctx, &viewer, NULL);
}

int pr_admit_editor(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  return admit_or_fail(ctx, &editor, NULL);
}

/* The product a request names is read by field name: every method under a product calls
 * it api_product_id, a product's own methods call it id. */
int pr_admit_product_viewer(rpc_ctx_t *ctx, const void *req) {
  return admit_or_fail(ctx, &viewer, hg_field_string(req, "id"));
}

int pr_admit_product_editor(rpc_ctx_t *ctx, const void *req) {
  return admit_or_fail(ctx, &editor, hg_field_string(req, "id"));
}

int pr_admit_child_viewer(rpc_ctx_t *ctx, const void *req) {
  return admit_or_fail(ctx, &viewer, hg_field_string(req, "api_product_id"));
}

int pr_admit_child_editor(rpc_ctx_t *ctx, const void *req) {
  return admit_or_fail(ctx, &editor, hg_field_string(req, "api_product_id"));
}

int pr_path_id_or_fail(rpc_ctx_t *ctx, const char *id, const char **out) {
  char canon[HG_UUID_LEN];
  if (hg_uuid_parse(id, canon) != 0) return pr_fail_not_found(ctx);
  if (!(*out = hg_arena_strdup(rpc_ctx_arena(ctx), canon))) return pr_fail_internal(ctx);
  return 0;
}

int pr_fail_not_found(rpc_ctx_t *ctx) {
  rpc_fail_code(ctx, HG_NOT_FOUND, PR_MSG_NOT_FOUND);
  return -1;
}

int pr_fail_internal(rpc_ctx_t *ctx) {
  rpc_fail_code(ctx, HG_INTERNAL, PR_MSG_INTERNAL);
  return -1;
}

const store_call_cfg_t pr_store_answers = {
    .module = "products",
    .internal = PR_MSG_INTERNAL,
    .not_found = PR_MSG_NOT_FOUND,
    .invalid = PR_MSG_INVALID,
};

char *pr_new_id(hg_arena_t *a) {
  char id[HG_UUID_LEN];
  return hg_uuid_v4(id) == 0 ? hg_arena_strdup(a, id) : NULL;
}

Google__Protobuf__Struct *pr_empty_struct(hg_arena_t *a) {
  Google__Protobuf__Struct *s = hg_arena_alloc(a, sizeof(*s));
  if (s) google__protobuf__struct__init(s);
  return s;
}

int pr_read_begin_or_fail(rpc_ctx_t *ctx, store_txn_t **txn) {
  int rc = store_txn_begin_read(pr_svc(ctx)->store, txn);
  return rc ? store_call_fail(ctx, &pr_store_answers, rc) : 0;
}

/* ---- path ids ----------------------------------------------------------------------- */

int pr_path_or_fail(rpc_ctx_t *ctx, const char *product_id, const char *version_id, const char *id,
                    pr_path_t *out) {
  *out = (pr_path_t){.org = rpc_ctx_user(ctx)};
  if (!out->org) return pr_fail_internal(ctx); /* a handler that skipped its admission */
  if (product_id && pr_path_id_or_fail(ctx, product_id, &out->product_id)) return -1;
  if (version_id && pr_path_id_or_fail(ctx, version_id, &out->version_id)) return -1;
  return id ? pr_path_id_or_fail(ctx, id, &out->id) : 0;
}

int pr_begin_product_read_or_fail(rpc_ctx_t *ctx, const pr_path_t *path, store_txn_t **txn) {
  product_record_t *p;
  if (pr_read_begin_or_fail(ctx, txn)) return -1;
  int rc = product_load(*txn, rpc_ctx_arena(ctx), path->org, path->product_id, &p);
  if (rc == 0) return 0;
  store_txn_end(*txn);
  return store_call_fail(ctx, &pr_store_answers, rc);
}

int pr_begin_version_read_or_fail(rpc_ctx_t *ctx, const pr_path_t *path, store_txn_t **txn) {
  version_record_t *v;
  if (pr_begin_product_read_or_fail(ctx, path, txn)) return -1;
  int rc = version_load(*txn, rpc_ctx_arena(ctx), path->product_id, path->version_id, &v);
  if (rc == 0) return 0;
  store_txn_end(*txn);
  return store_call_fail(ctx, &pr_store_answers, rc);
}

/* ---- writes --------------------------------------------------------------------------- */

void pr_submit_body(rpc_ctx_t *ctx, const pr_body_def_t *def, const pr_path_t *path,
                    const void *req, const Google__Protobuf__FieldMask *mask) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const ProtobufCMessage *msg = req;
  void *aux = hg_arena_alloc(a, def->aux_size);
  hg_status_t st;
  hg_status_clear(&st);
  if (!aux) {
    pr_fail_internal(ctx);
    return;
  }
  if (mask) pr_check_mask_names(mask, def->path_names, a, &st);
  hg_rules_check(def->rules, msg, mask ? &(hg_rules_scope_t){HG_RULES_PATCH, mask, NULL} : NULL, a,
                 &st);
  if (def->read && def->read(msg, mask, a, &st, aux) < 0) {
    pr_fail_internal(ctx);
    return;
  }
  if (hg_valid_or_fail(ctx, &st, PR_MSG_INVALID)) return;
  if (def->build && def->build(msg, path, a, aux) < 0) {
    pr_fail_internal(ctx);
    return;
  }
  pr_submit(ctx, path, def->op, req, aux);
}

const pr_path_t *pr_path_of(const store_call_t *c) { return &((const pr_write_t *)c)->path; }

/* pr_submit with the write's store_write_flags_t. */
static void submit(rpc_ctx_t *ctx, const pr_path_t *path, const store_call_op_t *op,
                   const void *req, void *aux, unsigned flags) {
  pr_write_t *w = (pr_write_t *)store_call_new(ctx, &pr_store_answers, sizeof(*w));
  if (!w) return;
  w->path = *path;
  w->call.write_flags = flags;
  store_call_submit(&w->call, pr_svc(ctx)->store, op, req, aux);
}

void pr_submit(rpc_ctx_t *ctx, const pr_path_t *path, const store_call_op_t *op, const void *req,
               void *aux) {
  submit(ctx, path, op, req, aux, 0);
}

void pr_submit_delete(rpc_ctx_t *ctx, const pr_path_t *path, const store_call_op_t *op,
                      const void *req) {
  submit(ctx, path, op, req, NULL, STORE_WRITE_RELEASES);
}

int pr_product_or_refuse(store_txn_t *txn, store_call_t *c, product_record_t **out) {
  const pr_path_t *path = pr_path_of(c);
  return pr_found_or_refuse(c, product_load(txn, c->a, path->org, path->product_id, out));
}

int pr_in_product_or_refuse(store_txn_t *txn, store_call_t *c) {
  product_record_t *p;
  return pr_product_or_refuse(txn, c, &p);
}

int pr_found_or_refuse(store_call_t *c, int rc) {
  return rc == STORE_NOTFOUND ? store_call_refuse(c, HG_NOT_FOUND, PR_MSG_NOT_FOUND) : rc;
}
