/* test_gateway_konnect.c - what the Konnect surface needs from the gateway: its route table
 * (routes/konnect.c) beside the others, per-path parameter names and Accept variants in the
 * router, and the request rules a row asks for (path fields refused in the body,
 * filter[x]=v meaning filter[x][eq]=v), rendered as problem+json and compared as whole
 * bodies. media.c and dialect_problem.c on their own: test_gateway_media.c,
 * test_gateway_dialect_problem.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dialect.h"
#include "gateway/gateway.h"
#include "hangar/products/v1/products.pb-c.h"
#include "gateway/request.h"
#include "gateway/router.h"

#define TREE "application/vnd.konnect.document-tree+json"

typedef Hangar__Products__V1__ListApiProductsRequest list_req_t;
typedef Hangar__Products__V1__ListApiProductVersionsRequest list_versions_t;

static gw_router_t *router;
static hg_arena_t *arena;
static gw_match_t m;
static gw_error_t err;
static ProtobufCMessage *msg;
static hg_buf_t body;

static void setup(void) {
  const gw_route_table_t *tables[] = {&gw_routes_ops, &gw_routes_ktrlplane, &gw_routes_auth,
                                      &gw_routes_konnect};
  char why[256] = "";
  router = gw_router_new();
  arena = hg_arena_new();
  for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
    for (size_t i = 0; i < tables[t]->n; i++) {
      const gw_route_t *row = &tables[t]->routes[i];
      ck_assert_msg(gw_route_check(row, why, sizeof(why)) == 0, "%s", why);
      ck_assert_int_eq(gw_router_add(router, row, (void *)row), 0);
    }
  gw_error_init(&err);
  msg = NULL;
}

static void teardown(void) {
  gw_router_free(router);
  hg_arena_free(arena);
  hg_buf_free(&body);
}

static int match(gw_method_t method, const char *path) {
  return gw_router_match(router, method, path, strlen(path), arena, &m);
}

static void assert_params(const char *name0, const char *name1, const char *name2) {
  const char *want[] = {name0, name1, name2};
  size_t n = name2 ? 3 : name1 ? 2 : name0 ? 1 : 0;
  ck_assert_uint_eq(m.n_params, n);
  for (size_t i = 0; i < n; i++) ck_assert_str_eq(m.params[i].name, want[i]);
}

/* ---- the route table in the router ----------------------------------------------------- */

START_TEST(test_parameter_names_belong_to_the_path) {
  ck_assert_int_eq(match(GW_GET, "/v2/api-products/P"), GW_MATCH_OK);
  ck_assert_str_eq(m.route->rpc, "GetApiProduct");
  assert_params("id", NULL, NULL);
  ck_assert_int_eq(match(GW_POST, "/v2/api-products/P/documents"), GW_MATCH_OK);
  ck_assert_str_eq(m.route->rpc, "CreateApiProductDocument");
  ck_assert_int_eq(m.route->success, 201);
  assert_params("api_product_id", NULL, NULL);
  ck_assert_int_eq(match(GW_PATCH, "/v2/api-products/P/product-versions/V"), GW_MATCH_OK);
  assert_params("api_product_id", "id", NULL);
  ck_assert_int_eq(match(GW_DELETE, "/v2/api-products/P/product-versions/V/specifications/S"),
                   GW_MATCH_OK);
  ck_assert_str_eq(m.route->rpc, "DeleteApiProductVersionSpec");
  ck_assert_int_eq(m.route->success, 204);
  assert_params("api_product_id", "api_product_version_id", "id");
  ck_assert_str_eq(m.params[2].value, "S");
}
END_TEST

START_TEST(test_same_path_must_keep_its_names) {
  static const gw_route_t renamed = {
      .method = GW_PUT, .path = "/v2/api-products/{product}", .success = 200};
  ck_assert_int_eq(gw_router_add(router, &renamed, NULL), GW_ROUTER_EPARAM);
}
END_TEST

START_TEST(test_accept_variant_is_chosen_by_name) {
  static const char *const tree_accepts[] = {TREE, "text/html, " TREE,
                                             "APPLICATION/VND.KONNECT."
                                             "DOCUMENT-TREE+JSON;q=0.5"};
  static const char *const plain_accepts[] = {"application/json", "*/*", TREE ";q=0", TREE "x", ""};
  for (size_t i = 0; i < sizeof(tree_accepts) / sizeof(tree_accepts[0]); i++) {
    ck_assert_int_eq(match(GW_GET, "/v2/api-products/P/documents"), GW_MATCH_OK);
    ck_assert_int_eq(gw_match_accept(&m, tree_accepts[i]), 1);
    ck_assert_str_eq(m.route->rpc, "ListApiProductDocumentTree");
    ck_assert_ptr_eq(m.data, m.route);
    assert_params("api_product_id", NULL, NULL);
  }
  for (size_t i = 0; i < sizeof(plain_accepts) / sizeof(plain_accepts[0]); i++) {
    ck_assert_int_eq(match(GW_GET, "/v2/api-products/P/documents"), GW_MATCH_OK);
    ck_assert_int_eq(gw_match_accept(&m, plain_accepts[i]), 0);
    ck_assert_str_eq(m.route->rpc, "ListApiProductDocuments");
  }
  ck_assert_int_eq(gw_match_accept(&m, NULL), 0);
  /* A variant of another method is never chosen. */
  ck_assert_int_eq(match(GW_POST, "/v2/api-products/P/documents"), GW_MATCH_OK);
  ck_assert_int_eq(gw_match_accept(&m, TREE), 0);
  ck_assert_str_eq(m.route->rpc, "CreateApiProductDocument");
}
END_TEST

START_TEST(test_variant_rules) {
  static const gw_route_t rows[] = {
      {.method = GW_GET, .path = "/x/{a}", .accept = "text/csv", .success = 200},
      {.method = GW_GET, .path = "/x/{a}", .accept = "TEXT/CSV", .success = 200},
      {.method = GW_PUT, .path = "/x/{b}", .accept = "text/csv", .success = 200},
  };
  ck_assert_int_eq(gw_router_add(router, &rows[0], (void *)&rows[0]), 0);
  ck_assert_int_eq(gw_router_add(router, &rows[1], NULL), GW_ROUTER_EDUP);
  ck_assert_int_eq(gw_router_add(router, &rows[2], NULL), GW_ROUTER_EPARAM);
  /* A method served by a variant only answers with it; others are 405 with the Allow set. */
  ck_assert_int_eq(match(GW_GET, "/x/1"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &rows[0]);
  assert_params("a", NULL, NULL);
  ck_assert_int_eq(match(GW_POST, "/x/1"), GW_MATCH_METHOD);
  ck_assert_ptr_eq(m.route, &rows[0]);
  ck_assert_uint_eq(m.allow, 1u << GW_GET);
}
END_TEST

/* ---- request rules -------------------------------------------------------------------- */

static int build_typed(gw_method_t method, const char *path, const char *query, const char *json,
                       const char *content_type) {
  ck_assert_int_eq(match(method, path), GW_MATCH_OK);
  const ProtobufCMethodDescriptor *md =
      protobuf_c_service_descriptor_get_method_by_name(m.route->service, m.route->rpc);
  gw_request_in_t in = {.desc = md->input,
                        .body_mode = m.route->body,
                        .query_mode = m.route->query,
                        .match = &m,
                        .query = hg_str_c(query ? query : ""),
                        .body = hg_str_c(json ? json : ""),
                        .content_type = content_type,
                        .flags = m.route->flags,
                        .query_member = m.route->query_member};
  return gw_request_build(&in, gw_dialect(GW_DIALECT_PROBLEM), arena, &msg, &err);
}

static int build(gw_method_t method, const char *path, const char *query, const char *json) {
  return build_typed(method, path, query, json, "application/json");
}

START_TEST(test_filter_without_operator_means_eq) {
  ck_assert_int_eq(build(GW_GET, "/v2/api-products",
                         "filter[name]=a&page%5Bsize%5D=3&sort=name+desc&labels=k:v", NULL),
                   0);
  const list_req_t *r = (const list_req_t *)msg;
  ck_assert_str_eq(r->filter->name->eq, "a");
  ck_assert_int_eq(r->page->size, 3);
  ck_assert_str_eq(r->sort, "name desc");
  ck_assert_str_eq(r->labels, "k:v");
  ck_assert_int_eq(build(GW_GET, "/v2/api-products/P/product-versions",
                         "filter[publish_status]=published&filter[gateway_service_id][neq]=g",
                         NULL),
                   0);
  const list_versions_t *v = (const list_versions_t *)msg;
  ck_assert_str_eq(v->filter->publish_status->eq, "published");
  ck_assert_str_eq(v->filter->gateway_service_id->neq, "g");
  ck_assert_str_eq(v->api_product_id, "P");
}
END_TEST

static const char *rendered(int http) {
  hg_buf_reset(&body);
  err.request_id = "abc";
  ck_assert_int_eq(gw_dialect_render(gw_dialect(GW_DIALECT_PROBLEM), &err, http, &body), 0);
  return body.p;
}

#define TRACE_ABC "kong:trace:7430836138530658123" /* FNV-1a-64("abc") & INT64_MAX */
#define INVALID_HEAD                                                                               \
  "{\"status\":400,\"title\":\"Invalid Request\",\"instance\":\"" TRACE_ABC "\","                  \
  "\"detail\":\"Invalid Parameters\",\"invalid_parameters\":["

START_TEST(test_body_may_not_name_path_fields) {
  ck_assert_int_eq(build(GW_PATCH, "/v2/api-products/P/documents/D", NULL,
                         "{\"title\":\"t\",\"api_product_id\":\"Q\"}"),
                   -1);
  ck_assert_str_eq(rendered(400), INVALID_HEAD
                   "{\"field\":\"api_product_id\",\"rule\":"
                   "\"unknown_property\",\"reason\":\"api_product_id is an unknown property\"}]}");
  ck_assert_int_eq(build(GW_POST, "/v2/api-products/P/documents", NULL, "{\"slug\":5}"), -1);
  ck_assert_str_eq(rendered(400), INVALID_HEAD "{\"field\":\"slug\",\"rule\":\"is_string\","
                                               "\"reason\":\"slug must be a string\"}]}");
  /* KtrlPlane's write rows ask for it too; its read rows take no body at all. */
  ck_assert_int_eq(build(GW_PUT, "/api/v1/projects/p/resources/r", NULL,
                         "{\"name\":\"n\",\"project_id\":\"q\"}"),
                   -1);
}
END_TEST

/* Every field-level problem of a body is listed, in body order. */
START_TEST(test_body_problems_all_listed) {
  ck_assert_int_eq(build(GW_POST, "/v2/api-products", NULL,
                         "{\"name\":5,\"labels\":\"env\",\"colour\":\"red\"}"),
                   -1);
  ck_assert_str_eq(rendered(400), INVALID_HEAD
                   "{\"field\":\"name\",\"rule\":\"is_string\",\"reason\":\"name must be a "
                   "string\"},{\"field\":\"labels\",\"rule\":\"is_object\",\"reason\":\"labels "
                   "must be an object\"},{\"field\":\"colour\",\"rule\":\"unknown_property\","
                   "\"reason\":\"colour is an unknown property\"}]}");
  ck_assert_int_eq(build(GW_POST, "/v2/api-products", NULL, "{\"name\":\"a\",\"name\":\"b\"}"), -1);
  ck_assert_str_eq(rendered(400), INVALID_HEAD "{\"field\":\"name\",\"rule\":\"invalid\","
                                               "\"reason\":\"duplicate key\"}]}");
}
END_TEST

/* A body of another type is 415 with the spec's text; an untyped one is not JSON either. */
START_TEST(test_media_type_is_415) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_PROBLEM);
  static const char *const refused[] = {"text/plain", NULL};
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    ck_assert_int_eq(build_typed(GW_POST, "/v2/api-products", NULL, "{}", refused[i]), -1);
    ck_assert_int_eq(gw_dialect_error_http(d, &err), 415);
    ck_assert_str_eq(rendered(415),
                     "{\"status\":415,\"title\":\"Unsupported Media Type\","
                     "\"instance\":\"" TRACE_ABC "\",\"detail\":\"This API only supports "
                     "requests with `Content-Type: application/json`\"}");
  }
  ck_assert_int_eq(build_typed(GW_POST, "/v2/api-products", NULL, "", "text/plain"), -1);
  ck_assert_int_eq(build_typed(GW_POST, "/v2/api-products", NULL, "{\"name\":\"n\"}",
                               "application/merge-patch+json"),
                   0);
  ck_assert_int_eq(build_typed(GW_POST, "/v2/api-products", NULL, "", NULL), 0);
}
END_TEST

START_TEST(test_query_type_errors_name_the_parameter) {
  ck_assert_int_eq(build(GW_GET, "/v2/api-products", "page%5Bnumber%5D=x", NULL), -1);
  ck_assert_str_eq(rendered(400),
                   INVALID_HEAD "{\"field\":\"page[number]\",\"rule\":"
                                "\"is_integer\",\"reason\":\"page[number] must be an integer\"}]}");
}
END_TEST

int main(void) {
  Suite *s = suite_create("gateway_konnect");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_parameter_names_belong_to_the_path);
  tcase_add_test(tc, test_same_path_must_keep_its_names);
  tcase_add_test(tc, test_accept_variant_is_chosen_by_name);
  tcase_add_test(tc, test_variant_rules);
  tcase_add_test(tc, test_filter_without_operator_means_eq);
  tcase_add_test(tc, test_body_may_not_name_path_fields);
  tcase_add_test(tc, test_body_problems_all_listed);
  tcase_add_test(tc, test_media_type_is_415);
  tcase_add_test(tc, test_query_type_errors_name_the_parameter);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
