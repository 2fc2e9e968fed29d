/* admin.c - AuthAdmin: its registration, the admin-token gate every method passes first,
 * rule-table validation and the write path through the store's group commit.
 *
 * A write is answered from the writer thread once its batch is durable, so the handler
 * prepares the full answer before queueing and never touches ctx afterwards. */
#include "auth/admin.h"

#include <string.h>

#include "common/authz.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "common/log.h"
#include "auth/token.h"
#include "auth/verify.h"

const char auth__name_charset[] =
    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~";
const char *const auth__roles[] = {"viewer", "editor", "owner", "admin", NULL};

#define MAX_BINDINGS 16

int auth_admin_register(rpc_server_t *s) {
  rpc_binding_t all[MAX_BINDINGS];
  size_t n = 0;
  if (auth__n_token_bindings + auth__n_role_binding_bindings > MAX_BINDINGS) return -1;
  for (size_t i = 0; i < auth__n_token_bindings; i++) all[n++] = auth__token_bindings[i];
  for (size_t i = 0; i < auth__n_role_binding_bindings; i++)
    all[n++] = auth__role_binding_bindings[i];
  return rpc_server_add_service(s, &hangar__auth__v1__auth_admin__descriptor, all, n);
}

static int fail_auth(rpc_ctx_t *ctx, hg_code_t code, const char *reason, const char *message,
                     const char *detail) {
  hg_status_t st;
  hg_status_set(&st, code, message);
  st.reason = reason;
  st.detail = detail;
  rpc_fail(ctx, &st);
  return -1;
}

/* A caller whose token is not the admin's: 401 when the token is not valid at all (so a
 * typo reads as "Invalid token", as on every surface), 403 when it is someone else's. */
static int refuse(rpc_ctx_t *ctx, const auth_svc_t *svc, const char *token) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  hangar_auth_v1_VerifyResponse *v = hg_arena_alloc(a, sizeof(*v));
  int rc = v ? auth_verify(svc, token, a, v) : AUTH_ENOMEM;
  if (rc != 0) {
    HG_ERROR_IN("auth", rpc_ctx_log(ctx), "admin check: %s", auth_strerror(rc));
    return fail_auth(ctx, HG_UNAVAILABLE, NULL, "Token verification unavailable", NULL);
  }
  if (!v->valid)
    return fail_auth(ctx, HG_UNAUTHENTICATED, "INVALID_TOKEN", "Invalid token",
                     hg_arena_strdup(a, v->error));
  rpc_ctx_set_subject(ctx, v->subject);
  return fail_auth(ctx, HG_PERMISSION_DENIED, "NOT_ADMIN", "Admin token required", NULL);
}

int auth__admit(rpc_ctx_t *ctx, const void *req) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  hg_str_t token;
  (void)req;
  switch (authz_parse_bearer(rpc_ctx_metadata(ctx, "authorization"), &token)) {
    case AUTHZ_OK: break;
    case AUTHZ_MISSING:
      return fail_auth(ctx, HG_UNAUTHENTICATED, "MISSING_CREDENTIALS",
                       "Authorization header required", NULL);
    default: return fail_auth(ctx, HG_UNAUTHENTICATED, "NOT_BEARER", "Bearer token required", NULL);
  }
  if (svc->admin_token.n > 0 && auth_token_equal(token, svc->admin_token)) {
    rpc_ctx_set_subject(ctx, "admin"); /* the subject Verify gives the admin token */
    return 0;
  }
  return refuse(ctx, svc, token.p);
}

int auth__plausible_id(const char *id) { return *id && strlen(id) <= AUTH_ID_MAX; }

int auth__valid_or_fail(rpc_ctx_t *ctx, hg_status_t *st, const char *message) {
  if (st->n_violations == 0) return 0;
  st->code = HG_INVALID_ARGUMENT;
  st->message = message;
  st->reason = "INVALID_ARGUMENT";
  rpc_fail(ctx, st);
  return -1;
}

const store_call_cfg_t auth__store_answers = {
    .module = "auth",
    .internal = "Storage error",
};
