/* watch.c - a watch route (GW_ROUTE_WATCH): the upstream's server stream of events,
 * answered as Server-Sent Events.
 *
 * The service's first message is a bookmark: the watch is accepted. Only then does the
 * answer start (200, text/event-stream, chunked, no Content-Length); a stream that fails
 * before it (a malformed or expired resourceVersion, a refused caller) is answered as any
 * failed call, in the route's dialect (410 for EXPIRED). Each later message is one event:
 *   id: <resourceVersion>
 *   data: {"type":"ADDED|MODIFIED|DELETED","object":{...}}
 *   <blank line>
 * with the object transcoded as the surface's GET answers it. The id is the event's
 * resourceVersion, and a reconnecting client's Last-Event-ID (what EventSource sends)
 * stands for ?resourceVersion= when the query names none, so a client resumes exactly
 * after the last event it saw.
 *
 * Which replica: the watch opens on a replica of the upstream (round-robin over the healthy
 * ones, rpc_replicas_pick). Opening a watch is a read, so while the answer has not begun, a
 * replica that could not take it (UNAVAILABLE: it is stopping, or died, and the gateway has
 * not seen it yet) is left for another one not yet tried, as proxy.c does for a GET; only
 * when every replica failed so is the answer 503. A replica that never got the stream is
 * marked down and one that sent the bookmark up (what proxy.c learns from a call). A client
 * then never gets a 503 while a replica can serve it: a browser's EventSource gives up for
 * good on any answer but 200.
 *
 * Flow control: the next message is read from the upstream only once the last one has
 * left for the client (the chunk's write callback), so a slow client slows its service's
 * stream instead of filling the gateway's memory. A watch has no upstream deadline and no
 * response-size cap, and once streaming it leaves the in-flight count (gw_stream_begin).
 * While the request is being answered evhttp does not read its connection, so a client
 * that went away is only seen on a write: a comment line every HEARTBEAT_MS keeps writing,
 * and a request evhttp has detached from its connection cancels the upstream stream. When
 * the stream ends after the answer began (the service stopped, or this watch fell behind
 * the change log's retention), the answer ends and the client reconnects from its last
 * id, as a Kubernetes client does.
 *
 * Threads: the stream's callbacks run on the rpc client's thread and only hand over, under
 * w->mu, to the exchange's loop (w->wake), where everything else happens. */
#include <pthread.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "common/log.h"
#include "gateway/gateway_internal.h"
#include "json/transcode.h"

#define HEARTBEAT_MS 5000
#define SSE_TYPE "text/event-stream"

typedef struct watch {
  gw_exchange_t *ex;
  rpc_client_stream_t *stream;
  struct event *wake, *beat;
  int started;        /* the 200 went out (written under mu) */
  int awaiting_flush; /* an event was written; the next read waits for it to leave */
  int cancelled;      /* the upstream stream was cancelled (loop thread) */
  pthread_mutex_t mu; /* guards what follows, shared with the rpc thread */
  hg_buf_t msg;       /* one message's bytes, not yet handled */
  int has_msg;
  int ended;
  hg_status_t st; /* the end's status; deep-copied into ex->arena before the answer began */
} watch_t;

/* ---- from the rpc thread ---------------------------------------------------------------- */

static void on_message(void *arg, const uint8_t *p, size_t n) {
  watch_t *w = arg;
  pthread_mutex_lock(&w->mu);
  hg_buf_reset(&w->msg);
  w->has_msg = hg_buf_append(&w->msg, p, n) == 0;
  pthread_mutex_unlock(&w->mu);
  event_active(w->wake, EV_TIMEOUT, 1);
}

static const char *dup_or_null(hg_arena_t *a, const char *s) {
  return s ? hg_arena_strdup(a, s) : NULL;
}

/* The status outlives on_end only as a copy, needed only before the answer began; the
 * loop never allocates in the exchange's arena while a watch runs, so the copy can go
 * there (under w->mu, which orders it with begin()). */
static void copy_status(hg_arena_t *a, const hg_status_t *from, hg_status_t *to) {
  *to = *from;
  to->message = dup_or_null(a, from->message);
  to->reason = dup_or_null(a, from->reason);
  to->detail = dup_or_null(a, from->detail);
  for (size_t i = 0; i < to->n_violations; i++) {
    hg_violation_t *v = &to->violations[i];
    v->field = dup_or_null(a, v->field);
    v->description = dup_or_null(a, v->description);
    v->rule = dup_or_null(a, v->rule);
    v->choices = NULL;
  }
}

static void on_end(void *arg, const hg_status_t *st) {
  watch_t *w = arg;
  pthread_mutex_lock(&w->mu);
  w->ended = 1;
  if (!w->started) copy_status(w->ex->arena, st, &w->st);
  /* Under the lock: once the loop sees `ended` it frees the event, and this call must be
   * over by then. */
  event_active(w->wake, EV_TIMEOUT, 1);
  pthread_mutex_unlock(&w->mu);
}

static const rpc_client_stream_cbs_t stream_cbs = {on_message, on_end};

/* ---- on the loop ------------------------------------------------------------------------- */

/* A string field of msg by name ("" when absent). */
static const char *string_field(const ProtobufCMessage *msg, const char *name) {
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
  if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED) return "";
  const char *s = *(const char *const *)((const char *)msg + f->offset);
  return s ? s : "";
}

/* Opens the stream on a replica this request has not tried. 0: on_end will run; 1: every
 * replica has been tried; -1: the stream could not start. No allocation in the exchange's
 * arena (on_end of the stream may already be copying into it). */
static int open_stream(watch_t *w) {
  gw_exchange_t *ex = w->ex;
  const gw_binding_t *b = ex->binding;
  rpc_call_opts_t o;
  rpc_channel_t *ch = gw_next_replica(ex, &o);
  if (!ch) return 1;
  o.deadline_ms = 0; /* none: a watch lasts as long as its client */
  return rpc_client_stream_open(ch, b->rpc_path, &b->in, ex->msg, &b->out, &o, &stream_cbs, w,
                                &w->stream) == 0
             ? 0
             : -1;
}

/* A stream that ended before its bookmark: what it taught about its replica, and whether
 * it was opened again on another one (1; the watch goes on) or must be answered (0). */
static int reopened(watch_t *w) {
  gw_exchange_t *ex = w->ex;
  if (rpc_call_never_ran(&w->st))
    rpc_replicas_mark(ex->binding->replicas, (size_t)ex->replica, RPC_REPLICA_DOWN);
  if (w->st.code != HG_UNAVAILABLE || w->cancelled || atomic_load(&ex->gw->closing)) return 0;
  pthread_mutex_lock(&w->mu);
  w->ended = 0; /* the last stream's on_end is over: it set this under mu */
  pthread_mutex_unlock(&w->mu);
  if (open_stream(w) == 0) return 1;
  w->ended = 1; /* no stream: nothing else touches the watch; answer w->st */
  return 0;
}

static void finish(watch_t *w) {
  gw_exchange_t *ex = w->ex;
  if (!w->started && reopened(w)) return;
  event_free(w->wake);
  if (w->beat) event_free(w->beat);
  pthread_mutex_destroy(&w->mu);
  hg_buf_free(&w->msg);
  if (w->started) {
    gw_stream_end(ex);
  } else {
    hg_status_t st = w->st;
    if (st.code == HG_OK) /* a stream that ends before its bookmark is broken */
      hg_status_set(&st, HG_INTERNAL, "the watch ended before it began");
    gw_reply_upstream(ex, ex->binding->dialect, &st);
  }
}

static void cancel(watch_t *w) {
  if (w->cancelled) return;
  w->cancelled = 1;
  rpc_client_stream_cancel(w->stream); /* on_end follows, maybe at once */
}

/* The chunk (or heartbeat) left: read the next message if one is owed. */
static void flushed(struct evhttp_connection *evcon, void *arg) {
  (void)evcon;
  watch_t *w = arg;
  if (!w->awaiting_flush || w->cancelled) return;
  w->awaiting_flush = 0;
  rpc_client_stream_next(w->stream);
}

/* Writes text as a chunk; a request whose client went away is detached from its
 * connection (libevent 2.1), and the watch is then cancelled. */
static void write_chunk(watch_t *w, const char *p, size_t n) {
  struct evhttp_request *req = w->ex->req;
  struct evbuffer *b = evbuffer_new();
  if (!evhttp_request_get_connection(req) || !b || evbuffer_add(b, p, n) != 0) {
    if (b) evbuffer_free(b);
    cancel(w);
    return;
  }
  evhttp_send_reply_chunk_with_cb(req, b, flushed, w);
  evbuffer_free(b);
}

static void heartbeat(evutil_socket_t fd, short what, void *arg) {
  (void)fd, (void)what;
  static const char comment[] = ":\n\n"; /* an SSE comment: clients ignore it */
  write_chunk(arg, comment, sizeof(comment) - 1);
}

static void begin(watch_t *w) {
  struct timeval tv = {HEARTBEAT_MS / 1000, (HEARTBEAT_MS % 1000) * 1000};
  struct evkeyvalq *h = evhttp_request_get_output_headers(w->ex->req);
  evhttp_add_header(h, "Cache-Control", "no-cache");
  gw_stream_begin(w->ex, SSE_TYPE);
  pthread_mutex_lock(&w->mu);
  w->started = 1;
  pthread_mutex_unlock(&w->mu);
  w->beat = event_new(gw_loop_base(w->ex->loop), -1, EV_PERSIST, heartbeat, w);
  if (!w->beat || event_add(w->beat, &tv) != 0) cancel(w);
}

/* One event as SSE into out: its id line and its data line. 0 or -1. */
static int render(const ProtobufCMessage *ev, hg_buf_t *out) {
  const char *rv = string_field(ev, "resourceVersion");
  int rc = 0;
  if (*rv) rc |= hg_buf_puts(out, "id: ") | hg_buf_puts(out, rv) | hg_buf_puts(out, "\n");
  rc |= hg_buf_puts(out, "data: {\"type\":");
  if (rc == 0) rc = tc_encode_field(ev, "type", out);
  rc |= hg_buf_puts(out, ",\"object\":");
  if (rc == 0) rc = tc_encode_field(ev, "object", out);
  rc |= hg_buf_puts(out, "}\n\n");
  return rc ? -1 : 0;
}

/* One message from the service: the bookmark starts the answer; an event is written. */
static void handle(watch_t *w, const hg_buf_t *bytes) {
  const gw_binding_t *b = w->ex->binding;
  hg_arena_t *a = hg_arena_new();
  hg_buf_t out = HG_BUF_INIT;
  void *msg = NULL;
  if (!a || rpc_codec_decode(&b->out, (const uint8_t *)bytes->p, bytes->n, a, &msg) != 0) {
    HG_WARN_IN("gateway", &w->ex->log, "%s: an event does not decode", b->rpc_path);
    cancel(w);
  } else if (strcmp(string_field(msg, "type"), "BOOKMARK") == 0) {
    if (!w->started) {
      rpc_replicas_mark(b->replicas, (size_t)w->ex->replica, RPC_REPLICA_UP);
      begin(w);
    }
    rpc_client_stream_next(w->stream);
  } else if (!w->started || render(msg, &out) != 0) {
    cancel(w); /* an event before the bookmark is a broken upstream */
  } else {
    w->awaiting_flush = 1;
    write_chunk(w, out.p, out.n);
  }
  hg_buf_free(&out);
  hg_arena_free(a);
}

static void wake_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd, (void)what;
  watch_t *w = arg;
  hg_buf_t bytes = HG_BUF_INIT;
  pthread_mutex_lock(&w->mu);
  int has = w->has_msg, ended = w->ended;
  if (has) {
    bytes = w->msg;
    w->msg = (hg_buf_t)HG_BUF_INIT;
    w->has_msg = 0;
  }
  pthread_mutex_unlock(&w->mu);
  if (has && !w->cancelled) handle(w, &bytes);
  hg_buf_free(&bytes);
  if (ended) finish(w);
}

/* A reconnecting EventSource names the last event it saw in Last-Event-ID: the watch
 * resumes after it when the query named no resourceVersion. */
static void resume_from_last_event(gw_exchange_t *ex, ProtobufCMessage *msg) {
  const char *last = evhttp_find_header(evhttp_request_get_input_headers(ex->req), "Last-Event-ID");
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "resourceVersion");
  if (!last || !f || f->type != PROTOBUF_C_TYPE_STRING || *string_field(msg, "resourceVersion"))
    return;
  char *copy = hg_arena_strdup(ex->arena, last);
  if (copy) *(char **)((char *)msg + f->offset) = copy;
}

void gw_watch(gw_exchange_t *ex, const ProtobufCMessage *msg, const rpc_md_t *md, size_t n_md) {
  const gw_binding_t *b = ex->binding;
  watch_t *w = hg_arena_alloc(ex->arena, sizeof(*w));
  if (!w || pthread_mutex_init(&w->mu, NULL) != 0) {
    gw_reply_error(ex, b->dialect, 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  w->ex = ex;
  w->msg = (hg_buf_t)HG_BUF_INIT;
  resume_from_last_event(ex, (ProtobufCMessage *)msg);
  /* Kept for opening again on another replica: md is on the caller's stack (its strings
   * live as long as the exchange), msg in the exchange's arena. */
  rpc_md_t *kept = hg_arena_alloc(ex->arena, n_md * sizeof(*kept));
  if (kept) memcpy(kept, md, n_md * sizeof(*kept));
  ex->msg = msg;
  ex->md = kept;
  ex->n_md = n_md;
  w->wake = event_new(gw_loop_base(ex->loop), -1, 0, wake_cb, w);
  /* A stream that breaks once begun is resumed by its client, on whichever replica is up. */
  if (!w->wake || !kept || !b->replicas || open_stream(w) != 0) {
    if (w->wake) event_free(w->wake);
    pthread_mutex_destroy(&w->mu);
    gw_error_t e;
    gw_error_init(&e);
    hg_status_set(&e.st, HG_UNAVAILABLE, gw_dialect_text(b->dialect, GW_TEXT_UNAVAILABLE));
    gw_reply_status(ex, b->dialect, &e);
  }
}
