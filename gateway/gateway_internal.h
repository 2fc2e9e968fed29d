/* gateway_internal.h - what the gateway's files share: the gateway object, the resolved
 * route bindings and the per-request exchange.
 *
 * An exchange is one HTTP request from arrival to answer. It owns one hg_arena_t holding
 * everything the request needs (decoded params, the request message, the rpc response)
 * and its response body buffer; gw_reply_* answer it and release both in one place
 * (exchange.c). After rpc_call() has accepted it, only the rpc completion may touch it until
 * the completion hands it back to its loop with gw_exchange_wake().
 * Threads: an exchange lives on its loop thread, except for that one hand-back. */
#ifndef HANGAR_GW_INTERNAL_H
#define HANGAR_GW_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "gateway/dialect.h"
#include "gateway/gateway.h"
#include "gateway/http_server.h"
#include "gateway/metrics.h"
#include "gateway/route.h"
#include "gateway/router.h"
#include "rpc/rpc.h"
#include "common/status.h"
#include "common/trace.h"

#define GW_MAX_UPSTREAMS 8

struct event;

typedef struct gw_upstream {
  const char *name;         /* borrowed from gw_opts_t */
  const char *target;       /* borrowed: the comma list; NULL when not configured */
  rpc_replicas_t *replicas; /* one channel per replica (common/rpc); NULL when not configured */
} gw_upstream_t;

/* A route resolved at start: descriptors, method path, upstream, metrics series. */
typedef struct gw_binding {
  const gw_route_t *route;
  const gw_dialect_t *dialect;
  rpc_codec_t in, out;      /* protobuf-c codecs of the rpc (stable addresses for rpc_call) */
  const char *rpc_path;     /* "/pkg.Service/Method" (setup arena) */
  rpc_replicas_t *replicas; /* the upstream's; NULL: upstream not configured */
  size_t series;
} gw_binding_t;

struct gw_gateway {
  rpc_client_t *client;
  gw_upstream_t upstreams[GW_MAX_UPSTREAMS];
  size_t n_upstreams;
  gw_router_t *router;
  gw_binding_t *bindings;
  size_t n_bindings;
  gw_metrics_t *metrics;
  size_t unmatched_series[GW_N_METHODS]; /* series for requests no route took */
  gw_server_t *server;
  hg_arena_t *setup; /* strings made at start; freed with the gateway */
  int64_t upstream_deadline_ms;
  int64_t ready_deadline_ms;
  long max_in_flight;         /* proxied exchanges at once; more are 503 */
  size_t max_response_bytes;  /* a larger upstream reply is 502 */
  const char *swagger_ui_dir; /* borrowed from gw_opts_t; NULL: /swagger/... answers 404 */
  atomic_long inflight;       /* exchanges not yet answered */
  atomic_int closing;         /* the rpc client is going: no call starts again (no retry) */
  atomic_long streaming;      /* streamed answers (watches) under way: not in inflight */
};

typedef void (*gw_wake_fn)(gw_exchange_t *ex);

struct gw_exchange {
  gw_gateway_t *gw;
  gw_loop_t *loop;
  struct evhttp_request *req;
  hg_arena_t *arena;
  hg_buf_t body;          /* response body */
  const char *request_id; /* forwarded or minted (arena) */
  gw_method_t method;
  hg_str_t path, query; /* raw, from the request target */
  int64_t t0_us;
  size_t series;
  const gw_binding_t *binding;
  gw_match_t match;
  struct event *wake; /* in the arena; fires wake_fn on the loop */
  gw_wake_fn wake_fn;
  hg_status_t st; /* rpc outcome, written by the completion before the wake */
  void *resp;
  void *local;         /* state of a local handler */
  gw_error_t *refusal; /* admission.c: the gateway's own, held while the service is asked */
  hg_trace_t trace;    /* trace.c: the client's trace continued, or a new one */
  char traceparent[HG_TRACEPARENT_LEN + 1]; /* sent upstream: the gateway's span as parent */
  const char *tracestate;                   /* passed on (arena); NULL: none or invalid */
  hg_log_ctx_t log;                         /* request, trace and span ids, for log lines */
  /* From the upstream's answer: RPC_SUBJECT_MD (the access line's subject) and
   * RPC_RESOURCE_VERSION_MD (answered as X-Resource-Version) */
  rpc_md_t reply_md[2];
  /* proxy.c: the call, kept for a retry on another replica (arena) */
  const ProtobufCMessage *msg;
  const rpc_md_t *md;
  size_t n_md;
  int replica;    /* the replica of the call in flight */
  uint32_t tried; /* bit i: replica i was tried */
};

/* exchange.c ------------------------------------------------------------------------------ */

/* New exchange for req (which has method m). NULL on allocation failure (the caller answers
 * with evhttp_send_error). */
gw_exchange_t *gw_exchange_new(gw_gateway_t *gw, gw_loop_t *loop, struct evhttp_request *req);
/* Prepares the hand-back: fn will run on the loop after gw_exchange_wake(). Loop thread. */
int gw_exchange_arm(gw_exchange_t *ex, gw_wake_fn fn);
/* Any thread, once per arm: schedules the armed fn on the exchange's loop. */
void gw_exchange_wake(gw_exchange_t *ex);

/* Each answers the exchange and releases it; ex is invalid afterwards. Loop thread. */
void gw_reply(gw_exchange_t *ex, int http, const char *content_type); /* body = ex->body */
/* A streamed answer (watch.c): sends the 200 status line and headers with content_type,
 * chunked; from then on the exchange counts in gw->streaming, not in inflight (a watch may
 * last for hours: it neither holds a --max-in-flight slot nor delays a shutdown's grace
 * period). The body follows with evhttp_send_reply_chunk*; gw_stream_end ends it, counts
 * it and releases the exchange. Loop thread. */
void gw_stream_begin(gw_exchange_t *ex, const char *content_type);
void gw_stream_end(gw_exchange_t *ex);
/* A failure: places e's violations in the request (gw_request_locate), answers with the
 * dialect's HTTP code for e, in the dialect's body. */
void gw_reply_status(gw_exchange_t *ex, const gw_dialect_t *d, gw_error_t *e);
/* An upstream's failure st (ex->binding's call): gw_reply_status() once the status table
 * has put it in the dialect's words (dialect_status.c); a replaced text is logged. */
void gw_reply_upstream(gw_exchange_t *ex, const gw_dialect_t *d, const hg_status_t *st);
/* A gateway-made error: dialect text t as the message, optional detail. */
void gw_reply_error(gw_exchange_t *ex, const gw_dialect_t *d, int http, gw_text_t t,
                    const char *detail);

/* gateway.c: the dialect of the surface whose prefix holds path (a 404 no row took), or NULL
 * when no surface claims it. */
const gw_dialect_t *gw_unrouted_dialect(hg_str_t path);

/* trace.c: reads the request's traceparent and tracestate into ex->trace, ex->traceparent
 * and ex->tracestate (W3C Trace Context: a missing or invalid traceparent starts a new
 * trace; an invalid tracestate is dropped). Loop thread, from gw_exchange_new(). */
void gw_trace_begin(gw_exchange_t *ex);
/* The call options every upstream call of ex uses: the deadline, md, ex's arena, and
 * ex->reply_md to learn the caller's subject. */
rpc_call_opts_t gw_call_opts(gw_exchange_t *ex, const rpc_md_t *md, size_t n_md);
/* A replica of ex's upstream that ex has not tried yet (rpc_replicas_pick), now ex->replica and
 * marked tried, and *o the options for a call of ex's request to it (gw_call_opts with ex->md).
 * NULL when every replica has been tried. Loop thread. */
rpc_channel_t *gw_next_replica(gw_exchange_t *ex, rpc_call_opts_t *o);

/* dispatch.c, proxy.c, admission.c, ops.c, readyz.c --------------------------------------- */

void gw_dispatch(struct evhttp_request *req, gw_loop_t *loop, void *gw);
/* gw_server_opts_t.timeout_reply: the 408 of a request past its header or body deadline, in
 * the dialect of the surface its path names (limits.c). */
size_t gw_timeout_reply(void *gw, const char *request_line, char *buf, size_t cap);
/* Over --max-in-flight: answers ex 503 with Retry-After in d and returns nonzero. */
int gw_overloaded_or_reply(gw_exchange_t *ex, const gw_dialect_t *d);
void gw_proxy(gw_exchange_t *ex);
/* watch.c: a GW_ROUTE_WATCH row's call, msg its request: the upstream's server stream,
 * answered as text/event-stream (or, when it fails before its first message, as the
 * dialect's error). md borrowed for this call. Loop thread. */
void gw_watch(gw_exchange_t *ex, const ProtobufCMessage *msg, const rpc_md_t *md, size_t n_md);
/* admission.c: answers a proxied request that the gateway refuses with e (a request it
 * cannot bind), after asking the route's service whether the caller may make the call at
 * all: the service's 4xx refusal if it has one, else e. An e that is no client error (5xx)
 * is answered at once. md: the call's metadata, borrowed for this call. Loop thread. */
void gw_admit_or_refuse(gw_exchange_t *ex, gw_error_t *e, const rpc_md_t *md, size_t n_md);
void gw_op_healthz(gw_exchange_t *ex);
void gw_op_metrics(gw_exchange_t *ex);
void gw_op_readyz(gw_exchange_t *ex);

#endif
