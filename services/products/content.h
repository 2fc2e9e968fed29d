/* content.h - the bodies products carry: document markdown and specification text.
 *
 * Document `content` "can be markdown string content or base64 encoded string": text that
 * is strict base64 (common/base64.h) and decodes to UTF-8 text (no NUL, no control
 * characters but tab, CR and LF) is decoded; anything else is the markdown itself. The
 * markdown is bounded (PR_DOC_CONTENT_MAX bytes, max_length) and must parse into an AST
 * within markdown_ast.h's bounds (else rule "invalid").
 * Specification `content` is base64 on write (the rule table checks min_length and
 * is_base64); its decoding must be UTF-8 text that parses as JSON (jansson) or YAML
 * (libyaml), else rule "invalid". It is stored and answered as that text.
 * Violations name field "content". Results live in the arena. Threads: any. */
#ifndef HANGAR_PRODUCTS_CONTENT_H
#define HANGAR_PRODUCTS_CONTENT_H

#include <stddef.h>

#include "common/arena.h"
#include "google/protobuf/struct.pb-c.h"
#include "common/status.h"

#define PR_DOC_CONTENT_MAX (512 * 1024)

typedef struct pr_doc_content {
  const char *text;               /* the markdown */
  Google__Protobuf__Struct **ast; /* its top-level nodes */
  size_t n_ast;
} pr_doc_content_t;

/* A request's document content: decoded if base64, checked and parsed. Returns the number of
 * violations appended to st (then *out is unchanged), or -1 on allocation failure. */
int pr_doc_content_read(const char *given, hg_arena_t *a, hg_status_t *st, pr_doc_content_t *out);
/* The AST of stored markdown. 0 or -1. */
int pr_doc_content_parse(const char *text, hg_arena_t *a, pr_doc_content_t *out);

/* A request's specification content (already known to be base64): its text into *text.
 * Returns the number of violations appended, or -1 on allocation failure. */
int pr_spec_content_read(const char *base64, hg_arena_t *a, hg_status_t *st, const char **text);

/* Is p[0..n) UTF-8 text: valid UTF-8 (RFC 3629), no NUL, no C0 control character but tab,
 * CR and LF? */
int pr_is_text(const char *p, size_t n);

#endif
