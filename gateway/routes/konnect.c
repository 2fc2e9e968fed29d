/* routes/konnect.c - Konnect API Products v2 (seed 004) on products-svc.
 *
 * Served under /v2/api-products; errors in the "problem" dialect (application/problem+json
 * with status, title, instance, detail and, on 400, invalid_parameters). Success codes
 * follow the spec: creates 201, deletes 204 (no body), everything else 200. PATCH is a
 * partial update: the transcoder fills update_mask from the body's keys.
 *
 * Every row asks for the same request rules (GW_ROUTE_DEFAULTS below):
 *  - bodies must be JSON (415 otherwise), as the spec's UnsupportedMediaType response says;
 *  - a body key naming a path parameter ("id", "api_product_id" ...) is an unknown
 *    property rather than being replaced by the path's value;
 *  - query names map onto request fields by the a[b] -> a.b rule: page[size] -> page.size,
 *    page[number] -> page.number, filter[name][eq] -> filter.name.eq, sort, labels,
 *    public_labels; a filter without an operator means eq (filter[name]=x).
 * GET .../documents with Accept: application/vnd.konnect.document-tree+json answers the
 * nested tree (ListApiProductDocumentTree) instead of the flat summaries. */
#include "gateway/route.h"

#include "hangar/products/v1/products.pb-c.h"

#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__products__v1__api_products__descriptor, .upstream = "products",              \
  .dialect = GW_DIALECT_PROBLEM, .flags = GW_ROUTE_JSON_ONLY | GW_ROUTE_PATH_NOT_IN_BODY,          \
  .query_member = "eq"
#define PRODUCTS "/v2/api-products"
#define PRODUCT PRODUCTS "/{id}"
#define DOCUMENTS PRODUCTS "/{api_product_id}/documents"
#define DOCUMENT DOCUMENTS "/{id}"
#define VERSIONS PRODUCTS "/{api_product_id}/product-versions"
#define VERSION VERSIONS "/{id}"
#define SPECS VERSIONS "/{api_product_version_id}/specifications"
#define SPEC SPECS "/{id}"
#define DOCUMENT_TREE "application/vnd.konnect.document-tree+json"

static const gw_route_t routes[] = {
    GW_ROUTE(GW_POST, PRODUCTS, "CreateApiProduct", GW_BODY_ALL, 201),
    GW_ROUTE(GW_GET, PRODUCTS, "ListApiProducts", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, PRODUCT, "GetApiProduct", GW_BODY_NONE, 200),
    GW_ROUTE(GW_PATCH, PRODUCT, "UpdateApiProduct", GW_BODY_ALL, 200),
    GW_ROUTE(GW_DELETE, PRODUCT, "DeleteApiProduct", GW_BODY_NONE, 204),

    GW_ROUTE(GW_POST, DOCUMENTS, "CreateApiProductDocument", GW_BODY_ALL, 201),
    GW_ROUTE(GW_GET, DOCUMENTS, "ListApiProductDocuments", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, DOCUMENTS, "ListApiProductDocumentTree", GW_BODY_NONE, 200,
             .accept = DOCUMENT_TREE),
    GW_ROUTE(GW_GET, DOCUMENT, "GetApiProductDocument", GW_BODY_NONE, 200),
    GW_ROUTE(GW_PATCH, DOCUMENT, "UpdateApiProductDocument", GW_BODY_ALL, 200),
    GW_ROUTE(GW_DELETE, DOCUMENT, "DeleteApiProductDocument", GW_BODY_NONE, 204),

    GW_ROUTE(GW_POST, VERSIONS, "CreateApiProductVersion", GW_BODY_ALL, 201),
    GW_ROUTE(GW_GET, VERSIONS, "ListApiProductVersions", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, VERSION, "GetApiProductVersion", GW_BODY_NONE, 200),
    GW_ROUTE(GW_PATCH, VERSION, "UpdateApiProductVersion", GW_BODY_ALL, 200),
    GW_ROUTE(GW_DELETE, VERSION, "DeleteApiProductVersion", GW_BODY_NONE, 204),

    GW_ROUTE(GW_POST, SPECS, "CreateApiProductVersionSpec", GW_BODY_ALL, 201),
    GW_ROUTE(GW_GET, SPECS, "ListApiProductVersionSpecs", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, SPEC, "GetApiProductVersionSpec", GW_BODY_NONE, 200),
    GW_ROUTE(GW_PATCH, SPEC, "UpdateApiProductVersionSpec", GW_BODY_ALL, 200),
    GW_ROUTE(GW_DELETE, SPEC, "DeleteApiProductVersionSpec", GW_BODY_NONE, 204),
};

/* A path under /v2/api-products that no row takes is a problem+json 404 too. */
const gw_route_table_t gw_routes_konnect =
    GW_ROUTE_TABLE("konnect", routes, PRODUCTS, GW_DIALECT_PROBLEM);
