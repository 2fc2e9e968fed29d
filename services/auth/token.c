/* token.c - opaque token secrets: generation, hashing, comparison, minting records.
 *
 * Secrets are uniform alphanumerics from common/secret.h (OpenSSL's RAND_bytes). */
#include "auth/token.h"

#include <string.h>

#include "common/secret.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

static const auth_kind_t kinds[] = {
#define XX(name, prefix) {#name, prefix},
    AUTH_TOKEN_KINDS(XX)
#undef XX
};

const char *const auth_kind_names[] = {
#define XX(name, prefix) #name,
    AUTH_TOKEN_KINDS(XX)
#undef XX
        NULL};

const auth_kind_t *auth_kind_find(const char *s) {
  for (size_t i = 0; s && i < sizeof(kinds) / sizeof(kinds[0]); i++)
    if (strcmp(kinds[i].name, s) == 0) return &kinds[i];
  return NULL;
}

int auth_token_generate(const auth_kind_t *k, char out[AUTH_TOKEN_MAX]) {
  char tmp[AUTH_TOKEN_MAX];
  size_t plen = strlen(k->prefix);
  memcpy(tmp, k->prefix, plen);
  if (hg_secret_text(hg_secret_alnum, tmp + plen, AUTH_SECRET_CHARS) != 0) return -1;
  tmp[plen + AUTH_SECRET_CHARS] = '\0';
  memcpy(out, tmp, plen + AUTH_SECRET_CHARS + 1);
  return 0;
}

void auth_token_hash(hg_str_t token, uint8_t out[AUTH_HASH_LEN]) {
  SHA256((const unsigned char *)token.p, token.n, out);
}

int auth_token_equal(hg_str_t a, hg_str_t b) {
  uint8_t ha[AUTH_HASH_LEN], hb[AUTH_HASH_LEN];
  auth_token_hash(a, ha);
  auth_token_hash(b, hb);
  return CRYPTO_memcmp(ha, hb, AUTH_HASH_LEN) == 0;
}

char *auth_id_new(hg_arena_t *a, const char *prefix) {
  static const char hex[] = "0123456789abcdef";
  unsigned char raw[AUTH_ID_HEX / 2];
  char text[AUTH_ID_HEX + 1];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return NULL;
  for (size_t i = 0; i < sizeof(raw); i++) {
    text[2 * i] = hex[raw[i] >> 4];
    text[2 * i + 1] = hex[raw[i] & 15];
  }
  text[AUTH_ID_HEX] = '\0';
  return hg_arena_sprintf(a, "%s%s", prefix, text);
}

int auth_token_has_ttl(const Hangar__Auth__V1__CreateTokenRequest *req) {
  return req->_ttl_seconds_case == HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST___TTL_SECONDS_TTL_SECONDS;
}

int auth_token_mint(const Hangar__Auth__V1__CreateTokenRequest *req, int64_t now, hg_arena_t *a,
                    Hangar__Auth__V1__TokenRecord **rec, const char **secret) {
  const auth_kind_t *k = auth_kind_find(req->kind);
  char token[AUTH_TOKEN_MAX];
  if (!k || auth_token_generate(k, token) != 0) return -1;
  Hangar__Auth__V1__TokenRecord *r = hg_arena_alloc(a, sizeof(*r));
  uint8_t *hash = hg_arena_alloc(a, AUTH_HASH_LEN);
  char *shown = hg_arena_strdup(a, token);
  char *id = auth_id_new(a, "tok_");
  char *kind = hg_arena_strdup(a, k->name);
  if (!r || !hash || !shown || !id || !kind) return -1;
  hangar__auth__v1__token_record__init(r);
  auth_token_hash(hg_str_c(token), hash);
  OPENSSL_cleanse(token, sizeof(token));
  r->id = id;
  r->kind = kind;
  r->subject = req->subject;
  r->n_bindings = req->n_bindings;
  r->bindings = req->bindings;
  r->created_at = now;
  r->expires_at = auth_token_has_ttl(req) ? now + req->ttl_seconds : 0;
  r->hash = (ProtobufCBinaryData){AUTH_HASH_LEN, hash};
  *rec = r;
  *secret = shown;
  return 0;
}
