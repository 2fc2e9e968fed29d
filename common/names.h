/* names.h - identifier rules shared by every surface (DNS labels, lengths).
 * Threads: any; pure functions. */
#ifndef HANGAR_NAMES_H
#define HANGAR_NAMES_H

#include <stddef.h>

/* RFC 1123 label as CONTRACTS.md words it: 1-63 chars, starts with a letter, [a-z0-9-],
 * does not end with '-'. */
int hg_name_is_dns_label(const char *s, size_t n);
/* A name rule as data: a length bound and the characters allowed (hg_name_char_t bits),
 * e.g. Ververica's "up to 63 of [-0-9a-z], no hyphen at either end". */
typedef enum {
  HG_NAME_LOWER = 1u << 0,          /* a-z */
  HG_NAME_UPPER = 1u << 1,          /* A-Z */
  HG_NAME_DIGIT = 1u << 2,          /* 0-9 */
  HG_NAME_HYPHEN = 1u << 3,         /* - */
  HG_NAME_UNDERSCORE = 1u << 4,     /* _ */
  HG_NAME_NO_EDGE_HYPHEN = 1u << 5, /* not the first or last character */
} hg_name_char_t;

typedef struct hg_name_rule {
  size_t max;     /* at most this many characters (bytes: the sets are ASCII) */
  unsigned chars; /* hg_name_char_t bits */
} hg_name_rule_t;

/* 1 when s[0..n) is 1..rule->max characters, each from the rule's sets; 0 otherwise. */
int hg_name_matches(const hg_name_rule_t *rule, const char *s, size_t n);
/* Number of Unicode code points in valid UTF-8 s[0..n). */
size_t hg_utf8_length(const char *s, size_t n);

#endif
