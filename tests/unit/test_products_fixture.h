/* test_products_fixture.h - products-svc over real gRPC, shared by the test_products_*
 * service tests: the ApiProducts service on a unix socket in a temporary directory with its
 * store there, and a stand-in auth-svc (TokenVerifier/Verify, nanopb) on a second socket
 * that knows a fixed table of tokens, so callers with exact role bindings are one string
 * away. fx_restart() closes and reopens the store under a new server. */
#ifndef TEST_PRODUCTS_FIXTURE_H
#define TEST_PRODUCTS_FIXTURE_H

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/authz.h"
#include "hangar/auth/v1/verify.pb.h"
#include "products/product_store.h"
#include "products/products.h"

#define SVC (&hangar__products__v1__api_products__descriptor)

/* token -> principal. Scopes "orgs/a", "orgs/b" ... */
static const struct fx_token {
  const char *token;
  int admin;
  const char *scope[2], *role[2];
} fx_tokens[] = {
    {"admin", 1, {NULL, NULL}, {NULL, NULL}},
    {"a-editor", 0, {"orgs/a", NULL}, {"editor", NULL}},
    {"a-viewer", 0, {"orgs/a", NULL}, {"viewer", NULL}},
    {"b-owner", 0, {"orgs/b", NULL}, {"owner", NULL}},
    {"multi", 0, {"orgs/z", "orgs/a"}, {"owner", "editor"}}, /* acts in "a" */
    {"no-org", 0, {"projects/p1", NULL}, {"owner", NULL}},
    {"root", 0, {"*", NULL}, {"admin", NULL}}, /* admin on every scope: "default" */
};

static inline void fx_verify(rpc_ctx_t *ctx, const void *req) {
  const hangar_auth_v1_VerifyRequest *in = req;
  hangar_auth_v1_VerifyResponse *out = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof(*out));
  for (size_t i = 0; i < sizeof(fx_tokens) / sizeof(fx_tokens[0]); i++) {
    const struct fx_token *t = &fx_tokens[i];
    if (strcmp(in->token, t->token) != 0) continue;
    out->valid = 1;
    out->admin = t->admin;
    snprintf(out->subject, sizeof(out->subject), "user:%s", t->token);
    strcpy(out->kind, "kpat");
    for (int k = 0; k < 2 && t->scope[k]; k++) {
      strcpy(out->bindings[k].scope, t->scope[k]);
      strcpy(out->bindings[k].role, t->role[k]);
      out->bindings_count++;
    }
  }
  if (!out->valid) strcpy(out->error, "unknown token");
  rpc_reply(ctx, out);
}

typedef struct fx {
  char dir[64], data[96], target[128], auth_target[128];
  store_t *store;
  products_svc_t svc;
  rpc_server_t *auth, *server;
  rpc_client_t *client;
  rpc_channel_t *ch;
  hg_arena_t *a;
} fx_t;

static fx_t fx;

static inline void fx_start_server(void) {
  ck_assert_int_eq(store_open(fx.data, &products_schema, NULL, &fx.store), 0);
  fx.svc.store = fx.store;
  ck_assert_int_eq(rpc_server_new(fx.target, NULL, &fx.server), 0);
  ck_assert_int_eq(products_register(fx.server, &fx.svc), 0);
  ck_assert_int_eq(rpc_server_start(fx.server), 0);
}

static inline void fx_stop_server(void) {
  rpc_server_destroy(fx.server, 1000);
  store_close(fx.store);
}

static inline void fx_setup(void) {
  memset(&fx, 0, sizeof(fx));
  snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_products.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(fx.dir));
  snprintf(fx.data, sizeof(fx.data), "%s/data", fx.dir);
  snprintf(fx.target, sizeof(fx.target), "unix:%s/products.sock", fx.dir);
  snprintf(fx.auth_target, sizeof(fx.auth_target), "unix:%s/auth.sock", fx.dir);
  ck_assert_int_eq(mkdir(fx.data, 0700), 0);
  ck_assert_int_eq(rpc_server_new(fx.auth_target, NULL, &fx.auth), 0);
  ck_assert_int_eq(rpc_server_add_method(fx.auth, "/hangar.auth.v1.TokenVerifier/Verify", fx_verify,
                                         rpc_admit_public, RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  ck_assert_int_eq(rpc_server_start(fx.auth), 0);
  ck_assert_int_eq(rpc_client_new(&fx.client), 0);
  ck_assert_int_eq(authz_new(fx.client, fx.auth_target, NULL, &fx.svc.authz), 0);
  fx_start_server();
  ck_assert_int_eq(rpc_channel_new(fx.client, fx.target, &fx.ch), 0);
  ck_assert_ptr_nonnull(fx.a = hg_arena_new());
}

static inline void fx_teardown(void) {
  fx_stop_server();
  authz_free(fx.svc.authz);
  rpc_client_destroy(fx.client);
  rpc_server_destroy(fx.auth, 1000);
  hg_arena_free(fx.a);
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* Close everything of products-svc (server and store) and open it again on the same data. */
static inline void fx_restart(void) {
  fx_stop_server();
  fx_start_server();
}

/* ApiProducts/<method> as token (NULL: no Authorization). Returns the status code; *resp
 * (may be NULL) gets the response. */
static inline int fx_call_auth(const char *method, const void *req, const char *authorization,
                               hg_status_t *st, void **resp) {
  const ProtobufCMethodDescriptor *m =
      protobuf_c_service_descriptor_get_method_by_name(SVC, method);
  ck_assert_msg(m != NULL, "no method %s", method);
  rpc_md_t md = {"authorization", authorization};
  rpc_call_opts_t o = {
      .deadline_ms = 10000, .md = &md, .n_md = authorization ? 1 : 0, .arena = fx.a};
  void *ignored = NULL;
  hg_status_clear(st);
  return rpc_call_sync(fx.ch, rpc_method_path(fx.a, SVC, method), RPC_PBC(m->input), req,
                       RPC_PBC(m->output), &o, st, resp ? resp : &ignored);
}

static inline int fx_call(const char *method, const void *req, const char *token, hg_status_t *st,
                          void **resp) {
  char *bearer = token ? hg_arena_sprintf(fx.a, "Bearer %s", token) : NULL;
  return fx_call_auth(method, req, bearer, st, resp);
}

/* A call that must succeed; returns the response. */
static inline void *fx_ok(const char *method, const void *req, const char *token) {
  hg_status_t st;
  void *resp = NULL;
  int rc = fx_call(method, req, token, &st, &resp);
  ck_assert_msg(rc == HG_OK, "%s: %s %s (%s: %s)", method, hg_code_name(rc),
                st.message ? st.message : "", st.n_violations ? st.violations[0].field : "",
                st.n_violations ? st.violations[0].description : "");
  return resp;
}

/* A call that must fail with code; returns its status (strings in the arena). */
static inline hg_status_t fx_fail(const char *method, const void *req, const char *token,
                                  int code) {
  hg_status_t st;
  int rc = fx_call(method, req, token, &st, NULL);
  ck_assert_msg(rc == code, "%s: want %s, got %s (%s)", method, hg_code_name(code),
                hg_code_name(rc), st.message ? st.message : "");
  return st;
}

/* The one violation of an INVALID_ARGUMENT answer is (field, rule). */
static inline const hg_violation_t *fx_violation(const hg_status_t *st, const char *field,
                                                 const char *rule) {
  for (size_t i = 0; i < st->n_violations; i++) {
    const hg_violation_t *v = &st->violations[i];
    if (strcmp(v->field, field) == 0 && v->rule && strcmp(v->rule, rule) == 0) return v;
  }
  ck_abort_msg("no violation %s/%s among %zu (first: %s/%s)", field, rule, st->n_violations,
               st->n_violations ? st->violations[0].field : "-",
               st->n_violations && st->violations[0].rule ? st->violations[0].rule : "-");
  return NULL;
}

static inline void fx_invalid(const char *method, const void *req, const char *field,
                              const char *rule) {
  hg_status_t st = fx_fail(method, req, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "Invalid Parameters");
  fx_violation(&st, field, rule);
}

static inline int fx_matches(const char *pattern, const char *s) {
  regex_t re;
  ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
  int ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

#define FX_UUID "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
#define FX_TIME "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"

/* Two messages are the same bytes (GET returns exactly what the write returned). */
static inline void fx_assert_same(const ProtobufCMessage *x, const ProtobufCMessage *y) {
  size_t n = protobuf_c_message_get_packed_size(x);
  ck_assert_uint_eq(n, protobuf_c_message_get_packed_size(y));
  uint8_t *px = hg_arena_alloc(fx.a, n + 1), *py = hg_arena_alloc(fx.a, n + 1);
  protobuf_c_message_pack(x, px);
  protobuf_c_message_pack(y, py);
  ck_assert_int_eq(memcmp(px, py, n), 0);
}

/* ---- builders ----------------------------------------------------------------------- */

#define ONEOF(msg, field, value, CASE)                                                             \
  do {                                                                                             \
    (msg)._##field##_case = CASE;                                                                  \
    (msg).field = (value);                                                                         \
  } while (0)

static inline Google__Protobuf__StringValue *fx_sv(const char *s) {
  Google__Protobuf__StringValue *v = hg_arena_alloc(fx.a, sizeof(*v));
  google__protobuf__string_value__init(v);
  v->value = (char *)s;
  return v;
}

/* A FieldMask naming the given paths (NULL-terminated). */
static inline Google__Protobuf__FieldMask *fx_mask(const char *const *paths) {
  Google__Protobuf__FieldMask *m = hg_arena_alloc(fx.a, sizeof(*m));
  google__protobuf__field_mask__init(m);
  while (paths[m->n_paths]) m->n_paths++;
  m->paths = (char **)paths;
  return m;
}

/* A Struct of n string values (kv: key, value, ...); a NULL value is JSON null. */
static inline Google__Protobuf__Struct *fx_struct(const char *const *kv, size_t n) {
  Google__Protobuf__Struct *s = hg_arena_alloc(fx.a, sizeof(*s));
  google__protobuf__struct__init(s);
  s->fields = hg_arena_alloc(fx.a, (n + 1) * sizeof(*s->fields));
  for (size_t i = 0; i < n; i++) {
    Google__Protobuf__Struct__FieldsEntry *e = hg_arena_alloc(fx.a, sizeof(*e));
    Google__Protobuf__Value *v = hg_arena_alloc(fx.a, sizeof(*v));
    google__protobuf__struct__fields_entry__init(e);
    google__protobuf__value__init(v);
    e->key = (char *)kv[2 * i];
    if (kv[2 * i + 1]) {
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
      v->string_value = (char *)kv[2 * i + 1];
    } else {
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE;
    }
    e->value = v;
    s->fields[s->n_fields++] = e;
  }
  return s;
}

typedef Hangar__Products__V1__CreateApiProductRequest fx_create_product_t;

/* A product named name in the token's org. */
static inline product_t *fx_product(const char *name, const char *token) {
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  ONEOF(req, name, (char *)name, HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST___NAME_NAME);
  return fx_ok("CreateApiProduct", &req, token);
}

#endif
