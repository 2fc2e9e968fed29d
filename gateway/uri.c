/* uri.c - percent-decoding, query iteration and query-name mapping.
 *
 * Decoding is strict on purpose: an id that reaches a service must be the bytes the client
 * meant, so a malformed escape is an error rather than a literal '%', and bytes that could
 * change the meaning of a key downstream ('/', NUL, invalid UTF-8) never get through. */
#include "gateway/uri.h"

#include <string.h>

const char *gw_uri_strerror(int err) {
  switch (err) { GW_URI_ERRORS(HG_ERR_TEXT_CASE) }
  return "";
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Length of the valid UTF-8 sequence starting at s[0] (at most n bytes), 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
  if (c == 0xED && s[1] > 0x9F) return 0; /* surrogate */
  if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
  if (c == 0xF4 && s[1] > 0x8F) return 0; /* > U+10FFFF */
  return len;
}

static int utf8_valid(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    size_t len = utf8_seq(s + i, n - i);
    if (len == 0) return 0;
    i += len;
  }
  return 1;
}

static int check_decoded(const char *out, size_t n, gw_decode_mode_t mode) {
  if (memchr(out, '\0', n)) return GW_URI_ENUL;
  if (mode == GW_DECODE_PATH) {
    if (memchr(out, '/', n)) return GW_URI_ESLASH;
    if ((n == 1 && out[0] == '.') || (n == 2 && out[0] == '.' && out[1] == '.')) return GW_URI_EDOT;
  }
  return utf8_valid(out, n) ? GW_URI_OK : GW_URI_EUTF8;
}

int gw_uri_decode(const char *p, size_t n, gw_decode_mode_t mode, char *out, size_t *outn) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (c == '%') {
      int hi = i + 1 < n ? hex_value(p[i + 1]) : -1;
      int lo = i + 2 < n ? hex_value(p[i + 2]) : -1;
      if (hi < 0 || lo < 0) return GW_URI_EESCAPE;
      c = (char)(hi << 4 | lo);
      i += 2;
    } else if (c == '+' && mode == GW_DECODE_QUERY) {
      c = ' ';
    }
    out[o++] = c;
  }
  out[o] = '\0';
  *outn = o;
  return check_decoded(out, o, mode);
}

int gw_query_next(hg_str_t *rest, hg_str_t *name, hg_str_t *value) {
  while (rest->n > 0) {
    const char *amp = memchr(rest->p, '&', rest->n);
    size_t len = amp ? (size_t)(amp - rest->p) : rest->n;
    hg_str_t pair = {rest->p, len};
    rest->p += amp ? len + 1 : len;
    rest->n -= amp ? len + 1 : len;
    if (pair.n == 0) continue;
    const char *eq = memchr(pair.p, '=', pair.n);
    size_t nl = eq ? (size_t)(eq - pair.p) : pair.n;
    *name = (hg_str_t){pair.p, nl};
    *value = eq ? (hg_str_t){eq + 1, pair.n - nl - 1} : (hg_str_t){pair.p + pair.n, 0};
    return 1;
  }
  return 0;
}

/* Appends c to out[*o] if it fits (keeping room for the NUL). */
static int put(char *out, size_t cap, size_t *o, char c) {
  if (*o + 1 >= cap) return -1;
  out[(*o)++] = c;
  return 0;
}

int gw_query_field_path(const char *name, size_t n, char *out, size_t cap) {
  size_t o = 0, i = 0;
  int depth = 0; /* 1 inside brackets */
  if (n == 0 || name[0] == '[' || cap == 0) return GW_URI_ENAME;
  for (; i < n; i++) {
    char c = name[i];
    if (c == '[') {
      /* '[' opens a segment only directly after a name or a ']' */
      if (depth || name[i - 1] == '[' || i + 1 >= n || name[i + 1] == ']') return GW_URI_ENAME;
      depth = 1;
      if (put(out, cap, &o, '.')) return GW_URI_ENAME;
    } else if (c == ']') {
      if (!depth || (i + 1 < n && name[i + 1] != '[')) return GW_URI_ENAME;
      depth = 0;
    } else if (put(out, cap, &o, c)) {
      return GW_URI_ENAME;
    }
  }
  if (depth) return GW_URI_ENAME;
  out[o] = '\0';
  return 0;
}
