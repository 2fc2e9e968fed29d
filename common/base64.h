/* base64.h - strict RFC 4648 base64 (standard alphabet, '=' padding, no whitespace), the
 * form Konnect's is_base64 rule accepts.
 *
 * Distinct from the transcoder's lenient decoding of protobuf `bytes` fields (URL-safe
 * alphabet and missing padding accepted there, as proto3 JSON requires).
 * Threads: any; reentrant. */
#ifndef HANGAR_BASE64_H
#define HANGAR_BASE64_H

#include <stddef.h>

#include "common/arena.h"

/* Is s[0..n) strict base64? "" is (it encodes nothing). */
int hg_base64_valid(const char *s, size_t n);

/* Decodes strict base64 s[0..n) into a NUL-terminated arena copy (*out, *out_n bytes, which
 * may include NULs). 0, -1 when s is not strict base64, -2 on allocation failure; on
 * failure *out and *out_n are unchanged. */
int hg_base64_decode(const char *s, size_t n, hg_arena_t *a, char **out, size_t *out_n);

#endif
