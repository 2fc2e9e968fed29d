/* read.h - how products-svc reads a collection to answer: where its records are grouped
 * (the org, a product or a version), the read transaction that checks that parent exists,
 * and the one Get answer. Each collection configures its reads as one pr_reads_t row; the
 * List answer (list.h) takes the same row.
 * Threads: any (rpc handlers). */
#ifndef HANGAR_PRODUCTS_READ_H
#define HANGAR_PRODUCTS_READ_H

#include "products/call.h"

/* What a collection's records are grouped under: the org, a product or a version. A
 * record's key is its group's key, NUL, its id. */
typedef enum pr_scope { PR_IN_ORG, PR_IN_PRODUCT, PR_IN_VERSION } pr_scope_t;

/* A read transaction in which the path's parent named by scope exists (no check for the
 * org, which admission chose), and the key of the group of records under it (arena).
 * Nonzero: answered (NOT_FOUND for a missing parent). */
int pr_begin_scope_read_or_fail(rpc_ctx_t *ctx, pr_scope_t scope, const pr_path_t *path,
                                store_txn_t **txn, store_val_t *group);

/* What an answer makes of a record's API message, while the read is still open (so it may
 * read more): 0 or a store error; *out in the arena, or msg itself. */
typedef int (*pr_view_fn)(store_txn_t *txn, hg_arena_t *a, ProtobufCMessage *msg,
                          ProtobufCMessage **out);

/* How a collection answers its reads. */
typedef struct pr_reads {
  pr_scope_t scope;
  int table;                                       /* its records' table (pr_record_types) */
  const ProtobufCMessageDescriptor *list_response; /* repeated `data`, and `meta` */
  pr_view_fn list_view;                            /* NULL: the API message as it is */
  pr_view_fn get_view;                             /* NULL: the API message as it is */
} pr_reads_t;

/* Answers a Get call: in one read transaction under path (pr_begin_scope_read_or_fail),
 * the record id of def's group through def->get_view. A missing record is NOT_FOUND;
 * store failures are answered by pr_store_answers. */
void pr_get_reply(rpc_ctx_t *ctx, const pr_reads_t *def, const pr_path_t *path, const char *id);

#endif
