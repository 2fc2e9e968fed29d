/* markdown_ast.h - a document's markdown parsed by CommonMark (libcmark) into the Konnect
 * spec's ChildNode shape, as google.protobuf.Struct nodes:
 *   heading {level, children}      blockquote {children}     paragraph {children}
 *   list {isOrdered, children}     list_item {children}      break (thematic break)
 *   code_block {lang?, children: [text]}   text_block {children: [text]} (raw HTML block)
 *   text {text, softBreak?, hardBreak?}    code {children: [text]}
 *   emphasis {level: 1 italic | 2 bold, children}   link {href, title?, children}
 *   image {url, alt, title?}
 * Every node has "type" first. A soft or hard line break sets softBreak/hardBreak on the
 * text node before it (an empty text node carries it when there is none). Raw inline HTML
 * is a text node. libcmark is plain CommonMark: tables, strikethrough and task checkboxes
 * (GitHub extensions) come out as the paragraphs and text they are in CommonMark.
 * Owns nothing; the nodes live in the arena. Threads: any; reentrant. */
#ifndef HANGAR_PRODUCTS_MARKDOWN_AST_H
#define HANGAR_PRODUCTS_MARKDOWN_AST_H

#include <stddef.h>

#include "common/arena.h"
#include "google/protobuf/struct.pb-c.h"

/* Bounds that keep a document's answer renderable: nesting (each level is five levels of
 * protobuf, so the answer stays within the RPC_MAX_DEPTH its reader accepts; see
 * markdown_ast.c) and node count (the answer must fit a gRPC message). */
#define PR_AST_MAX_DEPTH 36
#define PR_AST_MAX_NODES 50000

#define PR_AST_ENOMEM (-1)
#define PR_AST_TOO_COMPLEX (-2) /* deeper or larger than the bounds */

/* Parses text[0..n) into the top-level nodes *nodes[0..*n_nodes). 0 or PR_AST_*; on error
 * the outputs are unchanged. */
int pr_markdown_ast(const char *text, size_t n, hg_arena_t *a, Google__Protobuf__Struct ***nodes,
                    size_t *n_nodes);

#endif
