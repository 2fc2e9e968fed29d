/* json_escape.c - JSON string escaping that turns any byte string into valid JSON text. */
#include "common/json_escape.h"

#include <stdint.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 when it is not one: a lead
 * byte that cannot start a sequence, a missing continuation byte, an overlong form, a
 * surrogate or a code point above U+10FFFF (the same rules as common/utf8.c). */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  size_t len;
  if (s[0] >= 0xC2 && s[0] <= 0xDF)
    len = 2;
  else if ((s[0] & 0xF0) == 0xE0)
    len = 3;
  else if (s[0] >= 0xF0 && s[0] <= 0xF4)
    len = 4;
  else
    return 0;
  if (n < len) return 0;
  uint32_t cp = s[0] & (0x7Fu >> len);
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (s[k] & 0x3Fu);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

/* The escape of an ASCII byte that needs one into esc; its length, or 0 when c is plain. */
static size_t ascii_escape(unsigned char c, char esc[7]) {
  static const char hex[] = "0123456789abcdef";
  static const char short_form[] = {['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r',
                                    ['\t'] = 't', ['"'] = '"',  ['\\'] = '\\'};
  if (c < sizeof(short_form) && short_form[c]) {
    esc[0] = '\\';
    esc[1] = short_form[c];
    return 2;
  }
  if (c >= 0x20 && c != 0x7f) return 0;
  memcpy(esc, "\\u00", 4);
  esc[4] = hex[c >> 4];
  esc[5] = hex[c & 15];
  return 6;
}

size_t hg_json_escape(const char *p, size_t n, char *out, size_t cap, size_t *used) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0, w = 0;
  while (i < n) {
    char esc[7];
    const char *piece = (const char *)s + i;
    size_t in = 1, len;
    if (s[i] < 0x80) {
      len = ascii_escape(s[i], esc);
      if (len)
        piece = esc;
      else
        len = 1;
    } else if ((len = utf8_seq(s + i, n - i)) != 0) {
      in = len;
    } else {
      piece = "\\ufffd";
      len = 6;
    }
    if (cap - w < len) break;
    memcpy(out + w, piece, len);
    w += len;
    i += in;
  }
  if (used) *used = i;
  return w;
}
