/* read.c - a collection's parent check and group key by scope, and the Get answer. */
#include "products/read.h"

#include "products/product_store.h"

int pr_begin_scope_read_or_fail(rpc_ctx_t *ctx, pr_scope_t scope, const pr_path_t *path,
                                store_txn_t **txn, store_val_t *group) {
  switch (scope) {
    case PR_IN_ORG: *group = pr_str(path->org); return pr_read_begin_or_fail(ctx, txn);
    case PR_IN_PRODUCT:
      *group = pr_str(path->product_id);
      return pr_begin_product_read_or_fail(ctx, path, txn);
    default:
      *group = pr_key2(rpc_ctx_arena(ctx), path->product_id, path->version_id);
      return pr_begin_version_read_or_fail(ctx, path, txn);
  }
}

void pr_get_reply(rpc_ctx_t *ctx, const pr_reads_t *def, const pr_path_t *path, const char *id) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  store_txn_t *txn;
  store_val_t group;
  void *rec = NULL;
  ProtobufCMessage *msg = NULL;
  if (pr_begin_scope_read_or_fail(ctx, def->scope, path, &txn, &group)) return;
  int rc = pr_load_in(txn, a, def->table, group, id, &rec);
  if (rc == 0) msg = pr_record_inner(def->table, rec);
  if (rc == 0 && def->get_view) rc = def->get_view(txn, a, msg, &msg);
  store_txn_end(txn);
  if (rc)
    store_call_fail(ctx, &pr_store_answers, rc);
  else
    rpc_reply(ctx, msg);
}
