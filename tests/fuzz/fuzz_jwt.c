/* fuzz_jwt.c - JWT parsing and verification (services/auth/jwt_verify.c) with a fixed
 * secret: no token that was not signed with it is ever accepted.
 *
 * Input: one selector byte, then either (even) a token as a client sends it, or (odd) a
 * header and a payload, 0xff-separated, which this target signs with the secret, so the
 * header and claim rules are fuzzed past the signature. Properties: a token that verifies
 * carries, as its third part, the HMAC-SHA256 under the secret of its first two parts
 * (computed here with OpenSSL, not libjwt), its header names HS256, its subject is
 * non-empty and fits, and it has not expired; and no token verifies under another secret. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/auth.h"
#include "auth/jwt_verify.h"
#include "common/arena.h"
#include "common/base64.h"
#include "fuzz.h"

#define NOW 1700000000
static const hg_str_t secret = HG_STR("fuzz-secret-of-at-least-32-bytes!!");
static const hg_str_t other = HG_STR("fuzz-secret-of-at-least-32-bytes!?");

/* HMAC-SHA256 of token[0..signed_n) under secret, base64url without padding, into out
 * (room for 44 bytes); returns its length. */
static size_t sign(const char *token, size_t signed_n, hg_str_t key, char *out) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_n = 0;
  FUZZ_CHECK(HMAC(EVP_sha256(), key.p, (int)key.n, (const unsigned char *)token, signed_n, mac,
                  &mac_n) != NULL);
  return hg_base64_encode(mac, mac_n, HG_BASE64_JWT, out);
}

static void check_accepted(const char *token, const auth_jwt_claims_t *c) {
  const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  uint8_t given[64], want[64];
  char want_b64[48];
  size_t given_n, want_n;
  FUZZ_CHECK(dot2 != NULL);
  size_t sig_n = strlen(dot2 + 1);
  FUZZ_CHECK(sig_n <= 64 && hg_base64_decode(dot2 + 1, sig_n, HG_BASE64_JWT, given, &given_n) == 0);
  size_t wn = sign(token, (size_t)(dot2 - token), secret, want_b64);
  FUZZ_CHECK(hg_base64_decode(want_b64, wn, HG_BASE64_JWT, want, &want_n) == 0);
  FUZZ_CHECK(given_n == want_n && memcmp(given, want, want_n) == 0);
  FUZZ_CHECK(c->sub[0] != '\0' && strlen(c->sub) <= AUTH_JWT_SUB_MAX && c->exp > NOW);
}

static void verify(const char *token) {
  auth_jwt_claims_t c, unchanged;
  memset(&c, 0x5a, sizeof(c));
  unchanged = c;
  int rc = auth_jwt_verify(secret, token, NOW, &c);
  if (rc == 0) {
    check_accepted(token, &c);
  } else {
    FUZZ_CHECK(memcmp(&c, &unchanged, sizeof(c)) == 0);
  }
  FUZZ_CHECK(auth_jwt_verify(other, token, NOW, &c) != 0);
}

/* header.payload.signature from the two parts of p[0..n), signed with secret. */
static char *signed_token(const uint8_t *p, size_t n, hg_arena_t *a) {
  const uint8_t *sep = memchr(p, 0xff, n);
  size_t hn = sep ? (size_t)(sep - p) : n, pn = sep ? n - hn - 1 : 0;
  char *t = hg_arena_alloc(a, HG_BASE64_ENCODED_LEN(n) + 64);
  FUZZ_CHECK(t != NULL);
  size_t len = hg_base64_encode(p, hn, HG_BASE64_JWT, t);
  t[len++] = '.';
  len += hg_base64_encode(sep ? sep + 1 : p, pn, HG_BASE64_JWT, t + len);
  size_t signed_n = len;
  t[len++] = '.';
  len += sign(t, signed_n, secret, t + len);
  t[len] = '\0';
  return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  hg_arena_t *a = hg_arena_new();
  FUZZ_CHECK(a != NULL);
  char *token = (data[0] & 1) ? signed_token(data + 1, size - 1, a)
                              : hg_arena_strndup(a, (const char *)data + 1, size - 1);
  FUZZ_CHECK(token != NULL);
  verify(token);
  hg_arena_free(a);
  return 0;
}
