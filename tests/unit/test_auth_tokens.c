/* test_auth_tokens.c - services/auth token.c, auth_store.c and verify.c against a real
 * store in a temporary directory, with a fake clock: formats, hashing, revocation, expiry,
 * the merge of a token's bindings with its subject's, the admin token, and listing order. */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "auth/auth.h"
#include "auth/auth_store.h"
#include "auth/token.h"
#include "auth/verify.h"

#define ADMIN "admin-secret-token"

static char dir[64];
static store_t *store;
static hg_arena_t *arena;
static int64_t fake_now = 1736950800;
static int64_t clock_fake(void) { return fake_now; }
static auth_svc_t svc;

static void setup(void) {
  snprintf(dir, sizeof(dir), "/tmp/test_auth_tokens.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(store_open(dir, &auth_store_schema, NULL, &store), 0);
  arena = hg_arena_new();
  svc = (auth_svc_t){store, HG_STR(ADMIN), HG_STR("jwt-secret"), clock_fake};
}

static void teardown(void) {
  store_close(store);
  hg_arena_free(arena);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static int put_token_fn(store_txn_t *txn, void *arg) { return auth_store_put_token(txn, arg); }
static int put_binding_fn(store_txn_t *txn, void *arg) { return auth_store_put_binding(txn, arg); }
static int del_token_fn(store_txn_t *txn, void *arg) {
  return auth_store_delete(txn, AUTH_T_TOKENS, arg);
}

static Hangar__Auth__V1__Binding *binding(const char *scope, const char *role) {
  Hangar__Auth__V1__Binding *b = hg_arena_alloc(arena, sizeof(*b));
  hangar__auth__v1__binding__init(b);
  b->scope = hg_arena_strdup(arena, scope);
  b->role = hg_arena_strdup(arena, role);
  return b;
}

/* Mints and stores a token; returns its secret, *rec_out its record. ttl < 0: none. */
static const char *mint(const char *kind, const char *subject, Hangar__Auth__V1__Binding *b,
                        long ttl, Hangar__Auth__V1__TokenRecord **rec_out) {
  Hangar__Auth__V1__CreateTokenRequest *req = hg_arena_alloc(arena, sizeof(*req));
  hangar__auth__v1__create_token_request__init(req);
  req->kind = hg_arena_strdup(arena, kind);
  req->subject = hg_arena_strdup(arena, subject);
  if (b) {
    req->bindings = hg_arena_alloc(arena, sizeof(*req->bindings));
    req->bindings[0] = b;
    req->n_bindings = 1;
  }
  if (ttl >= 0) {
    req->_ttl_seconds_case = HANGAR__AUTH__V1__CREATE_TOKEN_REQUEST___TTL_SECONDS_TTL_SECONDS;
    req->ttl_seconds = ttl;
  }
  Hangar__Auth__V1__TokenRecord *rec;
  const char *secret;
  ck_assert_int_eq(auth_token_mint(req, fake_now, arena, &rec, &secret), 0);
  ck_assert_int_eq(store_write(store, put_token_fn, rec), 0);
  if (rec_out) *rec_out = rec;
  return secret;
}

static void bind_subject(const char *subject, const char *scope, const char *role) {
  Hangar__Auth__V1__RoleBindingRecord *r = hg_arena_alloc(arena, sizeof(*r));
  hangar__auth__v1__role_binding_record__init(r);
  r->id = auth_id_new(arena, "rb_");
  r->subject = hg_arena_strdup(arena, subject);
  r->scope = hg_arena_strdup(arena, scope);
  r->role = hg_arena_strdup(arena, role);
  r->created_at = fake_now;
  ck_assert_int_eq(store_write(store, put_binding_fn, r), 0);
}

static hangar_auth_v1_VerifyResponse *check(const char *token) {
  hangar_auth_v1_VerifyResponse *v = hg_arena_alloc(arena, sizeof(*v));
  ck_assert_int_eq(auth_verify(&svc, token, arena, v), 0);
  return v;
}

static int all_alnum(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i])) return 0;
  return 1;
}

START_TEST(test_token_format_per_kind) {
  static const struct {
    const char *kind, *prefix;
  } cases[] = {
      {"kpat", "kpat_"}, {"spat", "spat_"}, {"apikey", ""}, {"apitoken", ""}, {"storage", ""}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char tok[AUTH_TOKEN_MAX];
    size_t plen = strlen(cases[i].prefix);
    ck_assert_int_eq(auth_token_generate(auth_kind_find(cases[i].kind), tok), 0);
    ck_assert_uint_eq(strlen(tok), plen + AUTH_SECRET_CHARS);
    ck_assert_int_eq(strncmp(tok, cases[i].prefix, plen), 0);
    ck_assert(all_alnum(tok + plen, AUTH_SECRET_CHARS));
  }
  ck_assert_ptr_null(auth_kind_find("bogus"));
  ck_assert_ptr_null(auth_kind_find(""));
}
END_TEST

START_TEST(test_tokens_are_unique) {
  char a[AUTH_TOKEN_MAX], b[AUTH_TOKEN_MAX];
  ck_assert_int_eq(auth_token_generate(auth_kind_find("apikey"), a), 0);
  ck_assert_int_eq(auth_token_generate(auth_kind_find("apikey"), b), 0);
  ck_assert_str_ne(a, b);
  char *id1 = auth_id_new(arena, "tok_"), *id2 = auth_id_new(arena, "tok_");
  ck_assert_uint_eq(strlen(id1), 4 + AUTH_ID_HEX);
  ck_assert_str_ne(id1, id2);
}
END_TEST

START_TEST(test_token_equal_is_exact) {
  ck_assert(auth_token_equal(HG_STR("abc"), HG_STR("abc")));
  ck_assert(!auth_token_equal(HG_STR("abc"), HG_STR("abd")));
  ck_assert(!auth_token_equal(HG_STR("abc"), HG_STR("abcd")));
}
END_TEST

START_TEST(test_hash_stored_not_secret) {
  Hangar__Auth__V1__TokenRecord *rec;
  const char *secret = mint("kpat", "alice", NULL, -1, &rec);
  uint8_t want[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)secret, strlen(secret), want);
  ck_assert_uint_eq(rec->hash.len, sizeof(want));
  ck_assert_int_eq(memcmp(rec->hash.data, want, sizeof(want)), 0);

  store_txn_t *txn;
  store_val_t raw;
  ck_assert_int_eq(store_txn_begin_read(store, &txn), 0);
  ck_assert_int_eq(store_get(txn, AUTH_T_TOKENS, (store_val_t){rec->id, strlen(rec->id)}, &raw), 0);
  ck_assert_ptr_null(memmem(raw.p, raw.n, secret + 5, AUTH_SECRET_CHARS));
  Hangar__Auth__V1__TokenRecord *found;
  ck_assert_int_eq(auth_store_token_by_hash(txn, want, arena, &found), 0);
  ck_assert_str_eq(found->id, rec->id);
  store_txn_end(txn);
}
END_TEST

START_TEST(test_opaque_token_valid) {
  const char *secret = mint("apikey", "alice", binding("projects/p1", "editor"), 3600, NULL);
  hangar_auth_v1_VerifyResponse *v = check(secret);
  ck_assert(v->valid);
  ck_assert_str_eq(v->subject, "alice");
  ck_assert_str_eq(v->kind, "apikey");
  ck_assert(!v->admin);
  ck_assert_int_eq(v->expires_at, fake_now + 3600);
  ck_assert_uint_eq(v->bindings_count, 1);
  ck_assert_str_eq(v->bindings[0].scope, "projects/p1");
  ck_assert_str_eq(v->bindings[0].role, "editor");
}
END_TEST

START_TEST(test_unknown_token_invalid) {
  hangar_auth_v1_VerifyResponse *v = check("no-such-token");
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "unknown token");
  ck_assert_str_eq(v->subject, "");
  v = check("");
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "missing token");
}
END_TEST

START_TEST(test_revoked_token_invalid) {
  Hangar__Auth__V1__TokenRecord *rec;
  const char *secret = mint("spat", "bob", NULL, -1, &rec);
  ck_assert(check(secret)->valid);
  ck_assert_int_eq(store_write(store, del_token_fn, rec->id), 0);
  hangar_auth_v1_VerifyResponse *v = check(secret);
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "unknown token");
  ck_assert_int_eq(store_write(store, del_token_fn, rec->id), STORE_NOTFOUND);
}
END_TEST

START_TEST(test_expired_opaque_token_invalid) {
  const char *secret = mint("storage", "carol", NULL, 60, NULL);
  fake_now += 59;
  ck_assert(check(secret)->valid);
  fake_now += 1;
  hangar_auth_v1_VerifyResponse *v = check(secret);
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "token expired");
}
END_TEST

START_TEST(test_bindings_merge_token_and_subject) {
  bind_subject("dave", "projects/p2", "viewer");
  bind_subject("dave", "projects/p1", "editor"); /* same as the token's own: kept once */
  bind_subject("erin", "projects/p3", "owner");  /* someone else's */
  const char *secret = mint("apitoken", "dave", binding("projects/p1", "editor"), -1, NULL);
  hangar_auth_v1_VerifyResponse *v = check(secret);
  ck_assert(v->valid);
  ck_assert_int_eq(v->expires_at, 0);
  ck_assert_uint_eq(v->bindings_count, 2);
  ck_assert_str_eq(v->bindings[0].scope, "projects/p1"); /* the token's own come first */
  ck_assert_str_eq(v->bindings[0].role, "editor");
  ck_assert_str_eq(v->bindings[1].scope, "projects/p2");
  ck_assert_str_eq(v->bindings[1].role, "viewer");
}
END_TEST

START_TEST(test_admin_token) {
  hangar_auth_v1_VerifyResponse *v = check(ADMIN);
  ck_assert(v->valid);
  ck_assert(v->admin);
  ck_assert_str_eq(v->subject, "admin");
  ck_assert_str_eq(v->kind, "admin");
  ck_assert(!check(ADMIN "x")->valid);
}
END_TEST

START_TEST(test_jwt_gets_subject_bindings) {
  bind_subject("frank", "namespaces/ns1", "owner");
  /* {"alg":"HS256","typ":"JWT"} {"sub":"frank","exp":1736954400} signed with "jwt-secret" */
  const char *jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmcmFuayIsImV4cCI6MTczNjk1NDQwMH0."
      "4AeXdqlOAQlM5jBi6O0iqJA81wvjQB6MEEHjjfdyT5Y";
  hangar_auth_v1_VerifyResponse *v = check(jwt);
  ck_assert_msg(v->valid, "%s", v->error);
  ck_assert_str_eq(v->kind, "jwt");
  ck_assert_str_eq(v->subject, "frank");
  ck_assert_int_eq(v->expires_at, 1736954400);
  ck_assert_uint_eq(v->bindings_count, 1);
  ck_assert_str_eq(v->bindings[0].scope, "namespaces/ns1");
  fake_now = 1736954400;
  v = check(jwt);
  ck_assert(!v->valid);
  ck_assert_str_eq(v->error, "token expired");
}
END_TEST

START_TEST(test_list_in_creation_order_and_by_subject) {
  Hangar__Auth__V1__TokenRecord *r1, *r2, *r3;
  mint("apikey", "gina", NULL, -1, &r1);
  mint("apikey", "hank", NULL, -1, &r2);
  mint("kpat", "gina", NULL, -1, &r3);
  store_txn_t *txn;
  Hangar__Auth__V1__TokenRecord **recs;
  size_t n;
  ck_assert_int_eq(store_txn_begin_read(store, &txn), 0);
  ck_assert_int_eq(auth_store_list_tokens(txn, NULL, arena, &recs, &n), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(recs[0]->id, r1->id);
  ck_assert_str_eq(recs[1]->id, r2->id);
  ck_assert_str_eq(recs[2]->id, r3->id);
  ck_assert_int_eq(auth_store_list_tokens(txn, "gina", arena, &recs, &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_str_eq(recs[0]->id, r1->id);
  ck_assert_str_eq(recs[1]->id, r3->id);
  ck_assert_int_eq(auth_store_list_tokens(txn, "nobody", arena, &recs, &n), 0);
  ck_assert_uint_eq(n, 0);
  store_txn_end(txn);
}
END_TEST

int main(void) {
  Suite *s = suite_create("auth_tokens");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_token_format_per_kind);
  tcase_add_test(tc, test_tokens_are_unique);
  tcase_add_test(tc, test_token_equal_is_exact);
  tcase_add_test(tc, test_hash_stored_not_secret);
  tcase_add_test(tc, test_opaque_token_valid);
  tcase_add_test(tc, test_unknown_token_invalid);
  tcase_add_test(tc, test_revoked_token_invalid);
  tcase_add_test(tc, test_expired_opaque_token_invalid);
  tcase_add_test(tc, test_bindings_merge_token_and_subject);
  tcase_add_test(tc, test_admin_token);
  tcase_add_test(tc, test_jwt_gets_subject_bindings);
  tcase_add_test(tc, test_list_in_creation_order_and_by_subject);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
