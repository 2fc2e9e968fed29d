/* vvp_api.c - the Ververica-style API's shared steps and its method table. */
#include "resources/vvp_api.h"

#include <string.h>

#include "hangar/resources/v1/ververica.pb-c.h"

const authz_messages_t vvp_auth_messages = {
    .missing = "Full authentication is required to access this resource",
    .not_bearer = "Full authentication is required to access this resource",
    .invalid = "Invalid API token",
    .unavailable = "Authentication service unavailable",
    .internal = VVP_INTERNAL,
};

#define DENIED "Access is denied"

static const authz_need_t read_need = {HG_ROLE_VIEWER, DENIED, NULL};
static const authz_need_t write_need = {HG_ROLE_EDITOR, DENIED, NULL};
static const authz_need_t admin_need = {HG_ROLE_ADMIN, DENIED, NULL};

resources_svc_t *vvp_svc(rpc_ctx_t *ctx) { return rpc_ctx_server_data(ctx); }

static int admit_on(rpc_ctx_t *ctx, const char *ns, const authz_need_t *need) {
  const char *scope = hg_arena_sprintf(rpc_ctx_arena(ctx), "namespaces/%s", ns ? ns : "");
  if (!scope) {
    rpc_fail_code(ctx, HG_INTERNAL, VVP_INTERNAL);
    return -1;
  }
  return authz_admit_or_fail(ctx, vvp_svc(ctx)->authz, &vvp_auth_messages, scope, need);
}

int vvp_admit_object_read(rpc_ctx_t *ctx, const void *req) {
  return admit_on(ctx, ((const Hangar__Resources__V1__ObjectRequest *)req)->namespace_, &read_need);
}

int vvp_admit_object_write(rpc_ctx_t *ctx, const void *req) {
  return admit_on(ctx, ((const Hangar__Resources__V1__ObjectRequest *)req)->namespace_,
                  &write_need);
}

int vvp_admit_namespace_read(rpc_ctx_t *ctx, const void *req) {
  return admit_on(ctx, ((const Hangar__Resources__V1__NamespaceRef *)req)->ns, &read_need);
}

int vvp_admit_namespace(rpc_ctx_t *ctx, const char *ns) { return admit_on(ctx, ns, &read_need); }

int vvp_admit_admin(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  hg_principal_t *p;
  if (authz_principal_or_fail(ctx, vvp_svc(ctx)->authz, &vvp_auth_messages, &p)) return -1;
  return authz_role_or_fail(ctx, p, NULL, &admin_need);
}

int vvp_admit_authenticated(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  hg_principal_t *p;
  return authz_principal_or_fail(ctx, vvp_svc(ctx)->authz, &vvp_auth_messages, &p);
}

const store_call_cfg_t vvp_store_answers = {
    .module = "ververica",
    .internal = VVP_INTERNAL,
    .invalid = VVP_INVALID,
    .codes = STORE_CALL_CODE_INTERNAL,
};

const char *vvp_ns_missing(hg_arena_t *a, const char *ns) {
  const char *m = hg_arena_sprintf(a, "Namespace '%s' not found", ns);
  return m ? m : "Namespace not found";
}

int vvp_ns_exists_or_refuse(store_txn_t *txn, store_call_t *c, const char *ns) {
  vvp_namespace_t *n;
  int rc = vvp_ns_load(txn, vvp_svc(c->ctx)->vvp_base, c->a, ns, &n);
  if (rc == STORE_NOTFOUND) return store_call_refuse(c, HG_NOT_FOUND, vvp_ns_missing(c->a, ns));
  return rc;
}

int ververica_register(rpc_server_t *server) {
  rpc_binding_t all[VVP_N_NAMESPACE_BINDINGS + VVP_N_OBJECT_BINDINGS + VVP_N_PLATFORM_BINDINGS];
  memcpy(all, vvp_namespace_bindings, sizeof(vvp_namespace_bindings));
  memcpy(all + VVP_N_NAMESPACE_BINDINGS, vvp_object_bindings, sizeof(vvp_object_bindings));
  memcpy(all + VVP_N_NAMESPACE_BINDINGS + VVP_N_OBJECT_BINDINGS, vvp_platform_bindings,
         sizeof(vvp_platform_bindings));
  return rpc_server_add_service_streams(server, &hangar__resources__v1__ververica__descriptor, all,
                                        sizeof(all) / sizeof(all[0]), vvp_stream_bindings,
                                        VVP_N_STREAM_BINDINGS);
}
