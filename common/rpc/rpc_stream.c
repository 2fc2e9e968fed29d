/* rpc_stream.c - one streaming call on the server, from accept to its end.
 *
 * gRPC core allows one operation of each kind in flight per call, so a stream keeps at most
 * one read (RECV_MESSAGE) and one write (SEND_MESSAGE) going, queues what the handler sends
 * meanwhile, sends the status once that queue is empty, and watches for the call's end
 * (RECV_CLOSE_ON_SERVER) from the start, which is how a cancellation is seen. Each kind of
 * operation has its own tag in the stream, and their completions may arrive on different
 * queue threads at once, so the stream's state is under its own lock. A count of what is in
 * flight (operations, plus the function running an event) says when the stream is over: at
 * zero no event can come any more, on_done runs, and the call is freed, which gives back
 * the live unit rpc_server_destroy waits for. Handler callbacks never run under the lock,
 * since they call rpc_stream_send.
 *
 * Each received message is decoded into an arena of its own, released when on_message
 * returns: a stream may live for hours, and the call's arena would otherwise grow with
 * every message. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "rpc/rpc_internal.h"

#define STREAM_OF(tag, member) ((rpc__stream_t *)((char *)(tag)-offsetof(rpc__stream_t, member)))

typedef struct out_msg {
  struct out_msg *next;
  grpc_byte_buffer *bb;
  size_t n;
} out_msg_t;

struct rpc__stream {
  rpc__tag_t recv_tag, send_tag, status_tag, close_tag;
  rpc_ctx_t *ctx;
  rpc_server_t *srv;
  const rpc__method_t *m;
  grpc_call *call;
  rpc__stream_t *prev, *next; /* srv->streams, under srv->mu */
  void *state;                /* rpc_stream_set_state() */
  grpc_byte_buffer *recv;     /* filled by the read in flight */
  int close_cancelled;        /* filled by RECV_CLOSE_ON_SERVER */
  pthread_mutex_t mu;         /* guards everything below */
  int refs;                   /* operations in flight + event functions running */
  int finishing;              /* a status is set: send it once the queue is empty */
  int status_started;
  int over;      /* cancelled, closed, or a batch failed: start nothing more */
  int cancelled; /* what on_done is told */
  out_msg_t *head, *tail, *sending;
  size_t queued; /* bytes queued or being sent */
  grpc_status_code code;
  grpc_slice details;
  grpc_metadata trailer;
  int has_trailer;
};

static void out_free(out_msg_t *o) {
  if (!o) return;
  grpc_byte_buffer_destroy(o->bb);
  free(o);
}

static void drop_queue_locked(rpc__stream_t *st) {
  while (st->head) {
    out_msg_t *o = st->head;
    st->head = o->next;
    st->queued -= o->n;
    out_free(o);
  }
  st->tail = NULL;
}

/* Starts one batch; counts it in flight. 0 or -1 (logged; nothing started). */
static int start_locked(rpc__stream_t *st, const grpc_op *ops, size_t n, rpc__tag_t *tag) {
  grpc_call_error e = grpc_call_start_batch(st->call, ops, n, tag, NULL);
  if (e != GRPC_CALL_OK) {
    HG_ERROR("rpc", rpc_ctx_request_id(st->ctx), "%s: stream batch not started: %s",
             rpc_ctx_method(st->ctx), grpc_call_error_to_string(e));
    return -1;
  }
  st->refs++;
  return 0;
}

/* The call cannot go on: cancel it, so that whatever is in flight completes. */
static void fail_locked(rpc__stream_t *st) {
  st->over = 1;
  st->cancelled = 1;
  drop_queue_locked(st);
  grpc_call_cancel(st->call, NULL);
}

static void link_stream(rpc__stream_t *st, int *closing) {
  rpc_server_t *s = st->srv;
  pthread_mutex_lock(&s->mu);
  st->next = s->streams;
  if (st->next) st->next->prev = st;
  s->streams = st;
  *closing = s->closing;
  pthread_mutex_unlock(&s->mu);
}

static void unlink_stream(rpc__stream_t *st) {
  rpc_server_t *s = st->srv;
  pthread_mutex_lock(&s->mu);
  if (st->prev)
    st->prev->next = st->next;
  else
    s->streams = st->next;
  if (st->next) st->next->prev = st->prev;
  pthread_mutex_unlock(&s->mu);
}

/* Nothing is in flight and nothing can come: tell the handler, free the call. */
static void stream_end(rpc__stream_t *st) {
  rpc_ctx_t *ctx = st->ctx;
  unlink_stream(st);
  if (st->m->stream.on_done) st->m->stream.on_done(ctx, st->cancelled);
  drop_queue_locked(st); /* empty unless a send raced the end; no lock is needed any more */
  grpc_slice_unref(st->details);
  grpc_slice_unref(st->trailer.value);
  pthread_mutex_destroy(&st->mu);
  rpc__ctx_free(ctx);
}

/* Drops one count with st->mu held and unlocks; the last one ends the stream. */
static void unref_unlock(rpc__stream_t *st) {
  int last = --st->refs == 0;
  pthread_mutex_unlock(&st->mu);
  if (last) stream_end(st);
}

static void start_recv_locked(rpc__stream_t *st, int with_metadata) {
  grpc_op ops[2];
  size_t n = 0;
  memset(ops, 0, sizeof ops);
  if (with_metadata) ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[n].op = GRPC_OP_RECV_MESSAGE;
  ops[n++].data.recv_message.recv_message = &st->recv;
  if (start_locked(st, ops, n, &st->recv_tag) != 0) fail_locked(st);
}

/* Sends the status once nothing is queued or being sent. */
static void maybe_status_locked(rpc__stream_t *st) {
  grpc_op op;
  if (!st->finishing || st->status_started || st->sending || st->head || st->over) return;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  op.data.send_status_from_server.status = st->code;
  op.data.send_status_from_server.status_details = &st->details;
  if (st->has_trailer) {
    op.data.send_status_from_server.trailing_metadata_count = 1;
    op.data.send_status_from_server.trailing_metadata = &st->trailer;
  }
  st->status_started = 1;
  if (start_locked(st, &op, 1, &st->status_tag) != 0) fail_locked(st);
}

static void start_send_locked(rpc__stream_t *st) {
  out_msg_t *o = st->head;
  grpc_op op;
  st->head = o->next;
  if (!st->head) st->tail = NULL;
  st->sending = o;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_MESSAGE;
  op.data.send_message.send_message = o->bb;
  if (start_locked(st, &op, 1, &st->send_tag) != 0) {
    st->sending = NULL;
    st->queued -= o->n;
    out_free(o);
    fail_locked(st);
  }
}

/* Decodes, admits and hands over one message, in an arena of its own. */
static void deliver(rpc__stream_t *st, grpc_byte_buffer *bb) {
  rpc_ctx_t *ctx = st->ctx;
  hg_arena_t *a = hg_arena_new();
  void *msg = NULL;
  int rc = a ? rpc__codec_decode_bb(&st->m->in, bb, a, &msg) : 0;
  grpc_byte_buffer_destroy(bb);
  if (!a) {
    rpc_fail_code(ctx, HG_INTERNAL, "out of memory");
    return;
  }
  if (rc != 0) {
    rpc_fail_code(ctx, HG_INVALID_ARGUMENT, rpc__decode_failure(rc));
  } else {
    hg_arena_t *call_arena = rpc__ctx_swap_arena(ctx, a);
    /* Every message is admitted, as a unary request would be: a bidirectional stream's
     * messages may each name another scope. A refusing admit has finished the stream. */
    if (st->m->admit(ctx, msg) == 0) st->m->stream.on_message(ctx, msg);
    rpc_ctx_set_user(ctx, NULL); /* it may point into a */
    rpc__ctx_swap_arena(ctx, call_arena);
  }
  hg_arena_free(a);
}

static void on_recv(rpc__tag_t *tag, int ok) {
  rpc__stream_t *st = STREAM_OF(tag, recv_tag);
  grpc_byte_buffer *bb = st->recv; /* no read is in flight: only this thread touches it */
  int message = bb != NULL;
  st->recv = NULL;
  pthread_mutex_lock(&st->mu);
  int live = ok && !st->over && !st->finishing;
  pthread_mutex_unlock(&st->mu);
  if (!live) {
    if (bb) grpc_byte_buffer_destroy(bb);
  } else if (!message) { /* the client half-closed */
    if (st->m->stream.on_half_close)
      st->m->stream.on_half_close(st->ctx);
    else
      rpc__stream_finish(st, NULL);
  } else {
    deliver(st, bb);
  }
  pthread_mutex_lock(&st->mu);
  if (live && message && !st->over && !st->finishing) start_recv_locked(st, 0);
  unref_unlock(st);
}

static void on_send(rpc__tag_t *tag, int ok) {
  rpc__stream_t *st = STREAM_OF(tag, send_tag);
  pthread_mutex_lock(&st->mu);
  out_msg_t *o = st->sending;
  st->sending = NULL;
  st->queued -= o->n;
  if (!ok) /* the call is gone */
    fail_locked(st);
  else if (st->head && !st->over)
    start_send_locked(st);
  else
    maybe_status_locked(st);
  out_free(o);
  unref_unlock(st);
}

static void on_status(rpc__tag_t *tag, int ok) {
  rpc__stream_t *st = STREAM_OF(tag, status_tag);
  pthread_mutex_lock(&st->mu);
  if (!ok) st->cancelled = 1;
  unref_unlock(st);
}

static void on_close(rpc__tag_t *tag, int ok) {
  rpc__stream_t *st = STREAM_OF(tag, close_tag);
  pthread_mutex_lock(&st->mu);
  /* The call is over either way; cancelled unless the server's status went out. */
  st->over = 1;
  if (!ok || st->close_cancelled) st->cancelled = 1;
  drop_queue_locked(st);
  unref_unlock(st);
}

void rpc__stream_start(rpc_ctx_t *ctx) {
  rpc__stream_t *st = hg_arena_alloc(rpc_ctx_arena(ctx), sizeof *st);
  grpc_op op;
  int closing;
  if (!st || pthread_mutex_init(&st->mu, NULL) != 0) {
    rpc_fail_code(ctx, HG_INTERNAL, "out of memory"); /* a plain final batch ends the call */
    return;
  }
  st->recv_tag.on_event = on_recv;
  st->send_tag.on_event = on_send;
  st->status_tag.on_event = on_status;
  st->close_tag.on_event = on_close;
  st->ctx = ctx;
  st->srv = rpc__ctx_server(ctx);
  st->m = rpc__ctx_method(ctx);
  st->call = rpc__ctx_call(ctx);
  st->details = grpc_empty_slice();
  st->trailer.key = grpc_slice_from_static_string(RPC__DETAILS_KEY);
  st->trailer.value = grpc_empty_slice();
  st->refs = 1; /* this function's own, so the stream cannot end before it returns */
  rpc__ctx_set_stream(ctx, st);
  link_stream(st, &closing);
  pthread_mutex_lock(&st->mu);
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  op.data.recv_close_on_server.cancelled = &st->close_cancelled;
  if (start_locked(st, &op, 1, &st->close_tag) != 0)
    fail_locked(st);
  else
    start_recv_locked(st, 1);
  pthread_mutex_unlock(&st->mu);
  if (closing) { /* accepted as the server began to stop, after it finished the others */
    hg_status_t unavailable;
    hg_status_set(&unavailable, HG_UNAVAILABLE, "server is shutting down");
    rpc__stream_finish(st, &unavailable);
  }
  pthread_mutex_lock(&st->mu);
  unref_unlock(st);
}

void rpc__stream_finish(rpc__stream_t *st, const hg_status_t *status) {
  grpc_status_code code = GRPC_STATUS_OK;
  grpc_slice details = grpc_empty_slice(), trailer = grpc_empty_slice();
  int has_trailer = 0;
  if (status) {
    /* The details are packed with scratch space of their own: the ctx's arena may be a
     * message's, in use by the thread delivering it. */
    hg_arena_t *scratch = hg_arena_new();
    code = (grpc_status_code)status->code;
    details = grpc_slice_from_copied_string(status->message);
    has_trailer = scratch && rpc__status_pack(status, scratch, &trailer) == 0;
    hg_arena_free(scratch);
  }
  pthread_mutex_lock(&st->mu);
  if (st->finishing || st->over) {
    pthread_mutex_unlock(&st->mu);
    grpc_slice_unref(details);
    grpc_slice_unref(trailer);
    return;
  }
  st->finishing = 1;
  st->code = code;
  st->details = details;
  st->trailer.value = trailer;
  st->has_trailer = has_trailer;
  maybe_status_locked(st);
  pthread_mutex_unlock(&st->mu);
}

void rpc__streams_close_all(rpc_server_t *s) {
  hg_status_t unavailable;
  hg_status_set(&unavailable, HG_UNAVAILABLE, "server is shutting down");
  /* A stream that is ending waits for s->mu to unlink itself, so every one on the list is
   * still allocated here; rpc__stream_finish does nothing to one that is over. */
  pthread_mutex_lock(&s->mu);
  for (rpc__stream_t *st = s->streams; st; st = st->next) rpc__stream_finish(st, &unavailable);
  pthread_mutex_unlock(&s->mu);
}

int rpc_server_add_stream(rpc_server_t *s, const char *path, const rpc_stream_handler_t *h,
                          rpc_admit_fn admit, const rpc_codec_t *in, const rpc_codec_t *out) {
  if (!h) return -1;
  return rpc__server_add_method(s, path, NULL, h, admit, in, out);
}

int rpc_stream_send(rpc_ctx_t *ctx, const void *msg) {
  rpc__stream_t *st = rpc__ctx_stream(ctx);
  grpc_slice s;
  out_msg_t *o;
  int rc = 0;
  if (!st) return RPC_STREAM_CLOSED;
  if (rpc__codec_encode_slice(&st->m->out, msg, &s) != 0) return RPC_STREAM_BAD_MESSAGE;
  if (!(o = calloc(1, sizeof *o))) {
    grpc_slice_unref(s);
    return RPC_STREAM_FULL;
  }
  o->n = GRPC_SLICE_LENGTH(s);
  o->bb = grpc_raw_byte_buffer_create(&s, 1);
  grpc_slice_unref(s);
  pthread_mutex_lock(&st->mu);
  if (st->over || st->finishing) {
    rc = RPC_STREAM_CLOSED;
  } else if (st->queued > 0 && st->queued + o->n > RPC_STREAM_MAX_QUEUED_BYTES) {
    rc = RPC_STREAM_FULL;
  } else {
    if (st->tail)
      st->tail->next = o;
    else
      st->head = o;
    st->tail = o;
    st->queued += o->n;
    if (!st->sending) start_send_locked(st);
  }
  pthread_mutex_unlock(&st->mu);
  if (rc != 0) out_free(o);
  return rc;
}

void rpc_stream_finish(rpc_ctx_t *ctx, const hg_status_t *st) {
  rpc__stream_t *s = rpc__ctx_stream(ctx);
  if (st && st->code != HG_OK) {
    rpc_fail(ctx, st); /* checks st as for a unary call, then finishes the stream */
    return;
  }
  if (s) rpc__stream_finish(s, NULL);
}

void rpc__stream_reply(rpc_ctx_t *ctx, const void *resp) {
  int rc = rpc_stream_send(ctx, resp);
  if (rc == 0)
    rpc_stream_finish(ctx, NULL);
  else if (rc == RPC_STREAM_BAD_MESSAGE)
    rpc_fail_code(ctx, HG_INTERNAL, "response encoding failed");
  else if (rc == RPC_STREAM_FULL)
    rpc_fail_code(ctx, HG_RESOURCE_EXHAUSTED, "too much waiting to be sent on this stream");
}

void rpc_stream_set_state(rpc_ctx_t *ctx, void *state) {
  rpc__stream_t *st = rpc__ctx_stream(ctx);
  if (st) st->state = state;
}

void *rpc_stream_state(rpc_ctx_t *ctx) {
  rpc__stream_t *st = rpc__ctx_stream(ctx);
  return st ? st->state : NULL;
}
