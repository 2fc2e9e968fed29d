/* request.h - turns a matched HTTP request into the upstream request message.
 *
 * Order of binding (later wins): the JSON body (routes with body "*"), then the query
 * parameters whose name is a request field ("a[b]" meaning field path "a.b"; by default
 * only on routes without a body mapping, as grpc-gateway does; see gw_query_t), then the
 * path parameters. Query parameters naming a path parameter's field, and every query
 * parameter that is not a request field, are ignored. A row may ask for more (route.h):
 * GW_ROUTE_PATH_NOT_IN_BODY makes a body key naming a path parameter an unknown field, and
 * query_member extends a query name that stops at a message ("filter[name]") to that
 * message's member ("filter.name.eq"); GW_ROUTE_JSON_ONLY / GW_ROUTE_UNTYPED_JSON check the
 * body's Content-Type, and GW_ROUTE_BODY_REQUIRED refuses an empty body.
 *
 * A failure is a gateway-made gw_error_t: INVALID_ARGUMENT with the dialect's text
 * ("Invalid request body" / "Invalid query parameter" / "Invalid path parameter" / the
 * media-type text) and violations naming the fields, each with its machine rule
 * ("is_string", "unknown_property", "json_syntax", "utf8", "required", "media_type" ...) and
 * its place (body, query, path; for a body Python's json module cannot read either, where it
 * would stop), or INTERNAL when the arena runs out. A body gets one violation per
 * field-level problem, in body order (up to HG_MAX_VIOLATIONS); a parameter, a body that is
 * not JSON, and a body refused before it is read get exactly one.
 * gw_request_locate places the violations of a service's answer the same way.
 * Owns: nothing; everything it makes lives in the given arena. Threads: any (reentrant). */
#ifndef HANGAR_GW_REQUEST_H
#define HANGAR_GW_REQUEST_H

#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/buf.h"
#include "gateway/dialect.h"
#include "gateway/route.h"
#include "gateway/router.h"
#include "common/status.h"

#define GW_MAX_BODY (1024 * 1024) /* request bodies above this answer 413 */

typedef struct gw_request_in {
  const ProtobufCMessageDescriptor *desc; /* the rpc's input message type */
  gw_body_t body_mode;
  gw_query_t query_mode;
  const gw_match_t *match;  /* path parameters */
  hg_str_t query;           /* raw query string without '?'; may be empty */
  hg_str_t body;            /* raw body; empty counts as "{}" (unless GW_ROUTE_BODY_REQUIRED) */
  const char *content_type; /* the request's Content-Type header; NULL when it has none */
  unsigned flags;           /* the route's gw_route_flag_t */
  const char *query_member; /* the route's query_member, or NULL */
  const char *body_field;   /* the route's body_field, or NULL */
  const char *preset_field, *preset_value; /* the route's preset, or NULL */
} gw_request_in_t;

/* Builds the request message in a. 0 with *out set, or -1 with e filled (strings in a; a
 * syntax error's doc points into in->body). */
int gw_request_build(const gw_request_in_t *in, const gw_dialect_t *d, hg_arena_t *a,
                     ProtobufCMessage **out, gw_error_t *e);

/* Fills e with a gateway-made INVALID_ARGUMENT: the dialect's text t and one violation
 * (rule "invalid") in place `in` (field and description are copied into a). Returns -1 for
 * `return gw_invalid(...)`. */
int gw_invalid(gw_error_t *e, const gw_dialect_t *d, gw_text_t t, gw_in_t in, hg_arena_t *a,
               const char *field, const char *description);

/* Places each violation of e whose place is unknown: a path parameter of the match; a query
 * parameter the route binds and the query names; else the body on routes that map one,
 * else the query. A field the request cannot carry stays GW_IN_UNKNOWN. */
void gw_request_locate(const gw_request_in_t *in, gw_error_t *e);

#endif
