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
    fuzz_check_wire_json(c->desc, data + 1, size - 1, decoded ? msg : NULL);
  hg_arena_free(a);
  return 0;
}
