/* utf8.h - what counts as UTF-8 on every path into Hangar: the JSON transcoder's strings
 * and keys, and the strings of every protobuf message a service or client decodes.
 * Threads: any; pure. */
#ifndef HANGAR_UTF8_H
#define HANGAR_UTF8_H

#include <stddef.h>

/* 1 when p[0..n) is valid UTF-8; else 0 and *bad is the offset of the first bad byte.
 * Rejects stray continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences, as RFC 3629 and jansson do. */
int hg_utf8_valid(const char *p, size_t n, size_t *bad);

/* The length of the one valid UTF-8 sequence p[0..n) starts with (1 to 4), or 0 when it
 * starts with none (rejected as hg_utf8_valid rejects; n == 0 included). */
size_t hg_utf8_char(const char *p, size_t n);

/* Where to cut text p[0..n), UTF-8 up to a truncation at n, so that it ends on a character
 * boundary: n, or the start of the sequence the truncation split. A fixed-size buffer that
 * keeps the head of a longer text (a JSON path, an error's reason) must never end in half
 * a character, which no JSON encoder or decoder would accept. */
size_t hg_utf8_cut(const char *p, size_t n);

#endif
