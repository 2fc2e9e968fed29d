/* store_internal.h - what the files of storage/ share: the store and txn layouts, the key
 * encodings of the internal databases, and the engine wrappers every write goes through.
 *
 * Not part of the contract (store.h). Tests may include it for the fault hook only.
 * Threads: as store.h; the fault hook is atomic. */
#ifndef HANGAR_STORE_INTERNAL_H
#define HANGAR_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/prom.h"
#include "storage/store.h"
#include "storage/store_engine.h"

/* LMDB's compiled-in key limit (MDB_MAXKEYSIZE), which every engine keeps to; the LMDB
 * engine checks the library agrees. */
#define STORE__KEY_MAX 511

/* The current meta format (store_key.c); store__upgrade brings older entries up to it. */
#define STORE__META_FORMAT 2

/* Largest meta value: format, group flag, seq, record version, group (u16 len, bytes),
 * index count, then per index a flag, a u16 length and the key. */
#define STORE__META_MAX                                                                            \
  (2 + 8 + 8 + 2 + STORE__KEY_MAX + 1 + STORE_MAX_INDEXES * (3 + STORE__KEY_MAX))

/* What the store keeps of a table's definition (copied: the schema need not outlive it). */
typedef struct store__table {
  int grouped;
  size_t n_indexes;
  int unique[STORE_MAX_INDEXES];
  unsigned dbi; /* engine database handles (store_engine.h) */
  unsigned idx[STORE_MAX_INDEXES];
  int watched;
  unsigned char tag[1 + 255]; /* u8 length + table name: prefixes every internal key */
  size_t tag_n;
} store__table_t;

typedef struct store__job store__job_t;

/* The watch thread's state (store_watch.c), under its own lock: the store's lock is held
 * across a batch's callbacks, and a watch must never wait for the writer. */
typedef struct store__hub {
  pthread_mutex_t mu;
  pthread_cond_t wake; /* a commit, a new watch, closing */
  pthread_cond_t idle; /* the watch being served changed (store_watch_stop waits on it) */
  store_watch_t *watches;
  store_watch_t *serving; /* the watch fn runs for now; NULL between them */
  uint64_t commits;       /* bumped by every commit: the thread compares with what it saw */
  int started, closing;
  pthread_t thread;
} store__hub_t;

struct store {
  const store__engine_t *eng;
  void *engine;      /* the engine's own state (store_lmdb.c, store_etcd.c) */
  unsigned meta;     /* tag, pkey -> what the record was stored with (store__meta_t) */
  unsigned glist;    /* tag, group, seq -> pkey: a group's records in insertion order */
  unsigned fenwick;  /* tag, group, node -> count of live seqs the node covers */
  unsigned counters; /* table counts, group state, the resourceVersion, the meta format,
                      * the change log's floor and length */
  unsigned changes;  /* version (u64 BE) -> kind, table, key, value: the change log */
  uint64_t changelog_max;
  store__hub_t hub;
  store__table_t tables[STORE_MAX_TABLES];
  size_t n_tables;
  int batch_max;
  int queue_max;
  size_t soft_limit; /* bytes in use beyond which the store is full (store_space.c) */
  atomic_int full;   /* store_full(): written by the writer thread only */

  pthread_mutex_t mu; /* guards the queue, closing and every store_write waiter */
  pthread_cond_t queued;
  store__job_t *head, *tail;
  int queued_n;
  int closing;
  int writer_started;
  pthread_t writer;

  prom_histogram_t commit_us;    /* each batch's durable commit (store_metrics.c) */
  prom_histogram_t batch_writes; /* writes per batch */

  atomic_long fault_countdown; /* see store__fault_inject */
  int fault_err;
  atomic_int fault_always; /* see store__fault_always */
};

struct store_txn {
  store_t *s;
  void *e; /* the engine's txn */
  int rdonly;
  int err; /* sticky engine error: once set, the write must be rolled back */
};

/* ---- engine wrappers (store_env.c) --------------------------------------------------------- */

/* The write wrappers: they count toward the fault hook, map errors, and make engine errors
 * (STORE_FULL, STORE_EIO, STORE_ENOMEM) sticky on txn. Deleting a missing key is not an
 * error for store__del: cleanup of an entry that is already gone succeeds. */
int store__put(store_txn_t *t, unsigned db, store_val_t k, store_val_t v, unsigned flags);
int store__del(store_txn_t *t, unsigned db, store_val_t k, const store_val_t *dup);
int store__get(store_txn_t *t, unsigned db, store_val_t k, store_val_t *v);
/* An 8-byte big-endian number stored at k (counters, Fenwick nodes): an absent key reads 0,
 * a value of another size is STORE_EIO. */
int store__get_u64(store_txn_t *t, unsigned db, store_val_t k, uint64_t *out);
/* Counts toward the fault hook: 0, or the injected error. */
int store__fault(store_t *s);
/* Test hook: the nth engine write call from now (puts, deletes and batch commits, counted
 * from 1) fails with err (a STORE_* code) instead of running. nth <= 0 disables it. */
void store__fault_inject(store_t *s, long nth, int err);
/* Test hook: every engine write call fails with err from now on; err 0 ends it. */
void store__fault_always(store_t *s, int err);

/* ---- key encodings (store_key.c) ----------------------------------------------------------
 * Every internal key starts with the table tag (u8 length + name), so keys of different
 * tables never mix. Groups are a u16 big-endian length then the bytes; sequence numbers and
 * Fenwick nodes are u64 big-endian so that byte order is numeric order. Length prefixes make
 * every encoding unambiguous; a group's entries share one byte prefix, so they are
 * contiguous and a cursor walks them in seq order. */
typedef struct store__key {
  unsigned char b[STORE__KEY_MAX + 1];
  size_t n;
  int overflow; /* the encoding exceeded STORE__KEY_MAX: the caller reports STORE_EINVAL */
} store__key_t;

/* Starts a key with the table tag; store__key_counter starts a counters-db key with a kind
 * byte ('T' table count, 'G' group state) then the tag; store__key_global makes a
 * store-wide counters-db key of the kind byte alone ('V' the resourceVersion, 'F' the meta
 * format), which no tagged key can equal. */
void store__key_init(store__key_t *k, const store__table_t *tb);
void store__key_counter(store__key_t *k, char kind, const store__table_t *tb);
void store__key_global(store__key_t *k, char kind);
void store__key_bytes(store__key_t *k, const void *p, size_t n);
void store__key_group(store__key_t *k, store_val_t group);
void store__key_u64(store__key_t *k, uint64_t v);
store_val_t store__key_val(const store__key_t *k);
void store__be64_put(unsigned char *p, uint64_t v);
uint64_t store__be64_get(const unsigned char *p);
int store__has_prefix(store_val_t k, const void *prefix, size_t n);

/* ---- per-record meta (store_key.c) ------------------------------------------------------- */
typedef struct store__meta {
  int has_group;
  uint64_t seq;
  uint64_t version; /* the record's version; 0 only in format 1, before store__upgrade */
  store_val_t group;
  store_val_t idx[STORE_MAX_INDEXES]; /* p == NULL: no entry */
} store__meta_t;

/* Encodes m into buf (STORE__META_MAX bytes) in STORE__META_FORMAT; returns the length. */
size_t store__meta_encode(const store__meta_t *m, unsigned char *buf);
/* Decodes v (any format up to the current one), whose bytes must stay valid while m is
 * used. 0 or STORE_EIO (corrupt). */
int store__meta_decode(store_val_t v, store__meta_t *m);

/* ---- format upgrades (store_upgrade.c) --------------------------------------------------- */

/* Runs inside store_open's first write transaction, after the databases are open: rewrites
 * what an older format left, once. */
int store__upgrade(store_txn_t *t);

/* ---- groups (store_group.c) -------------------------------------------------------------- */

/* Appends pkey to the end of group; *seq is its position for store__group_remove. */
int store__group_add(store_txn_t *t, const store__table_t *tb, store_val_t group, store_val_t pkey,
                     uint64_t *seq);
int store__group_remove(store_txn_t *t, const store__table_t *tb, store_val_t group, uint64_t seq);

/* ---- space (store_space.c) ----------------------------------------------------------------- */

/* The soft limit for a map of map_size bytes: map_size minus the deletes' reserve. The
 * rest of space accounting is the engine's (store_engine.h: space_over, space_used,
 * tree_pages; LMDB's in store_space.c). */
size_t store__soft_limit(size_t map_size);

/* ---- metrics (store_metrics.c) ------------------------------------------------------------ */

/* Gives the histograms their layouts (store_open, before the writer starts). */
void store__metrics_init(store_t *s);

/* ---- writer (store_writer.c) ------------------------------------------------------------- */

int store__writer_start(store_t *s);
/* Refuses new writes, lets the writer drain the queue, and joins it. */
void store__writer_stop(store_t *s);

/* ---- change log (store_changes.c) ------------------------------------------------------- */

/* Logs a change of table (an index into s->tables) in t, then drops the oldest entries past
 * changelog_max, raising the floor, and deletes at most a few dropped entries (store.h,
 * store_log_stats). val for DELETED is the value being deleted (read before
 * the delete, which must follow in the same txn). */
int store__log_change(store_txn_t *t, int table, store_change_kind_t kind, uint64_t version,
                      store_val_t key, store_val_t val);
/* store_open's first txn: an empty log starts its floor at the current version (writes
 * from before the log existed are not in it); a log longer than changelog_max raises its
 * floor to it. */
int store__log_init(store_txn_t *t);
/* The log's floor: "after N" is answerable for N >= floor. */
int store__log_floor(store_txn_t *t, uint64_t *out);

/* ---- watch thread (store_watch.c) ---------------------------------------------------------- */

void store__hub_init(store_t *s);
/* Writer thread, after a batch committed: wakes the watch thread. */
void store__hub_notify(store_t *s);
/* store_close: stops the watch thread (every watch must have been stopped). */
void store__hub_close(store_t *s);

/* ---- shared checks (store.c) ------------------------------------------------------------- */

/* The table, or NULL when the handle is out of range. */
const store__table_t *store__table(store_txn_t *t, int table);
/* An 8-byte counter of the counters db; an absent one reads 0. */
int store__counter_get(store_txn_t *t, const store__key_t *key, uint64_t *out);
int store__counter_set(store_txn_t *t, const store__key_t *key, uint64_t n);
/* Walks db from the first key >= start (start empty: the first key) while keys begin with
 * prefix, calling fn for at most limit entries (0: no limit). With tdb set, an entry's data
 * is a primary key and fn gets that record from table tdb; otherwise fn gets the entry. */
int store__walk(store_txn_t *t, unsigned db, store_val_t start, store_val_t prefix,
                const unsigned *tdb, size_t limit, store_iter_fn fn, void *arg);

#endif
