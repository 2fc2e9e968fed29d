/* test_rpc_fixture.h - common/rpc end to end, shared by the test_rpc_* files: a real server
 * and client over loopback TCP or a unix socket, the generated KtrlPlane service (protobuf-c)
 * and the Verify pair (nanopb).
 *
 * Handlers that must answer late park their context in a mailbox; the test (or a worker
 * thread it starts) answers from there, so late and cross-thread replies need no sleeps.
 * DeleteResource is the one method with a real admit function (admit_delete); the others
 * are bound public so that each test reaches its handler without credentials. */
#ifndef TEST_RPC_FIXTURE_H
#define TEST_RPC_FIXTURE_H

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpc/rpc.h"
#include "test_run.h"
#include "hangar/auth/v1/verify.pb.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"

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

static inline void park(rpc_ctx_t *ctx, const void *req) {
  pthread_mutex_lock(&box.mu);
  box.q[box.n++] = (parked_t){ctx, req};
  pthread_cond_broadcast(&box.cv);
  pthread_mutex_unlock(&box.mu);
}

static inline parked_t unpark(void) {
  parked_t p;
  pthread_mutex_lock(&box.mu);
  while (box.n == 0) pthread_cond_wait(&box.cv, &box.mu);
  p = box.q[--box.n];
  pthread_mutex_unlock(&box.mu);
  return p;
}

static inline void wait_parked(size_t n) {
  pthread_mutex_lock(&box.mu);
  while (box.n < n) pthread_cond_wait(&box.cv, &box.mu);
  pthread_mutex_unlock(&box.mu);
}

/* Calls parked so far: a handler that ran would have added one. */
static inline size_t parked_count(void) {
  pthread_mutex_lock(&box.mu);
  size_t n = box.n;
  pthread_mutex_unlock(&box.mu);
  return n;
}

/* Answers n parked UpdateResource calls with an empty Resource. */
static inline void reply_parked_updates(size_t n) {
  for (size_t i = 0; i < n; i++) {
    resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
    rpc_reply(unpark().ctx, &r);
  }
}

/* ---- handlers ------------------------------------------------------------------------ */

static inline void get_echo(rpc_ctx_t *ctx, const void *req) {
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

static inline void create_fails(rpc_ctx_t *ctx, const void *req) {
  hg_status_t st;
  (void)req;
  hg_status_set(&st, HG_INVALID_ARGUMENT, "Validation failed");
  st.reason = "VALIDATION_FAILED";
  st.detail = "name is too long";
  hg_status_violation(&st, "name", "max_length", "must be at most 63 characters");
  hg_status_violation(&st, "settings_json.tier", NULL, "unknown tier");
  rpc_fail(ctx, &st);
}

static inline void list_empty(rpc_ctx_t *ctx, const void *req) {
  Hangar__Resources__V1__ListResourcesResponse r =
      HANGAR__RESOURCES__V1__LIST_RESOURCES_RESPONSE__INIT;
  (void)req;
  r.total = 7;
  rpc_reply(ctx, &r);
}

/* DeleteResource's admission: x-admit "yes" admits; "deny" is 403; none is 401; project
 * "hidden" is 404 whoever asks (so a test sees the request was decoded as the method's). */
static atomic_int admit_runs;

static inline int admit_delete(rpc_ctx_t *ctx, const void *req) {
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
    {"ListResources", list_empty, rpc_admit_public},
    {"CreateResource", create_fails, rpc_admit_public},
    {"GetResource", get_echo, rpc_admit_public},
    {"UpdateResource", park, rpc_admit_public},
    {"DeleteResource", park, admit_delete},
};
#define N_KP (sizeof kp_bindings / sizeof kp_bindings[0])

/* WatchResources, a server stream: project "fail" is refused INVALID_ARGUMENT; "hold" gets
 * one event and then nothing until the stream ends; any other gets events E0, E1, E2 and
 * an OK status. */
static inline void watch_events(rpc_ctx_t *ctx, const void *req) {
  const Hangar__Resources__V1__WatchResourcesRequest *in = req;
  Hangar__Resources__V1__ResourceEvent ev = HANGAR__RESOURCES__V1__RESOURCE_EVENT__INIT;
  char type[16];
  if (strcmp(in->project_id, "fail") == 0) {
    rpc_fail_code(ctx, HG_INVALID_ARGUMENT, "bad watch");
    return;
  }
  int n = strcmp(in->project_id, "hold") == 0 ? 1 : 3;
  for (int i = 0; i < n; i++) {
    snprintf(type, sizeof type, "E%d", i);
    ev.type = type;
    ck_assert_int_eq(rpc_stream_send(ctx, &ev), 0);
  }
  if (n == 3) rpc_stream_finish(ctx, NULL);
}

static inline void watch_half_close(rpc_ctx_t *ctx) { (void)ctx; }

static const rpc_stream_handler_t watch_handler = {.on_message = watch_events,
                                                   .on_half_close = watch_half_close};
static const rpc_stream_binding_t kp_streams[] = {
    {"WatchResources", &watch_handler, rpc_admit_public},
};
#define N_KP_STREAMS (sizeof kp_streams / sizeof kp_streams[0])

static inline void verify(rpc_ctx_t *ctx, const void *req) {
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

/* ---- async completions --------------------------------------------------------------- */

static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done;
  int seen[N_CONCURRENT];
  int codes[N_CONCURRENT];
  int wrong_body;
} done_log = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {0}, 0};

static inline void reset_done_log(void) {
  pthread_mutex_lock(&done_log.mu);
  done_log.done = 0;
  done_log.wrong_body = 0;
  memset(done_log.seen, 0, sizeof done_log.seen);
  memset(done_log.codes, 0, sizeof done_log.codes);
  pthread_mutex_unlock(&done_log.mu);
}

static inline void on_done(void *arg, const hg_status_t *st, void *resp) {
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

static inline void wait_done(int n) {
  pthread_mutex_lock(&done_log.mu);
  while (done_log.done < n) pthread_cond_wait(&done_log.cv, &done_log.mu);
  pthread_mutex_unlock(&done_log.mu);
}

static inline void free_arenas(hg_arena_t **arenas, int n) {
  for (int i = 0; i < n; i++) hg_arena_free(arenas[i]);
}

/* ---- fixture ------------------------------------------------------------------------- */

typedef struct fx {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  hg_arena_t *a;
  char sock[64];
} fx_t;

static inline void fx_start(fx_t *f, int use_unix) {
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
  ck_assert_int_eq(rpc_server_add_service_streams(f->srv,
                                                  &hangar__resources__v1__ktrl_plane__descriptor,
                                                  kp_bindings, N_KP, kp_streams, N_KP_STREAMS),
                   0);
  ck_assert_int_eq(rpc_server_add_method(f->srv, VERIFY_PATH, verify, rpc_admit_public,
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

static inline void fx_stop(fx_t *f) {
  rpc_client_destroy(f->cli);
  rpc_server_destroy(f->srv, 2000);
  hg_arena_free(f->a);
  if (f->sock[0]) unlink(f->sock);
}

/* Starts n async calls to method, call i asking for "res-i", each with its own arena. */
static inline void start_calls(fx_t *f, const char *method, int n, hg_arena_t **arenas) {
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

/* A server with nothing but method path (GetResourceRequest in, Resource out) on loopback
 * TCP, and a client to it; fx_stop() ends both. */
static inline void fx_start_method(fx_t *f, const char *path, rpc_handler_fn fn,
                                   rpc_admit_fn admit) {
  char addr[64];
  memset(f, 0, sizeof *f);
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &f->srv), 0);
  ck_assert_int_eq(
      rpc_server_add_method(f->srv, path, fn, admit, PBC(get_resource_request), PBC(resource)), 0);
  ck_assert_int_eq(rpc_server_start(f->srv), 0);
  snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(f->srv));
  ck_assert_int_eq(rpc_client_new(&f->cli), 0);
  ck_assert_int_eq(rpc_channel_new(f->cli, addr, &f->ch), 0);
  ck_assert_ptr_nonnull(f->a = hg_arena_new());
}

/* Starts the fixture and n UpdateResource calls, and returns once the server holds all of
 * them parked, unanswered. */
static inline void fx_start_parked_updates(fx_t *f, int n, hg_arena_t **arenas) {
  fx_start(f, 0);
  start_calls(f, KP "UpdateResource", n, arenas);
  wait_parked((size_t)n);
}

/* GetResource for project "p1", resource "res-1"; the status code. */
static inline int call_get(fx_t *f, const rpc_md_t *md, size_t n_md, hg_status_t *st,
                           resource_t **out) {
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

/* Runs one file's tests as a suite named name, 30 s each; the process exit status. */
static inline int fx_run(const char *name, const TTest *const *tests, size_t n) {
  return test_run(name, tests, n, 30);
}

#endif
