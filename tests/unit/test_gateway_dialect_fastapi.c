/* test_gateway_dialect_fastapi.c - the "fastapi" error dialect (gateway/dialect_fastapi.c,
 * its row in dialect.c) and the facts it renders from: where request.c places a violation
 * and where a body that is not JSON stops. Whole-body compares throughout. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dialect.h"
#include "gateway/gateway.h"
#include "hangar/resources/v1/wrappers.pb-c.h"
#include "gateway/request.h"
#include "gateway/router.h"
#include "json/transcode.h"

#define FA gw_dialect(GW_DIALECT_FASTAPI)

static hg_buf_t out;
static gw_error_t e;

static void setup(void) {
  hg_buf_free(&out);
  gw_error_init(&e);
}

static void teardown(void) { hg_buf_free(&out); }

/* e rendered in dialect d with the HTTP code the dialect gives it. */
static const char *render_in(const gw_dialect_t *d) {
  hg_buf_free(&out);
  ck_assert_int_eq(gw_dialect_render(d, &e, gw_dialect_error_http(d, &e), &out), 0);
  return out.p;
}

static const char *render(void) { return render_in(FA); }

static hg_violation_t *violate(gw_in_t in, const char *field, const char *rule,
                               const char *description) {
  e.st.code = HG_INVALID_ARGUMENT;
  e.st.message = "Invalid request";
  e.where[e.st.n_violations].in = in;
  return hg_status_violation(&e.st, field, rule, description);
}

/* ---- plain errors ----------------------------------------------------------------------- */

START_TEST(test_fastapi_plain_errors_are_detail_strings) {
  static const struct {
    hg_code_t code;
    const char *message;
    int http;
  } cases[] = {
      {HG_NOT_FOUND, "Resource not found", 404},
      {HG_NOT_FOUND, "Wrapper not found", 404},
      {HG_UNAUTHENTICATED, "Not authenticated", 401},
      {HG_PERMISSION_DENIED, "Not enough permissions", 403},
      {HG_FAILED_PRECONDITION, "Wrapper with ID 'wrapper_123' does not exist", 400},
      {HG_ALREADY_EXISTS, "Resource with this identifier already exists", 400},
      {HG_ABORTED, "Failed to create resource", 400},
      {HG_INVALID_ARGUMENT, "Invalid request", 422}, /* no violations: still a string */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    gw_error_init(&e);
    hg_status_set(&e.st, cases[i].code, cases[i].message);
    e.st.detail = "a detail FastAPI does not show";
    ck_assert_int_eq(gw_dialect_error_http(FA, &e), cases[i].http);
    char want[160];
    snprintf(want, sizeof(want), "{\"detail\":\"%s\"}", cases[i].message);
    ck_assert_str_eq(render(), want);
  }
}
END_TEST

/* A 5xx never shows the message it came with (it may be a C-level cause). */
START_TEST(test_fastapi_5xx_use_own_texts) {
  hg_status_set(&e.st, HG_INTERNAL, "out of memory");
  ck_assert_str_eq(render(), "{\"detail\":\"Internal server error\"}");
  hg_status_set(&e.st, HG_UNAVAILABLE, "failed to connect to unix:/tmp/x.sock");
  ck_assert_str_eq(render(), "{\"detail\":\"Service Unavailable\"}");
  hg_status_set(&e.st, HG_DEADLINE_EXCEEDED, "Deadline Exceeded");
  ck_assert_str_eq(render(), "{\"detail\":\"Gateway Timeout\"}");
  /* the KtrlPlane dialect keeps passing its service's words through */
  hg_status_set(&e.st, HG_UNAVAILABLE, "Authentication service unavailable");
  ck_assert_str_eq(render_in(gw_dialect(GW_DIALECT_KTRLPLANE)),
                   "{\"error\":\"Authentication service unavailable\"}");
}
END_TEST

START_TEST(test_fastapi_http_codes_are_table_settings) {
  static const struct {
    hg_code_t code;
    int http;
  } want[] = {
      {HG_INVALID_ARGUMENT, 422},  {HG_FAILED_PRECONDITION, 400},
      {HG_ALREADY_EXISTS, 400},    {HG_ABORTED, 400},
      {HG_NOT_FOUND, 404},         {HG_UNAUTHENTICATED, 401},
      {HG_PERMISSION_DENIED, 403}, {HG_INTERNAL, 500},
      {HG_UNAVAILABLE, 503},
  };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    ck_assert_int_eq(gw_dialect_http(FA, want[i].code), want[i].http);
}
END_TEST

/* A body FastAPI cannot read at all is its 400 string, not a validation list. */
START_TEST(test_fastapi_unreadable_body_is_400_string) {
  static const char *const rules[] = {"utf8", "depth"};
  for (size_t i = 0; i < 2; i++) {
    gw_error_init(&e);
    violate(GW_IN_BODY, "name", rules[i], "invalid UTF-8 at offset 3");
    e.st.message = gw_dialect_text(FA, GW_TEXT_BAD_BODY);
    ck_assert_int_eq(gw_dialect_error_http(FA, &e), 400);
    ck_assert_str_eq(render(), "{\"detail\":\"There was an error parsing the body\"}");
  }
}
END_TEST

/* ---- validation lists ------------------------------------------------------------------- */

START_TEST(test_fastapi_seed_missing_field) {
  violate(GW_IN_BODY, "wrapper_id", "required", "field required");
  ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"body\",\"wrapper_id\"],"
                             "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
}
END_TEST

START_TEST(test_fastapi_one_entry_per_violation) {
  violate(GW_IN_BODY, "wrapper_id", "required", "field required");
  violate(GW_IN_BODY, "name", "not_null", "none is not an allowed value");
  violate(GW_IN_PATH, "id", "invalid", "Invalid objectid");
  ck_assert_str_eq(render(),
                   "{\"detail\":["
                   "{\"loc\":[\"body\",\"wrapper_id\"],\"msg\":\"field required\","
                   "\"type\":\"value_error.missing\"},"
                   "{\"loc\":[\"body\",\"name\"],\"msg\":\"none is not an allowed value\","
                   "\"type\":\"type_error.none.not_allowed\"},"
                   "{\"loc\":[\"path\",\"id\"],\"msg\":\"Invalid objectid\","
                   "\"type\":\"value_error\"}]}");
}
END_TEST

START_TEST(test_fastapi_rule_words) {
  static const struct {
    const char *rule, *msg, *type;
  } words[] = {
      {"is_string", "str type expected", "type_error.str"},
      {"is_integer", "value is not a valid integer", "type_error.integer"},
      {"is_number", "value is not a valid float", "type_error.float"},
      {"is_boolean", "value could not be parsed to a boolean", "type_error.bool"},
      {"is_object", "value is not a valid dict", "type_error.dict"},
      {"is_array", "value is not a valid list", "type_error.list"},
      {"unknown_property", "extra fields not permitted", "value_error.extra"},
      {"datetime", "invalid datetime format", "value_error.datetime"},
      {"enum", "unknown value \\\"x\\\"", "value_error"}, /* not in the table: as described */
  };
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    gw_error_init(&e);
    violate(GW_IN_BODY, "f", words[i].rule, "unknown value \"x\"");
    char want[256];
    snprintf(want, sizeof(want),
             "{\"detail\":[{\"loc\":[\"body\",\"f\"],\"msg\":\"%s\",\"type\":\"%s\"}]}",
             words[i].msg, words[i].type);
    ck_assert_str_eq(render(), want);
  }
}
END_TEST

START_TEST(test_fastapi_bounds_carry_ctx) {
  hg_violation_minimum(violate(GW_IN_QUERY, "skip", "minimum", "too small"), 0);
  hg_violation_maximum(violate(GW_IN_QUERY, "limit", "maximum", "too big"), 50);
  violate(GW_IN_QUERY, "offset", "minimum", "must not be negative"); /* no bound carried */
  ck_assert_str_eq(render(),
                   "{\"detail\":["
                   "{\"loc\":[\"query\",\"skip\"],\"msg\":\"ensure this value is greater than "
                   "or equal to 0\",\"type\":\"value_error.number.not_ge\","
                   "\"ctx\":{\"limit_value\":0}},"
                   "{\"loc\":[\"query\",\"limit\"],\"msg\":\"ensure this value is less than or "
                   "equal to 50\",\"type\":\"value_error.number.not_le\","
                   "\"ctx\":{\"limit_value\":50}},"
                   "{\"loc\":[\"query\",\"offset\"],\"msg\":\"must not be negative\","
                   "\"type\":\"value_error\"}]}");
}
END_TEST

START_TEST(test_fastapi_loc_follows_field_paths) {
  violate(GW_IN_BODY, "settings.tags[2].name", "is_string", NULL);
  violate(GW_IN_HEADER, "Authorization", "invalid", "must be printable ASCII");
  violate(GW_IN_UNKNOWN, "a.b", "invalid", NULL);
  violate(GW_IN_BODY, "", "is_object", NULL);
  ck_assert_str_eq(render(),
                   "{\"detail\":["
                   "{\"loc\":[\"body\",\"settings\",\"tags\",2,\"name\"],"
                   "\"msg\":\"str type expected\",\"type\":\"type_error.str\"},"
                   "{\"loc\":[\"header\",\"Authorization\"],\"msg\":\"must be printable ASCII\","
                   "\"type\":\"value_error\"},"
                   "{\"loc\":[\"a\",\"b\"],\"msg\":\"invalid value\",\"type\":\"value_error\"},"
                   "{\"loc\":[\"body\"],\"msg\":\"value is not a valid dict\","
                   "\"type\":\"type_error.dict\"}]}");
}
END_TEST

START_TEST(test_fastapi_jsondecode_entry) {
  const char *doc = "{\n\"a\": }";
  violate(GW_IN_BODY, "", "json_syntax", "'}' unexpected");
  ck_assert_int_eq(gw_json_syntax(doc, strlen(doc), &e.where[0].syntax), 1);
  e.where[0].doc = hg_str_c(doc);
  ck_assert_str_eq(render(),
                   "{\"detail\":[{\"loc\":[\"body\",7],"
                   "\"msg\":\"Expecting value: line 2 column 6 (char 7)\","
                   "\"type\":\"value_error.jsondecode\",\"ctx\":{\"msg\":\"Expecting value\","
                   "\"doc\":\"{\\n\\\"a\\\": }\",\"pos\":7,\"lineno\":2,\"colno\":6}}]}");
}
END_TEST

/* The same facts leave the KtrlPlane body as it always was. */
START_TEST(test_ktrlplane_ignores_places) {
  violate(GW_IN_PATH, "id", "invalid", "Invalid objectid");
  e.where[0].syntax.msg = "Expecting value";
  ck_assert_str_eq(render_in(gw_dialect(GW_DIALECT_KTRLPLANE)),
                   "{\"error\":\"Invalid request\",\"details\":\"id: Invalid objectid\"}");
}
END_TEST

/* ---- through the real wrapper routes ---------------------------------------------------- */

static gw_router_t *router;
static hg_arena_t *arena;
static gw_match_t m;
static gw_request_in_t in;

static void routes_setup(void) {
  setup();
  router = gw_router_new();
  arena = hg_arena_new();
  const gw_route_table_t *tables[] = {&gw_routes_wrappers, &gw_routes_wrapper_resources};
  for (size_t t = 0; t < 2; t++)
    for (size_t i = 0; i < tables[t]->n; i++)
      ck_assert_int_eq(gw_router_add(router, &tables[t]->routes[i], NULL), 0);
}

static void routes_teardown(void) {
  gw_router_free(router);
  hg_arena_free(arena);
  teardown();
}

/* Routes the request and builds its message, sent with this Content-Type (NULL: none);
 * returns gw_request_build's rc (e filled). */
static int build_typed(gw_method_t method, const char *path, const char *query, const char *body,
                       const char *content_type) {
  ck_assert_int_eq(gw_router_match(router, method, path, strlen(path), arena, &m), GW_MATCH_OK);
  const ProtobufCMethodDescriptor *md =
      protobuf_c_service_descriptor_get_method_by_name(m.route->service, m.route->rpc);
  in = (gw_request_in_t){.desc = md->input,
                         .body_mode = m.route->body,
                         .query_mode = m.route->query,
                         .match = &m,
                         .query = hg_str_c(query ? query : ""),
                         .body = hg_str_c(body ? body : ""),
                         .content_type = content_type,
                         .flags = m.route->flags};
  ProtobufCMessage *msg;
  gw_error_init(&e);
  return gw_request_build(&in, FA, arena, &msg, &e);
}

static int build(gw_method_t method, const char *path, const char *query, const char *body) {
  return build_typed(method, path, query, body, NULL);
}

START_TEST(test_build_malformed_json_locates_like_python) {
  ck_assert_int_eq(build(GW_POST, "/resources/", NULL, "{\"wrapper_id\": }"), -1);
  ck_assert_str_eq(e.st.violations[0].rule, "json_syntax");
  ck_assert_int_eq(gw_dialect_error_http(FA, &e), 422);
  ck_assert_str_eq(render(),
                   "{\"detail\":[{\"loc\":[\"body\",15],"
                   "\"msg\":\"Expecting value: line 1 column 16 (char 15)\","
                   "\"type\":\"value_error.jsondecode\",\"ctx\":{\"msg\":\"Expecting value\","
                   "\"doc\":\"{\\\"wrapper_id\\\": }\",\"pos\":15,\"lineno\":1,\"colno\":16}}]}");
}
END_TEST

/* Text Python reads but our parser refuses: our words, at the key or value they are about. */
START_TEST(test_build_parser_refusals_in_our_words) {
  static const struct {
    const char *body, *want;
  } cases[] = {
      {"{\"name\":\"a\",\"name\":\"b\"}",
       "{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"duplicate key\","
       "\"type\":\"value_error.jsondecode\"}]}"},
      {"{\"name\":NaN}", "{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"NaN and Infinity "
                         "are not JSON numbers\",\"type\":\"value_error.jsondecode\"}]}"},
      {"\xef\xbb\xbf{}", "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"a byte order mark is not "
                         "allowed\",\"type\":\"value_error.jsondecode\"}]}"},
      {"{\"name\":1e400}", "{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"number too "
                           "large\",\"type\":\"value_error\"}]}"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(build(GW_POST, "/wrappers", NULL, cases[i].body), -1);
    ck_assert_ptr_null(e.where[0].syntax.msg);
    ck_assert_int_eq(gw_dialect_error_http(FA, &e), 422);
    ck_assert_str_eq(render(), cases[i].want);
  }
}
END_TEST

START_TEST(test_build_lists_every_body_problem) {
  ck_assert_int_eq(build(GW_POST, "/wrappers", NULL, "{\"name\":5,\"description\":3,\"foo\":1}"),
                   -1);
  ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"str type "
                             "expected\",\"type\":\"type_error.str\"},{\"loc\":[\"body\","
                             "\"description\"],\"msg\":\"str type expected\",\"type\":"
                             "\"type_error.str\"},{\"loc\":[\"body\",\"foo\"],\"msg\":\"extra "
                             "fields not permitted\",\"type\":\"value_error.extra\"}]}");
}
END_TEST

/* FastAPI's required body: absent is one "field required" for the body as a whole. */
START_TEST(test_build_empty_body_is_required) {
  static const char want[] = "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"field required\","
                             "\"type\":\"value_error.missing\"}]}";
  ck_assert_int_eq(build(GW_POST, "/wrappers", NULL, ""), -1);
  ck_assert_str_eq(render(), want);
  ck_assert_int_eq(build_typed(GW_POST, "/resources", NULL, "", "text/plain"), -1);
  ck_assert_str_eq(render(), want);
  ck_assert_int_eq(build(GW_PATCH, "/resources/507f1f77bcf86cd799439011", NULL, ""), -1);
  ck_assert_str_eq(render(), want);
}
END_TEST

/* FastAPI reads JSON, +json or untyped bodies; others are raw bytes, "not a valid dict". */
START_TEST(test_build_other_media_type_is_not_a_dict) {
  static const char *const refused[] = {"text/plain", "application/x-www-form-urlencoded"};
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    ck_assert_int_eq(build_typed(GW_POST, "/wrappers", NULL, "{\"name\":\"n\"}", refused[i]), -1);
    ck_assert_int_eq(gw_dialect_error_http(FA, &e), 422);
    ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"value is not a "
                               "valid dict\",\"type\":\"type_error.dict\"}]}");
  }
  ck_assert_int_eq(build_typed(GW_POST, "/wrappers", NULL, "{\"name\":\"n\"}", "application/json"),
                   0);
  ck_assert_int_eq(build_typed(GW_POST, "/wrappers", NULL, "{\"name\":\"n\"}",
                               "application/vnd.x+json; charset=utf-8"),
                   0);
  ck_assert_int_eq(build(GW_POST, "/wrappers", NULL, "{\"name\":\"n\"}"), 0);
}
END_TEST

START_TEST(test_build_wrong_types_and_unknown_fields) {
  ck_assert_int_eq(build(GW_POST, "/resources", NULL, "{\"name\": 5}"), -1);
  ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"body\",\"name\"],"
                             "\"msg\":\"str type expected\",\"type\":\"type_error.str\"}]}");
  ck_assert_int_eq(build(GW_POST, "/resources", NULL, "{\"colour\": \"red\"}"), -1);
  ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"body\",\"colour\"],"
                             "\"msg\":\"extra fields not permitted\","
                             "\"type\":\"value_error.extra\"}]}");
  ck_assert_int_eq(build(GW_GET, "/resources", "limit=ten", NULL), -1);
  ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"query\",\"limit\"],"
                             "\"msg\":\"value is not a valid integer\","
                             "\"type\":\"type_error.integer\"}]}");
  ck_assert_int_eq(build(GW_GET, "/resources/a%2Fb", NULL, NULL), -1);
  ck_assert_str_eq(render(), "{\"detail\":[{\"loc\":[\"path\",\"id\"],"
                             "\"msg\":\"must not contain '/'\",\"type\":\"value_error\"}]}");
}
END_TEST

/* A service's violations name message fields; the route says where each one came from. */
START_TEST(test_locate_places_service_violations) {
  static const struct {
    gw_method_t method;
    const char *path, *query, *field;
    gw_in_t want;
  } cases[] = {
      {GW_GET, "/resources/abc", NULL, "id", GW_IN_PATH},
      {GW_PATCH, "/resources/abc", NULL, "endPeriod", GW_IN_BODY},
      {GW_POST, "/resources", NULL, "wrapper_id", GW_IN_BODY},
      {GW_POST, "/resources", NULL, "", GW_IN_BODY},
      {GW_GET, "/resources", "limit=0", "limit", GW_IN_QUERY},
      {GW_GET, "/wrappers", NULL, "skip", GW_IN_QUERY},
      {GW_GET, "/wrappers", NULL, "", GW_IN_UNKNOWN},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(build(cases[i].method, cases[i].path, cases[i].query, "{}"), 0);
    hg_status_set(&e.st, HG_INVALID_ARGUMENT, "Invalid request");
    hg_status_violation(&e.st, cases[i].field, "invalid", "bad");
    gw_request_locate(&in, &e);
    ck_assert_msg(e.where[0].in == cases[i].want, "case %zu: placed %d", i, e.where[0].in);
  }
}
END_TEST

/* Where a route binds both, a field the query names is the query's. */
START_TEST(test_locate_query_beats_body_when_named) {
  ck_assert_int_eq(build(GW_POST, "/resources", NULL, "{}"), 0);
  in.query_mode = GW_QUERY_FIELDS;
  in.query = HG_STR("name=x");
  hg_status_set(&e.st, HG_INVALID_ARGUMENT, "Invalid request");
  hg_status_violation(&e.st, "name", "invalid", "bad");
  hg_status_violation(&e.st, "type", "invalid", "bad");
  gw_request_locate(&in, &e);
  ck_assert_int_eq(e.where[0].in, GW_IN_QUERY);
  ck_assert_int_eq(e.where[1].in, GW_IN_BODY);
}
END_TEST

/* A list route answers one field of its response: the bare array FastAPI's List[...] is. */
START_TEST(test_response_field_is_the_body) {
  Hangar__Resources__V1__WrapperResource r = HANGAR__RESOURCES__V1__WRAPPER_RESOURCE__INIT;
  Hangar__Resources__V1__WrapperResource *rs = &r;
  Hangar__Resources__V1__ListWrapperResourcesResponse resp =
      HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_RESPONSE__INIT;
  r.id = "507f1f77bcf86cd799439011";
  r.wrapper_id = r.name = r.type = "x";
  resp.resources = &rs;
  resp.n_resources = 1;
  ck_assert_int_eq(tc_encode_field(&resp.base, "resources", &out), 0);
  ck_assert_str_eq(out.p, "[{\"id\":\"507f1f77bcf86cd799439011\",\"wrapper_id\":\"x\","
                          "\"name\":\"x\",\"type\":\"x\",\"startPeriod\":null,"
                          "\"endPeriod\":null}]");
  ck_assert_int_eq(tc_encode_field(&resp.base, "items", &out), TC_EUNKNOWN_FIELD);
  resp.n_resources = 0;
  hg_buf_reset(&out);
  ck_assert_int_eq(tc_encode_field(&resp.base, "resources", &out), 0);
  ck_assert_str_eq(out.p, "[]");
}
END_TEST

/* Every row of the surface checks at start; a response naming no field stops the gateway. */
START_TEST(test_route_rows_check) {
  char err[256];
  const gw_route_table_t *tables[] = {&gw_routes_wrappers, &gw_routes_wrapper_resources};
  for (size_t t = 0; t < 2; t++)
    for (size_t i = 0; i < tables[t]->n; i++)
      ck_assert_msg(gw_route_check(&tables[t]->routes[i], err, sizeof(err)) == 0, "%s", err);
  gw_route_t bad = gw_routes_wrappers.routes[1];
  bad.response = "items";
  ck_assert_int_eq(gw_route_check(&bad, err, sizeof(err)), -1);
  ck_assert_str_eq(err, "route GET /wrappers: response 'items' is not a field of "
                        "hangar.resources.v1.ListWrappersResponse");
}
END_TEST

int main(void) {
  Suite *s = suite_create("gateway_dialect_fastapi");
  TCase *tc = tcase_create("render");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_fastapi_plain_errors_are_detail_strings);
  tcase_add_test(tc, test_fastapi_5xx_use_own_texts);
  tcase_add_test(tc, test_fastapi_http_codes_are_table_settings);
  tcase_add_test(tc, test_fastapi_unreadable_body_is_400_string);
  tcase_add_test(tc, test_fastapi_seed_missing_field);
  tcase_add_test(tc, test_fastapi_one_entry_per_violation);
  tcase_add_test(tc, test_fastapi_rule_words);
  tcase_add_test(tc, test_fastapi_bounds_carry_ctx);
  tcase_add_test(tc, test_fastapi_loc_follows_field_paths);
  tcase_add_test(tc, test_fastapi_jsondecode_entry);
  tcase_add_test(tc, test_ktrlplane_ignores_places);
  suite_add_tcase(s, tc);
  TCase *tr = tcase_create("routes");
  tcase_add_checked_fixture(tr, routes_setup, routes_teardown);
  tcase_add_test(tr, test_build_malformed_json_locates_like_python);
  tcase_add_test(tr, test_build_parser_refusals_in_our_words);
  tcase_add_test(tr, test_build_lists_every_body_problem);
  tcase_add_test(tr, test_build_empty_body_is_required);
  tcase_add_test(tr, test_build_other_media_type_is_not_a_dict);
  tcase_add_test(tr, test_build_wrong_types_and_unknown_fields);
  tcase_add_test(tr, test_locate_places_service_violations);
  tcase_add_test(tr, test_locate_query_beats_body_when_named);
  tcase_add_test(tr, test_response_field_is_the_body);
  tcase_add_test(tr, test_route_rows_check);
  suite_add_tcase(s, tr);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
