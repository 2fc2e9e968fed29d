/* admin_read.c - answering AuthAdmin calls: a read is filled inside one read transaction,
 * so it shows one state of the store, and sent after the transaction ends; a write is
 * queued through the store's group commit with its answer prepared. */
#include "auth/admin.h"

#include <string.h>

void auth__read_reply(rpc_ctx_t *ctx, const auth_svc_t *svc, auth_read_fn fill, const void *req,
                      void *resp, const char *not_found) {
  store_txn_t *txn;
  int rc = store_txn_begin_read(svc->store, &txn);
  if (rc == 0) {
    rc = fill(txn, req, rpc_ctx_arena(ctx), resp);
    store_txn_end(txn);
  }
  if (rc == STORE_NOTFOUND && not_found)
    rpc_fail_code(ctx, HG_NOT_FOUND, not_found);
  else if (rc != 0)
    store_call_fail(ctx, &auth__store_answers, rc);
  else
    rpc_reply(ctx, resp);
}

void auth__list_reply(rpc_ctx_t *ctx, auth_read_fn fill, const void *req, const char *subject,
                      void *resp) {
  if (strlen(subject) > AUTH_FIELD_MAX)
    rpc_reply(ctx, resp);
  else
    auth__read_reply(ctx, rpc_ctx_server_data(ctx), fill, req, resp, NULL);
}

void auth__create_or_fail(rpc_ctx_t *ctx, const store_call_op_t *op, void *rec, void *resp,
                          const char *failure) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  if (!rec || !resp)
    rpc_fail_code(ctx, HG_INTERNAL, failure);
  else
    store_call_start(ctx, svc->store, &auth__store_answers, op, rec, resp);
}

void auth__delete_or_fail(rpc_ctx_t *ctx, const store_call_op_t *op, const char *id,
                          const char *not_found) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  if (!auth__plausible_id(id))
    rpc_fail_code(ctx, HG_NOT_FOUND, not_found);
  else
    store_call_start(ctx, svc->store, &auth__store_answers, op, id, NULL);
}
