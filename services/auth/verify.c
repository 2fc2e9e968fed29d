/* verify.c - token verification and the TokenVerifier/Verify handler.
 *
 * The admin token is compared first, in constant time; then the token's shape decides:
 * three dot-separated parts is a JWT, anything else is looked up by its SHA-256 among the
 * stored opaque tokens. An invalid token is an OK answer with valid=false, so callers can
 * tell "you are not allowed" from "auth-svc could not answer" (a failed call). */
#include "auth/verify.h"

#include <string.h>

#include "auth/auth_store.h"
#include "auth/jwt_verify.h"
#include "common/log.h"
#include "auth/token.h"

/* Copies s into a fixed nanopb field of size cap; 0, or -1 if it does not fit. */
static int copy_field(char *dst, size_t cap, const char *s) {
  size_t n = strlen(s);
  if (n >= cap) return -1;
  memcpy(dst, s, n + 1);
  return 0;
}

static int answer_invalid(hangar_auth_v1_VerifyResponse *out, int err) {
  memset(out, 0, sizeof(*out));
  copy_field(out->error, sizeof(out->error), auth_strerror(err));
  return 0;
}

/* Appends (scope, role) unless it is already there, too long, or the list is full. */
static void add_binding(hangar_auth_v1_VerifyResponse *out, const char *scope, const char *role) {
  size_t max = sizeof(out->bindings) / sizeof(out->bindings[0]);
  for (size_t i = 0; i < out->bindings_count; i++)
    if (strcmp(out->bindings[i].scope, scope) == 0 && strcmp(out->bindings[i].role, role) == 0)
      return;
  if (out->bindings_count >= max) return;
  hangar_auth_v1_VerifyBinding *b = &out->bindings[out->bindings_count];
  if (copy_field(b->scope, sizeof(b->scope), scope) != 0 ||
      copy_field(b->role, sizeof(b->role), role) != 0)
    return;
  out->bindings_count++;
}

/* Marks out valid for subject/kind/expires_at; AUTH_ETOOLONG if they do not fit. */
static int answer_valid(hangar_auth_v1_VerifyResponse *out, const char *subject, const char *kind,
                        int64_t expires_at) {
  memset(out, 0, sizeof(*out));
  if (copy_field(out->subject, sizeof(out->subject), subject) != 0 ||
      copy_field(out->kind, sizeof(out->kind), kind) != 0)
    return answer_invalid(out, AUTH_ETOOLONG);
  out->valid = true;
  out->expires_at = expires_at;
  return 0;
}

static int add_subject_bindings(store_txn_t *txn, hg_arena_t *a,
                                hangar_auth_v1_VerifyResponse *out) {
  Hangar__Auth__V1__RoleBindingRecord **recs;
  size_t n;
  int rc = auth_store_list_bindings(txn, out->subject, a, &recs, &n);
  for (size_t i = 0; rc == 0 && i < n; i++) add_binding(out, recs[i]->scope, recs[i]->role);
  return rc;
}

static int verify_jwt(const auth_svc_t *svc, const char *token, hg_arena_t *a,
                      hangar_auth_v1_VerifyResponse *out) {
  auth_jwt_claims_t claims;
  store_txn_t *txn;
  int rc = auth_jwt_verify(svc->jwt_secret, token, auth_now(svc), &claims);
  if (rc == AUTH_ENOMEM) return rc;
  if (rc != 0) return answer_invalid(out, rc);
  answer_valid(out, claims.sub, "jwt", claims.exp);
  if ((rc = store_txn_begin_read(svc->store, &txn)) != 0) return rc;
  rc = add_subject_bindings(txn, a, out);
  store_txn_end(txn);
  return rc;
}

/* Fills out from a stored token record, its own bindings first. */
static int answer_record(const auth_svc_t *svc, store_txn_t *txn, hg_arena_t *a,
                         const Hangar__Auth__V1__TokenRecord *rec,
                         hangar_auth_v1_VerifyResponse *out) {
  if (rec->expires_at != 0 && rec->expires_at <= auth_now(svc))
    return answer_invalid(out, AUTH_EEXPIRED);
  answer_valid(out, rec->subject, rec->kind, rec->expires_at);
  if (!out->valid) return 0;
  if (copy_field(out->token_id, sizeof(out->token_id), rec->id) != 0)
    return answer_invalid(out, AUTH_ETOOLONG);
  for (size_t i = 0; i < rec->n_bindings; i++)
    add_binding(out, rec->bindings[i]->scope, rec->bindings[i]->role);
  return add_subject_bindings(txn, a, out);
}

static int verify_opaque(const auth_svc_t *svc, hg_str_t token, hg_arena_t *a,
                         hangar_auth_v1_VerifyResponse *out) {
  uint8_t hash[AUTH_HASH_LEN];
  Hangar__Auth__V1__TokenRecord *rec;
  store_txn_t *txn;
  auth_token_hash(token, hash);
  int rc = store_txn_begin_read(svc->store, &txn);
  if (rc != 0) return rc;
  rc = auth_store_token_by_hash(txn, hash, a, &rec);
  if (rc == STORE_NOTFOUND)
    rc = answer_invalid(out, AUTH_EUNKNOWN);
  else if (rc == 0)
    rc = answer_record(svc, txn, a, rec, out);
  store_txn_end(txn);
  return rc;
}

int auth_verify(const auth_svc_t *svc, const char *token, hg_arena_t *a,
                hangar_auth_v1_VerifyResponse *out) {
  hg_str_t t = hg_str_c(token);
  if (t.n == 0) return answer_invalid(out, AUTH_EMISSING);
  if (svc->admin_token.n > 0 && auth_token_equal(t, svc->admin_token)) {
    answer_valid(out, "admin", "admin", 0);
    out->admin = true;
    return 0;
  }
  if (auth_jwt_shaped(token)) return verify_jwt(svc, token, a, out);
  return verify_opaque(svc, t, a, out);
}

static void verify_handler(rpc_ctx_t *ctx, const void *msg) {
  const hangar_auth_v1_VerifyRequest *req = msg;
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hangar_auth_v1_VerifyResponse *resp = hg_arena_alloc(a, sizeof(*resp));
  int rc = resp ? auth_verify(rpc_ctx_server_data(ctx), req->token, a, resp) : AUTH_ENOMEM;
  if (rc != 0) {
    HG_ERROR_IN("auth", rpc_ctx_log(ctx), "verify failed: %s", auth_strerror(rc));
    rpc_fail_code(ctx, HG_UNAVAILABLE, "Token verification unavailable");
    return;
  }
  if (!resp->valid) HG_DEBUG_IN("auth", rpc_ctx_log(ctx), "token rejected: %s", resp->error);
  rpc_reply(ctx, resp);
}

/* Public: Verify is how every service checks its own callers, and the token it is asked
 * about is the only credential there is. */
int auth_verify_register(rpc_server_t *s) {
  return rpc_server_add_method(s, "/hangar.auth.v1.TokenVerifier/Verify", verify_handler,
                               rpc_admit_public, RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                               RPC_NANOPB(hangar_auth_v1_VerifyResponse));
}
