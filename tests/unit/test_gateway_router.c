/* test_gateway_router.c - gateway/router.c (segment trie, with the path decoding it asks of
 * gateway/uri.c) and gateway/dialect.c (error bodies, gRPC code -> HTTP). The query rules of
 * uri.c are in test_gateway_uri.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/dialect.h"
#include "gateway/gateway.h"
#include "gateway/route.h"
#include "gateway/router.h"
#include "gateway/uri.h"

#define D GW_DIALECT_KTRLPLANE
#define R(m, p)                                                                                    \
  { .method = (m), .path = (p), .success = 200, .dialect = D }

static const gw_route_t kp_routes[] = {
    R(GW_GET, "/api/v1/projects/{project_id}/resources"),
    R(GW_POST, "/api/v1/projects/{project_id}/resources"),
    R(GW_GET, "/api/v1/projects/{project_id}/resources/{resource_id}"),
    R(GW_PUT, "/api/v1/projects/{project_id}/resources/{resource_id}"),
    R(GW_DELETE, "/api/v1/projects/{project_id}/resources/{resource_id}"),
    R(GW_GET, "/a/{x}/c"),
    R(GW_GET, "/a/b/d"),
    R(GW_GET, "/a/b"),
    R(GW_GET, "/a/{x}"),
    R(GW_GET, "/healthz"),
};
#define N_KP (sizeof(kp_routes) / sizeof(kp_routes[0]))

static gw_router_t *router;
static hg_arena_t *arena;
static gw_match_t m;

static void setup(void) {
  router = gw_router_new();
  arena = hg_arena_new();
  ck_assert_ptr_nonnull(router);
  for (size_t i = 0; i < N_KP; i++)
    ck_assert_int_eq(gw_router_add(router, &kp_routes[i], (void *)&kp_routes[i]), 0);
  memset(&m, 0, sizeof(m));
}

static void teardown(void) {
  gw_router_free(router);
  hg_arena_free(arena);
}

static int match(gw_method_t method, const char *path) {
  return gw_router_match(router, method, path, strlen(path), arena, &m);
}

static void assert_param(size_t i, const char *name, const char *value, int err) {
  ck_assert_uint_gt(m.n_params, i);
  ck_assert_str_eq(m.params[i].name, name);
  ck_assert_int_eq(m.params[i].err, err);
  if (value) {
    ck_assert_uint_eq(m.params[i].n, strlen(value));
    ck_assert_mem_eq(m.params[i].value, value, m.params[i].n);
  }
}

/* ---- trie ----------------------------------------------------------------------------- */

START_TEST(test_match_binds_params) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/proj-abc123/resources/res-1"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[2]);
  ck_assert_ptr_eq(m.data, &kp_routes[2]);
  ck_assert_uint_eq(m.n_params, 2);
  assert_param(0, "project_id", "proj-abc123", GW_URI_OK);
  assert_param(1, "resource_id", "res-1", GW_URI_OK);
}
END_TEST

START_TEST(test_match_method_selects_route) {
  ck_assert_int_eq(match(GW_POST, "/api/v1/projects/p/resources"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[1]);
  ck_assert_int_eq(match(GW_DELETE, "/api/v1/projects/p/resources/r"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[4]);
}
END_TEST

START_TEST(test_literal_beats_param) {
  ck_assert_int_eq(match(GW_GET, "/a/b"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[7]);
  ck_assert_uint_eq(m.n_params, 0);
  ck_assert_int_eq(match(GW_GET, "/a/z"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[8]);
  assert_param(0, "x", "z", GW_URI_OK);
}
END_TEST

START_TEST(test_dead_literal_branch_backtracks_to_param) {
  ck_assert_int_eq(match(GW_GET, "/a/b/d"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[6]);
  ck_assert_int_eq(match(GW_GET, "/a/b/c"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[5]);
  assert_param(0, "x", "b", GW_URI_OK);
}
END_TEST

START_TEST(test_trailing_slash_is_insignificant) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/resources/"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[0]);
  assert_param(0, "project_id", "p", GW_URI_OK);
  ck_assert_int_eq(match(GW_GET, "/healthz/"), GW_MATCH_OK);
}
END_TEST

START_TEST(test_empty_segments_match_nothing) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects//resources"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/resources//"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "//healthz"), GW_MATCH_NOT_FOUND);
}
END_TEST

START_TEST(test_no_match) {
  ck_assert_int_eq(match(GW_GET, "/nope"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/resources/r/extra"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "/"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, ""), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "healthz"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "/HEALTHZ"), GW_MATCH_NOT_FOUND);
}
END_TEST

START_TEST(test_too_many_segments_match_nothing) {
  char path[2 * (GW_MAX_SEGMENTS + 1) + 1] = "";
  for (int i = 0; i <= GW_MAX_SEGMENTS; i++) strcat(path, "/a");
  ck_assert_int_eq(match(GW_GET, path), GW_MATCH_NOT_FOUND);
}
END_TEST

START_TEST(test_wrong_method_reports_allow_set) {
  ck_assert_int_eq(match(GW_PATCH, "/api/v1/projects/p/resources/r"), GW_MATCH_METHOD);
  ck_assert_uint_eq(m.allow, (1u << GW_GET) | (1u << GW_HEAD) | (1u << GW_PUT) | (1u << GW_DELETE));
  ck_assert_str_eq(m.path, "/api/v1/projects/{project_id}/resources/{resource_id}");
  ck_assert_ptr_nonnull(m.route);
  hg_buf_t b = HG_BUF_INIT;
  ck_assert_int_eq(gw_allow_header(m.allow, &b), 0);
  ck_assert_str_eq(b.p, "GET, HEAD, PUT, DELETE");
  hg_buf_free(&b);
  ck_assert_int_eq(match(GW_DELETE, "/api/v1/projects/p/resources"), GW_MATCH_METHOD);
  ck_assert_uint_eq(m.allow, (1u << GW_GET) | (1u << GW_HEAD) | (1u << GW_POST));
}
END_TEST

START_TEST(test_head_answers_with_the_get_route) {
  ck_assert_int_eq(match(GW_HEAD, "/api/v1/projects/p/resources/r"), GW_MATCH_OK);
  ck_assert_int_eq(m.route->method, GW_GET);
  ck_assert_int_eq(match(GW_HEAD, "/api/v1/projects/p/resources"), GW_MATCH_OK);
  ck_assert_int_eq(m.route->method, GW_GET);
}
END_TEST

START_TEST(test_allow_header_order_and_empty) {
  hg_buf_t b = HG_BUF_INIT;
  ck_assert_int_eq(gw_allow_header((1u << GW_DELETE) | (1u << GW_POST) | (1u << GW_GET), &b), 0);
  ck_assert_str_eq(b.p, "GET, POST, DELETE");
  hg_buf_reset(&b);
  ck_assert_int_eq(gw_allow_header(0, &b), 0);
  ck_assert_uint_eq(b.n, 0);
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_build_rejects_dup_conflict_and_bad_templates) {
  static const gw_route_t dup = R(GW_GET, "/healthz/");
  static const gw_route_t other_name = R(GW_PATCH, "/api/v1/projects/{id}/resources");
  static const gw_route_t bad[] = {R(GW_GET, "no-slash"), R(GW_GET, "/a/{}"),
                                   R(GW_GET, "/a/{x"),    R(GW_GET, "/a/x}"),
                                   R(GW_GET, "/a//b"),    R(GW_GET, "/a/{x}{y}")};
  ck_assert_int_eq(gw_router_add(router, &dup, NULL), GW_ROUTER_EDUP);
  ck_assert_int_eq(gw_router_add(router, &other_name, NULL), GW_ROUTER_EPARAM);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_int_eq(gw_router_add(router, &bad[i], NULL), GW_ROUTER_ETEMPLATE);
}
END_TEST

/* ---- percent-decoding in path segments ------------------------------------------------ */

START_TEST(test_path_escapes_decode) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/%70roj/resources/a%2Bb+c"), GW_MATCH_OK);
  assert_param(0, "project_id", "proj", GW_URI_OK);
  assert_param(1, "resource_id", "a+b+c", GW_URI_OK);
  ck_assert_int_eq(match(GW_GET, "/%68ealthz"), GW_MATCH_OK); /* literals match decoded */
}
END_TEST

START_TEST(test_path_encoded_slash_binds_with_error) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/resources/a%2Fb"), GW_MATCH_OK);
  ck_assert_ptr_eq(m.route, &kp_routes[2]);
  assert_param(1, "resource_id", "a%2Fb", GW_URI_ESLASH);
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/resources/a%2fb"), GW_MATCH_OK);
  assert_param(1, "resource_id", NULL, GW_URI_ESLASH);
}
END_TEST

START_TEST(test_path_nul_and_bad_escapes) {
  static const struct {
    const char *seg;
    int err;
  } cases[] = {
      {"a%00b", GW_URI_ENUL},   {"%zz", GW_URI_EESCAPE}, {"abc%4", GW_URI_EESCAPE},
      {"abc%", GW_URI_EESCAPE}, {"%G1", GW_URI_EESCAPE}, {"%ff", GW_URI_EUTF8},
      {"%C0%AF", GW_URI_EUTF8}, {"..", GW_URI_EDOT},     {".", GW_URI_EDOT},
      {"%2E%2E", GW_URI_EDOT},  {"%2e.", GW_URI_EDOT},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/projects/p/resources/%s", cases[i].seg);
    ck_assert_int_eq(match(GW_GET, path), GW_MATCH_OK);
    assert_param(1, "resource_id", cases[i].seg, cases[i].err);
    ck_assert_str_ne(gw_uri_strerror(cases[i].err), "");
  }
}
END_TEST

START_TEST(test_bad_segment_never_matches_literal) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/%zzresources"), GW_MATCH_NOT_FOUND);
  ck_assert_int_eq(match(GW_GET, "/a/%zz"), GW_MATCH_OK); /* binds {x}, reported later */
  assert_param(0, "x", "%zz", GW_URI_EESCAPE);
}
END_TEST

START_TEST(test_path_10kb_id_binds) {
  size_t n = 10 * 1024;
  char *path = malloc(n + 64);
  strcpy(path, "/api/v1/projects/p/resources/");
  size_t base = strlen(path);
  memset(path + base, 'x', n);
  path[base + n] = '\0';
  ck_assert_int_eq(match(GW_GET, path), GW_MATCH_OK);
  ck_assert_uint_eq(m.params[1].n, n);
  ck_assert_int_eq(m.params[1].err, GW_URI_OK);
  free(path);
}
END_TEST

START_TEST(test_utf8_segment_accepted) {
  ck_assert_int_eq(match(GW_GET, "/api/v1/projects/p/resources/%C3%A9t%C3%A9"), GW_MATCH_OK);
  assert_param(1, "resource_id", "\xc3\xa9t\xc3\xa9", GW_URI_OK);
}
END_TEST

/* ---- dialects ------------------------------------------------------------------------- */

static char *render(const gw_dialect_t *d, const hg_status_t *st, int http) {
  static hg_buf_t b;
  gw_error_t e;
  gw_error_init(&e);
  e.st = *st;
  hg_buf_free(&b);
  ck_assert_int_eq(gw_dialect_render(d, &e, http, &b), 0);
  return b.p;
}

START_TEST(test_ktrlplane_renders_message_only) {
  hg_status_t st;
  hg_status_set(&st, HG_NOT_FOUND, "Resource not found");
  ck_assert_str_eq(render(gw_dialect(D), &st, 404), "{\"error\":\"Resource not found\"}");
}
END_TEST

START_TEST(test_ktrlplane_renders_detail) {
  hg_status_t st;
  hg_status_set(&st, HG_UNAUTHENTICATED, "Invalid token");
  st.detail = "token expired";
  ck_assert_str_eq(render(gw_dialect(D), &st, 401),
                   "{\"error\":\"Invalid token\",\"details\":\"token expired\"}");
}
END_TEST

START_TEST(test_ktrlplane_renders_violations_joined) {
  hg_status_t st;
  hg_status_set(&st, HG_INVALID_ARGUMENT, "Failed to create resource");
  st.detail = "Invalid resource configuration";
  hg_status_violation(&st, "id", "dns_label", "must be a DNS label");
  hg_status_violation(&st, "type", "enum", "must be one of \"Konnektr.Graph\"");
  hg_status_violation(&st, "", NULL, "body must not be empty");
  ck_assert_str_eq(render(gw_dialect(D), &st, 400),
                   "{\"error\":\"Failed to create resource\",\"details\":\"Invalid resource "
                   "configuration; id: must be a DNS label; type: must be one of "
                   "\\\"Konnektr.Graph\\\"; body must not be empty\"}");
}
END_TEST

START_TEST(test_ktrlplane_missing_message_uses_dialect_text) {
  hg_status_t st;
  hg_status_clear(&st);
  st.code = HG_UNAVAILABLE;
  ck_assert_str_eq(render(gw_dialect(D), &st, 503), "{\"error\":\"Service unavailable\"}");
  st.code = HG_INTERNAL;
  ck_assert_str_eq(render(gw_dialect(D), &st, 500), "{\"error\":\"Internal server error\"}");
}
END_TEST

START_TEST(test_dialect_texts_complete) {
  const gw_dialect_t *d = gw_dialect(D);
  ck_assert_str_eq(d->name, "ktrlplane");
  ck_assert_str_eq(d->content_type, "application/json");
  ck_assert_str_eq(gw_dialect_text(d, GW_TEXT_BAD_BODY), "Invalid request body");
  ck_assert_str_eq(gw_dialect_text(d, GW_TEXT_BAD_QUERY), "Invalid query parameter");
  ck_assert_str_eq(gw_dialect_text(d, GW_TEXT_BAD_PATH), "Invalid path parameter");
  ck_assert_str_eq(gw_dialect_text(d, GW_TEXT_NOT_FOUND), "Not found");
  for (int t = 0; t < GW_N_TEXTS; t++) ck_assert_ptr_nonnull(d->texts[t]);
  ck_assert_ptr_eq(gw_dialect((gw_dialect_id_t)99), d);
}
END_TEST

START_TEST(test_code_to_http_table) {
  static const struct {
    hg_code_t code;
    int http;
  } want[] = {
      {HG_INVALID_ARGUMENT, 400},
      {HG_UNAUTHENTICATED, 401},
      {HG_PERMISSION_DENIED, 403},
      {HG_NOT_FOUND, 404},
      {HG_ALREADY_EXISTS, 409},
      {HG_ABORTED, 409},
      {HG_FAILED_PRECONDITION, 409},
      {HG_RESOURCE_EXHAUSTED, 429},
      {HG_UNIMPLEMENTED, 501},
      {HG_UNAVAILABLE, 503},
      {HG_DEADLINE_EXCEEDED, 504},
      {HG_INTERNAL, 500},
      {HG_UNKNOWN, 500},
      {HG_DATA_LOSS, 500},
  };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    ck_assert_int_eq(gw_dialect_http(gw_dialect(D), want[i].code), want[i].http);
}
END_TEST

START_TEST(test_dialect_override_is_table_setting) {
  gw_dialect_t fastapi = *gw_dialect(D);
  fastapi.http[HG_INVALID_ARGUMENT] = 422;
  ck_assert_int_eq(gw_dialect_http(&fastapi, HG_INVALID_ARGUMENT), 422);
  ck_assert_int_eq(gw_dialect_http(&fastapi, HG_NOT_FOUND), 404);
  ck_assert_int_eq(gw_dialect_http(gw_dialect(D), HG_INVALID_ARGUMENT), 400);
}
END_TEST

/* ---- the real route tables ------------------------------------------------------------ */

START_TEST(test_real_tables_check_and_build) {
  const gw_route_table_t *tables[] = {&gw_routes_ops, &gw_routes_ktrlplane, &gw_routes_auth};
  gw_router_t *r = gw_router_new();
  char err[256] = "";
  for (size_t t = 0; t < 3; t++)
    for (size_t i = 0; i < tables[t]->n; i++) {
      const gw_route_t *row = &tables[t]->routes[i];
      ck_assert_msg(gw_route_check(row, err, sizeof(err)) == 0, "%s", err);
      ck_assert_int_eq(gw_router_add(r, row, NULL), 0);
    }
  ck_assert_int_eq(gw_router_match(r, GW_DELETE, "/auth/v1/tokens/tok-1", 21, arena, &m),
                   GW_MATCH_OK);
  ck_assert_str_eq(m.route->rpc, "DeleteToken");
  ck_assert_int_eq(m.route->success, 204);
  assert_param(0, "id", "tok-1", GW_URI_OK);
  ck_assert_int_eq(gw_router_match(r, GW_PUT, "/auth/v1/role-bindings", 22, arena, &m),
                   GW_MATCH_METHOD);
  ck_assert_uint_eq(m.allow, (1u << GW_GET) | (1u << GW_HEAD) | (1u << GW_POST));
  gw_router_free(r);
}
END_TEST

START_TEST(test_route_check_rejects_bad_rows) {
  gw_route_t row = gw_routes_ktrlplane.routes[2];
  char err[256];
  row.rpc = "NoSuchRpc";
  ck_assert_int_eq(gw_route_check(&row, err, sizeof(err)), -1);
  row = gw_routes_ktrlplane.routes[2];
  row.path = "/api/v1/projects/{projectId}/resources/{resource_id}";
  ck_assert_int_eq(gw_route_check(&row, err, sizeof(err)), -1);
  ck_assert_ptr_nonnull(strstr(err, "projectId"));
  row = gw_routes_ktrlplane.routes[2];
  row.success = 203;
  ck_assert_int_eq(gw_route_check(&row, err, sizeof(err)), -1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("gateway_router");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_match_binds_params);
  tcase_add_test(tc, test_match_method_selects_route);
  tcase_add_test(tc, test_literal_beats_param);
  tcase_add_test(tc, test_dead_literal_branch_backtracks_to_param);
  tcase_add_test(tc, test_trailing_slash_is_insignificant);
  tcase_add_test(tc, test_empty_segments_match_nothing);
  tcase_add_test(tc, test_no_match);
  tcase_add_test(tc, test_too_many_segments_match_nothing);
  tcase_add_test(tc, test_wrong_method_reports_allow_set);
  tcase_add_test(tc, test_head_answers_with_the_get_route);
  tcase_add_test(tc, test_allow_header_order_and_empty);
  tcase_add_test(tc, test_build_rejects_dup_conflict_and_bad_templates);
  tcase_add_test(tc, test_path_escapes_decode);
  tcase_add_test(tc, test_path_encoded_slash_binds_with_error);
  tcase_add_test(tc, test_path_nul_and_bad_escapes);
  tcase_add_test(tc, test_bad_segment_never_matches_literal);
  tcase_add_test(tc, test_path_10kb_id_binds);
  tcase_add_test(tc, test_utf8_segment_accepted);
  tcase_add_test(tc, test_ktrlplane_renders_message_only);
  tcase_add_test(tc, test_ktrlplane_renders_detail);
  tcase_add_test(tc, test_ktrlplane_renders_violations_joined);
  tcase_add_test(tc, test_ktrlplane_missing_message_uses_dialect_text);
  tcase_add_test(tc, test_dialect_texts_complete);
  tcase_add_test(tc, test_code_to_http_table);
  tcase_add_test(tc, test_dialect_override_is_table_setting);
  tcase_add_test(tc, test_real_tables_check_and_build);
  tcase_add_test(tc, test_route_check_rejects_bad_rows);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
