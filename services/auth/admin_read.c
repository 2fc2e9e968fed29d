/* admin_read.c - the steps AuthAdmin's handlers share: a list answered from one read
 * transaction (storage/store_call.h), a create or delete queued through the store's group
 * commit with its answer prepared. */
#include "auth/admin.h"

#include <string.h>

void auth__list_reply(rpc_ctx_t *ctx, store_call_read_fn read, const void *req, const char *subject,
                      const void *empty) {
  const auth_svc_t *svc = rpc_ctx_server_data(ctx);
  if (strlen(subject) > AUTH_FIELD_MAX)
    rpc_reply(ctx, empty);
  else
    store_call_read(ctx, svc->store, &auth__store_answers, read, req, NULL);
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
