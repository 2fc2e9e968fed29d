/* route.h - a gateway route is data: one static const row per REST operation.
 *
 * A row says which HTTP method and path template it answers, which gRPC method of which
 * upstream serves it, how the JSON body and the query map onto the request message, which
 * HTTP code a success answers, and which error dialect renders failures. Each REST surface
 * keeps its rows in gateway/routes/<surface>.c; the operational endpoints (/healthz ...) are
 * rows too, with a local handler instead of an upstream.
 *
 * Path templates: literal segments and "{field}" segments; a "{field}" binds the request
 * message field of the same name (a dotted path is allowed: "{parent.id}").
 * Owns: nothing; every table is static and read-only. Threads: any. */
#ifndef HANGAR_GW_ROUTE_H
#define HANGAR_GW_ROUTE_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "gateway/dialect.h"

/* HTTP methods the router knows; GW_N_METHODS is the count. */
typedef enum {
  GW_GET = 0,
  GW_HEAD,
  GW_POST,
  GW_PUT,
  GW_PATCH,
  GW_DELETE,
  GW_OPTIONS,
  GW_TRACE,
  GW_CONNECT,
  GW_N_METHODS
} gw_method_t;

/* How the request body reaches the request message. */
typedef enum {
  GW_BODY_NONE = 0, /* the body is ignored; query parameters bind request fields */
  GW_BODY_ALL = 1,  /* "*": the whole JSON object is merged into the request message */
} gw_body_t;

/* Which query parameters bind request fields. */
typedef enum {
  GW_QUERY_DEFAULT = 0, /* request fields, unless the body is mapped with "*" */
  GW_QUERY_FIELDS = 1,  /* request fields, also next to a "*" body (the query wins) */
  GW_QUERY_IGNORE = 2,  /* none */
} gw_query_t;

/* Request rules a row may ask for (bit flags). */
typedef enum {
  /* A request body must be sent as JSON (Content-Type application/json or a +json type);
   * another type, or a body without one, is refused with rule "media_type" (415 in most
   * dialects; FastAPI's validation 422 "value is not a valid dict"). */
  GW_ROUTE_JSON_ONLY = 1u << 0,
  /* A top-level body key naming one of the row's path parameters is an unknown field
   * (400), rather than being silently replaced by the path's value. */
  GW_ROUTE_PATH_NOT_IN_BODY = 1u << 1,
  /* With GW_ROUTE_JSON_ONLY: a body sent without a Content-Type is read as JSON, and an empty
   * body's type is not looked at, as FastAPI reads bodies. */
  GW_ROUTE_UNTYPED_JSON = 1u << 2,
  /* An empty body is refused (rule "required", the body as a whole) instead of counting as
   * {}: the row's request model is a required body parameter. */
  GW_ROUTE_BODY_REQUIRED = 1u << 3,
  /* YAML both ways: a body sent as YAML (application/yaml, application/x-yaml, text/yaml)
   * is converted to JSON before anything else reads it, and an answer (success or error)
   * to a request whose Accept names application/yaml is converted to YAML, so YAML takes
   * the one JSON path (common/json/json_yaml.h). */
  GW_ROUTE_YAML = 1u << 4,
  /* A watch: the row's rpc is server-streaming, answered as text/event-stream (watch.c),
   * with no upstream deadline and no response-size cap. The row is a variant of the plain
   * row with the same method and path, chosen when the query has watch=true (or watch=1),
   * as Kubernetes' lists turn into watches (router.h). */
  GW_ROUTE_WATCH = 1u << 5,
} gw_route_flag_t;

typedef struct gw_exchange gw_exchange_t;
/* A local handler answers the exchange itself (now or later, on the exchange's loop). */
typedef void (*gw_local_fn)(gw_exchange_t *ex);

typedef struct gw_route {
  gw_method_t method;
  const char *path;                          /* template, e.g. "/api/v1/projects/{project_id}" */
  const ProtobufCServiceDescriptor *service; /* NULL for local routes */
  const char *rpc;                           /* method name in service, e.g. "GetResource" */
  const char *upstream;                      /* upstream name, e.g. "resources" */
  gw_body_t body;
  int success; /* 200, 201, 202 or 204 (204 sends no body) */
  gw_dialect_id_t dialect;
  gw_local_fn local; /* non-NULL: answered by the gateway itself */
  gw_query_t query;  /* rows usually leave it 0 (GW_QUERY_DEFAULT) */
  unsigned flags;    /* gw_route_flag_t bits; usually 0 */
  /* Non-NULL: a variant of the row with the same method and path, served instead of it
   * when the request's Accept header names this media type (router.h). */
  const char *accept;
  /* Non-NULL: a query parameter naming a message field binds that message's member of
   * this name ("eq": filter[name]=x means filter[name][eq]=x). */
  const char *query_member;
  /* NULL: the response message is the body; else the body is this field of it (a list
   * answered as a bare JSON array, as FastAPI's List[...] responses are). */
  const char *response;
  /* Non-NULL: the whole body binds this request field (grpc-gateway's `body: "<field>"`),
   * e.g. a hangar.json.v1.RawObject taking any object; with GW_BODY_ALL. */
  const char *body_field;
  /* Non-NULL: this request field is set to preset_value before the path is bound, so
   * literal paths can share one rpc ("plural" = "deployments"). */
  const char *preset_field, *preset_value;
  /* Non-NULL: an int32 field of the response that, when nonzero, is the answer's HTTP code
   * instead of `success` (an upsert answers 201 when it created). */
  const char *status_field;
} gw_route_t;

/* Writing a surface's rows (gateway/routes/<surface>.c). The file defines GW_ROUTE_DEFAULTS
 * once: the designated initializers every row of its tables shares (upstream, service and
 * dialect, and a request rule when every row has it). Each row is then
 *   GW_ROUTE(method, path template, rpc, body mapping, success code [, what else differs])
 * e.g. GW_ROUTE(GW_GET, "/wrappers", "ListWrappers", GW_BODY_NONE, 200, .response = "wrappers").
 * A row cannot also set a field the defaults set: -Woverride-init (-Wextra) stops the build,
 * so a setting is either the table's or each row's, never silently both. */
#define GW_ROUTE(m, p, r, b, ok, ...)                                                              \
  {                                                                                                \
    .method = (m), .path = (p), .rpc = (r), .body = (b), .success = (ok), GW_ROUTE_DEFAULTS,       \
    __VA_ARGS__                                                                                    \
  }

/* One REST surface's rows. */
typedef struct gw_route_table {
  const char *surface;
  const gw_route_t *routes;
  size_t n;
  /* Non-NULL: a path equal to or below this prefix that no row takes answers its 404 in
   * `dialect` (the surface's own), not in the gateway's default dialect. */
  const char *prefix;
  gw_dialect_id_t dialect;
} gw_route_table_t;

/* A table over the array rows; prefix NULL when the surface's unknown paths take the
 * gateway's default 404. */
#define GW_ROUTE_TABLE(name, rows, pfx, d)                                                         \
  {                                                                                                \
    .surface = (name), .routes = (rows), .n = sizeof(rows) / sizeof((rows)[0]), .prefix = (pfx),   \
    .dialect = (d)                                                                                 \
  }

extern const gw_route_table_t gw_routes_ops;               /* ops.c */
extern const gw_route_table_t gw_routes_ktrlplane;         /* routes/ktrlplane.c */
extern const gw_route_table_t gw_routes_auth;              /* routes/auth.c */
extern const gw_route_table_t gw_routes_konnect;           /* routes/konnect.c */
extern const gw_route_table_t gw_routes_wrappers;          /* routes/wrappers.c: /wrappers */
extern const gw_route_table_t gw_routes_wrapper_resources; /* routes/wrappers.c: /resources */
extern const gw_route_table_t gw_routes_keboola;           /* routes/keboola.c: /provisioning */
extern const gw_route_table_t gw_routes_keboola_jobs;      /* routes/keboola.c: /queue */
extern const gw_route_table_t gw_routes_ververica; /* routes/ververica.c: /api/v1/namespaces */
extern const gw_route_table_t gw_routes_ververica_watch; /* routes/ververica.c: their watches */
extern const gw_route_table_t gw_routes_vvp_platform;    /* routes/ververica.c: /namespaces */
extern const gw_route_table_t gw_routes_vvp_apitokens;   /* routes/ververica.c: /apitokens */
extern const gw_route_table_t gw_routes_vvp_sql;         /* routes/ververica.c: /sql */
extern const gw_route_table_t gw_routes_vvp_catalog;     /* routes/ververica.c: /catalog */
extern const gw_route_table_t gw_routes_swagger;         /* swagger.c: /swagger, swagger.json */
/* Every table the gateway mounts, in the order it binds them (gateway.c); a new table goes
 * there, and tests/unit/test_gateway_openapi.c then wants it in an OpenAPI document. */
extern const gw_route_table_t *const gw_route_tables[];
extern const size_t gw_n_route_tables;

/* "GET" ...; "?" for an out-of-range value. */
const char *gw_method_name(gw_method_t m);

#endif
