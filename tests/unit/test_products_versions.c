/* test_products_versions.c - products-svc over real gRPC: product versions (version_count,
 * gateway_service payloads, PATCH, filters and sort) and their specifications (base64 in,
 * text out, JSON or YAML only, one per version). */
#include "test_products_fixture.h"

typedef Hangar__Products__V1__CreateApiProductVersionRequest create_t;
typedef Hangar__Products__V1__UpdateApiProductVersionRequest update_t;
typedef Hangar__Products__V1__GetApiProductVersionRequest get_t;
typedef Hangar__Products__V1__DeleteApiProductVersionRequest delete_t;
typedef Hangar__Products__V1__ListApiProductVersionsRequest list_t;
typedef Hangar__Products__V1__ListApiProductVersionsResponse list_resp_t;
typedef Hangar__Products__V1__GatewayService gs_t;
typedef Hangar__Products__V1__CreateApiProductVersionSpecRequest spec_create_t;
typedef Hangar__Products__V1__UpdateApiProductVersionSpecRequest spec_update_t;
typedef Hangar__Products__V1__GetApiProductVersionSpecRequest spec_get_t;
typedef Hangar__Products__V1__DeleteApiProductVersionSpecRequest spec_delete_t;
typedef Hangar__Products__V1__ListApiProductVersionSpecsRequest spec_list_t;
typedef Hangar__Products__V1__ListApiProductVersionSpecsResponse spec_list_resp_t;

#define V(X) HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST___##X
#define U(X) HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_REQUEST___##X
#define S(X) HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_SPEC_REQUEST___##X
#define SU(X) HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_SPEC_REQUEST___##X
#define GS(X) HANGAR__PRODUCTS__V1__GATEWAY_SERVICE___##X

#define GS_ID "09b4786a-3e48-4631-8f6b-62d1d8e1a7f3"
#define CP_ID "e4d9ebb1-26b4-426a-b00e-cb67044f3baf"
/* The spec's example: "My YAML or JSON formatted OAS content" */
#define EXAMPLE_B64 "TXkgWUFNTCBvciBKU09OIGZvcm1hdHRlZCBPQVMgY29udGVudA=="

static version_t *create_version(const char *product_id, const char *name) {
  create_t v = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST__INIT;
  v.api_product_id = (char *)product_id;
  ONEOF(v, name, (char *)name, V(NAME_NAME));
  return fx_ok("CreateApiProductVersion", &v, "a-editor");
}

static int64_t version_count(const char *product_id) {
  Hangar__Products__V1__GetApiProductRequest g =
      HANGAR__PRODUCTS__V1__GET_API_PRODUCT_REQUEST__INIT;
  g.id = (char *)product_id;
  return ((product_t *)fx_ok("GetApiProduct", &g, "a-viewer"))->version_count;
}

/* ---- versions ------------------------------------------------------------------------ */

START_TEST(test_version_defaults_and_version_count) {
  product_t *p = fx_product("p", "a-editor");
  version_t *v1 = create_version(p->id, "v1");
  ck_assert(fx_matches(FX_UUID, v1->id));
  ck_assert_str_eq(v1->name, "v1");
  ck_assert_str_eq(v1->publish_status, "unpublished");
  ck_assert(!v1->deprecated);
  ck_assert_ptr_null(v1->gateway_service);
  ck_assert_uint_eq(v1->n_portals, 0);
  ck_assert(fx_matches(FX_TIME, v1->created_at));
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_VERSION_REQUEST__INIT;
  g.api_product_id = p->id;
  g.id = v1->id;
  fx_assert_same(&v1->base, fx_ok("GetApiProductVersion", &g, "a-viewer"));
  version_t *v2 = create_version(p->id, "v2");
  ck_assert_int_eq(version_count(p->id), 2);
  delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_VERSION_REQUEST__INIT;
  d.api_product_id = p->id;
  d.id = v2->id;
  fx_ok("DeleteApiProductVersion", &d, "a-editor");
  ck_assert_int_eq(version_count(p->id), 1);
  fx_fail("DeleteApiProductVersion", &d, "a-editor", HG_NOT_FOUND);
  g.id = v2->id;
  fx_fail("GetApiProductVersion", &g, "a-viewer", HG_NOT_FOUND);
  g.id = v1->id;
  fx_fail("GetApiProductVersion", &g, "b-owner", HG_NOT_FOUND);
  create_t other = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST__INIT;
  other.api_product_id = p->id;
  ONEOF(other, name, "x", V(NAME_NAME));
  fx_fail("CreateApiProductVersion", &other, "b-owner", HG_NOT_FOUND);
  other.api_product_id = "7710d5c4-d902-410b-992f-18b814155b53";
  fx_fail("CreateApiProductVersion", &other, "a-editor", HG_NOT_FOUND);
}
END_TEST

START_TEST(test_version_gateway_service_payloads) {
  product_t *p = fx_product("p", "a-editor");
  create_t v = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST__INIT;
  gs_t gs = HANGAR__PRODUCTS__V1__GATEWAY_SERVICE__INIT;
  v.api_product_id = p->id;
  ONEOF(v, name, "linked", V(NAME_NAME));
  ONEOF(v, publish_status, "published", V(PUBLISH_STATUS_PUBLISH_STATUS));
  ONEOF(v, deprecated, 1, V(DEPRECATED_DEPRECATED));
  ONEOF(gs, id, GS_ID, GS(ID_ID));
  ONEOF(gs, runtime_group_id, CP_ID, GS(RUNTIME_GROUP_ID_RUNTIME_GROUP_ID)); /* legacy */
  v.gateway_service = &gs;
  version_t *r = fx_ok("CreateApiProductVersion", &v, "a-editor");
  ck_assert_str_eq(r->publish_status, "published");
  ck_assert(r->deprecated);
  ck_assert_str_eq(r->gateway_service->id, GS_ID);
  ck_assert_str_eq(r->gateway_service->control_plane_id, CP_ID);
  ck_assert_str_eq(r->gateway_service->runtime_group_id, CP_ID);
  gs._runtime_group_id_case = 0;
  fx_invalid("CreateApiProductVersion", &v, "gateway_service.control_plane_id", "required");
  ONEOF(gs, control_plane_id, "nope", GS(CONTROL_PLANE_ID_CONTROL_PLANE_ID));
  fx_invalid("CreateApiProductVersion", &v, "gateway_service.control_plane_id", "is_uuid");
  gs._id_case = 0;
  fx_invalid("CreateApiProductVersion", &v, "gateway_service.id", "required");
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_REQUEST__INIT;
  static const char *const unlink[] = {"gateway_service", "deprecated", "notify", NULL};
  u.api_product_id = p->id;
  u.id = r->id;
  u.update_mask = fx_mask(unlink); /* gateway_service: null, deprecated: false, notify */
  ONEOF(u, deprecated, 0, U(DEPRECATED_DEPRECATED));
  ONEOF(u, notify, 1, U(NOTIFY_NOTIFY));
  version_t *after = fx_ok("UpdateApiProductVersion", &u, "a-editor");
  ck_assert_ptr_null(after->gateway_service);
  ck_assert(!after->deprecated);
  ck_assert_str_eq(after->publish_status, "published");
}
END_TEST

START_TEST(test_version_validation_and_patch) {
  product_t *p = fx_product("p", "a-editor");
  create_t v = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST__INIT;
  v.api_product_id = p->id;
  fx_invalid("CreateApiProductVersion", &v, "name", "required");
  ONEOF(v, name, "", V(NAME_NAME));
  fx_invalid("CreateApiProductVersion", &v, "name", "min_length");
  ONEOF(v, name, "v1", V(NAME_NAME));
  ONEOF(v, publish_status, "draft", V(PUBLISH_STATUS_PUBLISH_STATUS));
  hg_status_t st = fx_fail("CreateApiProductVersion", &v, "a-editor", HG_INVALID_ARGUMENT);
  const hg_violation_t *bad = fx_violation(&st, "publish_status", "enum");
  ck_assert_str_eq(bad->choices[0], "unpublished");
  ck_assert_str_eq(bad->choices[1], "published");
  ck_assert_str_eq(bad->description,
                   "publish_status must be one of the following values: unpublished, published");
  v._publish_status_case = 0;
  version_t *r = fx_ok("CreateApiProductVersion", &v, "a-editor");
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_REQUEST__INIT;
  static const char *const paths[] = {"name", "labels", NULL};
  static const char *const kv[] = {"env", "prod"};
  u.api_product_id = p->id;
  u.id = r->id;
  ONEOF(u, name, "v1.1", U(NAME_NAME));
  u.labels = fx_struct(kv, 1);
  u.update_mask = fx_mask(paths);
  version_t *after = fx_ok("UpdateApiProductVersion", &u, "a-editor");
  ck_assert_str_eq(after->name, "v1.1");
  ck_assert_str_eq(after->labels[0]->value, "prod");
  static const char *const notify_only[] = {"notify", NULL};
  u.update_mask = fx_mask(notify_only); /* "notify": null */
  fx_invalid("UpdateApiProductVersion", &u, "notify", "is_boolean");
  static const char *const path_field[] = {"api_product_id", NULL};
  u.update_mask = fx_mask(path_field);
  fx_invalid("UpdateApiProductVersion", &u, "api_product_id", "unknown_property");
}
END_TEST

START_TEST(test_version_list_filters_and_sort) {
  product_t *p = fx_product("p", "a-editor");
  static const char *const names[] = {"v2", "v1", "v3-beta"};
  for (int i = 0; i < 3; i++) {
    create_t v = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST__INIT;
    gs_t gs = HANGAR__PRODUCTS__V1__GATEWAY_SERVICE__INIT;
    v.api_product_id = p->id;
    ONEOF(v, name, (char *)names[i], V(NAME_NAME));
    if (i == 1) ONEOF(v, publish_status, "published", V(PUBLISH_STATUS_PUBLISH_STATUS));
    if (i == 2) {
      ONEOF(gs, id, GS_ID, GS(ID_ID));
      ONEOF(gs, control_plane_id, CP_ID, GS(CONTROL_PLANE_ID_CONTROL_PLANE_ID));
      v.gateway_service = &gs;
    }
    fx_ok("CreateApiProductVersion", &v, "a-editor");
  }
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_VERSIONS_REQUEST__INIT;
  l.api_product_id = p->id;
  l.sort = "name";
  list_resp_t *r = fx_ok("ListApiProductVersions", &l, "a-viewer");
  ck_assert_uint_eq(r->n_data, 3);
  ck_assert_str_eq(r->data[0]->name, "v1");
  ck_assert_str_eq(r->data[2]->name, "v3-beta");
  Hangar__Products__V1__ApiProductVersionFilter f =
      HANGAR__PRODUCTS__V1__API_PRODUCT_VERSION_FILTER__INIT;
  Hangar__Products__V1__StringFieldFilter ps = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER__INIT;
  Hangar__Products__V1__UuidFieldFilter gf = HANGAR__PRODUCTS__V1__UUID_FIELD_FILTER__INIT;
  ONEOF(ps, eq, "published", HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___EQ_EQ);
  f.publish_status = &ps;
  l.filter = &f;
  l.sort = "";
  r = fx_ok("ListApiProductVersions", &l, "a-viewer");
  ck_assert_uint_eq(r->n_data, 1);
  ck_assert_str_eq(r->data[0]->name, "v1");
  ck_assert_int_eq(r->meta->page->total, 1);
  f.publish_status = NULL;
  ONEOF(gf, eq, GS_ID, HANGAR__PRODUCTS__V1__UUID_FIELD_FILTER___EQ_EQ);
  f.gateway_service_id = &gf;
  r = fx_ok("ListApiProductVersions", &l, "a-viewer");
  ck_assert_uint_eq(r->n_data, 1);
  ck_assert_str_eq(r->data[0]->name, "v3-beta");
  l.filter = NULL;
  l.sort = "publish_status";
  hg_status_t st = fx_fail("ListApiProductVersions", &l, "a-viewer", HG_INVALID_ARGUMENT);
  ck_assert_str_eq(fx_violation(&st, "sort", "enum")->choices[0], "name");
  l.api_product_id = "7710d5c4-d902-410b-992f-18b814155b53";
  l.sort = "";
  fx_fail("ListApiProductVersions", &l, "a-viewer", HG_NOT_FOUND);
}
END_TEST

/* ---- specifications ------------------------------------------------------------------ */

static spec_create_t spec_request(const char *product_id, const char *version_id, const char *name,
                                  const char *content) {
  spec_create_t s = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
  s.api_product_id = (char *)product_id;
  s.api_product_version_id = (char *)version_id;
  if (name) ONEOF(s, name, (char *)name, S(NAME_NAME));
  if (content) ONEOF(s, content, (char *)content, S(CONTENT_CONTENT));
  return s;
}

START_TEST(test_spec_example_one_per_version) {
  product_t *p = fx_product("p", "a-editor");
  version_t *v = create_version(p->id, "v1");
  spec_create_t s = spec_request(p->id, v->id, "oas.yaml", EXAMPLE_B64);
  spec_t *spec = fx_ok("CreateApiProductVersionSpec", &s, "a-editor");
  ck_assert(fx_matches(FX_UUID, spec->id));
  ck_assert_str_eq(spec->name, "oas.yaml");
  ck_assert_str_eq(spec->content, "My YAML or JSON formatted OAS content");
  hg_status_t st = fx_fail("CreateApiProductVersionSpec", &s, "a-editor", HG_ALREADY_EXISTS);
  char want[128];
  snprintf(want, sizeof(want), "Specification for API product version '%s' already exists", v->id);
  ck_assert_str_eq(st.message, want);
  spec_get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
  g.api_product_id = p->id;
  g.api_product_version_id = v->id;
  g.id = spec->id;
  fx_assert_same(&spec->base, fx_ok("GetApiProductVersionSpec", &g, "a-viewer"));
  spec_list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_VERSION_SPECS_REQUEST__INIT;
  l.api_product_id = p->id;
  l.api_product_version_id = v->id;
  spec_list_resp_t *r = fx_ok("ListApiProductVersionSpecs", &l, "a-viewer");
  ck_assert_uint_eq(r->n_data, 1);
  ck_assert_int_eq(r->meta->page->total, 1);
  ck_assert_str_eq(r->data[0]->content, spec->content);
  spec_update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
  static const char *const both[] = {"name", "content", NULL};
  u.api_product_id = p->id;
  u.api_product_version_id = v->id;
  u.id = spec->id;
  ONEOF(u, name, "oas.json", SU(NAME_NAME));
  ONEOF(u, content, "eyJvcGVuYXBpIjoiMy4xLjAifQ==", SU(CONTENT_CONTENT)); /* {"openapi":"3.1.0"} */
  u.update_mask = fx_mask(both);
  spec_t *after = fx_ok("UpdateApiProductVersionSpec", &u, "a-editor");
  ck_assert_str_eq(after->name, "oas.json");
  ck_assert_str_eq(after->content, "{\"openapi\":\"3.1.0\"}");
  spec_delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
  d.api_product_id = p->id;
  d.api_product_version_id = v->id;
  d.id = spec->id;
  fx_ok("DeleteApiProductVersionSpec", &d, "a-editor");
  fx_fail("GetApiProductVersionSpec", &g, "a-viewer", HG_NOT_FOUND);
  fx_ok("CreateApiProductVersionSpec", &s, "a-editor"); /* the version has none again */
}
END_TEST

START_TEST(test_spec_validation) {
  product_t *p = fx_product("p", "a-editor");
  version_t *v = create_version(p->id, "v1");
  static const struct {
    const char *name, *content, *field, *rule;
  } cases[] = {
      {NULL, EXAMPLE_B64, "name", "required"},
      {"oas.yaml", NULL, "content", "required"},
      {"oas.txt", EXAMPLE_B64, "name", "matches_regex"},
      {".yaml", EXAMPLE_B64, "name", "matches_regex"},
      {"", EXAMPLE_B64, "name", "min_length"},
      {"oas.yaml", "", "content", "min_length"},
      {"oas.yaml", "not base64!", "content", "is_base64"},
      {"oas.yaml", "TWF", "content", "is_base64"},
      {"oas.json", "ewo=", "content", "invalid"}, /* "{\n": neither JSON nor YAML */
      {"oas.json", "AAEC", "content", "invalid"}, /* binary */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    spec_create_t s = spec_request(p->id, v->id, cases[i].name, cases[i].content);
    fx_invalid("CreateApiProductVersionSpec", &s, cases[i].field, cases[i].rule);
  }
  spec_create_t s = spec_request(p->id, v->id, "oas.yaml", "");
  hg_status_t st = fx_fail("CreateApiProductVersionSpec", &s, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_str_eq(fx_violation(&st, "content", "min_length")->description,
                   "content must be longer than or equal to 1 characters");
  s = spec_request(p->id, v->id, "oas.yaml", "b3BlbmFwaTogMy4wLjMKaW5mbzoKICB0aXRsZTogeAo=");
  ck_assert_str_eq(((spec_t *)fx_ok("CreateApiProductVersionSpec", &s, "a-editor"))->content,
                   "openapi: 3.0.3\ninfo:\n  title: x\n");
  s = spec_request(p->id, "7710d5c4-d902-410b-992f-18b814155b53", "oas.yaml", EXAMPLE_B64);
  fx_fail("CreateApiProductVersionSpec", &s, "a-editor", HG_NOT_FOUND);
}
END_TEST

START_TEST(test_deleting_a_version_deletes_its_spec) {
  product_t *p = fx_product("p", "a-editor");
  version_t *v = create_version(p->id, "v1");
  spec_create_t s = spec_request(p->id, v->id, "oas.yaml", EXAMPLE_B64);
  spec_t *spec = fx_ok("CreateApiProductVersionSpec", &s, "a-editor");
  delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_VERSION_REQUEST__INIT;
  d.api_product_id = p->id;
  d.id = v->id;
  fx_ok("DeleteApiProductVersion", &d, "a-editor");
  store_txn_t *txn;
  spec_record_t *rec;
  ck_assert_int_eq(store_txn_begin_read(fx.store, &txn), 0);
  ck_assert_int_eq(spec_load(txn, fx.a, p->id, v->id, spec->id, &rec), STORE_NOTFOUND);
  store_txn_end(txn);
}
END_TEST

/* A record's key is its group's key, NUL, its id: pr_load_in finds a spec under its
 * version's group and nowhere else. */
START_TEST(test_spec_loads_in_its_version_group) {
  product_t *p = fx_product("p", "a-editor");
  version_t *v = create_version(p->id, "v1"), *other = create_version(p->id, "v2");
  spec_create_t s = spec_request(p->id, v->id, "oas.yaml", EXAMPLE_B64);
  spec_t *spec = fx_ok("CreateApiProductVersionSpec", &s, "a-editor");
  store_txn_t *txn;
  void *rec = NULL;
  ck_assert_int_eq(store_txn_begin_read(fx.store, &txn), 0);
  ck_assert_int_eq(pr_load_in(txn, fx.a, PR_SPECS, pr_key2(fx.a, p->id, v->id), spec->id, &rec), 0);
  ck_assert_str_eq(((spec_t *)pr_record_inner(PR_SPECS, rec))->id, spec->id);
  ck_assert_int_eq(pr_load_in(txn, fx.a, PR_SPECS, pr_key2(fx.a, p->id, other->id), spec->id, &rec),
                   STORE_NOTFOUND);
  ck_assert_int_eq(pr_load_in(txn, fx.a, PR_SPECS, (store_val_t){NULL, 0}, spec->id, &rec),
                   STORE_ENOMEM);
  store_txn_end(txn);
}
END_TEST

int main(void) {
  Suite *s = suite_create("products_versions");
  TCase *tc = tcase_create("versions");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
  tcase_add_test(tc, test_version_defaults_and_version_count);
  tcase_add_test(tc, test_version_gateway_service_payloads);
  tcase_add_test(tc, test_version_validation_and_patch);
  tcase_add_test(tc, test_version_list_filters_and_sort);
  tcase_add_test(tc, test_spec_example_one_per_version);
  tcase_add_test(tc, test_spec_validation);
  tcase_add_test(tc, test_deleting_a_version_deletes_its_spec);
  tcase_add_test(tc, test_spec_loads_in_its_version_group);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
