/* rpc_ctx.c - one server call, from armed slot to reply: the rpc_ctx_t lifecycle.
 *
 * A context is born as an armed request slot (its arena and the slot's out-params), becomes
 * a call when gRPC hands it one, is answered once with rpc_reply()/rpc_fail() from any
 * thread, and dies in exactly one place (ctx_free) when the reply batch completes or a
 * step before it fails. The context struct itself lives in its own arena, so freeing the
 * arena frees everything the handler allocated with it. Received metadata slices only live
 * as long as the call, so they are copied into the arena before the handler runs.
 * A streaming method's call is handed to rpc_stream.c once accepted; the stream ends it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "common/trace.h"
#include "rpc/rpc_internal.h"

typedef struct ctx_md {
  const char *key;
  const char *value;
} ctx_md_t;

struct rpc_ctx {
  rpc__tag_t tag; /* first: the queue hands this pointer back */
  rpc_server_t *srv;
  const rpc__method_t *method; /* NULL: a catch-all slot for unknown methods */
  hg_arena_t *arena;
  /* filled by gRPC when a call arrives */
  grpc_call *call;
  gpr_timespec deadline;
  grpc_metadata_array req_md;
  grpc_call_details details; /* catch-all only */
  grpc_byte_buffer *payload; /* registered methods only */
  /* arena copies for the handler */
  const char *path;
  ctx_md_t *md;
  size_t n_md;
  const char *request_id;
  void *user;
  hg_trace_t trace;
  char traceparent[HG_TRACEPARENT_LEN + 1]; /* for calls made on its behalf */
  const char *tracestate; /* the caller's, checked (arena); NULL: none, invalid or no trace */
  hg_log_ctx_t log;       /* request, trace and span ids, for log lines */
  const char *subject;    /* rpc_ctx_set_subject(); NULL: not authenticated */
  int64_t t0_us;          /* arrival, for the per-call line's latency */
  /* the reply batch points into these until it completes */
  grpc_byte_buffer *reply;
  grpc_slice message;
  grpc_metadata trailer;
  grpc_metadata answer_md[2];          /* RPC_SUBJECT_MD when subject is set, then the extra key */
  const char *extra_key, *extra_value; /* rpc_ctx_set_answer_md() */
  int cancelled;
  int limit_slot;        /* rpc_limit.c's count this call holds; -1: none */
  rpc__stats_t *stats;   /* the series the call is counted in (rpc_metrics.c) */
  int64_t arrived_us;    /* when it arrived, for grpc_server_handling_seconds */
  rpc__stream_t *stream; /* a streaming method's call: rpc_stream.c's state */
};

static void on_arrival(rpc__tag_t *tag, int ok);

/* The only place a context ends; gives back its unit of the server's live count. */
static void ctx_free(rpc_ctx_t *ctx) {
  rpc_server_t *s = ctx->srv;
  if (ctx->limit_slot >= 0) rpc__limit_release(s, ctx->limit_slot);
  if (ctx->call) grpc_call_unref(ctx->call);
  grpc_metadata_array_destroy(&ctx->req_md);
  grpc_call_details_destroy(&ctx->details);
  if (ctx->payload) grpc_byte_buffer_destroy(ctx->payload);
  if (ctx->reply) grpc_byte_buffer_destroy(ctx->reply);
  grpc_slice_unref(ctx->message);
  grpc_slice_unref(ctx->trailer.value);
  for (int i = 0; i < 2; i++) { /* the subject's static key unrefs as a no-op */
    grpc_slice_unref(ctx->answer_md[i].key);
    grpc_slice_unref(ctx->answer_md[i].value);
  }
  hg_arena_free(ctx->arena);
  rpc__server_release(s);
}

static rpc_ctx_t *ctx_new(rpc_server_t *s, const rpc__method_t *m) {
  hg_arena_t *a = hg_arena_new();
  rpc_ctx_t *ctx = a ? hg_arena_alloc(a, sizeof *ctx) : NULL;
  if (!ctx) {
    hg_arena_free(a);
    return NULL;
  }
  ctx->tag.on_event = on_arrival;
  ctx->srv = s;
  ctx->method = m;
  ctx->arena = a;
  ctx->limit_slot = -1;
  ctx->path = ""; /* until accepted; only logs read it before then */
  grpc_metadata_array_init(&ctx->req_md);
  grpc_call_details_init(&ctx->details);
  ctx->message = grpc_empty_slice();
  ctx->trailer.key = grpc_slice_from_static_string(RPC__DETAILS_KEY);
  ctx->trailer.value = grpc_empty_slice();
  ctx->answer_md[0].key = grpc_slice_from_static_string(RPC_SUBJECT_MD);
  ctx->answer_md[0].value = grpc_empty_slice();
  ctx->answer_md[1].key = grpc_empty_slice();
  ctx->answer_md[1].value = grpc_empty_slice();
  return ctx;
}

int rpc__ctx_arm(rpc_server_t *s, const rpc__method_t *m) {
  rpc_ctx_t *ctx;
  grpc_call_error e;
  if (rpc__server_hold(s) != 0) return -1; /* closing: no new slots */
  if (!(ctx = ctx_new(s, m))) {
    HG_ERROR("rpc", NULL, "out of memory arming %s", m ? m->path : "catch-all");
    rpc__server_release(s);
    return -1;
  }
  grpc_completion_queue *cq = rpc__server_cq(s, m);
  if (m) /* a stream reads its messages itself: no payload with the call */
    e = grpc_server_request_registered_call(s->server, m->handle, &ctx->call, &ctx->deadline,
                                            &ctx->req_md, m->is_stream ? NULL : &ctx->payload, cq,
                                            cq, &ctx->tag);
  else
    e = grpc_server_request_call(s->server, &ctx->call, &ctx->details, &ctx->req_md, s->cq, s->cq,
                                 &ctx->tag);
  if (e != GRPC_CALL_OK) {
    HG_ERROR("rpc", NULL, "request call: %s", grpc_call_error_to_string(e));
    ctx_free(ctx);
    return -1;
  }
  return 0;
}

static char *slice_dup(hg_arena_t *a, grpc_slice s) {
  return hg_arena_strndup(a, (const char *)GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s));
}

static int copy_metadata(rpc_ctx_t *ctx) {
  const grpc_metadata_array *src = &ctx->req_md;
  ctx->md = hg_arena_alloc(ctx->arena, (src->count ? src->count : 1) * sizeof *ctx->md);
  if (!ctx->md) return -1;
  for (size_t i = 0; i < src->count; i++) {
    ctx->md[i].key = slice_dup(ctx->arena, src->metadata[i].key);
    ctx->md[i].value = slice_dup(ctx->arena, src->metadata[i].value);
    if (!ctx->md[i].key || !ctx->md[i].value) return -1;
  }
  ctx->n_md = src->count;
  return 0;
}

/* The client's x-request-id, or 16 hex chars minted from the server's keyed counter. */
static const char *request_id(rpc_ctx_t *ctx) {
  const char *rid = rpc_ctx_metadata(ctx, "x-request-id");
  uint64_t n;
  if (rid && rid[0]) return rid;
  n = atomic_fetch_add(&ctx->srv->rid_next, 1);
  return hg_arena_sprintf(ctx->arena, "%016" PRIx64, hg_splitmix64_mix(ctx->srv->rid_seed + n));
}

/* The server sees a monotonic deadline, or an infinite one when the client set none. */
static gpr_timespec effective_deadline(gpr_timespec d, int64_t default_ms) {
  if (gpr_time_cmp(d, gpr_inf_future(d.clock_type)) == 0)
    return rpc__deadline_in(default_ms, GPR_CLOCK_MONOTONIC);
  return gpr_convert_clock_type(d, GPR_CLOCK_MONOTONIC);
}

/* Copies what the handler may read out of gRPC's call-lifetime storage. 0 or -1. */
static int ctx_accept(rpc_ctx_t *ctx) {
  gpr_timespec d = ctx->method ? ctx->deadline : ctx->details.deadline;
  const char *path = ctx->method ? ctx->method->path : slice_dup(ctx->arena, ctx->details.method);
  ctx->deadline = effective_deadline(d, ctx->srv->opts.default_deadline_ms);
  if (!path || copy_metadata(ctx) != 0) return -1;
  ctx->path = path;
  ctx->request_id = request_id(ctx);
  ctx->t0_us = hg_monotonic_us();
  /* A tracestate belongs to the trace it came with: kept only when that trace is continued,
   * and only in the form the spec lets this process pass on (as the gateway does). */
  const char *state = rpc_ctx_metadata(ctx, "tracestate");
  char clean[HG_TRACESTATE_MAX + 1];
  if (hg_trace_begin(rpc_ctx_metadata(ctx, "traceparent"), &ctx->trace) && state &&
      hg_tracestate_clean(state, strlen(state), clean) > 0)
    ctx->tracestate = hg_arena_strdup(ctx->arena, clean);
  hg_traceparent_format(&ctx->trace, ctx->traceparent);
  ctx->log = (hg_log_ctx_t){.request_id = ctx->request_id,
                            .trace_id = ctx->trace.trace_id,
                            .span_id = ctx->trace.span_id};
  return ctx->request_id ? 0 : -1;
}

static void serve(rpc_ctx_t *ctx) {
  void *req = NULL;
  if (!ctx->method) {
    const char *msg = hg_arena_sprintf(ctx->arena, "unknown method %s", ctx->path);
    rpc_fail_code(ctx, HG_UNIMPLEMENTED, msg ? msg : "unknown method");
    return;
  }
  if (ctx->method->is_stream) {
    rpc__stream_start(ctx);
    return;
  }
  int rc = rpc__codec_decode_bb(&ctx->method->in, ctx->payload, ctx->arena, &req);
  if (rc != 0) {
    rpc_fail_code(ctx, HG_INVALID_ARGUMENT, rpc__decode_failure(rc));
    return;
  }
  grpc_byte_buffer_destroy(ctx->payload);
  ctx->payload = NULL;
  /* Admission belongs to the method, not to the handler's first line: a handler that could
   * forget to check its caller would be open to anyone. A refusing admit has answered. */
  if (ctx->method->admit(ctx, req) != 0) return;
  ctx->method->fn(ctx, req);
}

static void on_arrival(rpc__tag_t *tag, int ok) {
  rpc_ctx_t *ctx = (rpc_ctx_t *)tag;
  if (!ok) { /* the server is shutting down: this slot never got a call */
    ctx_free(ctx);
    return;
  }
  rpc__ctx_arm(ctx->srv, ctx->method); /* replace this slot first; fails only when closing */
  ctx->arrived_us = hg_monotonic_us();
  int rc = ctx_accept(ctx);
  ctx->stats = rpc__stats_begin(ctx->srv, ctx->method, ctx->path);
  if (rc != 0) {
    rpc_fail_code(ctx, HG_INTERNAL, "out of memory");
    return;
  }
  serve(ctx);
}

static void on_sent(rpc__tag_t *tag, int ok) {
  (void)ok; /* a failed reply (client gone, deadline passed) ends the call all the same */
  ctx_free((rpc_ctx_t *)tag);
}

/* The call's one per-call line (rpc.h says at which levels). */
static void log_call(rpc_ctx_t *ctx, hg_code_t code) {
  int fault = code == HG_UNKNOWN || code == HG_INTERNAL || code == HG_DATA_LOSS;
  int64_t us = ctx->t0_us ? hg_monotonic_us() - ctx->t0_us : 0;
  hg_log_call_t call = {.route = ctx->path,
                        .status = (int)code,
                        .latency_us = us,
                        .subject = ctx->subject,
                        .parent_id = ctx->trace.parent_id[0] ? ctx->trace.parent_id : NULL,
                        .tracestate = ctx->tracestate};
  hg_log_call(fault ? HG_LOG_WARN : HG_LOG_DEBUG, "rpc", &ctx->log, &call, "%s -> %s (%lld us)",
              ctx->path, hg_code_name(code), (long long)us);
}

/* Logs the call, appends the close op (and the subject to ops[0], the initial metadata),
 * starts the final batch of the call; its completion frees ctx. */
static void ctx_send(rpc_ctx_t *ctx, hg_code_t code, grpc_op *ops, size_t n) {
  grpc_call_error e;
  log_call(ctx, code);
  size_t n_md = 0;
  if (ctx->subject) ctx->answer_md[n_md++].value = grpc_slice_from_copied_string(ctx->subject);
  if (ctx->extra_key) { /* without a subject it takes the first slot (a static key before) */
    ctx->answer_md[n_md].key = grpc_slice_from_copied_string(ctx->extra_key);
    ctx->answer_md[n_md++].value = grpc_slice_from_copied_string(ctx->extra_value);
  }
  ops[0].data.send_initial_metadata.count = n_md;
  ops[0].data.send_initial_metadata.metadata = n_md ? ctx->answer_md : NULL;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n].data.recv_close_on_server.cancelled = &ctx->cancelled;
  ctx->tag.on_event = on_sent;
  e = grpc_call_start_batch(ctx->call, ops, n + 1, &ctx->tag, NULL);
  if (e != GRPC_CALL_OK) {
    HG_ERROR_IN("rpc", &ctx->log, "%s: reply not sent: %s", ctx->path,
                grpc_call_error_to_string(e));
    ctx_free(ctx);
  }
}

/* Sends payload (one reference taken over) as the call's OK answer. */
static void reply_slice(rpc_ctx_t *ctx, grpc_slice payload) {
  grpc_op ops[4];
  rpc__stats_done(ctx->stats, HG_OK, hg_monotonic_us() - ctx->arrived_us);
  ctx->reply = grpc_raw_byte_buffer_create(&payload, 1);
  grpc_slice_unref(payload);
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = ctx->reply;
  ops[2].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[2].data.send_status_from_server.status = GRPC_STATUS_OK;
  ctx_send(ctx, HG_OK, ops, 3);
}

void rpc_reply(rpc_ctx_t *ctx, const void *resp) {
  grpc_slice payload;
  if (ctx->stream) {
    rpc__stream_reply(ctx, resp);
    return;
  }
  if (rpc__codec_encode_slice(&ctx->method->out, resp, &payload) != 0) {
    HG_ERROR_IN("rpc", &ctx->log, "%s: response does not encode", ctx->path);
    rpc_fail_code(ctx, HG_INTERNAL, "response encoding failed");
    return;
  }
  reply_slice(ctx, payload);
}

void rpc_reply_encoded(rpc_ctx_t *ctx, void *p, size_t n) {
  if (ctx->stream || n == 0) {
    free(p);
    if (ctx->stream) { /* a stream's messages go out one by one (rpc_stream_send) */
      rpc_fail_code(ctx, HG_INTERNAL, "an encoded reply on a stream");
      return;
    }
    reply_slice(ctx, grpc_empty_slice());
    return;
  }
  reply_slice(ctx, grpc_slice_new(p, n, free)); /* no copy: gRPC frees it once sent */
}

void rpc_fail(rpc_ctx_t *ctx, const hg_status_t *st) {
  hg_status_t fixed = *st;
  grpc_op ops[3];
  if (fixed.code == HG_OK || (unsigned)fixed.code > HG_UNAUTHENTICATED) {
    /* a contract violation, but the caller must still get an error */
    HG_ERROR_IN("rpc", &ctx->log, "%s: rpc_fail with code %d", ctx->path, (int)fixed.code);
    fixed.code = HG_INTERNAL;
  }
  if (!fixed.message) fixed.message = hg_code_name(fixed.code);
  rpc__stats_done(ctx->stats, fixed.code, hg_monotonic_us() - ctx->arrived_us);
  if (ctx->stream) {
    rpc__stream_finish(ctx->stream, &fixed);
    return;
  }
  ctx->message = grpc_slice_from_copied_string(fixed.message);
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[1].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[1].data.send_status_from_server.status = (grpc_status_code)fixed.code;
  ops[1].data.send_status_from_server.status_details = &ctx->message;
  if (rpc__status_pack(&fixed, ctx->arena, &ctx->trailer.value) == 0) {
    ops[1].data.send_status_from_server.trailing_metadata_count = 1;
    ops[1].data.send_status_from_server.trailing_metadata = &ctx->trailer;
  }
  ctx_send(ctx, fixed.code, ops, 2);
}

void rpc_fail_code(rpc_ctx_t *ctx, hg_code_t code, const char *message) {
  hg_status_t st = {.code = code, .message = message};
  rpc_fail(ctx, &st);
}

hg_arena_t *rpc_ctx_arena(rpc_ctx_t *ctx) { return ctx->arena; }
const char *rpc_ctx_request_id(rpc_ctx_t *ctx) { return ctx->request_id; }
const char *rpc_ctx_method(rpc_ctx_t *ctx) { return ctx->path; }
void *rpc_ctx_server_data(rpc_ctx_t *ctx) { return ctx->srv->data; }
rpc_server_t *rpc__ctx_server(rpc_ctx_t *ctx) { return ctx->srv; }
int rpc__ctx_limit_slot(const rpc_ctx_t *ctx) { return ctx->limit_slot; }
void rpc__ctx_set_limit_slot(rpc_ctx_t *ctx, int slot) { ctx->limit_slot = slot; }
void rpc_ctx_set_user(rpc_ctx_t *ctx, void *user) { ctx->user = user; }
const hg_log_ctx_t *rpc_ctx_log(rpc_ctx_t *ctx) { return &ctx->log; }
const char *rpc_ctx_traceparent(rpc_ctx_t *ctx) { return ctx->traceparent; }
const char *rpc_ctx_tracestate(rpc_ctx_t *ctx) { return ctx->tracestate; }

void rpc_ctx_set_subject(rpc_ctx_t *ctx, const char *subject) {
  /* Without memory the call goes on unnamed: a log field is not worth failing it for. */
  ctx->subject = subject ? hg_arena_strdup(ctx->arena, subject) : NULL;
}
void *rpc_ctx_user(rpc_ctx_t *ctx) { return ctx->user; }

void rpc_ctx_set_answer_md(rpc_ctx_t *ctx, const char *key, const char *value) {
  ctx->extra_key = key ? hg_arena_strdup(ctx->arena, key) : NULL;
  ctx->extra_value = ctx->extra_key && value ? hg_arena_strdup(ctx->arena, value) : NULL;
  if (!ctx->extra_value) ctx->extra_key = NULL;
}
grpc_call *rpc__ctx_call(rpc_ctx_t *ctx) { return ctx->call; }
const rpc__method_t *rpc__ctx_method(const rpc_ctx_t *ctx) { return ctx->method; }
rpc__stream_t *rpc__ctx_stream(const rpc_ctx_t *ctx) { return ctx->stream; }
void rpc__ctx_set_stream(rpc_ctx_t *ctx, rpc__stream_t *st) { ctx->stream = st; }
void rpc__ctx_free(rpc_ctx_t *ctx) { ctx_free(ctx); }

hg_arena_t *rpc__ctx_swap_arena(rpc_ctx_t *ctx, hg_arena_t *a) {
  hg_arena_t *old = ctx->arena;
  ctx->arena = a;
  return old;
}

const char *rpc_ctx_metadata(rpc_ctx_t *ctx, const char *key) {
  for (size_t i = 0; i < ctx->n_md; i++)
    if (strcmp(ctx->md[i].key, key) == 0) return ctx->md[i].value;
  return NULL;
}

int64_t rpc_ctx_remaining_ms(rpc_ctx_t *ctx) {
  gpr_timespec left = gpr_time_sub(ctx->deadline, gpr_now(GPR_CLOCK_MONOTONIC));
  return (int64_t)left.tv_sec * 1000 + left.tv_nsec / 1000000;
}
