/* test_resources_ktrlplane.c - resources-svc's KtrlPlane API over real gRPC, as a caller
 * that bypasses the gateway's transcoder: settings_json arrives as hangar.json.v1.RawObject
 * text the service must check itself. The service runs on a unix socket with its store in
 * a temporary directory and a stand-in auth-svc; the reconciler waits an hour, so every
 * resource stays in "creating". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/authz.h"
#include "hangar/auth/v1/verify.pb.h"
#include "resources/reconciler.h"
#include "resources/resources.h"
#include "resources/schema.h"

#define SVC (&hangar__resources__v1__ktrl_plane__descriptor)
#define PROJECT "p1"

typedef Hangar__Resources__V1__CreateResourceRequest create_req_t;
typedef Hangar__Resources__V1__UpdateResourceRequest update_req_t;
typedef Hangar__Resources__V1__GetResourceRequest get_req_t;
typedef Hangar__Json__V1__RawObject raw_t;

/* Every token is an editor of projects/p1. */
static void verify(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  hangar_auth_v1_VerifyResponse *out = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*out));
  memset(out, 0, sizeof(*out));
  out->valid = 1;
  strcpy(out->subject, "svc:editor");
  strcpy(out->kind, "apikey");
  strcpy(out->bindings[0].scope, "projects/" PROJECT);
  strcpy(out->bindings[0].role, "editor");
  out->bindings_count = 1;
  rpc_reply(ctx, out);
}

static struct {
  char dir[64], data[96], target[128], auth_target[128];
  resources_schema_t schema;
  resources_svc_t svc;
  provisioner_t driver;
  rpc_server_t *auth, *server;
  rpc_client_t *client;
  rpc_channel_t *ch;
  hg_arena_t *a;
} fx;

static void start_auth(void) {
  ck_assert_int_eq(rpc_server_new(fx.auth_target, NULL, &fx.auth), 0);
  ck_assert_int_eq(rpc_server_add_method(fx.auth, "/hangar.auth.v1.TokenVerifier/Verify", verify,
                                         rpc_admit_public, RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  ck_assert_int_eq(rpc_server_start(fx.auth), 0);
  ck_assert_int_eq(rpc_client_new(&fx.client), 0);
  ck_assert_int_eq(authz_new(fx.client, fx.auth_target, NULL, &fx.svc.authz), 0);
}

static void setup(void) {
  memset(&fx, 0, sizeof(fx));
  snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_ktrlplane.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(fx.dir));
  snprintf(fx.data, sizeof(fx.data), "%s/data", fx.dir);
  snprintf(fx.target, sizeof(fx.target), "unix:%s/resources.sock", fx.dir);
  snprintf(fx.auth_target, sizeof(fx.auth_target), "unix:%s/auth.sock", fx.dir);
  ck_assert_int_eq(mkdir(fx.data, 0700), 0);
  start_auth();
  ck_assert_int_eq(resources_schema_init(&fx.schema), 0);
  ck_assert_int_eq(store_open(fx.data, &fx.schema.schema, NULL, &fx.svc.store), 0);
  fx.svc.provision_delay_ms = 3600 * 1000;
  fx.driver = provisioner_local("test.localhost");
  ck_assert_int_eq(reconciler_start(&fx.svc, &fx.driver, NULL, &fx.svc.reconciler), 0);
  ck_assert_int_eq(rpc_server_new(fx.target, NULL, &fx.server), 0);
  rpc_server_set_data(fx.server, &fx.svc);
  ck_assert_int_eq(ktrlplane_register(fx.server), 0);
  ck_assert_int_eq(rpc_server_start(fx.server), 0);
  ck_assert_int_eq(rpc_channel_new(fx.client, fx.target, &fx.ch), 0);
  ck_assert_ptr_nonnull(fx.a = hg_arena_new());
}

static void teardown(void) {
  rpc_server_destroy(fx.server, 1000);
  reconciler_stop(fx.svc.reconciler);
  store_close(fx.svc.store);
  authz_free(fx.svc.authz);
  rpc_client_destroy(fx.client);
  rpc_server_destroy(fx.auth, 1000);
  hg_arena_free(fx.a);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* KtrlPlane/<method>: the status code; *resp on success. */
static int call(const char *method, const void *req, hg_status_t *st, void **resp) {
  const ProtobufCMethodDescriptor *m =
      protobuf_c_service_descriptor_get_method_by_name(SVC, method);
  ck_assert_msg(m != NULL, "no method %s", method);
  rpc_md_t md = {"authorization", "Bearer editor"};
  rpc_call_opts_t o = {.deadline_ms = 10000, .md = &md, .n_md = 1, .arena = fx.a};
  hg_status_clear(st);
  return rpc_call_sync(fx.ch, rpc_method_path(fx.a, SVC, method), RPC_PBC(m->input), req,
                       RPC_PBC(m->output), &o, st, resp);
}

static resource_t *ok(const char *method, const void *req) {
  hg_status_t st;
  void *resp = NULL;
  int rc = call(method, req, &st, &resp);
  ck_assert_msg(rc == HG_OK, "%s: %s %s", method, hg_code_name(rc), st.message ? st.message : "");
  return resp;
}

/* A call refused as INVALID_ARGUMENT with message, naming settings_json. */
static void refused(const char *method, const void *req, const char *message) {
  hg_status_t st;
  void *resp = NULL;
  int rc = call(method, req, &st, &resp);
  ck_assert_msg(rc == HG_INVALID_ARGUMENT, "%s: got %s", method, hg_code_name(rc));
  ck_assert_str_eq(st.message, message);
  ck_assert_uint_eq(st.n_violations, 1);
  ck_assert_str_eq(st.violations[0].field, "settings_json");
  ck_assert_str_eq(st.violations[0].rule, "invalid");
}

static raw_t *raw(const char *text) {
  raw_t *r = hg_arena_alloc(fx.a, sizeof(*r));
  hangar__json__v1__raw_object__init(r);
  r->json = (char *)text;
  return r;
}

static create_req_t create_req(const char *id, raw_t *settings) {
  create_req_t req = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  req.project_id = PROJECT;
  req.id = (char *)id;
  req.name = "R";
  req.type = "Konnektr.Graph";
  req.settings_json = settings;
  return req;
}

static update_req_t update_req(const char *id, const char *path, raw_t *settings) {
  static char *paths[1];
  Google__Protobuf__FieldMask *mask = hg_arena_alloc(fx.a, sizeof(*mask));
  google__protobuf__field_mask__init(mask);
  paths[0] = (char *)path;
  mask->paths = paths;
  mask->n_paths = 1;
  update_req_t req = HANGAR__RESOURCES__V1__UPDATE_RESOURCE_REQUEST__INIT;
  req.project_id = PROJECT;
  req.resource_id = (char *)id;
  req.name = "Renamed";
  req.settings_json = settings;
  req.update_mask = mask;
  return req;
}

static const char *stored_settings(const char *id) {
  get_req_t get = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  get.project_id = PROJECT;
  get.resource_id = (char *)id;
  return ok("GetResource", &get)->settings_json->json;
}

START_TEST(test_create_refuses_settings_that_are_not_an_object) {
  const char *bad[] = {"[1]", "42", "\"{}\"", "{\"a\":", "{\"a\":1,\"a\":2}", "{} {}", "null"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    create_req_t req = create_req("r1", raw(bad[i]));
    refused("CreateResource", &req, "Failed to create resource");
  }
  get_req_t get = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  get.project_id = PROJECT;
  get.resource_id = "r1";
  hg_status_t st;
  void *resp;
  ck_assert_int_eq(call("GetResource", &get, &st, &resp), HG_NOT_FOUND);
}
END_TEST

START_TEST(test_create_defaults_settings_to_empty_object) {
  create_req_t req = create_req("absent", NULL);
  ck_assert_str_eq(ok("CreateResource", &req)->settings_json->json, "{}");
  req = create_req("empty-text", raw(""));
  ck_assert_str_eq(ok("CreateResource", &req)->settings_json->json, "{}");
  ck_assert_str_eq(stored_settings("empty-text"), "{}");
}
END_TEST

START_TEST(test_create_keeps_valid_text_as_sent) {
  const char *text = "{ \"ratio\": 1.0, \"big\": 9007199254740993, \"u\": \"\\u00e9\" }";
  create_req_t req = create_req("kept", raw(text));
  ck_assert_str_eq(ok("CreateResource", &req)->settings_json->json, text);
  ck_assert_str_eq(stored_settings("kept"), text);
}
END_TEST

START_TEST(test_update_checks_settings_only_when_named) {
  create_req_t c = create_req("u1", raw("{\"v\":1}"));
  ok("CreateResource", &c);
  update_req_t u = update_req("u1", "settings_json", raw("[]"));
  refused("UpdateResource", &u, "Failed to update resource");
  ck_assert_str_eq(stored_settings("u1"), "{\"v\":1}");
  u = update_req("u1", "name", raw("not json")); /* not in the mask: not applied, not read */
  ck_assert_str_eq(ok("UpdateResource", &u)->settings_json->json, "{\"v\":1}");
  u = update_req("u1", "settings_json", NULL);
  ck_assert_str_eq(ok("UpdateResource", &u)->settings_json->json, "{}");
  u = update_req("u1", "settings_json", raw("{\"v\":2.0}"));
  ck_assert_str_eq(ok("UpdateResource", &u)->settings_json->json, "{\"v\":2.0}");
  ck_assert_str_eq(stored_settings("u1"), "{\"v\":2.0}");
}
END_TEST

/* Every broken field is listed at once, in the rule table's order, in KtrlPlane's words. */
static void assert_violations(const hg_status_t *st, const char *const (*want)[3], size_t n) {
  ck_assert_uint_eq(st->n_violations, n);
  for (size_t i = 0; i < n; i++) {
    ck_assert_str_eq(st->violations[i].field, want[i][0]);
    ck_assert_str_eq(st->violations[i].rule, want[i][1]);
    ck_assert_str_eq(st->violations[i].description, want[i][2]);
    ck_assert(!hg_violation_has_extras(&st->violations[i]));
  }
}

#define SKU_WORDS "must be one of free, pro, enterprise"

START_TEST(test_every_violation_listed_in_ktrlplane_words) {
  static const char *const on_create[][3] = {
      {"id", "invalid",
       "must be a DNS label: 1-63 characters of a-z, 0-9 and '-', starting with a letter and not "
       "ending with '-'"},
      {"name", "required", "is required"},
      {"type", "invalid",
       "must be one of Konnektr.Graph, Konnektr.Flow, Konnektr.Assembler, Konnektr.Compass"},
      {"sku", "invalid", SKU_WORDS},
      {"settings_json", "invalid", "must be a JSON object"},
  };
  static const char *const on_update[][3] = {
      {"name", "invalid", "must be 1 to 200 characters"},
      {"sku", "invalid", SKU_WORDS},
      {"settings_json", "invalid", "must be a JSON object"},
  };
  hg_status_t st;
  void *resp = NULL;
  create_req_t c = create_req("Bad_Id", raw("[1]"));
  c.name = "";
  c.type = "x";
  c._sku_case = HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST___SKU_SKU;
  c.sku = "";
  ck_assert_int_eq(call("CreateResource", &c, &st, &resp), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "Failed to create resource");
  assert_violations(&st, on_create, 5);

  create_req_t good = create_req("v1", NULL);
  ok("CreateResource", &good);
  static char *paths[] = {"name", "sku", "settings_json"};
  Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
  mask.paths = paths;
  mask.n_paths = 3;
  update_req_t u = update_req("v1", "name", raw("[]"));
  u.update_mask = &mask;
  u.name = "";
  u.sku = "";
  ck_assert_int_eq(call("UpdateResource", &u, &st, &resp), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "Failed to update resource");
  assert_violations(&st, on_update, 3);
  u.sku = "gold";
  u.name = "ok";
  u.settings_json = NULL; /* null clears the settings: allowed */
  ck_assert_int_eq(call("UpdateResource", &u, &st, &resp), HG_INVALID_ARGUMENT);
  assert_violations(&st, on_update + 1, 1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("resources_ktrlplane");
  TCase *tc = tcase_create("settings_json");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_create_refuses_settings_that_are_not_an_object);
  tcase_add_test(tc, test_create_defaults_settings_to_empty_object);
  tcase_add_test(tc, test_create_keeps_valid_text_as_sent);
  tcase_add_test(tc, test_update_checks_settings_only_when_named);
  tcase_add_test(tc, test_every_violation_listed_in_ktrlplane_words);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
