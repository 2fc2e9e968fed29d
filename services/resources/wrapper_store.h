/* wrapper_store.h - the wrapper API's tables in resources-svc's store, and record access.
 *
 * Handles are offsets from `base`, the handle of the first wrapper table in the service's
 * combined schema (schema.h), so these tables sit in the same LMDB environment as the
 * KtrlPlane ones without either schema knowing the other.
 *  - WR_T_WRAPPERS "wrappers": key = wrapper id; one group, "all", in creation order, so a
 *    page of GET /wrappers costs O(log n + limit).
 *  - WR_T_RESOURCES "wrapper_resources": key = resource id; grouped by wrapper id (a
 *    wrapper's page, and the exact resource count that DELETE /wrappers checks); unique
 *    index "name" = wrapper id + SHA-256(name): a name is unique within its wrapper.
 *  - WR_T_ORDER "wrapper_resources_order": key = resource id, value = its wrapper id; one
 *    group, "all": every resource in creation order (GET /resources without wrapper_id).
 *    Written and deleted in the same transaction as the resource.
 * Loaded records live in the caller's arena. Threads: any, within the transaction's thread. */
#ifndef HANGAR_WRAPPER_STORE_H
#define HANGAR_WRAPPER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "hangar/resources/v1/wrappers.pb-c.h"
#include "hangar/resources/v1/wrappers_store.pb-c.h"
#include "storage/store.h"

typedef Hangar__Resources__V1__Wrapper wrapper_t;
typedef Hangar__Resources__V1__WrapperResource wres_t;

enum { WR_T_WRAPPERS = 0, WR_T_RESOURCES, WR_T_ORDER, WR_N_TABLES };
enum { WR_I_NAME = 0 };

extern const store_schema_t wrapper_schema;

/* The object id names in table (WR_T_WRAPPERS: a wrapper_t; WR_T_RESOURCES: a wres_t)
 * into *out, out being the address of a pointer of that type. 0, STORE_NOTFOUND,
 * STORE_EINVAL for another table, or another store error. */
int wr_record_load(store_txn_t *txn, int base, int table, hg_arena_t *a, const char *id, void *out);
/* wr_record_load of a wrapper. */
int wrapper_load(store_txn_t *txn, int base, hg_arena_t *a, const char *id, wrapper_t **out);
/* A new wrapper (STORE_EXISTS if the id is taken). */
int wrapper_insert(store_txn_t *txn, int base, const wrapper_t *w);
int wrapper_delete(store_txn_t *txn, int base, const char *id);
/* How many resources the wrapper holds (exact). */
int wrapper_resource_count(store_txn_t *txn, int base, const char *id, uint64_t *out);
/* Up to limit wrappers from position skip, in creation order, into items (room for limit).
 * *n gets the count. */
int wrapper_page(store_txn_t *txn, int base, hg_arena_t *a, uint64_t skip, size_t limit,
                 wrapper_t **items, size_t *n);

/* wr_record_load of a wrapper resource. */
int wres_load(store_txn_t *txn, int base, hg_arena_t *a, const char *id, wres_t **out);
/* Writes r, new (STORE_PUT_NOOVERWRITE) or replacing; STORE_EXISTS when the id is taken
 * or another resource of the wrapper has its name. */
int wres_save(store_txn_t *txn, int base, hg_arena_t *a, const wres_t *r, unsigned flags);
int wres_delete(store_txn_t *txn, int base, const char *id);
/* As wrapper_page: one wrapper's resources, or every resource when wrapper_id is NULL. */
int wres_page(store_txn_t *txn, int base, hg_arena_t *a, const char *wrapper_id, uint64_t skip,
              size_t limit, wres_t **items, size_t *n);

#endif
