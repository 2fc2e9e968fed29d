/* store_engine.h - the key-value engine seam under storage/: what store.c, store_group.c,
 * store_changes.c, store_upgrade.c and store_writer.c need of an engine, and nothing more.
 *
 * An engine keeps named ordered maps of byte keys to byte values ("databases": "t/<table>",
 * "i/<table>/<index>", "_meta", "_glist", "_fenwick", "_counters", "_changes"), each opened
 * once by store_open into a small integer handle. A database opened `dupsort` holds several
 * values per key, ordered by value, as LMDB's MDB_DUPSORT does (non-unique indexes: the
 * values are primary keys); a cursor visits its (key, value) pairs in (key, value) order.
 *
 * Transactions: a read txn sees one snapshot; a write txn (only the writer thread, and
 * store_open) sees its own writes; a nested txn inside a write txn commits into its parent or
 * is discarded alone. Commit is durable and atomic, or fails with nothing written; an engine
 * shared by several processes (etcd) may also fail a commit with STORE__RETRY: another
 * process committed since the txn's snapshot, nothing was written, run the writes again.
 *
 * Values and keys returned by get and cursors stay valid until the txn ends (never copied by
 * the caller). Engines: store_lmdb.c, store_etcd.c. Every call returns 0 or a STORE_* code
 * (STORE_NOTFOUND: no such key / the cursor ran off its end).
 * Threads: a txn and its cursors are used by one thread at a time. */
#ifndef HANGAR_STORE_ENGINE_H
#define HANGAR_STORE_ENGINE_H

#include <stddef.h>

#include "storage/store.h"

/* A commit that lost to another process's: nothing written, the batch may run again. Never
 * leaves storage/ (the writer turns it into a re-run or STORE_CONTENDED). */
#define STORE__RETRY (-30100)

/* put flags */
enum { STORE__NOOVERWRITE = 1 };

typedef enum {
  STORE__FIRST,
  STORE__LAST,
  STORE__NEXT,
  STORE__PREV,
  STORE__SET_RANGE, /* the first entry whose key is >= *k (dupsort: its first value) */
} store__cursor_op_t;

typedef struct store__cursor store__cursor_t;

typedef struct store__engine {
  const char *name; /* "lmdb", "etcd" */
  /* Opens or creates the database name inside t (store_open's first write txn). */
  int (*db_open)(store_txn_t *t, const char *name, int dupsort, unsigned *db);
  /* t->s set; fills t->e. rdonly: a read txn. */
  int (*txn_begin)(store_txn_t *t, int rdonly);
  int (*txn_commit)(store_txn_t *t); /* ends t (even when it fails) */
  void (*txn_abort)(store_txn_t *t);
  /* child inside the write txn parent: fills child->e; LIFO. */
  int (*nested_begin)(store_txn_t *parent, store_txn_t *child);
  int (*nested_commit)(store_txn_t *child);
  void (*nested_abort)(store_txn_t *child);
  int (*get)(store_txn_t *t, unsigned db, store_val_t k, store_val_t *v);
  int (*put)(store_txn_t *t, unsigned db, store_val_t k, store_val_t v, unsigned flags);
  /* dup: the value to delete from a dupsort database (NULL: the key and all its values).
   * STORE_NOTFOUND when there was nothing to delete. */
  int (*del)(store_txn_t *t, unsigned db, store_val_t k, const store_val_t *dup);
  int (*cursor_open)(store_txn_t *t, unsigned db, store__cursor_t **c);
  /* Moves c as op says; *k (in: for SET_RANGE) and *v are its entry. */
  int (*cursor_get)(store__cursor_t *c, store_val_t *k, store_val_t *v, store__cursor_op_t op);
  void (*cursor_close)(store__cursor_t *c);
  /* Entries in db as t sees it (exact on LMDB; on etcd, as of t's snapshot: call it only
   * before t writes to db). */
  int (*entries)(store_txn_t *t, unsigned db, size_t *n);
  /* Pages every tree of the store takes as t sees it (0 when the engine cannot tell). */
  size_t (*tree_pages)(store_txn_t *t);
  /* Writer thread, between txns: 1 when the store is past its soft limit. */
  int (*space_over)(store_t *s);
  /* Bytes in use and the largest size; STORE_EINVAL when the engine cannot tell (etcd). */
  int (*space_used)(store_t *s, size_t *used, size_t *map);
  /* 1 when the write txn t (a nested txn's parent, after the child's writes) holds more
   * than one commit may carry: the writer ends the batch before that write. */
  int (*txn_too_big)(store_txn_t *t);
  /* How often the watch thread re-reads the log without a local commit, ms (0: never: only
   * this process writes). */
  int poll_ms;
  void (*close)(store_t *s);
} store__engine_t;

extern const store__engine_t store__lmdb_engine;
extern const store__engine_t store__etcd_engine;

/* Engine-specific opening: fills s->engine and s->eng, sets s->soft_limit. */
int store__lmdb_open(store_t *s, const char *dir, const store_opts_t *o, unsigned n_dbs);
int store__etcd_open(store_t *s, const store_spec_t *sp, const store_opts_t *o);

#endif
