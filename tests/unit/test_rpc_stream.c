/* test_rpc_stream.c - streaming calls on the server (common/rpc/rpc_stream.c), driven by a
 * client on the gRPC core API: a bidirectional echo in order, rpc_reply on a stream, a
 * server stream sent from another thread, admission and the request limits on every
 * message, a client's cancel reaching on_done, the bound on what waits unsent, and a server
 * destroyed with streams open, which must end them at once. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/struct.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "rpc/rpc.h"
#include "test_rpc_stream_client.h"
#include "test_run.h"

#define ECHO "/hangar.test.Stream/Echo"
#define COUNT "/hangar.test.Stream/Count"
#define HOLD "/hangar.test.Stream/Hold"
#define FLOOD "/hangar.test.Stream/Flood"
#define STRING RPC_PBC(&google__protobuf__string_value__descriptor)
#define INT32 RPC_PBC(&google__protobuf__int32_value__descriptor)
#define VALUE RPC_PBC(&google__protobuf__value__descriptor)
#define FLOOD_MESSAGE_BYTES (64 * 1024)

typedef Google__Protobuf__StringValue string_t;
typedef Google__Protobuf__Int32Value int32_t_msg;

/* What the handlers saw, for the test thread to wait on. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done, cancelled, held, admitted, flood_sent, flood_rc, flood_done;
} seen = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0, 0, 0};

static void note(int *field, int value, int add) {
  pthread_mutex_lock(&seen.mu);
  *field = add ? *field + value : value;
  pthread_cond_broadcast(&seen.cv);
  pthread_mutex_unlock(&seen.mu);
}

static void wait_at_least(const int *field, int n) {
  pthread_mutex_lock(&seen.mu);
  while (*field < n) pthread_cond_wait(&seen.cv, &seen.mu);
  pthread_mutex_unlock(&seen.mu);
}

static int read_seen(const int *field) {
  pthread_mutex_lock(&seen.mu);
  int v = *field;
  pthread_mutex_unlock(&seen.mu);
  return v;
}

static void on_done(rpc_ctx_t *ctx, int cancelled) {
  free(rpc_stream_state(ctx));
  pthread_mutex_lock(&seen.mu);
  seen.cancelled += cancelled;
  seen.done++;
  pthread_cond_broadcast(&seen.cv);
  pthread_mutex_unlock(&seen.mu);
}

/* ---- Echo: "<value>|<x-test>|<messages so far>"; "last" is answered with rpc_reply ---- */

static void echo(rpc_ctx_t *ctx, const void *msg) {
  const string_t *in = msg;
  string_t out = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  int *count = rpc_stream_state(ctx);
  const char *tag = rpc_ctx_metadata(ctx, "x-test");
  if (!count) rpc_stream_set_state(ctx, count = calloc(1, sizeof *count));
  ++*count;
  out.value = hg_arena_sprintf(rpc_ctx_arena(ctx), "%s|%s|%d", in->value, tag ? tag : "", *count);
  if (strcmp(in->value, "last") == 0)
    rpc_reply(ctx, &out);
  else
    ck_assert_int_eq(rpc_stream_send(ctx, &out), 0);
}

/* ---- Count: one request n, then 1..n sent from a thread of its own ------------------- */

typedef struct counter {
  rpc_ctx_t *ctx;
  int n;
  pthread_t thread;
} counter_t;

static void *count_thread(void *arg) {
  counter_t *c = arg;
  for (int i = 1; i <= c->n; i++) {
    int32_t_msg v = GOOGLE__PROTOBUF__INT32_VALUE__INIT;
    v.value = i;
    if (rpc_stream_send(c->ctx, &v) != 0) break;
  }
  rpc_stream_finish(c->ctx, NULL);
  return NULL;
}

static void count(rpc_ctx_t *ctx, const void *msg) {
  counter_t *c = calloc(1, sizeof *c);
  c->ctx = ctx;
  c->n = ((const int32_t_msg *)msg)->value;
  rpc_stream_set_state(ctx, c);
  ck_assert_int_eq(pthread_create(&c->thread, NULL, count_thread, c), 0);
}

static void count_half_close(rpc_ctx_t *ctx) { (void)ctx; /* keeps sending */ }

static void count_done(rpc_ctx_t *ctx, int cancelled) {
  counter_t *c = rpc_stream_state(ctx);
  if (c) pthread_join(c->thread, NULL); /* the sender stops before the stream goes */
  on_done(ctx, cancelled);
}

/* ---- Hold: keeps every stream open; x-deny is refused on each message ---------------- */

static int admit_hold(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  if (rpc_ctx_metadata(ctx, "x-deny")) {
    rpc_fail_code(ctx, HG_PERMISSION_DENIED, "denied");
    return -1;
  }
  note(&seen.admitted, 1, 1);
  return 0;
}

static void hold(rpc_ctx_t *ctx, const void *msg) {
  (void)ctx;
  (void)msg;
  note(&seen.held, 1, 1);
}

/* ---- Flood: 64 KiB messages until the queue refuses one, then finish ----------------- */

static void flood(rpc_ctx_t *ctx, const void *msg) {
  string_t out = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  int sent = 0, rc = 0;
  (void)msg;
  out.value = hg_arena_alloc(rpc_ctx_arena(ctx), FLOOD_MESSAGE_BYTES + 1);
  memset(out.value, 'x', FLOOD_MESSAGE_BYTES);
  while (sent < 1000 && (rc = rpc_stream_send(ctx, &out)) == 0) sent++;
  rpc_stream_finish(ctx, NULL);
  note(&seen.flood_sent, sent, 0);
  note(&seen.flood_rc, rc, 0);
  note(&seen.flood_done, 1, 0);
}

/* ---- fixture --------------------------------------------------------------------------- */

typedef struct fx {
  rpc_server_t *srv;
  char target[64];
  hg_arena_t *a;
} fx_t;

static void fx_start(fx_t *f) {
  static const rpc_stream_handler_t echo_h = {echo, NULL, on_done, RPC_BIDI_STREAM};
  static const rpc_stream_handler_t count_h = {count, count_half_close, count_done,
                                               RPC_CLIENT_STREAM};
  static const rpc_stream_handler_t hold_h = {hold, NULL, on_done, RPC_SERVER_STREAM};
  static const rpc_stream_handler_t flood_h = {flood, NULL, on_done, RPC_SERVER_STREAM};
  rpc_server_opts_t opts = {.cq_threads = 2};
  memset(&seen, 0, sizeof seen);
  pthread_mutex_init(&seen.mu, NULL);
  pthread_cond_init(&seen.cv, NULL);
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", &opts, &f->srv), 0);
  ck_assert_int_eq(rpc_server_add_stream(f->srv, ECHO, &echo_h, rpc_admit_public, STRING, STRING),
                   0);
  ck_assert_int_eq(rpc_server_add_stream(f->srv, COUNT, &count_h, rpc_admit_public, INT32, INT32),
                   0);
  ck_assert_int_eq(rpc_server_add_stream(f->srv, HOLD, &hold_h, admit_hold, VALUE, VALUE), 0);
  ck_assert_int_eq(rpc_server_add_stream(f->srv, FLOOD, &flood_h, rpc_admit_public, STRING, STRING),
                   0);
  ck_assert_int_eq(rpc_server_start(f->srv), 0);
  snprintf(f->target, sizeof f->target, "127.0.0.1:%d", rpc_server_port(f->srv));
  ck_assert_ptr_nonnull(f->a = hg_arena_new());
}

static void fx_stop(fx_t *f) {
  if (f->srv) rpc_server_destroy(f->srv, 5000);
  hg_arena_free(f->a);
}

static void send_string(sc_t *c, const char *s) {
  string_t v = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  v.value = (char *)s;
  ck_assert(sc_send(c, &v.base));
}

static const char *recv_string(sc_t *c, hg_arena_t *a) {
  string_t *v = sc_recv(c, &google__protobuf__string_value__descriptor, a);
  return v ? v->value : NULL;
}

static void send_null_value(sc_t *c) {
  Google__Protobuf__Value v = GOOGLE__PROTOBUF__VALUE__INIT;
  v.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE;
  ck_assert(sc_send(c, &v.base));
}

/* ---- tests ----------------------------------------------------------------------------- */

START_TEST(test_bidi_echo_answers_each_message_in_order) {
  fx_t f;
  sc_t c;
  grpc_metadata md = {.key = grpc_slice_from_static_string("x-test"),
                      .value = grpc_slice_from_static_string("t1")};
  fx_start(&f);
  sc_open(&c, f.target, ECHO, &md, 1);
  send_string(&c, "a");
  ck_assert_str_eq(recv_string(&c, f.a), "a|t1|1");
  send_string(&c, "b");
  ck_assert_str_eq(recv_string(&c, f.a), "b|t1|2");
  sc_half_close(&c); /* no on_half_close: the stream finishes OK */
  ck_assert_ptr_null(recv_string(&c, f.a));
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_OK);
  wait_at_least(&seen.done, 1);
  ck_assert_int_eq(read_seen(&seen.cancelled), 0);
  sc_close(&c);
  fx_stop(&f);
}
END_TEST

START_TEST(test_reply_on_a_stream_sends_then_finishes) {
  fx_t f;
  sc_t c;
  fx_start(&f);
  sc_open(&c, f.target, ECHO, NULL, 0);
  send_string(&c, "one");
  ck_assert_str_eq(recv_string(&c, f.a), "one||1");
  send_string(&c, "last");
  ck_assert_str_eq(recv_string(&c, f.a), "last||2");
  ck_assert_ptr_null(recv_string(&c, f.a));
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_OK);
  sc_close(&c);
  fx_stop(&f);
}
END_TEST

/* A server stream: one request, then messages from a thread that is not a queue thread,
 * with the client's half-close in between changing nothing. */
START_TEST(test_server_stream_sent_from_another_thread) {
  fx_t f;
  sc_t c;
  int32_t_msg n = GOOGLE__PROTOBUF__INT32_VALUE__INIT;
  fx_start(&f);
  sc_open(&c, f.target, COUNT, NULL, 0);
  n.value = 50;
  ck_assert(sc_send(&c, &n.base));
  sc_half_close(&c);
  for (int i = 1; i <= 50; i++) {
    int32_t_msg *v = sc_recv(&c, &google__protobuf__int32_value__descriptor, f.a);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->value, i);
  }
  ck_assert_ptr_null(sc_recv(&c, &google__protobuf__int32_value__descriptor, f.a));
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_OK);
  wait_at_least(&seen.done, 1);
  ck_assert_int_eq(read_seen(&seen.cancelled), 0);
  sc_close(&c);
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_runs_on_every_message) {
  fx_t f;
  sc_t c;
  grpc_metadata deny = {.key = grpc_slice_from_static_string("x-deny"),
                        .value = grpc_slice_from_static_string("1")};
  fx_start(&f);
  sc_open(&c, f.target, HOLD, NULL, 0);
  for (int i = 0; i < 3; i++) send_null_value(&c);
  wait_at_least(&seen.held, 3);
  ck_assert_int_eq(read_seen(&seen.admitted), 3);
  sc_cancel(&c);
  sc_close(&c);
  /* A refused caller's message never reaches the handler, and its stream ends. */
  sc_open(&c, f.target, HOLD, &deny, 1);
  send_null_value(&c);
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_PERMISSION_DENIED);
  ck_assert_str_eq(c.message, "denied");
  ck_assert_int_eq(read_seen(&seen.held), 3);
  sc_close(&c);
  wait_at_least(&seen.done, 2);
  fx_stop(&f);
}
END_TEST

static size_t put_varint(uint8_t *p, size_t v) {
  size_t n = 0;
  do {
    p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v);
  return n;
}

/* A length-delimited field tag (one byte) around in[0..n); frees in. */
static uint8_t *wrap(uint8_t tag, uint8_t *in, size_t n, size_t *out_n) {
  uint8_t *o = malloc(n + 11);
  size_t k = 0;
  o[k++] = tag;
  k += put_varint(o + k, n);
  memcpy(o + k, in, n);
  *out_n = k + n;
  free(in);
  return o;
}

/* The depth guard of a unary request holds for each streamed message. */
START_TEST(test_too_deep_message_ends_the_stream_invalid_argument) {
  fx_t f;
  sc_t c;
  size_t n = 2;
  uint8_t *deep = malloc(2);
  fx_start(&f);
  /* Value{list_value: ListValue{values: [Value{...}]}}, 300 times: 600 levels of messages
   * around Value{null_value} (08 00). */
  deep[0] = 0x08;
  deep[1] = 0x00;
  for (int i = 0; i < 300; i++) {
    deep = wrap(0x0a, deep, n, &n); /* ListValue.values, field 1 */
    deep = wrap(0x32, deep, n, &n); /* Value.list_value, field 6 */
  }
  sc_open(&c, f.target, HOLD, NULL, 0);
  ck_assert(sc_send_raw(&c, deep, n));
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_INVALID_ARGUMENT);
  ck_assert_ptr_nonnull(strstr(c.message, "200 levels"));
  ck_assert_int_eq(read_seen(&seen.held), 0);
  sc_close(&c);
  free(deep);
  wait_at_least(&seen.done, 1);
  fx_stop(&f);
}
END_TEST

/* RPC_MAX_REQUEST_BYTES holds for each message: gRPC refuses a bigger one itself. */
START_TEST(test_oversize_message_is_refused) {
  fx_t f;
  sc_t c;
  Google__Protobuf__Value v = GOOGLE__PROTOBUF__VALUE__INIT;
  fx_start(&f);
  v.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
  v.string_value = calloc(1, RPC_MAX_REQUEST_BYTES + 2);
  memset(v.string_value, 'x', RPC_MAX_REQUEST_BYTES + 1);
  sc_open(&c, f.target, HOLD, NULL, 0);
  sc_send(&c, &v.base); /* may fail: the server may have ended the call already */
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_RESOURCE_EXHAUSTED);
  ck_assert_int_eq(read_seen(&seen.held), 0);
  sc_close(&c);
  free(v.string_value);
  wait_at_least(&seen.done, 1);
  fx_stop(&f);
}
END_TEST

START_TEST(test_client_cancel_reaches_on_done) {
  fx_t f;
  sc_t c;
  fx_start(&f);
  sc_open(&c, f.target, HOLD, NULL, 0);
  send_null_value(&c);
  wait_at_least(&seen.held, 1);
  sc_cancel(&c);
  wait_at_least(&seen.done, 1);
  ck_assert_int_eq(read_seen(&seen.cancelled), 1);
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_CANCELLED);
  sc_close(&c);
  fx_stop(&f);
}
END_TEST

/* A client that does not read: the sender hears RPC_STREAM_FULL instead of the server
 * buffering without bound, and everything it queued before still arrives. */
START_TEST(test_unread_stream_fills_and_refuses) {
  fx_t f;
  sc_t c;
  int got = 0;
  fx_start(&f);
  sc_open(&c, f.target, FLOOD, NULL, 0);
  send_string(&c, "go");
  wait_at_least(&seen.flood_done, 1);
  ck_assert_int_eq(read_seen(&seen.flood_rc), RPC_STREAM_FULL);
  ck_assert_int_ge(read_seen(&seen.flood_sent),
                   RPC_STREAM_MAX_QUEUED_BYTES / FLOOD_MESSAGE_BYTES - 1);
  ck_assert_int_lt(read_seen(&seen.flood_sent), 1000);
  for (const char *s; (s = recv_string(&c, f.a)) != NULL; got++)
    ck_assert_uint_eq(strlen(s), FLOOD_MESSAGE_BYTES);
  ck_assert_int_eq(got, read_seen(&seen.flood_sent));
  ck_assert_int_eq(sc_finish(&c), GRPC_STATUS_OK);
  sc_close(&c);
  fx_stop(&f);
}
END_TEST

/* Streams have no natural end: destroying the server ends them UNAVAILABLE at once rather
 * than after the grace period (10 minutes here, far past the test's timeout), and frees
 * everything (the ASan build checks). */
START_TEST(test_destroy_with_streams_open_ends_them) {
  fx_t f;
  sc_t c1, c2;
  fx_start(&f);
  sc_open(&c1, f.target, HOLD, NULL, 0);
  sc_open(&c2, f.target, ECHO, NULL, 0);
  send_null_value(&c1);
  wait_at_least(&seen.held, 1);
  send_string(&c2, "x");
  ck_assert_str_eq(recv_string(&c2, f.a), "x||1");
  rpc_server_destroy(f.srv, 600000);
  f.srv = NULL;
  ck_assert_int_eq(read_seen(&seen.done), 2);
  ck_assert_int_eq(sc_finish(&c1), GRPC_STATUS_UNAVAILABLE);
  ck_assert_str_eq(c1.message, "server is shutting down");
  ck_assert_int_eq(sc_finish(&c2), GRPC_STATUS_UNAVAILABLE);
  sc_close(&c1);
  sc_close(&c2);
  fx_stop(&f);
}
END_TEST

/* Each streaming method's grpc_type in the metrics is what its handler says it streams. */
START_TEST(test_metrics_label_each_stream_kind) {
  fx_t f;
  hg_buf_t text = HG_BUF_INIT;
  fx_start(&f);
  ck_assert_int_eq(rpc_server_metrics(f.srv, &text), 0);
  ck_assert_int_eq(hg_buf_putc(&text, '\0'), 0);
  static const char *const want[] = {
      "grpc_server_started_total{grpc_type=\"bidi_stream\",grpc_service=\"hangar.test.Stream\","
      "grpc_method=\"Echo\"} 0\n",
      "grpc_server_started_total{grpc_type=\"client_stream\",grpc_service=\"hangar.test.Stream\","
      "grpc_method=\"Count\"} 0\n",
      "grpc_server_started_total{grpc_type=\"server_stream\",grpc_service=\"hangar.test.Stream\","
      "grpc_method=\"Hold\"} 0\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    ck_assert_msg(strstr(text.p, want[i]), "missing %s--- got:\n%s", want[i], text.p);
  hg_buf_free(&text);
  fx_stop(&f);
}
END_TEST

START_TEST(test_add_stream_refuses_incomplete_bindings) {
  static const rpc_stream_handler_t no_message = {NULL, NULL, on_done, RPC_SERVER_STREAM};
  static const rpc_stream_handler_t ok = {hold, NULL, NULL, RPC_SERVER_STREAM};
  static const rpc_stream_handler_t bad_kind = {hold, NULL, NULL, RPC_BIDI_STREAM + 1};
  rpc_server_t *srv;
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_stream(srv, HOLD, NULL, rpc_admit_public, VALUE, VALUE), -1);
  ck_assert_int_eq(rpc_server_add_stream(srv, HOLD, &no_message, rpc_admit_public, VALUE, VALUE),
                   -1);
  ck_assert_int_eq(rpc_server_add_stream(srv, HOLD, &ok, NULL, VALUE, VALUE), -1);
  ck_assert_int_eq(rpc_server_add_stream(srv, HOLD, &bad_kind, rpc_admit_public, VALUE, VALUE), -1);
  ck_assert_int_eq(rpc_server_add_stream(srv, HOLD, &ok, rpc_admit_public, VALUE, VALUE), 0);
  ck_assert_int_eq(rpc_server_add_stream(srv, HOLD, &ok, rpc_admit_public, VALUE, VALUE), -1);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  ck_assert_int_eq(rpc_server_add_stream(srv, ECHO, &ok, rpc_admit_public, STRING, STRING), -1);
  rpc_server_destroy(srv, 1000);
}
END_TEST

int main(void) {
  TEST_RUN("rpc_stream", 30, test_bidi_echo_answers_each_message_in_order,
           test_reply_on_a_stream_sends_then_finishes, test_server_stream_sent_from_another_thread,
           test_admission_runs_on_every_message,
           test_too_deep_message_ends_the_stream_invalid_argument, test_oversize_message_is_refused,
           test_client_cancel_reaches_on_done, test_unread_stream_fills_and_refuses,
           test_destroy_with_streams_open_ends_them, test_metrics_label_each_stream_kind,
           test_add_stream_refuses_incomplete_bindings);
}
