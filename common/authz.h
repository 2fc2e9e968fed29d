/* authz.h - who is calling: the services' side of authentication and authorization.
 *
 * Owns: a bounded TTL cache of verified principals keyed by the SHA-256 of the token, and
 * a channel to each auth-svc replica. A cache miss calls hangar.auth.v1.TokenVerifier/Verify (nanopb) on
 * the calling thread; entries live at most ttl seconds (and never past the token's own
 * expiry), which bounds how long a revocation takes to reach every service.
 * Threads: every function may be called from any thread (the cache has its own lock). */
#ifndef HANGAR_AUTHZ_H
#define HANGAR_AUTHZ_H

#include <stddef.h>
#include <stdint.h>

#include "rpc/rpc.h"

typedef enum {
  HG_ROLE_NONE = 0,
  HG_ROLE_VIEWER = 1,
  HG_ROLE_EDITOR = 2,
  HG_ROLE_OWNER = 3,
  HG_ROLE_ADMIN = 4,
} hg_role_t;

/* "viewer" -> HG_ROLE_VIEWER ...; HG_ROLE_NONE for anything else. */
hg_role_t hg_role_parse(const char *s);
const char *hg_role_name(hg_role_t r);

#define HG_PRINCIPAL_MAX_BINDINGS 64

typedef struct hg_principal {
  char subject[161];
  char kind[17];     /* "jwt", "admin", or the opaque token kind */
  char token_id[33]; /* an opaque token's id; "" for a JWT and the admin */
  int admin;         /* the bootstrap admin: admin on every scope */
  size_t n_bindings;
  struct {
    char scope[161];
    hg_role_t role;
  } bindings[HG_PRINCIPAL_MAX_BINDINGS];
} hg_principal_t;

/* The scope of a binding that holds on every scope: "*" with role admin is admin everywhere,
 * like the admin token. */
#define HG_SCOPE_EVERYWHERE "*"

/* Highest role p holds on scope: ADMIN for the admin principal; else the best role among
 * bindings on exactly scope or on HG_SCOPE_EVERYWHERE. An admin binding on one scope is
 * admin of that scope only. */
hg_role_t hg_principal_role(const hg_principal_t *p, const char *scope);

/* Why authentication failed; each surface maps these to its own message. */
typedef enum {
  AUTHZ_OK = 0,
  AUTHZ_MISSING = 1,     /* no credential at all */
  AUTHZ_NOT_BEARER = 2,  /* Authorization present but not "Bearer <token>" */
  AUTHZ_INVALID = 3,     /* auth-svc says invalid: detail says why */
  AUTHZ_UNAVAILABLE = 4, /* auth-svc unreachable */
} authz_result_t;

typedef struct authz authz_t;

typedef struct authz_opts {
  int ttl_seconds;     /* default 30 (must stay <= 60: revocation bound) */
  size_t capacity;     /* cached principals; default 4096 */
  int64_t deadline_ms; /* per Verify call; default 2000 */
} authz_opts_t;

/* New verifier calling auth-svc at target through client c (borrowed; must outlive it).
 * target may be a comma list of replicas' addresses (rpc_replicas_new). */
int authz_new(rpc_client_t *c, const char *target, const authz_opts_t *opts, authz_t **out);
void authz_free(authz_t *z);

/* From an Authorization header value (NULL = absent). On AUTHZ_OK *out is filled whole
 * (every field, and bindings[0..n_bindings); the rest is never read), so out need not be
 * cleared first; otherwise detail (if non-NULL) receives a short reason. The same holds for
 * authz_token and authz_token_for. */
authz_result_t authz_bearer(authz_t *z, const char *authorization, hg_principal_t *out,
                            char *detail, size_t detail_len);
/* Splits an Authorization header value without asking auth-svc: AUTHZ_OK with *token the
 * credential after a case-insensitive "Bearer " (borrowed from authorization), AUTHZ_MISSING
 * for NULL or "", AUTHZ_NOT_BEARER otherwise (including an empty credential). */
authz_result_t authz_parse_bearer(const char *authorization, hg_str_t *token);
/* From a raw token (e.g. X-StorageApi-Token). NULL or "" = AUTHZ_MISSING. */
authz_result_t authz_token(authz_t *z, const char *token, hg_principal_t *out, char *detail,
                           size_t detail_len);
/* authz_token() on behalf of the call ctx: a Verify it has to make carries ctx's request id
 * and traceparent (rpc_ctx_traceparent), so that auth-svc's line for it joins ctx's trace. */
authz_result_t authz_token_for(authz_t *z, rpc_ctx_t *ctx, const char *token, hg_principal_t *out,
                               char *detail, size_t detail_len);

/* The texts a surface answers authentication failures with (e.g. KtrlPlane's
 * "Authorization header required", "Bearer token required", "Invalid token"). */
typedef struct authz_messages {
  const char *missing;
  const char *not_bearer;
  const char *invalid; /* the verifier's reason goes in the status detail */
  const char *unavailable;
  const char *internal; /* INTERNAL: no memory for the principal */
} authz_messages_t;

/* Authenticates the call's "authorization" metadata. On failure it has already answered the
 * call (UNAUTHENTICATED with msgs, UNAVAILABLE, or RESOURCE_EXHAUSTED when the caller already
 * has its bound of calls in flight: rpc_ctx_in_flight_or_fail) and returns nonzero. */
int authz_bearer_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                         hg_principal_t *out);

/* The same for a raw token carried in metadata md_key (e.g. "x-storageapi-token"). */
int authz_token_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                        const char *md_key, hg_principal_t *out);

/* ---- the admit functions' shared steps ------------------------------------------------ */

/* What one method requires on its scope, and how a caller who falls short is refused. */
typedef struct authz_need {
  hg_role_t role;
  const char *denied; /* PERMISSION_DENIED text */
  /* Non-NULL: a caller without even viewer on the scope hears NOT_FOUND with this text
   * instead, for a method naming a resource whose existence must not leak. */
  const char *not_found;
} authz_need_t;

/* authz_bearer_or_fail() into a principal it allocates in ctx's arena (*out, valid until the
 * call is answered); no memory is INTERNAL msgs->internal. Nonzero: ctx answered. */
int authz_principal_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs,
                            hg_principal_t **out);
/* 0 when p holds need->role on scope (NULL names no scope: only an admin grant counts);
 * otherwise ctx is answered as need says and the result is nonzero. */
int authz_role_or_fail(rpc_ctx_t *ctx, const hg_principal_t *p, const char *scope,
                       const authz_need_t *need);
/* Both: the whole admission of a method whose scope the request names. */
int authz_admit_or_fail(rpc_ctx_t *ctx, authz_t *z, const authz_messages_t *msgs, const char *scope,
                        const authz_need_t *need);

#endif
