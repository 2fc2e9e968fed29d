/* verify.h - what a presented token means: the bootstrap admin, a JWT, or a stored opaque
 * token, and the effective role bindings that come with it. Serves TokenVerifier/Verify.
 *
 * Threads: any (each call opens its own read transaction). */
#ifndef HANGAR_AUTH_VERIFY_H
#define HANGAR_AUTH_VERIFY_H

#include "common/arena.h"
#include "auth/auth.h"
#include "hangar/auth/v1/verify.pb.h"

/* Fills *out for token at svc's clock. An invalid token is still a 0 return: out->valid is
 * false and out->error says why (auth_strerror text). Bindings: a JWT's are its subject's
 * role bindings; an opaque token's are its own followed by its subject's (duplicates
 * dropped, at most 64). Scratch memory comes from a.
 * Returns 0, or a STORE_* / AUTH_ENOMEM code when the answer could not be worked out. */
int auth_verify(const auth_svc_t *svc, const char *token, hg_arena_t *a,
                hangar_auth_v1_VerifyResponse *out);

/* Binds "/hangar.auth.v1.TokenVerifier/Verify" (nanopb codecs) to s, whose server data
 * is the auth_svc_t. */
int auth_verify_register(rpc_server_t *s);

#endif
