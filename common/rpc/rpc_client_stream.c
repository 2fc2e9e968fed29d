/* rpc_client_stream.c - one server-streaming client call: a request, the server's messages
 * one by one, then its status.
 *
 * gRPC core allows one read in flight per call. The call keeps three kinds of batch: the
 * start (initial metadata, the request, half-close, the server's initial metadata), the
 * status (RECV_STATUS_ON_CLIENT, in flight from the start, which is how a failure or a
 * cancellation is seen) and at most one read. A read starts only when the consumer asks
 * for it (rpc_client_stream_next), so a consumer slower than the server holds the server
 * back through HTTP/2 flow control instead of buffering here without bound.
 *
 * The stream is over when nothing is in flight and either a read found the end of the
 * messages or the consumer cancelled: messages the server sent before its status are never
 * dropped unread unless the consumer asked for that. on_end runs then, once, and the call
 * is released. The unary call record (rpc__ccall_t) carries the call, its metadata and its
 * status, and keeps it in the client's in-flight list, so rpc_client_destroy cancels and
 * waits for streams as for unary calls (TOOLCHAIN.md: no batch may outlive its queue). */
#include <stdlib.h>
#include <string.h>
#include <grpc/byte_buffer_reader.h>

#include "rpc/rpc_internal.h"

struct rpc_client_stream {
  rpc__ccall_t cc; /* first: its tag is the start batch's */
  rpc__tag_t recv_tag, status_tag;
  rpc_client_stream_cbs_t cbs;
  void *arg;
  hg_arena_t *arena; /* the status strings */
  grpc_byte_buffer *recv;
  pthread_mutex_t mu; /* guards what follows */
  int refs;           /* batches in flight + callbacks running */
  int reading;
  int eos;        /* a read found the end (or failed) */
  int status_ok;  /* the status batch succeeded */
  int cancelled;  /* the consumer cancelled */
  int start_fail; /* the start batch failed: the call is over */
  int ended;
};

#define OF(tag, member)                                                                            \
  ((rpc_client_stream_t *)((char *)(tag)-offsetof(rpc_client_stream_t, member)))

static void finish(rpc_client_stream_t *s) {
  hg_status_t st;
  memset(&st, 0, sizeof st);
  if (s->cancelled) {
    st.code = HG_CANCELLED;
    st.message = "cancelled";
  } else if (!s->status_ok) {
    st.code = HG_UNAVAILABLE;
    st.message = "call failed in transport";
  } else if (s->cc.status != GRPC_STATUS_OK) {
    rpc__ccall_status(&s->cc, &st);
  }
  s->cbs.on_end(s->arg, &st);
  rpc__client_untrack(s->cc.client, &s->cc);
  rpc__ccall_release(&s->cc);
  pthread_mutex_destroy(&s->mu);
  hg_arena_free(s->arena);
  free(s);
}

/* Drops one count with s->mu held and unlocks; ends the stream when it is over. */
static void unref_unlock(rpc_client_stream_t *s) {
  s->refs--;
  int over = s->refs == 0 && !s->ended && (s->eos || s->cancelled || s->start_fail);
  if (over) s->ended = 1;
  pthread_mutex_unlock(&s->mu);
  if (over) finish(s);
}

static int start_locked(rpc_client_stream_t *s, grpc_op *ops, size_t n, rpc__tag_t *tag) {
  if (grpc_call_start_batch(s->cc.call, ops, n, tag, NULL) != GRPC_CALL_OK) return -1;
  s->refs++;
  return 0;
}

static void start_read_locked(rpc_client_stream_t *s) {
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_RECV_MESSAGE;
  op.data.recv_message.recv_message = &s->recv;
  if (start_locked(s, &op, 1, &s->recv_tag) == 0) {
    s->reading = 1;
  } else { /* cannot read: the call cannot go on */
    s->eos = 1;
    grpc_call_cancel(s->cc.call, NULL);
  }
}

static void on_start(rpc__tag_t *tag, int ok) {
  rpc_client_stream_t *s = (rpc_client_stream_t *)tag;
  pthread_mutex_lock(&s->mu);
  if (!ok) s->start_fail = 1;
  unref_unlock(s);
}

static void on_status(rpc__tag_t *tag, int ok) {
  rpc_client_stream_t *s = OF(tag, status_tag);
  pthread_mutex_lock(&s->mu);
  s->status_ok = ok;
  unref_unlock(s);
}

static void on_recv(rpc__tag_t *tag, int ok) {
  rpc_client_stream_t *s = OF(tag, recv_tag);
  grpc_byte_buffer *bb = s->recv;
  s->recv = NULL;
  pthread_mutex_lock(&s->mu);
  s->reading = 0;
  if (!ok || !bb) s->eos = 1;
  int deliver = bb && ok && !s->cancelled;
  pthread_mutex_unlock(&s->mu);
  if (deliver) {
    grpc_byte_buffer_reader r;
    if (grpc_byte_buffer_reader_init(&r, bb)) {
      grpc_slice all = grpc_byte_buffer_reader_readall(&r);
      grpc_byte_buffer_reader_destroy(&r);
      s->cbs.on_message(s->arg, GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
      grpc_slice_unref(all);
    }
  }
  if (bb) grpc_byte_buffer_destroy(bb);
  pthread_mutex_lock(&s->mu);
  unref_unlock(s);
}

int rpc_client_stream_open(rpc_channel_t *ch, const char *path, const rpc_codec_t *in,
                           const void *req, const rpc_codec_t *out, const rpc_call_opts_t *opts,
                           const rpc_client_stream_cbs_t *cbs, void *arg,
                           rpc_client_stream_t **out_stream) {
  rpc_client_stream_t *s;
  if (!ch || !opts || !cbs || !cbs->on_message || !cbs->on_end || !out_stream ||
      !(s = calloc(1, sizeof *s)))
    return -1;
  if (!(s->arena = hg_arena_new()) || pthread_mutex_init(&s->mu, NULL) != 0) {
    hg_arena_free(s->arena);
    free(s);
    return -1;
  }
  rpc_call_opts_t o = *opts;
  o.arena = s->arena;
  o.reply_md = NULL;
  o.n_reply_md = 0;
  gpr_timespec deadline = o.deadline_ms > 0 ? rpc__deadline_in(o.deadline_ms, GPR_CLOCK_REALTIME)
                                            : gpr_inf_future(GPR_CLOCK_REALTIME);
  if (rpc__ccall_prepare(&s->cc, ch, ch->client->cq, path, in, req, out, &o, deadline) != 0)
    goto fail;
  s->cc.tag.on_event = on_start;
  s->recv_tag.on_event = on_recv;
  s->status_tag.on_event = on_status;
  s->cbs = *cbs;
  s->arg = arg;
  grpc_op ops[4];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[0].data.send_initial_metadata.count = s->cc.n_md;
  ops[0].data.send_initial_metadata.metadata = s->cc.md;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = s->cc.send;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->cc.init_md;
  pthread_mutex_lock(&s->mu);
  if (start_locked(s, ops, 4, &s->cc.tag) != 0) {
    pthread_mutex_unlock(&s->mu);
    rpc__client_untrack(s->cc.client, &s->cc);
    rpc__ccall_release(&s->cc);
    goto fail;
  }
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[0].data.recv_status_on_client.trailing_metadata = &s->cc.trail_md;
  ops[0].data.recv_status_on_client.status = &s->cc.status;
  ops[0].data.recv_status_on_client.status_details = &s->cc.details;
  ops[0].data.recv_status_on_client.error_string = &s->cc.error_string;
  if (start_locked(s, ops, 1, &s->status_tag) != 0) {
    s->eos = 1; /* no status can come: end once the start batch is back */
    grpc_call_cancel(s->cc.call, NULL);
  } else {
    start_read_locked(s);
  }
  pthread_mutex_unlock(&s->mu);
  *out_stream = s;
  return 0;
fail:
  pthread_mutex_destroy(&s->mu);
  hg_arena_free(s->arena);
  free(s);
  return -1;
}

void rpc_client_stream_next(rpc_client_stream_t *s) {
  pthread_mutex_lock(&s->mu);
  if (!s->reading && !s->eos && !s->cancelled && !s->ended) start_read_locked(s);
  pthread_mutex_unlock(&s->mu);
}

void rpc_client_stream_cancel(rpc_client_stream_t *s) {
  pthread_mutex_lock(&s->mu);
  s->cancelled = 1;
  grpc_call_cancel(s->cc.call, NULL);
  s->refs++; /* ends the stream here when nothing is in flight */
  unref_unlock(s);
}
