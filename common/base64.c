/* base64.c - one decoder for every form: what differs between the forms is which two
 * symbols stand for 62 and 63 and what trailing '=' may do, so both are read from the
 * flags and the bit-packing is shared. */
#include "common/base64.h"

static const char std_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int value_of(unsigned char c, unsigned flags) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (flags & HG_BASE64_STD) {
    if (c == '+') return 62;
    if (c == '/') return 63;
  }
  if (flags & HG_BASE64_URL) {
    if (c == '-') return 62;
    if (c == '_') return 63;
  }
  return -1;
}

/* The number of data symbols of s[0..n) (the text without its padding), or -1 when the
 * padding or the length is not what flags allow. A third trailing '=' is never padding. */
static long data_length(const char *s, size_t n, unsigned flags) {
  size_t pad = 0;
  while (pad < n && s[n - 1 - pad] == '=') pad++;
  size_t data = n - pad;
  if (pad > 2 || (pad && (flags & HG_BASE64_NOPAD))) return -1;
  if ((flags & HG_BASE64_PAD) && n % 4) return -1;
  if (data % 4 == 1 || (pad && n % 4)) return -1;
  return (long)data;
}

int hg_base64_valid(const char *s, size_t n, unsigned flags) {
  long data = data_length(s, n, flags);
  for (long i = 0; i < data; i++)
    if (value_of((unsigned char)s[i], flags) < 0) return 0;
  return data >= 0;
}

int hg_base64_decode(const char *s, size_t n, unsigned flags, uint8_t *out, size_t *out_n) {
  if (!hg_base64_valid(s, n, flags)) return -1;
  long data = data_length(s, n, flags);
  unsigned acc = 0;
  int bits = 0;
  size_t k = 0;
  for (long i = 0; i < data; i++) {
    acc = (acc << 6) | (unsigned)value_of((unsigned char)s[i], flags);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (uint8_t)((acc >> bits) & 0xff);
    }
  }
  *out_n = k;
  return 0;
}

int hg_base64_decode_dup(const char *s, size_t n, unsigned flags, hg_arena_t *a, char **out,
                         size_t *out_n) {
  if (!hg_base64_valid(s, n, flags)) return -1;
  uint8_t *p = hg_arena_alloc(a, HG_BASE64_DECODED_MAX(n) + 1);
  size_t k;
  if (!p) return -2;
  hg_base64_decode(s, n, flags, p, &k);
  p[k] = '\0';
  *out = (char *)p;
  *out_n = k;
  return 0;
}

size_t hg_base64_encode(const uint8_t *p, size_t n, unsigned flags, char *out) {
  const char *chars =
      (flags & (HG_BASE64_STD | HG_BASE64_URL)) == HG_BASE64_URL ? url_chars : std_chars;
  int pad = !(flags & HG_BASE64_NOPAD);
  char *o = out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t acc = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                   (i + 2 < n ? p[i + 2] : 0);
    *o++ = chars[acc >> 18];
    *o++ = chars[acc >> 12 & 63];
    if (i + 1 < n || pad) *o++ = i + 1 < n ? chars[acc >> 6 & 63] : '=';
    if (i + 2 < n || pad) *o++ = i + 2 < n ? chars[acc & 63] : '=';
  }
  return (size_t)(o - out);
}
