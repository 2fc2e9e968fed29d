/* rpc_wire.c - a walk over protobuf wire bytes against a message descriptor, before any
 * unpacking.
 *
 * protobuf-c unpacks nested messages recursively with no depth limit, so a request a few
 * dozen kilobytes long that nests a Struct thousands of levels deep exhausts the stack of
 * whichever thread unpacks it: a service's CQ thread, before admission has looked at the
 * caller. This walk descends only into fields the descriptor says are messages (maps are
 * repeated entry messages), skips everything else by wire type, and stops at max_depth, so
 * its own recursion is bounded by that depth. On the way it checks that every string field
 * (map keys and Struct keys included) is UTF-8, which protobuf-c does not, so a gRPC caller
 * meets the same rule as a JSON body. */
#include "rpc/rpc_internal.h"

#include "common/utf8.h"
#include "common/wire.h"

/* Reads a varint at *p (< end); 0 and advances, or -1 when truncated or over 10 bytes. */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
  size_t i = 0;
  if (hg_wire_varint(*p, (size_t)(end - *p), &i, out) != 0) return -1;
  *p += i;
  return 0;
}

static int walk(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                int depth, int max_depth) {
  if (depth > max_depth) return RPC_DECODE_TOO_DEEP;
  while (p < end) {
    uint64_t key, v;
    if (read_varint(&p, end, &key) != 0) return RPC_DECODE_MALFORMED;
    /* Field number 0 is invalid. protobuf-c still reads a padded one ("80 00") as an
     * unknown field and keeps it, but writes it back as "00", which it then refuses: a
     * message stored from such a request could never be read again. */
    if ((key >> 3) == 0) return RPC_DECODE_MALFORMED;
    switch (key & 7) {
      case 0:
        if (read_varint(&p, end, &v) != 0) return RPC_DECODE_MALFORMED;
        break;
      case 1:
        if (end - p < 8) return RPC_DECODE_MALFORMED;
        p += 8;
        break;
      case 5:
        if (end - p < 4) return RPC_DECODE_MALFORMED;
        p += 4;
        break;
      case 2: {
        if (read_varint(&p, end, &v) != 0 || v > (uint64_t)(end - p)) return RPC_DECODE_MALFORMED;
        const ProtobufCFieldDescriptor *f =
            d ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)) : NULL;
        size_t bad;
        if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
          int rc = walk(f->descriptor, p, p + v, depth + 1, max_depth);
          if (rc != 0) return rc;
        } else if (f && f->type == PROTOBUF_C_TYPE_STRING &&
                   !hg_utf8_valid((const char *)p, (size_t)v, &bad)) {
          return RPC_DECODE_BAD_UTF8;
        }
        p += v;
        break;
      }
      default: return RPC_DECODE_MALFORMED; /* groups: protobuf-c cannot unpack them either */
    }
  }
  return 0;
}

int rpc__wire_check(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                    int max_depth) {
  /* An empty message may come as NULL (protobuf-c's empty bytes field: Admission's inner
   * request), and NULL + 0 is undefined behaviour; there is nothing to walk anyway. */
  if (n == 0) return 0;
  return walk(d, p, p + n, 1, max_depth);
}
