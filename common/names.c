/* names.c - identifier rules, written once and used by every surface. */
#include "common/names.h"

int hg_name_is_dns_label(const char *s, size_t n) {
  if (n < 1 || n > 63) return 0;
  if (s[0] < 'a' || s[0] > 'z') return 0;
  if (s[n - 1] == '-') return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
  }
  return 1;
}

size_t hg_utf8_length(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
  return count;
}
