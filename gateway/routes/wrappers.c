/* routes/wrappers.c - the wrapper/resource API (seed 003, FastAPI style) on resources-svc.
 *
 * Served at /wrappers and /resources (a trailing slash is insignificant to the router, so
 * "/resources/" is the same row, answered directly, never redirected); errors in the
 * "fastapi" dialect ({"detail": ...}, 422 validation lists). Every success is 200, as
 * FastAPI answers by default; lists answer their items as a bare JSON array (the
 * response's repeated field), as FastAPI's List[...] response models do. */
#include "gateway/route.h"

#include "hangar/resources/v1/wrappers.pb-c.h"

#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__resources__v1__wrappers__descriptor, .upstream = "resources",                \
  .dialect = GW_DIALECT_FASTAPI
/* A body is FastAPI's required body parameter: it must be there, and it is read as JSON when
 * sent as JSON or with no Content-Type at all (anything else is pydantic's "value is not a
 * valid dict"). */
#define REQUIRED_JSON_BODY (GW_ROUTE_JSON_ONLY | GW_ROUTE_UNTYPED_JSON | GW_ROUTE_BODY_REQUIRED)

static const gw_route_t wrapper_routes[] = {
    GW_ROUTE(GW_POST, "/wrappers", "CreateWrapper", GW_BODY_ALL, 200, .flags = REQUIRED_JSON_BODY),
    GW_ROUTE(GW_GET, "/wrappers", "ListWrappers", GW_BODY_NONE, 200, .response = "wrappers"),
    GW_ROUTE(GW_GET, "/wrappers/{id}", "GetWrapper", GW_BODY_NONE, 200),
    GW_ROUTE(GW_DELETE, "/wrappers/{id}", "DeleteWrapper", GW_BODY_NONE, 200),
};

static const gw_route_t resource_routes[] = {
    GW_ROUTE(GW_POST, "/resources", "CreateResource", GW_BODY_ALL, 200,
             .flags = REQUIRED_JSON_BODY),
    GW_ROUTE(GW_GET, "/resources", "ListResources", GW_BODY_NONE, 200, .response = "resources"),
    GW_ROUTE(GW_GET, "/resources/{id}", "GetResource", GW_BODY_NONE, 200),
    /* "id" in a PATCH body is an unknown field like any other, never silently dropped. */
    GW_ROUTE(GW_PATCH, "/resources/{id}", "PatchResource", GW_BODY_ALL, 200,
             .flags = REQUIRED_JSON_BODY | GW_ROUTE_PATH_NOT_IN_BODY),
    GW_ROUTE(GW_DELETE, "/resources/{id}", "DeleteResource", GW_BODY_NONE, 200),
};

/* Two tables because the surface has two prefixes, each answering its unknown paths with
 * FastAPI's 404 {"detail": "Not Found"}. */
const gw_route_table_t gw_routes_wrappers =
    GW_ROUTE_TABLE("wrappers", wrapper_routes, "/wrappers", GW_DIALECT_FASTAPI);
const gw_route_table_t gw_routes_wrapper_resources =
    GW_ROUTE_TABLE("wrapper_resources", resource_routes, "/resources", GW_DIALECT_FASTAPI);
