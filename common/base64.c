/* base64.c - strict base64 as validator.js's isBase64 (which Konnect's is_base64 rule is):
 * length a multiple of 4, standard alphabet, '=' padding only at the end and at most two.
 * The unused low bits of the last symbol are not checked, as there. */
#include "common/base64.h"

static int value_of(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Number of '=' at the end of a length-checked text; -1 if misplaced or too many. */
static int padding(const char *s, size_t n) {
  int pad = 0;
  while (pad < (int)n && s[n - 1 - (size_t)pad] == '=') pad++;
  return pad > 2 ? -1 : pad;
}

int hg_base64_valid(const char *s, size_t n) {
  if (n % 4) return 0;
  int pad = padding(s, n);
  if (pad < 0) return 0;
  for (size_t i = 0; i < n - (size_t)pad; i++)
    if (value_of((unsigned char)s[i]) < 0) return 0;
  return 1;
}

int hg_base64_decode(const char *s, size_t n, hg_arena_t *a, char **out, size_t *out_n) {
  if (!hg_base64_valid(s, n)) return -1;
  size_t data = n - (size_t)padding(s, n), len = data * 3 / 4;
  unsigned char *p = hg_arena_alloc(a, len + 1);
  if (!p) return -2;
  unsigned acc = 0;
  int bits = 0;
  size_t k = 0;
  for (size_t i = 0; i < data; i++) {
    acc = (acc << 6) | (unsigned)value_of((unsigned char)s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      p[k++] = (unsigned char)((acc >> bits) & 0xff);
    }
  }
  p[k] = '\0';
  *out = (char *)p;
  *out_n = k;
  return 0;
}
