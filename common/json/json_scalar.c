/* json_scalar.c - non-message field values from a JSON value (request bodies) or from text
 * (path and query parameters, map keys). Both sources meet in the same store_* functions,
 * so range checks and enum lookup behave identically; nothing is written on error. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/utf8.h"
#include "json/transcode_internal.h"

typedef int (*json_fn)(tc__ctx_t *, const ProtobufCFieldDescriptor *, json_t *, void *);
typedef int (*text_fn)(tc__ctx_t *, const ProtobufCFieldDescriptor *, const char *, size_t, void *);

static int store_int(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, long long v, void *slot) {
  const tc__type_info_t *ti = &tc__type_info[fd->type];
  if (v < ti->min || v > ti->max)
    return tc__fail(c, TC_ERANGE, "%lld is out of range for %s", v, ti->name);
  if (ti->size == 4) {
    uint32_t x = (uint32_t)v; /* modular conversion; the bits are the int32 value */
    memcpy(slot, &x, sizeof(x));
  } else {
    uint64_t x = (uint64_t)v;
    memcpy(slot, &x, sizeof(x));
  }
  return 0;
}

static int store_real(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, double v, void *slot) {
  if (tc__type_info[fd->type].size == 8) {
    memcpy(slot, &v, sizeof(v));
    return 0;
  }
  if (fabs(v) > FLT_MAX) return tc__fail(c, TC_ERANGE, "%g is out of range for float", v);
  float f = (float)v;
  memcpy(slot, &f, sizeof(f));
  return 0;
}

static int store_enum(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *name,
                      void *slot) {
  const ProtobufCEnumDescriptor *ed = fd->descriptor;
  const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value_by_name(ed, name);
  if (!ev) return tc__fail(c, TC_EENUM, "unknown value \"%.64s\" for enum %s", name, ed->name);
  int32_t x = ev->value;
  memcpy(slot, &x, sizeof(x));
  return 0;
}

static int store_string(tc__ctx_t *c, const char *s, size_t n, void *slot) {
  char *copy = hg_arena_strndup(c->a, s, n);
  if (!copy) return tc__fail(c, TC_ENOMEM, "out of memory");
  memcpy(slot, &copy, sizeof(copy));
  return 0;
}

static int store_bytes(tc__ctx_t *c, const char *s, size_t n, void *slot) {
  ProtobufCBinaryData bin;
  char *data;
  int rc = hg_base64_decode_dup(s, n, HG_BASE64_PROTO_JSON, c->a, &data, &bin.len);
  if (rc == -1) {
    tc__fail_type(c, "string");
    snprintf(c->err->reason, sizeof(c->err->reason), "expected a base64 string");
    return TC_ETYPE;
  }
  if (rc != 0) return tc__fail(c, TC_ENOMEM, "out of memory");
  bin.data = (uint8_t *)data;
  memcpy(slot, &bin, sizeof(bin));
  return 0;
}

/* ---- from JSON ---- */

static int from_json_int(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j, void *slot) {
  if (!json_is_integer(j)) return tc__fail_type(c, "integer");
  return store_int(c, fd, json_integer_value(j), slot);
}

static int from_json_real(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j, void *slot) {
  if (!json_is_number(j)) return tc__fail_type(c, "number");
  return store_real(c, fd, json_number_value(j), slot);
}

static int from_json_bool(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j, void *slot) {
  (void)fd;
  if (!json_is_boolean(j)) return tc__fail_type(c, "boolean");
  protobuf_c_boolean b = json_is_true(j);
  memcpy(slot, &b, sizeof(b));
  return 0;
}

static int from_json_enum(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j, void *slot) {
  if (!json_is_string(j)) return tc__fail_type(c, "string");
  return store_enum(c, fd, json_string_value(j), slot);
}

static int from_json_string(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j,
                            void *slot) {
  (void)fd;
  if (!json_is_string(j)) return tc__fail_type(c, "string");
  return store_string(c, json_string_value(j), json_string_length(j), slot);
}

static int from_json_bytes(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j,
                           void *slot) {
  (void)fd;
  if (!json_is_string(j)) return tc__fail_type(c, "string");
  return store_bytes(c, json_string_value(j), json_string_length(j), slot);
}

static const json_fn json_fns[] = {
    [TC__K_INT] = from_json_int,     [TC__K_UINT] = from_json_int,
    [TC__K_REAL] = from_json_real,   [TC__K_BOOL] = from_json_bool,
    [TC__K_ENUM] = from_json_enum,   [TC__K_STRING] = from_json_string,
    [TC__K_BYTES] = from_json_bytes,
};

int tc__scalar_from_json(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *j, void *slot) {
  return json_fns[tc__type_info[fd->type].kind](c, fd, j, slot);
}

/* ---- from text ---- */

/* Strict decimal: optional '-', then one or more digits, nothing else. 0, TC_ETYPE, TC_ERANGE. */
static int parse_ll(const char *s, size_t n, long long *out) {
  size_t i = n > 0 && s[0] == '-';
  int neg = (int)i;
  unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
  if (i == n) return TC_ETYPE;
  for (; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return TC_ETYPE;
  for (i = (size_t)neg; i < n; i++) {
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (lim - d) / 10) return TC_ERANGE;
    v = v * 10 + d;
  }
  *out = !neg ? (long long)v : v == 0 ? 0 : -(long long)(v - 1) - 1;
  return 0;
}

static int from_text_int(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s, size_t n,
                         void *slot) {
  long long v;
  int rc = parse_ll(s, n, &v);
  if (rc == TC_ETYPE) return tc__fail_type(c, "integer");
  if (rc == TC_ERANGE)
    return tc__fail(c, TC_ERANGE, "%.*s is out of range for %s", (int)(n > 32 ? 32 : n), s,
                    tc__type_info[fd->type].name);
  return store_int(c, fd, v, slot);
}

static int from_text_real(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s, size_t n,
                          void *slot) {
  char *end, *z = hg_arena_strndup(c->a, s, n);
  if (!z) return tc__fail(c, TC_ENOMEM, "out of memory");
  /* Only decimal notation: strtod alone would also take "inf", "nan", hex and spaces. */
  if (n == 0 || strspn(z, "0123456789+-.eE") != n) return tc__fail_type(c, "number");
  double v = strtod(z, &end);
  if (end != z + n) return tc__fail_type(c, "number");
  if (!isfinite(v)) return tc__fail(c, TC_ERANGE, "%.32s is out of range", z);
  return store_real(c, fd, v, slot);
}

static int from_text_bool(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s, size_t n,
                          void *slot) {
  (void)fd;
  protobuf_c_boolean b;
  if (n == 4 && memcmp(s, "true", 4) == 0)
    b = 1;
  else if (n == 5 && memcmp(s, "false", 5) == 0)
    b = 0;
  else
    return tc__fail_type(c, "boolean");
  memcpy(slot, &b, sizeof(b));
  return 0;
}

static int from_text_enum(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s, size_t n,
                          void *slot) {
  char *z = hg_arena_strndup(c->a, s, n);
  if (!z) return tc__fail(c, TC_ENOMEM, "out of memory");
  return store_enum(c, fd, z, slot);
}

static int from_text_string(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s,
                            size_t n, void *slot) {
  (void)fd;
  size_t bad;
  const char *nul = memchr(s, '\0', n);
  if (nul) return tc__fail(c, TC_EUTF8, "NUL character at offset %td", nul - s);
  if (!hg_utf8_valid(s, n, &bad)) return tc__fail(c, TC_EUTF8, "invalid UTF-8 at offset %zu", bad);
  return store_string(c, s, n, slot);
}

static int from_text_bytes(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s,
                           size_t n, void *slot) {
  (void)fd;
  return store_bytes(c, s, n, slot);
}

static const text_fn text_fns[] = {
    [TC__K_INT] = from_text_int,     [TC__K_UINT] = from_text_int,
    [TC__K_REAL] = from_text_real,   [TC__K_BOOL] = from_text_bool,
    [TC__K_ENUM] = from_text_enum,   [TC__K_STRING] = from_text_string,
    [TC__K_BYTES] = from_text_bytes,
};

int tc__scalar_from_text(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, const char *s, size_t n,
                         void *slot) {
  return text_fns[tc__type_info[fd->type].kind](c, fd, s, n, slot);
}

void tc__scalar_zero(const ProtobufCFieldDescriptor *fd, void *slot) {
  if (fd->type == PROTOBUF_C_TYPE_STRING) {
    const char *empty = protobuf_c_empty_string;
    memcpy(slot, &empty, sizeof(empty));
  } else {
    memset(slot, 0, tc__type_info[fd->type].size);
  }
}
