/* rpc_call.c - one unary client call: the six-op batch, and turning its result into
 * (hg_status_t, decoded response).
 *
 * Shared by rpc_call() (client queue, callback on the client thread) and rpc_call_sync()
 * (a private pluck queue). Every slice and buffer the batch points at is owned by the call
 * record until the batch completes, so nothing depends on how gRPC refs borrowed slices.
 * Received slices die with the call, so the status strings are copied into the caller's
 * arena before the call is released. */
#include <stdlib.h>
#include <string.h>
#include <grpc/support/alloc.h>

#include "rpc/rpc_internal.h"

void rpc__ccall_release(rpc__ccall_t *cc) {
  if (cc->call) grpc_call_unref(cc->call);
  for (size_t i = 0; i < cc->n_md; i++) {
    grpc_slice_unref(cc->md[i].key);
    grpc_slice_unref(cc->md[i].value);
  }
  free(cc->md);
  if (cc->send) grpc_byte_buffer_destroy(cc->send);
  if (cc->recv) grpc_byte_buffer_destroy(cc->recv);
  grpc_metadata_array_destroy(&cc->init_md);
  grpc_metadata_array_destroy(&cc->trail_md);
  grpc_slice_unref(cc->details);
  grpc_slice_unref(cc->method);
  gpr_free((void *)cc->error_string);
}

static int copy_metadata(rpc__ccall_t *cc, const rpc_call_opts_t *opts) {
  if (opts->n_md == 0) return 0;
  if (!opts->md || !(cc->md = calloc(opts->n_md, sizeof *cc->md))) return -1;
  for (; cc->n_md < opts->n_md; cc->n_md++) {
    const rpc_md_t *m = &opts->md[cc->n_md];
    if (!m->key || !m->value) return -1;
    cc->md[cc->n_md].key = grpc_slice_from_copied_string(m->key);
    cc->md[cc->n_md].value = grpc_slice_from_copied_string(m->value);
  }
  return 0;
}

static int start_batch(rpc__ccall_t *cc) {
  grpc_op ops[6];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[0].data.send_initial_metadata.count = cc->n_md;
  ops[0].data.send_initial_metadata.metadata = cc->md;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = cc->send;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &cc->init_md;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &cc->recv;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &cc->trail_md;
  ops[5].data.recv_status_on_client.status = &cc->status;
  ops[5].data.recv_status_on_client.status_details = &cc->details;
  ops[5].data.recv_status_on_client.error_string = &cc->error_string;
  return grpc_call_start_batch(cc->call, ops, 6, &cc->tag, NULL) == GRPC_CALL_OK ? 0 : -1;
}

/* Fields of cc that are not plain zero when empty. */
static void ccall_init(rpc__ccall_t *cc, rpc_channel_t *ch, const char *path,
                       const rpc_codec_t *out, const rpc_call_opts_t *opts) {
  cc->client = ch->client;
  cc->out = *out;
  cc->arena = opts->arena;
  cc->encoded_reply = opts->encoded_reply;
  cc->reply_md = opts->reply_md;
  cc->n_reply_md = opts->reply_md ? opts->n_reply_md : 0;
  grpc_metadata_array_init(&cc->init_md);
  grpc_metadata_array_init(&cc->trail_md);
  cc->details = grpc_empty_slice();
  cc->method = grpc_slice_from_copied_string(path);
}

int rpc__ccall_prepare(rpc__ccall_t *cc, rpc_channel_t *ch, grpc_completion_queue *cq,
                       const char *path, const rpc_codec_t *in, const void *req,
                       const rpc_codec_t *out, const rpc_call_opts_t *opts, gpr_timespec deadline) {
  grpc_slice payload;
  for (size_t i = 0; opts && opts->reply_md && i < opts->n_reply_md; i++)
    opts->reply_md[i].value = NULL; /* also when the call cannot start */
  if (!ch || !path || !opts || !opts->arena || rpc__codec_check(out) != 0 ||
      rpc__codec_encode_slice(in, req, &payload) != 0)
    return -1;
  ccall_init(cc, ch, path, out, opts);
  cc->send = grpc_raw_byte_buffer_create(&payload, 1);
  grpc_slice_unref(payload);
  if (copy_metadata(cc, opts) != 0) goto fail;
  cc->call = grpc_channel_create_call(ch->ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, cc->method, NULL,
                                      deadline, NULL);
  if (!cc->call || rpc__client_track(cc->client, cc) != 0) goto fail;
  return 0;
fail:
  rpc__ccall_release(cc);
  return -1;
}

int rpc__ccall_start(rpc__ccall_t *cc, rpc_channel_t *ch, grpc_completion_queue *cq,
                     const char *path, const rpc_codec_t *in, const void *req,
                     const rpc_codec_t *out, const rpc_call_opts_t *opts) {
  int64_t ms = opts && opts->deadline_ms > 0 ? opts->deadline_ms : RPC__DEFAULT_DEADLINE_MS;
  if (rpc__ccall_prepare(cc, ch, cq, path, in, req, out, opts,
                         rpc__deadline_in(ms, GPR_CLOCK_REALTIME)) != 0)
    return -1;
  if (start_batch(cc) != 0) {
    rpc__client_untrack(cc->client, cc);
    rpc__ccall_release(cc);
    return -1;
  }
  return 0;
}

static const grpc_metadata *find_trailer(const grpc_metadata_array *md, const char *key) {
  for (size_t i = 0; i < md->count; i++)
    if (grpc_slice_str_cmp(md->metadata[i].key, key) == 0) return &md->metadata[i];
  return NULL;
}

/* The answer metadata the caller asked for (rpc_call_opts_t.reply_md), in its arena. */
static void read_reply_md(const rpc__ccall_t *cc, int ok) {
  for (size_t i = 0; i < cc->n_reply_md; i++) {
    rpc_md_t *m = &cc->reply_md[i];
    const grpc_metadata *v = NULL;
    if (ok && m->key && !(v = find_trailer(&cc->init_md, m->key)))
      v = find_trailer(&cc->trail_md, m->key);
    m->value = v ? hg_arena_strndup(cc->arena, (const char *)GRPC_SLICE_START_PTR(v->value),
                                    GRPC_SLICE_LENGTH(v->value))
                 : NULL;
  }
}

void rpc__ccall_status(const rpc__ccall_t *cc, hg_status_t *st) {
  size_t n = GRPC_SLICE_LENGTH(cc->details);
  const grpc_metadata *d = find_trailer(&cc->trail_md, RPC__DETAILS_KEY);
  st->code = (unsigned)cc->status <= HG_UNAUTHENTICATED ? (hg_code_t)cc->status : HG_UNKNOWN;
  if (n > 0)
    st->message = hg_arena_strndup(cc->arena, (const char *)GRPC_SLICE_START_PTR(cc->details), n);
  if (d)
    rpc__status_unpack(GRPC_SLICE_START_PTR(d->value), GRPC_SLICE_LENGTH(d->value), cc->arena,
                       st); /* undecodable details: code and message still stand */
  if (!st->message) st->message = hg_code_name(st->code);
}

void rpc__ccall_finish(rpc__ccall_t *cc, int ok, hg_status_t *st, void **resp) {
  rpc__client_untrack(cc->client, cc);
  memset(st, 0, sizeof *st);
  *resp = NULL;
  read_reply_md(cc, ok);
  if (!ok) {
    st->code = HG_UNAVAILABLE;
    st->message = "call failed in transport";
  } else if (cc->status != GRPC_STATUS_OK) {
    rpc__ccall_status(cc, st);
  } else if (cc->encoded_reply ? rpc__encoded_bb(cc->recv, cc->arena, resp) != 0
                               : rpc__codec_decode_bb(&cc->out, cc->recv, cc->arena, resp) != 0) {
    st->code = HG_INTERNAL;
    st->message = "malformed response";
  }
  rpc__ccall_release(cc);
}
