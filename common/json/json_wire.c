/* json_wire.c - the JSON tc_encode writes for a message, written straight from the message's
 * protobuf wire bytes: no message tree, no copied strings, one output buffer.
 *
 * Why: the gateway used to unpack every reply into a protobuf-c tree (a 50-item list is
 * ~2,000 arena allocations, its strings copied and validated) and then walk the tree to write
 * JSON; the two passes were ~40% of its instructions for such a list.
 *
 * Each message level is written in one pass over its bytes, which works because replies come
 * in the canonical encoding protobuf-c writes: fields in number order (which is descriptor
 * order, the order tc_encode writes), a repeated field's elements together. Absent fields get
 * the text tc_encode writes for them, from the type's plan (json_wire_plan.c), as the pass
 * steps over them.
 *
 * The output is byte for byte tc_encode's: scalars go through the same tc__encode_scalar,
 * strings through tc_write_string's escaping. What it cannot write so, or what decoding would
 * judge, it leaves alone (TC_EWIRE), and the caller decodes and uses tc_encode, whose guards
 * and errors then apply: see transcode.h. That includes any other order of fields. */
#include <string.h>

#include "common/utf8.h"
#include "common/wire.h"
#include "json/transcode_internal.h"

/* end: where the reply's bytes end; text is read in whole words up to there. */
static int encode_message(hg_buf_t *b, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                          size_t n, const uint8_t *end, int depth);

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

static int encode_text(hg_buf_t *b, const hg_wire_field_t *f, const uint8_t *end) {
  if (f->type != HG_WIRE_LEN) return TC_EWIRE;
  int rc = tc__write_wire_text(b, (const char *)f->p, f->n, (size_t)(end - f->p));
  return rc == TC_EUTF8 ? TC_EWIRE : rc;
}

/* One value of field fd that is not a packed run: what f holds. */
static int encode_value(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const hg_wire_field_t *f,
                        const uint8_t *end, int depth) {
  uint64_t slot[2];
  switch (fd->type) {
    case PROTOBUF_C_TYPE_MESSAGE:
      if (f->type != HG_WIRE_LEN) return TC_EWIRE;
      return encode_message(b, fd->descriptor, f->p, f->n, end, depth + 1);
    case PROTOBUF_C_TYPE_STRING: return encode_text(b, f, end);
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

/* The plan's entry for field number `number`; NULL for a number the type does not know. */
static const tc__wire_field_t *field_of(const tc__wire_plan_t *pl, uint32_t number) {
  if (number < sizeof(pl->by_number)) {
    unsigned k = pl->by_number[number];
    return k ? &pl->fields[k - 1] : NULL;
  }
  const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(pl->d, number);
  return fd ? &pl->fields[fd - pl->d->fields] : NULL;
}

/* Appends n bytes of a plan's text (json_wire_plan.c pads it by TC__WIRE_TEXT_PAD): keys
 * and zero values are short, so one fixed-size copy replaces a memcpy call per field. */
static inline int put_text(hg_buf_t *b, const char *s, size_t n) {
  if (n > TC__WIRE_TEXT_PAD || b->cap - b->n <= TC__WIRE_TEXT_PAD) return tc__put_n(b, s, n);
  memcpy(b->p + b->n, s, TC__WIRE_TEXT_PAD);
  b->n += n;
  b->p[b->n] = '\0';
  return 0;
}

/* Fields [from, to) are absent: each one's key and zero value, or nothing (json_wire_plan.c).
 * *first: nothing is written in the object yet, so the key's comma is left off. */
static int put_absent(hg_buf_t *b, const tc__wire_plan_t *pl, unsigned from, unsigned to,
                      int *first) {
  for (unsigned k = from; k < to; k++) {
    const tc__wire_field_t *wf = &pl->fields[k];
    if (!wf->absent_len) continue;
    if (put_text(b, pl->text + wf->key + *first, wf->absent_len - (unsigned)*first) != 0)
      return TC_ENOMEM;
    *first = 0;
  }
  return 0;
}

/* A message's fields, in one pass; `open` is the repeated field whose array is being written.
 * A field before the last one written is out of the canonical order (or a singular field
 * given twice, which protobuf merges): decoding decides. So do two members of one oneof. */
static int encode_plain(hg_buf_t *b, const tc__wire_plan_t *pl, const uint8_t *p, size_t n,
                        const uint8_t *end, int depth) {
  const tc__wire_field_t *open = NULL;
  unsigned next = 0; /* fields before this index are written */
  uint64_t oneofs = 0;
  int first = 1, empty = 1, rc;
  size_t i = 0;
  hg_wire_field_t f;
  if (tc__put_c(b, '{') != 0) return TC_ENOMEM;
  while ((rc = hg_wire_next(p, n, &i, &f)) == 1) {
    const tc__wire_field_t *wf = field_of(pl, f.number);
    if (!wf) continue; /* unknown: tc_encode never sees it */
    if (wf != open) {
      unsigned k = (unsigned)(wf - pl->fields);
      uint64_t group = wf->oneof ? 1ull << (wf->oneof - 1) : 0;
      if (open && tc__put_c(b, ']') != 0) return TC_ENOMEM;
      open = NULL;
      if (k < next || (oneofs & group)) return TC_EWIRE;
      oneofs |= group;
      if ((rc = put_absent(b, pl, next, k, &first)) != 0) return rc;
      if (put_text(b, pl->text + wf->key + first, wf->key_len - (unsigned)first) != 0)
        return TC_ENOMEM;
      first = 0;
      next = k + 1;
      if (wf->repeated) {
        if (tc__put_c(b, '[') != 0) return TC_ENOMEM;
        open = wf;
        empty = 1;
      }
    }
    if (!wf->repeated) {
      rc = encode_value(b, wf->fd, &f, end, depth);
    } else if (wf->packable && f.type == HG_WIRE_LEN) {
      rc = encode_packed(b, wf->fd, &f, &empty);
    } else {
      rc = !empty && tc__put_c(b, ',') != 0 ? TC_ENOMEM : encode_value(b, wf->fd, &f, end, depth);
      empty = 0;
    }
    if (rc != 0) return rc;
  }
  if (rc != 0) return TC_EWIRE;
  if (open && tc__put_c(b, ']') != 0) return TC_ENOMEM;
  if ((rc = put_absent(b, pl, next, pl->n_fields, &first)) != 0) return rc;
  return tc__put_c(b, '}') == 0 ? 0 : TC_ENOMEM;
}

/* The one field of a RawObject or a wrapper: *f and 1, or 0 when absent; TC_EWIRE when it is
 * given twice or the bytes are malformed. */
static int only_field(const tc__wire_plan_t *pl, const uint8_t *p, size_t n, hg_wire_field_t *f) {
  size_t i = 0;
  int found = 0, rc;
  hg_wire_field_t g;
  if (pl->n_fields != 1) return TC_EWIRE;
  while ((rc = hg_wire_next(p, n, &i, &g)) == 1) {
    if (g.number != pl->fields[0].fd->id) continue;
    if (found++) return TC_EWIRE;
    *f = g;
  }
  return rc == 0 ? found : TC_EWIRE;
}

/* RawObject: its text verbatim, "{}" when empty (tc__raw_encode). */
static int encode_raw(hg_buf_t *b, const tc__wire_plan_t *pl, const uint8_t *p, size_t n) {
  hg_wire_field_t f;
  size_t len = 0;
  int found = only_field(pl, p, n, &f);
  if (found < 0 || (found && text_of(&f, &len) != 0)) return TC_EWIRE;
  int rc = len ? tc__put_n(b, (const char *)f.p, len) : tc__put_n(b, "{}", 2);
  return rc == 0 ? 0 : TC_ENOMEM;
}

/* A wrapper: the bare value, or when absent its zero value (the plan's absent text, less
 * the key). */
static int encode_wrapper(hg_buf_t *b, const tc__wire_plan_t *pl, const uint8_t *p, size_t n,
                          const uint8_t *end, int depth) {
  hg_wire_field_t f;
  const tc__wire_field_t *wf = &pl->fields[0];
  int found = only_field(pl, p, n, &f);
  if (found < 0) return TC_EWIRE;
  if (found) return encode_value(b, wf->fd, &f, end, depth);
  if (wf->absent_len <= wf->key_len) return TC_EWIRE; /* the well-known wrappers are proto3 */
  return put_text(b, pl->text + wf->key + wf->key_len, wf->absent_len - wf->key_len) == 0
             ? 0
             : TC_ENOMEM;
}

static int encode_message(hg_buf_t *b, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                          size_t n, const uint8_t *end, int depth) {
  const tc__wire_plan_t *pl = tc__wire_plan(d);
  if (depth > TC_WIRE_MAX_DEPTH || !pl || !pl->writable) return TC_EWIRE;
  switch (pl->kind) {
    case TC__MSG_PLAIN: return encode_plain(b, pl, p, n, end, depth);
    case TC__MSG_RAW: return encode_raw(b, pl, p, n);
    case TC__MSG_WRAPPER: return encode_wrapper(b, pl, p, n, end, depth);
    default: return TC_EWIRE;
  }
}

int tc_encode_wire(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, hg_buf_t *out) {
  size_t start = out->n;
  if (!d || (!p && n)) return TC_EWIRE;
  /* JSON runs to about twice the wire size (names, quotes, zero values): one allocation. */
  if (hg_buf_reserve(out, 2 * n + 64) != 0) return TC_ENOMEM;
  if (!p) p = (const uint8_t *)"";
  int rc = encode_message(out, d, p, n, p + n, 0);
  if (rc != 0) {
    out->n = start;
    if (out->p) out->p[start] = '\0';
  }
  return rc;
}
