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

static int allowed(unsigned chars, char c) {
  return ((chars & HG_NAME_LOWER) && c >= 'a' && c <= 'z') ||
         ((chars & HG_NAME_UPPER) && c >= 'A' && c <= 'Z') ||
         ((chars & HG_NAME_DIGIT) && c >= '0' && c <= '9') ||
         ((chars & HG_NAME_HYPHEN) && c == '-') || ((chars & HG_NAME_UNDERSCORE) && c == '_');
}

int hg_name_matches(const hg_name_rule_t *rule, const char *s, size_t n) {
  if (n < 1 || n > rule->max) return 0;
  if ((rule->chars & HG_NAME_NO_EDGE_HYPHEN) && (s[0] == '-' || s[n - 1] == '-')) return 0;
  for (size_t i = 0; i < n; i++)
    if (!allowed(rule->chars, s[i])) return 0;
  return 1;
}

size_t hg_utf8_length(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
  return count;
}
