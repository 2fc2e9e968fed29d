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
#include "common/fail.h"
#include "common/listing.h"
#include "common/objectid.h"
#include "common/reflect.h"
#include "common/clock.h"
#include "common/validate.h"
#include "resources/resources.h"
#include "rpc/rpc.h"
#include "resources/wrapper_store.h"
#include "storage/store_call.h"

#define WR_INVALID "Invalid request" /* the message of a 422 (FastAPI shows the list only) */

resources_svc_t *wr_svc(rpc_ctx_t *ctx);

/* The API's two admission rules (rpc_admit_fn; each binding names its method's, and the rpc
 * layer runs it before the handler): authenticate the Bearer token (apikey or JWT) and
 * require a role on scope "wrappers", viewer to read, editor to write. 401 / 403 {"detail"} otherwise. req is not read. */
int wr_admit_read(rpc_ctx_t *ctx, const void *req);
int wr_admit_write(rpc_ctx_t *ctx, const void *req);
/* A path id that is an ObjectId, canonical (lowercase) into out; else 422 at ["path","id"]. */
int wr_path_id_or_fail(rpc_ctx_t *ctx, const char *id, char out[HG_OBJECTID_LEN]);

/* skip >= 0 (default 0) and 1 <= limit <= 50 (default 10) into out (offset = skip, size =
 * limit); 422 naming each one out of bounds. */
int wr_page_or_fail(rpc_ctx_t *ctx, int has_skip, int64_t skip, int has_limit, int64_t limit,
                    hg_page_t *out);

/* How the API words a broken rule (validate.h): "required" / "field required" when the
 * body left a field out, "not_null" / "none is not an allowed value" when it sent null,
 * "datetime" / "invalid datetime format" for a time that is not RFC 3339. */
extern const hg_rule_texts_t wr_rule_texts;
/* The API's answers to store failures: logged, 500 "Internal server error" whatever the
 * store error (store_call_fail). */
extern const store_call_cfg_t wr_store_answers;
/* Runs read in one read transaction of the service's store and answers (store_call_read):
 * its answer, 404 not_found (NULL: 500) when STORE_NOTFOUND, else wr_store_answers. */
void wr_read_reply(rpc_ctx_t *ctx, store_call_read_fn read, const void *arg, const char *not_found);

/* A GET of one object: its path id checked as wr_path_id_or_fail does, then the object it
 * names in table (wr_record_load) answered, or 404 not_found. */
void wr_get_reply(rpc_ctx_t *ctx, const char *path_id, int table, const char *not_found);

/* Queues op for the call (req and aux borrowed) under wr_store_answers. */
void wr_submit(rpc_ctx_t *ctx, const store_call_op_t *op, const void *req, void *aux);
/* A DELETE: its path id checked as wr_path_id_or_fail does, then the delete op queued with
 * aux its answer, {"id": canonical id, "deleted": true}. */
void wr_submit_delete(rpc_ctx_t *ctx, const void *req, const char *path_id,
                      const store_call_op_t *op);

/* Each handler file's bindings; wrappers_register (resources.h) binds them together. */
#define WR_N_WRAPPER_BINDINGS 4
#define WR_N_RESOURCE_BINDINGS 5
extern const rpc_binding_t wr_wrapper_bindings[WR_N_WRAPPER_BINDINGS];   /* wrappers.c */
extern const rpc_binding_t wr_resource_bindings[WR_N_RESOURCE_BINDINGS]; /* wrapper_resources.c */

#endif
