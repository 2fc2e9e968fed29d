/* utf8.c - UTF-8 validation (RFC 3629). */
#include "common/utf8.h"

#include <stdint.h>
#include <string.h>

/* Length of the sequence a lead byte starts; 0 for bytes that cannot lead (continuation
 * bytes, 0xC0/0xC1 which only start overlong forms, 0xF5 and up which exceed U+10FFFF). */
static unsigned utf8_len(unsigned b) {
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  return b >= 0xF0 && b <= 0xF4 ? 4 : 0;
}

size_t hg_utf8_char(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  unsigned len = n ? utf8_len(s[0]) : 0, k = 1;
  if (len <= 1 || n < len) return len == 1 ? 1 : 0;
  uint32_t cp = s[0] & (0x7Fu >> len);
  for (; k < len && (s[k] & 0xC0) == 0x80; k++) cp = cp << 6 | (s[k] & 0x3Fu);
  if (k < len || (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

size_t hg_utf8_cut(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  size_t lead = n;
  while (lead > 0 && n - lead < 4 && (s[lead - 1] & 0xC0) == 0x80) lead--;
  if (lead == 0 || (s[lead - 1] & 0x80) == 0) return n; /* ASCII last, or no lead in reach */
  lead--;
  return n - lead < utf8_len(s[lead]) ? lead : n;
}

int hg_utf8_valid(const char *p, size_t n, size_t *bad) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;
  while (i < n) {
    /* ASCII, the bulk of any text here, 8 bytes at a time. */
    uint64_t w;
    while (n - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ull) == 0)) i += 8;
    if (i >= n) break;
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t len = hg_utf8_char(p + i, n - i);
    if (len == 0) break;
    i += len;
  }
  if (i < n) *bad = i;
  return i == n;
}
