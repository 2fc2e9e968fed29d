/* admin_tokens.c - AuthAdmin CreateToken, ListTokens, DeleteToken.
 *
 * The secret exists only in the CreatedToken answer: the record holds its SHA-256, and
 * listing renders records, so there is no path by which a secret can be read back. */
#include <stddef.h>
#include <string.h>

#include "auth/admin.h"
#include "auth/auth_store.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "auth/render.h"
#include "auth/token.h"
#include "storage/record.h"

#define TTL_MAX_SECONDS (100LL * 366 * 24 * 3600) /* keeps now + ttl far from overflow */

#define KIND_DESC "must be one of " AUTH_TOKEN_KINDS_TEXT

typedef Hangar__Auth__V1__CreateTokenRequest create_req_t;

static const hg_rule_t request_rows[] = {
    {.field = "kind",
     .kind = HG_RULE_ONE_OF,
     .flags = HG_RULE_REQUIRED,
     .choices = auth_kind_names,
     .text = KIND_DESC},
    AUTH_SUBJECT_RULE,
};
static const hg_rule_t binding_rows[] = {AUTH_SCOPE_RULE, AUTH_ROLE_RULE};
static const hg_rules_t request_rules = HG_RULES(&hg_rule_texts_described, request_rows);
static const hg_rules_t binding_rules = HG_RULES(&hg_rule_texts_described, binding_rows);

static int valid_request_or_fail(rpc_ctx_t *ctx, const create_req_t *r) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hg_status_t st;
  hg_status_clear(&st);
  hg_rules_check(&request_rules, &r->base, NULL, a, &st);
  /* The count first: over it, no binding is read. */
  size_t n = r->n_bindings <= AUTH_MAX_BINDINGS ? r->n_bindings : 0;
  if (r->n_bindings > AUTH_MAX_BINDINGS)
    hg_status_violation(&st, "bindings", "max_items", "must hold at most 64 bindings");
  for (size_t i = 0; i < n; i++) {
    hg_rules_scope_t at = {HG_RULES_CREATE, NULL, hg_arena_sprintf(a, "bindings[%zu].", i)};
    if (!at.prefix) at.prefix = "bindings[].";
    hg_rules_check(&binding_rules, &r->bindings[i]->base, &at, a, &st);
  }
  if (auth_token_has_ttl(r) && (r->ttl_seconds < 1 || r->ttl_seconds > TTL_MAX_SECONDS))
    hg_status_violation(&st, "ttl_seconds", "invalid",
                        "must be a positive number of seconds, at most 100 years");
  return auth__valid_or_fail(ctx, &st, "Invalid token request");
}

static int write_token(store_txn_t *txn, store_call_t *c) {
  return auth_store_put_token(txn, c->req);
}

static int remove_token(store_txn_t *txn, store_call_t *c) {
  return auth_store_delete(txn, AUTH_T_TOKENS, c->req);
}

static const store_call_op_t put_op = {write_token, store_call_reply_aux, NULL, NULL};
static const store_call_op_t delete_op = {remove_token, store_call_reply_empty, NULL,
                                          "Token not found"};

static void create_token(rpc_ctx_t *ctx, const void *msg) {
  const create_req_t *req = msg;
  if (valid_request_or_fail(ctx, req) != 0) return;
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  hg_arena_t *a = rpc_ctx_arena(ctx);
  Hangar__Auth__V1__TokenRecord *rec = NULL;
  const char *secret;
  Hangar__Auth__V1__CreatedToken *resp = NULL;
  if (auth_token_mint(req, auth_now(svc), a, &rec, &secret) == 0)
    resp = auth_render_created(a, rec, secret);
  auth__create_or_fail(ctx, &put_op, rec, resp, "Could not create token");
}

/* Every token, or the subject's, as a ListTokensResponse. */
static int list_tokens_read(store_txn_t *txn, rpc_ctx_t *ctx, const void *msg, void **answer) {
  const Hangar__Auth__V1__ListTokensRequest *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  Hangar__Auth__V1__ListTokensResponse *resp = hg_arena_alloc(a, sizeof(*resp));
  Hangar__Auth__V1__TokenRecord **recs;
  size_t n;
  if (!resp) return STORE_ENOMEM;
  hangar__auth__v1__list_tokens_response__init(resp);
  int rc = auth_store_list_tokens(txn, req->subject, a, &recs, &n);
  if (rc == 0 && !(resp->tokens = hg_arena_alloc(a, (n ? n : 1) * sizeof(*resp->tokens))))
    rc = STORE_ENOMEM;
  for (size_t i = 0; rc == 0 && i < n; i++)
    if (!(resp->tokens[resp->n_tokens++] = auth_render_token(a, recs[i]))) rc = STORE_ENOMEM;
  *answer = resp;
  return rc;
}

static void list_tokens(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__ListTokensRequest *req = msg;
  static const Hangar__Auth__V1__ListTokensResponse empty =
      HANGAR__AUTH__V1__LIST_TOKENS_RESPONSE__INIT;
  auth__list_reply(ctx, list_tokens_read, req, req->subject, &empty);
}

/* The token with the request's id, rendered as a list item is (never the secret). */
static int get_token_read(store_txn_t *txn, rpc_ctx_t *ctx, const void *msg, void **answer) {
  const Hangar__Auth__V1__GetTokenRequest *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  store_val_t val;
  ProtobufCMessage *rec;
  Hangar__Auth__V1__Token *token = NULL;
  int rc = store_get(txn, AUTH_T_TOKENS, (store_val_t){req->id, strlen(req->id)}, &val);
  if (rc == 0) rc = record_unpack(&hangar__auth__v1__token_record__descriptor, val, a, &rec);
  if (rc == 0 && !(token = auth_render_token(a, (const Hangar__Auth__V1__TokenRecord *)rec)))
    rc = STORE_ENOMEM;
  *answer = token;
  return rc;
}

/* A revoked token's record is gone, so it is as unknown as an id never issued. */
static void get_token(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__GetTokenRequest *req = msg;
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  if (!auth__plausible_id(req->id))
    rpc_fail_code(ctx, HG_NOT_FOUND, "Token not found");
  else
    store_call_read(ctx, svc->store, &auth__store_answers, get_token_read, req, "Token not found");
}

static void delete_token(rpc_ctx_t *ctx, const void *msg) {
  const Hangar__Auth__V1__DeleteTokenRequest *req = msg;
  auth__delete_or_fail(ctx, &delete_op, req->id, "Token not found");
}

const rpc_binding_t auth__token_bindings[] = {
    {"CreateToken", create_token, auth__admit},
    {"ListTokens", list_tokens, auth__admit},
    {"GetToken", get_token, auth__admit},
    {"DeleteToken", delete_token, auth__admit},
};
const size_t auth__n_token_bindings =
    sizeof(auth__token_bindings) / sizeof(auth__token_bindings[0]);
