/* wire.c - protobuf wire format reading (https://protobuf.dev/programming-guides/encoding). */
#include "common/wire.h"

#define MAX_FIELD_NUMBER ((1u << 29) - 1)

int hg_wire_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned shift = 0; shift <= 63 && *i < n; shift += 7) {
    uint8_t b = p[(*i)++];
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = x;
      return 0;
    }
  }
  return -1;
}

/* hg_wire_varint with the common case inline: keys, lengths and small numbers take one
 * byte (a list answer reads about 700 of them per page). */
static inline int varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v) {
  if (*i < n && p[*i] < 0x80) {
    *v = p[(*i)++];
    return 0;
  }
  return hg_wire_varint(p, n, i, v);
}

int hg_wire_next_any(const uint8_t *p, size_t n, size_t *i, hg_wire_field_t *f) {
  uint64_t key, len;
  size_t at = *i;
  if (*i >= n) return 0;
  /* A key takes at most 5 bytes (protobuf-c refuses a longer one, however it is padded). */
  if (varint(p, n, i, &key) != 0 || *i - at > 5 || key >> 3 == 0 || key >> 3 > MAX_FIELD_NUMBER)
    return -1;
  f->number = (uint32_t)(key >> 3);
  f->type = (unsigned)(key & 7);
  f->p = NULL;
  f->n = 0;
  switch (f->type) {
    case HG_WIRE_VARINT: return varint(p, n, i, &f->varint) == 0 ? 1 : -1;
    case HG_WIRE_I64: len = 8; break;
    case HG_WIRE_I32: len = 4; break;
    case HG_WIRE_LEN:
      at = *i; /* a length takes at most 5 bytes too */
      if (varint(p, n, i, &len) != 0 || *i - at > 5) return -1;
      break;
    default: return -1;
  }
  if (len > n - *i) return -1;
  f->p = p + *i;
  f->n = (size_t)len;
  *i += (size_t)len;
  return 1;
}

static size_t put_varint(uint8_t *dst, uint64_t v) {
  size_t k = 0;
  for (; v >= 0x80; v >>= 7) dst[k++] = (uint8_t)(v | 0x80);
  dst[k++] = (uint8_t)v;
  return k;
}

size_t hg_wire_put_len_header(uint8_t *dst, uint32_t number, size_t n) {
  size_t k = put_varint(dst, (uint64_t)number << 3 | HG_WIRE_LEN);
  return k + put_varint(dst + k, n);
}
