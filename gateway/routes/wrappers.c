/* routes/wrappers.c - the wrapper/resource API (seed 003, FastAPI style) on resources-svc.
 *
 * Served at /wrappers and /resources (a trailing slash is insignificant to the router, so
 * "/resources/" is the same row, answered directly, never redirected); errors in the
 * "fastapi" dialect ({"detail": ...}, 422 validation lists). Every success is 200, as
 * FastAPI answers by default; lists answer their items as a bare JSON array (the
 * response's repeated field), as FastAPI's List[...] response models do. */
#include "gateway/route.h"

#include "hangar/resources/v1/wrappers.pb-c.h"

#define WR (&hangar__resources__v1__wrappers__descriptor)
/* A body is FastAPI's required body parameter: it must be there, and it is read as JSON when
 * sent as JSON or with no Content-Type at all (anything else is pydantic's "value is not a
 * valid dict"). */
#define REQUIRED_JSON_BODY (GW_ROUTE_JSON_ONLY | GW_ROUTE_UNTYPED_JSON | GW_ROUTE_BODY_REQUIRED)
#define ROW(m, p, r, b)                                                                            \
  .method = (m), .path = (p), .service = WR, .rpc = (r), .upstream = "resources", .body = (b),     \
  .success = 200, .dialect = GW_DIALECT_FASTAPI

static const gw_route_t wrapper_routes[] = {
    {ROW(GW_POST, "/wrappers", "CreateWrapper", GW_BODY_ALL), .flags = REQUIRED_JSON_BODY},
    {ROW(GW_GET, "/wrappers", "ListWrappers", GW_BODY_NONE), .response = "wrappers"},
    {ROW(GW_GET, "/wrappers/{id}", "GetWrapper", GW_BODY_NONE)},
    {ROW(GW_DELETE, "/wrappers/{id}", "DeleteWrapper", GW_BODY_NONE)},
};

static const gw_route_t resource_routes[] = {
    {ROW(GW_POST, "/resources", "CreateResource", GW_BODY_ALL), .flags = REQUIRED_JSON_BODY},
    {ROW(GW_GET, "/resources", "ListResources", GW_BODY_NONE), .response = "resources"},
    {ROW(GW_GET, "/resources/{id}", "GetResource", GW_BODY_NONE)},
    /* "id" in a PATCH body is an unknown field like any other, never silently dropped. */
    {ROW(GW_PATCH, "/resources/{id}", "PatchResource", GW_BODY_ALL),
     .flags = REQUIRED_JSON_BODY | GW_ROUTE_PATH_NOT_IN_BODY},
    {ROW(GW_DELETE, "/resources/{id}", "DeleteResource", GW_BODY_NONE)},
};

/* Two tables because the surface has two prefixes, each answering its unknown paths with
 * FastAPI's 404 {"detail": "Not Found"}. */
const gw_route_table_t gw_routes_wrappers = {
    .surface = "wrappers",
    .routes = wrapper_routes,
    .n = sizeof(wrapper_routes) / sizeof(wrapper_routes[0]),
    .prefix = "/wrappers",
    .dialect = GW_DIALECT_FASTAPI,
};

const gw_route_table_t gw_routes_wrapper_resources = {
    .surface = "wrapper_resources",
    .routes = resource_routes,
    .n = sizeof(resource_routes) / sizeof(resource_routes[0]),
    .prefix = "/resources",
    .dialect = GW_DIALECT_FASTAPI,
};
