/* json_yaml.h - YAML in and out of the one JSON path: a YAML request body becomes JSON text
 * before the transcoder sees it, and a JSON answer becomes YAML after it was encoded, so a
 * YAML client goes through exactly the same decoding, rules and encoding as a JSON one.
 *
 * Reading follows the YAML 1.2 core schema: an unquoted 2 is an integer, 0.5 a real, true a
 * boolean, null / ~ / nothing is null, and a quoted "1.17" stays a string. One document only;
 * aliases, a key repeated within a mapping, and reals JSON cannot hold (.inf, .nan), are
 * refused. Writing is block style (`kind: Deployment`, nested maps indented, `- ` items),
 * strings quoted only where a plain scalar would read back as something else.
 * Owns nothing. Threads: any; reentrant. */
#ifndef HANGAR_JSON_YAML_H
#define HANGAR_JSON_YAML_H

#include <stddef.h>

#include "common/buf.h"
#include "json/transcode.h"

/* Appends YAML text p[0..n) as compact JSON text to out. 0, or TC_ESYNTAX (not YAML, an
 * alias, a second document, a key that is not a scalar, a key twice in one mapping, a NUL
 * character, an unrepresentable number), TC_EDEPTH (nested deeper than max_depth; 0 = 64)
 * or TC_ENOMEM, with err's reason and position (byte offset) filled; out then holds a
 * partial text the caller discards. */
int tc_yaml_to_json(const char *p, size_t n, int max_depth, hg_buf_t *out, tc_error_t *err);

/* Appends JSON text p[0..n) (any value) as a YAML document to out. 0, TC_ESYNTAX when p is
 * not JSON, or TC_ENOMEM. */
int tc_json_to_yaml(const char *p, size_t n, hg_buf_t *out);

#endif
