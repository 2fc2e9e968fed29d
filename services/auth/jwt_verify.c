/* jwt_verify.c - HS256 JWT verification.
 *
 * The header is decoded and its alg checked here, before libjwt sees the token: libjwt
 * 1.10.2 picks the algorithm from the token itself (with a NULL key it even accepts
 * alg "none"), so policy must come first. libjwt then checks the HMAC; the decoded alg is
 * asserted again afterwards. Claims are read from the payload with jansson rather than
 * jwt_get_grant_int(), which silently answers 0 for a non-integer value. */
#include "auth/jwt_verify.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <jwt.h>

#include "auth/auth.h"
#include "common/base64.h"

#define SEGMENT_MAX 4096 /* longest header or payload segment accepted, in characters */

int auth_jwt_shaped(const char *token) {
  int dots = 0;
  for (const char *p = token; *p; p++) dots += *p == '.';
  return dots == 2;
}

/* A JSON object from the base64url segment p[0..n). NULL if malformed. */
static json_t *decode_segment(const char *p, size_t n) {
  uint8_t raw[HG_BASE64_DECODED_MAX(SEGMENT_MAX)];
  size_t len;
  if (n == 0 || n > SEGMENT_MAX) return NULL;
  if (hg_base64_decode(p, n, HG_BASE64_JWT, raw, &len) != 0 || len == 0) return NULL;
  json_t *j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
  if (j && !json_is_object(j)) {
    json_decref(j);
    return NULL;
  }
  return j;
}

/* 0 if the header names exactly HS256, types itself as a JWT if at all, and asks for no
 * critical extensions (RFC 7515 4.1.11: we understand none); else AUTH_EMALFORMED,
 * AUTH_EALG or AUTH_EHEADER. */
static int check_header(const char *token, size_t head_len) {
  json_t *head = decode_segment(token, head_len);
  if (!head) return AUTH_EMALFORMED;
  const char *alg = json_string_value(json_object_get(head, "alg"));
  json_t *typ = json_object_get(head, "typ");
  int rc = (alg && strcmp(alg, "HS256") == 0) ? 0 : AUTH_EALG;
  if (rc == 0 && typ && !(json_is_string(typ) && strcasecmp(json_string_value(typ), "JWT") == 0))
    rc = AUTH_EHEADER;
  if (rc == 0 && json_object_get(head, "crit")) rc = AUTH_EHEADER;
  json_decref(head);
  return rc;
}

/* libjwt checks the HMAC over header.payload. 0, AUTH_ESIGNATURE or AUTH_ENOMEM. */
static int check_signature(hg_str_t secret, const char *token) {
  jwt_t *jwt = NULL;
  int rc = jwt_decode(&jwt, token, (const unsigned char *)secret.p, (int)secret.n);
  if (rc != 0) return rc == ENOMEM ? AUTH_ENOMEM : AUTH_ESIGNATURE;
  rc = jwt_get_alg(jwt) == JWT_ALG_HS256 ? 0 : AUTH_EALG;
  jwt_free(jwt);
  return rc;
}

/* A NumericDate claim: 0 and *out, 1 when absent, -1 when not a number. */
static int claim_time(json_t *claims, const char *key, int64_t *out) {
  json_t *v = json_object_get(claims, key);
  if (!v) return 1;
  if (json_is_integer(v)) {
    *out = (int64_t)json_integer_value(v);
    return 0;
  }
  if (!json_is_real(v)) return -1;
  double d = json_real_value(v); /* truncation: a fractional second never matters here */
  *out = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
  return 0;
}

/* 0 if an optional claim is absent or not after now + skew, else err. */
static int check_not_future(json_t *claims, const char *key, int64_t now, int err) {
  int64_t t = 0;
  int rc = claim_time(claims, key, &t);
  if (rc < 0) return AUTH_EMALFORMED;
  return (rc == 0 && t > now + AUTH_JWT_SKEW) ? err : 0;
}

static int check_claims(json_t *claims, int64_t now, auth_jwt_claims_t *out) {
  const char *sub = json_string_value(json_object_get(claims, "sub"));
  int64_t exp = 0;
  int rc;
  if (!sub || !*sub) return AUTH_ENOSUB;
  if (strlen(sub) > AUTH_JWT_SUB_MAX) return AUTH_ETOOLONG;
  if (claim_time(claims, "exp", &exp) != 0) return AUTH_ENOEXP;
  if (exp <= now) return AUTH_EEXPIRED;
  if ((rc = check_not_future(claims, "nbf", now, AUTH_ENOTYET)) != 0) return rc;
  if ((rc = check_not_future(claims, "iat", now, AUTH_EIAT)) != 0) return rc;
  strcpy(out->sub, sub);
  out->exp = exp;
  return 0;
}

int auth_jwt_verify(hg_str_t secret, const char *token, int64_t now, auth_jwt_claims_t *out) {
  if (secret.n == 0) return AUTH_ENOJWT;
  if (!auth_jwt_shaped(token)) return AUTH_EMALFORMED;
  const char *dot1 = strchr(token, '.');
  const char *dot2 = strchr(dot1 + 1, '.');
  int rc = check_header(token, (size_t)(dot1 - token));
  if (rc == 0) rc = check_signature(secret, token);
  if (rc != 0) return rc;
  json_t *claims = decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));
  if (!claims) return AUTH_EMALFORMED;
  auth_jwt_claims_t c;
  rc = check_claims(claims, now, &c);
  json_decref(claims);
  if (rc == 0) *out = c;
  return rc;
}
