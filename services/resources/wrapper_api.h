/* wrapper_api.h - what the wrapper API's handler files (wrappers.c, wrapper_resources.c)
 * share: authentication and authorization on scope "wrappers", ObjectId path ids, paging,
 * required fields, failures in the API's own words, and writes queued through the store's
 * group commit.
 *
 * The API speaks FastAPI (seed 003): the gateway's "fastapi" dialect renders these statuses
 * as {"detail": ...} and 422 validation lists, from the violations' machine rules
 * ("required", "not_null", "minimum", "maximum", "datetime", "invalid").
 * Every `..._or_fail` helper has answered the call when it returns nonzero: the handler
 * just returns. Threads: handlers on CQ threads; write functions on the store's writer. */
#ifndef HANGAR_WRAPPER_API_H
#define HANGAR_WRAPPER_API_H

#include <stdint.h>

#include "google/protobuf/field_mask.pb-c.h"
#include "common/objectid.h"
#include "common/validate.h"
#include "resources/resources.h"
#include "rpc/rpc.h"
#include "resources/wrapper_store.h"

#define WR_INVALID "Invalid request" /* the message of a 422 (FastAPI shows the list only) */
#define WR_LIMIT_DEFAULT 10
#define WR_LIMIT_MAX 50

resources_svc_t *wr_svc(rpc_ctx_t *ctx);

/* The API's two admission rules (rpc_admit_fn; every handler calls its method's first):
 * authenticate the Bearer token (apikey or JWT) and require a role on scope "wrappers",
 * viewer to read, editor to write. 401 / 403 {"detail"} otherwise. req is not read. */
int wr_admit_read(rpc_ctx_t *ctx, const void *req);
int wr_admit_write(rpc_ctx_t *ctx, const void *req);
/* A path id that is an ObjectId, canonical (lowercase) into out; else 422 at ["path","id"]. */
int wr_path_id_or_fail(rpc_ctx_t *ctx, const char *id, char out[HG_OBJECTID_LEN]);

typedef struct wr_page {
  uint64_t skip;
  size_t limit;
} wr_page_t;

/* skip >= 0 (default 0) and 1 <= limit <= 50 (default 10); 422 naming each one out of
 * bounds. */
int wr_page_or_fail(rpc_ctx_t *ctx, int has_skip, int64_t skip, int has_limit, int64_t limit,
                    wr_page_t *out);

/* Is name a key the body sent (the update_mask the gateway fills)? */
int wr_mask_has(const Google__Protobuf__FieldMask *mask, const char *name);
/* How the API words a broken rule (validate.h): "required" / "field required" when the
 * body left a field out, "not_null" / "none is not an allowed value" when it sent null,
 * "datetime" / "invalid datetime format" for a time that is not RFC 3339. */
extern const hg_rule_texts_t wr_rule_texts;
/* 422 with st's violations. */
void wr_fail_invalid(rpc_ctx_t *ctx, hg_status_t *st);
/* A read the store could not make: logged, 500 "Internal server error". */
void wr_fail_store(rpc_ctx_t *ctx, int rc);
/* Answers a read by its store code: resp when 0, 404 not_found (NULL: 500) when
 * STORE_NOTFOUND, wr_fail_store() otherwise. */
void wr_answer_read(rpc_ctx_t *ctx, int rc, const void *resp, const char *not_found);
/* Now as RFC 3339 in a (NULL on allocation failure). */
char *wr_now_text(hg_arena_t *a);

/* The answer to a DELETE, {"id": id, "deleted": true}, in the call's arena; NULL on
 * allocation failure. */
Hangar__Resources__V1__Deleted *wr_deleted(rpc_ctx_t *ctx, const char *id);

/* One queued write; lives in the call's arena until the reply. */
typedef struct wr_write {
  rpc_ctx_t *ctx;
  const void *req;
  void *result;       /* what a success answers with */
  hg_status_t st;     /* why the write function refused (wr_refuse) */
  const char *failed; /* a store failure answers 400 with this text; NULL: 500 */
} wr_write_t;

#define WR_REFUSED 1 /* a write function's code: op->st says why */

/* Records a refusal in op; returns WR_REFUSED for `return wr_refuse(...)`. */
int wr_refuse(wr_write_t *op, hg_code_t code, const char *message);
/* Queues fn, then done, for a new op {ctx, req, result, failed}. */
void wr_submit_or_fail(rpc_ctx_t *ctx, const void *req, void *result, const char *failed,
                       store_write_fn fn, store_done_fn done);
/* In a done callback: answers the refusal or store failure behind a nonzero rc and returns
 * -1; 0 when the write succeeded (the caller replies). */
int wr_write_failed(wr_write_t *op, int rc);
/* A done callback that replies with op->result. */
void wr_reply_result(void *arg, int rc);

/* Each handler file's bindings; wrappers_register (resources.h) binds them together. */
#define WR_N_WRAPPER_BINDINGS 4
#define WR_N_RESOURCE_BINDINGS 5
extern const rpc_binding_t wr_wrapper_bindings[WR_N_WRAPPER_BINDINGS];   /* wrappers.c */
extern const rpc_binding_t wr_resource_bindings[WR_N_RESOURCE_BINDINGS]; /* wrapper_resources.c */

#endif
