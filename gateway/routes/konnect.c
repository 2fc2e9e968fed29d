/* routes/konnect.c - Konnect API Products v2 (seed 004) on products-svc.
 *
 * Served under /v2/api-products; errors in the "problem" dialect (application/problem+json
 * with status, title, instance, detail and, on 400, invalid_parameters). Success codes
 * follow the spec: creates 201, deletes 204 (no body), everything else 200. PATCH is a
 * partial update: the transcoder fills update_mask from the body's keys.
 *
 * Every row asks for the same request rules (KONNECT below):
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

#define AP (&hangar__products__v1__api_products__descriptor)
#define PRODUCTS "/v2/api-products"
#define PRODUCT PRODUCTS "/{id}"
#define DOCUMENTS PRODUCTS "/{api_product_id}/documents"
#define DOCUMENT DOCUMENTS "/{id}"
#define VERSIONS PRODUCTS "/{api_product_id}/product-versions"
#define VERSION VERSIONS "/{id}"
#define SPECS VERSIONS "/{api_product_version_id}/specifications"
#define SPEC SPECS "/{id}"
#define DOCUMENT_TREE "application/vnd.konnect.document-tree+json"

/* A row: method, template, rpc, body mapping, success code, then the surface's rules. */
#define KONNECT(m, p, r, b, ok)                                                                    \
  {                                                                                                \
    .method = (m), .path = (p), .service = AP, .rpc = (r), .upstream = "products", .body = (b),    \
    .success = (ok), .dialect = GW_DIALECT_PROBLEM,                                                \
    .flags = GW_ROUTE_JSON_ONLY | GW_ROUTE_PATH_NOT_IN_BODY, .query_member = "eq"
#define ROW(m, p, r, b, ok)                                                                        \
  KONNECT(m, p, r, b, ok)                                                                          \
  }
#define ALL GW_BODY_ALL
#define NONE GW_BODY_NONE

static const gw_route_t routes[] = {ROW(GW_POST, PRODUCTS, "CreateApiProduct", ALL, 201),
                                    ROW(GW_GET, PRODUCTS, "ListApiProducts", NONE, 200),
                                    ROW(GW_GET, PRODUCT, "GetApiProduct", NONE, 200),
                                    ROW(GW_PATCH, PRODUCT, "UpdateApiProduct", ALL, 200),
                                    ROW(GW_DELETE, PRODUCT, "DeleteApiProduct", NONE, 204),

                                    ROW(GW_POST, DOCUMENTS, "CreateApiProductDocument", ALL, 201),
                                    ROW(GW_GET, DOCUMENTS, "ListApiProductDocuments", NONE, 200),
                                    KONNECT(GW_GET, DOCUMENTS, "ListApiProductDocumentTree", NONE,
                                            200),
                                    .accept = DOCUMENT_TREE},
                        ROW(GW_GET, DOCUMENT, "GetApiProductDocument", NONE, 200),
                        ROW(GW_PATCH, DOCUMENT, "UpdateApiProductDocument", ALL, 200),
                        ROW(GW_DELETE, DOCUMENT, "DeleteApiProductDocument", NONE, 204),

                        ROW(GW_POST, VERSIONS, "CreateApiProductVersion", ALL, 201),
                        ROW(GW_GET, VERSIONS, "ListApiProductVersions", NONE, 200),
                        ROW(GW_GET, VERSION, "GetApiProductVersion", NONE, 200),
                        ROW(GW_PATCH, VERSION, "UpdateApiProductVersion", ALL, 200),
                        ROW(GW_DELETE, VERSION, "DeleteApiProductVersion", NONE, 204),

                        ROW(GW_POST, SPECS, "CreateApiProductVersionSpec", ALL, 201),
                        ROW(GW_GET, SPECS, "ListApiProductVersionSpecs", NONE, 200),
                        ROW(GW_GET, SPEC, "GetApiProductVersionSpec", NONE, 200),
                        ROW(GW_PATCH, SPEC, "UpdateApiProductVersionSpec", ALL, 200),
                        ROW(GW_DELETE, SPEC, "DeleteApiProductVersionSpec", NONE, 204),
}
;

/* A path under /v2/api-products that no row takes is a problem+json 404 too. */
const gw_route_table_t gw_routes_konnect = {.surface = "konnect",
                                            .routes = routes,
                                            .n = sizeof(routes) / sizeof(routes[0]),
                                            .prefix = PRODUCTS,
                                            .dialect = GW_DIALECT_PROBLEM};
