/* call.h - the steps every products-svc handler shares.
 *
 * Before a handler runs, the rpc layer runs its method's admission (one of the pr_admit_*
 * rules below, named by its binding, rpc.h): authentication, the org it acts in (from the
 * caller's role bindings, see products_org_of), the role, and the product the path names
 * being the org's. The handler checks path ids (pr_path_or_fail), validates, reads in
 * a read transaction or writes through the store's group commit and answers from the
 * write's completion (creates and PATCHes through pr_submit_body; Get and List answers are
 * read.h's and list.h's). Every `_or_fail` helper has answered the call when it returns
 * nonzero, so the caller just returns.
 * Error texts are Konnect's (the spec's problem examples): the gateway's problem+json
 * dialect renders status.message as `detail` and the violations as invalid_parameters.
 * Threads: any. */
#ifndef HANGAR_PRODUCTS_CALL_H
#define HANGAR_PRODUCTS_CALL_H

#include "common/authz.h"
#include "common/fail.h"
#include "common/clock.h"
#include "products/products.h"
#include "common/uuid.h"
#include "common/validate.h"
#include "storage/store_call.h"

#define PR_MSG_INVALID "Invalid Parameters"
#define PR_MSG_NOT_FOUND "Not Found"
#define PR_MSG_FORBIDDEN "You do not have permission to perform this action"
#define PR_MSG_INTERNAL "Internal Server Error"

/* The org a principal acts in, as an "orgs/<org>" binding names it: "default" for the
 * bootstrap admin principal; otherwise the smallest (byte order) "orgs/<id>" scope among
 * its bindings, so the choice does not depend on binding order; "default" for a principal
 * whose only grant is an admin-role binding; NULL when it has none of these. The result
 * points into p or is static. Pure. */
const char *products_org_of(const hg_principal_t *p);

products_svc_t *pr_svc(rpc_ctx_t *ctx);

/* The methods' admission rules (rpc_admit_fn). Each authenticates the call (401 texts:
 * "Unauthorized", "Invalid credentials"), chooses the org and requires a role on
 * "orgs/<org>": viewer reads, editor writes (an admin binding anywhere suffices; denials
 * are PERMISSION_DENIED). The product_ and child_ rules then require the product the
 * request's `id` (a product's own methods) or `api_product_id` (everything under a product)
 * names to be one of the org's: NOT_FOUND otherwise, another org's product answering
 * exactly as a missing one. The org is kept for pr_path_or_fail. */
int pr_admit_viewer(rpc_ctx_t *ctx, const void *req);
int pr_admit_editor(rpc_ctx_t *ctx, const void *req);
int pr_admit_product_viewer(rpc_ctx_t *ctx, const void *req);
int pr_admit_product_editor(rpc_ctx_t *ctx, const void *req);
int pr_admit_child_viewer(rpc_ctx_t *ctx, const void *req);
int pr_admit_child_editor(rpc_ctx_t *ctx, const void *req);

/* A path id must be a UUID (canonicalised to lowercase into *out, arena); anything else
 * names nothing: NOT_FOUND. */
int pr_path_id_or_fail(rpc_ctx_t *ctx, const char *id, const char **out);

/* Answers and returns -1. */
int pr_fail_not_found(rpc_ctx_t *ctx);
int pr_fail_internal(rpc_ctx_t *ctx);
/* The service's answers to store failures (store_call_fail): STORE_NOTFOUND -> NOT_FOUND
 * "Not Found", else the store error's code (STORE_FULL -> RESOURCE_EXHAUSTED ...) with
 * "Internal Server Error" (logged). Invalid writes answer "Invalid Parameters". */
extern const store_call_cfg_t pr_store_answers;

/* A fresh UUIDv4 / an empty Struct, in the arena; NULL on failure. */
char *pr_new_id(hg_arena_t *a);
Google__Protobuf__Struct *pr_empty_struct(hg_arena_t *a);

/* A read transaction, or the call answered. */
int pr_read_begin_or_fail(rpc_ctx_t *ctx, store_txn_t **txn);

/* ---- path ids ----------------------------------------------------------------------- */

/* Who is calling in which org, and the canonical ids the request's path names (NULL where
 * the path has none). */
typedef struct pr_path {
  const char *org;
  const char *product_id;
  const char *version_id;
  const char *id;
} pr_path_t;

/* After admission: the admitted org, and each non-NULL raw path id through
 * pr_path_id_or_fail, into *out. */
int pr_path_or_fail(rpc_ctx_t *ctx, const char *product_id, const char *version_id, const char *id,
                    pr_path_t *out);
/* A read transaction in which path's product exists in path's org; else answered
 * (NOT_FOUND). */
int pr_begin_product_read_or_fail(rpc_ctx_t *ctx, const pr_path_t *path, store_txn_t **txn);
/* The same where path's version of that product exists too. */
int pr_begin_version_read_or_fail(rpc_ctx_t *ctx, const pr_path_t *path, store_txn_t **txn);

/* ---- writes --------------------------------------------------------------------------- */

/* One queued write: the toolkit's call (first, so a store_call_t * is a pr_write_t *) and
 * the path ids it acts on. Lives in the call's arena until the reply. */
typedef struct pr_write {
  store_call_t call;
  pr_path_t path;
} pr_write_t;

/* The path of a write pr_submit queued. */
const pr_path_t *pr_path_of(const store_call_t *c);
/* Queues op for the call under pr_store_answers (path copied, req and aux borrowed). The
 * call is answered exactly once (store_call.h). */
void pr_submit(rpc_ctx_t *ctx, const pr_path_t *path, const store_call_op_t *op, const void *req,
               void *aux);
/* pr_submit of a delete: flagged STORE_WRITE_RELEASES, so a full store still takes it
 * (freeing pages may grow LMDB's free list by a few). */
void pr_submit_delete(rpc_ctx_t *ctx, const pr_path_t *path, const store_call_op_t *op,
                      const void *req);
/* How a create or PATCH handler reads its body before it queues its write. */
typedef struct pr_body_def {
  const hg_rules_t *rules;       /* the body's rule table */
  const char *const *path_names; /* PATCH: the path parameters a body may not name */
  size_t aux_size;               /* the write's aux: zeroed, in the call's arena */
  /* What the rules cannot check, read into aux; violations go to st. mask NULL: a create.
   * -1 on allocation failure. NULL: nothing more to read. */
  int (*read)(const ProtobufCMessage *req, const Google__Protobuf__FieldMask *mask, hg_arena_t *a,
              hg_status_t *st, void *aux);
  /* Once the body is valid, completes aux (a create builds its record). -1 on allocation
   * failure. NULL: nothing to do. */
  int (*build)(const ProtobufCMessage *req, const pr_path_t *path, hg_arena_t *a, void *aux);
  const store_call_op_t *op;
} pr_body_def_t;

/* Reads req's body under def (mask NULL: a create; else the PATCH's mask: path names, then
 * the rules in PATCH scope), answers every violation at once (INVALID_ARGUMENT "Invalid
 * Parameters") and queues def->op with the aux it filled through pr_submit. Allocation
 * failures answer INTERNAL. Either way the call is answered exactly once. */
void pr_submit_body(rpc_ctx_t *ctx, const pr_body_def_t *def, const pr_path_t *path,
                    const void *req, const Google__Protobuf__FieldMask *mask);
/* In a write: loads c's product in its org, refusing NOT_FOUND when absent. */
int pr_product_or_refuse(store_txn_t *txn, store_call_t *c, product_record_t **out);
/* In a write: 0 when c's product exists in its org (the parent of what the path names);
 * else refused NOT_FOUND, or a store error. */
int pr_in_product_or_refuse(store_txn_t *txn, store_call_t *c);
/* In a write: refuses NOT_FOUND when rc is STORE_NOTFOUND; else rc. */
int pr_found_or_refuse(store_call_t *c, int rc);

/* ---- the method tables of each part (bound together by products_register) ------------ */

/* One part's method table: its bindings and their number. */
typedef struct pr_methods {
  const rpc_binding_t *bindings;
  size_t n;
} pr_methods_t;
#define PR_METHODS(table)                                                                          \
  { (table), sizeof(table) / sizeof((table)[0]) }

extern const pr_methods_t pr_product_methods;
extern const pr_methods_t pr_document_methods;
extern const pr_methods_t pr_version_methods;
extern const pr_methods_t pr_spec_methods;

#endif
