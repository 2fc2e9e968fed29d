/* resource_store.h - the resources store schema and record access.
 *
 * Table "resources": primary key "<project_id>\0<resource_id>", grouped by project (listing
 * order = creation order, exact totals), one index "due" holding the big-endian due time of
 * records in a transitional status so the reconciler finds the next work in O(log n).
 * Threads: any, within the transaction's thread. */
#ifndef HANGAR_RESOURCE_STORE_H
#define HANGAR_RESOURCE_STORE_H

#include "arena.h"
#include "resources.h"
#include "store.h"

enum { RES_TABLE = 0 };
enum { RES_INDEX_DUE = 0 };

extern const store_schema_t resource_schema;

/* The primary key of (project, id), in the arena. */
store_val_t resource_key(hg_arena_t *a, const char *project_id, const char *resource_id);

/* Loads a record. 0, STORE_NOTFOUND, or another store error. Result in the arena. */
int resource_load(store_txn_t *txn, hg_arena_t *a, store_val_t key, resource_record_t **out);
/* Unpacks a stored value. 0 or a store error. */
int resource_decode(store_val_t val, hg_arena_t *a, resource_record_t **out);
/* Writes rec (new or replacing), keeping the group and due index in step. flags as
 * store_put. Assigns a fresh resource_version. */
int resource_save(store_txn_t *txn, hg_arena_t *a, resource_record_t *rec, unsigned flags);
int resource_delete(store_txn_t *txn, hg_arena_t *a, const resource_t *r);

/* Whether a status is one the reconciler still has to act on. */
int resource_status_pending(const char *status);

#endif
