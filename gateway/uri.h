/* uri.h - the request-target rules of the gateway: percent-decoding of path segments and
 * query parameters, query iteration, and the "a[b]" -> "a.b" query name rule.
 *
 * The router splits the raw path on '/' first and decodes each segment afterwards, so an
 * encoded slash ("%2F") can never create a segment; it is an error in the segment instead.
 * Owns: nothing; pure functions. Threads: any. */
#ifndef HANGAR_GW_URI_H
#define HANGAR_GW_URI_H

#include <stddef.h>

#include "common/buf.h"
#include "common/errlist.h"

#define GW_URI_ERRORS(XX)                                                                          \
  XX(GW_URI_EESCAPE, -1, "invalid percent-escape")                                                 \
  XX(GW_URI_ESLASH, -2, "must not contain '/'")                                                    \
  XX(GW_URI_ENUL, -3, "must not contain NUL")                                                      \
  XX(GW_URI_EUTF8, -4, "must be valid UTF-8")                                                      \
  XX(GW_URI_EDOT, -5, "must not be '.' or '..'")                                                   \
  XX(GW_URI_ENAME, -6, "is not a field path")

typedef enum { GW_URI_OK = 0, GW_URI_ERRORS(HG_ERR_ENUM) } gw_uri_err_t;

/* A sentence fragment for the error, e.g. "must not contain '/'"; "" for GW_URI_OK. */
const char *gw_uri_strerror(int err);

typedef enum {
  GW_DECODE_PATH = 0,  /* '+' is literal; '/' after decoding, "." and ".." are errors */
  GW_DECODE_QUERY = 1, /* '+' is a space (form encoding); '/' is allowed */
} gw_decode_mode_t;

/* Percent-decodes p[0..n) into out, which must have room for n + 1 bytes; out is
 * NUL-terminated and *outn receives the decoded length. Decoded bytes must be valid UTF-8
 * without NUL. Returns GW_URI_OK or a gw_uri_err_t (out's content is then unspecified). */
int gw_uri_decode(const char *p, size_t n, gw_decode_mode_t mode, char *out, size_t *outn);

/* Takes the next "name=value" pair off the raw query *rest (advancing it). Empty pairs
 * ("a&&b") are skipped; a pair without '=' has an empty value. 1 when a pair was produced,
 * 0 at the end. name and value stay raw (still percent-encoded). */
int gw_query_next(hg_str_t *rest, hg_str_t *name, hg_str_t *value);

/* Maps a decoded query name to a field path: "page[size]" -> "page.size",
 * "filter[name][eq]" -> "filter.name.eq", "limit" -> "limit". out gets a NUL-terminated
 * path (cap bytes). 0, or GW_URI_ENAME for malformed brackets ("a[", "a[]", "a]b", "[a]")
 * or an output that does not fit. */
int gw_query_field_path(const char *name, size_t n, char *out, size_t cap);

#endif
