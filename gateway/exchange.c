/* exchange.c - one HTTP request's life: its arena, its request id, the hand-back from the
 * rpc thread, and the single place where it is answered and released.
 *
 * Answering goes through gw_reply(), which also counts the request in the metrics and
 * frees the arena. If the client went away while an upstream call was in flight, libevent
 * 2.1 has detached the request from its connection (userdone == 0) and evhttp_send_reply()
 * frees it instead of writing; while the request is being served evhttp has reading
 * disabled on the connection, so it is never freed under us before we answer. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "gateway/gateway_internal.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "gateway/media.h"
#include "gateway/request.h"
#include "json/json_yaml.h"

#define REQUEST_ID_MAX 128
#define LOG_PATH_MAX 256
#define BODY_HANDOVER_MIN 4096 /* bytes */
#define YAML_TYPE "application/yaml"

/* Request ids only need to be unique, not secret: a per-thread splitmix64 seeded once
 * from getrandom() costs no syscall per request. */
static _Thread_local uint64_t rng_state;

static uint64_t rng_next(void) {
  if (rng_state == 0 && getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state))
    rng_state = (uint64_t)hg_monotonic_us() ^ (uint64_t)(uintptr_t)&rng_state;
  return hg_splitmix64_next(&rng_state);
}

static char *mint_request_id(hg_arena_t *a) {
  static const char hex[] = "0123456789abcdef";
  char *id = hg_arena_alloc(a, 33);
  if (!id) return NULL;
  for (int w = 0; w < 2; w++) {
    uint64_t r = rng_next();
    for (int i = 0; i < 16; i++, r >>= 4) id[w * 16 + i] = hex[r & 15];
  }
  return id;
}

/* A client's id is echoed and forwarded only if it is a sane token (it travels as gRPC
 * metadata and into logs); anything else is replaced by a minted one. */
static int request_id_ok(const char *v) {
  size_t n = strnlen(v, REQUEST_ID_MAX + 1);
  if (n == 0 || n > REQUEST_ID_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = v[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          strchr("-_.:", c)))
      return 0;
  }
  return 1;
}

gw_exchange_t *gw_exchange_new(gw_gateway_t *gw, gw_loop_t *loop, struct evhttp_request *req) {
  hg_arena_t *a = hg_arena_new();
  gw_exchange_t *ex = a ? hg_arena_alloc(a, sizeof(*ex)) : NULL;
  if (!ex) goto fail;
  const char *rid = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Request-Id");
  ex->request_id = rid && request_id_ok(rid) ? hg_arena_strdup(a, rid) : mint_request_id(a);
  if (!ex->request_id) goto fail;
  ex->gw = gw;
  ex->loop = loop;
  ex->req = req;
  ex->arena = a;
  ex->t0_us = hg_monotonic_us();
  ex->series = gw->unmatched_series[GW_GET];
  ex->reply_md[0] = (rpc_md_t){RPC_SUBJECT_MD, NULL};
  ex->reply_md[1] = (rpc_md_t){RPC_RESOURCE_VERSION_MD, NULL};
  gw_trace_begin(ex);
  ex->log = (hg_log_ctx_t){
      .request_id = ex->request_id, .trace_id = ex->trace.trace_id, .span_id = ex->trace.span_id};
  atomic_fetch_add_explicit(&gw->inflight, 1, memory_order_relaxed);
  return ex;
fail:
  hg_arena_free(a);
  return NULL;
}

static void wake_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd, (void)what;
  gw_exchange_t *ex = arg;
  ex->wake_fn(ex);
}

int gw_exchange_arm(gw_exchange_t *ex, gw_wake_fn fn) {
  if (!ex->wake && !(ex->wake = hg_arena_alloc(ex->arena, event_get_struct_event_size())))
    return -1;
  ex->wake_fn = fn;
  return event_assign(ex->wake, gw_loop_base(ex->loop), -1, 0, wake_cb, ex);
}

void gw_exchange_wake(gw_exchange_t *ex) { event_active(ex->wake, EV_TIMEOUT, 1); }

/* A GW_ROUTE_YAML row's JSON answer to a client that asked for YAML, converted in place
 * (*content_type replaced); anything else stays JSON. */
static void yaml_answer(gw_exchange_t *ex, const char **content_type) {
  const gw_route_t *r = ex->binding ? ex->binding->route : ex->match.route;
  const char *accept = evhttp_find_header(evhttp_request_get_input_headers(ex->req), "Accept");
  if (!r || !(r->flags & GW_ROUTE_YAML) || !ex->body.n || !gw_media_accepts(accept, YAML_TYPE))
    return;
  hg_buf_t yaml = HG_BUF_INIT;
  if (tc_json_to_yaml(ex->body.p, ex->body.n, &yaml) == 0) {
    hg_buf_free(&ex->body);
    ex->body = yaml;
    *content_type = YAML_TYPE;
  } else {
    hg_buf_free(&yaml);
  }
}

rpc_call_opts_t gw_call_opts(gw_exchange_t *ex, const rpc_md_t *md, size_t n_md) {
  return (rpc_call_opts_t){.deadline_ms = ex->gw->upstream_deadline_ms,
                           .md = md,
                           .n_md = n_md,
                           .arena = ex->arena,
                           .reply_md = ex->reply_md,
                           .n_reply_md = 2};
}

rpc_channel_t *gw_next_replica(gw_exchange_t *ex, rpc_call_opts_t *o) {
  rpc_replicas_t *r = ex->binding->replicas;
  int i = rpc_replicas_pick(r, ex->tried);
  if (i < 0) return NULL;
  ex->replica = i;
  ex->tried |= 1u << i;
  *o = gw_call_opts(ex, ex->md, ex->n_md);
  return rpc_replicas_channel(r, (size_t)i);
}

/* The access line: at debug, at warn for a 5xx. The JSON line names the route template,
 * never the raw path (its ids would make every line unique); the text line keeps the path. */
static void log_access(gw_exchange_t *ex, int http, int64_t dt) {
  const gw_route_t *r = ex->binding ? ex->binding->route : ex->match.route;
  hg_log_level_t level = http >= 500 ? HG_LOG_WARN : HG_LOG_DEBUG;
  hg_log_call_t call = {.method = gw_method_name(ex->method),
                        .route = r ? r->path : NULL,
                        .status = http,
                        .latency_us = dt,
                        .subject = ex->reply_md[0].value,
                        .parent_id = ex->trace.parent_id[0] ? ex->trace.parent_id : NULL,
                        .tracestate = ex->tracestate};
  hg_str_t path = ex->path;
  if (hg_log_format() == HG_LOG_JSON) path = r ? hg_str_c(r->path) : HG_STR("(no route)");
  int shown = (int)(path.n > LOG_PATH_MAX ? LOG_PATH_MAX : path.n);
  hg_log_call(level, "gateway", &ex->log, &call, "%s %.*s -> %d (%lld us)",
              gw_method_name(ex->method), shown, path.p, http, (long long)dt);
}

static void free_body(const void *data, size_t n, void *arg) {
  (void)data, (void)n;
  free(arg);
}

/* Queues body for the socket. A large one (a list page, a document) is handed over, not
 * copied: the output buffer frees it once written; a small one costs less to copy than a
 * reference does to keep. */
static void add_body(struct evbuffer *out, hg_buf_t *body) {
  if (body->n >= BODY_HANDOVER_MIN &&
      evbuffer_add_reference(out, body->p, body->n, free_body, body->p) == 0) {
    *body = (hg_buf_t)HG_BUF_INIT;
    return;
  }
  evbuffer_add(out, body->p, body->n);
}

/* The one place an exchange ends: count it, answer it, free its memory. */
void gw_reply(gw_exchange_t *ex, int http, const char *content_type) {
  gw_gateway_t *gw = ex->gw;
  struct evkeyvalq *h = evhttp_request_get_output_headers(ex->req);
  if (http != 204) yaml_answer(ex, &content_type);
  evhttp_add_header(h, "X-Request-Id", ex->request_id);
  if (ex->reply_md[1].value && http < 300) /* where a watch of this list starts */
    evhttp_add_header(h, "X-Resource-Version", ex->reply_md[1].value);
  if (http != 204 && content_type) evhttp_add_header(h, "Content-Type", content_type);
  if (ex->method == GW_HEAD && http != 204) {
    /* libevent writes whatever body it is given, even to HEAD (and then sends no length):
     * announce the length of the GET answer and send nothing (RFC 9110 9.3.2). */
    char len[24];
    snprintf(len, sizeof(len), "%zu", ex->body.n);
    evhttp_add_header(h, "Content-Length", len);
  } else if (ex->method != GW_HEAD && http != 204 && ex->body.n) {
    add_body(evhttp_request_get_output_buffer(ex->req), &ex->body);
  }
  int64_t dt = hg_monotonic_us() - ex->t0_us;
  gw_metrics_observe(gw->metrics, ex->series, http, dt);
  log_access(ex, http, dt);
  evhttp_send_reply(ex->req, http, NULL, NULL);
  hg_buf_free(&ex->body);
  hg_arena_free(ex->arena);
  atomic_fetch_sub_explicit(&gw->inflight, 1, memory_order_release);
}

void gw_stream_begin(gw_exchange_t *ex, const char *content_type) {
  struct evkeyvalq *h = evhttp_request_get_output_headers(ex->req);
  evhttp_add_header(h, "X-Request-Id", ex->request_id);
  evhttp_add_header(h, "Content-Type", content_type);
  evhttp_send_reply_start(ex->req, 200, "OK");
  atomic_fetch_add_explicit(&ex->gw->streaming, 1, memory_order_relaxed);
  atomic_fetch_sub_explicit(&ex->gw->inflight, 1, memory_order_release);
}

void gw_stream_end(gw_exchange_t *ex) {
  gw_gateway_t *gw = ex->gw;
  int64_t dt = hg_monotonic_us() - ex->t0_us;
  gw_metrics_observe(gw->metrics, ex->series, 200, dt);
  log_access(ex, 200, dt);
  evhttp_send_reply_end(ex->req); /* frees a request whose client went away */
  hg_buf_free(&ex->body);
  hg_arena_free(ex->arena);
  atomic_fetch_sub_explicit(&gw->streaming, 1, memory_order_release);
}

static void reply_rendered(gw_exchange_t *ex, const gw_dialect_t *d, gw_error_t *e, int http) {
  e->request_id = ex->request_id;
  hg_buf_reset(&ex->body);
  if (gw_dialect_render(d, e, http, &ex->body) != 0) {
    hg_buf_reset(&ex->body);
    http = 500;
  }
  int retry = gw_dialect_retry_after(&e->st);
  if (retry > 0 && http != 500) {
    char s[16];
    snprintf(s, sizeof(s), "%d", retry);
    evhttp_add_header(evhttp_request_get_output_headers(ex->req), "Retry-After", s);
  }
  gw_reply(ex, http, d->content_type);
}

void gw_reply_status(gw_exchange_t *ex, const gw_dialect_t *d, gw_error_t *e) {
  const gw_binding_t *b = ex->binding;
  if (b && !b->route->local) {
    gw_request_in_t in = {.desc = b->in.desc,
                          .body_mode = b->route->body,
                          .query_mode = b->route->query,
                          .match = &ex->match,
                          .query = ex->query};
    gw_request_locate(&in, e);
  }
  reply_rendered(ex, d, e, gw_dialect_error_http(d, e));
}

void gw_reply_upstream(gw_exchange_t *ex, const gw_dialect_t *d, const hg_status_t *st) {
  gw_error_t e;
  gw_error_init(&e);
  e.st = *st;
  if (gw_dialect_upstream(d, &e.st))
    HG_WARN_IN("gateway", &ex->log, "%s: %s (%d): %s", ex->binding->rpc_path,
               hg_code_name(st->code), (int)st->code, st->message ? st->message : "");
  gw_reply_status(ex, d, &e);
}

void gw_reply_error(gw_exchange_t *ex, const gw_dialect_t *d, int http, gw_text_t t,
                    const char *detail) {
  gw_error_t e;
  gw_error_init(&e);
  hg_status_set(&e.st, HG_UNKNOWN, gw_dialect_text(d, t));
  e.st.detail = detail;
  reply_rendered(ex, d, &e, http);
}
