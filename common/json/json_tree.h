/* json_tree.h - free-form JSON held as jansson trees: the canonical text of a tree, and
 * RFC 7386 merge patch.
 *
 * For services that keep schemaless documents (a Ververica object's spec, metadata and
 * status) and must answer them exactly as sent: the text written is hangar.json.v1.RawObject's
 * canonical form (transcode.h), so a document read back is byte-for-byte what the transcoder
 * made of the client's body. Trees are jansson's own (json_t, reference counted).
 * Threads: any; reentrant. */
#ifndef HANGAR_JSON_TREE_H
#define HANGAR_JSON_TREE_H

#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"

/* Appends the canonical text of j (any JSON value) to out. 0 or TC_ENOMEM. */
int tc_tree_write(hg_buf_t *out, json_t *j);

/* Parses p[0..n) as one JSON value, refusing duplicate keys. New reference (json_decref),
 * or NULL when the text does not parse. */
json_t *tc_tree_parse(const char *p, size_t n);

/* RFC 7386: the result of applying patch to target (either may be NULL: absent). A patch
 * that is not an object replaces the target; in an object patch, null removes a key, an
 * object merges recursively, anything else (arrays included) replaces. Neither argument
 * is changed. New reference, or NULL when out of memory. */
json_t *tc_merge_patch(json_t *target, json_t *patch);

#endif
