/* auth_store.h - auth-svc's schema and typed access to its two tables.
 *
 * tokens:        key id; grouped by subject; unique index "hash" (SHA-256 of the secret);
 *                unique index "order" (big-endian store version at insert) for listing
 *                every token in creation order.
 * role_bindings: key id; grouped by subject; unique index "order" as above.
 * Grouping by subject gives a subject's records in creation order in O(page) and is what
 * Verify reads to merge a subject's role bindings.
 *
 * Put functions run on the writer thread inside the caller's write transaction; every other
 * function takes a read (or write) transaction. Records returned live in the given arena.
 * All return 0 or a STORE_* code. Threads: as storage/store.h. */
#ifndef HANGAR_AUTH_STORE_H
#define HANGAR_AUTH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "hangar/auth/v1/store.pb-c.h"
#include "storage/store.h"

enum { AUTH_T_TOKENS = 0, AUTH_T_ROLE_BINDINGS = 1 };
enum { AUTH_TOKENS_BY_HASH = 0, AUTH_TOKENS_BY_ORDER = 1 };
enum { AUTH_BINDINGS_BY_ORDER = 0 };

extern const store_schema_t auth_store_schema;

/* Insert (never overwrite) rec; STORE_EXISTS if its id or hash is taken. */
int auth_store_put_token(store_txn_t *txn, const Hangar__Auth__V1__TokenRecord *rec);
int auth_store_put_binding(store_txn_t *txn, const Hangar__Auth__V1__RoleBindingRecord *rec);
/* Delete the record with this id from table; STORE_NOTFOUND if there is none. */
int auth_store_delete(store_txn_t *txn, int table, const char *id);

/* The token whose secret hashes to hash (AUTH_HASH_LEN bytes). STORE_NOTFOUND if none. */
int auth_store_token_by_hash(store_txn_t *txn, const uint8_t *hash, hg_arena_t *a,
                             Hangar__Auth__V1__TokenRecord **out);

/* Every token (subject NULL or "") or a subject's tokens, in creation order. */
int auth_store_list_tokens(store_txn_t *txn, const char *subject, hg_arena_t *a,
                           Hangar__Auth__V1__TokenRecord ***out, size_t *n);
/* Every role binding (subject NULL or "") or a subject's, in creation order. */
int auth_store_list_bindings(store_txn_t *txn, const char *subject, hg_arena_t *a,
                             Hangar__Auth__V1__RoleBindingRecord ***out, size_t *n);

#endif
