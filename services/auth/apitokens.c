/* apitokens.c - the Ververica Platform's namespace API tokens (ApiTokens service):
 * create, list, get, delete under /apitokens/v1/namespaces/{ns}/apitokens.
 *
 * A token is an ordinary stored opaque token (kind "apitoken"): its subject is its full
 * name, its one binding (namespaces/<ns>, role), so Verify, the services' caches and
 * revocation treat it like every other token. The name is unique because creation looks
 * the subject up in the same write transaction that inserts it. Managing a namespace's
 * tokens takes owner on it (or the admin). The secret exists only in the creation answer. */
#include <string.h>

#include "auth/admin.h"
#include "auth/auth_store.h"
#include "auth/render.h"
#include "auth/token.h"
#include "auth/verify.h"
#include "common/authz.h"
#include "common/fail.h"
#include "common/names.h"
#include "hangar/auth/v1/apitokens.pb-c.h"

typedef Hangar__Auth__V1__ApiToken api_token_t;
typedef Hangar__Auth__V1__TokenRecord record_t;

#define KIND "apitoken"
#define INVALID "Validation failed"
#define DENIED "Access is denied"

/* Token and namespace names: the AppManager's rule (63 of [-0-9a-z], no edge hyphen). */
static const hg_name_rule_t short_names = {63, HG_NAME_LOWER | HG_NAME_DIGIT | HG_NAME_HYPHEN |
                                                   HG_NAME_NO_EDGE_HYPHEN};
static const char *const roles[] = {"viewer", "editor", "owner", NULL};

/* ---- admission: owner of namespaces/<ns> ------------------------------------------------- */

static const char *scope_of(hg_arena_t *a, const char *ns) {
  return hg_arena_sprintf(a, "namespaces/%s", ns ? ns : "");
}

static hg_role_t role_on(const hangar_auth_v1_VerifyResponse *v, const char *scope) {
  hg_role_t best = v->admin ? HG_ROLE_ADMIN : HG_ROLE_NONE;
  for (pb_size_t i = 0; i < v->bindings_count; i++) {
    const char *s = v->bindings[i].scope;
    hg_role_t r = hg_role_parse(v->bindings[i].role);
    int on = strcmp(s, scope) == 0 || (strcmp(s, HG_SCOPE_EVERYWHERE) == 0 && r == HG_ROLE_ADMIN);
    if (on && r > best) best = r;
  }
  return best;
}

static int admit_owner(rpc_ctx_t *ctx, const char *ns) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_str_t token;
  hangar_auth_v1_VerifyResponse *v = hg_arena_alloc(a, sizeof(*v));
  const char *scope = scope_of(a, ns);
  if (!v || !scope) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return -1;
  }
  if (authz_parse_bearer(rpc_ctx_metadata(ctx, "authorization"), &token) != AUTHZ_OK) {
    rpc_fail_code(ctx, HG_UNAUTHENTICATED,
                  "Full authentication is required to access this resource");
    return -1;
  }
  const char *t = hg_arena_strndup(a, token.p, token.n);
  if (!t || auth_verify(svc, t, a, v) != 0) {
    rpc_fail_code(ctx, HG_UNAVAILABLE, "Authentication service unavailable");
    return -1;
  }
  if (!v->valid) {
    rpc_fail_code(ctx, HG_UNAUTHENTICATED, "Invalid API token");
    return -1;
  }
  rpc_ctx_set_subject(ctx, v->subject);
  if (role_on(v, scope) >= HG_ROLE_OWNER) return 0;
  rpc_fail_code(ctx, HG_PERMISSION_DENIED, DENIED);
  return -1;
}

static int admit_create(rpc_ctx_t *ctx, const void *req) {
  return admit_owner(ctx, ((const Hangar__Auth__V1__CreateApiTokenRequest *)req)->ns);
}
static int admit_list(rpc_ctx_t *ctx, const void *req) {
  return admit_owner(ctx, ((const Hangar__Auth__V1__ListApiTokensRequest *)req)->ns);
}
static int admit_ref(rpc_ctx_t *ctx, const void *req) {
  return admit_owner(ctx, ((const Hangar__Auth__V1__ApiTokenRef *)req)->ns);
}

/* ---- rendering ---------------------------------------------------------------------------- */

static api_token_t *render(hg_arena_t *a, const record_t *rec, const char *secret) {
  api_token_t *t = hg_arena_alloc(a, sizeof(*t));
  if (!t) return NULL;
  hangar__auth__v1__api_token__init(t);
  t->name = rec->subject;
  t->role = rec->n_bindings ? rec->bindings[0]->role : "";
  if (secret) {
    t->_secret_case = HANGAR__AUTH__V1__API_TOKEN___SECRET_SECRET;
    t->secret = (char *)secret;
  }
  t->createtime = auth_rfc3339(a, rec->created_at);
  return t->createtime ? t : NULL;
}

static Hangar__Auth__V1__ApiTokenAnswer *answer_of(hg_arena_t *a, api_token_t *t) {
  Hangar__Auth__V1__ApiTokenAnswer *ans = t ? hg_arena_alloc(a, sizeof(*ans)) : NULL;
  if (!ans) return NULL;
  hangar__auth__v1__api_token_answer__init(ans);
  ans->apitoken = t;
  return ans;
}

/* "namespaces/<ns>/apitokens/<short>" in a. */
static const char *full_name(hg_arena_t *a, const char *ns, const char *name) {
  return hg_arena_sprintf(a, "namespaces/%s/apitokens/%s", ns, name);
}

static const char *missing(hg_arena_t *a, const char *name) {
  const char *m = hg_arena_sprintf(a, "API token '%s' not found", name);
  return m ? m : "API token not found";
}

/* The token named full (NULL: none); 0 or a store error. A name longer than any subject
 * can be names nothing (the store would call its key invalid). */
static int find(store_txn_t *txn, hg_arena_t *a, const char *full, record_t **out) {
  record_t **recs;
  size_t n;
  *out = NULL;
  if (strlen(full) > AUTH_FIELD_MAX) return 0;
  int rc = auth_store_list_tokens(txn, full, a, &recs, &n);
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (strcmp(recs[i]->kind, KIND) == 0) *out = recs[i];
  return rc;
}

/* ---- create ------------------------------------------------------------------------------- */

static int create_write(store_txn_t *txn, store_call_t *c) {
  const record_t *rec = c->req;
  record_t *taken;
  int rc = find(txn, c->a, rec->subject, &taken);
  if (rc) return rc;
  if (taken) {
    const char *m = hg_arena_sprintf(c->a, "API token '%s' already exists", rec->subject);
    return store_call_refuse(c, HG_ALREADY_EXISTS, m ? m : "API token already exists");
  }
  return auth_store_put_token(txn, rec);
}

static const store_call_op_t create_op = {create_write, store_call_reply_aux, NULL, NULL};

/* name must be namespaces/<the path's ns>/apitokens/<short name>; role one of three. */
static int valid_or_fail(rpc_ctx_t *ctx, const Hangar__Auth__V1__CreateApiTokenRequest *req) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const api_token_t *t = req->apitoken;
  const char *prefix = hg_arena_sprintf(a, "namespaces/%s/apitokens/", req->ns);
  const char *name = t && t->name ? t->name : "";
  size_t pn = prefix ? strlen(prefix) : 0;
  hg_status_t st;
  hg_status_clear(&st);
  if (!prefix || strncmp(name, prefix, pn) != 0 ||
      !hg_name_matches(&short_names, name + pn, strlen(name + pn)))
    hg_status_violation(&st, "name", "invalid",
                        "must be namespaces/<namespace>/apitokens/<name>, the name at most 63 "
                        "characters of [-0-9a-z], not starting or ending with '-'");
  int role_ok = 0;
  for (const char *const *r = roles; t && t->role && *r && !role_ok; r++)
    role_ok = strcmp(*r, t->role) == 0;
  if (!role_ok) hg_status_violation(&st, "role", "invalid", "must be one of viewer, editor, owner");
  return hg_valid_or_fail(ctx, &st, INVALID);
}

static void create_api_token(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__CreateApiTokenRequest *req = msg;
  if (valid_or_fail(ctx, req)) return;
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  hg_arena_t *a = rpc_ctx_arena(ctx);
  /* The record keeps pointers into the request it is minted from, and is written after
   * this handler returns: everything it points to lives in the call's arena. */
  Hangar__Auth__V1__CreateTokenRequest mint = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST__INIT;
  Hangar__Auth__V1__Binding *binding = hg_arena_alloc(a, sizeof(*binding));
  Hangar__Auth__V1__Binding **bindings = hg_arena_alloc(a, sizeof(*bindings));
  record_t *rec = NULL;
  const char *secret;
  void *ans = NULL;
  if (binding && bindings) {
    hangar__auth__v1__binding__init(binding);
    binding->scope = (char *)scope_of(a, req->ns);
    binding->role = req->apitoken->role;
    bindings[0] = binding;
    mint.kind = KIND;
    mint.subject = req->apitoken->name;
    mint.bindings = bindings;
    mint.n_bindings = 1;
  }
  if (binding && bindings && binding->scope &&
      auth_token_mint(&mint, auth_now(svc), a, &rec, &secret) == 0)
    ans = answer_of(a, render(a, rec, secret));
  auth__create_or_fail(ctx, &create_op, rec, ans, "Internal server error");
}

/* ---- list, get -------------------------------------------------------------------------- */

static int list_read(store_txn_t *txn, rpc_ctx_t *ctx, const void *msg, void **answer) {
  const Hangar__Auth__V1__ListApiTokensRequest *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  Hangar__Auth__V1__ListApiTokensAnswer *ans = hg_arena_alloc(a, sizeof(*ans));
  const char *prefix = hg_arena_sprintf(a, "namespaces/%s/apitokens/", req->ns);
  record_t **recs;
  size_t n;
  if (!ans || !prefix) return STORE_ENOMEM;
  hangar__auth__v1__list_api_tokens_answer__init(ans);
  int rc = auth_store_list_tokens(txn, NULL, a, &recs, &n);
  if (rc == 0 && !(ans->apitokens = hg_arena_alloc(a, (n ? n : 1) * sizeof(*ans->apitokens))))
    rc = STORE_ENOMEM;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (strcmp(recs[i]->kind, KIND) != 0 || strncmp(recs[i]->subject, prefix, strlen(prefix)) != 0)
      continue;
    if (!(ans->apitokens[ans->n_apitokens++] = render(a, recs[i], NULL))) rc = STORE_ENOMEM;
  }
  *answer = ans;
  return rc;
}

static void list_api_tokens(rpc_ctx_t *ctx, const void *msg) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  store_call_read(ctx, svc->store, &auth__store_answers, list_read, msg, NULL);
}

static int get_read(store_txn_t *txn, rpc_ctx_t *ctx, const void *msg, void **answer) {
  const Hangar__Auth__V1__ApiTokenRef *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const char *full = full_name(a, req->ns, req->name);
  record_t *rec;
  if (!full) return STORE_ENOMEM;
  int rc = find(txn, a, full, &rec);
  if (rc == 0 && !rec) rc = STORE_NOTFOUND;
  if (rc == 0 && !(*answer = answer_of(a, render(a, rec, NULL)))) rc = STORE_ENOMEM;
  return rc;
}

static void get_api_token(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__ApiTokenRef *req = msg;
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  store_call_read(ctx, svc->store, &auth__store_answers, get_read, msg,
                  missing(rpc_ctx_arena(ctx), req->name));
}

/* ---- delete ------------------------------------------------------------------------------ */

static int delete_write(store_txn_t *txn, store_call_t *c) {
  const Hangar__Auth__V1__ApiTokenRef *req = c->req;
  const char *full = full_name(c->a, req->ns, req->name);
  record_t *rec;
  if (!full) return STORE_ENOMEM;
  int rc = find(txn, c->a, full, &rec);
  if (rc) return rc;
  if (!rec) return store_call_refuse(c, HG_NOT_FOUND, missing(c->a, req->name));
  return auth_store_delete(txn, AUTH_T_TOKENS, rec->id);
}

static const store_call_op_t delete_op = {delete_write, store_call_reply_aux, NULL, NULL};

static void delete_api_token(rpc_ctx_t *ctx, const void *msg) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  Hangar__Auth__V1__DeletedApiToken *ans = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*ans));
  if (!ans) {
    rpc_fail_code(ctx, HG_INTERNAL, "Internal server error");
    return;
  }
  hangar__auth__v1__deleted_api_token__init(ans);
  store_call_start(ctx, svc->store, &auth__store_answers, &delete_op, msg, ans);
}

static const rpc_binding_t bindings[] = {
    {"CreateApiToken", create_api_token, admit_create},
    {"ListApiTokens", list_api_tokens, admit_list},
    {"GetApiToken", get_api_token, admit_ref},
    {"DeleteApiToken", delete_api_token, admit_ref},
};

int auth_apitokens_register(rpc_server_t *s) {
  return rpc_server_add_service(s, &hangar__auth__v1__api_tokens__descriptor, bindings,
                                sizeof(bindings) / sizeof(bindings[0]));
}
