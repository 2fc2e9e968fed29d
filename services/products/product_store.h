/* product_store.h - the products store: schema, keys and record access.
 *
 * Tables (keys are NUL-joined ids; every table is grouped, so a default-order page is
 * O(log n + size) and totals are maintained counters):
 *   products        key org\0product           group org
 *   documents       key product\0document      group product; unique index slug:
 *                                                product\0slug (one slug per product)
 *   versions        key product\0version       group product (its count = version_count)
 * Products and versions have an index on name, key group\0name\0 (the name cut at 400
 * bytes), the order of `sort=name` and the lookup of `filter[name][eq]`.
 *   specifications  key product\0version\0spec group product\0version
 * A product's org is part of its key, so another org's product is simply not found.
 * Records are the store.proto messages, framed by storage/record.h.
 * Loads answer 0, STORE_NOTFOUND or another store error; results live in the arena.
 * Threads: any, within the transaction's thread. */
#ifndef HANGAR_PRODUCT_STORE_H
#define HANGAR_PRODUCT_STORE_H

#include <stdint.h>

#include "common/arena.h"
#include "products/products.h"
#include "storage/store.h"

enum { PR_PRODUCTS = 0, PR_DOCUMENTS = 1, PR_VERSIONS = 2, PR_SPECS = 3 };
enum { PR_DOCUMENTS_BY_SLUG = 0 };
enum { PR_BY_NAME = 0 }; /* products and versions */

extern const store_schema_t products_schema;

/* What each table (PR_PRODUCTS ...) holds: its records' type, and where a record keeps
 * the API message it stores (product, document, version, spec). */
typedef struct pr_record_type {
  const ProtobufCMessageDescriptor *d;
  size_t inner; /* offset of the ProtobufCMessage * of the API message */
} pr_record_type_t;
extern const pr_record_type_t pr_record_types[];

/* The API message a record of table holds (borrowed; NULL when it has none). */
ProtobufCMessage *pr_record_inner(int table, const void *rec);

/* "a\0b" / "a\0b\0c" in the arena ({NULL, 0} on allocation failure). */
store_val_t pr_key2(hg_arena_t *a, const char *x, const char *y);
store_val_t pr_key3(hg_arena_t *a, const char *x, const char *y, const char *z);
/* A NUL-terminated string as a key, borrowed. */
store_val_t pr_str(const char *s);

/* The record id of group in table (key group\0id), as pr_record_types[table] and carrying
 * its API message (else STORE_EINVAL). A NULL group.p is STORE_ENOMEM. */
int pr_load_in(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group, const char *id,
               void **out);

/* Unpacks a stored value of type d. */
int pr_decode(const ProtobufCMessageDescriptor *d, store_val_t v, hg_arena_t *a, void **out);

int product_load(store_txn_t *txn, hg_arena_t *a, const char *org, const char *id,
                 product_record_t **out);
int product_save(store_txn_t *txn, const product_record_t *rec, hg_arena_t *a, unsigned flags);
/* The exact number of versions of a product. */
int product_version_count(store_txn_t *txn, const char *product_id, int64_t *out);
/* Deletes the product and everything under it (documents, versions, specifications). */
int product_delete_cascade(store_txn_t *txn, hg_arena_t *a, const product_record_t *rec);

int document_load(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id,
                  document_record_t **out);
/* STORE_EXISTS when another document of the product has the slug. */
int document_save(store_txn_t *txn, const document_record_t *rec, hg_arena_t *a, unsigned flags);
int document_delete(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id);

int version_load(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id,
                 version_record_t **out);
int version_save(store_txn_t *txn, const version_record_t *rec, hg_arena_t *a, unsigned flags);
/* Deletes the version and its specifications. */
int version_delete_cascade(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id);

int spec_load(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *version_id,
              const char *id, spec_record_t **out);
int spec_save(store_txn_t *txn, const spec_record_t *rec, hg_arena_t *a, unsigned flags);
int spec_delete(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *version_id,
                const char *id);
/* Number of specifications of a version (at most one). */
int spec_count(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *version_id,
               uint64_t *out);

/* Every record of a group, decoded as type d, in insertion order: *items (arena), *n. */
int pr_load_group(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                  const ProtobufCMessageDescriptor *d, void ***items, size_t *n);
/* The name index's key prefix: group\0, and with_name: group\0name\0 (NULL p on allocation
 * failure). A name over 400 bytes is cut, so an equal prefix is not yet an equal name. */
store_val_t pr_name_key(hg_arena_t *a, store_val_t group, const char *name, int with_name);
/* Records of table (products or versions) whose name key starts with prefix, walked as w
 * says (w->limit 0: all of them), decoded as type d. */
int pr_load_by_name(store_txn_t *txn, hg_arena_t *a, int table, store_val_t prefix,
                    const store_walk_t *w, const ProtobufCMessageDescriptor *d, void ***items,
                    size_t *n);
/* Gives every product and version saved before the name index existed its entry
 * (name_index.c); a no-op once each has one. At start, before serving. 0 or a store error. */
int pr_name_index_fill(store_t *s);
/* One page of a group: offset/limit as store_group_scan, decoded as type d. */
int pr_load_page(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group, uint64_t offset,
                 size_t limit, const ProtobufCMessageDescriptor *d, void ***items, size_t *n);

#endif
