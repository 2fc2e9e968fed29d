/* test_resources_wrappers.c - resources-svc's wrapper/resource API over real gRPC: the
 * Wrappers service on a unix socket with its store (the service's joined schema) in a
 * temporary directory, and a stand-in auth-svc that knows a fixed table of tokens. The
 * store's fault hook shows what a failed write answers. */
#include <check.h>
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/authz.h"
#include "hangar/auth/v1/verify.pb.h"
#include "resources/resources.h"
#include "resources/schema.h"
#include "storage/store_internal.h"
#include "resources/wrapper_store.h"

#define SVC (&hangar__resources__v1__wrappers__descriptor)
#define OID "^[0-9a-f]{24}$"
#define ABSENT_ID "507f1f77bcf86cd799439011"

typedef Hangar__Resources__V1__CreateWrapperRequest create_wrapper_t;
typedef Hangar__Resources__V1__CreateWrapperResourceRequest create_res_t;
typedef Hangar__Resources__V1__ListWrapperResourcesRequest list_res_t;
typedef Hangar__Resources__V1__ListWrapperResourcesResponse list_res_resp_t;
typedef Hangar__Resources__V1__ListWrappersRequest list_wrappers_t;
typedef Hangar__Resources__V1__PatchWrapperResourceRequest patch_t;
typedef Hangar__Resources__V1__Deleted deleted_t;

/* token -> role on scope "wrappers" (NULL scope: a binding elsewhere). */
static const struct {
  const char *token, *scope, *role;
} tokens[] = {
    {"editor", "wrappers", "editor"},
    {"viewer", "wrappers", "viewer"},
    {"elsewhere", "projects/p1", "owner"},
};

static void verify(rpc_ctx_t *ctx, const void *req) {
  const hangar_auth_v1_VerifyRequest *in = req;
  hangar_auth_v1_VerifyResponse *out = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*out));
  memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
    if (strcmp(in->token, tokens[i].token) != 0) continue;
    out->valid = 1;
    snprintf(out->subject, sizeof(out->subject), "svc:%s", tokens[i].token);
    strcpy(out->kind, "apikey");
    strcpy(out->bindings[0].scope, tokens[i].scope);
    strcpy(out->bindings[0].role, tokens[i].role);
    out->bindings_count = 1;
  }
  if (!out->valid) strcpy(out->error, "unknown token");
  rpc_reply(ctx, out);
}

static struct {
  char dir[64], data[96], target[128], auth_target[128];
  resources_schema_t schema;
  resources_svc_t svc;
  rpc_server_t *auth, *server;
  rpc_client_t *client;
  rpc_channel_t *ch;
  hg_arena_t *a;
} fx;

static void setup(void) {
  memset(&fx, 0, sizeof(fx));
  snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_wrappers.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(fx.dir));
  snprintf(fx.data, sizeof(fx.data), "%s/data", fx.dir);
  snprintf(fx.target, sizeof(fx.target), "unix:%s/resources.sock", fx.dir);
  snprintf(fx.auth_target, sizeof(fx.auth_target), "unix:%s/auth.sock", fx.dir);
  ck_assert_int_eq(mkdir(fx.data, 0700), 0);
  ck_assert_int_eq(rpc_server_new(fx.auth_target, NULL, &fx.auth), 0);
  ck_assert_int_eq(rpc_server_add_method(fx.auth, "/hangar.auth.v1.TokenVerifier/Verify", verify,
                                         rpc_admit_public, RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  ck_assert_int_eq(rpc_server_start(fx.auth), 0);
  ck_assert_int_eq(rpc_client_new(&fx.client), 0);
  ck_assert_int_eq(authz_new(fx.client, fx.auth_target, NULL, &fx.svc.authz), 0);
  ck_assert_int_eq(resources_schema_init(&fx.schema), 0);
  ck_assert_int_eq(hg_objectid_gen_init(&fx.svc.ids), 0);
  fx.svc.wrapper_base = fx.schema.wrapper_base;
  ck_assert_int_eq(store_open(fx.data, &fx.schema.schema, NULL, &fx.svc.store), 0);
  ck_assert_int_eq(rpc_server_new(fx.target, NULL, &fx.server), 0);
  rpc_server_set_data(fx.server, &fx.svc);
  ck_assert_int_eq(wrappers_register(fx.server), 0);
  ck_assert_int_eq(rpc_server_start(fx.server), 0);
  ck_assert_int_eq(rpc_channel_new(fx.client, fx.target, &fx.ch), 0);
  ck_assert_ptr_nonnull(fx.a = hg_arena_new());
}

static void teardown(void) {
  rpc_server_destroy(fx.server, 1000);
  store_close(fx.svc.store);
  authz_free(fx.svc.authz);
  rpc_client_destroy(fx.client);
  rpc_server_destroy(fx.auth, 1000);
  hg_arena_free(fx.a);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* Wrappers/<method> as token (NULL: no Authorization). The status code; *resp if asked. */
static int call(const char *method, const void *req, const char *token, hg_status_t *st,
                void **resp) {
  const ProtobufCMethodDescriptor *m =
      protobuf_c_service_descriptor_get_method_by_name(SVC, method);
  ck_assert_msg(m != NULL, "no method %s", method);
  rpc_md_t md = {"authorization", token ? hg_arena_sprintf(fx.a, "Bearer %s", token) : NULL};
  rpc_call_opts_t o = {.deadline_ms = 10000, .md = &md, .n_md = token ? 1 : 0, .arena = fx.a};
  void *ignored = NULL;
  hg_status_clear(st);
  return rpc_call_sync(fx.ch, rpc_method_path(fx.a, SVC, method), RPC_PBC(m->input), req,
                       RPC_PBC(m->output), &o, st, resp ? resp : &ignored);
}

static void *ok(const char *method, const void *req) {
  hg_status_t st;
  void *resp = NULL;
  int rc = call(method, req, "editor", &st, &resp);
  ck_assert_msg(rc == HG_OK, "%s: %s %s", method, hg_code_name(rc), st.message ? st.message : "");
  return resp;
}

/* A failing call: its status, checked for code and message. */
static hg_status_t fails(const char *method, const void *req, const char *token, int code,
                         const char *message) {
  hg_status_t st;
  int rc = call(method, req, token, &st, NULL);
  ck_assert_msg(rc == code, "%s: want %s, got %s", method, hg_code_name(code), hg_code_name(rc));
  ck_assert_str_eq(st.message, message);
  return st;
}

static void assert_violation(const hg_status_t *st, size_t i, const char *field, const char *rule) {
  ck_assert_uint_gt(st->n_violations, i);
  ck_assert_str_eq(st->violations[i].field, field);
  ck_assert_str_eq(st->violations[i].rule, rule);
}

static int matches(const char *pattern, const char *s) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
  int m = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return m;
}

/* ---- builders --------------------------------------------------------------------------- */

#define SET(msg, field, value, CASE)                                                               \
  do {                                                                                             \
    (msg)._##field##_case = CASE;                                                                  \
    (msg).field = (value);                                                                         \
  } while (0)

static Google__Protobuf__FieldMask *mask(const char *const *paths) {
  Google__Protobuf__FieldMask *m = hg_arena_alloc(fx.a, sizeof(*m));
  google__protobuf__field_mask__init(m);
  while (paths[m->n_paths]) m->n_paths++;
  m->paths = (char **)paths;
  return m;
}

static Google__Protobuf__StringValue *sv(const char *s) {
  Google__Protobuf__StringValue *v = hg_arena_alloc(fx.a, sizeof(*v));
  google__protobuf__string_value__init(v);
  v->value = (char *)s;
  return v;
}

static wrapper_t *new_wrapper(const char *name) {
  create_wrapper_t req = HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST__INIT;
  SET(req, name, (char *)name, HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST___NAME_NAME);
  return ok("CreateWrapper", &req);
}

static create_res_t res_req(const char *wrapper_id, const char *name, const char *type) {
  create_res_t req = HANGAR__RESOURCES__V1__CREATE_WRAPPER_RESOURCE_REQUEST__INIT;
  SET(req, wrapper_id, (char *)wrapper_id,
      HANGAR__RESOURCES__V1__CREATE_WRAPPER_RESOURCE_REQUEST___WRAPPER_ID_WRAPPER_ID);
  SET(req, name, (char *)name, HANGAR__RESOURCES__V1__CREATE_WRAPPER_RESOURCE_REQUEST___NAME_NAME);
  SET(req, type, (char *)type, HANGAR__RESOURCES__V1__CREATE_WRAPPER_RESOURCE_REQUEST___TYPE_TYPE);
  return req;
}

static wres_t *new_resource(const char *wrapper_id, const char *name) {
  create_res_t req = res_req(wrapper_id, name, "database");
  return ok("CreateResource", &req);
}

static list_res_resp_t *list_resources(const char *wrapper_id, int64_t skip, int64_t limit) {
  list_res_t req = HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST__INIT;
  if (wrapper_id)
    SET(req, wrapper_id, (char *)wrapper_id,
        HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST___WRAPPER_ID_WRAPPER_ID);
  SET(req, skip, skip, HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST___SKIP_SKIP);
  SET(req, limit, limit, HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST___LIMIT_LIMIT);
  return ok("ListResources", &req);
}

/* ---- tests ------------------------------------------------------------------------------ */

START_TEST(test_create_answers_objectids_and_null_periods) {
  create_wrapper_t wreq = HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST__INIT;
  SET(wreq, name, "w", HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST___NAME_NAME);
  wreq.description = sv("about w");
  wrapper_t *w = ok("CreateWrapper", &wreq);
  ck_assert(matches(OID, w->id));
  ck_assert_str_eq(w->description->value, "about w");
  ck_assert(matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$", w->created_at));
  wres_t *r = new_resource(w->id, "Production Database");
  ck_assert(matches(OID, r->id));
  ck_assert_str_ne(r->id, w->id);
  ck_assert_str_eq(r->wrapper_id, w->id);
  ck_assert_str_eq(r->name, "Production Database");
  ck_assert_str_eq(r->type, "database");
  ck_assert_ptr_null(r->startperiod);
  ck_assert_ptr_null(r->endperiod);
  Hangar__Resources__V1__GetWrapperResourceRequest get =
      HANGAR__RESOURCES__V1__GET_WRAPPER_RESOURCE_REQUEST__INIT;
  get.id = r->id;
  ck_assert_str_eq(((wres_t *)ok("GetResource", &get))->name, "Production Database");
}
END_TEST

/* The seed's 400 for a write the store could not make; nothing is left behind. */
START_TEST(test_store_failure_is_failed_to_create) {
  wrapper_t *w = new_wrapper("w");
  create_res_t req = res_req(w->id, "r", "database");
  store__fault_inject(fx.svc.store, 1, STORE_EIO);
  fails("CreateResource", &req, "editor", HG_ABORTED, "Failed to create resource");
  store__fault_inject(fx.svc.store, 0, 0);
  ck_assert_uint_eq(list_resources(NULL, 0, 10)->n_resources, 0);
  new_resource(w->id, "r"); /* the name was never taken */
}
END_TEST

START_TEST(test_required_fields_absent_or_null) {
  create_res_t req = HANGAR__RESOURCES__V1__CREATE_WRAPPER_RESOURCE_REQUEST__INIT;
  hg_status_t st = fails("CreateResource", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  ck_assert_uint_eq(st.n_violations, 3);
  assert_violation(&st, 0, "wrapper_id", "required");
  assert_violation(&st, 1, "name", "required");
  assert_violation(&st, 2, "type", "required");
  static const char *const sent[] = {"name", NULL}; /* {"name": null} */
  create_wrapper_t wreq = HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST__INIT;
  wreq.update_mask = mask(sent);
  st = fails("CreateWrapper", &wreq, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "name", "not_null");
}
END_TEST

START_TEST(test_unknown_wrapper_is_named) {
  create_res_t req = res_req("wrapper_123", "r", "t");
  fails("CreateResource", &req, "editor", HG_FAILED_PRECONDITION,
        "Wrapper with ID 'wrapper_123' does not exist");
  req = res_req(ABSENT_ID, "r", "t");
  fails("CreateResource", &req, "editor", HG_FAILED_PRECONDITION,
        "Wrapper with ID '" ABSENT_ID "' does not exist");
}
END_TEST

START_TEST(test_name_unique_within_wrapper) {
  wrapper_t *a = new_wrapper("a"), *b = new_wrapper("b");
  new_resource(a->id, "db");
  create_res_t req = res_req(a->id, "db", "other type");
  fails("CreateResource", &req, "editor", HG_ALREADY_EXISTS,
        "Resource with this identifier already exists");
  new_resource(b->id, "db");
}
END_TEST

START_TEST(test_wrapper_with_resources_cannot_be_deleted) {
  wrapper_t *w = new_wrapper("w");
  wres_t *r = new_resource(w->id, "r");
  Hangar__Resources__V1__DeleteWrapperRequest dw =
      HANGAR__RESOURCES__V1__DELETE_WRAPPER_REQUEST__INIT;
  dw.id = w->id;
  char *msg =
      hg_arena_sprintf(fx.a, "Wrapper with ID '%s' has resources and cannot be deleted", w->id);
  fails("DeleteWrapper", &dw, "editor", HG_FAILED_PRECONDITION, msg);
  Hangar__Resources__V1__DeleteWrapperResourceRequest dr =
      HANGAR__RESOURCES__V1__DELETE_WRAPPER_RESOURCE_REQUEST__INIT;
  dr.id = r->id;
  deleted_t *d = ok("DeleteResource", &dr);
  ck_assert_str_eq(d->id, r->id);
  ck_assert(d->deleted);
  fails("DeleteResource", &dr, "editor", HG_NOT_FOUND, "Resource not found");
  ck_assert_str_eq(((deleted_t *)ok("DeleteWrapper", &dw))->id, w->id);
  fails("DeleteWrapper", &dw, "editor", HG_NOT_FOUND, "Wrapper not found");
}
END_TEST

START_TEST(test_paging_bounds_carry_their_limits) {
  list_res_t req = HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST__INIT;
  SET(req, skip, -1, HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST___SKIP_SKIP);
  SET(req, limit, 51, HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST___LIMIT_LIMIT);
  hg_status_t st = fails("ListResources", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "skip", "minimum");
  ck_assert(st.violations[0].has_minimum && st.violations[0].minimum == 0);
  assert_violation(&st, 1, "limit", "maximum");
  ck_assert(st.violations[1].has_maximum && st.violations[1].maximum == 50);
  list_wrappers_t lw = HANGAR__RESOURCES__V1__LIST_WRAPPERS_REQUEST__INIT;
  SET(lw, limit, 0, HANGAR__RESOURCES__V1__LIST_WRAPPERS_REQUEST___LIMIT_LIMIT);
  st = fails("ListWrappers", &lw, "viewer", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "limit", "minimum");
  ck_assert_int_eq(st.violations[0].minimum, 1);
}
END_TEST

/* Creation order everywhere; the default page is 10; a filter that is no ObjectId matches
 * nothing. */
START_TEST(test_lists_page_in_creation_order) {
  wrapper_t *a = new_wrapper("a"), *b = new_wrapper("b");
  const char *ids[12];
  for (int i = 0; i < 12; i++)
    ids[i] = new_resource(i % 2 ? b->id : a->id, hg_arena_sprintf(fx.a, "r%d", i))->id;
  list_res_resp_t *all = list_resources(NULL, 3, 4);
  ck_assert_uint_eq(all->n_resources, 4);
  for (int i = 0; i < 4; i++) ck_assert_str_eq(all->resources[i]->id, ids[3 + i]);
  list_res_resp_t *of_b = list_resources(b->id, 1, 50);
  ck_assert_uint_eq(of_b->n_resources, 5);
  for (int i = 0; i < 5; i++) ck_assert_str_eq(of_b->resources[i]->id, ids[3 + 2 * i]);
  list_res_t dflt = HANGAR__RESOURCES__V1__LIST_WRAPPER_RESOURCES_REQUEST__INIT;
  ck_assert_uint_eq(((list_res_resp_t *)ok("ListResources", &dflt))->n_resources, 10);
  ck_assert_uint_eq(list_resources("wrapper_123", 0, 10)->n_resources, 0);
  ck_assert_uint_eq(list_resources(a->id, 6, 10)->n_resources, 0);
  list_wrappers_t lw = HANGAR__RESOURCES__V1__LIST_WRAPPERS_REQUEST__INIT;
  Hangar__Resources__V1__ListWrappersResponse *wl = ok("ListWrappers", &lw);
  ck_assert_uint_eq(wl->n_wrappers, 2);
  ck_assert_str_eq(wl->wrappers[1]->id, b->id);
}
END_TEST

static patch_t patch_req(const char *id, const char *const *sent) {
  patch_t req = HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST__INIT;
  req.id = (char *)id;
  req.update_mask = mask(sent);
  return req;
}

START_TEST(test_patch_periods) {
  wres_t *r = new_resource(new_wrapper("w")->id, "r");
  static const char *const start_only[] = {"startPeriod", NULL};
  static const char *const end_only[] = {"endPeriod", NULL};
  patch_t req = patch_req(r->id, start_only);
  req.startperiod = sv("2025-01-15T16:20:00+02:00");
  wres_t *p = ok("PatchResource", &req);
  ck_assert_str_eq(p->startperiod->value, "2025-01-15T14:20:00.000Z");
  ck_assert_ptr_null(p->endperiod);
  req = patch_req(r->id, end_only);
  req.endperiod = sv("2025-01-15T14:19:59Z");
  hg_status_t st = fails("PatchResource", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "endPeriod", "invalid");
  ck_assert_str_eq(st.violations[0].description, "endPeriod must not be before startPeriod");
  req.endperiod = sv("next tuesday");
  st = fails("PatchResource", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "endPeriod", "datetime");
  req.endperiod = sv("2025-02-01T00:00:00Z");
  ck_assert_str_eq(((wres_t *)ok("PatchResource", &req))->endperiod->value,
                   "2025-02-01T00:00:00.000Z");
  req = patch_req(r->id, start_only); /* {"startPeriod": null} clears it */
  p = ok("PatchResource", &req);
  ck_assert_ptr_null(p->startperiod);
  ck_assert_ptr_nonnull(p->endperiod);
}
END_TEST

/* Only RFC 3339 date-times whose day exists: "2025-02-30" is refused, not rolled over into
 * March; two-digit fields, no surrounding blanks; leap days and T/Z in either case are
 * RFC 3339. */
START_TEST(test_patch_period_shapes) {
  wres_t *r = new_resource(new_wrapper("w")->id, "r");
  static const char *const start_only[] = {"startPeriod", NULL};
  static const char *const refused[] = {
      "2025-02-30T00:00:00Z",      "2025-04-31T00:00:00Z",     "2023-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",      "2025-13-01T00:00:00Z",     "2025-00-10T00:00:00Z",
      "2025-01-00T00:00:00Z",      " 2025-01-15T10:00:00Z",    "2025-01-15T1:2:3Z",
      "2025-1-5T10:00:00Z",        "2025-01-15T24:00:00Z",     "2025-01-15T10:00:00.Z",
      "2025-01-15T10:00:00+24:00", "2025-01-15T10:00:00+0200", "2025-01-15T10:00:00Z ",
      "2025-01-15 10:00:00Z",      "2025-01-15T10:00:00",      "2025-01-15T10:00Z",
  };
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    patch_t req = patch_req(r->id, start_only);
    req.startperiod = sv(refused[i]);
    hg_status_t st = fails("PatchResource", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
    assert_violation(&st, 0, "startPeriod", "datetime");
  }
  static const struct {
    const char *in, *out;
  } accepted[] = {
      {"2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"},
      {"2000-02-29T12:00:00+01:00", "2000-02-29T11:00:00.000Z"},
      {"2025-01-15t10:00:00.5z", "2025-01-15T10:00:00.500Z"},
      {"2025-01-15T10:00:00+23:59", "2025-01-14T10:01:00.000Z"},
      {"9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"},
  };
  for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
    patch_t req = patch_req(r->id, start_only);
    req.startperiod = sv(accepted[i].in);
    ck_assert_str_eq(((wres_t *)ok("PatchResource", &req))->startperiod->value, accepted[i].out);
  }
}
END_TEST

START_TEST(test_patch_names_and_ids) {
  wrapper_t *w = new_wrapper("w");
  new_resource(w->id, "taken");
  wres_t *r = new_resource(w->id, "r");
  static const char *const name_only[] = {"name", NULL};
  patch_t req = patch_req(r->id, name_only);
  hg_status_t st = fails("PatchResource", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "name", "not_null");
  SET(req, name, "taken", HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST___NAME_NAME);
  fails("PatchResource", &req, "editor", HG_ALREADY_EXISTS,
        "Resource with this identifier already exists");
  req.id = "not-an-objectid";
  st = fails("PatchResource", &req, "editor", HG_INVALID_ARGUMENT, "Invalid request");
  assert_violation(&st, 0, "id", "invalid");
  ck_assert_str_eq(st.violations[0].description, "Invalid objectid");
  req.id = ABSENT_ID;
  fails("PatchResource", &req, "editor", HG_NOT_FOUND, "Resource not found");
  char upper[HG_OBJECTID_LEN];
  for (size_t i = 0; i < sizeof(upper); i++) upper[i] = (char)toupper((unsigned char)r->id[i]);
  req.id = upper; /* ObjectIds are case-insensitive hex */
  SET(req, name, "renamed", HANGAR__RESOURCES__V1__PATCH_WRAPPER_RESOURCE_REQUEST___NAME_NAME);
  ck_assert_str_eq(((wres_t *)ok("PatchResource", &req))->id, r->id);
}
END_TEST

START_TEST(test_authentication_and_roles) {
  list_wrappers_t lw = HANGAR__RESOURCES__V1__LIST_WRAPPERS_REQUEST__INIT;
  hg_status_t st;
  fails("ListWrappers", &lw, NULL, HG_UNAUTHENTICATED, "Not authenticated");
  fails("ListWrappers", &lw, "forged", HG_UNAUTHENTICATED, "Invalid or expired token");
  fails("ListWrappers", &lw, "elsewhere", HG_PERMISSION_DENIED, "Not enough permissions");
  ck_assert_int_eq(call("ListWrappers", &lw, "viewer", &st, NULL), HG_OK);
  create_wrapper_t wreq = HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST__INIT;
  SET(wreq, name, "w", HANGAR__RESOURCES__V1__CREATE_WRAPPER_REQUEST___NAME_NAME);
  fails("CreateWrapper", &wreq, "viewer", HG_PERMISSION_DENIED, "Not enough permissions");
}
END_TEST

int main(void) {
  Suite *s = suite_create("resources_wrappers");
  TCase *tc = tcase_create("wrappers");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_create_answers_objectids_and_null_periods);
  tcase_add_test(tc, test_store_failure_is_failed_to_create);
  tcase_add_test(tc, test_required_fields_absent_or_null);
  tcase_add_test(tc, test_unknown_wrapper_is_named);
  tcase_add_test(tc, test_name_unique_within_wrapper);
  tcase_add_test(tc, test_wrapper_with_resources_cannot_be_deleted);
  tcase_add_test(tc, test_paging_bounds_carry_their_limits);
  tcase_add_test(tc, test_lists_page_in_creation_order);
  tcase_add_test(tc, test_patch_periods);
  tcase_add_test(tc, test_patch_period_shapes);
  tcase_add_test(tc, test_patch_names_and_ids);
  tcase_add_test(tc, test_authentication_and_roles);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
