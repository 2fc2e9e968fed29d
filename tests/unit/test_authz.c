/* test_authz.c - common/authz.c: roles, Authorization parsing, and the verification cache
 * against an in-process fake TokenVerifier that counts its calls.
 *
 * The fake answers "good-<subject>" valid with one editor binding, "now-<subject>" valid but
 * expiring this second (so never cacheable), anything else invalid; "hold-..." only once
 * `release` is set (at most 3 s later), as a hung auth-svc would. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/authz.h"
#include "hangar/auth/v1/verify.pb.h"

static atomic_int verify_calls;
static atomic_int release;
static char dir[64], target[128];
static rpc_server_t *server;
static rpc_client_t *client;

static void fake_verify(rpc_ctx_t *ctx, const void *msg) {
  const hangar_auth_v1_VerifyRequest *req = msg;
  hangar_auth_v1_VerifyResponse *r = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*r));
  atomic_fetch_add(&verify_calls, 1);
  for (int i = 0; i < 300 && strncmp(req->token, "hold-", 5) == 0 && !atomic_load(&release); i++)
    usleep(10000);
  int good = strncmp(req->token, "good-", 5) == 0, now = strncmp(req->token, "now-", 4) == 0;
  if (good || now) {
    r->valid = true;
    snprintf(r->subject, sizeof(r->subject), "%s", strchr(req->token, '-') + 1);
    snprintf(r->kind, sizeof(r->kind), "apikey");
    r->bindings_count = 2;
    snprintf(r->bindings[0].scope, sizeof(r->bindings[0].scope), "projects/p1");
    snprintf(r->bindings[0].role, sizeof(r->bindings[0].role), "editor");
    snprintf(r->bindings[1].scope, sizeof(r->bindings[1].scope), "projects/p2");
    snprintf(r->bindings[1].role, sizeof(r->bindings[1].role), "superuser");
    r->expires_at = now ? (int64_t)time(NULL) : 0;
  } else {
    snprintf(r->error, sizeof(r->error), "unknown token");
  }
  rpc_reply(ctx, r);
}

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/test_authz.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(target, sizeof(target), "unix:%s/verify.sock", dir);
  rpc_server_opts_t so = {.cq_threads = 4}; /* held calls must not block the others */
  ck_assert_int_eq(rpc_server_new(target, &so, &server), 0);
  ck_assert_int_eq(rpc_server_add_method(server, "/hangar.auth.v1.TokenVerifier/Verify",
                                         fake_verify, rpc_admit_public,
                                         RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  ck_assert_int_eq(rpc_server_start(server), 0);
  ck_assert_int_eq(rpc_client_new(&client), 0);
  atomic_store(&verify_calls, 0);
  atomic_store(&release, 0);
}

static void teardown(void) {
  rpc_client_destroy(client);
  rpc_server_destroy(server, 1000);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static authz_t *new_authz(size_t capacity) {
  authz_t *z;
  authz_opts_t o = {.ttl_seconds = 30, .capacity = capacity, .deadline_ms = 5000};
  ck_assert_int_eq(authz_new(client, target, &o, &z), 0);
  return z;
}

static hg_principal_t p;

/* ---- pure parts --------------------------------------------------------------------- */

START_TEST(test_role_parse_and_name) {
  static const char *const names[] = {"viewer", "editor", "owner", "admin"};
  for (int i = 0; i < 4; i++) {
    ck_assert_int_eq(hg_role_parse(names[i]), HG_ROLE_VIEWER + i);
    ck_assert_str_eq(hg_role_name(HG_ROLE_VIEWER + i), names[i]);
  }
  ck_assert_int_eq(hg_role_parse("Admin"), HG_ROLE_NONE);
  ck_assert_int_eq(hg_role_parse(""), HG_ROLE_NONE);
  ck_assert_int_eq(hg_role_parse(NULL), HG_ROLE_NONE);
  ck_assert_str_eq(hg_role_name((hg_role_t)42), "none");
}
END_TEST

static void add(hg_principal_t *q, const char *scope, hg_role_t role) {
  snprintf(q->bindings[q->n_bindings].scope, sizeof(q->bindings[0].scope), "%s", scope);
  q->bindings[q->n_bindings++].role = role;
}

START_TEST(test_principal_role_is_max_on_exact_scope) {
  hg_principal_t q = {0};
  add(&q, "projects/p1", HG_ROLE_VIEWER);
  add(&q, "projects/p1", HG_ROLE_OWNER);
  add(&q, "projects/p2", HG_ROLE_EDITOR);
  add(&q, "projects/p10", HG_ROLE_EDITOR);
  ck_assert_int_eq(hg_principal_role(&q, "projects/p1"), HG_ROLE_OWNER);
  ck_assert_int_eq(hg_principal_role(&q, "projects/p2"), HG_ROLE_EDITOR);
  ck_assert_int_eq(hg_principal_role(&q, "projects/p"), HG_ROLE_NONE);
  ck_assert_int_eq(hg_principal_role(&q, "projects/p3"), HG_ROLE_NONE);
}
END_TEST

START_TEST(test_principal_admin_binding_is_admin_of_its_scope_only) {
  hg_principal_t q = {0};
  add(&q, "orgs/o1", HG_ROLE_ADMIN);
  ck_assert_int_eq(hg_principal_role(&q, "orgs/o1"), HG_ROLE_ADMIN);
  ck_assert_int_eq(hg_principal_role(&q, "projects/anything"), HG_ROLE_NONE);
  ck_assert_int_eq(hg_principal_role(&q, "orgs/o2"), HG_ROLE_NONE);
}
END_TEST

START_TEST(test_principal_binding_on_star_applies_everywhere) {
  hg_principal_t q = {0};
  add(&q, HG_SCOPE_EVERYWHERE, HG_ROLE_ADMIN);
  ck_assert_int_eq(hg_principal_role(&q, "projects/anything"), HG_ROLE_ADMIN);
  hg_principal_t v = {0};
  add(&v, HG_SCOPE_EVERYWHERE, HG_ROLE_VIEWER);
  add(&v, "projects/p1", HG_ROLE_EDITOR);
  ck_assert_int_eq(hg_principal_role(&v, "projects/p1"), HG_ROLE_EDITOR);
  ck_assert_int_eq(hg_principal_role(&v, "projects/p2"), HG_ROLE_VIEWER);
  hg_principal_t admin = {.admin = 1};
  ck_assert_int_eq(hg_principal_role(&admin, "namespaces/ns"), HG_ROLE_ADMIN);
}
END_TEST

START_TEST(test_parse_bearer) {
  static const struct {
    const char *header;
    authz_result_t want;
    const char *token;
  } cases[] = {
      {NULL, AUTHZ_MISSING, NULL},
      {"", AUTHZ_MISSING, NULL},
      {"Basic abc", AUTHZ_NOT_BEARER, NULL},
      {"Bearer", AUTHZ_NOT_BEARER, NULL},
      {"Bearer ", AUTHZ_NOT_BEARER, NULL},
      {"Bearer    ", AUTHZ_NOT_BEARER, NULL},
      {"Bearerx tok", AUTHZ_NOT_BEARER, NULL},
      {"Bearer tok", AUTHZ_OK, "tok"},
      {"bearer tok", AUTHZ_OK, "tok"},
      {"BEARER  a.b.c", AUTHZ_OK, "a.b.c"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_str_t t = {NULL, 0};
    ck_assert_int_eq(authz_parse_bearer(cases[i].header, &t), cases[i].want);
    if (cases[i].token) ck_assert_str_eq(t.p, cases[i].token);
  }
}
END_TEST

/* ---- against the fake verifier -------------------------------------------------------- */

START_TEST(test_missing_and_not_bearer_never_call_verify) {
  authz_t *z = new_authz(16);
  char detail[64];
  ck_assert_int_eq(authz_bearer(z, NULL, &p, detail, sizeof(detail)), AUTHZ_MISSING);
  ck_assert_int_eq(authz_bearer(z, "Basic x", &p, detail, sizeof(detail)), AUTHZ_NOT_BEARER);
  ck_assert_int_eq(authz_token(z, "", &p, detail, sizeof(detail)), AUTHZ_MISSING);
  ck_assert_int_eq(atomic_load(&verify_calls), 0);
  authz_free(z);
}
END_TEST

START_TEST(test_valid_answer_is_cached) {
  authz_t *z = new_authz(16);
  ck_assert_int_eq(authz_bearer(z, "Bearer good-alice", &p, NULL, 0), AUTHZ_OK);
  ck_assert_str_eq(p.subject, "alice");
  ck_assert_str_eq(p.kind, "apikey");
  ck_assert_uint_eq(p.n_bindings, 1); /* the unknown role grants nothing */
  ck_assert_int_eq(hg_principal_role(&p, "projects/p1"), HG_ROLE_EDITOR);
  memset(&p, 0, sizeof(p));
  ck_assert_int_eq(authz_token(z, "good-alice", &p, NULL, 0), AUTHZ_OK);
  ck_assert_str_eq(p.subject, "alice");
  ck_assert_int_eq(hg_principal_role(&p, "projects/p1"), HG_ROLE_EDITOR);
  ck_assert_int_eq(atomic_load(&verify_calls), 1);
  authz_free(z);
}
END_TEST

START_TEST(test_invalid_answer_is_not_cached) {
  authz_t *z = new_authz(16);
  char detail[64] = "";
  ck_assert_int_eq(authz_bearer(z, "Bearer nope", &p, detail, sizeof(detail)), AUTHZ_INVALID);
  ck_assert_str_eq(detail, "unknown token");
  ck_assert_int_eq(authz_bearer(z, "Bearer nope", &p, detail, sizeof(detail)), AUTHZ_INVALID);
  ck_assert_int_eq(atomic_load(&verify_calls), 2);
  authz_free(z);
}
END_TEST

START_TEST(test_answer_is_never_cached_past_token_expiry) {
  authz_t *z = new_authz(16);
  ck_assert_int_eq(authz_token(z, "now-bob", &p, NULL, 0), AUTHZ_OK);
  ck_assert_str_eq(p.subject, "bob");
  ck_assert_int_eq(authz_token(z, "now-bob", &p, NULL, 0), AUTHZ_OK);
  ck_assert_int_eq(atomic_load(&verify_calls), 2);
  authz_free(z);
}
END_TEST

START_TEST(test_capacity_evicts_least_recently_used) {
  authz_t *z = new_authz(2);
  ck_assert_int_eq(authz_token(z, "good-a", &p, NULL, 0), AUTHZ_OK);
  ck_assert_int_eq(authz_token(z, "good-b", &p, NULL, 0), AUTHZ_OK);
  ck_assert_int_eq(authz_token(z, "good-a", &p, NULL, 0), AUTHZ_OK); /* a is now recent */
  ck_assert_int_eq(atomic_load(&verify_calls), 2);
  ck_assert_int_eq(authz_token(z, "good-c", &p, NULL, 0), AUTHZ_OK); /* evicts b */
  ck_assert_int_eq(authz_token(z, "good-a", &p, NULL, 0), AUTHZ_OK);
  ck_assert_int_eq(atomic_load(&verify_calls), 3);
  ck_assert_int_eq(authz_token(z, "good-b", &p, NULL, 0), AUTHZ_OK);
  ck_assert_int_eq(atomic_load(&verify_calls), 4);
  authz_free(z);
}
END_TEST

START_TEST(test_overlong_token_is_invalid_without_a_call) {
  authz_t *z = new_authz(16);
  char *big = malloc(5000);
  memset(big, 'x', 4999);
  big[4999] = '\0';
  ck_assert_int_eq(authz_token(z, big, &p, NULL, 0), AUTHZ_INVALID);
  ck_assert_int_eq(atomic_load(&verify_calls), 0);
  free(big);
  authz_free(z);
}
END_TEST

START_TEST(test_unreachable_verifier_is_unavailable) {
  authz_t *z;
  char where[160], detail[128] = "";
  authz_opts_t o = {.deadline_ms = 300};
  snprintf(where, sizeof(where), "unix:%s/nobody-listens.sock", dir);
  ck_assert_int_eq(authz_new(client, where, &o, &z), 0);
  ck_assert_int_eq(authz_token(z, "good-x", &p, detail, sizeof(detail)), AUTHZ_UNAVAILABLE);
  ck_assert_str_ne(detail, "");
  authz_free(z);
}
END_TEST

typedef struct probe {
  authz_t *z;
  authz_result_t rc;
} probe_t;

static void *probe_main(void *arg) {
  probe_t *pr = arg;
  hg_principal_t mine;
  pr->rc = authz_token(pr->z, "hold-2", &mine, NULL, 0);
  return NULL;
}

/* A hung auth-svc must not hold every thread that misses the cache: after a Verify timed out,
 * one Verify at a time goes out and other misses are unavailable at once, without a call. */
START_TEST(test_hung_verifier_holds_one_thread_at_a_time) {
  authz_t *z;
  authz_opts_t o = {.ttl_seconds = 30, .capacity = 16, .deadline_ms = 1000};
  char detail[128] = "";
  ck_assert_int_eq(authz_new(client, target, &o, &z), 0);
  ck_assert_int_eq(authz_token(z, "hold-1", &p, NULL, 0), AUTHZ_UNAVAILABLE);
  probe_t pr = {.z = z};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, NULL, probe_main, &pr), 0);
  for (int i = 0; i < 800 && atomic_load(&verify_calls) < 2; i++) usleep(1000);
  ck_assert_int_eq(atomic_load(&verify_calls), 2); /* the probe is out */
  ck_assert_int_eq(authz_token(z, "good-x", &p, detail, sizeof(detail)), AUTHZ_UNAVAILABLE);
  ck_assert_str_ne(detail, "");
  ck_assert_int_eq(atomic_load(&verify_calls), 2);
  pthread_join(t, NULL);
  ck_assert_int_eq(pr.rc, AUTHZ_UNAVAILABLE);
  atomic_store(&release, 1); /* auth-svc answers again: every miss asks it */
  ck_assert_int_eq(authz_token(z, "good-x", &p, NULL, 0), AUTHZ_OK);
  ck_assert_int_eq(authz_token(z, "bad-y", &p, NULL, 0), AUTHZ_INVALID);
  ck_assert_int_eq(authz_token(z, "bad-z", &p, NULL, 0), AUTHZ_INVALID);
  ck_assert_int_eq(atomic_load(&verify_calls), 5);
  authz_free(z);
}
END_TEST

int main(void) {
  Suite *s = suite_create("authz");
  TCase *pure = tcase_create("pure");
  tcase_add_test(pure, test_role_parse_and_name);
  tcase_add_test(pure, test_principal_role_is_max_on_exact_scope);
  tcase_add_test(pure, test_principal_admin_binding_is_admin_of_its_scope_only);
  tcase_add_test(pure, test_principal_binding_on_star_applies_everywhere);
  tcase_add_test(pure, test_parse_bearer);
  suite_add_tcase(s, pure);
  TCase *cache = tcase_create("cache");
  tcase_add_checked_fixture(cache, setup, teardown);
  tcase_add_test(cache, test_missing_and_not_bearer_never_call_verify);
  tcase_add_test(cache, test_valid_answer_is_cached);
  tcase_add_test(cache, test_invalid_answer_is_not_cached);
  tcase_add_test(cache, test_answer_is_never_cached_past_token_expiry);
  tcase_add_test(cache, test_capacity_evicts_least_recently_used);
  tcase_add_test(cache, test_overlong_token_is_invalid_without_a_call);
  tcase_add_test(cache, test_unreachable_verifier_is_unavailable);
  tcase_add_test(cache, test_hung_verifier_holds_one_thread_at_a_time);
  suite_add_tcase(s, cache);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
