/* routes/ktrlplane.c - the KtrlPlane Resources API (seed 000) on resources-svc.
 *
 * Served under /api/v1/projects/{project_id}/resources; errors in the "ktrlplane" dialect
 * ({"error","details"}). Success codes follow the seed: create 201, delete 202 with the
 * seed's {"message","resource_id","status"} body. PUT is a partial update: the transcoder
 * fills update_mask from the keys present in the body. A body key naming a path parameter
 * (`project_id`, `resource_id`) is an unknown field (400), as every other undocumented key is,
 * rather than being silently replaced by the path's value. */
#include "gateway/route.h"

#include "hangar/resources/v1/ktrlplane.pb-c.h"

#define KP (&hangar__resources__v1__ktrl_plane__descriptor)
#define COLLECTION "/api/v1/projects/{project_id}/resources"
#define ITEM COLLECTION "/{resource_id}"
#define D GW_DIALECT_KTRLPLANE

static const gw_route_t routes[] = {
    {.method = GW_GET,
     .path = COLLECTION,
     .service = KP,
     .rpc = "ListResources",
     .upstream = "resources",
     .body = GW_BODY_NONE,
     .success = 200,
     .dialect = D},
    {.method = GW_POST,
     .path = COLLECTION,
     .service = KP,
     .rpc = "CreateResource",
     .upstream = "resources",
     .body = GW_BODY_ALL,
     .success = 201,
     .dialect = D,
     .flags = GW_ROUTE_PATH_NOT_IN_BODY},
    {.method = GW_GET,
     .path = ITEM,
     .service = KP,
     .rpc = "GetResource",
     .upstream = "resources",
     .body = GW_BODY_NONE,
     .success = 200,
     .dialect = D},
    {.method = GW_PUT,
     .path = ITEM,
     .service = KP,
     .rpc = "UpdateResource",
     .upstream = "resources",
     .body = GW_BODY_ALL,
     .success = 200,
     .dialect = D,
     .flags = GW_ROUTE_PATH_NOT_IN_BODY},
    {.method = GW_DELETE,
     .path = ITEM,
     .service = KP,
     .rpc = "DeleteResource",
     .upstream = "resources",
     .body = GW_BODY_NONE,
     .success = 202,
     .dialect = D},
};

const gw_route_table_t gw_routes_ktrlplane = {
    .surface = "ktrlplane", .routes = routes, .n = sizeof(routes) / sizeof(routes[0])};
