/* auth.h - auth-svc's shared state, its token-verification error codes, and the one entry
 * point that binds its handlers (TokenVerifier/Verify and every AuthAdmin method) to a server.
 *
 * Owns: nothing. An auth_svc_t borrows the store and both secrets from main() (or a test);
 * they must outlive the rpc server the service is registered with.
 * Does not own: token formats (token.h), JWT rules (jwt_verify.h), the schema (auth_store.h).
 * Threads: an auth_svc_t is read-only once registered; handlers read it from any CQ thread
 * and from the store's writer thread. */
#ifndef HANGAR_AUTH_H
#define HANGAR_AUTH_H

#include <stdint.h>

#include "common/buf.h"
#include "common/errlist.h"
#include "rpc/rpc.h"
#include "storage/store.h"

/* Unix seconds; tests substitute a fake clock. */
typedef int64_t (*auth_clock_fn)(void);

typedef struct auth_svc {
  store_t *store;       /* tables from auth_store_schema */
  hg_str_t admin_token; /* the bootstrap admin token; must be non-empty */
  hg_str_t jwt_secret;  /* HS256 secret; n == 0 rejects every JWT */
  auth_clock_fn now;    /* NULL: the real clock */
} auth_svc_t;

/* Why a presented token is not valid. auth_strerror() is the text Verify returns in
 * VerifyResponse.error, so each message is written for the caller. */
#define AUTH_ERRORS(XX)                                                                            \
  XX(AUTH_EMISSING, -31001, "missing token")                                                       \
  XX(AUTH_EMALFORMED, -31002, "malformed token")                                                   \
  XX(AUTH_EALG, -31003, "unsupported token algorithm")                                             \
  XX(AUTH_ESIGNATURE, -31004, "invalid token signature")                                           \
  XX(AUTH_EEXPIRED, -31005, "token expired")                                                       \
  XX(AUTH_ENOTYET, -31006, "token not yet valid")                                                  \
  XX(AUTH_EIAT, -31007, "token issued in the future")                                              \
  XX(AUTH_ENOSUB, -31008, "token has no sub claim")                                                \
  XX(AUTH_ENOEXP, -31009, "token has no exp claim")                                                \
  XX(AUTH_ETOOLONG, -31010, "token subject too long")                                              \
  XX(AUTH_EUNKNOWN, -31011, "unknown token")                                                       \
  XX(AUTH_ENOJWT, -31012, "JWT authentication is not configured")                                  \
  XX(AUTH_ENOMEM, -31013, "out of memory")                                                         \
  XX(AUTH_EHEADER, -31014, "unsupported token header")

typedef enum { AUTH_ERRORS(HG_ERR_ENUM) } auth_errno_t;

/* Message for an AUTH_E* code (or a store_strerror() for store codes). Never NULL. */
const char *auth_strerror(int err);
const char *auth_err_name(int err);

/* svc's clock: unix seconds. */
int64_t auth_now(const auth_svc_t *svc);

/* Binds "/hangar.auth.v1.TokenVerifier/Verify" (nanopb), the whole AuthAdmin service and
 * the Ververica ApiTokens service (protobuf-c) to s, and makes svc the server's data (rpc_ctx_server_data() in handlers).
 * svc is borrowed until rpc_server_destroy(s). 0 or -1. Before rpc_server_start() only. */
int auth_service_register(rpc_server_t *s, auth_svc_t *svc);
/* Binds the ApiTokens service (apitokens.c) to s, whose server data is the auth_svc_t. */
int auth_apitokens_register(rpc_server_t *s);

#endif
