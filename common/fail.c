/* fail.c - the shared shapes of a failed call's answer. */
#include "common/fail.h"

int hg_fail_invalid(rpc_ctx_t *ctx, hg_status_t *st, const char *message) {
  st->code = HG_INVALID_ARGUMENT;
  st->message = message;
  rpc_fail(ctx, st);
  return -1;
}

int hg_valid_or_fail(rpc_ctx_t *ctx, hg_status_t *st, const char *message) {
  return st->n_violations ? hg_fail_invalid(ctx, st, message) : 0;
}
