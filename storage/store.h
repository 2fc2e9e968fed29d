/* store.h - the store: tables, secondary indexes, ordered groups, counters, on an engine.
 *
 * Owns: one engine per store_t (an LMDB environment in one directory, or a key prefix of an
 * etcd cluster: "engines and store specs" below; store_engine.h is the seam), its named
 * databases and one writer thread. Records are opaque bytes (see record.h for the versioned
 * protobuf framing). On etcd several processes may open one store at once: each write
 * batch is serialized against theirs (a batch that loses is run again; store_etcd.c), and
 * a watch sees their commits within 100 ms (its thread re-reads the log that often).
 *
 * Model:
 *  - A table maps a primary key to a value. Each table may declare up to STORE_MAX_INDEXES
 *    secondary indexes (optionally unique) and may use "groups": every record belongs to at
 *    most one group (e.g. its project), groups list their records in insertion order, their
 *    counts are maintained counters, and the n-th record of a group is found in O(log n)
 *    (a Fenwick tree over insertion sequence numbers), so an offset page costs
 *    O(log n + page size), never O(table size).
 *  - The caller gives the group and index keys on every put; the store remembers them, so a
 *    delete or overwrite removes the old entries in the same transaction. An index can never
 *    disagree with its table.
 *  - Writes go through one writer thread that runs a batch of queued write functions in one
 *    LMDB transaction (each in its own nested transaction, so one failing write is rolled
 *    back alone), commits durably (fsync), and only then reports each result: group commit.
 *  - Reads use read-only transactions from any thread (MDB_NOTLS).
 *  - Tables declared `watched` also log every put and delete, in the same transaction, to a
 *    store-wide change log keyed by version, kept to the last changelog_max entries; a
 *    watch (store_watch_start) follows that log from a version on, woken by each commit.
 *  - Every put gives its record a fresh version from one store-wide counter, so versions
 *    strictly increase (across tables and reopens) and change on every write. A put or
 *    delete may be made conditional on the version the caller read (optimistic
 *    concurrency): check and write happen in one transaction, so of two writers that read
 *    the same version exactly one succeeds.
 *
 * Values returned by store_get & co. are valid until the transaction ends.
 * Threads: store_submit / store_write / store_txn_begin_read from any thread; a txn is used
 * by one thread. Write functions run only on the writer thread. */
#ifndef HANGAR_STORE_H
#define HANGAR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/errlist.h"
#include "common/status.h"

/* name, value, text, the gRPC code a service answers with when it has nothing more specific,
 * and the google.rpc.ErrorInfo reason that answer carries (NULL: none), which lets the
 * gateway tell a full store (507) from a caller's own limit (429) under one code */
#define STORE_ERRORS(XX)                                                                           \
  XX(STORE_NOTFOUND, -30001, "not found", HG_NOT_FOUND, NULL)                                      \
  XX(STORE_EXISTS, -30002, "key or unique index entry already exists", HG_ALREADY_EXISTS, NULL)    \
  XX(STORE_CONFLICT, -30003, "stale version", HG_ABORTED, NULL)                                    \
  XX(STORE_FULL, -30004, "store full", HG_RESOURCE_EXHAUSTED, "STORE_FULL")                        \
  XX(STORE_EIO, -30005, "storage I/O error", HG_INTERNAL, NULL)                                    \
  XX(STORE_ENOMEM, -30006, "out of memory", HG_INTERNAL, NULL)                                     \
  XX(STORE_EINVAL, -30007, "invalid argument", HG_INTERNAL, NULL)                                  \
  XX(STORE_ECLOSED, -30008, "store closed", HG_UNAVAILABLE, NULL)                                  \
  XX(STORE_ERDONLY, -30009, "write in a read-only transaction", HG_INTERNAL, NULL)                 \
  XX(STORE_BUSY, -30010, "write queue full", HG_UNAVAILABLE, NULL)                                 \
  XX(STORE_EXPIRED, -30011, "deadline passed before the write ran", HG_DEADLINE_EXCEEDED, NULL)    \
  XX(STORE_COMPACTED, -30012, "version is older than the change log keeps", HG_OUT_OF_RANGE,       \
     "EXPIRED")                                                                                    \
  XX(STORE_CONTENDED, -30013, "other replicas kept committing first; the write did not run",       \
     HG_UNAVAILABLE, NULL)                                                                         \
  XX(STORE_UNAVAILABLE, -30014, "the store's servers cannot be reached; nothing was written",      \
     HG_UNAVAILABLE, NULL)                                                                         \
  XX(STORE_INDOUBT, -30015, "the store did not confirm the commit; it may have been applied",      \
     HG_UNAVAILABLE, NULL)

typedef enum { STORE_ERRORS(HG_ERR_ENUM) } store_errno_t;

const char *store_strerror(int err);
/* The gRPC status code for a store error (HG_INTERNAL for anything unknown). */
hg_code_t store_error_code(int err);
/* The ErrorInfo reason of a store error's answer ("STORE_FULL"), NULL for none (static). */
const char *store_error_reason(int err);
const char *store_err_name(int err);

#define STORE_MAX_INDEXES 4
#define STORE_MAX_TABLES 16

typedef struct store store_t;
typedef struct store_txn store_txn_t;

typedef struct store_val {
  const void *p;
  size_t n;
} store_val_t;

typedef enum { STORE_INDEX_UNIQUE = 1 } store_index_flags_t;

typedef struct store_index_def {
  const char *name;
  unsigned flags; /* store_index_flags_t */
} store_index_def_t;

typedef struct store_table_def {
  const char *name;
  int grouped; /* records carry a group key (ordered listing, counts, nth) */
  const store_index_def_t *indexes;
  size_t n_indexes;
  int watched; /* puts and deletes go to the change log (see "change log" below) */
} store_table_def_t;

typedef struct store_schema {
  const store_table_def_t *tables; /* table handle = index in this array */
  size_t n_tables;
} store_schema_t;

/* Space: the LMDB map is map_size bytes of a sparse file (the disk holds only what is
 * written). Once the pages in use pass map_size less a reserve (an eighth, at most 64 MiB),
 * or a write hit the map's end, the store is full (store_full) until deletes bring them back
 * under that line (measured before every batch). While full, a write runs in the reserve and
 * is kept only if it did not grow the store's trees (deletes, same-size updates), or grew
 * them by a few pages when it is flagged STORE_WRITE_RELEASES; any other is rolled back with
 * STORE_FULL. Reads are never affected. */
typedef struct store_opts {
  size_t map_size;     /* bytes; 0 = STORE_DEFAULT_MAP_SIZE */
  int batch_max;       /* max writes per group-commit transaction; 0 = 256 */
  int queue_max;       /* max queued writes; more are STORE_BUSY; 0 = STORE_DEFAULT_QUEUE_MAX */
  int no_group_commit; /* 1: one transaction per write (the benchmark's baseline) */
  /* change-log entries kept (the newest); older ones are dropped as new ones come, and a
   * watch from before the oldest kept is STORE_COMPACTED; 0 = STORE_DEFAULT_CHANGELOG_MAX */
  uint64_t changelog_max;
  /* etcd: most operations one etcd Txn may carry (etcd's --max-txn-ops, default 128); a
   * batch ends before a write that would pass it. 0 = STORE_DEFAULT_ETCD_MAX_TXN_OPS */
  int etcd_max_txn_ops;
  /* etcd: the largest request etcd takes (its --max-request-bytes, default 1.5 MiB); a batch
   * ends before a write that would make its Txn larger, and a write alone too large is
   * STORE_FULL. At least STORE_ETCD_MIN_REQUEST_BYTES. 0 = STORE_DEFAULT_ETCD_MAX_REQUEST_BYTES.
   * A store spec's ?max-txn-ops= and ?max-request-bytes= override both (store_open_spec). */
  size_t etcd_max_request_bytes;
} store_opts_t;

/* 64 GiB where the address space allows it (the file stays sparse), else 1 GiB. */
#define STORE_DEFAULT_MAP_SIZE (sizeof(size_t) >= 8 ? (size_t)64 << 30 : (size_t)1 << 30)
#define STORE_DEFAULT_QUEUE_MAX 4096
#define STORE_DEFAULT_CHANGELOG_MAX 100000
#define STORE_DEFAULT_ETCD_MAX_TXN_OPS 128
#define STORE_DEFAULT_ETCD_MAX_REQUEST_BYTES ((size_t)3 << 19) /* etcd's own default */
#define STORE_ETCD_MIN_REQUEST_BYTES ((size_t)64 << 10)

/* Opens (creating if needed) the store in directory dir. *out: free with store_close(). */
int store_open(const char *dir, const store_schema_t *schema, const store_opts_t *opts,
               store_t **out);

/* ---- engines and store specs --------------------------------------------------------------
 * A store spec names the engine and where its data lives:
 *   lmdb:DIR                                  the embedded LMDB engine in directory DIR
 *   etcd:HOST:PORT[,HOST:PORT...][/PREFIX][?PARAMS]
 *                                             etcd v3 members; every key under PREFIX/
 *                                             (default STORE_ETCD_DEFAULT_PREFIX)
 * The endpoints end at the first '/' or '?'; the prefix is the rest up to '?' (it may contain
 * '/'). PARAMS, '&'-separated, tell the store the budgets the etcd cluster was started with,
 * each a decimal number: max-txn-ops=N (its --max-txn-ops, at least 2) and
 * max-request-bytes=N (its --max-request-bytes, at least STORE_ETCD_MIN_REQUEST_BYTES). */
typedef enum { STORE_ENGINE_LMDB = 1, STORE_ENGINE_ETCD = 2 } store_engine_t;

#define STORE_ETCD_DEFAULT_PREFIX "hangar"
#define STORE_SPEC_MAX 4096

typedef struct store_spec {
  store_engine_t engine;
  char where[STORE_SPEC_MAX];    /* lmdb: the directory; etcd: the endpoints' comma list */
  char prefix[256];              /* etcd: the key prefix, without a trailing '/' */
  int etcd_max_txn_ops;          /* etcd: ?max-txn-ops=, 0 when not given */
  size_t etcd_max_request_bytes; /* etcd: ?max-request-bytes=, 0 when not given */
} store_spec_t;

/* Parses text into *out. 0, or STORE_EINVAL (unknown engine, empty directory, endpoints or
 * prefix, a part too long, or a parameter unknown, repeated, not a number or out of range). */
int store_spec_parse(const char *text, store_spec_t *out);
/* Opens the store a spec names (store_open for lmdb:), the spec's etcd budgets over opts'.
 * 0 and *out, or a store error. */
int store_open_spec(const char *spec, const store_schema_t *schema, const store_opts_t *opts,
                    store_t **out);
/* Drains queued writes (each is committed or reported), stops the writer, closes LMDB. */
void store_close(store_t *s);

/* Read transaction; end with store_txn_end(). */
int store_txn_begin_read(store_t *s, store_txn_t **out);
void store_txn_end(store_txn_t *txn);

int store_get(store_txn_t *txn, int table, store_val_t key, store_val_t *out);
/* Look a record up by a secondary index key. For unique indexes; for non-unique returns the
 * first match. *pkey and *out are the record's primary key and value. */
int store_get_by_index(store_txn_t *txn, int table, int index, store_val_t ikey, store_val_t *pkey,
                       store_val_t *out);

/* Keys supplied with a put. group.p == NULL: no group. index[i].p == NULL: no entry. */
typedef struct store_keys {
  store_val_t group;
  store_val_t index[STORE_MAX_INDEXES];
} store_keys_t;

typedef enum { STORE_PUT_NOOVERWRITE = 1 } store_put_flags_t;

/* Insert or replace. A replaced record keeps its group position if the group is unchanged.
 * STORE_EXISTS: the key exists under NOOVERWRITE, or a unique index entry belongs to another
 * record. Write transactions only.
 * STORE_EINVAL: empty key, key longer than 510 bytes minus the table name, index key empty
 * or over 511 bytes, group over 500 bytes minus the table name, a group on an ungrouped
 * table, or a key for an index the table does not declare.
 * A refused put or delete changes nothing. After an engine error (STORE_FULL, STORE_EIO,
 * STORE_ENOMEM) the whole write is rolled back, even if its write function returns 0. */
int store_put(store_txn_t *txn, int table, store_val_t key, store_val_t val,
              const store_keys_t *keys, unsigned flags);
int store_del(store_txn_t *txn, int table, store_val_t key);

/* The record's version: the one its last put assigned, including a put earlier in txn (so a
 * writer can return the version it just wrote). STORE_NOTFOUND: no such record. */
int store_get_version(store_txn_t *txn, int table, store_val_t key, uint64_t *out);
/* store_put and store_del with a precondition. expect_version 0: none (exactly store_put /
 * store_del). Otherwise the record must exist at exactly that version: STORE_CONFLICT when
 * it has another one (it was written since the caller read it), STORE_NOTFOUND when it
 * does not exist (a conditional put never creates). Either way nothing changes. */
int store_put_if(store_txn_t *txn, int table, store_val_t key, store_val_t val,
                 const store_keys_t *keys, unsigned flags, uint64_t expect_version);
int store_del_if(store_txn_t *txn, int table, store_val_t key, uint64_t expect_version);

/* Iteration callback: return 0 to continue, nonzero to stop (that value is returned). */
typedef int (*store_iter_fn)(void *arg, store_val_t key, store_val_t val);

/* Exact number of records in a group (0 for an unknown group). STORE_EINVAL on a table
 * that is not grouped. */
int store_group_count(store_txn_t *txn, int table, store_val_t group, uint64_t *out);
/* Records of a group in insertion order, skipping `offset`, at most `limit` (0 = no limit):
 * O(log n + limit). An offset past the end visits nothing and returns 0. */
int store_group_scan(store_txn_t *txn, int table, store_val_t group, uint64_t offset, size_t limit,
                     store_iter_fn fn, void *arg);
/* Records of a table in key order whose key starts with prefix; limit 0 = no limit. */
int store_scan(store_txn_t *txn, int table, store_val_t prefix, size_t limit, store_iter_fn fn,
               void *arg);
/* Records whose index key starts with prefix, in index-key order (records sharing a key of a
 * non-unique index: in primary-key order); limit 0 = no limit. fn gets each record's
 * primary key and value. */
int store_index_scan(store_txn_t *txn, int table, int index, store_val_t prefix, size_t limit,
                     store_iter_fn fn, void *arg);
/* How store_index_walk moves through the entries whose key starts with a prefix: skip
 * entries are stepped over without reading their records (O(skip) cursor steps), then at
 * most limit (0: no limit) are visited; reverse walks from the last entry back to the first
 * (records sharing a key of a non-unique index: in descending primary-key order). */
typedef struct store_walk {
  uint64_t skip;
  size_t limit;
  int reverse;
} store_walk_t;
/* store_index_scan with a store_walk_t: a page of a table in the index's order, either way. */
int store_index_walk(store_txn_t *txn, int table, int index, store_val_t prefix,
                     const store_walk_t *w, store_iter_fn fn, void *arg);
/* The number of entries of index whose key starts with prefix: O(entries), no record read. */
int store_index_count(store_txn_t *txn, int table, int index, store_val_t prefix, uint64_t *out);
/* Exact number of records in a table. */
int store_table_count(store_txn_t *txn, int table, uint64_t *out);

/* Takes the next value of the store-wide, monotonically increasing counter that record
 * versions come from, for numbers that must be ordered with them (sequence numbers,
 * positions). Write txns only. */
int store_next_version(store_txn_t *txn, uint64_t *out);

/* ---- change log and watch ------------------------------------------------------------------
 * Every put on a watched table logs {version, ADDED or MODIFIED, table, key, new value}, and
 * every delete takes a version of its own and logs {version, DELETED, table, key, the value
 * it deleted}, in the write's own transaction: a committed write is always in the log, a
 * rolled-back one never. Versions are store-wide, so "the changes after version N" is one
 * ordered range, and a client that read a snapshot at version N (store_current_version)
 * misses nothing and sees nothing twice by following the log from N. Retention is a count
 * (store_opts_t.changelog_max); the newest dropped version is the log's floor, and "after
 * N" with N below the floor is STORE_COMPACTED (Kubernetes' 410 Gone). A lowered retention
 * holds from the next open on (store_log_stats says how). A store opened with
 * an empty log starts its floor at its current version. Both engines keep the log the same
 * way (on etcd it is keys like any other), so versions are the store's, not etcd's
 * revisions, and resourceVersions mean the same on either engine. */

typedef enum {
  STORE_CHANGE_ADDED = 1,
  STORE_CHANGE_MODIFIED = 2,
  STORE_CHANGE_DELETED = 3,
} store_change_kind_t;

typedef struct store_change {
  uint64_t version;
  int table;
  store_change_kind_t kind;
  store_val_t key;
  store_val_t val; /* the new value; for DELETED, the value as it was before the delete */
} store_change_t;

/* The version of the latest write txn sees (the store-wide counter). */
int store_current_version(store_txn_t *txn, uint64_t *out);
/* Each logged change with a version above after, in version order, at most limit (0: no
 * limit); fn's nonzero return stops the walk and is returned. c and its bytes are valid
 * until txn ends. STORE_COMPACTED when changes after `after` have been dropped. */
typedef int (*store_change_fn)(void *arg, const store_change_t *c);
int store_changes(store_txn_t *txn, uint64_t after, size_t limit, store_change_fn fn, void *arg);

/* The change log as txn sees it. A retention (changelog_max) lowered far drops the entries
 * past it at once, by raising the floor, and deletes them a few per write (32), so that no
 * write's commit outgrows an engine's budget: `dropped` of the `stored` entries are below
 * the floor and never served, waiting for their turn. */
typedef struct store_log_stats {
  uint64_t floor;   /* changes after it are answerable (store_changes) */
  uint64_t stored;  /* entries the engine holds, dropped ones included */
  uint64_t dropped; /* of those, at or below the floor */
} store_log_stats_t;
int store_log_stats(store_txn_t *txn, store_log_stats_t *out);

/* A watch: the store's watch thread calls fn with each logged change after a version, in
 * version order, as commits add them (each commit of this store_t wakes it; on etcd, where
 * other processes commit too, it also re-reads the log every 100 ms while watches are open).
 * fn answers 0 (delivered: the next change follows), STORE_WATCH_PAUSE (not delivered: the
 * same change comes again a little later, for a consumer whose queue is full), or anything
 * else (the consumer is done: fn is not called again). A watch the store must end (its
 * version compacted, or fell behind the log's floor while paused, STORE_COMPACTED; an
 * engine error) gets one last call with c NULL and err set. fn runs on the watch thread
 * with a read transaction open: it must be quick and must not call store_watch_stop. */
typedef struct store_watch store_watch_t;
typedef int (*store_watch_fn)(void *arg, const store_change_t *c, int err);
#define STORE_WATCH_PAUSE 1
/* Starts a watch of the changes after version `after`. *out: stop it with
 * store_watch_stop(), always, before store_close(). 0, STORE_COMPACTED (nothing started),
 * STORE_ENOMEM, STORE_ECLOSED. Any thread. */
int store_watch_start(store_t *s, uint64_t after, store_watch_fn fn, void *arg,
                      store_watch_t **out);
/* Ends the watch: when it returns, fn is not running and never runs again; frees w. Any
 * thread but the watch thread (not from fn). */
void store_watch_stop(store_watch_t *w);

/* ---- group commit ---------------------------------------------------------------------- */

/* Runs on the writer thread inside a nested write transaction. Return 0 to keep the
 * changes, or a nonzero code to roll back this write alone (the code reaches done). */
typedef int (*store_write_fn)(store_txn_t *txn, void *arg);
/* Runs on the writer thread after the batch committed durably (rc 0), or with the write's
 * own code, or with a store error if the batch commit failed (then nothing was written). */
typedef void (*store_done_fn)(void *arg, int rc);

typedef enum {
  /* The write starts a removal (marks a record for deletion, which a later write deletes):
   * in a full store it may grow the trees by a few pages (STORE_RELEASE_SLACK_PAGES). */
  STORE_WRITE_RELEASES = 1,
} store_write_flags_t;

#define STORE_RELEASE_SLACK_PAGES 8

typedef struct store_write_opts {
  unsigned flags;      /* store_write_flags_t */
  int64_t deadline_ms; /* hg_monotonic_ms() time after which the write must not run: still
                        * queued then, it is dropped with STORE_EXPIRED; 0: none */
} store_write_opts_t;

/* Queue a write. 0: done runs exactly once. Nonzero (STORE_ECLOSED, STORE_ENOMEM,
 * STORE_BUSY when queue_max writes are already waiting): done never runs. A write refused
 * before it runs (STORE_EXPIRED, STORE_FULL) gets done with that code and wrote nothing. */
int store_submit(store_t *s, store_write_fn fn, store_done_fn done, void *arg);
/* store_submit with a deadline; opts may be NULL (exactly store_submit). */
int store_submit_opts(store_t *s, store_write_fn fn, store_done_fn done, void *arg,
                      const store_write_opts_t *opts);
/* Queue a write and wait for its durable commit. Returns fn's code or a store error. Must
 * not be called from the writer thread. */
int store_write(store_t *s, store_write_fn fn, void *arg);
/* store_write with a deadline; opts may be NULL (exactly store_write). */
int store_write_opts(store_t *s, store_write_fn fn, void *arg, const store_write_opts_t *opts);

/* 1 while the store is full (see store_opts_t), else 0. Any thread. */
int store_full(const store_t *s);

/* ---- metrics ------------------------------------------------------------------------------- */

/* The store's Prometheus families, as a prom_collect_fn (common/prom.h) whose arg is the
 * store_t: hangar_store_used_bytes and hangar_store_map_size_bytes (gauges),
 * hangar_store_write_queue_depth (writes waiting for the writer), and the histograms
 * hangar_store_commit_duration_seconds (each batch's durable commit) and
 * hangar_store_commit_batch_writes (writes per batch). Any thread; it opens one read
 * transaction and takes the queue's lock for a moment, never waiting for a commit. */
int store_metrics(void *store, hg_buf_t *out);

#endif
