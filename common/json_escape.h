/* json_escape.h - the body of a JSON string (RFC 8259 section 7) from arbitrary bytes, for
 * text that is written as JSON without a JSON library (the JSON log lines).
 *
 * Any input yields valid JSON: '"' and '\' are escaped, control characters (and DEL) become
 * \b \f \n \r \t or \u00XX, and each byte that is not part of well-formed UTF-8 (RFC 3629:
 * no overlong forms, surrogates or code points above U+10FFFF) becomes \ufffd, so that a
 * parser never refuses the line and the bad byte still shows where it was.
 * Threads: any; pure. */
#ifndef HANGAR_JSON_ESCAPE_H
#define HANGAR_JSON_ESCAPE_H

#include <stddef.h>

/* Writes the escaped form of p[0..n) (no quotes, no NUL) into out[0..cap). Stops before a
 * character whose escape would not fit, so the output never ends inside an escape or a UTF-8
 * sequence. Returns the bytes written; *used (may be NULL) receives how much of p they
 * cover (n when everything fit). */
size_t hg_json_escape(const char *p, size_t n, char *out, size_t cap, size_t *used);

#endif
