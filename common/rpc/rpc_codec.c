/* rpc_codec.c - message (de)serialisation for both runtimes behind one rpc_codec_t.
 *
 * protobuf-c unpacks through hg_arena_pbc_allocator, so a decoded message is released with
 * its arena and never freed field by field. nanopb decodes into an arena-allocated struct;
 * our nanopb runtime is built with PB_ENABLE_MALLOC, so a message with pointer fields would
 * leak its heap parts when the arena goes. Such messages are refused: every nanopb message
 * crossing this bridge must be fully bounded (max_size / max_count on every field). */
#include <pb_common.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <grpc/byte_buffer_reader.h>
#include <string.h>

#include "rpc/rpc_internal.h"

int rpc__codec_check(const rpc_codec_t *c) {
  if (!c || !c->desc) return -1;
  if (c->kind == RPC_CODEC_PROTOBUF_C) {
    const ProtobufCMessageDescriptor *d = c->desc;
    return d->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC ? 0 : -1;
  }
  return c->kind == RPC_CODEC_NANOPB && c->struct_size > 0 ? 0 : -1;
}

/* 1 when every field of msg, recursively, is stored inside the struct (no heap). */
static int nanopb_bounded(const pb_msgdesc_t *desc, void *msg) {
  pb_field_iter_t it;
  if (!pb_field_iter_begin(&it, desc, msg)) return 1; /* no fields at all */
  do {
    if (PB_ATYPE(it.type) == PB_ATYPE_POINTER) return 0;
    if (PB_ATYPE(it.type) == PB_ATYPE_STATIC && PB_LTYPE_IS_SUBMSG(it.type) &&
        !nanopb_bounded(it.submsg_desc, it.pData))
      return 0;
  } while (pb_field_iter_next(&it));
  return 1;
}

int rpc_codec_decode(const rpc_codec_t *c, const uint8_t *p, size_t n, hg_arena_t *a, void **out) {
  void *msg;
  if (rpc__codec_check(c) != 0) return -1;
  if (c->kind == RPC_CODEC_PROTOBUF_C) {
    ProtobufCAllocator al = hg_arena_pbc_allocator(a);
    int rc = rpc__wire_check(c->desc, p, n, RPC_MAX_DEPTH);
    if (rc != 0) return rc;
    msg = protobuf_c_message_unpack(c->desc, &al, n, p);
    if (!msg) return RPC_DECODE_MALFORMED;
  } else {
    pb_istream_t is = pb_istream_from_buffer(p, n);
    msg = hg_arena_alloc(a, c->struct_size);
    if (!msg || !nanopb_bounded(c->desc, msg) || !pb_decode(&is, c->desc, msg)) return -1;
  }
  *out = msg;
  return 0;
}

const char *rpc__decode_failure(int rc) {
  switch (rc) {
    case RPC_DECODE_TOO_DEEP: return "request nests messages more than 200 levels deep";
    case RPC_DECODE_BAD_UTF8: return "request has a string that is not valid UTF-8";
    default: return "malformed request";
  }
}

/* A ProtobufCBuffer that appends to an hg_buf_t and remembers a failed append. */
typedef struct pbc_sink {
  ProtobufCBuffer base;
  hg_buf_t *out;
  int failed;
} pbc_sink_t;

static void pbc_sink_append(ProtobufCBuffer *base, size_t len, const uint8_t *data) {
  pbc_sink_t *s = (pbc_sink_t *)base;
  if (!s->failed && hg_buf_append(s->out, data, len) != 0) s->failed = 1;
}

static bool nanopb_sink(pb_ostream_t *os, const pb_byte_t *p, size_t n) {
  return hg_buf_append(os->state, p, n) == 0;
}

/* protobuf-c has no type check of its own: refuse a message of another type. */
static int pbc_matches(const rpc_codec_t *c, const void *msg) {
  return ((const ProtobufCMessage *)msg)->descriptor == c->desc;
}

int rpc_codec_encode(const rpc_codec_t *c, const void *msg, hg_buf_t *out) {
  size_t before = out->n;
  int ok;
  if (rpc__codec_check(c) != 0 || !msg) return -1;
  if (c->kind == RPC_CODEC_PROTOBUF_C) {
    pbc_sink_t sink = {{pbc_sink_append}, out, 0};
    ok = pbc_matches(c, msg);
    if (ok) protobuf_c_message_pack_to_buffer(msg, &sink.base);
    ok = ok && !sink.failed;
  } else {
    pb_ostream_t os = {.callback = nanopb_sink, .state = out, .max_size = SIZE_MAX};
    ok = pb_encode(&os, c->desc, msg);
  }
  if (!ok && out->n > before) {
    out->n = before; /* leave the buffer as it was */
    out->p[before] = '\0';
  }
  return ok ? 0 : -1;
}

int rpc__codec_encode_slice(const rpc_codec_t *c, const void *msg, grpc_slice *out) {
  grpc_slice s;
  size_t n;
  if (rpc__codec_check(c) != 0 || !msg) return -1;
  if (c->kind == RPC_CODEC_PROTOBUF_C) {
    if (!pbc_matches(c, msg)) return -1;
    s = grpc_slice_malloc(protobuf_c_message_get_packed_size(msg));
    protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(s));
  } else {
    pb_ostream_t os;
    if (!pb_get_encoded_size(&n, c->desc, msg)) return -1;
    s = grpc_slice_malloc(n);
    os = pb_ostream_from_buffer(GRPC_SLICE_START_PTR(s), n);
    if (!pb_encode(&os, c->desc, msg)) {
      grpc_slice_unref(s);
      return -1;
    }
  }
  *out = s;
  return 0;
}

/* The bytes go from the buffer's slices straight into the arena: readall would join them in
 * a slice of its own first, one more copy of every answer. */
int rpc__encoded_bb(grpc_byte_buffer *bb, hg_arena_t *a, void **out) {
  grpc_byte_buffer_reader r;
  grpc_slice s;
  rpc_encoded_t *e = hg_arena_alloc(a, sizeof(*e));
  uint8_t *p;
  if (!e || !bb || !grpc_byte_buffer_reader_init(&r, bb)) return -1;
  e->n = grpc_byte_buffer_length(r.buffer_out); /* the reader's: decompressed, if it was */
  if (!(p = hg_arena_alloc_uninit(a, e->n))) {
    grpc_byte_buffer_reader_destroy(&r);
    return -1;
  }
  size_t at = 0;
  while (grpc_byte_buffer_reader_next(&r, &s)) {
    size_t k = GRPC_SLICE_LENGTH(s);
    if (k > e->n - at) k = e->n - at;
    memcpy(p + at, GRPC_SLICE_START_PTR(s), k);
    at += k;
    grpc_slice_unref(s);
  }
  grpc_byte_buffer_reader_destroy(&r);
  if (at != e->n) return -1;
  e->p = p;
  *out = e;
  return 0;
}

int rpc__codec_decode_bb(const rpc_codec_t *c, grpc_byte_buffer *bb, hg_arena_t *a, void **out) {
  grpc_byte_buffer_reader r;
  grpc_slice s;
  int rc;
  if (!bb || !grpc_byte_buffer_reader_init(&r, bb)) return -1;
  s = grpc_byte_buffer_reader_readall(&r);
  grpc_byte_buffer_reader_destroy(&r);
  rc = rpc_codec_decode(c, GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s), a, out);
  grpc_slice_unref(s);
  return rc;
}
