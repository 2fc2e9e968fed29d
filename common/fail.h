/* fail.h - answers every service gives in the same shape, whatever its dialect's words.
 *
 * Each service passes its own message; the gateway's dialect renders status.message and
 * the violations into the surface's error body. Owns nothing. Threads: any thread that may
 * answer ctx (rpc.h). */
#ifndef HANGAR_FAIL_H
#define HANGAR_FAIL_H

#include "common/status.h"
#include "rpc/rpc.h"

/* Answers ctx INVALID_ARGUMENT with message (borrowed) and st's violations (st's code and
 * message are overwritten). Returns -1, for `return hg_fail_invalid(...)` in an
 * `_or_fail` helper. */
int hg_fail_invalid(rpc_ctx_t *ctx, hg_status_t *st, const char *message);
/* 0 when st has no violations; else hg_fail_invalid() and -1, so a handler's check reads
 * `if (hg_valid_or_fail(ctx, &st, message)) return;`. */
int hg_valid_or_fail(rpc_ctx_t *ctx, hg_status_t *st, const char *message);

#endif
