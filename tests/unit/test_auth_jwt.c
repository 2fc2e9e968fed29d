/* test_auth_jwt.c - services/auth/jwt_verify.c: HS256 policy, signatures and time claims.
 *
 * Tokens are assembled by hand (base64url + HMAC from OpenSSL) so every header the
 * verifier must refuse - alg none, HS512, RS256 - can be produced exactly. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/auth.h"
#include "auth/jwt_verify.h"

#include "test_run.h"

#define NOW 1736950800 /* 2025-01-15T14:20:00Z */
#define SECRET "test-secret-0123456789"

static const hg_str_t secret = {SECRET, sizeof(SECRET) - 1};

static void b64url(const unsigned char *p, size_t n, char *out) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                 (i + 2 < n ? p[i + 2] : 0);
    out[o++] = t[v >> 18 & 63];
    out[o++] = t[v >> 12 & 63];
    if (i + 1 < n) out[o++] = t[v >> 6 & 63];
    if (i + 2 < n) out[o++] = t[v & 63];
  }
  out[o] = '\0';
}

/* header.payload.signature; md NULL leaves the signature empty. Returns a static buffer. */
static const char *make_token(const char *header, const char *payload, const EVP_MD *md,
                              const char *key) {
  static char tok[4096];
  char part[1024];
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned mac_len = 0;
  b64url((const unsigned char *)header, strlen(header), part);
  snprintf(tok, sizeof(tok), "%s.", part);
  b64url((const unsigned char *)payload, strlen(payload), part);
  strcat(tok, part);
  if (md) HMAC(md, key, (int)strlen(key), (const unsigned char *)tok, strlen(tok), mac, &mac_len);
  b64url(mac, mac_len, part);
  strcat(tok, ".");
  strcat(tok, part);
  return tok;
}

static const char *hs256(const char *payload) {
  return make_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), SECRET);
}

static int verify(const char *token, auth_jwt_claims_t *c) {
  return auth_jwt_verify(secret, token, NOW, c);
}

START_TEST(test_jwt_valid) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify(hs256("{\"sub\":\"alice\",\"exp\":1736954400,\"iat\":1736950800}"), &c),
                   0);
  ck_assert_str_eq(c.sub, "alice");
  ck_assert_int_eq(c.exp, 1736954400);
}
END_TEST

START_TEST(test_jwt_expired) {
  auth_jwt_claims_t c;
  int rc = verify(hs256("{\"sub\":\"alice\",\"exp\":1736950790}"), &c);
  ck_assert_int_eq(rc, AUTH_EEXPIRED);
  ck_assert_str_eq(auth_strerror(rc), "token expired");
  ck_assert_int_eq(verify(hs256("{\"sub\":\"alice\",\"exp\":1736950800}"), &c), AUTH_EEXPIRED);
}
END_TEST

START_TEST(test_jwt_nbf_in_future_rejected_beyond_skew) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify(hs256("{\"sub\":\"a\",\"exp\":1736954400,\"nbf\":1736950900}"), &c),
                   AUTH_ENOTYET);
  ck_assert_int_eq(verify(hs256("{\"sub\":\"a\",\"exp\":1736954400,\"nbf\":1736950830}"), &c), 0);
}
END_TEST

START_TEST(test_jwt_iat_in_future_rejected_beyond_skew) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify(hs256("{\"sub\":\"a\",\"exp\":1736954400,\"iat\":1736951000}"), &c),
                   AUTH_EIAT);
  ck_assert_int_eq(verify(hs256("{\"sub\":\"a\",\"exp\":1736954400,\"iat\":1736950850}"), &c), 0);
}
END_TEST

START_TEST(test_jwt_missing_sub) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify(hs256("{\"exp\":1736954400}"), &c), AUTH_ENOSUB);
  ck_assert_int_eq(verify(hs256("{\"sub\":\"\",\"exp\":1736954400}"), &c), AUTH_ENOSUB);
  ck_assert_int_eq(verify(hs256("{\"sub\":42,\"exp\":1736954400}"), &c), AUTH_ENOSUB);
}
END_TEST

START_TEST(test_jwt_missing_or_non_numeric_exp) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify(hs256("{\"sub\":\"alice\"}"), &c), AUTH_ENOEXP);
  ck_assert_int_eq(verify(hs256("{\"sub\":\"alice\",\"exp\":\"1736954400\"}"), &c), AUTH_ENOEXP);
}
END_TEST

START_TEST(test_jwt_fractional_exp_accepted) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify(hs256("{\"sub\":\"alice\",\"exp\":1736954400.5}"), &c), 0);
  ck_assert_int_eq(c.exp, 1736954400);
}
END_TEST

START_TEST(test_jwt_bad_signature) {
  auth_jwt_claims_t c;
  const char *tok = make_token("{\"alg\":\"HS256\"}", "{\"sub\":\"a\",\"exp\":1736954400}",
                               EVP_sha256(), "another-secret");
  ck_assert_int_eq(verify(tok, &c), AUTH_ESIGNATURE);
}
END_TEST

START_TEST(test_jwt_tampered_payload_rejected) {
  auth_jwt_claims_t c;
  char good[4096], evil[4096];
  snprintf(good, sizeof(good), "%s", hs256("{\"sub\":\"alice\",\"exp\":1736954400}"));
  snprintf(evil, sizeof(evil), "%s", hs256("{\"sub\":\"admin\",\"exp\":1736954400}"));
  /* evil's header and payload with good's signature */
  strcpy(strrchr(evil, '.'), strrchr(good, '.'));
  ck_assert_int_eq(verify(evil, &c), AUTH_ESIGNATURE);
}
END_TEST

START_TEST(test_jwt_alg_none_rejected) {
  auth_jwt_claims_t c;
  const char *tok =
      make_token("{\"alg\":\"none\"}", "{\"sub\":\"a\",\"exp\":1736954400}", NULL, NULL);
  ck_assert_int_eq(verify(tok, &c), AUTH_EALG);
  tok = make_token("{\"alg\":\"None\",\"typ\":\"JWT\"}", "{\"sub\":\"a\",\"exp\":1736954400}", NULL,
                   NULL);
  ck_assert_int_eq(verify(tok, &c), AUTH_EALG);
  tok = make_token("{\"typ\":\"JWT\"}", "{\"sub\":\"a\",\"exp\":1736954400}", NULL, NULL);
  ck_assert_int_eq(verify(tok, &c), AUTH_EALG);
}
END_TEST

START_TEST(test_jwt_hs512_rejected_even_with_right_secret) {
  auth_jwt_claims_t c;
  const char *tok = make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
                               "{\"sub\":\"a\",\"exp\":1736954400}", EVP_sha512(), SECRET);
  ck_assert_int_eq(verify(tok, &c), AUTH_EALG);
}
END_TEST

START_TEST(test_jwt_header_typ_and_crit) {
  auth_jwt_claims_t c;
  const char *claims = "{\"sub\":\"a\",\"exp\":1736954400}";
  ck_assert_int_eq(verify(make_token("{\"alg\":\"HS256\"}", claims, EVP_sha256(), SECRET), &c), 0);
  ck_assert_int_eq(
      verify(make_token("{\"alg\":\"HS256\",\"typ\":\"jwt\"}", claims, EVP_sha256(), SECRET), &c),
      0);
  ck_assert_int_eq(
      verify(make_token("{\"alg\":\"HS256\",\"typ\":\"XYZ\"}", claims, EVP_sha256(), SECRET), &c),
      AUTH_EHEADER);
  ck_assert_int_eq(
      verify(make_token("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", claims, EVP_sha256(), SECRET),
             &c),
      AUTH_EHEADER);
}
END_TEST

START_TEST(test_jwt_rs256_header_rejected) {
  auth_jwt_claims_t c;
  const char *tok = make_token("{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
                               "{\"sub\":\"a\",\"exp\":1736954400}", EVP_sha256(), SECRET);
  ck_assert_int_eq(verify(tok, &c), AUTH_EALG);
}
END_TEST

START_TEST(test_jwt_without_secret_rejected) {
  auth_jwt_claims_t c;
  hg_str_t none = {"", 0};
  ck_assert_int_eq(auth_jwt_verify(none, hs256("{\"sub\":\"a\",\"exp\":1736954400}"), NOW, &c),
                   AUTH_ENOJWT);
}
END_TEST

START_TEST(test_jwt_malformed) {
  auth_jwt_claims_t c;
  ck_assert_int_eq(verify("abc", &c), AUTH_EMALFORMED);
  ck_assert_int_eq(verify("a.b.c.d", &c), AUTH_EMALFORMED);
  ck_assert_int_eq(verify("@@@.###.$$$", &c), AUTH_EMALFORMED);
  ck_assert_int_eq(verify("..", &c), AUTH_EMALFORMED);
  ck_assert_int_eq(verify(make_token("not json", "{}", EVP_sha256(), SECRET), &c), AUTH_EMALFORMED);
  ck_assert_int_eq(verify(make_token("[1]", "{}", EVP_sha256(), SECRET), &c), AUTH_EMALFORMED);
  ck_assert_int_eq(verify(hs256("[\"sub\"]"), &c), AUTH_EMALFORMED);
}
END_TEST

START_TEST(test_jwt_long_subject_rejected) {
  auth_jwt_claims_t c;
  char payload[512];
  char sub[201];
  memset(sub, 'x', 200);
  sub[200] = '\0';
  snprintf(payload, sizeof(payload), "{\"sub\":\"%s\",\"exp\":1736954400}", sub);
  ck_assert_int_eq(verify(hs256(payload), &c), AUTH_ETOOLONG);
}
END_TEST

START_TEST(test_jwt_failure_leaves_claims_unchanged) {
  auth_jwt_claims_t c = {"before", 7};
  ck_assert_int_ne(verify(hs256("{\"sub\":\"alice\",\"exp\":1}"), &c), 0);
  ck_assert_str_eq(c.sub, "before");
  ck_assert_int_eq(c.exp, 7);
}
END_TEST

START_TEST(test_jwt_shape) {
  ck_assert_int_eq(auth_jwt_shaped("a.b.c"), 1);
  ck_assert_int_eq(auth_jwt_shaped("kpat_abc"), 0);
  ck_assert_int_eq(auth_jwt_shaped("a.b"), 0);
}
END_TEST

int main(void) {
  TEST_RUN(
      "auth_jwt", 0, test_jwt_valid, test_jwt_expired, test_jwt_nbf_in_future_rejected_beyond_skew,
      test_jwt_iat_in_future_rejected_beyond_skew, test_jwt_missing_sub,
      test_jwt_missing_or_non_numeric_exp, test_jwt_fractional_exp_accepted, test_jwt_bad_signature,
      test_jwt_tampered_payload_rejected, test_jwt_alg_none_rejected,
      test_jwt_hs512_rejected_even_with_right_secret, test_jwt_rs256_header_rejected,
      test_jwt_header_typ_and_crit, test_jwt_without_secret_rejected, test_jwt_malformed,
      test_jwt_long_subject_rejected, test_jwt_failure_leaves_claims_unchanged, test_jwt_shape);
}
