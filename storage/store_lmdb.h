/* store_lmdb.h - what the LMDB engine's files (store_lmdb.c, store_space.c) share: its state
 * and its error mapping. Not for use outside those files. */
#ifndef HANGAR_STORE_LMDB_H
#define HANGAR_STORE_LMDB_H

#include <lmdb.h>

#include "storage/store_internal.h"

#define STORE__LMDB_MAX_DBS (5 + STORE_MAX_TABLES * (1 + STORE_MAX_INDEXES))

typedef struct store__lmdb {
  MDB_env *env;
  MDB_dbi dbi[STORE__LMDB_MAX_DBS]; /* by engine handle, in the order db_open made them */
  size_t n_dbi;
} store__lmdb_t;

/* Maps an LMDB or errno code to a STORE_* code (0 stays 0). */
int store__lmdb_err(int mdb_rc);

/* Space (store_space.c). */
int store__lmdb_space_over(store_t *s);
int store__lmdb_space_used(store_t *s, size_t *used, size_t *map);
size_t store__lmdb_tree_pages(store_txn_t *t);

#endif
