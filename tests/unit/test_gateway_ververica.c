/* test_gateway_ververica.c - gateway/routes/ververica.c and the row settings it uses: every
 * row can be served, the whole body binds the request's `object` (body_field), the kind's
 * plural comes from the row (preset), and the router answers a verb a kind lacks. */
#include <check.h>
#include <string.h>

#include "gateway/gateway.h"
#include "gateway/request.h"
#include "gateway/router.h"
#include "hangar/resources/v1/ververica.pb-c.h"

#include "test_run.h"

typedef Hangar__Resources__V1__ObjectRequest req_t;

static const gw_route_table_t *const tables[] = {
    &gw_routes_ververica, &gw_routes_vvp_platform, &gw_routes_vvp_apitokens,
    &gw_routes_vvp_sql,   &gw_routes_vvp_catalog,  &gw_routes_swagger,
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

static gw_router_t *router_new(void) {
  gw_router_t *r = gw_router_new();
  for (size_t t = 0; t < N_TABLES; t++)
    for (size_t i = 0; i < tables[t]->n; i++)
      ck_assert_int_eq(gw_router_add(r, &tables[t]->routes[i], NULL), 0);
  return r;
}

START_TEST(test_every_row_can_be_served) {
  char err[256];
  for (size_t t = 0; t < N_TABLES; t++)
    for (size_t i = 0; i < tables[t]->n; i++)
      ck_assert_msg(gw_route_check(&tables[t]->routes[i], err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/* Routes and binds one request; the built ObjectRequest. */
static const req_t *bind(gw_router_t *r, hg_arena_t *a, gw_method_t method, const char *path,
                         const char *json) {
  gw_match_t m;
  gw_error_t e;
  ProtobufCMessage *msg = NULL;
  ck_assert_int_eq(gw_router_match(r, method, path, strlen(path), a, &m), GW_MATCH_OK);
  const ProtobufCMethodDescriptor *md =
      protobuf_c_service_descriptor_get_method_by_name(m.route->service, m.route->rpc);
  gw_request_in_t in = {.desc = md->input,
                        .body_mode = m.route->body,
                        .match = &m,
                        .query = hg_str_c(""),
                        .body = hg_str_c(json ? json : ""),
                        .content_type = "application/json",
                        .flags = m.route->flags,
                        .body_field = m.route->body_field,
                        .preset_field = m.route->preset_field,
                        .preset_value = m.route->preset_value};
  ck_assert_int_eq(gw_request_build(&in, gw_dialect(GW_DIALECT_VERVERICA), a, &msg, &e), 0);
  return (const req_t *)msg;
}

START_TEST(test_body_binds_object_and_plural_comes_from_the_row) {
  gw_router_t *r = router_new();
  hg_arena_t *a = hg_arena_new();
  const req_t *req = bind(r, a, GW_PATCH, "/api/v1/namespaces/team/deployments/top",
                          "{\"spec\":{\"x\":1.0,\"n\":null},\"name\":\"not-a-field\"}");
  ck_assert_str_eq(req->namespace_, "team");
  ck_assert_str_eq(req->plural, "deployments");
  ck_assert_str_eq(req->name, "top");
  ck_assert_str_eq(req->object->json, "{\"spec\":{\"x\":1.0,\"n\":null},\"name\":\"not-a-field\"}");
  ck_assert_uint_eq(req->update_mask->n_paths, 2);
  req = bind(r, a, GW_GET, "/sql/v1beta1/namespaces/team/catalog-connectors/c1", NULL);
  ck_assert_str_eq(req->plural, "catalog-connectors");
  ck_assert_str_eq(req->name, "c1");
  req = bind(r, a, GW_GET, "/api/v1/namespaces/team/deployment-defaults", NULL);
  ck_assert_str_eq(req->plural, "deployment-defaults");
  ck_assert_str_eq(req->name, "");
  hg_arena_free(a);
  gw_router_free(r);
}
END_TEST

START_TEST(test_verbs_a_kind_lacks_are_405) {
  static const struct {
    gw_method_t method;
    const char *path;
  } cases[] = {
      {GW_PUT, "/api/v1/namespaces/n/secret-values/s"},
      {GW_PATCH, "/api/v1/namespaces/n/deployment-targets/t"},
      {GW_POST, "/api/v1/namespaces/n/jobs"},
      {GW_DELETE, "/api/v1/namespaces/n/deployment-defaults"},
      {GW_PUT, "/apitokens/v1/namespaces/n/apitokens/t"},
  };
  gw_router_t *r = router_new();
  hg_arena_t *a = hg_arena_new();
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    gw_match_t m;
    ck_assert_msg(gw_router_match(r, cases[i].method, cases[i].path, strlen(cases[i].path), a,
                                  &m) == GW_MATCH_METHOD,
                  "%s", cases[i].path);
  }
  hg_arena_free(a);
  gw_router_free(r);
}
END_TEST

int main(void) {
  TEST_RUN("gateway_ververica", 0, test_every_row_can_be_served,
           test_body_binds_object_and_plural_comes_from_the_row, test_verbs_a_kind_lacks_are_405);
}
