/* call.h - the steps every products-svc handler shares.
 *
 * Before a handler runs, the rpc layer runs its method's admission (one of the pr_admit_*
 * rules below, named by its binding, rpc.h): authentication, the org it acts in (from the
 * caller's role bindings, see products_org_of), the role, and the product the path names
 * being the org's. The handler checks path ids (pr_path_or_fail), validates, reads in
 * a read transaction or writes through the store's group commit and answers from the
 * write's completion. Every `_or_fail` helper has answered the call when it returns
 * nonzero, so the caller just returns.
 * Error texts are Konnect's (the spec's problem examples): the gateway's problem+json
 * dialect renders status.message as `detail` and the violations as invalid_parameters.
 * Threads: any. */
#ifndef HANGAR_PRODUCTS_CALL_H
#define HANGAR_PRODUCTS_CALL_H

#include "common/authz.h"
#include "products/products.h"
#include "common/uuid.h"

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
int pr_fail_invalid(rpc_ctx_t *ctx, hg_status_t *st); /* sets code and message */
int pr_fail_internal(rpc_ctx_t *ctx);
/* A store error: STORE_NOTFOUND -> NOT_FOUND, STORE_FULL -> RESOURCE_EXHAUSTED, else
 * INTERNAL (logged). */
int pr_fail_store(rpc_ctx_t *ctx, int rc);

/* Now as "2023-01-01T00:00:00.000Z" / a fresh UUIDv4 / an empty Struct, in the arena; NULL
 * on failure. */
char *pr_now(hg_arena_t *a);
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

/* ---- writes --------------------------------------------------------------------------- */

/* One queued write; lives in the call's arena until the reply. */
typedef struct pr_write {
  rpc_ctx_t *ctx;
  hg_arena_t *a;
  pr_path_t path;
  const void *req;
  void *aux;      /* handler-specific state (the record to write or written ...) */
  hg_status_t st; /* a refused write's answer */
} pr_write_t;

/* A write function's code meaning "refused: w->st says why". */
#define PR_REFUSED 1

/* Set w->st and return PR_REFUSED. */
int pr_refuse(pr_write_t *w, hg_code_t code, const char *message);
/* An INVALID_ARGUMENT refusal whose violations the caller already added to w->st (which
 * starts empty). Returns PR_REFUSED. */
int pr_refuse_invalid(pr_write_t *w);
/* Queues fn for the call (path copied, req and aux borrowed); done runs after the durable
 * commit. Answered on failure. */
void pr_submit(rpc_ctx_t *ctx, const pr_path_t *path, const void *req, void *aux, store_write_fn fn,
               store_done_fn done);
/* In a write: loads w's product in its org, refusing NOT_FOUND when absent. */
int pr_product_or_refuse(store_txn_t *txn, pr_write_t *w, product_record_t **out);
/* In done: 0 when the write succeeded; else answers its error and returns nonzero. */
int pr_write_failed(pr_write_t *w, int rc);
/* A done function answering google.protobuf.Empty (deletes). */
void pr_reply_empty_done(void *arg, int rc);

/* ---- the method tables of each part (bound together by products_register) ------------ */

extern const rpc_binding_t pr_product_bindings[];
extern const size_t pr_n_product_bindings;
extern const rpc_binding_t pr_document_bindings[];
extern const size_t pr_n_document_bindings;
extern const rpc_binding_t pr_version_bindings[];
extern const size_t pr_n_version_bindings;
extern const rpc_binding_t pr_spec_bindings[];
extern const size_t pr_n_spec_bindings;

#endif
