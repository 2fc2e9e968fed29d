/* test_gateway_request.c - gateway/request.c: body, path and query binding onto the real
 * KtrlPlane and AuthAdmin request messages, and the gateway-made error statuses (rendered
 * in the ktrlplane dialect, whole-body compares). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dialect.h"
#include "gateway/gateway.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "gateway/request.h"
#include "gateway/router.h"

typedef Hangar__Resources__V1__ListResourcesRequest list_req_t;
typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;
typedef Hangar__Resources__V1__UpdateResourceRequest update_req_t;
typedef Hangar__Resources__V1__GetResourceRequest get_req_t;
typedef Hangar__Auth__V1__ListTokensRequest list_tokens_t;

static gw_router_t *router;
static hg_arena_t *arena;
static gw_match_t m;
static gw_error_t err;
static ProtobufCMessage *msg;
static hg_buf_t body;
static gw_query_t query_mode = GW_QUERY_DEFAULT;

static void setup(void) {
  const gw_route_table_t *tables[] = {&gw_routes_ktrlplane, &gw_routes_auth};
  router = gw_router_new();
  arena = hg_arena_new();
  for (size_t t = 0; t < 2; t++)
    for (size_t i = 0; i < tables[t]->n; i++)
      ck_assert_int_eq(gw_router_add(router, &tables[t]->routes[i], NULL), 0);
  msg = NULL;
  query_mode = GW_QUERY_DEFAULT;
  gw_error_init(&err);
}

static void teardown(void) {
  gw_router_free(router);
  hg_arena_free(arena);
  hg_buf_free(&body);
}

/* Routes method+path, then builds the request from query and body. Returns build's rc. */
static int build(gw_method_t method, const char *path, const char *query, const char *json) {
  ck_assert_int_eq(gw_router_match(router, method, path, strlen(path), arena, &m), GW_MATCH_OK);
  const ProtobufCMethodDescriptor *md =
      protobuf_c_service_descriptor_get_method_by_name(m.route->service, m.route->rpc);
  gw_request_in_t in = {.desc = md->input,
                        .body_mode = m.route->body,
                        .query_mode = query_mode,
                        .match = &m,
                        .query = hg_str_c(query ? query : ""),
                        .body = hg_str_c(json ? json : "")};
  return gw_request_build(&in, gw_dialect(GW_DIALECT_KTRLPLANE), arena, &msg, &err);
}

static const char *rendered(void) {
  hg_buf_reset(&body);
  ck_assert_int_eq(gw_dialect_render(gw_dialect(GW_DIALECT_KTRLPLANE), &err, 400, &body), 0);
  return body.p;
}

START_TEST(test_list_binds_path_and_query) {
  ck_assert_int_eq(build(GW_GET, "/api/v1/projects/p1/resources",
                         "limit=10&offset=5&unknown=x&project_id=evil&sort[by]=name", NULL),
                   0);
  const list_req_t *r = (const list_req_t *)msg;
  ck_assert_str_eq(r->project_id, "p1");
  ck_assert_int_eq(r->_limit_case, HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT);
  ck_assert_int_eq(r->limit, 10);
  ck_assert_int_eq(r->offset, 5);
}
END_TEST

START_TEST(test_query_bad_int_is_invalid_query_parameter) {
  ck_assert_int_eq(build(GW_GET, "/api/v1/projects/p1/resources", "limit=abc", NULL), -1);
  ck_assert_int_eq(err.st.code, HG_INVALID_ARGUMENT);
  ck_assert_str_eq(err.st.message, "Invalid query parameter");
  ck_assert_uint_eq(err.st.n_violations, 1);
  ck_assert_str_eq(err.st.violations[0].field, "limit");
  ck_assert_ptr_nonnull(strstr(rendered(), "{\"error\":\"Invalid query parameter\",\"details\":"
                                           "\"limit: "));
}
END_TEST

START_TEST(test_query_bad_escape_names_param) {
  ck_assert_int_eq(build(GW_GET, "/api/v1/projects/p1/resources", "offset=%zz", NULL), -1);
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid query parameter\",\"details\":"
                               "\"offset: invalid percent-escape\"}");
}
END_TEST

START_TEST(test_query_encoded_name_and_value) {
  ck_assert_int_eq(build(GW_GET, "/auth/v1/tokens", "sub%6Aect=alice%40example.com+x", NULL), 0);
  ck_assert_str_eq(((const list_tokens_t *)msg)->subject, "alice@example.com x");
}
END_TEST

START_TEST(test_body_merged_and_path_wins) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", "limit=abc",
                         "{\"id\":\"my-graph\",\"name\":\"G\",\"type\":\"Konnektr.Graph\","
                         "\"project_id\":\"evil\",\"settings_json\":{\"a\":1}}"),
                   0);
  const create_req_t *r = (const create_req_t *)msg;
  ck_assert_str_eq(r->project_id, "p1");
  ck_assert_str_eq(r->id, "my-graph");
  ck_assert_str_eq(r->type, "Konnektr.Graph");
  ck_assert_ptr_nonnull(r->settings_json);
}
END_TEST

START_TEST(test_empty_body_is_empty_object) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL, ""), 0);
  ck_assert_str_eq(((const create_req_t *)msg)->project_id, "p1");
}
END_TEST

START_TEST(test_update_mask_from_body_keys) {
  ck_assert_int_eq(build(GW_PUT, "/api/v1/projects/p1/resources/r1", NULL,
                         "{\"name\":\"n\",\"settings_json\":null}"),
                   0);
  const update_req_t *r = (const update_req_t *)msg;
  ck_assert_str_eq(r->resource_id, "r1");
  ck_assert_ptr_nonnull(r->update_mask);
  ck_assert_uint_eq(r->update_mask->n_paths, 2);
}
END_TEST

START_TEST(test_body_not_json) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL, "{nope"), -1);
  ck_assert_int_eq(err.st.code, HG_INVALID_ARGUMENT);
  ck_assert_str_eq(err.st.message, "Invalid request body");
  ck_assert_uint_eq(err.st.n_violations, 1);
  ck_assert_ptr_nonnull(strstr(rendered(), "{\"error\":\"Invalid request body\",\"details\":\""));
}
END_TEST

START_TEST(test_body_unknown_field_named) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL, "{\"colour\":1}"), -1);
  ck_assert_str_eq(err.st.violations[0].field, "colour");
  ck_assert_ptr_nonnull(strstr(rendered(), "\"details\":\"colour: "));
}
END_TEST

/* Every problem of the body, in body order, joined in the details. */
START_TEST(test_body_problems_all_in_details) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL,
                         "{\"name\":5,\"colour\":1,\"type\":[]}"),
                   -1);
  ck_assert_uint_eq(err.st.n_violations, 3);
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid request body\",\"details\":\"name: expected "
                               "a string; colour: unknown field \\\"colour\\\"; type: expected a "
                               "string\"}");
}
END_TEST

/* Text the parser refuses is worded by the transcoder, never by the parser library. */
START_TEST(test_body_parser_refusal_in_our_words) {
  ck_assert_int_eq(
      build(GW_POST, "/api/v1/projects/p1/resources", NULL, "{\"name\":\"a\\u0000b\"}"), -1);
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid request body\",\"details\":\"name: strings "
                               "must not contain \\\\u0000\"}");
}
END_TEST

START_TEST(test_body_wrong_type_named) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL, "{\"name\":5}"), -1);
  ck_assert_str_eq(err.st.violations[0].field, "name");
}
END_TEST

START_TEST(test_body_invalid_utf8_and_depth) {
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL, "{\"name\":\"\xff\"}"),
                   -1);
  ck_assert_str_eq(err.st.message, "Invalid request body");
  char deep[300] = "{\"settings_json\":";
  for (int i = 0; i < 100; i++) strcat(deep, "[");
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", NULL, deep), -1);
  ck_assert_str_eq(err.st.message, "Invalid request body");
}
END_TEST

START_TEST(test_body_ignored_without_mapping) {
  ck_assert_int_eq(build(GW_GET, "/api/v1/projects/p1/resources/r1", NULL, "{garbage"), 0);
  ck_assert_str_eq(((const get_req_t *)msg)->resource_id, "r1");
}
END_TEST

START_TEST(test_bad_path_param_reported_first) {
  ck_assert_int_eq(build(GW_PUT, "/api/v1/projects/p1/resources/a%2Fb", NULL, "{bad"), -1);
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid path parameter\",\"details\":"
                               "\"resource_id: must not contain '/'\"}");
  ck_assert_int_eq(build(GW_GET, "/api/v1/projects/%00/resources", NULL, NULL), -1);
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid path parameter\",\"details\":"
                               "\"project_id: must not contain NUL\"}");
  ck_assert_int_eq(build(GW_DELETE, "/auth/v1/tokens/..", NULL, NULL), -1);
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid path parameter\",\"details\":"
                               "\"id: must not be '.' or '..'\"}");
}
END_TEST

START_TEST(test_query_mode_is_a_route_setting) {
  const char *create = "{\"id\":\"g\",\"sku\":\"free\"}";
  ck_assert_int_eq(build(GW_POST, "/api/v1/projects/p1/resources", "sku=pro", create), 0);
  ck_assert_str_eq(((const create_req_t *)msg)->sku, "free"); /* default: body "*" only */
  query_mode = GW_QUERY_FIELDS;
  ck_assert_int_eq(
      build(GW_POST, "/api/v1/projects/p1/resources", "sku=pro&project_id=evil", create), 0);
  ck_assert_str_eq(((const create_req_t *)msg)->sku, "pro");
  ck_assert_str_eq(((const create_req_t *)msg)->project_id, "p1");
  query_mode = GW_QUERY_IGNORE;
  ck_assert_int_eq(build(GW_GET, "/api/v1/projects/p1/resources", "limit=abc", NULL), 0);
  ck_assert_int_eq(((const list_req_t *)msg)->limit, 0);
}
END_TEST

START_TEST(test_gw_invalid_copies_strings) {
  char field[16] = "Authorization";
  gw_invalid(&err, gw_dialect(GW_DIALECT_KTRLPLANE), GW_TEXT_BAD_HEADER, GW_IN_HEADER, arena, field,
             "must be printable ASCII");
  field[0] = 'X';
  ck_assert_str_eq(rendered(), "{\"error\":\"Invalid request header\",\"details\":"
                               "\"Authorization: must be printable ASCII\"}");
}
END_TEST

int main(void) {
  Suite *s = suite_create("gateway_request");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_list_binds_path_and_query);
  tcase_add_test(tc, test_query_bad_int_is_invalid_query_parameter);
  tcase_add_test(tc, test_query_bad_escape_names_param);
  tcase_add_test(tc, test_query_encoded_name_and_value);
  tcase_add_test(tc, test_body_merged_and_path_wins);
  tcase_add_test(tc, test_empty_body_is_empty_object);
  tcase_add_test(tc, test_update_mask_from_body_keys);
  tcase_add_test(tc, test_body_not_json);
  tcase_add_test(tc, test_body_unknown_field_named);
  tcase_add_test(tc, test_body_problems_all_in_details);
  tcase_add_test(tc, test_body_parser_refusal_in_our_words);
  tcase_add_test(tc, test_body_wrong_type_named);
  tcase_add_test(tc, test_body_invalid_utf8_and_depth);
  tcase_add_test(tc, test_body_ignored_without_mapping);
  tcase_add_test(tc, test_bad_path_param_reported_first);
  tcase_add_test(tc, test_query_mode_is_a_route_setting);
  tcase_add_test(tc, test_gw_invalid_copies_strings);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
