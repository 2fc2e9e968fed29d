/* routes/ktrlplane.c - the KtrlPlane Resources API (seed 000) on resources-svc.
 *
 * Served under /api/v1/projects/{project_id}/resources; errors in the "ktrlplane" dialect
 * ({"error","details"}). Success codes follow the seed: create 201, delete 202 with the
 * seed's {"message","resource_id","status"} body. PUT is a partial update: the transcoder
 * fills update_mask from the keys present in the body. A body key naming a path parameter
 * (`project_id`, `resource_id`) is an unknown field (400), as every other undocumented key is,
 * rather than being silently replaced by the path's value. The list with ?watch=true is a
 * watch (gateway/watch.c): text/event-stream of the project's changes. */
#include "gateway/route.h"

#include "hangar/resources/v1/ktrlplane.pb-c.h"

#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__resources__v1__ktrl_plane__descriptor, .upstream = "resources",              \
  .dialect = GW_DIALECT_KTRLPLANE
#define COLLECTION "/api/v1/projects/{project_id}/resources"
#define ITEM COLLECTION "/{resource_id}"

static const gw_route_t routes[] = {
    GW_ROUTE(GW_GET, COLLECTION, "ListResources", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, COLLECTION, "WatchResources", GW_BODY_NONE, 200, .flags = GW_ROUTE_WATCH),
    GW_ROUTE(GW_POST, COLLECTION, "CreateResource", GW_BODY_ALL, 201,
             .flags = GW_ROUTE_PATH_NOT_IN_BODY),
    GW_ROUTE(GW_GET, ITEM, "GetResource", GW_BODY_NONE, 200),
    GW_ROUTE(GW_PUT, ITEM, "UpdateResource", GW_BODY_ALL, 200, .flags = GW_ROUTE_PATH_NOT_IN_BODY),
    GW_ROUTE(GW_DELETE, ITEM, "DeleteResource", GW_BODY_NONE, 202),
};

const gw_route_table_t gw_routes_ktrlplane =
    GW_ROUTE_TABLE("ktrlplane", routes, NULL, GW_DIALECT_KTRLPLANE);
