/* etcd_client.h - a small etcd v3 client: KV (Range, Put, DeleteRange, Txn, Compact) and
 * Lease (Grant, KeepAlive once, Revoke), over common/rpc and the protobuf-c code generated
 * from etcd's own rpc.proto (proto/etcd.cmake). It is what the etcd storage engine, leader
 * election (etcd_election.h) and watch are built on; it holds no state of theirs.
 *
 * Members: a client is given one or more member addresses ("127.0.0.1:2379,127.0.0.1:22379")
 * and sends each call to the member that answered last. A member that answers UNAVAILABLE
 * is skipped for the next one, in order, each member at most once per call:
 *  - a read (Range) moves on after any UNAVAILABLE;
 *  - a write (Put, DeleteRange, Txn, Compact, lease calls) moves on only when the member
 *    refused it before it could run (it could not be reached, or it has no leader). When
 *    etcd answers UNAVAILABLE for a write it may already have applied (its request timed
 *    out, or its leader changed under it), the call fails ETCD_EINDOUBT and is not sent
 *    again: the caller re-reads, as after a conflict.
 *
 * Errors are values: every call returns 0 or an ETCD_* code below and, when err is not
 * NULL, fills *err with the code, the gRPC status etcd answered and its message. A failed
 * call leaves its out-params unchanged.
 *
 * Memory: answers (keys, values, result arrays) are allocated in the hg_arena_t the caller
 * passes and live as long as it. Request structs and the slices in them are borrowed for
 * the duration of the call.
 *
 * Threads: every call blocks its calling thread until etcd answers or the call's deadline
 * passes (rpc_call_sync: its own queue, so a completion-queue thread may call it too, at the
 * cost of stalling that queue meanwhile). Calls may be made from any number of threads at
 * once on one client. etcd_client_destroy() only after every call has returned. */
#ifndef HANGAR_ETCD_CLIENT_H
#define HANGAR_ETCD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/errlist.h"
#include "common/status.h"

/* name, value, text. */
#define ETCD_ERRORS(XX)                                                                            \
  XX(ETCD_EINVAL, -31001, "invalid argument")                                                      \
  XX(ETCD_ENOMEM, -31002, "out of memory")                                                         \
  XX(ETCD_EUNAVAILABLE, -31003, "no etcd member could serve the call")                             \
  XX(ETCD_EINDOUBT, -31004, "the write may or may not have been applied")                          \
  XX(ETCD_ECOMPACTED, -31005, "required revision has been compacted")                              \
  XX(ETCD_EFUTUREREV, -31006, "required revision is a future revision")                            \
  XX(ETCD_ELEASE_NOTFOUND, -31007, "lease not found")                                              \
  XX(ETCD_ETIMEDOUT, -31008, "deadline exceeded")                                                  \
  XX(ETCD_ESERVER, -31009, "etcd refused the call")

typedef enum { ETCD_ERRORS(HG_ERR_ENUM) } etcd_errno_t;

const char *etcd_strerror(int err);
const char *etcd_err_name(int err);

/* The error of a failed call. */
typedef struct etcd_err {
  int code;          /* 0 or ETCD_E* */
  hg_code_t status;  /* the gRPC status the last member tried answered; HG_OK when none */
  char message[256]; /* etcd's (or gRPC's) message, else etcd_strerror(code) */
} etcd_err_t;

/* From a gRPC status answered by etcd to the error it means: ETCD_ECOMPACTED for
 * OUT_OF_RANGE "etcdserver: mvcc: required revision has been compacted" (what a watch turns
 * into 410 Gone), ETCD_EFUTUREREV, ETCD_ELEASE_NOTFOUND, ETCD_EUNAVAILABLE,
 * ETCD_ETIMEDOUT, else ETCD_ESERVER. etcd's Go client tells these apart the same way, by
 * code and message (rpctypes.Error). message may be NULL. */
int etcd_error_from_status(hg_code_t code, const char *message);

/* ---- client ----------------------------------------------------------------------------- */

typedef struct etcd_client etcd_client_t;

typedef struct etcd_client_opts {
  int64_t deadline_ms; /* per attempt on one member; 0 = 5000 */
} etcd_client_opts_t;

#define ETCD_MAX_MEMBERS 16

/* New client of the members in endpoints, a comma list of "host:port" (at most
 * ETCD_MAX_MEMBERS; empty items are refused). Connects lazily: a member that is down is
 * no error here. opts may be NULL. 0 and *out (free with etcd_client_destroy), or
 * ETCD_EINVAL / ETCD_ENOMEM with *out unchanged. */
int etcd_client_new(const char *endpoints, const etcd_client_opts_t *opts, etcd_client_t **out);
void etcd_client_destroy(etcd_client_t *c);
/* How many members the client was given. */
size_t etcd_client_members(const etcd_client_t *c);

/* ---- key-values -------------------------------------------------------------------------- */

/* One key-value as etcd stores it (mvccpb.KeyValue); slices into the call's arena. */
typedef struct etcd_kv {
  hg_str_t key;
  hg_str_t value;
  int64_t create_revision;
  int64_t mod_revision;
  int64_t version; /* 1 on creation, +1 on each put */
  int64_t lease;   /* 0 when none */
} etcd_kv_t;

typedef enum { ETCD_OP_RANGE = 0, ETCD_OP_PUT = 1, ETCD_OP_DELETE = 2 } etcd_op_kind_t;

/* Range flags. DESCEND: the keys in descending key order (etcd's sort_order DESCEND,
 * sort_target KEY), so a limit takes the last keys of the range: a backward walk. */
enum { ETCD_RANGE_KEYS_ONLY = 1, ETCD_RANGE_COUNT_ONLY = 2, ETCD_RANGE_DESCEND = 4 };

/* One operation, alone or inside a txn. key is required. range_end (Range, DeleteRange):
 * empty = key alone; otherwise every key in [key, range_end), with "\0" (one zero byte)
 * meaning every key >= key (etcd's convention); etcd_prefix_end() makes a prefix's. */
typedef struct etcd_op {
  etcd_op_kind_t kind;
  hg_str_t key;
  hg_str_t range_end; /* Range, DeleteRange */
  hg_str_t value;     /* Put */
  int64_t lease;      /* Put: attach the key to this lease; 0 = none */
  int64_t limit;      /* Range: at most this many keys; 0 = no limit */
  int64_t revision;   /* Range: read as of this revision; 0 = newest */
  int flags;          /* Range: ETCD_RANGE_* */
} etcd_op_t;

/* What one operation answered. */
typedef struct etcd_result {
  etcd_op_kind_t kind;
  int64_t revision; /* the store's revision when it ran (ResponseHeader.revision) */
  etcd_kv_t *kvs;   /* Range: the keys, in key order (DESCEND: reversed; none with COUNT_ONLY) */
  size_t n_kvs;
  int more;      /* Range: more keys in the range than the limit let through */
  int64_t count; /* Range: keys in the whole range; DeleteRange: keys deleted */
} etcd_result_t;

/* Runs one operation (any kind) on its own. Answer in arena. */
int etcd_do(etcd_client_t *c, const etcd_op_t *op, hg_arena_t *arena, etcd_result_t *out,
            etcd_err_t *err);
/* Shorthands for etcd_do. etcd_get reads one key: *found 0 when absent (kv untouched). */
int etcd_get(etcd_client_t *c, hg_str_t key, hg_arena_t *arena, etcd_kv_t *kv, int *found,
             int64_t *revision, etcd_err_t *err);
int etcd_put(etcd_client_t *c, hg_str_t key, hg_str_t value, int64_t lease, int64_t *revision,
             etcd_err_t *err);

/* The range_end that selects every key starting with prefix (etcd's GetPrefixRangeEnd): the
 * prefix with its last byte below 0xff incremented and the rest dropped; "\0" when every
 * byte is 0xff or the prefix is empty. In arena; ETCD_ENOMEM. */
int etcd_prefix_end(hg_str_t prefix, hg_arena_t *arena, hg_str_t *out);

/* ---- transactions ------------------------------------------------------------------------ */

/* Numbered as etcd's Compare.CompareTarget and Compare.CompareResult. */
typedef enum {
  ETCD_CMP_VERSION = 0,
  ETCD_CMP_CREATE = 1, /* create_revision */
  ETCD_CMP_MOD = 2,    /* mod_revision */
  ETCD_CMP_VALUE = 3,
} etcd_cmp_target_t;
typedef enum {
  ETCD_CMP_EQUAL = 0,
  ETCD_CMP_GREATER = 1,
  ETCD_CMP_LESS = 2,
  ETCD_CMP_NOT_EQUAL = 3,
} etcd_cmp_op_t;

/* key's target compared with number (VERSION, CREATE, MOD) or value (VALUE). A key that
 * does not exist has version, create_revision and mod_revision 0: "create_revision == 0" is
 * "absent". */
typedef struct etcd_cmp {
  hg_str_t key;
  etcd_cmp_target_t target;
  etcd_cmp_op_t op;
  int64_t number;
  hg_str_t value;
} etcd_cmp_t;

/* If every compare holds, the success ops run, else the failure ops; atomically, at one
 * revision. */
typedef struct etcd_txn {
  const etcd_cmp_t *cmps;
  size_t n_cmps;
  const etcd_op_t *success;
  size_t n_success;
  const etcd_op_t *failure;
  size_t n_failure;
} etcd_txn_t;

typedef struct etcd_txn_result {
  int succeeded;          /* the compares held: the success ops ran */
  int64_t revision;       /* the store's revision after the txn */
  etcd_result_t *results; /* one per op that ran, in order (revision: the txn's) */
  size_t n_results;
} etcd_txn_result_t;

/* A txn whose compares fail is no error: 0 with succeeded 0. Answer in arena. */
int etcd_txn(etcd_client_t *c, const etcd_txn_t *txn, hg_arena_t *arena, etcd_txn_result_t *out,
             etcd_err_t *err);

/* Compacts the history up to revision: later reads at a revision below it fail
 * ETCD_ECOMPACTED. physical: wait until the compaction is applied to the backend. */
typedef enum { ETCD_COMPACT_LOGICAL = 0, ETCD_COMPACT_PHYSICAL = 1 } etcd_compact_mode_t;
int etcd_compact(etcd_client_t *c, int64_t revision, etcd_compact_mode_t mode, etcd_err_t *err);

/* ---- leases ------------------------------------------------------------------------------ */

/* Grants a lease of ttl_s seconds (id 0: etcd picks the id). *id_out, *granted_ttl_s. */
int etcd_lease_grant(etcd_client_t *c, int64_t ttl_s, int64_t id, int64_t *id_out,
                     int64_t *granted_ttl_s, etcd_err_t *err);
/* Renews the lease once, to its full TTL (*ttl_s: the new TTL). LeaseKeepAlive is a
 * bidirectional stream in etcd; common/rpc has no client-side streaming, so this sends one
 * request and half-closes, and etcd answers that request and ends the stream. A caller
 * keeps a lease alive by calling it every TTL/3 or so. ETCD_ELEASE_NOTFOUND when the lease
 * has expired or was revoked. */
int etcd_lease_keepalive_once(etcd_client_t *c, int64_t id, int64_t *ttl_s, etcd_err_t *err);
/* Revokes the lease: every key attached to it is deleted. ETCD_ELEASE_NOTFOUND when gone. */
int etcd_lease_revoke(etcd_client_t *c, int64_t id, etcd_err_t *err);

#endif
