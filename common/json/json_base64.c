/* json_base64.c - bytes fields travel as base64 strings (RFC 4648). Decoding accepts the
 * standard and the URL-safe alphabet, with or without padding, as protobuf's JSON mapping
 * does; encoding writes the standard alphabet with padding. */
#include "json/transcode_internal.h"

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(unsigned char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+' || ch == '-') return 62;
  if (ch == '/' || ch == '_') return 63;
  return -1;
}

int tc__b64_decode(hg_arena_t *a, const char *s, size_t n, ProtobufCBinaryData *out) {
  size_t pad = 0;
  while (n > 0 && s[n - 1] == '=' && pad < 2) n--, pad++;
  if (n % 4 == 1 || (pad && (n + pad) % 4 != 0)) return TC_ETYPE;
  uint8_t *p = hg_arena_alloc(a, n / 4 * 3 + 2);
  if (!p) return TC_ENOMEM;
  size_t len = 0;
  uint32_t acc = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_value((unsigned char)s[i]);
    if (v < 0) return TC_ETYPE;
    acc = acc << 6 | (uint32_t)v;
    if (i % 4 == 3) {
      p[len++] = (uint8_t)(acc >> 16);
      p[len++] = (uint8_t)(acc >> 8);
      p[len++] = (uint8_t)acc;
      acc = 0;
    }
  }
  if (n % 4 == 2) p[len++] = (uint8_t)(acc >> 4);
  if (n % 4 == 3) {
    p[len++] = (uint8_t)(acc >> 10);
    p[len++] = (uint8_t)(acc >> 2);
  }
  out->len = len;
  out->data = p;
  return 0;
}

int tc__b64_encode(hg_buf_t *b, const uint8_t *p, size_t n) {
  if (hg_buf_reserve(b, (n + 2) / 3 * 4 + 2) != 0) return TC_ENOMEM;
  char *o = b->p + b->n;
  *o++ = '"';
  for (size_t i = 0; i < n; i += 3) {
    uint32_t acc = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                   (i + 2 < n ? p[i + 2] : 0);
    *o++ = b64_chars[acc >> 18];
    *o++ = b64_chars[acc >> 12 & 63];
    *o++ = i + 1 < n ? b64_chars[acc >> 6 & 63] : '=';
    *o++ = i + 2 < n ? b64_chars[acc & 63] : '=';
  }
  *o++ = '"';
  *o = '\0';
  b->n = (size_t)(o - b->p);
  return 0;
}
