/* test_rpc_stream_client.h - a streaming gRPC client straight on the core C API, for the
 * tests of server streams (test_rpc_stream.c, test_rpc_reflection.c). common/rpc has no
 * client streams, and a client of our own layer would test that layer against itself.
 *
 * One call per sc_t, each batch waited for on the call's own pluck queue, in the order a
 * test writes them: open, send, recv, half_close, finish. */
#ifndef TEST_RPC_STREAM_CLIENT_H
#define TEST_RPC_STREAM_CLIENT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"

typedef struct sc {
  grpc_channel *ch;
  grpc_completion_queue *cq;
  grpc_call *call;
  grpc_metadata_array init_md, trail_md;
  int got_init_md;
  grpc_status_code status;
  grpc_slice details;
  char message[256]; /* the status message, after sc_finish */
} sc_t;

/* Runs ops as one batch and waits for it; its success flag. */
static inline int sc_batch(sc_t *c, grpc_op *ops, size_t n) {
  int tag;
  ck_assert_int_eq(grpc_call_start_batch(c->call, ops, n, &tag, NULL), GRPC_CALL_OK);
  grpc_event ev =
      grpc_completion_queue_pluck(c->cq, &tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
  ck_assert_int_eq(ev.type, GRPC_OP_COMPLETE);
  return ev.success;
}

/* Opens method on target ("127.0.0.1:port") with request metadata md[0..n_md) and sends
 * the initial metadata. */
static inline void sc_open(sc_t *c, const char *target, const char *method, const grpc_metadata *md,
                           size_t n_md) {
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  grpc_op op;
  memset(c, 0, sizeof *c);
  grpc_init(); /* the client's own hold on the library: it may outlive the server */
  c->ch = grpc_channel_create(target, creds, NULL);
  grpc_channel_credentials_release(creds);
  c->cq = grpc_completion_queue_create_for_pluck(NULL);
  grpc_slice m = grpc_slice_from_copied_string(method);
  gpr_timespec deadline =
      gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_seconds(60, GPR_TIMESPAN));
  c->call = grpc_channel_create_call(c->ch, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq, m, NULL, deadline,
                                     NULL);
  grpc_slice_unref(m);
  grpc_metadata_array_init(&c->init_md);
  grpc_metadata_array_init(&c->trail_md);
  c->details = grpc_empty_slice();
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_INITIAL_METADATA;
  op.data.send_initial_metadata.count = n_md;
  op.data.send_initial_metadata.metadata = (grpc_metadata *)md;
  ck_assert(sc_batch(c, &op, 1));
}

/* Sends raw bytes as one message; the batch's success. */
static inline int sc_send_raw(sc_t *c, const uint8_t *p, size_t n) {
  grpc_slice s = grpc_slice_from_copied_buffer((const char *)p, n);
  grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
  grpc_op op;
  grpc_slice_unref(s);
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_MESSAGE;
  op.data.send_message.send_message = bb;
  int ok = sc_batch(c, &op, 1);
  grpc_byte_buffer_destroy(bb);
  return ok;
}

static inline int sc_send(sc_t *c, const ProtobufCMessage *msg) {
  size_t n = protobuf_c_message_get_packed_size(msg);
  uint8_t *p = malloc(n ? n : 1);
  protobuf_c_message_pack(msg, p);
  int ok = sc_send_raw(c, p, n);
  free(p);
  return ok;
}

/* The next message decoded as d into a, or NULL when the server has sent its status. */
static inline void *sc_recv(sc_t *c, const ProtobufCMessageDescriptor *d, hg_arena_t *a) {
  grpc_byte_buffer *bb = NULL;
  grpc_op ops[2];
  size_t n = 0;
  memset(ops, 0, sizeof ops);
  if (!c->got_init_md) {
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n++].data.recv_initial_metadata.recv_initial_metadata = &c->init_md;
    c->got_init_md = 1;
  }
  ops[n].op = GRPC_OP_RECV_MESSAGE;
  ops[n++].data.recv_message.recv_message = &bb;
  sc_batch(c, ops, n);
  if (!bb) return NULL;
  grpc_byte_buffer_reader r;
  ck_assert(grpc_byte_buffer_reader_init(&r, bb));
  grpc_slice s = grpc_byte_buffer_reader_readall(&r);
  grpc_byte_buffer_reader_destroy(&r);
  grpc_byte_buffer_destroy(bb);
  ProtobufCAllocator al = hg_arena_pbc_allocator(a);
  void *msg = protobuf_c_message_unpack(d, &al, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
  grpc_slice_unref(s);
  ck_assert_ptr_nonnull(msg);
  return msg;
}

static inline void sc_half_close(sc_t *c) {
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ck_assert(sc_batch(c, &op, 1));
}

/* Waits for the server's status; its code (message in c->message). */
static inline int sc_finish(sc_t *c) {
  grpc_op ops[2];
  size_t n = 0;
  memset(ops, 0, sizeof ops);
  if (!c->got_init_md) {
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n++].data.recv_initial_metadata.recv_initial_metadata = &c->init_md;
    c->got_init_md = 1;
  }
  ops[n].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[n].data.recv_status_on_client.trailing_metadata = &c->trail_md;
  ops[n].data.recv_status_on_client.status = &c->status;
  ops[n++].data.recv_status_on_client.status_details = &c->details;
  ck_assert(sc_batch(c, ops, n));
  snprintf(c->message, sizeof c->message, "%.*s", (int)GRPC_SLICE_LENGTH(c->details),
           (const char *)GRPC_SLICE_START_PTR(c->details));
  return (int)c->status;
}

static inline void sc_close(sc_t *c) {
  grpc_call_unref(c->call);
  grpc_metadata_array_destroy(&c->init_md);
  grpc_metadata_array_destroy(&c->trail_md);
  grpc_slice_unref(c->details);
  grpc_channel_destroy(c->ch);
  grpc_completion_queue_shutdown(c->cq);
  while (grpc_completion_queue_pluck(c->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
         GRPC_QUEUE_SHUTDOWN)
    ;
  grpc_completion_queue_destroy(c->cq);
  grpc_shutdown();
}

static inline void sc_cancel(sc_t *c) { grpc_call_cancel(c->call, NULL); }

#endif
