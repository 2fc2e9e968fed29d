/* transcode_internal.h - shared between the files of common/json only (tc__ tier).
 *
 * json_error.c: error filling and the JSON path of the value being decoded.
 * json_parse.c: a body the JSON parser refuses, in our words and located.
 * json_reflect.c: descriptor reflection (type table, presence, maps, well-known types).
 * json_scalar.c: scalar values from JSON and from text (UTF-8 checked by common/utf8.h).
 * json_base64.c: bytes fields. json_wkt.c: Struct/Value/ListValue, wrappers, FieldMask.
 * json_raw.c: hangar.json.v1.RawObject (a JSON object kept as its text).
 * json_decode.c / json_encode.c / json_text.c: the public entry points.
 * Threads: everything here is reentrant; a tc__ctx_t belongs to one call. */
#ifndef HANGAR_TRANSCODE_INTERNAL_H
#define HANGAR_TRANSCODE_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "json/transcode.h"

/* One decoding call: where to allocate, where to report, and the path of the current value
 * ("bindings[1].role"); the path is truncated, never overflowed, past the error field size.
 * Errors go to err, which is errs[n_errs]: tc_decode_all moves it along the list as it
 * records field-level errors (json_decode.c); every other caller has a list of one. */
typedef struct tc__ctx {
  hg_arena_t *a;
  tc_error_t *err;
  tc_error_t *errs;
  size_t max_errs, n_errs;
  size_t path_n;
  char path[sizeof(((tc_error_t *)0)->field)];
} tc__ctx_t;

/* A context reporting into the single error err. */
void tc__ctx_init(tc__ctx_t *c, hg_arena_t *a, tc_error_t *err);
/* Append ".key" (or "key" at the root) / "[i]"; return the mark to restore with path_pop. */
size_t tc__path_key(tc__ctx_t *c, const char *key);
size_t tc__path_index(tc__ctx_t *c, size_t i);
void tc__path_pop(tc__ctx_t *c, size_t mark);

/* Fill *err completely and return code. field may be NULL (= body). */
int tc__error(tc_error_t *err, int code, const char *field, long position, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Fill c->err for the current path and return code. */
int tc__fail(tc__ctx_t *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* TC_ETYPE at the current path: "expected an integer", err->expected = expected. */
int tc__fail_type(tc__ctx_t *c, const char *expected);

/* Fill *err for a body jansson refused (je), in the transcoder's words, naming the key or
 * value it stopped at when that is what it refused; p[0..n) is the body, valid UTF-8 nested
 * at most max_depth deep. Returns err->code. */
int tc__parse_error(const char *p, size_t n, const json_error_t *je, int max_depth,
                    tc_error_t *err);

/* How a protobuf-c type is stored and which JSON type it takes. */
typedef enum {
  TC__K_INT,
  TC__K_UINT,
  TC__K_REAL,
  TC__K_BOOL,
  TC__K_ENUM,
  TC__K_STRING,
  TC__K_BYTES,
  TC__K_MESSAGE,
} tc__kind_t;

typedef struct tc__type_info {
  tc__kind_t kind;
  size_t size;          /* bytes of one value (one array element when repeated) */
  long long min, max;   /* accepted range for integer kinds */
  const char *expected; /* JSON type for tc_error_t.expected */
  const char *name;     /* proto type name ("int32"), for range errors */
} tc__type_info_t;

/* Indexed by ProtobufCType. */
extern const tc__type_info_t tc__type_info[PROTOBUF_C_TYPE_MESSAGE + 1];

/* Message types with their own JSON form. */
typedef enum {
  TC__MSG_PLAIN,
  TC__MSG_STRUCT,
  TC__MSG_VALUE,
  TC__MSG_LIST,
  TC__MSG_WRAPPER,
  TC__MSG_FIELDMASK,
  TC__MSG_RAW,
} tc__msg_kind_t;

tc__msg_kind_t tc__msg_kind(const ProtobufCMessageDescriptor *d);
/* The JSON type a field takes, for TC_ETYPE ("" for google.protobuf.Value: anything). */
const char *tc__expected(const ProtobufCFieldDescriptor *fd);

static inline void *tc__slot(ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd) {
  return (char *)m + fd->offset;
}
static inline const void *tc__cslot(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd) {
  return (const char *)m + fd->offset;
}
/* Repeated fields: the element count lives at quantifier_offset. */
static inline size_t *tc__count(ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd) {
  return (size_t *)(void *)((char *)m + fd->quantifier_offset);
}

/* Does singular field fd track its presence (a oneof member, or a proto2 optional scalar
 * with a has_ flag)? Such a field is left out of the JSON when absent. */
int tc__has_presence(const ProtobufCFieldDescriptor *fd);
/* Presence of a singular field: the oneof case (a one-field oneof "_x" is an optional
 * scalar) or the proto2 has_ flag. Fields without either are always present. */
int tc__present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd);
/* Mark present / absent. Marking absent a oneof member that is not the current case is a
 * no-op, so another member's value is never disturbed. */
void tc__set_present(ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, int on);
/* Is repeated field fd of message type d a map<K,V> (a nested "<Name>Entry" key/value)? */
int tc__is_map(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *fd);
/* Is fd the google.protobuf.FieldMask named "update_mask" that tc_decode fills? */
int tc__is_update_mask(const ProtobufCFieldDescriptor *fd);

/* Store a JSON value / text into slot for a non-message field type. On error nothing is
 * written. Text rules: integers are decimal with an optional '-', bools are true/false,
 * reals are decimal (no inf/nan/hex), strings must be valid UTF-8 without NUL. */
int tc__scalar_from_json(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j, void *slot);
int tc__scalar_from_text(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s, size_t n,
                         void *slot);
/* The zero value of a singular field ("" for strings, NULL for messages). */
void tc__scalar_zero(const ProtobufCFieldDescriptor *fd, void *slot);

/* Base64 (standard or URL-safe alphabet, padding optional) into the arena: 0, TC_ETYPE on
 * malformed input, TC_ENOMEM. Encoding writes the standard alphabet with padding. */

/* Decode JSON j as well-known message type d (kind != PLAIN) into a new message *out;
 * JSON null gives *out = NULL except for google.protobuf.Value (a null_value). */
int tc__wkt_from_json(tc__ctx_t *c, const ProtobufCMessageDescriptor *d, json_t *j,
                      ProtobufCMessage **out);
/* Write well-known message m (kind != PLAIN, non-NULL) as JSON. */
int tc__wkt_encode(hg_buf_t *b, const ProtobufCMessage *m);

/* RawObject (json_raw.c), dispatched to by the two above: a JSON object j (else TC_ETYPE)
 * into a new RawObject holding its canonical text; and the text of m written verbatim. */
int tc__raw_from_json(tc__ctx_t *c, json_t *j, ProtobufCMessage **out);
int tc__raw_encode(hg_buf_t *b, const ProtobufCMessage *m);
/* A real as RawObject writes it: Python's repr (1.0, 0.1, 100000.0, 1e+300). 0 or TC_ENOMEM. */
int tc__put_real(hg_buf_t *b, double x);

/* Appends with an inline fast path when the buffer already has room: encoding a 50-item
 * list makes thousands of one- and few-byte appends, and the out-of-line hg_buf_append
 * (reserve check, memcpy call) was ~20% of the gateway's instructions for such a list.
 * Same result as hg_buf_append: bytes copied, n advanced, NUL kept after them. */
static inline int tc__put_n(hg_buf_t *b, const char *s, size_t n) {
  if (b->cap - b->n <= n) return hg_buf_append(b, s, n);
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
  return 0;
}

static inline int tc__put_c(hg_buf_t *b, char c) {
  if (b->cap - b->n <= 1) return hg_buf_putc(b, c);
  b->p[b->n++] = c;
  b->p[b->n] = '\0';
  return 0;
}

static inline int tc__put_s(hg_buf_t *b, const char *s) { return tc__put_n(b, s, strlen(s)); }

/* Encoder pieces shared with json_wkt.c; all return 0 or TC_ENOMEM. */
int tc__encode_message(hg_buf_t *b, const ProtobufCMessage *m); /* NULL -> null */
int tc__encode_scalar(hg_buf_t *b, const ProtobufCFieldDescriptor *fd, const void *slot);
int tc__put_double(hg_buf_t *b, double x);
int tc__put_escaped(hg_buf_t *b, const char *s, size_t n); /* string body, no quotes */
/* How json_wire.c writes one field (json_wire_plan.c). key and absent index the plan's text:
 * key_len bytes of `,"name":` (the comma is skipped for an object's first member), and
 * absent_len bytes of that key followed by the value tc_encode writes when the field is
 * absent; absent_len 0: an absent field is left out (oneof members, proto2 optionals). */
typedef struct tc__wire_field {
  const ProtobufCFieldDescriptor *fd;
  uint32_t key, key_len, absent_len;
  uint8_t repeated, packable;
  uint8_t oneof; /* 1 + the index of the field's oneof; 0 when it has none */
} tc__wire_field_t;

/* A message type as json_wire.c writes it. writable 0: it leaves such bytes to decoding
 * (maps, proto2 defaults, more than 64 oneofs or 254 fields). by_number[id] is 1 + the
 * index of field number id (0: unknown) for ids up to 255. */
#define TC__WIRE_TEXT_PAD 32 /* readable bytes past the end of any text in a plan */
typedef struct tc__wire_plan {
  const ProtobufCMessageDescriptor *d;
  tc__msg_kind_t kind;
  int writable;
  unsigned n_fields;
  const char *text;
  uint8_t by_number[256];
  tc__wire_field_t fields[];
} tc__wire_plan_t;

/* d's plan, built on first use and kept (never freed); NULL when it cannot be built (out of
 * memory, or more message types than the table holds). Any thread. */
const tc__wire_plan_t *tc__wire_plan(const ProtobufCMessageDescriptor *d);

/* tc_write_string for text off the wire, in one pass: s[0..n) must be UTF-8 (else TC_EUTF8)
 * and is written up to its first NUL, as protobuf-c's C string reads. s[0..readable), with
 * readable >= n, may be read (the rest of the reply, say): the text is checked in whole
 * words. 0, TC_EUTF8 or TC_ENOMEM; on error out is unchanged. */
int tc__write_wire_text(hg_buf_t *out, const char *s, size_t n, size_t readable);

#endif
