/* routes/keboola.c - the Keboola Provisioning API (seed 001) on credentials-svc.
 *
 * The blueprint's host serves the API under /provisioning and its jobs under /queue/job.
 * Every error, the gateway's own included, is Keboola's error object (the "keboola"
 * dialect). A create's type may come in the body or the query (?type=), the query winning;
 * bodies are JSON, and one sent without a Content-Type is read as JSON, since the blueprint's
 * curl-style clients often omit it. Callers are identified by X-StorageApi-Token, which the
 * gateway forwards (proxy.c); Authorization is not used on this surface. */
#include "gateway/route.h"

#include "hangar/credentials/v1/provisioning.pb-c.h"

#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__credentials__v1__provisioning__descriptor, .upstream = "credentials",        \
  .dialect = GW_DIALECT_KEBOOLA
#define JSON_BODY (GW_ROUTE_JSON_ONLY | GW_ROUTE_UNTYPED_JSON | GW_ROUTE_PATH_NOT_IN_BODY)

static const gw_route_t provisioning_routes[] = {
    GW_ROUTE(GW_POST, "/provisioning/{backend}", "CreateCredentials", GW_BODY_ALL, 201,
             .query = GW_QUERY_FIELDS, .flags = JSON_BODY),
    GW_ROUTE(GW_GET, "/provisioning/{backend}", "FindCredentials", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, "/provisioning/{backend}/{id}", "GetCredentials", GW_BODY_NONE, 200),
    GW_ROUTE(GW_DELETE, "/provisioning/{backend}/{id}", "DropCredentials", GW_BODY_NONE, 200),
    GW_ROUTE(GW_POST, "/provisioning/{backend}/{id}/kill", "KillCredentials", GW_BODY_NONE, 200),
    GW_ROUTE(GW_POST, "/provisioning/{backend}/{id}/extend", "ExtendCredentials", GW_BODY_NONE,
             200),
    GW_ROUTE(GW_POST, "/provisioning/async/{backend}", "CreateAsync", GW_BODY_ALL, 202,
             .flags = JSON_BODY),
    GW_ROUTE(GW_POST, "/provisioning/async/{backend}/transformation", "CreateTransformation",
             GW_BODY_ALL, 202, .flags = JSON_BODY),
    GW_ROUTE(GW_DELETE, "/provisioning/async/{backend}/{id}", "DropAsync", GW_BODY_NONE, 200),
};

static const gw_route_t queue_routes[] = {
    GW_ROUTE(GW_GET, "/queue/job/{id}", "GetJob", GW_BODY_NONE, 200),
};

/* Two tables because the surface has two prefixes, each answering its unknown paths with
 * Keboola's 404. */
const gw_route_table_t gw_routes_keboola =
    GW_ROUTE_TABLE("keboola", provisioning_routes, "/provisioning", GW_DIALECT_KEBOOLA);
const gw_route_table_t gw_routes_keboola_jobs =
    GW_ROUTE_TABLE("keboola_jobs", queue_routes, "/queue", GW_DIALECT_KEBOOLA);
