/* json_wire.c - the JSON tc_encode writes for a message, written straight from the message's
 * protobuf wire bytes: no message tree, no copied strings, one output buffer.
 *
 * Why: the gateway used to unpack every reply into a protobuf-c tree (a 50-item list is
 * ~2,000 arena allocations, its strings copied and validated) and then walk the tree to write
 * JSON; the two passes were ~40% of its instructions for such a list. Here each message level
 * is scanned once to find its fields, then written in descriptor order.
 *
 * The output is byte for byte tc_encode's: scalars go through the same tc__encode_scalar,
 * strings through tc_write_string, absent fields get the zero value tc_encode would see.
 * What it cannot write so, or what decoding would judge, it leaves alone (TC_EWIRE), and the
 * caller decodes and uses tc_encode, whose guards and errors then apply: see transcode.h. */
#include <string.h>

#include "common/utf8.h"
#include "common/wire.h"
#include "json/transcode_internal.h"

#define WIRE_MAX_FIELDS 64

/* Where a message's occurrences of one field are: the offset of the first one's key, and
 * how many there are. */
typedef struct seen {
  uint32_t first;
  uint32_t count;
  hg_wire_field_t f; /* the first occurrence */
} seen_t;

static int encode_message(hg_buf_t *b, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                          size_t n, int depth);

/* proto2 optional scalars carry a has_ flag: absent, they are left out. */
static int has_flag(const ProtobufCFieldDescriptor *fd) {
  return fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->type != PROTOBUF_C_TYPE_STRING &&
         fd->type != PROTOBUF_C_TYPE_MESSAGE;
}

/* A default other than the zero value (proto2); proto3 strings point at "" as theirs. */
static int proto2_default(const ProtobufCFieldDescriptor *fd) {
  return fd->default_value &&
         !(fd->type == PROTOBUF_C_TYPE_STRING && fd->default_value == protobuf_c_empty_string);
}

static int32_t zigzag32(uint32_t v) { return (int32_t)((v >> 1) ^ (0u - (v & 1))); }
static int64_t zigzag64(uint64_t v) { return (int64_t)((v >> 1) ^ (0ull - (v & 1))); }

static uint64_t little_endian(const uint8_t *p, size_t n) {
  uint64_t v = 0;
  for (size_t k = n; k-- > 0;) v = v << 8 | p[k];
  return v;
}

/* A numeric value of fd's type, as protobuf-c would store it, into slot; -1 when the wire type
 * does not fit the field's type (protobuf-c refuses such bytes). */
static int numeric_slot(const ProtobufCFieldDescriptor *fd, unsigned wt, uint64_t v, void *slot) {
  union {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    protobuf_c_boolean b;
  } u;
  unsigned want = HG_WIRE_VARINT;
  switch (fd->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_UINT32: u.u32 = (uint32_t)v; break;
    case PROTOBUF_C_TYPE_SINT32: u.i32 = zigzag32((uint32_t)v); break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64: u.u64 = v; break;
    case PROTOBUF_C_TYPE_SINT64: u.i64 = zigzag64(v); break;
    case PROTOBUF_C_TYPE_BOOL: u.b = v != 0; break;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
      want = HG_WIRE_I32;
      u.u32 = (uint32_t)v;
      break;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
      want = HG_WIRE_I64;
      u.u64 = v;
      break;
    default: return -1;
  }
  if (wt != want) return -1;
  memcpy(slot, &u, tc__type_info[fd->type].size);
  return 0;
}

/* Text as protobuf-c hands it over: valid UTF-8 (else decoding refuses the reply), and read
 * up to its first NUL, as tc_encode's strlen does. */
static int text_of(const hg_wire_field_t *f, size_t *len) {
  size_t bad;
  if (f->type != HG_WIRE_LEN || !hg_utf8_valid((const char *)f->p, f->n, &bad)) return -1;
  const uint8_t *nul = memchr(f->p, 0, f->n);
  *len = nul ? (size_t)(nul - f->p) : f->n;
  return 0;
}

static int encode_text(hg_buf_t *b, const hg_wire_field_t *f) {
  if (f->type != HG_WIRE_LEN) return TC_EWIRE;
  int rc = tc__write_wire_text(b, (const char *)f->p, f->n);
  return rc == TC_EUTF8 ? TC_EWIRE : rc;
}

/* One value of field fd that is not a packed run: what f holds. */
static int encode_value(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const hg_wire_field_t *f,
                        int depth) {
  uint64_t slot[2];
  switch (fd->type) {
    case PROTOBUF_C_TYPE_MESSAGE:
      if (f->type != HG_WIRE_LEN) return TC_EWIRE;
      return encode_message(b, fd->descriptor, f->p, f->n, depth + 1);
    case PROTOBUF_C_TYPE_STRING: return encode_text(b, f);
    case PROTOBUF_C_TYPE_BYTES: {
      if (f->type != HG_WIRE_LEN) return TC_EWIRE;
      ProtobufCBinaryData data = {f->n, (uint8_t *)f->p};
      return tc__encode_scalar(b, fd, &data);
    }
    default: {
      uint64_t v = f->type == HG_WIRE_VARINT ? f->varint : little_endian(f->p, f->n);
      if (numeric_slot(fd, f->type, v, slot) != 0) return TC_EWIRE;
      return tc__encode_scalar(b, fd, slot);
    }
  }
}

/* The elements of a packed run of numbers (a repeated scalar field sent as one LEN value). */
static int encode_packed(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const hg_wire_field_t *f,
                         int *first) {
  size_t i = 0, width = tc__type_info[fd->type].size;
  uint64_t slot[2];
  int varint = fd->type != PROTOBUF_C_TYPE_FIXED32 && fd->type != PROTOBUF_C_TYPE_SFIXED32 &&
               fd->type != PROTOBUF_C_TYPE_FLOAT && fd->type != PROTOBUF_C_TYPE_FIXED64 &&
               fd->type != PROTOBUF_C_TYPE_SFIXED64 && fd->type != PROTOBUF_C_TYPE_DOUBLE;
  while (i < f->n) {
    uint64_t v;
    if (varint) {
      if (hg_wire_varint(f->p, f->n, &i, &v) != 0) return TC_EWIRE;
    } else {
      if (f->n - i < width) return TC_EWIRE;
      v = little_endian(f->p + i, width);
      i += width;
    }
    if (numeric_slot(fd,
                     varint       ? HG_WIRE_VARINT
                     : width == 4 ? HG_WIRE_I32
                                  : HG_WIRE_I64,
                     v, slot) != 0)
      return TC_EWIRE;
    if ((!*first && tc__put_c(b, ',') != 0)) return TC_ENOMEM;
    *first = 0;
    int rc = tc__encode_scalar(b, fd, slot);
    if (rc != 0) return rc;
  }
  return 0;
}

/* All occurrences of repeated field fd (number `number`), from offset s->first of p. */
static int encode_repeated(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const uint8_t *p,
                           size_t n, const seen_t *s, int depth) {
  size_t i = s->first;
  int first = 1, rc;
  hg_wire_field_t f;
  if (tc__put_c(b, '[') != 0) return TC_ENOMEM;
  for (uint32_t left = s->count; left > 0;) {
    if (hg_wire_next(p, n, &i, &f) != 1) return TC_EWIRE;
    if (f.number != fd->id) continue;
    left--;
    int packable = fd->type != PROTOBUF_C_TYPE_MESSAGE && fd->type != PROTOBUF_C_TYPE_STRING &&
                   fd->type != PROTOBUF_C_TYPE_BYTES;
    if (packable && f.type == HG_WIRE_LEN) {
      rc = encode_packed(b, fd, &f, &first);
    } else {
      rc = !first && tc__put_c(b, ',') != 0 ? TC_ENOMEM : encode_value(b, fd, &f, depth);
      first = 0;
    }
    if (rc != 0) return rc;
  }
  return tc__put_c(b, ']') == 0 ? 0 : TC_ENOMEM;
}

/* A singular field: its one occurrence, or the zero value tc_encode sees when it is absent
 * (null for a message). */
static int encode_singular(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const seen_t *s,
                           int depth) {
  uint64_t slot[2];
  if (s->count) return encode_value(b, fd, &s->f, depth);
  if (fd->type == PROTOBUF_C_TYPE_MESSAGE) return tc__put_s(b, "null") == 0 ? 0 : TC_ENOMEM;
  tc__scalar_zero(fd, slot);
  return tc__encode_scalar(b, fd, slot);
}

/* Finds each field's occurrences; TC_EWIRE for what decoding must judge: malformed bytes, a
 * singular field given twice (protobuf merges messages and keeps the last scalar), two members
 * of one oneof. Unknown fields are skipped, as tc_encode never sees them. */
static int scan(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, seen_t *seen) {
  size_t i = 0, at = 0;
  hg_wire_field_t f;
  int rc;
  memset(seen, 0, d->n_fields * sizeof(*seen));
  if (n > UINT32_MAX) return TC_EWIRE;
  unsigned next = 0; /* fields mostly come in descriptor order: try the one after the last */
  while ((rc = hg_wire_next(p, n, &i, &f)) == 1) {
    const ProtobufCFieldDescriptor *fd = next < d->n_fields && d->fields[next].id == f.number
                                             ? &d->fields[next]
                                             : protobuf_c_message_descriptor_get_field(d, f.number);
    if (fd) {
      seen_t *s = &seen[fd - d->fields];
      next = (unsigned)(fd - d->fields) + 1;
      if (s->count++ == 0) {
        s->first = (uint32_t)at;
        s->f = f;
      }
      if (s->count > 1 && fd->label != PROTOBUF_C_LABEL_REPEATED) return TC_EWIRE;
    }
    at = i;
  }
  if (rc != 0) return TC_EWIRE;
  for (unsigned k = 0; k < d->n_fields; k++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[k];
    if (!seen[k].count || !(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
    for (unsigned j = k + 1; j < d->n_fields; j++)
      if (seen[j].count && d->fields[j].quantifier_offset == fd->quantifier_offset) return TC_EWIRE;
  }
  return 0;
}

static int encode_plain(hg_buf_t *b, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                        size_t n, int depth) {
  seen_t seen[WIRE_MAX_FIELDS];
  int first = 1, rc;
  if (d->n_fields > WIRE_MAX_FIELDS) return TC_EWIRE;
  if ((rc = scan(d, p, n, seen)) != 0) return rc;
  if (tc__put_c(b, '{') != 0) return TC_ENOMEM;
  for (unsigned k = 0; k < d->n_fields; k++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[k];
    int repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
    if (proto2_default(fd) || (repeated && tc__is_map(d, fd))) return TC_EWIRE;
    if (!repeated && !seen[k].count && ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || has_flag(fd)))
      continue;
    if ((!first && tc__put_c(b, ',') != 0) || tc__put_c(b, '"') != 0 ||
        tc__put_s(b, fd->name) != 0 || tc__put_n(b, "\":", 2) != 0)
      return TC_ENOMEM;
    first = 0;
    rc = repeated ? encode_repeated(b, fd, p, n, &seen[k], depth)
                  : encode_singular(b, fd, &seen[k], depth);
    if (rc != 0) return rc;
  }
  return tc__put_c(b, '}') == 0 ? 0 : TC_ENOMEM;
}

/* RawObject: its text verbatim, "{}" when empty (tc__raw_encode). */
static int encode_raw(hg_buf_t *b, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                      size_t n) {
  seen_t seen[1];
  hg_wire_field_t f = {0};
  size_t i, len = 0;
  if (d->n_fields != 1 || scan(d, p, n, seen) != 0) return TC_EWIRE;
  if (seen[0].count) {
    i = seen[0].first;
    if (hg_wire_next(p, n, &i, &f) != 1 || text_of(&f, &len) != 0) return TC_EWIRE;
  }
  int rc = len ? tc__put_n(b, (const char *)f.p, len) : tc__put_n(b, "{}", 2);
  return rc == 0 ? 0 : TC_ENOMEM;
}

static int encode_message(hg_buf_t *b, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                          size_t n, int depth) {
  seen_t seen[1];
  if (depth > TC_WIRE_MAX_DEPTH) return TC_EWIRE;
  switch (tc__msg_kind(d)) {
    case TC__MSG_PLAIN: return encode_plain(b, d, p, n, depth);
    case TC__MSG_RAW: return encode_raw(b, d, p, n);
    case TC__MSG_WRAPPER: /* the bare value */
      if (d->n_fields != 1 || scan(d, p, n, seen) != 0) return TC_EWIRE;
      return encode_singular(b, &d->fields[0], &seen[0], depth);
    default: return TC_EWIRE;
  }
}

int tc_encode_wire(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, hg_buf_t *out) {
  size_t start = out->n;
  if (!d || (!p && n)) return TC_EWIRE;
  /* JSON runs to about twice the wire size (names, quotes, zero values): one allocation. */
  if (hg_buf_reserve(out, 2 * n + 64) != 0) return TC_ENOMEM;
  int rc = encode_message(out, d, p ? p : (const uint8_t *)"", n, 0);
  if (rc != 0) {
    out->n = start;
    if (out->p) out->p[start] = '\0';
  }
  return rc;
}
