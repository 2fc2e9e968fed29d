/* routes/ververica.c - the Ververica-style API (seed 002, CONTRACTS.md "Ververica") on
 * resources-svc: the AppManager's objects under /api/v1/namespaces/{namespace} and the
 * Platform's namespaces under /namespaces/v1.
 *
 * Every AppManager kind is served by the same six rpcs; a kind's rows name its plural as a
 * literal path (so the router answers 405 with Allow for a verb its swagger path lacks) and
 * preset the request's "plural" from it. The body, JSON or YAML, is the request's `object`
 * as a whole (a RawObject) and the answer is the response's `object`; a PUT that created
 * answers the response's http_status (201). Errors are ApiException /
 * ApiValidationException ("ververica" dialect). */
#include "gateway/route.h"

#include "hangar/auth/v1/apitokens.pb-c.h"
#include "hangar/resources/v1/ververica.pb-c.h"

#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__resources__v1__ververica__descriptor, .upstream = "resources",               \
  .dialect = GW_DIALECT_VERVERICA,                                                                 \
  .flags = GW_ROUTE_JSON_ONLY | GW_ROUTE_UNTYPED_JSON | GW_ROUTE_YAML

#define NS "/api/v1/namespaces/{namespace}/"

/* One operation on the kind whose plural is p; sub is "" or "/{name}". */
#define OBJ(m, p, sub, rpc, body, ok)                                                              \
  GW_ROUTE(m, NS p sub, rpc, body, ok, .response = "object", .body_field = "object",               \
           .preset_field = "plural", .preset_value = p, .status_field = "http_status")
#define LIST(p) OBJ(GW_GET, p, "", "ListObjects", GW_BODY_NONE, 200)
#define CREATE(p) OBJ(GW_POST, p, "", "CreateObject", GW_BODY_ALL, 201)
#define GET(p) OBJ(GW_GET, p, "/{name}", "GetObject", GW_BODY_NONE, 200)
#define PUT(p) OBJ(GW_PUT, p, "/{name}", "PutObject", GW_BODY_ALL, 200)
#define PATCH(p) OBJ(GW_PATCH, p, "/{name}", "PatchObject", GW_BODY_ALL, 200)
#define DELETE(p) OBJ(GW_DELETE, p, "/{name}", "DeleteObject", GW_BODY_NONE, 200)

/* Each kind has the verbs of its path in the 2.6.1 AppManager swagger. */
static const gw_route_t object_routes[] = {
    LIST("deployments"),
    CREATE("deployments"),
    GET("deployments"),
    PUT("deployments"),
    PATCH("deployments"),
    DELETE("deployments"),
    LIST("deployment-targets"),
    CREATE("deployment-targets"),
    GET("deployment-targets"),
    PUT("deployment-targets"),
    DELETE("deployment-targets"),
    /* One per namespace: the path names no object. */
    OBJ(GW_GET, "deployment-defaults", "", "GetObject", GW_BODY_NONE, 200),
    OBJ(GW_PATCH, "deployment-defaults", "", "PatchObject", GW_BODY_ALL, 200),
    LIST("savepoints"),
    CREATE("savepoints"),
    GET("savepoints"),
    DELETE("savepoints"),
    LIST("secret-values"),
    CREATE("secret-values"),
    GET("secret-values"),
    PATCH("secret-values"),
    DELETE("secret-values"),
    LIST("sessionclusters"),
    CREATE("sessionclusters"),
    GET("sessionclusters"),
    PUT("sessionclusters"),
    PATCH("sessionclusters"),
    DELETE("sessionclusters"),
    LIST("events"),
    LIST("jobs"),
    GET("jobs"),
};

/* The Platform's namespaces answer {"namespace": {...}} / {"namespaces": [...]}; creating
 * one answers 200 with CreateNamespaceResponse, as the swagger has it. */
static const gw_route_t platform_routes[] = {
    GW_ROUTE(GW_POST, "/namespaces/v1/namespaces", "CreateNamespace", GW_BODY_ALL, 200,
             .body_field = "namespace"),
    GW_ROUTE(GW_GET, "/namespaces/v1/namespaces", "ListNamespaces", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, "/namespaces/v1/namespaces/{ns}", "GetNamespace", GW_BODY_NONE, 200),
    GW_ROUTE(GW_DELETE, "/namespaces/v1/namespaces/{ns}", "DeleteNamespace", GW_BODY_NONE, 200),
};

/* ?watch=true on a kind's list: a watch of that kind in the namespace (gateway/watch.c),
 * text/event-stream. Its rows carry GW_ROUTE_WATCH, so they take defaults of their own. */
#undef GW_ROUTE_DEFAULTS
#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__resources__v1__ververica__descriptor, .upstream = "resources",               \
  .dialect = GW_DIALECT_VERVERICA, .flags = GW_ROUTE_WATCH
#define WATCH(p)                                                                                   \
  GW_ROUTE(GW_GET, NS p, "WatchObjects", GW_BODY_NONE, 200, .preset_field = "plural",              \
           .preset_value = p)

static const gw_route_t watch_routes[] = {
    WATCH("deployments"),   WATCH("deployment-targets"), WATCH("savepoints"),
    WATCH("secret-values"), WATCH("sessionclusters"),    WATCH("events"),
    WATCH("jobs"),
};

const gw_route_table_t gw_routes_ververica =
    GW_ROUTE_TABLE("ververica", object_routes, "/api/v1/namespaces", GW_DIALECT_VERVERICA);
const gw_route_table_t gw_routes_ververica_watch =
    GW_ROUTE_TABLE("ververica_watch", watch_routes, NULL, GW_DIALECT_VERVERICA);
const gw_route_table_t gw_routes_vvp_platform =
    GW_ROUTE_TABLE("vvp_platform", platform_routes, "/namespaces", GW_DIALECT_VERVERICA);

/* API tokens live in auth-svc; same dialect and content types. */
#undef GW_ROUTE_DEFAULTS
#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__auth__v1__api_tokens__descriptor, .upstream = "auth",                        \
  .dialect = GW_DIALECT_VERVERICA,                                                                 \
  .flags = GW_ROUTE_JSON_ONLY | GW_ROUTE_UNTYPED_JSON | GW_ROUTE_YAML

#define TOKENS "/apitokens/v1/namespaces/{ns}/apitokens"

/* Create answers 200 with CreateApiTokenResponse, delete 200 with the empty
 * DeleteApiTokenResponse, as the swagger has them. */
static const gw_route_t apitoken_routes[] = {
    GW_ROUTE(GW_POST, TOKENS, "CreateApiToken", GW_BODY_ALL, 200, .body_field = "apiToken"),
    GW_ROUTE(GW_GET, TOKENS, "ListApiTokens", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, TOKENS "/{name}", "GetApiToken", GW_BODY_NONE, 200),
    GW_ROUTE(GW_DELETE, TOKENS "/{name}", "DeleteApiToken", GW_BODY_NONE, 200),
};

const gw_route_table_t gw_routes_vvp_apitokens =
    GW_ROUTE_TABLE("vvp_apitokens", apitoken_routes, "/apitokens", GW_DIALECT_VERVERICA);

/* The Platform's SQL objects and catalogs: stored objects on resources-svc, a bare object in
 * and the swagger's wrapped one out. Custom verbs answer 501 (no SQL runs); a custom verb on
 * an object (`{name}:list-tables`, `{cat}:getDatabase`) reaches GetPlatformObject, which
 * tells it by its ':'. */
#undef GW_ROUTE_DEFAULTS
#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__resources__v1__ververica__descriptor, .upstream = "resources",               \
  .dialect = GW_DIALECT_VERVERICA,                                                                 \
  .flags = GW_ROUTE_JSON_ONLY | GW_ROUTE_UNTYPED_JSON | GW_ROUTE_YAML

#define SQL "/sql/v1beta1/namespaces/{namespace}/"
#define CATALOG "/catalog/v1beta2/namespaces/{namespace}/"
#define PLATFORM(m, base, c, sub, rpc, body)                                                       \
  GW_ROUTE(m, base c sub, rpc, body, 200, .response = "object", .body_field = "object",            \
           .preset_field = "plural", .preset_value = c)
#define COLLECTION(base, c)                                                                        \
  PLATFORM(GW_GET, base, c, "", "ListPlatformObjects", GW_BODY_NONE),                              \
      PLATFORM(GW_POST, base, c, "", "CreatePlatformObject", GW_BODY_ALL),                         \
      PLATFORM(GW_GET, base, c, "/{name}", "GetPlatformObject", GW_BODY_NONE),                     \
      PLATFORM(GW_PUT, base, c, "/{name}", "PutPlatformObject", GW_BODY_ALL),                      \
      PLATFORM(GW_DELETE, base, c, "/{name}", "DeletePlatformObject", GW_BODY_NONE)
#define VERB(m, path) PLATFORM(m, SQL, path, "", "PlatformCustomVerb", GW_BODY_NONE)

static const gw_route_t sql_routes[] = {
    COLLECTION(SQL, "sqlscripts"),
    COLLECTION(SQL, "udfartifacts"),
    COLLECTION(SQL, "connectors"),
    COLLECTION(SQL, "formats"),
    COLLECTION(SQL, "catalog-connectors"),
    VERB(GW_POST, "sqlscripts:execute"),
    VERB(GW_POST, "sqlscripts:execute-multi"),
    VERB(GW_POST, "sqlscripts:suggest"),
    VERB(GW_POST, "sqlscripts:validate"),
    VERB(GW_POST, "catalog-connectors:analyze-jars"),
    VERB(GW_POST, "deployments/{name}"),
    VERB(GW_DELETE, "deployments/{name}"),
};

static const gw_route_t catalog_routes[] = {COLLECTION(CATALOG, "catalogs")};

const gw_route_table_t gw_routes_vvp_sql =
    GW_ROUTE_TABLE("vvp_sql", sql_routes, "/sql", GW_DIALECT_VERVERICA);
const gw_route_table_t gw_routes_vvp_catalog =
    GW_ROUTE_TABLE("vvp_catalog", catalog_routes, "/catalog", GW_DIALECT_VERVERICA);
