/* auth.c - auth-svc's error table, clock, and service registration. */
#include "auth/auth.h"

#include "auth/admin.h"
#include "common/clock.h"
#include "auth/verify.h"

/* A store code passed up through auth keeps the store's text and name. */
HG_ERR_FUNCTIONS(auth_strerror, auth_err_name, AUTH_ERRORS, store_strerror(err),
                 store_err_name(err))

int64_t auth_now(const auth_svc_t *svc) { return svc->now ? svc->now() : hg_now_ms() / 1000; }

int auth_service_register(rpc_server_t *s, auth_svc_t *svc) {
  rpc_server_set_data(s, svc);
  return (auth_verify_register(s) != 0 || auth_admin_register(s) != 0 ||
          auth_apitokens_register(s) != 0)
             ? -1
             : 0;
}
