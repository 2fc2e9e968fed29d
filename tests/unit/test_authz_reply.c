/* test_authz_reply.c - common/authz_reply.c: the steps admit functions are made of, run as a
 * real method's admission over gRPC against a fake TokenVerifier.
 *
 * The fake knows one token, "editor-p1" (editor on projects/p1); any other is invalid. The
 * method under test takes its scope from project_id ("" is no scope) and what it needs from
 * resource_id (a row of `needs`); its handler answers only once admitted. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/authz.h"
#include "hangar/auth/v1/verify.pb.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"

#define VERIFY_PATH "/hangar.auth.v1.TokenVerifier/Verify"
#define GUARDED_PATH "/hangar.test.Guarded/Get"
#define PBC(name) RPC_PBC(&hangar__resources__v1__##name##__descriptor)

typedef Hangar__Resources__V1__GetResourceRequest get_req_t;

static const authz_messages_t msgs = {
    .missing = "no header",
    .not_bearer = "not bearer",
    .invalid = "bad token",
    .unavailable = "no verifier",
    .internal = "no memory",
};

static const struct {
  const char *name;
  authz_need_t need;
} needs[] = {
    {"edit", {HG_ROLE_EDITOR, "may not edit", NULL}},
    {"own", {HG_ROLE_OWNER, "may not own", "hidden"}},
    {"view", {HG_ROLE_VIEWER, "may not view", NULL}},
    {"view-hidden", {HG_ROLE_VIEWER, "may not view", "hidden"}},
};

static struct {
  char dir[64], target[128];
  rpc_server_t *server;
  rpc_client_t *client;
  rpc_channel_t *ch;
  authz_t *z;
  hg_arena_t *a;
} fx;

static atomic_int handler_runs;

static void fake_verify(rpc_ctx_t *ctx, const void *msg) {
  const hangar_auth_v1_VerifyRequest *req = msg;
  hangar_auth_v1_VerifyResponse *r = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*r));
  if (strcmp(req->token, "editor-p1") == 0) {
    r->valid = true;
    snprintf(r->subject, sizeof(r->subject), "editor");
    r->bindings_count = 1;
    snprintf(r->bindings[0].scope, sizeof(r->bindings[0].scope), "projects/p1");
    snprintf(r->bindings[0].role, sizeof(r->bindings[0].role), "editor");
  } else {
    snprintf(r->error, sizeof(r->error), "unknown token");
  }
  rpc_reply(ctx, r);
}

static int guarded_admit(rpc_ctx_t *ctx, const void *msg) {
  const get_req_t *req = msg;
  for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
    if (strcmp(req->resource_id, needs[i].name) == 0)
      return authz_admit_or_fail(ctx, fx.z, &msgs, req->project_id[0] ? req->project_id : NULL,
                                 &needs[i].need);
  rpc_fail_code(ctx, HG_INTERNAL, "no such need");
  return -1;
}

static void guarded(rpc_ctx_t *ctx, const void *msg) {
  Hangar__Resources__V1__Resource r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  (void)msg;
  atomic_fetch_add(&handler_runs, 1);
  rpc_reply(ctx, &r);
}

static void setup(void) {
  snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_authz_reply.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(fx.dir));
  snprintf(fx.target, sizeof(fx.target), "unix:%s/rpc.sock", fx.dir);
  /* the admit function calls Verify on this same server: two threads */
  rpc_server_opts_t so = {.cq_threads = 2};
  ck_assert_int_eq(rpc_server_new(fx.target, &so, &fx.server), 0);
  ck_assert_int_eq(rpc_server_add_method(fx.server, VERIFY_PATH, fake_verify, rpc_admit_public,
                                         RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  ck_assert_int_eq(rpc_server_add_method(fx.server, GUARDED_PATH, guarded, guarded_admit,
                                         PBC(get_resource_request), PBC(resource)),
                   0);
  ck_assert_int_eq(rpc_server_start(fx.server), 0);
  ck_assert_int_eq(rpc_client_new(&fx.client), 0);
  ck_assert_int_eq(rpc_channel_new(fx.client, fx.target, &fx.ch), 0);
  ck_assert_int_eq(authz_new(fx.client, fx.target, NULL, &fx.z), 0);
  ck_assert_ptr_nonnull(fx.a = hg_arena_new());
  atomic_store(&handler_runs, 0);
}

static void teardown(void) {
  rpc_client_destroy(fx.client);
  rpc_server_destroy(fx.server, 1000);
  authz_free(fx.z);
  hg_arena_free(fx.a);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* Calls the guarded method with scope and need; the status code. */
static int call(const char *authorization, const char *scope, const char *need, hg_status_t *st) {
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_md_t md[] = {{"authorization", authorization}};
  rpc_call_opts_t o = {.deadline_ms = 5000, .md = md, .n_md = authorization ? 1 : 0, .arena = fx.a};
  void *resp = NULL;
  req.project_id = (char *)scope;
  req.resource_id = (char *)need;
  hg_status_clear(st);
  return rpc_call_sync(fx.ch, GUARDED_PATH, PBC(get_resource_request), &req, PBC(resource), &o, st,
                       &resp);
}

START_TEST(test_authentication_failures_use_the_surface_texts) {
  hg_status_t st;
  ck_assert_int_eq(call(NULL, "projects/p1", "view", &st), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "no header");
  ck_assert_int_eq(call("Basic x", "projects/p1", "view", &st), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "not bearer");
  ck_assert_int_eq(call("Bearer nobody", "projects/p1", "view", &st), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "bad token");
  ck_assert_str_eq(st.reason, "INVALID_TOKEN");
  ck_assert_str_eq(st.detail, "unknown token");
  ck_assert_int_eq(atomic_load(&handler_runs), 0);
}
END_TEST

START_TEST(test_enough_role_on_the_scope_admits) {
  hg_status_t st;
  ck_assert_int_eq(call("Bearer editor-p1", "projects/p1", "edit", &st), HG_OK);
  ck_assert_int_eq(call("Bearer editor-p1", "projects/p1", "view", &st), HG_OK);
  ck_assert_int_eq(atomic_load(&handler_runs), 2);
}
END_TEST

START_TEST(test_short_role_is_permission_denied) {
  hg_status_t st;
  ck_assert_int_eq(call("Bearer editor-p1", "projects/p2", "edit", &st), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "may not edit");
  /* a viewer or better on the scope is told the truth even where it could be hidden */
  ck_assert_int_eq(call("Bearer editor-p1", "projects/p1", "own", &st), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "may not own");
  ck_assert_int_eq(atomic_load(&handler_runs), 0);
}
END_TEST

START_TEST(test_no_view_of_a_hidden_scope_is_not_found) {
  hg_status_t st;
  ck_assert_int_eq(call("Bearer editor-p1", "projects/p2", "view-hidden", &st), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "hidden");
  ck_assert_int_eq(call("Bearer editor-p1", "projects/p2", "own", &st), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "hidden");
  ck_assert_int_eq(atomic_load(&handler_runs), 0);
}
END_TEST

START_TEST(test_no_scope_admits_only_an_admin_grant) {
  hg_status_t st;
  ck_assert_int_eq(call("Bearer editor-p1", "", "view", &st), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "may not view");
  ck_assert_int_eq(atomic_load(&handler_runs), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("authz_reply");
  TCase *tc = tcase_create("admit");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_authentication_failures_use_the_surface_texts);
  tcase_add_test(tc, test_enough_role_on_the_scope_admits);
  tcase_add_test(tc, test_short_role_is_permission_denied);
  tcase_add_test(tc, test_no_view_of_a_hidden_scope_is_not_found);
  tcase_add_test(tc, test_no_scope_admits_only_an_admin_grant);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
