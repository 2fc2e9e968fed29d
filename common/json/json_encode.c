/* json_encode.c - protobuf-c message -> compact JSON text, written straight into an hg_buf_t
 * (no intermediate tree). Fields come out in descriptor (tag) order. proto3 scalars are
 * always written, zero values included; repeated fields always ([] when empty); an unset
 * message is null; an unset oneof member (optional scalar) is left out. 64-bit integers are
 * JSON numbers, never strings. Strings are written as stored (UTF-8 is not re-validated). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/utf8.h"
#include "json/transcode_internal.h"

typedef int (*enc_fn)(hg_buf_t *, const ProtobufCFieldDescriptor *, const void *);

/* 1 when one of the 8 bytes of w may need escaping (< 0x20, '"' or '\\'); never 0 when
 * one does (false positives only, which the byte loop then rejects). */
static inline int word_may_escape(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
  uint64_t hit = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs);
  return (hit & highs) != 0;
}

#define ENC_OK(x) ((x) == 0 ? 0 : TC_ENOMEM)

/* Short escapes of RFC 8259; other control characters become \u00XX. '/' stays as is. */
static const char *const short_escapes[] = {
    ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
    ['\n'] = "\\n", ['\r'] = "\\r",  ['\t'] = "\\t",
};

static int put_escape(hg_buf_t *b, unsigned char ch) {
  if (ch < sizeof(short_escapes) / sizeof(short_escapes[0]) && short_escapes[ch])
    return hg_buf_puts(b, short_escapes[ch]);
  return hg_buf_printf(b, "\\u%04x", ch);
}

int tc__put_escaped(hg_buf_t *b, const char *s, size_t n) {
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    /* Skip 8 clean bytes at a time (the per-byte test was the gateway's top cost on
     * lists); the byte test below stays the only judge of what is escaped. */
    uint64_t w;
    while (n - i >= 8 && (memcpy(&w, s + i, 8), !word_may_escape(w))) i += 8;
    if (i >= n) break;
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    if (tc__put_n(b, s + run, i - run) != 0 || put_escape(b, ch) != 0) return TC_ENOMEM;
    run = i + 1;
  }
  return ENC_OK(tc__put_n(b, s + run, n - run));
}

/* Bytes a string holds as they are: printable ASCII other than '"' and '\\'. */
static inline int word_plain(uint64_t w) {
  return !word_may_escape(w) && !(w & 0x8080808080808080ull);
}

/* The plain text a string usually is, copied a word at a time as it is checked: how many
 * bytes of s[0..n) it wrote to o, which has room for n + 8. A last partial word is read
 * whole when s[0..readable) reaches that far, its bytes past the text counted as plain;
 * else it overlaps the word before. The rest, from the first byte needing a look, is for
 * the byte loop. */
static size_t copy_plain(char *o, const char *s, size_t n, size_t readable) {
  static const unsigned char keep_first[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const uint64_t spaces = 0x2020202020202020ull;
  uint64_t w, keep;
  size_t i = 0;
  for (; n - i >= 8; i += 8) {
    memcpy(&w, s + i, 8);
    if (!word_plain(w)) return i;
    memcpy(o + i, &w, 8);
  }
  if (i == n) return n;
  if (readable - i >= 8) {
    memcpy(&w, s + i, 8);
    memcpy(&keep, keep_first + 8 - (n - i), 8); /* the text's bytes, in memory order */
    w = (w & keep) | (spaces & ~keep);
  } else if (n >= 8) {
    i = n - 8;
    memcpy(&w, s + i, 8);
  } else {
    return 0;
  }
  if (!word_plain(w)) return i;
  memcpy(o + i, &w, 8);
  return n;
}

int tc__write_wire_text(hg_buf_t *out, const char *s, size_t n, size_t readable) {
  size_t start = out->n, i, run, end = n, bad;
  if (out->cap - out->n <= n + 10 && hg_buf_reserve(out, n + 10) != 0) return TC_ENOMEM;
  out->p[out->n++] = '"';
  i = run = copy_plain(out->p + out->n, s, n, readable);
  out->n += i;
  if (i == n) {
    out->p[out->n++] = '"';
    out->p[out->n] = '\0';
    return 0;
  }
  int rc = 0;
  while (rc == 0 && i < end) {
    uint64_t w;
    while (end - i >= 8 && (memcpy(&w, s + i, 8), word_plain(w))) i += 8;
    if (i >= end) break;
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x80) {
      size_t len = hg_utf8_char(s + i, end - i);
      rc = len ? 0 : TC_EUTF8;
      i += len;
    } else if (ch == 0) { /* the text ends here for a C string; the rest must still be UTF-8 */
      rc = hg_utf8_valid(s + i, n - i, &bad) ? 0 : TC_EUTF8;
      end = i;
    } else if (ch >= 0x20 && ch != '"' && ch != '\\') {
      i++;
    } else {
      rc = tc__put_n(out, s + run, i - run) == 0 && put_escape(out, ch) == 0 ? 0 : TC_ENOMEM;
      run = ++i;
    }
  }
  if (rc == 0 && (tc__put_n(out, s + run, end - run) != 0 || tc__put_c(out, '"') != 0))
    rc = TC_ENOMEM;
  if (rc != 0) {
    out->n = start;
    if (out->p) out->p[start] = '\0';
  }
  return rc;
}

int tc_write_string(hg_buf_t *out, const char *s, size_t n) {
  size_t start = out->n;
  if (tc__put_c(out, '"') == 0 && tc__put_escaped(out, s, n) == 0 && tc__put_c(out, '"') == 0)
    return 0;
  out->n = start;
  if (out->p) out->p[start] = '\0';
  return TC_ENOMEM;
}

/* Shortest of %.{lo..hi}g that reads back as the same value; integral values within
 * +-2^53 as plain integers (so 9007199254740991 survives; -0.0 keeps its sign as "-0");
 * NaN and infinities, which JSON cannot spell, as null. Assumes the "C" numeric locale. */
static int put_real(hg_buf_t *b, double x, int lo, int hi, int single) {
  char tmp[40];
  if (!isfinite(x)) return ENC_OK(hg_buf_puts(b, "null"));
  if (x == trunc(x) && fabs(x) <= 9007199254740992.0) return ENC_OK(hg_buf_printf(b, "%.0f", x));
  for (int prec = lo; prec <= hi; prec++) {
    snprintf(tmp, sizeof(tmp), "%.*g", prec, x);
    double back = strtod(tmp, NULL);
    if (single ? (float)back == (float)x : back == x) break;
  }
  return ENC_OK(hg_buf_puts(b, tmp));
}

int tc__put_double(hg_buf_t *b, double x) { return put_real(b, x, 15, 17, 0); }

/* The decimal digits of v, with a '-' before them when negative: what %lld / %llu print,
 * without printf's parsing (a list page's total, limit and offset went through it). */
static int put_decimal(hg_buf_t *b, uint64_t v, int negative) {
  char tmp[21];
  size_t i = sizeof(tmp);
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (negative) tmp[--i] = '-';
  return ENC_OK(tc__put_n(b, tmp + i, sizeof(tmp) - i));
}

/* Integers of either width and signedness print as JSON numbers (64-bit ones included). */
static int enc_integer(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  const tc__type_info_t *ti = &tc__type_info[fd->type];
  union {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
  } v;
  memcpy(&v, slot, ti->size);
  if (ti->kind != TC__K_INT) return put_decimal(b, ti->size == 4 ? v.u32 : v.u64, 0);
  int64_t x = ti->size == 4 ? v.i32 : v.i64;
  return put_decimal(b, x < 0 ? 0 - (uint64_t)x : (uint64_t)x, x < 0);
}

static int enc_real(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  if (tc__type_info[fd->type].size == 8) {
    double v;
    memcpy(&v, slot, sizeof(v));
    return tc__put_double(b, v);
  }
  float f;
  memcpy(&f, slot, sizeof(f));
  return put_real(b, f, 6, 9, 1);
}

static int enc_bool(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  (void)fd;
  protobuf_c_boolean v;
  memcpy(&v, slot, sizeof(v));
  return ENC_OK(tc__put_s(b, v ? "true" : "false"));
}

/* By name; a number no name matches (from a newer peer) is written as the number. */
static int enc_enum(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  int32_t v;
  memcpy(&v, slot, sizeof(v));
  const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, v);
  if (!ev) return ENC_OK(hg_buf_printf(b, "%" PRId32, v));
  return tc_write_string(b, ev->name, strlen(ev->name));
}

static int enc_string(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  (void)fd;
  const char *s;
  memcpy(&s, slot, sizeof(s));
  return s ? tc_write_string(b, s, strlen(s)) : ENC_OK(tc__put_n(b, "\"\"", 2));
}

static int enc_bytes(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  (void)fd;
  ProtobufCBinaryData v;
  memcpy(&v, slot, sizeof(v));
  if (hg_buf_reserve(b, HG_BASE64_ENCODED_LEN(v.len) + 2) != 0) return TC_ENOMEM;
  b->p[b->n++] = '"';
  b->n += hg_base64_encode(v.data, v.len, HG_BASE64_STD | HG_BASE64_PAD, b->p + b->n);
  b->p[b->n++] = '"';
  b->p[b->n] = '\0';
  return 0;
}

static const enc_fn encoders[] = {
    [TC__K_INT] = enc_integer, [TC__K_UINT] = enc_integer, [TC__K_REAL] = enc_real,
    [TC__K_BOOL] = enc_bool,   [TC__K_ENUM] = enc_enum,    [TC__K_STRING] = enc_string,
    [TC__K_BYTES] = enc_bytes,
};

int tc__encode_scalar(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  return encoders[tc__type_info[fd->type].kind](b, fd, slot);
}

/* One singular value or array element of field fd. */
static int encode_value(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot) {
  if (fd->type != PROTOBUF_C_TYPE_MESSAGE) return tc__encode_scalar(b, fd, slot);
  const ProtobufCMessage *m;
  memcpy(&m, slot, sizeof(m));
  return tc__encode_message(b, m);
}

static int encode_repeated(hg_buf_t *b, const ProtobufCMessage *m,
                           const ProtobufCFieldDescriptor *fd) {
  size_t n = *(const size_t *)(const void *)((const char *)m + fd->quantifier_offset);
  const char *arr;
  memcpy(&arr, tc__cslot(m, fd), sizeof(arr));
  size_t esz = tc__type_info[fd->type].size;
  if (tc__put_c(b, '[') != 0) return TC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    int rc = (i && tc__put_c(b, ',') != 0) ? TC_ENOMEM : encode_value(b, fd, arr + i * esz);
    if (rc != 0) return rc;
  }
  return ENC_OK(tc__put_c(b, ']'));
}

/* JSON object keys are strings; non-string map keys are written as their text in quotes. */
static int encode_map_key(hg_buf_t *b, const ProtobufCMessage *e) {
  const ProtobufCFieldDescriptor *kf = &e->descriptor->fields[0];
  if (kf->type == PROTOBUF_C_TYPE_STRING) return enc_string(b, kf, tc__cslot(e, kf));
  if (tc__put_c(b, '"') != 0 || tc__encode_scalar(b, kf, tc__cslot(e, kf)) != 0) return TC_ENOMEM;
  return ENC_OK(tc__put_c(b, '"'));
}

static int encode_map(hg_buf_t *b, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd) {
  size_t n = *(const size_t *)(const void *)((const char *)m + fd->quantifier_offset);
  const ProtobufCMessage *const *entries;
  memcpy(&entries, tc__cslot(m, fd), sizeof(entries));
  if (tc__put_c(b, '{') != 0) return TC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const ProtobufCMessage *e = entries[i];
    const ProtobufCFieldDescriptor *vf = &e->descriptor->fields[1];
    if ((i && tc__put_c(b, ',') != 0) || encode_map_key(b, e) != 0 || tc__put_c(b, ':') != 0)
      return TC_ENOMEM;
    int rc = encode_value(b, vf, tc__cslot(e, vf));
    if (rc != 0) return rc;
  }
  return ENC_OK(tc__put_c(b, '}'));
}

static int encode_field(hg_buf_t *b, const ProtobufCMessage *m,
                        const ProtobufCFieldDescriptor *fd) {
  if (fd->label != PROTOBUF_C_LABEL_REPEATED) return encode_value(b, fd, tc__cslot(m, fd));
  if (tc__is_map(m->descriptor, fd)) return encode_map(b, m, fd);
  return encode_repeated(b, m, fd);
}

/* Field names are proto identifiers ([A-Za-z0-9_]), so they need no escaping. */
static int encode_plain(hg_buf_t *b, const ProtobufCMessage *m) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  int first = 1;
  if (tc__put_c(b, '{') != 0) return TC_ENOMEM;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *fd = &d->fields[i];
    if (fd->label != PROTOBUF_C_LABEL_REPEATED && !tc__present(m, fd)) continue;
    if ((!first && tc__put_c(b, ',') != 0) || tc__put_c(b, '"') != 0 ||
        tc__put_s(b, fd->name) != 0 || tc__put_s(b, "\":") != 0)
      return TC_ENOMEM;
    first = 0;
    int rc = encode_field(b, m, fd);
    if (rc != 0) return rc;
  }
  return ENC_OK(tc__put_c(b, '}'));
}

int tc__encode_message(hg_buf_t *b, const ProtobufCMessage *m) {
  if (!m) return ENC_OK(tc__put_s(b, "null"));
  if (tc__msg_kind(m->descriptor) != TC__MSG_PLAIN) return tc__wkt_encode(b, m);
  return encode_plain(b, m);
}

int tc_encode(const ProtobufCMessage *msg, hg_buf_t *out) {
  size_t start = out->n;
  int rc = tc__encode_message(out, msg);
  if (rc != 0) {
    out->n = start;
    if (out->p) out->p[start] = '\0';
  }
  return rc;
}

int tc_encode_field(const ProtobufCMessage *msg, const char *field, hg_buf_t *out) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, field);
  if (!fd) return TC_EUNKNOWN_FIELD;
  size_t start = out->n;
  int rc = fd->label != PROTOBUF_C_LABEL_REPEATED && !tc__present(msg, fd)
               ? ENC_OK(hg_buf_puts(out, "null"))
               : encode_field(out, msg, fd);
  if (rc != 0) {
    out->n = start;
    if (out->p) out->p[start] = '\0';
  }
  return rc;
}
