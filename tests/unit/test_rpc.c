/* test_rpc.c - common/rpc end to end: a real server and client over loopback TCP and a unix
 * socket, the generated KtrlPlane service (protobuf-c) and the Verify pair (nanopb).
 *
 * Handlers that must answer late park their context in a mailbox; the test (or a worker
 * thread it starts) answers from there, so late and cross-thread replies need no sleeps. */
#include <check.h>
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc/rpc.h"
#include "google/protobuf/empty.pb-c.h"
#include "hangar/auth/v1/verify.pb.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "hangar/rpc/v1/admission.pb-c.h"

#define KP "/hangar.resources.v1.KtrlPlane/"
#define VERIFY_PATH "/hangar.auth.v1.TokenVerifier/Verify"
#define ADMIT_PATH "/hangar.rpc.v1.Admission/Admit"
#define PBC(name) RPC_PBC(&hangar__resources__v1__##name##__descriptor)
#define MAX_PARKED 256
#define N_CONCURRENT 200

typedef Hangar__Resources__V1__Resource resource_t;
typedef Hangar__Resources__V1__GetResourceRequest get_req_t;

/* ---- parked calls -------------------------------------------------------------------- */

typedef struct parked {
  rpc_ctx_t *ctx;
  const void *req;
} parked_t;

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  parked_t q[MAX_PARKED];
  size_t n;
} box = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{0}}, 0};

static void park(rpc_ctx_t *ctx, const void *req) {
  pthread_mutex_lock(&box.mu);
  box.q[box.n++] = (parked_t){ctx, req};
  pthread_cond_broadcast(&box.cv);
  pthread_mutex_unlock(&box.mu);
}

static parked_t unpark(void) {
  parked_t p;
  pthread_mutex_lock(&box.mu);
  while (box.n == 0) pthread_cond_wait(&box.cv, &box.mu);
  p = box.q[--box.n];
  pthread_mutex_unlock(&box.mu);
  return p;
}

static void wait_parked(size_t n) {
  pthread_mutex_lock(&box.mu);
  while (box.n < n) pthread_cond_wait(&box.cv, &box.mu);
  pthread_mutex_unlock(&box.mu);
}

/* Answers n parked UpdateResource calls with an empty Resource. */
static void reply_parked_updates(size_t n) {
  for (size_t i = 0; i < n; i++) {
    resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
    rpc_reply(unpark().ctx, &r);
  }
}

/* ---- handlers ------------------------------------------------------------------------ */

static void get_echo(rpc_ctx_t *ctx, const void *req) {
  const get_req_t *in = req;
  const char *tag = rpc_ctx_metadata(ctx, "x-test");
  resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  r.resource_id = in->resource_id;
  r.project_id = in->project_id;
  r.name = (char *)(tag ? tag : "");
  r.status = (char *)rpc_ctx_request_id(ctx);
  r.type = (char *)rpc_ctx_method(ctx);
  r.sku = hg_arena_sprintf(rpc_ctx_arena(ctx), "%lld", (long long)rpc_ctx_remaining_ms(ctx));
  r.created_at = rpc_ctx_server_data(ctx);
  rpc_reply(ctx, &r);
}

static void create_fails(rpc_ctx_t *ctx, const void *req) {
  hg_status_t st;
  (void)req;
  hg_status_set(&st, HG_INVALID_ARGUMENT, "Validation failed");
  st.reason = "VALIDATION_FAILED";
  st.detail = "name is too long";
  hg_status_violation(&st, "name", "max_length", "must be at most 63 characters");
  hg_status_violation(&st, "settings_json.tier", NULL, "unknown tier");
  rpc_fail(ctx, &st);
}

/* Konnect-style violations: extras on the first and third, none on the second. */
static const char *const sort_choices[] = {"name", "created_at", NULL};

static void fail_with_extras(rpc_ctx_t *ctx, const void *req) {
  hg_status_t st;
  (void)req;
  hg_status_set(&st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_violation_t *v = hg_status_violation(&st, "name", "min_length", "too short");
  hg_violation_minimum(v, 1);
  hg_violation_maximum(v, 100);
  hg_status_violation(&st, "slug", "matches_regex", "bad slug");
  hg_violation_choices(hg_status_violation(&st, "sort", "enum", "unknown sort"), sort_choices);
  rpc_fail(ctx, &st);
}

static void list_empty(rpc_ctx_t *ctx, const void *req) {
  Hangar__Resources__V1__ListResourcesResponse r =
      HANGAR__RESOURCES__V1__LIST_RESOURCES_RESPONSE__INIT;
  (void)req;
  r.total = 7;
  rpc_reply(ctx, &r);
}

/* DeleteResource's admission: x-admit "yes" admits; "deny" is 403; none is 401; project
 * "hidden" is 404 whoever asks (so a test sees the request was decoded as the method's). */
static atomic_int admit_runs;

static int admit_delete(rpc_ctx_t *ctx, const void *req) {
  const Hangar__Resources__V1__DeleteResourceRequest *in = req;
  const char *who = rpc_ctx_metadata(ctx, "x-admit");
  atomic_fetch_add(&admit_runs, 1);
  if (strcmp(in->project_id, "hidden") == 0) {
    rpc_fail_code(ctx, HG_NOT_FOUND, "Resource not found");
    return -1;
  }
  if (!who) {
    rpc_fail_code(ctx, HG_UNAUTHENTICATED, "Authorization header required");
    return -1;
  }
  if (strcmp(who, "yes") == 0) return 0;
  rpc_fail_code(ctx, HG_PERMISSION_DENIED, "Insufficient permissions to delete resource");
  return -1;
}

static const rpc_binding_t kp_bindings[] = {
    {"ListResources", list_empty, NULL},    {"CreateResource", create_fails, NULL},
    {"GetResource", get_echo, NULL},        {"UpdateResource", park, NULL},
    {"DeleteResource", park, admit_delete},
};
#define N_KP (sizeof kp_bindings / sizeof kp_bindings[0])

static void verify(rpc_ctx_t *ctx, const void *req) {
  const hangar_auth_v1_VerifyRequest *in = req;
  hangar_auth_v1_VerifyResponse *out = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof *out);
  out->valid = strcmp(in->token, "good-token") == 0;
  snprintf(out->subject, sizeof out->subject, "user:%.150s", in->token);
  strcpy(out->kind, "jwt");
  out->bindings_count = 2;
  strcpy(out->bindings[0].scope, "projects/p1");
  strcpy(out->bindings[0].role, "editor");
  strcpy(out->bindings[1].scope, "orgs/o1");
  strcpy(out->bindings[1].role, "viewer");
  out->expires_at = 1700000000;
  rpc_reply(ctx, out);
}

/* ---- fixture ------------------------------------------------------------------------- */

typedef struct fx {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  hg_arena_t *a;
  char sock[64];
} fx_t;

static void reset_done_log(void);

static void fx_start(fx_t *f, int use_unix) {
  rpc_server_opts_t opts = {.cq_threads = 2};
  char addr[96];
  memset(f, 0, sizeof *f);
  reset_done_log(); /* tests share one process under CK_FORK=no */
  if (use_unix) {
    snprintf(f->sock, sizeof f->sock, "/tmp/hangar-test-rpc-%d.sock", (int)getpid());
    unlink(f->sock);
    snprintf(addr, sizeof addr, "unix:%s", f->sock);
  } else {
    strcpy(addr, "127.0.0.1:0");
  }
  ck_assert_int_eq(rpc_server_new(addr, &opts, &f->srv), 0);
  ck_assert_int_eq(rpc_server_add_service(f->srv, &hangar__resources__v1__ktrl_plane__descriptor,
                                          kp_bindings, N_KP),
                   0);
  ck_assert_int_eq(rpc_server_add_method(f->srv, VERIFY_PATH, verify,
                                         RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  rpc_server_set_data(f->srv, "server-data");
  ck_assert_int_eq(rpc_server_start(f->srv), 0);
  if (!use_unix) snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(f->srv));
  ck_assert_int_eq(rpc_client_new(&f->cli), 0);
  ck_assert_int_eq(rpc_channel_new(f->cli, addr, &f->ch), 0);
  ck_assert_ptr_nonnull(f->a = hg_arena_new());
}

static void fx_stop(fx_t *f) {
  rpc_client_destroy(f->cli);
  rpc_server_destroy(f->srv, 2000);
  hg_arena_free(f->a);
  if (f->sock[0]) unlink(f->sock);
}

static int call_get(fx_t *f, const rpc_md_t *md, size_t n_md, hg_status_t *st, resource_t **out) {
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .md = md, .n_md = n_md, .arena = f->a};
  void *resp = NULL;
  int rc;
  req.project_id = "p1";
  req.resource_id = "res-1";
  rc = rpc_call_sync(f->ch, KP "GetResource", PBC(get_resource_request), &req, PBC(resource), &o,
                     st, &resp);
  *out = resp;
  return rc;
}

static int is_hex16(const char *s) {
  if (strlen(s) != 16) return 0;
  for (; *s; s++)
    if (!isxdigit((unsigned char)*s)) return 0;
  return 1;
}

/* ---- tests --------------------------------------------------------------------------- */

START_TEST(test_unary_round_trip_tcp) {
  fx_t f;
  rpc_md_t md[] = {{"x-test", "hello"}, {"x-request-id", "rid-123"}};
  hg_status_t st;
  resource_t *r;
  fx_start(&f, 0);
  ck_assert_int_gt(rpc_server_port(f.srv), 0);
  ck_assert_int_eq(call_get(&f, md, 2, &st, &r), HG_OK);
  ck_assert_str_eq(r->resource_id, "res-1");
  ck_assert_str_eq(r->project_id, "p1");
  ck_assert_str_eq(r->name, "hello");
  ck_assert_str_eq(r->status, "rid-123");
  ck_assert_str_eq(r->type, KP "GetResource");
  ck_assert_str_eq(r->created_at, "server-data");
  ck_assert_int_gt(atoi(r->sku), 0);
  ck_assert_int_le(atoi(r->sku), 5100); /* grpc-timeout is rounded up on the wire */
  fx_stop(&f);
}
END_TEST

START_TEST(test_unary_round_trip_unix_mints_request_id) {
  fx_t f;
  hg_status_t st;
  resource_t *r;
  fx_start(&f, 1);
  ck_assert_int_eq(call_get(&f, NULL, 0, &st, &r), HG_OK);
  ck_assert_str_eq(r->resource_id, "res-1");
  ck_assert_str_eq(r->name, "");
  ck_assert_msg(is_hex16(r->status), "minted request id %s", r->status);
  fx_stop(&f);
}
END_TEST

START_TEST(test_fail_details_arrive_intact) {
  fx_t f;
  Hangar__Resources__V1__CreateResourceRequest req =
      HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp = (void *)&o;
  fx_start(&f, 0);
  o.arena = f.a;
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "CreateResource", PBC(create_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_ptr_null(resp);
  ck_assert_str_eq(st.message, "Validation failed");
  ck_assert_str_eq(st.reason, "VALIDATION_FAILED");
  ck_assert_str_eq(st.detail, "name is too long");
  ck_assert_uint_eq(st.n_violations, 2);
  ck_assert_str_eq(st.violations[0].field, "name");
  ck_assert_str_eq(st.violations[0].rule, "max_length");
  ck_assert_str_eq(st.violations[0].description, "must be at most 63 characters");
  ck_assert_str_eq(st.violations[1].field, "settings_json.tier");
  ck_assert_ptr_null(st.violations[1].rule);
  ck_assert_str_eq(st.violations[1].description, "unknown tier");
  fx_stop(&f);
}
END_TEST

START_TEST(test_violation_extras_round_trip) {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  hg_arena_t *a = hg_arena_new();
  char addr[64];
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_method(srv, "/hangar.test.Violations/Fail", fail_with_extras,
                                         PBC(get_resource_request), PBC(resource)),
                   0);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(srv));
  ck_assert_int_eq(rpc_client_new(&cli), 0);
  ck_assert_int_eq(rpc_channel_new(cli, addr, &ch), 0);
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = a};
  hg_status_t st;
  void *resp = NULL;
  hg_status_clear(&st);
  ck_assert_int_eq(rpc_call_sync(ch, "/hangar.test.Violations/Fail", PBC(get_resource_request),
                                 &req, PBC(resource), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_uint_eq(st.n_violations, 3);
  const hg_violation_t *v = st.violations;
  ck_assert_str_eq(v[0].rule, "min_length");
  ck_assert(v[0].has_minimum && v[0].minimum == 1 && v[0].has_maximum && v[0].maximum == 100);
  ck_assert_ptr_null(v[0].choices);
  ck_assert_str_eq(v[1].field, "slug");
  ck_assert(!hg_violation_has_extras(&v[1]));
  ck_assert(!v[2].has_minimum && !v[2].has_maximum);
  ck_assert_ptr_nonnull(v[2].choices);
  ck_assert_str_eq(v[2].choices[0], "name");
  ck_assert_str_eq(v[2].choices[1], "created_at");
  ck_assert_ptr_null(v[2].choices[2]);
  rpc_client_destroy(cli);
  rpc_server_destroy(srv, 1000);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_unknown_method_is_unimplemented) {
  fx_t f;
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 10000};
  hg_status_t st;
  void *resp;
  fx_start(&f, 0);
  o.arena = f.a;
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "NoSuchMethod", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_UNIMPLEMENTED);
  ck_assert_ptr_nonnull(strstr(st.message, KP "NoSuchMethod"));
  fx_stop(&f);
}
END_TEST

START_TEST(test_malformed_request_is_invalid_argument) {
  fx_t f;
  get_req_t big = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  Hangar__Resources__V1__ListResourcesRequest wrong =
      HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp;
  char token[5000];
  fx_start(&f, 0);
  o.arena = f.a;
  memset(token, 'x', sizeof token - 1);
  token[sizeof token - 1] = '\0';
  big.project_id = token; /* field 1, longer than VerifyRequest.token's max_size */
  ck_assert_int_eq(rpc_call_sync(f.ch, VERIFY_PATH, PBC(get_resource_request), &big,
                                 RPC_NANOPB(hangar_auth_v1_VerifyResponse), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "malformed request");
  wrong._limit_case = HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT;
  wrong.limit = 5; /* field 2 as a varint where GetResourceRequest has a string */
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "GetResource", PBC(list_resources_request), &wrong,
                                 PBC(resource), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "malformed request");
  fx_stop(&f);
}
END_TEST

START_TEST(test_deadline_exceeded_when_reply_is_late) {
  fx_t f;
  Hangar__Resources__V1__UpdateResourceRequest req =
      HANGAR__RESOURCES__V1__UPDATE_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 200};
  hg_status_t st;
  resource_t *r;
  void *resp;
  fx_start(&f, 0);
  o.arena = f.a;
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "UpdateResource", PBC(update_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_DEADLINE_EXCEEDED);
  ck_assert_ptr_nonnull(st.message);
  reply_parked_updates(1); /* late, from this thread: must be harmless */
  ck_assert_int_eq(call_get(&f, NULL, 0, &st, &r), HG_OK);
  fx_stop(&f);
}
END_TEST

static void *delete_worker(void *arg) {
  parked_t p = unpark();
  const Hangar__Resources__V1__DeleteResourceRequest *in = p.req;
  Hangar__Resources__V1__DeleteResourceResponse r =
      HANGAR__RESOURCES__V1__DELETE_RESOURCE_RESPONSE__INIT;
  (void)arg;
  r.message = "Resource deletion initiated";
  r.resource_id = in->resource_id;
  r.status = "deleting";
  rpc_reply(p.ctx, &r);
  return NULL;
}

START_TEST(test_reply_from_another_thread) {
  fx_t f;
  Hangar__Resources__V1__DeleteResourceRequest req =
      HANGAR__RESOURCES__V1__DELETE_RESOURCE_REQUEST__INIT;
  const Hangar__Resources__V1__DeleteResourceResponse *r;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp;
  pthread_t worker;
  fx_start(&f, 0);
  o.arena = f.a;
  req.resource_id = "res-9";
  ck_assert_int_eq(pthread_create(&worker, NULL, delete_worker, NULL), 0);
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "DeleteResource", PBC(delete_resource_request), &req,
                                 PBC(delete_resource_response), &o, &st, &resp),
                   HG_OK);
  pthread_join(worker, NULL);
  r = resp;
  ck_assert_str_eq(r->resource_id, "res-9");
  ck_assert_str_eq(r->status, "deleting");
  fx_stop(&f);
}
END_TEST

START_TEST(test_health_check_serving) {
  fx_t f;
  fx_start(&f, 0);
  ck_assert_int_eq(rpc_health_check_sync(f.ch, 2000), 0);
  fx_stop(&f);
}
END_TEST

START_TEST(test_nanopb_verify_round_trip) {
  fx_t f;
  hangar_auth_v1_VerifyRequest req = hangar_auth_v1_VerifyRequest_init_zero;
  const hangar_auth_v1_VerifyResponse *r;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp;
  fx_start(&f, 0);
  o.arena = f.a;
  strcpy(req.token, "good-token");
  ck_assert_int_eq(rpc_call_sync(f.ch, VERIFY_PATH, RPC_NANOPB(hangar_auth_v1_VerifyRequest), &req,
                                 RPC_NANOPB(hangar_auth_v1_VerifyResponse), &o, &st, &resp),
                   HG_OK);
  r = resp;
  ck_assert(r->valid);
  ck_assert_str_eq(r->subject, "user:good-token");
  ck_assert_str_eq(r->kind, "jwt");
  ck_assert_uint_eq(r->bindings_count, 2);
  ck_assert_str_eq(r->bindings[1].scope, "orgs/o1");
  ck_assert_str_eq(r->bindings[1].role, "viewer");
  ck_assert_int_eq(r->expires_at, 1700000000);
  fx_stop(&f);
}
END_TEST

/* Completion bookkeeping shared by the async tests. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
  int seen[N_CONCURRENT];
  int codes[N_CONCURRENT];
  int wrong_body;
} done_log = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {0}, 0};

static void reset_done_log(void) {
  pthread_mutex_lock(&done_log.mu);
  done_log.done = 0;
  done_log.wrong_body = 0;
  memset(done_log.seen, 0, sizeof done_log.seen);
  memset(done_log.codes, 0, sizeof done_log.codes);
  pthread_mutex_unlock(&done_log.mu);
}

static void on_done(void *arg, const hg_status_t *st, void *resp) {
  int i = (int)(intptr_t)arg;
  const resource_t *r = resp;
  char want[32];
  snprintf(want, sizeof want, "res-%d", i);
  pthread_mutex_lock(&done_log.mu);
  done_log.seen[i]++;
  done_log.codes[i] = st->code;
  if (st->code == HG_OK && strcmp(r->resource_id, want) != 0) done_log.wrong_body++;
  done_log.done++;
  pthread_cond_broadcast(&done_log.cv);
  pthread_mutex_unlock(&done_log.mu);
}

static void wait_done(int n) {
  pthread_mutex_lock(&done_log.mu);
  while (done_log.done < n) pthread_cond_wait(&done_log.cv, &done_log.mu);
  pthread_mutex_unlock(&done_log.mu);
}

/* Starts n async calls to method, call i asking for "res-i", each with its own arena. */
static void start_calls(fx_t *f, const char *method, int n, hg_arena_t **arenas) {
  for (int i = 0; i < n; i++) {
    get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
    rpc_call_opts_t o = {.deadline_ms = 20000};
    ck_assert_ptr_nonnull(o.arena = arenas[i] = hg_arena_new());
    req.resource_id = hg_arena_sprintf(arenas[i], "res-%d", i);
    /* UpdateResourceRequest shares field 2 (resource_id) with GetResourceRequest. */
    ck_assert_int_eq(rpc_call(f->ch, method, PBC(get_resource_request), &req, PBC(resource), &o,
                              on_done, (void *)(intptr_t)i),
                     0);
  }
}

static void free_arenas(hg_arena_t **arenas, int n) {
  for (int i = 0; i < n; i++) hg_arena_free(arenas[i]);
}

START_TEST(test_200_concurrent_calls_complete_exactly_once) {
  fx_t f;
  hg_arena_t *arenas[N_CONCURRENT];
  fx_start(&f, 0);
  start_calls(&f, KP "GetResource", N_CONCURRENT, arenas);
  wait_done(N_CONCURRENT);
  fx_stop(&f);
  for (int i = 0; i < N_CONCURRENT; i++) {
    ck_assert_int_eq(done_log.seen[i], 1);
    ck_assert_int_eq(done_log.codes[i], HG_OK);
  }
  ck_assert_int_eq(done_log.wrong_body, 0);
  free_arenas(arenas, N_CONCURRENT);
}
END_TEST

static void *reply_updates_thread(void *arg) {
  reply_parked_updates((size_t)(intptr_t)arg);
  return NULL;
}

START_TEST(test_client_destroy_cancels_calls_in_flight) {
  enum { N = 20 };
  fx_t f;
  hg_arena_t *arenas[N];
  pthread_t replier;
  fx_start(&f, 0);
  start_calls(&f, KP "UpdateResource", N, arenas);
  wait_parked(N);
  rpc_client_destroy(f.cli);
  ck_assert_int_eq(done_log.done, N);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(done_log.seen[i], 1);
    ck_assert_int_eq(done_log.codes[i], HG_CANCELLED);
  }
  /* The server still holds N contexts; they are answered while it shuts down. */
  ck_assert_int_eq(pthread_create(&replier, NULL, reply_updates_thread, (void *)(intptr_t)N), 0);
  rpc_server_destroy(f.srv, 2000);
  pthread_join(replier, NULL);
  hg_arena_free(f.a);
  free_arenas(arenas, N);
}
END_TEST

/* Waits until the client has seen every call end, then answers the parked contexts. */
static void *reply_after_client_saw_all(void *arg) {
  wait_done((int)(intptr_t)arg);
  reply_parked_updates((size_t)(intptr_t)arg);
  return NULL;
}

START_TEST(test_server_destroy_cancels_calls_after_grace) {
  enum { N = 5 };
  fx_t f;
  hg_arena_t *arenas[N];
  pthread_t replier;
  fx_start(&f, 0);
  start_calls(&f, KP "UpdateResource", N, arenas);
  wait_parked(N);
  ck_assert_int_eq(pthread_create(&replier, NULL, reply_after_client_saw_all, (void *)(intptr_t)N),
                   0);
  rpc_server_destroy(f.srv, 100); /* grace ends, calls are cancelled, then replies drain */
  pthread_join(replier, NULL);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(done_log.seen[i], 1);
    ck_assert_int_ne(done_log.codes[i], HG_OK);
  }
  rpc_client_destroy(f.cli);
  hg_arena_free(f.a);
  free_arenas(arenas, N);
}
END_TEST

START_TEST(test_call_to_closed_port_is_unavailable) {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  char target[64];
  hg_arena_t *a = hg_arena_new();
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = a};
  hg_status_t st;
  void *resp;
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  snprintf(target, sizeof target, "127.0.0.1:%d", rpc_server_port(srv));
  rpc_server_destroy(srv, 0); /* never started: nothing listens on the port any more */
  ck_assert_int_eq(rpc_client_new(&cli), 0);
  ck_assert_int_eq(rpc_channel_new(cli, target, &ch), 0);
  ck_assert_int_eq(rpc_call_sync(ch, KP "GetResource", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_UNAVAILABLE);
  ck_assert_ptr_nonnull(st.message);
  ck_assert_int_eq(rpc_health_check_sync(ch, 2000), -1);
  rpc_client_destroy(cli);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_add_service_requires_every_binding) {
  rpc_server_t *srv;
  rpc_binding_t partial[N_KP];
  const ProtobufCServiceDescriptor *svc = &hangar__resources__v1__ktrl_plane__descriptor;
  memcpy(partial, kp_bindings, sizeof partial);
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_service(srv, svc, kp_bindings, N_KP - 1), -1);
  partial[0].method = "ListResourcez";
  ck_assert_int_eq(rpc_server_add_service(srv, svc, partial, N_KP), -1);
  ck_assert_int_eq(rpc_server_add_service(srv, svc, kp_bindings, N_KP), 0);
  ck_assert_int_eq(rpc_server_add_service(srv, svc, kp_bindings, N_KP), -1); /* duplicate */
  ck_assert_int_eq(
      rpc_server_add_method(srv, "no-slash", get_echo, PBC(get_resource_request), PBC(resource)),
      -1);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  ck_assert_int_eq(
      rpc_server_add_method(srv, "/x.Y/Z", get_echo, PBC(get_resource_request), PBC(resource)),
      -1); /* after start */
  rpc_server_destroy(srv, 1000);
}
END_TEST

START_TEST(test_server_new_rejects_bad_address) {
  rpc_server_t *srv = NULL;
  ck_assert_int_eq(rpc_server_new("256.0.0.1:99999", NULL, &srv), -1);
  ck_assert_ptr_null(srv);
  ck_assert_int_eq(rpc_server_new("unix:/nonexistent-dir/x.sock", NULL, &srv), -1);
  ck_assert_ptr_null(srv);
}
END_TEST

START_TEST(test_codec_buffer_round_trip) {
  hg_arena_t *a = hg_arena_new();
  hg_buf_t b = HG_BUF_INIT;
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  hangar_auth_v1_VerifyRequest vreq = hangar_auth_v1_VerifyRequest_init_zero;
  void *out;
  req.resource_id = "res-42";
  ck_assert_int_eq(rpc_codec_encode(PBC(get_resource_request), &req, &b), 0);
  ck_assert_int_eq(rpc_codec_decode(PBC(get_resource_request), (const uint8_t *)b.p, b.n, a, &out),
                   0);
  ck_assert_str_eq(((get_req_t *)out)->resource_id, "res-42");
  /* a message of another type is refused and leaves the buffer as it was */
  ck_assert_int_eq(rpc_codec_encode(PBC(resource), &req, &b), -1);
  ck_assert_uint_eq(b.n, 8);
  hg_buf_reset(&b);
  strcpy(vreq.token, "tok");
  ck_assert_int_eq(rpc_codec_encode(RPC_NANOPB(hangar_auth_v1_VerifyRequest), &vreq, &b), 0);
  ck_assert_int_eq(rpc_codec_decode(RPC_NANOPB(hangar_auth_v1_VerifyRequest), (const uint8_t *)b.p,
                                    b.n, a, &out),
                   0);
  ck_assert_str_eq(((hangar_auth_v1_VerifyRequest *)out)->token, "tok");
  ck_assert_int_eq(
      rpc_codec_decode(PBC(get_resource_request), (const uint8_t *)"\xff\xff", 2, a, &out), -1);
  hg_buf_free(&b);
  hg_arena_free(a);
}
END_TEST

/* ---- admission ----------------------------------------------------------------------- */

/* Calls parked so far: a handler that ran under Admit would have added one. */
static size_t parked_count(void) {
  pthread_mutex_lock(&box.mu);
  size_t n = box.n;
  pthread_mutex_unlock(&box.mu);
  return n;
}

/* Asks Admission/Admit about method with a DeleteResourceRequest for project; returns the
 * status code. */
static int call_admit(fx_t *f, const char *method, const char *project, const rpc_md_t *md,
                      size_t n_md, hg_status_t *st) {
  Hangar__Resources__V1__DeleteResourceRequest target =
      HANGAR__RESOURCES__V1__DELETE_RESOURCE_REQUEST__INIT;
  Hangar__Rpc__V1__AdmitRequest req = HANGAR__RPC__V1__ADMIT_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .md = md, .n_md = n_md, .arena = f->a};
  hg_buf_t b = HG_BUF_INIT;
  void *resp = NULL;
  target.project_id = (char *)project;
  target.resource_id = "res-1";
  ck_assert_int_eq(rpc_codec_encode(PBC(delete_resource_request), &target, &b), 0);
  req.method = (char *)method;
  req.request = (ProtobufCBinaryData){b.n, (uint8_t *)b.p};
  int rc = rpc_call_sync(f->ch, ADMIT_PATH, RPC_PBC(&hangar__rpc__v1__admit_request__descriptor),
                         &req, RPC_PBC(&google__protobuf__empty__descriptor), &o, st, &resp);
  ck_assert(rc == HG_OK ? resp != NULL : resp == NULL);
  hg_buf_free(&b);
  return rc;
}

START_TEST(test_admission_answers_the_admit_refusal) {
  fx_t f;
  rpc_md_t deny[] = {{"x-admit", "deny"}}, yes[] = {{"x-admit", "yes"}};
  hg_status_t st;
  fx_start(&f, 0);
  atomic_store(&admit_runs, 0);
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "p1", NULL, 0, &st), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "Authorization header required");
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "p1", deny, 1, &st), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "Insufficient permissions to delete resource");
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "hidden", yes, 1, &st), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Resource not found");
  ck_assert_int_eq(atomic_load(&admit_runs), 3);
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_admitted_runs_no_handler) {
  fx_t f;
  rpc_md_t yes[] = {{"x-admit", "yes"}};
  hg_status_t st;
  fx_start(&f, 0);
  size_t parked = parked_count();
  atomic_store(&admit_runs, 0);
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "p1", yes, 1, &st), HG_OK);
  ck_assert_int_eq(atomic_load(&admit_runs), 1);
  ck_assert_uint_eq(parked_count(), parked); /* DeleteResource's handler would have parked */
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_of_unknown_method_is_unimplemented) {
  fx_t f;
  hg_status_t st;
  fx_start(&f, 0);
  ck_assert_int_eq(call_admit(&f, KP "NoSuchMethod", "p1", NULL, 0, &st), HG_UNIMPLEMENTED);
  ck_assert_ptr_nonnull(strstr(st.message, KP "NoSuchMethod"));
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_without_admit_is_ok) {
  fx_t f;
  hg_status_t st;
  fx_start(&f, 0);
  size_t parked = parked_count();
  atomic_store(&admit_runs, 0);
  /* UpdateResource has no admit function; its handler would park the call */
  ck_assert_int_eq(call_admit(&f, KP "UpdateResource", "p1", NULL, 0, &st), HG_OK);
  ck_assert_int_eq(call_admit(&f, VERIFY_PATH, "p1", NULL, 0, &st), HG_OK);
  ck_assert_int_eq(call_admit(&f, ADMIT_PATH, "p1", NULL, 0, &st), HG_OK);
  ck_assert_int_eq(atomic_load(&admit_runs), 0);
  ck_assert_uint_eq(parked_count(), parked);
  fx_stop(&f);
}
END_TEST

static Suite *rpc_suite(void) {
  Suite *s = suite_create("rpc");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_unary_round_trip_tcp);
  tcase_add_test(tc, test_unary_round_trip_unix_mints_request_id);
  tcase_add_test(tc, test_fail_details_arrive_intact);
  tcase_add_test(tc, test_violation_extras_round_trip);
  tcase_add_test(tc, test_unknown_method_is_unimplemented);
  tcase_add_test(tc, test_malformed_request_is_invalid_argument);
  tcase_add_test(tc, test_deadline_exceeded_when_reply_is_late);
  tcase_add_test(tc, test_reply_from_another_thread);
  tcase_add_test(tc, test_health_check_serving);
  tcase_add_test(tc, test_nanopb_verify_round_trip);
  tcase_add_test(tc, test_200_concurrent_calls_complete_exactly_once);
  tcase_add_test(tc, test_client_destroy_cancels_calls_in_flight);
  tcase_add_test(tc, test_server_destroy_cancels_calls_after_grace);
  tcase_add_test(tc, test_call_to_closed_port_is_unavailable);
  tcase_add_test(tc, test_add_service_requires_every_binding);
  tcase_add_test(tc, test_server_new_rejects_bad_address);
  tcase_add_test(tc, test_codec_buffer_round_trip);
  tcase_add_test(tc, test_admission_answers_the_admit_refusal);
  tcase_add_test(tc, test_admission_admitted_runs_no_handler);
  tcase_add_test(tc, test_admission_of_unknown_method_is_unimplemented);
  tcase_add_test(tc, test_admission_without_admit_is_ok);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(rpc_suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
