/* vvp_api.h - what the Ververica-style API's handler files (vvp_namespaces.c,
 * vvp_objects.c, vvp_platform.c) share: admission on scope "namespaces/<ns>", the store's answers, and
 * their method tables.
 *
 * The API speaks Ververica (seed 002): the gateway's "ververica" dialect renders these
 * statuses as ApiException bodies, and INVALID_ARGUMENT with violations (named by the
 * attribute's dotted path, "metadata.name") as ApiValidationException's errors[].
 * Every `..._or_fail` helper has answered the call when it returns nonzero.
 * Threads: handlers on CQ threads; write functions on the store's writer thread. */
#ifndef HANGAR_VVP_API_H
#define HANGAR_VVP_API_H

#include "common/authz.h"
#include "resources/resources.h"
#include "resources/vvp_store.h"
#include "rpc/rpc.h"
#include "storage/store_call.h"

#define VVP_INVALID "Validation failed" /* the message of an ApiValidationException */
#define VVP_INTERNAL "Internal server error"

resources_svc_t *vvp_svc(rpc_ctx_t *ctx);

/* Spring Security's words for a missing or refused credential, as the platform says them. */
extern const authz_messages_t vvp_auth_messages;

/* Admission (rpc_admit_fn): the Bearer token (API token or JWT) must hold viewer (read) or
 * editor (write) on "namespaces/<req's namespace>"; an ObjectRequest or NamespaceRef. */
int vvp_admit_object_read(rpc_ctx_t *ctx, const void *req);
int vvp_admit_object_write(rpc_ctx_t *ctx, const void *req);
int vvp_admit_namespace_read(rpc_ctx_t *ctx, const void *req);
/* Viewer on namespaces/<ns>, for requests of other types (a watch's). */
int vvp_admit_namespace(rpc_ctx_t *ctx, const char *ns);
/* Creating and deleting namespaces: the platform's admin only. */
int vvp_admit_admin(rpc_ctx_t *ctx, const void *req);
/* Any authenticated caller (the namespace list shows each caller its own). */
int vvp_admit_authenticated(rpc_ctx_t *ctx, const void *req);

/* Store failures: logged, 500 "Internal server error". */
extern const store_call_cfg_t vvp_store_answers;

/* In a write function: 0 when namespace ns exists, else the refusal (404 "Namespace ...
 * not found") or a store error, for `if ((rc = vvp_ns_exists_or_refuse(...))) return rc;`. */
int vvp_ns_exists_or_refuse(store_txn_t *txn, store_call_t *c, const char *ns);
/* The text of a namespace's 404, in a. */
const char *vvp_ns_missing(hg_arena_t *a, const char *ns);

#define VVP_N_NAMESPACE_BINDINGS 4
#define VVP_N_OBJECT_BINDINGS 6
#define VVP_N_PLATFORM_BINDINGS 6
extern const rpc_binding_t vvp_namespace_bindings[VVP_N_NAMESPACE_BINDINGS]; /* vvp_namespaces.c */
extern const rpc_binding_t vvp_object_bindings[VVP_N_OBJECT_BINDINGS];       /* vvp_objects.c */
extern const rpc_binding_t vvp_platform_bindings[VVP_N_PLATFORM_BINDINGS];   /* vvp_platform.c */
#define VVP_N_STREAM_BINDINGS 1
extern const rpc_stream_binding_t vvp_stream_bindings[VVP_N_STREAM_BINDINGS]; /* vvp_watch.c */

#endif
