/* authz_reply.c - authenticate a call or answer it with the surface's own 401 texts. */
#include "common/authz.h"

int authz_bearer_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                         hg_principal_t *out) {
  char detail[256] = "";
  authz_result_t r =
      authz_bearer(z, rpc_ctx_metadata(ctx, "authorization"), out, detail, sizeof(detail));
  if (r == AUTHZ_OK) return 0;
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
