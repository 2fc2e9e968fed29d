/* jwt_verify.h - verification of HS256 JSON Web Tokens signed with the configured secret.
 *
 * Rules: the header's alg must be exactly "HS256" (alg "none", HS384/512, RS256 ... are all
 * rejected before any signature check); the signature must verify; `sub` (a non-empty
 * string) and `exp` (a NumericDate) are required; exp <= now is expired; `nbf` and `iat`, when
 * present, may lie at most AUTH_JWT_SKEW seconds in the future.
 * libjwt 1.10 checks neither alg policy nor times, so this module does both itself.
 * Threads: any. */
#ifndef HANGAR_AUTH_JWT_VERIFY_H
#define HANGAR_AUTH_JWT_VERIFY_H

#include <stdint.h>

#include "common/buf.h"

#define AUTH_JWT_SKEW 60     /* seconds of clock skew allowed for nbf and iat */
#define AUTH_JWT_SUB_MAX 159 /* longest subject VerifyResponse can carry */

typedef struct auth_jwt_claims {
  char sub[AUTH_JWT_SUB_MAX + 1];
  int64_t exp; /* unix seconds */
} auth_jwt_claims_t;

/* 1 if token has the shape of a JWT: exactly three '.'-separated parts. Opaque tokens
 * never contain '.'. */
int auth_jwt_shaped(const char *token);

/* Verifies token with secret at time now (unix seconds). 0 with *out filled, or an AUTH_E*
 * code from auth.h (*out unchanged): AUTH_ENOJWT when secret is empty. */
int auth_jwt_verify(hg_str_t secret, const char *token, int64_t now, auth_jwt_claims_t *out);

#endif
