/* resource_store.h - the resources store schema and record access.
 *
 * Table "resources": primary key "<project_id>\0<resource_id>", grouped by project (listing
 * order = creation order, exact totals), one index "due" holding the big-endian due time of
 * records in a transitional status so the reconciler finds the next work in O(log n).
 * Threads: any, within the transaction's thread. */
#ifndef HANGAR_RESOURCE_STORE_H
#define HANGAR_RESOURCE_STORE_H

#include "common/arena.h"
#include "resources/resources.h"
#include "storage/record.h"
#include "storage/store.h"

enum { RES_TABLE = 0 };
enum { RES_INDEX_DUE = 0 };

extern const store_schema_t resource_schema;

/* The primary key of (project, id), in the arena. */
store_val_t resource_key(hg_arena_t *a, const char *project_id, const char *resource_id);

/* Versions: the store assigns every put a fresh version and keeps it (store_get_version);
 * that is the resource's resourceVersion. rec->resource_version carries it in memory:
 * resource_load and resource_save fill it in, and it is never packed, so the store stays
 * the one source of truth. (Records written before the store kept versions still carry a
 * stale number in that field; resource_load overrides it.) */

/* Loads a record with its version. 0, STORE_NOTFOUND, or another store error. Result in the
 * arena. */
int resource_load(store_txn_t *txn, hg_arena_t *a, store_val_t key, resource_record_t **out);
/* Unpacks a stored value. 0 or a store error. Leaves resource_version as packed (see
 * above): a scan that needs the version asks store_get_version. A record from before
 * settings_json was a hangar.json.v1.RawObject gets its old Struct converted. */
int resource_decode(store_val_t val, hg_arena_t *a, resource_record_t **out);
/* The same decoding as a record type (record.h), for scans that collect resources: its
 * payload is the record's resource. */
extern const record_type_t resource_record_type;
/* Writes rec (new or replacing), keeping the group and due index in step. flags as
 * store_put. On success rec->resource_version is the fresh version the store assigned. */
int resource_save(store_txn_t *txn, hg_arena_t *a, resource_record_t *rec, unsigned flags);
/* resource_save on condition that the record is still at expect_version (0: none), as
 * store_put_if: STORE_CONFLICT when it changed since, STORE_NOTFOUND when it is gone. */
int resource_save_if(store_txn_t *txn, hg_arena_t *a, resource_record_t *rec, unsigned flags,
                     uint64_t expect_version);
/* Deletes r's record, on condition as store_del_if (expect_version 0: unconditional). */
int resource_delete_if(store_txn_t *txn, hg_arena_t *a, const resource_t *r,
                       uint64_t expect_version);

/* Whether a status is one the reconciler still has to act on. */
int resource_status_pending(const char *status);

#endif
