/* fuzz_wire.c - protobuf wire bytes -> request message through rpc_codec_decode, the path
 * every service's requests take: the pre-unpack walk (rpc_wire.c: nesting depth, UTF-8),
 * then protobuf-c (or nanopb, for the token verifier's request).
 *
 * Input: one byte choosing the message (fuzz.h; one past the protobuf-c types is nanopb's
 * VerifyRequest), then the wire bytes. Properties: nothing crashes or overflows the stack,
 * however deep the nesting; a message that decodes re-encodes, and its encoding decodes to
 * a message with the same encoding; and its JSON rendering (the transcoder's encoder, which
 * answers render such messages with) succeeds and, unless it may carry a RawObject's text
 * (which the service checks), is JSON. The same bytes written straight to JSON by
 * tc_encode_wire (the gateway's reply path) give exactly that rendering, or are left to
 * decoding; bytes that do not decode are always left to it. */
#include <jansson.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "fuzz.h"
#include "hangar/auth/v1/verify.pb.h"
#include "google/protobuf/field_mask.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "hangar/json/v1/json.pb-c.h"
#include "json/transcode.h"
#include "rpc/rpc.h"

/* Can a message of type d (to a few levels: Struct nests itself) hold a RawObject? Its text
 * is written out verbatim, and over gRPC only the service's own rule makes it JSON
 * (json.proto), so such a rendering is not expected to be JSON here. */
static int may_hold_raw(const ProtobufCMessageDescriptor *d, int depth) {
  if (d == &hangar__json__v1__raw_object__descriptor) return 1;
  for (unsigned i = 0; depth < 6 && i < d->n_fields; i++)
    if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE &&
        may_hold_raw(d->fields[i].descriptor, depth + 1))
      return 1;
  return 0;
}

static void check_json(const ProtobufCMessage *msg) {
  hg_buf_t out = HG_BUF_INIT;
  json_error_t jerr;
  FUZZ_CHECK(tc_encode(msg, &out) == 0);
  if (may_hold_raw(msg->descriptor, 0)) {
    hg_buf_free(&out);
    return;
  }
  json_t *j = json_loadb(out.p, out.n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (!j) fprintf(stderr, "not JSON (%s): %s\n", jerr.text, out.p);
  FUZZ_CHECK(j != NULL);
  json_decref(j);
  hg_buf_free(&out);
}

static void re_encode(const rpc_codec_t *c, const void *msg, hg_arena_t *a) {
  hg_buf_t once = HG_BUF_INIT, twice = HG_BUF_INIT;
  void *again;
  FUZZ_CHECK(rpc_codec_encode(c, msg, &once) == 0);
  int rc = rpc_codec_decode(c, (const uint8_t *)once.p, once.n, a, &again);
  if (rc != 0) fprintf(stderr, "its re-encoding does not decode: %d\n", rc);
  FUZZ_CHECK(rc == 0);
  FUZZ_CHECK(rpc_codec_encode(c, again, &twice) == 0);
  FUZZ_CHECK(hg_str_eq((hg_str_t){once.p, once.n}, (hg_str_t){twice.p, twice.n}));
  hg_buf_free(&once);
  hg_buf_free(&twice);
}

/* Can tc_encode_wire write messages of type d itself (no map, Struct, Value, ListValue or
 * FieldMask anywhere in it, to the depth it follows)? */
static int wire_writes(const ProtobufCMessageDescriptor *d, int depth) {
  static const ProtobufCMessageDescriptor *const decoded[] = {
      &google__protobuf__struct__descriptor, &google__protobuf__value__descriptor,
      &google__protobuf__list_value__descriptor, &google__protobuf__field_mask__descriptor};
  if (depth > 6) return 1; /* no type here nests plain messages deeper than this */
  for (size_t k = 0; k < sizeof decoded / sizeof decoded[0]; k++)
    if (d == decoded[k]) return 0;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[i];
    const ProtobufCMessageDescriptor *sub = fd->descriptor;
    if (fd->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if (fd->label == PROTOBUF_C_LABEL_REPEATED && sub->n_fields == 2 && strstr(sub->name, "Entry"))
      return 0; /* a map */
    if (!wire_writes(sub, depth + 1)) return 0;
  }
  return 1;
}

/* Does m or a message in it keep unknown fields? protobuf-c re-encodes them as it read them,
 * which takes in keys tc_encode_wire leaves to decoding (field numbers past 2^29 - 1). */
static int carries_unknown(const ProtobufCMessage *m) {
  if (!m) return 0;
  if (m->n_unknown_fields) return 1;
  for (unsigned i = 0; i < m->descriptor->n_fields; i++) {
    const ProtobufCFieldDescriptor *fd = &m->descriptor->fields[i];
    const char *slot = (const char *)m + fd->offset;
    uint32_t kase;
    memcpy(&kase, (const char *)m + fd->quantifier_offset, sizeof(kase));
    if (fd->type != PROTOBUF_C_TYPE_MESSAGE ||
        ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && kase != fd->id))
      continue; /* not a message, or a oneof member sharing its storage with the set one */
    if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
      const ProtobufCMessage *sub;
      memcpy(&sub, slot, sizeof(sub));
      if (carries_unknown(sub)) return 1;
      continue;
    }
    size_t n;
    const ProtobufCMessage *const *arr;
    memcpy(&n, (const char *)m + fd->quantifier_offset, sizeof(n));
    memcpy(&arr, slot, sizeof(arr));
    for (size_t k = 0; k < n; k++)
      if (carries_unknown(arr[k])) return 1;
  }
  return 0;
}

/* tc_encode_wire against the decode + tc_encode path: whatever it writes from bytes p[0..n)
 * is byte for byte what tc_encode writes for the message they decode to (msg, NULL when they
 * do not decode); and it writes every canonical encoding of a type it takes. */
static void check_wire_json(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                            const ProtobufCMessage *msg) {
  hg_buf_t wire = HG_BUF_INIT, tree = HG_BUF_INIT, canon = HG_BUF_INIT;
  int rc = tc_encode_wire(d, p, n, &wire);
  FUZZ_CHECK(rc == 0 || rc == TC_EWIRE);
  if (!msg) {
    if (rc == 0) fprintf(stderr, "bytes that do not decode were written: %s\n", wire.p);
    FUZZ_CHECK(rc != 0);
  } else {
    FUZZ_CHECK(tc_encode(msg, &tree) == 0);
    if (rc == 0 && !hg_str_eq((hg_str_t){wire.p, wire.n}, (hg_str_t){tree.p, tree.n}))
      fprintf(stderr, "wire: %s\ntree: %s\n", wire.p, tree.p);
    FUZZ_CHECK(rc != 0 || hg_str_eq((hg_str_t){wire.p, wire.n}, (hg_str_t){tree.p, tree.n}));
    FUZZ_CHECK(rpc_codec_encode(RPC_PBC(d), msg, &canon) == 0);
    hg_buf_reset(&wire);
    rc = tc_encode_wire(d, (const uint8_t *)canon.p, canon.n, &wire);
    FUZZ_CHECK(rc == 0 || !wire_writes(d, 0) || carries_unknown(msg));
    FUZZ_CHECK(rc != 0 || hg_str_eq((hg_str_t){wire.p, wire.n}, (hg_str_t){tree.p, tree.n}));
  }
  hg_buf_free(&wire);
  hg_buf_free(&tree);
  hg_buf_free(&canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t n_types = fuzz_n_request_types(), i = data[0] % (n_types + 1);
  const rpc_codec_t *c =
      i < n_types ? RPC_PBC(fuzz_request_types()[i]) : RPC_NANOPB(hangar_auth_v1_VerifyRequest);
  hg_arena_t *a = hg_arena_new();
  void *msg;
  FUZZ_CHECK(a != NULL);
  /* An empty message is passed as NULL, as protobuf-c hands over an empty bytes field
   * (Admission decodes its inner request from one). */
  int decoded = rpc_codec_decode(c, size > 1 ? data + 1 : NULL, size - 1, a, &msg) == 0;
  if (decoded) {
    re_encode(c, msg, a);
    if (c->kind == RPC_CODEC_PROTOBUF_C) check_json(msg);
  }
  if (c->kind == RPC_CODEC_PROTOBUF_C)
    check_wire_json(c->desc, data + 1, size - 1, decoded ? msg : NULL);
  hg_arena_free(a);
  return 0;
}
