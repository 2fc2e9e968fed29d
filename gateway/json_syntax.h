/* json_syntax.h - where a JSON text stops parsing, in the words of Python's json module.
 *
 * FastAPI answers a body that does not parse with Python's JSONDecodeError: a complaint
 * ("Expecting value", "Expecting ',' delimiter" ...), a character offset, a line and a
 * column. This module replays the C scanner of CPython's json module (3.x up to 3.12) over
 * the raw bytes so a dialect can say exactly that; the transcoder's own parser (jansson)
 * decides whether a body is JSON, this one only says where and why, Python's way.
 * Owns nothing; pure. Threads: any. */
#ifndef HANGAR_GW_JSON_SYNTAX_H
#define HANGAR_GW_JSON_SYNTAX_H

#include <stddef.h>

typedef struct gw_json_error {
  const char *msg; /* static text, e.g. "Expecting value" */
  long pos;        /* offset in characters (code points), from 0 */
  long line, col;  /* from 1, as Python counts them */
} gw_json_error_t;

/* p[0..n) is valid UTF-8. Returns 1 with *out filled when Python's json.loads would refuse
 * it, 0 when Python would read it (NaN, Infinity, duplicate keys, lone surrogates and big
 * numbers are Python JSON) or when it nests deeper than Python's recursion allows us to
 * follow (out unchanged). */
int gw_json_syntax(const char *p, size_t n, gw_json_error_t *out);

#endif
