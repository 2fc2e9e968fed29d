/* wire.h - reading protobuf wire bytes field by field, without a descriptor: for code that
 * passes stored or received messages along without unpacking them (list replies spliced
 * from records, JSON written straight from a reply's bytes).
 * Threads: any; pure. */
#ifndef HANGAR_WIRE_H
#define HANGAR_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum { HG_WIRE_VARINT = 0, HG_WIRE_I64 = 1, HG_WIRE_LEN = 2, HG_WIRE_I32 = 5 };

typedef struct hg_wire_field {
  uint32_t number;
  unsigned type;    /* HG_WIRE_* */
  uint64_t varint;  /* HG_WIRE_VARINT: the value */
  const uint8_t *p; /* the other types: the value's bytes (borrowed from the input) */
  size_t n;
} hg_wire_field_t;

/* The varint at p[*i..n) into *v, *i moved past it: 0, or -1 when it is cut short or longer
 * than 10 bytes. */
int hg_wire_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v);

/* The field at p[*i..n) into *f, *i moved past it: 1; 0 at the end; -1 on malformed bytes
 * (a bad key, a key or a length over 5 bytes, field number 0 or above 2^29 - 1, a value cut
 * short) and on groups, which no Hangar message uses. */
int hg_wire_next_any(const uint8_t *p, size_t n, size_t *i, hg_wire_field_t *f);

/* hg_wire_next_any with the usual case inline: a one-byte key (field numbers 1-15) and a
 * one-byte length or varint. A list reply is mostly such fields, hundreds per page, and the
 * call was a tenth of the instructions writing or splicing one. */
static inline int hg_wire_next(const uint8_t *p, size_t n, size_t *i, hg_wire_field_t *f) {
  size_t at = *i;
  if (at < n && n - at >= 2 && p[at] >= 8 && p[at] < 0x80 && p[at + 1] < 0x80) {
    unsigned type = p[at] & 7, v = p[at + 1];
    if (type == HG_WIRE_LEN && v <= n - at - 2) {
      *f = (hg_wire_field_t){p[at] >> 3, type, 0, p + at + 2, v};
      *i = at + 2 + v;
      return 1;
    }
    if (type == HG_WIRE_VARINT) {
      *f = (hg_wire_field_t){p[at] >> 3, type, v, NULL, 0};
      *i = at + 2;
      return 1;
    }
  }
  return hg_wire_next_any(p, n, i, f);
}

/* Appends field `number`'s key and the length n of a length-delimited value to dst (room for
 * HG_WIRE_LEN_HEADER_MAX bytes); returns the bytes written. */
#define HG_WIRE_LEN_HEADER_MAX 15
size_t hg_wire_put_len_header(uint8_t *dst, uint32_t number, size_t n);

#endif
