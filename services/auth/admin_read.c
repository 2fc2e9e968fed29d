/* admin_read.c - answering an AuthAdmin read: the answer is filled inside one read
 * transaction, so it shows one state of the store, and is sent after the transaction ends. */
#include "auth/admin.h"

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
