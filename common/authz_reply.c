/* authz_reply.c - authenticate and authorize a call, or answer it with the surface's own
 * texts: the steps every service's admit functions are made of. */
#include "common/authz.h"

/* Answers ctx for an authentication that did not succeed; returns -1. */
static int fail_auth(rpc_ctx_t *ctx, authz_result_t r, const authz_messages_t *msgs,
                     const char *detail) {
  hg_status_t st;
  switch (r) {
    case AUTHZ_MISSING: hg_status_set(&st, HG_UNAUTHENTICATED, msgs->missing); break;
    case AUTHZ_NOT_BEARER: hg_status_set(&st, HG_UNAUTHENTICATED, msgs->not_bearer); break;
    case AUTHZ_INVALID:
      hg_status_set(&st, HG_UNAUTHENTICATED, msgs->invalid);
      st.reason = "INVALID_TOKEN";
      st.detail = hg_arena_strdup(rpc_ctx_arena(ctx), detail[0] ? detail : "token rejected");
      break;
    default:
      /* A reason marks this as the service's own answer, so the gateway shows its text
     * instead of its generic one for transport failures. */
      hg_status_set(&st, HG_UNAVAILABLE, msgs->unavailable);
      st.reason = "AUTH_UNAVAILABLE";
      break;
  }
  rpc_fail(ctx, &st);
  return -1;
}

/* The caller is known: its subject names the call (logs, the gateway's access line), and
 * known callers are bounded in flight each, so that no one holds every service thread. */
static int authenticated(rpc_ctx_t *ctx, const hg_principal_t *p) {
  rpc_ctx_set_subject(ctx, p->subject);
  return rpc_ctx_in_flight_or_fail(ctx, p->subject);
}

int authz_bearer_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                         hg_principal_t *out) {
  char detail[256] = "";
  hg_str_t token;
  /* authz_bearer() on behalf of ctx: its texts for a missing or non-Bearer header are not
   * needed, since fail_auth answers those with msgs. */
  authz_result_t r = authz_parse_bearer(rpc_ctx_metadata(ctx, "authorization"), &token);
  if (r == AUTHZ_OK) r = authz_token_for(z, ctx, token.p, out, detail, sizeof(detail));
  return r == AUTHZ_OK ? authenticated(ctx, out) : fail_auth(ctx, r, msgs, detail);
}

int authz_token_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                        const char *md_key, hg_principal_t *out) {
  char detail[256] = "";
  authz_result_t r =
      authz_token_for(z, ctx, rpc_ctx_metadata(ctx, md_key), out, detail, sizeof(detail));
  return r == AUTHZ_OK ? authenticated(ctx, out) : fail_auth(ctx, r, msgs, detail);
}

int authz_principal_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                            hg_principal_t **out) {
  /* authz fills every field a reader looks at (the bindings up to n_bindings) */
  hg_principal_t *p = hg_arena_alloc_uninit(rpc_ctx_arena(ctx), sizeof(*p));
  if (!p) {
    rpc_fail_code(ctx, HG_INTERNAL, msgs->internal);
    return -1;
  }
  if (authz_bearer_or_fail(ctx, z, msgs, p) != 0) return -1;
  *out = p;
  return 0;
}

int authz_role_or_fail(rpc_ctx_t *ctx, const hg_principal_t *p, const char *scope,
                       const authz_need_t *need) {
  hg_role_t role = hg_principal_role(p, scope);
  if (role >= need->role) return 0;
  if (role < HG_ROLE_VIEWER && need->not_found)
    rpc_fail_code(ctx, HG_NOT_FOUND, need->not_found);
  else
    rpc_fail_code(ctx, HG_PERMISSION_DENIED, need->denied);
  return -1;
}

int authz_admit_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs, const char *scope,
                        const authz_need_t *need) {
  hg_principal_t *p;
  if (authz_principal_or_fail(ctx, z, msgs, &p) != 0) return -1;
  return authz_role_or_fail(ctx, p, scope, need);
}
