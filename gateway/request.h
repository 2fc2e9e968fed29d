/* request.h - turns a matched HTTP request into the upstream request message.
 *
 * Order of binding (later wins): the JSON body (routes with body "*"), then the query
 * parameters whose name is a request field ("a[b]" meaning field path "a.b"; by default
 * only on routes without a body mapping, as grpc-gateway does; see gw_query_t), then the
 * path parameters. Query parameters naming a path parameter's field, and every query
 * parameter that is not a request field, are ignored.
 *
 * A failure is a gateway-made hg_status_t: INVALID_ARGUMENT with the dialect's text
 * ("Invalid request body" / "Invalid query parameter" / "Invalid path parameter") and one
 * violation naming the field, or INTERNAL when the arena runs out.
 * Owns: nothing; everything it makes lives in the given arena. Threads: any (reentrant). */
#ifndef HANGAR_GW_REQUEST_H
#define HANGAR_GW_REQUEST_H

#include <protobuf-c/protobuf-c.h>

#include "arena.h"
#include "buf.h"
#include "dialect.h"
#include "route.h"
#include "router.h"
#include "status.h"

#define GW_MAX_BODY (1024 * 1024) /* request bodies above this answer 413 */

typedef struct gw_request_in {
  const ProtobufCMessageDescriptor *desc; /* the rpc's input message type */
  gw_body_t body_mode;
  gw_query_t query_mode;
  const gw_match_t *match; /* path parameters */
  hg_str_t query;          /* raw query string without '?'; may be empty */
  hg_str_t body;           /* raw body; empty counts as "{}" */
} gw_request_in_t;

/* Builds the request message in a. 0 with *out set, or -1 with st filled (strings in a). */
int gw_request_build(const gw_request_in_t *in, const gw_dialect_t *d, hg_arena_t *a,
                     ProtobufCMessage **out, hg_status_t *st);

/* Fills st with a gateway-made INVALID_ARGUMENT: the dialect's text t and one violation
 * (field and description are copied into a). Returns -1 for `return gw_invalid(...)`. */
int gw_invalid(hg_status_t *st, const gw_dialect_t *d, gw_text_t t, hg_arena_t *a,
               const char *field, const char *description);

#endif
