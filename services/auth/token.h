/* token.h - opaque tokens: their kinds and formats, how secrets are generated, hashed and
 * compared, and how a validated CreateTokenRequest becomes a stored TokenRecord.
 *
 * Format: every secret is AUTH_SECRET_CHARS random characters from [A-Za-z0-9] (RAND_bytes,
 * rejection-sampled so every character is uniform: about 285 bits). kpat and spat secrets
 * carry their Konnect prefix ("kpat_..."); the other kinds are the bare random text. No
 * secret contains '.', so an opaque token is never mistaken for a JWT.
 * Ids are a prefix plus 24 lowercase hex characters (96 random bits): "tok_", "rb_".
 * Only SHA-256(secret) is ever stored.
 * Threads: any. */
#ifndef HANGAR_AUTH_TOKEN_H
#define HANGAR_AUTH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/auth/v1/store.pb-c.h"

/* The kinds of opaque token: name and the prefix its secret carries. */
#define AUTH_TOKEN_KINDS(XX)                                                                       \
  XX(apikey, "")                                                                                   \
  XX(kpat, "kpat_")                                                                                \
  XX(spat, "spat_")                                                                                \
  XX(apitoken, "")                                                                                 \
  XX(storage, "")
/* For messages; keep in step with AUTH_TOKEN_KINDS. */
#define AUTH_TOKEN_KINDS_TEXT "apikey, kpat, spat, apitoken, storage"

#define AUTH_SECRET_CHARS 48
#define AUTH_TOKEN_MAX 64 /* longest prefix + secret + NUL */
#define AUTH_HASH_LEN 32
#define AUTH_ID_HEX 24

typedef struct auth_kind {
  const char *name;
  const char *prefix;
} auth_kind_t;

/* Every kind's name, NULL-terminated (a validate.h choices list). */
extern const char *const auth_kind_names[];

/* The kind named s, or NULL. */
const auth_kind_t *auth_kind_find(const char *s);

/* Writes a fresh secret of kind k, NUL-terminated, into out. 0, or -1 if the random
 * generator failed (out unchanged). */
int auth_token_generate(const auth_kind_t *k, char out[AUTH_TOKEN_MAX]);
/* out = SHA-256(token). */
void auth_token_hash(hg_str_t token, uint8_t out[AUTH_HASH_LEN]);
/* 1 if a and b are equal. Time depends on neither content nor length (both are hashed,
 * then compared in constant time). */
int auth_token_equal(hg_str_t a, hg_str_t b);

/* prefix + AUTH_ID_HEX random hex characters, in arena a. NULL on failure. */
char *auth_id_new(hg_arena_t *a, const char *prefix);

/* 1 if the request carries ttl_seconds (the _ttl_seconds oneof is set). */
int auth_token_has_ttl(const Hangar__Auth__V1__CreateTokenRequest *req);

/* The stored record for a validated request: fresh id and secret, the secret's hash,
 * created_at = now, expires_at = now + ttl_seconds (0 when absent). Everything lives in a.
 * *secret is the shown-once token. 0, or -1 (allocation or randomness failed; outs
 * unchanged). */
int auth_token_mint(const Hangar__Auth__V1__CreateTokenRequest *req, int64_t now, hg_arena_t *a,
                    Hangar__Auth__V1__TokenRecord **rec, const char **secret);

#endif
