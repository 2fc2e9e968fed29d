/* test_auth_service.c - auth-svc over real gRPC: the service is registered on an rpc server
 * listening on a unix socket in a temporary directory, with its store there too, and driven
 * with rpc_call_sync (AuthAdmin via protobuf-c, Verify via nanopb) and through common/authz. */
#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "common/authz.h"
#include "google/protobuf/empty.pb-c.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/auth/v1/verify.pb.h"

#define ADMIN "Bearer the-admin-token"

typedef Hangar__Auth__V1__CreateTokenRequest create_req_t;
typedef Hangar__Auth__V1__CreatedToken created_t;
typedef Hangar__Auth__V1__CreateRoleBindingRequest rb_req_t;
typedef Hangar__Auth__V1__RoleBinding rb_t;

static char dir[64], target[128];
static store_t *store;
static auth_svc_t svc;
static rpc_server_t *server;
static rpc_client_t *client;
static rpc_channel_t *channel;
static hg_arena_t *arena;

static void setup(void) {
  char data[96];
  snprintf(dir, sizeof(dir), "/tmp/test_auth_service.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(data, sizeof(data), "%s/data", dir);
  snprintf(target, sizeof(target), "unix:%s/auth.sock", dir);
  ck_assert_int_eq(mkdir(data, 0700), 0);
  ck_assert_int_eq(store_open(data, &auth_store_schema, NULL, &store), 0);
  svc = (auth_svc_t){store, HG_STR("the-admin-token"), HG_STR("jwt-secret"), NULL};
  ck_assert_int_eq(rpc_server_new(target, NULL, &server), 0);
  ck_assert_int_eq(auth_service_register(server, &svc), 0);
  ck_assert_int_eq(rpc_server_start(server), 0);
  ck_assert_int_eq(rpc_client_new(&client), 0);
  ck_assert_int_eq(rpc_channel_new(client, target, &channel), 0);
  arena = hg_arena_new();
}

static void teardown(void) {
  rpc_client_destroy(client);
  rpc_server_destroy(server, 1000);
  store_close(store);
  hg_arena_free(arena);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* AuthAdmin/<method> with the given Authorization (NULL: none). Returns the status code. */
static int admin_call(const char *method, const void *req, const char *authorization,
                      hg_status_t *st, void **resp) {
  const ProtobufCMethodDescriptor *m = protobuf_c_service_descriptor_get_method_by_name(
      &hangar__auth__v1__auth_admin__descriptor, method);
  ck_assert_ptr_nonnull(m);
  rpc_md_t md = {"authorization", authorization};
  rpc_call_opts_t o = {
      .deadline_ms = 5000, .md = &md, .n_md = authorization ? 1 : 0, .arena = arena};
  void *ignored;
  return rpc_call_sync(channel,
                       rpc_method_path(arena, &hangar__auth__v1__auth_admin__descriptor, method),
                       RPC_PBC(m->input), req, RPC_PBC(m->output), &o, st, resp ? resp : &ignored);
}

static hangar_auth_v1_VerifyResponse *verify(const char *token) {
  hangar_auth_v1_VerifyRequest req = {{0}};
  snprintf(req.token, sizeof(req.token), "%s", token);
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = arena};
  hg_status_t st;
  void *resp = NULL;
  ck_assert_int_eq(rpc_call_sync(channel, "/hangar.auth.v1.TokenVerifier/Verify",
                                 RPC_NANOPB(hangar_auth_v1_VerifyRequest), &req,
                                 RPC_NANOPB(hangar_auth_v1_VerifyResponse), &o, &st, &resp),
                   HG_OK);
  return resp;
}

static Hangar__Auth__V1__Binding one_binding = {
    PROTOBUF_C_MESSAGE_INIT(&hangar__auth__v1__binding__descriptor), "projects/p1", "editor"};
static Hangar__Auth__V1__Binding *one_binding_list[] = {&one_binding};

static created_t *create_token(const char *kind, const char *subject, int with_binding, long ttl) {
  create_req_t req = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST__INIT;
  req.kind = (char *)kind;
  req.subject = (char *)subject;
  if (with_binding) {
    req.n_bindings = 1;
    req.bindings = one_binding_list;
  }
  if (ttl > 0) {
    req._ttl_seconds_case = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST___TTL_SECONDS_TTL_SECONDS;
    req.ttl_seconds = ttl;
  }
  hg_status_t st;
  void *resp = NULL;
  ck_assert_int_eq(admin_call("CreateToken", &req, ADMIN, &st, &resp), HG_OK);
  return resp;
}

static rb_t *create_binding(const char *subject, const char *scope, const char *role) {
  rb_req_t req = HANGAR__AUTH__V1__CREATE_ROLE_BINDING_REQUEST__INIT;
  req.subject = (char *)subject;
  req.scope = (char *)scope;
  req.role = (char *)role;
  hg_status_t st;
  void *resp = NULL;
  ck_assert_int_eq(admin_call("CreateRoleBinding", &req, ADMIN, &st, &resp), HG_OK);
  return resp;
}

static int matches(const char *pattern, const char *s) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
  int ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

static int has_violation(const hg_status_t *st, const char *field) {
  for (size_t i = 0; i < st->n_violations; i++)
    if (st->violations[i].field && strcmp(st->violations[i].field, field) == 0) return 1;
  return 0;
}

START_TEST(test_admin_rpcs_refuse_non_admin_callers) {
  static const char *const methods[] = {"CreateToken",      "ListTokens",        "GetToken",
                                        "DeleteToken",      "CreateRoleBinding", "ListRoleBindings",
                                        "DeleteRoleBinding"};
  created_t *user = create_token("apikey", "mallory", 1, 0);
  char user_bearer[128];
  snprintf(user_bearer, sizeof(user_bearer), "Bearer %s", user->token);
  for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
    const ProtobufCMethodDescriptor *m = protobuf_c_service_descriptor_get_method_by_name(
        &hangar__auth__v1__auth_admin__descriptor, methods[i]);
    ProtobufCMessage *req = hg_arena_alloc(arena, m->input->sizeof_message);
    m->input->message_init(req);
    hg_status_t st;
    ck_assert_int_eq(admin_call(methods[i], req, NULL, &st, NULL), HG_UNAUTHENTICATED);
    ck_assert_str_eq(st.message, "Authorization header required");
    ck_assert_int_eq(admin_call(methods[i], req, "Basic abc", &st, NULL), HG_UNAUTHENTICATED);
    ck_assert_str_eq(st.message, "Bearer token required");
    ck_assert_int_eq(admin_call(methods[i], req, "Bearer nope", &st, NULL), HG_UNAUTHENTICATED);
    ck_assert_str_eq(st.message, "Invalid token");
    ck_assert_str_eq(st.detail, "unknown token");
    ck_assert_int_eq(admin_call(methods[i], req, user_bearer, &st, NULL), HG_PERMISSION_DENIED);
    ck_assert_str_eq(st.message, "Admin token required");
  }
}
END_TEST

START_TEST(test_create_token_answer_and_verify) {
  created_t *t = create_token("apikey", "alice", 1, 3600);
  ck_assert(matches("^tok_[0-9a-f]{24}$", t->id));
  ck_assert(matches("^[A-Za-z0-9]{48}$", t->token));
  ck_assert_str_eq(t->kind, "apikey");
  ck_assert_str_eq(t->subject, "alice");
  ck_assert_uint_eq(t->n_bindings, 1);
  ck_assert_str_eq(t->bindings[0]->scope, "projects/p1");
  ck_assert(matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                    t->created_at));
  ck_assert_ptr_nonnull(t->expires_at);
  ck_assert(matches("Z$", t->expires_at->value));
  hangar_auth_v1_VerifyResponse *v = verify(t->token);
  ck_assert(v->valid);
  ck_assert_str_eq(v->subject, "alice");
  ck_assert_str_eq(v->kind, "apikey");
  ck_assert_uint_eq(v->bindings_count, 1);
  ck_assert_str_eq(v->bindings[0].role, "editor");
  ck_assert_int_gt(v->expires_at, 0);

  created_t *k = create_token("kpat", "alice", 0, 0);
  ck_assert(matches("^kpat_[A-Za-z0-9]{48}$", k->token));
  ck_assert_ptr_null(k->expires_at);
  ck_assert_uint_eq(k->n_bindings, 0);
  ck_assert(matches("^spat_", create_token("spat", "alice", 0, 0)->token));
}
END_TEST

START_TEST(test_create_token_validation) {
  static Hangar__Auth__V1__Binding bad_role = {
      PROTOBUF_C_MESSAGE_INIT(&hangar__auth__v1__binding__descriptor), "projects/p1", "root"};
  static Hangar__Auth__V1__Binding no_scope = {
      PROTOBUF_C_MESSAGE_INIT(&hangar__auth__v1__binding__descriptor), "", "viewer"};
  static Hangar__Auth__V1__Binding *bad_role_list[] = {&bad_role};
  static Hangar__Auth__V1__Binding *no_scope_list[] = {&one_binding, &no_scope};
  static const struct {
    const char *kind, *subject;
    size_t n_bindings;
    Hangar__Auth__V1__Binding **bindings;
    int has_ttl;
    long ttl;
    const char *field;
  } cases[] = {
      {"bogus", "s", 0, NULL, 0, 0, "kind"},
      {"", "s", 0, NULL, 0, 0, "kind"},
      {"apikey", "", 0, NULL, 0, 0, "subject"},
      {"apikey", "line\nbreak", 0, NULL, 0, 0, "subject"},
      {"apikey", "s", 1, bad_role_list, 0, 0, "bindings[0].role"},
      {"apikey", "s", 2, no_scope_list, 0, 0, "bindings[1].scope"},
      {"apikey", "s", 0, NULL, 1, -5, "ttl_seconds"},
      {"apikey", "s", 0, NULL, 1, 0, "ttl_seconds"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    create_req_t req = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST__INIT;
    req.kind = (char *)cases[i].kind;
    req.subject = (char *)cases[i].subject;
    req.n_bindings = cases[i].n_bindings;
    req.bindings = cases[i].bindings;
    if (cases[i].has_ttl) {
      req._ttl_seconds_case = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST___TTL_SECONDS_TTL_SECONDS;
      req.ttl_seconds = cases[i].ttl;
    }
    hg_status_t st;
    ck_assert_int_eq(admin_call("CreateToken", &req, ADMIN, &st, NULL), HG_INVALID_ARGUMENT);
    ck_assert_str_eq(st.message, "Invalid token request");
    ck_assert_msg(has_violation(&st, cases[i].field), "case %zu: no violation for %s", i,
                  cases[i].field);
  }
  Hangar__Auth__V1__ListTokensRequest all = HANGAR__AUTH__V1__LIST_TOKENS_REQUEST__INIT;
  hg_status_t st;
  void *resp;
  ck_assert_int_eq(admin_call("ListTokens", &all, ADMIN, &st, &resp), HG_OK);
  ck_assert_uint_eq(((Hangar__Auth__V1__ListTokensResponse *)resp)->n_tokens, 0);
}
END_TEST

/* More than 64 bindings: refused by the count alone; no binding is checked. */
START_TEST(test_create_token_bindings_capped_before_checking) {
  static Hangar__Auth__V1__Binding bad = {
      PROTOBUF_C_MESSAGE_INIT(&hangar__auth__v1__binding__descriptor), "has space", "root"};
  static Hangar__Auth__V1__Binding *list[65];
  for (size_t i = 0; i < 65; i++) list[i] = &bad;
  create_req_t req = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST__INIT;
  req.kind = "apikey";
  req.subject = "s";
  req.n_bindings = 65;
  req.bindings = list;
  hg_status_t st;
  ck_assert_int_eq(admin_call("CreateToken", &req, ADMIN, &st, NULL), HG_INVALID_ARGUMENT);
  ck_assert_uint_eq(st.n_violations, 1);
  ck_assert_str_eq(st.violations[0].field, "bindings");
  ck_assert_str_eq(st.violations[0].rule, "max_items");
  ck_assert_str_eq(st.violations[0].description, "must hold at most 64 bindings");
  req.n_bindings = 64; /* at the cap each binding is checked */
  ck_assert_int_eq(admin_call("CreateToken", &req, ADMIN, &st, NULL), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.violations[0].field, "bindings[0].scope");
}
END_TEST

/* Every broken field at once, in order, prefixed for a binding, in the admin API's words. */
START_TEST(test_create_token_lists_every_violation) {
  static Hangar__Auth__V1__Binding bad = {
      PROTOBUF_C_MESSAGE_INIT(&hangar__auth__v1__binding__descriptor), "has space", "root"};
  static Hangar__Auth__V1__Binding *bad_list[] = {&one_binding, &bad};
  static const char *const want[][3] = {
      {"kind", "required", "is required"},
      {"subject", "invalid", "must be 1-159 bytes of text without control characters"},
      {"bindings[1].scope", "invalid", "must be 1-159 printable ASCII characters without spaces"},
      {"bindings[1].role", "invalid", "must be one of viewer, editor, owner, admin"},
  };
  create_req_t req = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST__INIT;
  req.kind = "";
  req.subject = "tab\there";
  req.n_bindings = 2;
  req.bindings = bad_list;
  hg_status_t st;
  ck_assert_int_eq(admin_call("CreateToken", &req, ADMIN, &st, NULL), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.reason, "INVALID_ARGUMENT");
  ck_assert_uint_eq(st.n_violations, 4);
  for (size_t i = 0; i < 4; i++) {
    ck_assert_str_eq(st.violations[i].field, want[i][0]);
    ck_assert_str_eq(st.violations[i].rule, want[i][1]);
    ck_assert_str_eq(st.violations[i].description, want[i][2]);
  }
}
END_TEST

START_TEST(test_list_tokens_by_subject_in_creation_order) {
  created_t *a = create_token("apikey", "bob", 0, 0);
  created_t *b = create_token("storage", "carol", 0, 60);
  created_t *c = create_token("kpat", "bob", 1, 0);
  Hangar__Auth__V1__ListTokensRequest req = HANGAR__AUTH__V1__LIST_TOKENS_REQUEST__INIT;
  hg_status_t st;
  void *resp;
  ck_assert_int_eq(admin_call("ListTokens", &req, ADMIN, &st, &resp), HG_OK);
  Hangar__Auth__V1__ListTokensResponse *all = resp;
  ck_assert_uint_eq(all->n_tokens, 3);
  ck_assert_str_eq(all->tokens[0]->id, a->id);
  ck_assert_str_eq(all->tokens[1]->id, b->id);
  ck_assert_str_eq(all->tokens[2]->id, c->id);
  ck_assert_ptr_null(all->tokens[0]->expires_at);
  ck_assert_str_eq(all->tokens[1]->expires_at->value, b->expires_at->value);
  req.subject = "bob";
  ck_assert_int_eq(admin_call("ListTokens", &req, ADMIN, &st, &resp), HG_OK);
  Hangar__Auth__V1__ListTokensResponse *bobs = resp;
  ck_assert_uint_eq(bobs->n_tokens, 2);
  ck_assert_str_eq(bobs->tokens[0]->id, a->id);
  ck_assert_str_eq(bobs->tokens[1]->id, c->id);
  ck_assert_str_eq(bobs->tokens[1]->bindings[0]->scope, "projects/p1");
  ck_assert_str_eq(bobs->tokens[1]->created_at, c->created_at);
}
END_TEST

START_TEST(test_get_token_as_listed_or_not_found) {
  created_t *t = create_token("kpat", "erin", 1, 600);
  Hangar__Auth__V1__GetTokenRequest get = HANGAR__AUTH__V1__GET_TOKEN_REQUEST__INIT;
  get.id = t->id;
  hg_status_t st;
  void *resp = NULL;
  ck_assert_int_eq(admin_call("GetToken", &get, ADMIN, &st, &resp), HG_OK);
  const Hangar__Auth__V1__Token *got = resp;
  ck_assert_str_eq(got->id, t->id);
  ck_assert_str_eq(got->kind, "kpat");
  ck_assert_str_eq(got->subject, "erin");
  ck_assert_str_eq(got->created_at, t->created_at);
  ck_assert_str_eq(got->expires_at->value, t->expires_at->value);
  ck_assert_uint_eq(got->n_bindings, 1);
  Hangar__Auth__V1__DeleteTokenRequest del = HANGAR__AUTH__V1__DELETE_TOKEN_REQUEST__INIT;
  del.id = t->id;
  ck_assert_int_eq(admin_call("DeleteToken", &del, ADMIN, &st, NULL), HG_OK);
  const char *const unknown[] = {t->id, "tok_000000000000000000000000", ""};
  for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
    get.id = (char *)unknown[i];
    ck_assert_int_eq(admin_call("GetToken", &get, ADMIN, &st, NULL), HG_NOT_FOUND);
    ck_assert_str_eq(st.message, "Token not found");
  }
}
END_TEST

START_TEST(test_delete_token_revokes_it) {
  created_t *t = create_token("apitoken", "dave", 0, 0);
  ck_assert(verify(t->token)->valid);
  Hangar__Auth__V1__DeleteTokenRequest del = HANGAR__AUTH__V1__DELETE_TOKEN_REQUEST__INIT;
  del.id = t->id;
  hg_status_t st;
  ck_assert_int_eq(admin_call("DeleteToken", &del, ADMIN, &st, NULL), HG_OK);
  hangar_auth_v1_VerifyResponse *v = verify(t->token);
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "unknown token");
  ck_assert_int_eq(admin_call("DeleteToken", &del, ADMIN, &st, NULL), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Token not found");
  del.id = "tok_000000000000000000000000";
  ck_assert_int_eq(admin_call("DeleteToken", &del, ADMIN, &st, NULL), HG_NOT_FOUND);
  del.id = "";
  ck_assert_int_eq(admin_call("DeleteToken", &del, ADMIN, &st, NULL), HG_NOT_FOUND);
}
END_TEST

START_TEST(test_role_bindings_crud_and_merge) {
  rb_t *b = create_binding("erin", "namespaces/ns1", "owner");
  ck_assert(matches("^rb_[0-9a-f]{24}$", b->id));
  ck_assert_str_eq(b->subject, "erin");
  ck_assert_str_eq(b->scope, "namespaces/ns1");
  ck_assert_str_eq(b->role, "owner");
  ck_assert(matches("Z$", b->created_at));
  create_binding("frank", "projects/p9", "viewer");

  created_t *t = create_token("apikey", "erin", 1, 0);
  hangar_auth_v1_VerifyResponse *v = verify(t->token);
  ck_assert_uint_eq(v->bindings_count, 2);
  ck_assert_str_eq(v->bindings[1].scope, "namespaces/ns1");

  Hangar__Auth__V1__ListRoleBindingsRequest lreq =
      HANGAR__AUTH__V1__LIST_ROLE_BINDINGS_REQUEST__INIT;
  lreq.subject = "erin";
  hg_status_t st;
  void *resp;
  ck_assert_int_eq(admin_call("ListRoleBindings", &lreq, ADMIN, &st, &resp), HG_OK);
  Hangar__Auth__V1__ListRoleBindingsResponse *l = resp;
  ck_assert_uint_eq(l->n_role_bindings, 1);
  ck_assert_str_eq(l->role_bindings[0]->id, b->id);
  lreq.subject = "";
  ck_assert_int_eq(admin_call("ListRoleBindings", &lreq, ADMIN, &st, &resp), HG_OK);
  ck_assert_uint_eq(((Hangar__Auth__V1__ListRoleBindingsResponse *)resp)->n_role_bindings, 2);

  Hangar__Auth__V1__DeleteRoleBindingRequest del =
      HANGAR__AUTH__V1__DELETE_ROLE_BINDING_REQUEST__INIT;
  del.id = b->id;
  ck_assert_int_eq(admin_call("DeleteRoleBinding", &del, ADMIN, &st, NULL), HG_OK);
  ck_assert_uint_eq(verify(t->token)->bindings_count, 1);
  ck_assert_int_eq(admin_call("DeleteRoleBinding", &del, ADMIN, &st, NULL), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Role binding not found");
}
END_TEST

START_TEST(test_role_binding_validation) {
  static const struct {
    const char *subject, *scope, *role, *field;
  } cases[] = {
      {"", "projects/p", "viewer", "subject"},
      {"s", "", "viewer", "scope"},
      {"s", "projects/p", "", "role"},
      {"s", "projects/p", "superuser", "role"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    rb_req_t req = {
        PROTOBUF_C_MESSAGE_INIT(&hangar__auth__v1__create_role_binding_request__descriptor),
        (char *)cases[i].subject, (char *)cases[i].scope, (char *)cases[i].role};
    hg_status_t st;
    ck_assert_int_eq(admin_call("CreateRoleBinding", &req, ADMIN, &st, NULL), HG_INVALID_ARGUMENT);
    ck_assert_str_eq(st.message, "Invalid role binding request");
    ck_assert_msg(has_violation(&st, cases[i].field), "case %zu", i);
  }
}
END_TEST

START_TEST(test_verify_admin_and_garbage) {
  hangar_auth_v1_VerifyResponse *v = verify("the-admin-token");
  ck_assert(v->valid);
  ck_assert(v->admin);
  ck_assert_str_eq(v->subject, "admin");
  ck_assert_str_eq(v->kind, "admin");
  v = verify("a.b.c");
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "malformed token");
}
END_TEST

START_TEST(test_authz_against_the_real_service) {
  create_binding("gina", "projects/p7", "owner");
  created_t *t = create_token("spat", "gina", 1, 0);
  authz_t *z;
  ck_assert_int_eq(authz_new(client, target, NULL, &z), 0);
  hg_principal_t *p = hg_arena_alloc(arena, sizeof(*p));
  char bearer[128], detail[128];
  snprintf(bearer, sizeof(bearer), "Bearer %s", t->token);
  ck_assert_int_eq(authz_bearer(z, bearer, p, detail, sizeof(detail)), AUTHZ_OK);
  ck_assert_str_eq(p->subject, "gina");
  ck_assert_str_eq(p->kind, "spat");
  ck_assert_int_eq(hg_principal_role(p, "projects/p7"), HG_ROLE_OWNER);
  ck_assert_int_eq(hg_principal_role(p, "projects/p1"), HG_ROLE_EDITOR);
  ck_assert_int_eq(authz_bearer(z, "Bearer wrong", p, detail, sizeof(detail)), AUTHZ_INVALID);
  ck_assert_str_eq(detail, "unknown token");
  ck_assert_int_eq(authz_bearer(z, ADMIN, p, detail, sizeof(detail)), AUTHZ_OK);
  ck_assert(p->admin);
  authz_free(z);
}
END_TEST

int main(void) {
  Suite *s = suite_create("auth_service");
  TCase *tc = tcase_create("rpc");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_admin_rpcs_refuse_non_admin_callers);
  tcase_add_test(tc, test_create_token_answer_and_verify);
  tcase_add_test(tc, test_create_token_validation);
  tcase_add_test(tc, test_create_token_bindings_capped_before_checking);
  tcase_add_test(tc, test_create_token_lists_every_violation);
  tcase_add_test(tc, test_list_tokens_by_subject_in_creation_order);
  tcase_add_test(tc, test_get_token_as_listed_or_not_found);
  tcase_add_test(tc, test_delete_token_revokes_it);
  tcase_add_test(tc, test_role_bindings_crud_and_merge);
  tcase_add_test(tc, test_role_binding_validation);
  tcase_add_test(tc, test_verify_admin_and_garbage);
  tcase_add_test(tc, test_authz_against_the_real_service);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
