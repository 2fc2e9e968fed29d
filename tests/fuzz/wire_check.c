/* wire_check.c - the property fuzz_wire and fuzz_answers share (fuzz.h): the gateway's
 * JSON-from-wire-bytes writer agrees with decoding + tc_encode. */
#include <string.h>

#include "common/buf.h"
#include "fuzz.h"
#include "google/protobuf/field_mask.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "json/transcode.h"
#include "json/transcode_internal.h"
#include "rpc/rpc.h"

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
    if (fd->label == PROTOBUF_C_LABEL_REPEATED && tc__is_map(d, fd)) return 0;
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
void fuzz_check_wire_json(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
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
