/* transcode.h - JSON <-> protobuf-c by reflection over message descriptors.
 *
 * Decoding is strict: unknown fields, wrong JSON types, out-of-range numbers, unknown enum
 * names, invalid UTF-8, duplicate keys, nesting deeper than the limit and bodies over the
 * size limit are rejected with tc_error_t naming the offending field path. Nothing is
 * half-applied: on error the output message must be discarded (it lives in the arena).
 *
 * Two kinds of error: problems with the text as a whole (TC_ESYNTAX, TC_EUTF8, TC_EDEPTH,
 * TC_ETOOBIG, TC_ENOTOBJECT, and a number the parser cannot hold, TC_ERANGE with a
 * position) stop decoding at once; field-level problems (TC_EUNKNOWN_FIELD, TC_ETYPE,
 * TC_ERANGE, TC_EENUM, in any nested value or array element) can be collected, all of
 * them, with tc_decode_all. Reasons are the transcoder's own words: the JSON parser's
 * messages never appear (a refusal of text other parsers take, such as NaN, a duplicate
 * key, a lone surrogate escape, \u0000 or a byte order mark, says so in a short sentence,
 * and names the key or value when it is one).
 *
 * Mapping (proto field names ARE the JSON names):
 *  - scalars: JSON numbers for all integer types (never strings), true/false for bool,
 *    strings for string, base64 strings for bytes; enums by value name.
 *  - a field inside a one-field oneof named "_<field>" is an optional scalar: set when the
 *    key is present, omitted on output when unset.
 *  - google.protobuf.Struct / Value / ListValue: any JSON object / value / array. On output
 *    numbers print in shortest round-trip form; integral values within +-2^53 print as
 *    integers.
 *  - hangar.json.v1.RawObject: any JSON object, kept as its canonical text (compact, key
 *    order kept, integers exact in int64, reals in shortest round-trip form that still
 *    reads as a real: 1.0 stays 1.0) and written back verbatim ("" as {}); JSON null or
 *    absent = unset. For free-form JSON that must come back as sent.
 *  - google.protobuf.{String,Int64,Int32,UInt64,UInt32,Bool,Double,Float,Bytes}Value: the bare
 *    value; JSON null or absent = unset; unset renders as null.
 *  - other message fields: nested objects; unset renders as null.
 *  - repeated: arrays (always rendered, [] when empty); map<string,V>: objects.
 *  - google.protobuf.FieldMask named "update_mask": never read from JSON; tc_decode fills it
 *    with the top-level keys present in the body (so null and absent differ).
 *  - JSON null on a plain scalar sets the default value (and the key counts as present).
 *
 * Threads: all functions are reentrant. Output strings/messages live in the given arena. */
#ifndef HANGAR_TRANSCODE_H
#define HANGAR_TRANSCODE_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/errlist.h"

#define TC_ERRORS(XX)                                                                              \
  XX(TC_ESYNTAX, -1, "malformed JSON")                                                             \
  XX(TC_EUTF8, -2, "invalid UTF-8")                                                                \
  XX(TC_EDEPTH, -3, "nesting too deep")                                                            \
  XX(TC_ETOOBIG, -4, "body too large")                                                             \
  XX(TC_EUNKNOWN_FIELD, -5, "unknown field")                                                       \
  XX(TC_ETYPE, -6, "wrong type")                                                                   \
  XX(TC_ERANGE, -7, "number out of range")                                                         \
  XX(TC_EENUM, -8, "unknown enum value")                                                           \
  XX(TC_ENOTOBJECT, -9, "body must be a JSON object")                                              \
  XX(TC_ENOMEM, -10, "out of memory")                                                              \
  XX(TC_EWIRE, -11, "wire bytes left to decoding")

typedef enum { TC_ERRORS(HG_ERR_ENUM) } tc_errno_t;

const char *tc_strerror(int err);
const char *tc_err_name(int err);

typedef struct tc_error {
  int code;          /* one of tc_errno_t */
  char field[256];   /* dotted JSON path ("settings_json.a.b", "bindings[2].role"); "" = body
                        (or a syntax error, which belongs to no field) */
  char reason[256];  /* human sentence, e.g. "expected a string" */
  char expected[32]; /* expected JSON type for TC_ETYPE: "string","integer","number",
                        "boolean","object","array"; "" otherwise */
  long position;     /* byte offset where the text was refused (TC_ESYNTAX, TC_EUTF8,
                        TC_EDEPTH, a TC_ERANGE the parser found), else -1 */
} tc_error_t;

typedef struct tc_opts {
  size_t max_bytes; /* 0 = 1 MiB */
  int max_depth;    /* 0 = 64 */
  /* Top-level keys refused as unknown fields even when the message has them (the gateway
   * passes a route's path parameters, which the body must not set), in body order like any
   * other unknown field; NULL-terminated, NULL = none. */
  const char *const *reject_keys;
  /* Non-NULL: the whole body is the value of this top-level field of msg (grpc-gateway's
   * `body: "<field>"`), e.g. a hangar.json.v1.RawObject that takes any object; update_mask
   * still gets the body's top-level keys. NULL: the body's keys are msg's fields. */
  const char *body_field;
} tc_opts_t;

/* Parse body p[0..n) (must be a JSON object) and merge it into msg (already initialised,
 * e.g. by the caller with path parameters). The transcoder fills `update_mask` if msg has
 * one. Returns 0 or a tc_errno_t with *err filled. */
int tc_decode(ProtobufCMessage *msg, const char *p, size_t n, const tc_opts_t *opts, hg_arena_t *a,
              tc_error_t *err);

/* tc_decode reporting every field-level error, not just the first: errs[0..*n_errs) in body
 * order, at most max_errs of them (0 counts as 1; decoding stops once the list is full).
 * A problem with the text as a whole, and TC_ENOMEM (even after field-level errors), is the
 * only error (*n_errs = 1). Returns 0 (*n_errs = 0) or errs[0].code. tc_decode is this
 * with a list of one. */
int tc_decode_all(ProtobufCMessage *msg, const char *p, size_t n, const tc_opts_t *opts,
                  hg_arena_t *a, tc_error_t *errs, size_t max_errs, size_t *n_errs);

/* Set the (possibly nested, dotted) field path of msg from a textual value, as for URL path
 * and query parameters: integers and bools are parsed from the text; strings taken as is.
 * Unknown field: TC_EUNKNOWN_FIELD. Returns 0 or a tc_errno_t with *err filled. */
int tc_set_field_text(ProtobufCMessage *msg, const char *path, const char *value, size_t vn,
                      hg_arena_t *a, tc_error_t *err);

/* Does msg's descriptor have a (dotted) field path? */
int tc_has_field(const ProtobufCMessageDescriptor *d, const char *path);

/* A fresh message of type d, initialised, in the arena. NULL on allocation failure. */
ProtobufCMessage *tc_message_new(const ProtobufCMessageDescriptor *d, hg_arena_t *a);

/* Append msg as JSON to out. 0 or TC_ENOMEM. */
int tc_encode(const ProtobufCMessage *msg, hg_buf_t *out);

/* Append the JSON tc_encode writes for the message of type d that the protobuf wire bytes
 * p[0..n) encode, written straight from the bytes (no message is built). 0; TC_ENOMEM; or
 * TC_EWIRE when the bytes hold what it leaves to decoding and tc_encode (maps, Struct,
 * Value, ListValue, FieldMask, a singular field or oneof given twice, proto2 defaults,
 * invalid UTF-8, nesting deeper than TC_WIRE_MAX_DEPTH, malformed bytes). On error out is
 * unchanged. */
#define TC_WIRE_MAX_DEPTH 32
int tc_encode_wire(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, hg_buf_t *out);

/* Append one top-level field of msg as JSON, as tc_encode writes it inside the object (a
 * repeated field as a bare array, an unset optional as null), for answers whose body is one
 * field of the response message. 0, TC_EUNKNOWN_FIELD (out unchanged) or TC_ENOMEM. */
int tc_encode_field(const ProtobufCMessage *msg, const char *field, hg_buf_t *out);

/* Append a JSON string literal (quoted, escaped) of s[0..n) to out. 0 or TC_ENOMEM. */
int tc_write_string(hg_buf_t *out, const char *s, size_t n);

#endif
