/* fuzz_rules.c - the small text rules every surface shares: base64 in each form
 * (common/base64.c), RFC 3339 timestamps (common/clock.c), UUIDs (common/uuid.c), ObjectIds
 * (common/objectid.c) and DNS labels (common/names.c).
 *
 * Input: one selector byte (base64 form), then the text. Properties, besides no crash:
 * validity and decoding agree, decodings fit their bound and re-encode to what decodes the
 * same, and encodings of the raw input decode back to it; a strict timestamp reads the same
 * laxly and survives a format/parse round trip; a parsed UUID or ObjectId is canonical and
 * parses to itself; an accepted DNS label has the shape its rule states. */
#include <ctype.h>
#include <string.h>

#include "common/arena.h"
#include "common/base64.h"
#include "common/clock.h"
#include "common/names.h"
#include "common/objectid.h"
#include "common/uuid.h"
#include "fuzz.h"

static const unsigned forms[] = {
    HG_BASE64_STRICT,
    HG_BASE64_PROTO_JSON,
    HG_BASE64_JWT,
    HG_BASE64_URL | HG_BASE64_PAD,
    HG_BASE64_STD | HG_BASE64_NOPAD,
    HG_BASE64_STD,
};
#define N_FORMS (sizeof(forms) / sizeof(forms[0]))

static void base64(const char *s, size_t n, unsigned flags) {
  uint8_t *out = malloc(HG_BASE64_DECODED_MAX(n) + 1);
  char *again = malloc(HG_BASE64_ENCODED_LEN(HG_BASE64_DECODED_MAX(n)) + 1);
  uint8_t *back = malloc(HG_BASE64_DECODED_MAX(n) + 1);
  size_t on = 7777, bn;
  FUZZ_CHECK(out && again && back);
  int ok = hg_base64_decode(s, n, flags, out, &on) == 0;
  FUZZ_CHECK(ok == hg_base64_valid(s, n, flags));
  FUZZ_CHECK(ok ? on <= HG_BASE64_DECODED_MAX(n) : on == 7777);
  if (ok) {
    size_t an = hg_base64_encode(out, on, flags, again);
    FUZZ_CHECK(an <= HG_BASE64_ENCODED_LEN(on));
    FUZZ_CHECK(hg_base64_decode(again, an, flags, back, &bn) == 0);
    FUZZ_CHECK(bn == on && memcmp(back, out, on) == 0);
  }
  free(out);
  free(again);
  free(back);
}

/* The raw input, encoded in each form, decodes back to itself. */
static void encode(const uint8_t *p, size_t n, unsigned flags) {
  char *enc = malloc(HG_BASE64_ENCODED_LEN(n) + 1);
  uint8_t *back = malloc(n + 1);
  size_t bn;
  FUZZ_CHECK(enc && back);
  size_t en = hg_base64_encode(p, n, flags, enc);
  FUZZ_CHECK(hg_base64_decode(enc, en, flags, back, &bn) == 0);
  FUZZ_CHECK(bn == n && memcmp(back, p, n) == 0);
  free(enc);
  free(back);
}

static void timestamp(const char *s) {
  int64_t strict = -1, lax = -2, again = -3;
  char text[HG_RFC3339_LEN];
  if (hg_time_parse_rfc3339(s, HG_RFC3339_STRICT, &strict) != 0) {
    hg_time_parse_rfc3339(s, HG_RFC3339_LAX, &lax);
    return;
  }
  FUZZ_CHECK(hg_time_parse_rfc3339(s, HG_RFC3339_LAX, &lax) == 0 && lax == strict);
  if (strict < 0) return;
  hg_time_rfc3339(strict, text);
  FUZZ_CHECK(hg_time_parse_rfc3339(text, HG_RFC3339_STRICT, &again) == 0 && again == strict);
}

static int lower_hex(int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static void ids(const char *s) {
  char u[HG_UUID_LEN], u2[HG_UUID_LEN], o[HG_OBJECTID_LEN], o2[HG_OBJECTID_LEN];
  if (hg_uuid_parse(s, u) == 0) {
    FUZZ_CHECK(strlen(u) == 36 && strlen(s) == 36);
    for (int i = 0; i < 36; i++)
      FUZZ_CHECK((i == 8 || i == 13 || i == 18 || i == 23) ? u[i] == '-' : lower_hex(u[i]));
    for (int i = 0; i < 36; i++) FUZZ_CHECK(tolower((unsigned char)s[i]) == u[i]);
    FUZZ_CHECK(hg_uuid_parse(u, u2) == 0 && strcmp(u, u2) == 0);
  }
  if (hg_objectid_parse(s, o) == 0) {
    FUZZ_CHECK(strlen(o) == 24 && strlen(s) == 24);
    for (int i = 0; i < 24; i++)
      FUZZ_CHECK(lower_hex(o[i]) && tolower((unsigned char)s[i]) == o[i]);
    FUZZ_CHECK(hg_objectid_parse(o, o2) == 0 && strcmp(o, o2) == 0);
  }
}

static void dns_label(const char *s, size_t n) {
  if (!hg_name_is_dns_label(s, n)) return;
  FUZZ_CHECK(n >= 1 && n <= 63 && s[0] >= 'a' && s[0] <= 'z' && s[n - 1] != '-');
  for (size_t i = 0; i < n; i++)
    FUZZ_CHECK((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  unsigned flags = forms[data[0] % N_FORMS];
  const char *s = (const char *)data + 1;
  size_t n = size - 1;
  char *z = malloc(n + 1); /* the NUL-terminated rules read up to the first NUL */
  FUZZ_CHECK(z != NULL);
  memcpy(z, s, n);
  z[n] = '\0';
  base64(s, n, flags);
  encode(data + 1, n, flags);
  timestamp(z);
  ids(z);
  dns_label(s, n);
  free(z);
  return 0;
}
