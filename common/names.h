/* names.h - identifier rules shared by every surface (DNS labels, lengths).
 * Threads: any; pure functions. */
#ifndef HANGAR_NAMES_H
#define HANGAR_NAMES_H

#include <stddef.h>

/* RFC 1123 label as CONTRACTS.md words it: 1-63 chars, starts with a letter, [a-z0-9-],
 * does not end with '-'. */
int hg_name_is_dns_label(const char *s, size_t n);
/* Number of Unicode code points in valid UTF-8 s[0..n). */
size_t hg_utf8_length(const char *s, size_t n);

#endif
