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
  if (rc != 0)
    auth__store_fail(ctx, rc, not_found);
  else
    rpc_reply(ctx, resp);
}
