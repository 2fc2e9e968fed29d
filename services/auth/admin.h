/* admin.h - the AuthAdmin service: its registration, and the helpers its handler files
 * (admin_tokens.c, admin_bindings.c) share: the admin-token gate, the rule pieces both
 * validate with, and writes answered after their group commit.
 *
 * Every `..._or_fail` helper has already answered ctx (rpc_fail) when it reports failure,
 * so the handler only has to return.
 * Threads: handlers run on CQ threads; write completions answer from the writer thread. */
#ifndef HANGAR_AUTH_ADMIN_H
#define HANGAR_AUTH_ADMIN_H

#include <stddef.h>

#include "auth/auth.h"
#include "common/status.h"
#include "storage/store.h"
#include "storage/store_call.h"
#include "common/validate.h"

#define AUTH_FIELD_MAX 159   /* longest subject or scope, in bytes (fits VerifyResponse) */
#define AUTH_MAX_BINDINGS 64 /* bindings on one token (VerifyResponse max_count) */
#define AUTH_ID_MAX 64       /* longer ids cannot exist */

/* Rule pieces: subjects are 1-159 bytes of UTF-8 text (JWT `sub` values are free text);
 * scopes are 1-159 printable ASCII characters without spaces; roles are viewer, editor,
 * owner, admin. */
extern const char auth__name_charset[];
extern const char *const auth__roles[];
#define AUTH_NAME_DESC "must be 1-159 printable ASCII characters without spaces"
#define AUTH_SUBJECT_DESC "must be 1-159 bytes of text without control characters"
#define AUTH_ROLE_DESC "must be one of viewer, editor, owner, admin"
#define AUTH_SUBJECT_RULE                                                                          \
  {                                                                                                \
    .field = "subject", .kind = HG_RULE_TEXT, .flags = HG_RULE_REQUIRED, .min = 1,                 \
    .max = AUTH_FIELD_MAX, .text = AUTH_SUBJECT_DESC                                               \
  }
#define AUTH_SCOPE_RULE                                                                            \
  {                                                                                                \
    .field = "scope", .kind = HG_RULE_CHARSET, .flags = HG_RULE_REQUIRED, .min = 1,                \
    .max = AUTH_FIELD_MAX, .charset = auth__name_charset, .text = AUTH_NAME_DESC                   \
  }
#define AUTH_ROLE_RULE                                                                             \
  {                                                                                                \
    .field = "role", .kind = HG_RULE_ONE_OF, .flags = HG_RULE_REQUIRED, .choices = auth__roles,    \
    .text = AUTH_ROLE_DESC                                                                         \
  }

/* Binds every AuthAdmin method to s, whose server data is the auth_svc_t. */
int auth_admin_register(rpc_server_t *s);

/* A list (store_call_read with auth__store_answers): a subject longer than any stored one
 * matches nothing, so `empty` is answered at once. */
void auth__list_reply(rpc_ctx_t *ctx, store_call_read_fn read, const void *req, const char *subject,
                      const void *empty);
/* Queues op's write of the new record rec, answered with resp after the commit. A NULL rec
 * or resp (an allocation failed while preparing them) answers INTERNAL failure instead. */
void auth__create_or_fail(rpc_ctx_t *ctx, const store_call_op_t *op, void *rec, void *resp,
                          const char *failure);
/* Queues op's delete of the record id; an id no record can have answers NOT_FOUND
 * not_found at once. */
void auth__delete_or_fail(rpc_ctx_t *ctx, const store_call_op_t *op, const char *id,
                          const char *not_found);

/* Admission of every AuthAdmin method (rpc_admit_fn; the rpc layer runs it before each
 * handler): 0 if the caller's "authorization" metadata is "Bearer <admin token>".
 * Otherwise nonzero, ctx answered: UNAUTHENTICATED "Authorization header required" (none),
 * "Bearer token required" (not Bearer), "Invalid token" (detail: why, from auth_verify);
 * PERMISSION_DENIED "Admin token required" for any other valid token. req is not read. */
int auth__admit(rpc_ctx_t *ctx, const void *req);

/* If st holds violations: fails ctx with INVALID_ARGUMENT message and returns -1; else 0. */
int auth__valid_or_fail(rpc_ctx_t *ctx, hg_status_t *st, const char *message);

/* 1 if id could name a record (non-empty, at most AUTH_ID_MAX bytes): anything else is
 * answered NOT_FOUND without touching the store. */
int auth__plausible_id(const char *id);

/* auth-svc's answers to store failures (store_call_fail): logged, "Storage error" with the
 * store error's code (UNAVAILABLE when the store is closed, RESOURCE_EXHAUSTED when full,
 * INTERNAL otherwise). Writes are queued with store_call_start; a delete's op names its
 * NOT_FOUND text. */
extern const store_call_cfg_t auth__store_answers;

/* The AuthAdmin method table in parts, each next to its handlers: tokens (admin_tokens.c)
 * and role bindings (admin_bindings.c). auth_admin_register() binds them together. */
extern const rpc_binding_t auth__token_bindings[];
extern const size_t auth__n_token_bindings;
extern const rpc_binding_t auth__role_binding_bindings[];
extern const size_t auth__n_role_binding_bindings;

#endif
