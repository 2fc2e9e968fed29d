/* store_call.h - a gRPC call's write queued through the store's group commit, and a call's
 * store failure answered in its service's words.
 *
 * Why here: this joins the rpc layer (common/rpc) to the store, and common may not include
 * storage, while storage may include common (scripts/check-layers). Every service links
 * libhangar-storage, so one copy serves them all.
 *
 * A service describes its answers once (store_call_cfg_t) and each write once
 * (store_call_op_t: the write function, the reply function, the texts of its failures).
 * The handler queues the write with store_call_start(); the write function runs on the
 * store's writer thread and either returns 0, a store error, or STORE_CALL_REFUSED after
 * store_call_refuse() (the status in c->st is the answer). After the durable commit the
 * toolkit answers a refusal or failure itself and calls op->reply only on success.
 * The call lives in the call's arena until the reply (rpc_reply/rpc_fail release it).
 * Threads: store_call_new/_submit/_start/_fail from handler threads; write functions on the
 * writer thread; reply functions on the writer thread after the commit. */
#ifndef HANGAR_STORE_CALL_H
#define HANGAR_STORE_CALL_H

#include <stddef.h>

#include "rpc/rpc.h"
#include "storage/store.h"

/* How a store error maps to a status code in a service's answers. An error with an
 * ErrorInfo reason (store_error_reason: a full store) always answers its own code and reason,
 * whatever the service chose here or in store_call_op_t.failed. */
typedef enum {
  STORE_CALL_CODE_BY_ERROR = 0, /* store_error_code(rc) */
  STORE_CALL_CODE_INTERNAL,     /* always HG_INTERNAL */
} store_call_codes_t;

/* A service's answers to store failures (static, shared by its calls). */
typedef struct store_call_cfg {
  const char *module;       /* names the log line of a failure */
  const char *internal;     /* message of a store failure's answer */
  const char *not_found;    /* STORE_NOTFOUND answers HG_NOT_FOUND with this (not logged);
                             * NULL: like any other failure */
  const char *invalid;      /* message of store_call_refuse_invalid()'s answer */
  store_call_codes_t codes; /* the status code of a store failure */
} store_call_cfg_t;

/* Answers ctx with store error rc under cfg (logged, except a mapped STORE_NOTFOUND), with
 * the error's reason (store_error_reason) in ErrorInfo;
 * returns -1 so an `_or_fail` helper can `return store_call_fail(...)`. */
int store_call_fail(rpc_ctx_t *ctx, const store_call_cfg_t *cfg, int rc);

typedef struct store_call store_call_t;
typedef struct store_call_op store_call_op_t;

/* One queued write. A service may extend it: a struct whose first member is a
 * store_call_t, allocated with store_call_new(ctx, cfg, sizeof(that struct)). */
struct store_call {
  rpc_ctx_t *ctx;
  hg_arena_t *a; /* the call's arena */
  const store_call_cfg_t *cfg;
  const store_call_op_t *op;
  const void *req;      /* borrowed: the request */
  void *aux;            /* the handler's state: the record to write, the result to answer ... */
  hg_status_t st;       /* a refused write's answer */
  unsigned write_flags; /* store_write_flags_t for the write; set before submitting */
};

/* A write function's code meaning "refused: c->st is the answer". Store errors are
 * negative, so it never collides with one. */
#define STORE_CALL_REFUSED 1

/* Runs on the writer thread inside the write's nested transaction (store_write_fn). */
typedef int (*store_call_write_fn)(store_txn_t *txn, store_call_t *c);
/* Answers a write that committed durably (rpc_reply on c->ctx). */
typedef void (*store_call_reply_fn)(store_call_t *c);

struct store_call_op {
  store_call_write_fn write;
  store_call_reply_fn reply;
  const char *failed;    /* set: a store failure answers HG_ABORTED with this text (nothing
                          * was written; logged); NULL: store_call_fail() */
  const char *not_found; /* set: overrides cfg->not_found for this write's failure */
};

/* A zeroed call of size bytes (>= sizeof(store_call_t)) in ctx's arena, ctx, a and cfg set.
 * NULL: allocation failed and ctx is answered (store_call_fail with STORE_ENOMEM). */
store_call_t *store_call_new(rpc_ctx_t *ctx, const store_call_cfg_t *cfg, size_t size);
/* Queues c's write under op (req and aux borrowed). The call is answered exactly once: by
 * the toolkit when queueing fails or the write is refused or fails, else by op->reply.
 * The write carries the call's deadline: one still queued when its caller has stopped
 * waiting is dropped unrun (DEADLINE_EXCEEDED); a full queue answers UNAVAILABLE. */
void store_call_submit(store_call_t *c, store_t *s, const store_call_op_t *op, const void *req,
                       void *aux);
/* store_call_new(ctx, cfg, sizeof(store_call_t)) then store_call_submit. */
void store_call_start(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg,
                      const store_call_op_t *op, const void *req, void *aux);

/* In a write function: records the refusal (message borrowed) and returns
 * STORE_CALL_REFUSED, for `return store_call_refuse(...)`. */
int store_call_refuse(store_call_t *c, hg_code_t code, const char *message);
/* An HG_INVALID_ARGUMENT refusal with cfg->invalid, keeping the violations already added
 * to c->st (which starts empty). Returns STORE_CALL_REFUSED. */
int store_call_refuse_invalid(store_call_t *c);

/* A read for store_call_read: runs inside txn and, on 0, has set *answer to the message to
 * answer (in ctx's arena, or borrowed from arg). 0 or a store error. */
typedef int (*store_call_read_fn)(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg, void **answer);
/* Runs read in one read transaction of s, then answers ctx exactly once: with the answer on
 * 0, else store_call_fail under cfg, not_found (when set) replacing cfg->not_found. For a
 * handler whose read needs no more than a transaction: `store_call_read(...); return;`. */
void store_call_read(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg,
                     store_call_read_fn read, const void *arg, const char *not_found);

/* The same for a read that appends the answer, already encoded as the method's output
 * message, to out (store_call_read_encoded owns out). */
typedef int (*store_call_read_encoded_fn)(store_txn_t *txn, rpc_ctx_t *ctx, const void *arg,
                                          hg_buf_t *out);
/* store_call_read for such a read: answers the bytes with rpc_reply_encoded. */
void store_call_read_encoded(rpc_ctx_t *ctx, store_t *s, const store_call_cfg_t *cfg,
                             store_call_read_encoded_fn read, const void *arg,
                             const char *not_found);

/* Makes srv's grpc.health.v1 check answer NOT_SERVING while s is full (store_full), so
 * /readyz names the service until deletes make room. Before rpc_server_start; s borrowed
 * and must outlive the server. */
void store_call_bind_health(rpc_server_t *srv, store_t *s);

/* Reply functions: answering c->aux; answering google.protobuf.Empty (deletes). */
void store_call_reply_aux(store_call_t *c);
void store_call_reply_empty(store_call_t *c);

#endif
