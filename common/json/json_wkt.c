/* json_wkt.c - the well-known types that have their own JSON form:
 * google.protobuf.Struct / Value / ListValue (any JSON object / value / array; Struct keeps
 * the body's key order, which jansson preserves), the scalar wrappers (the bare value, null
 * when unset) and FieldMask (a comma-separated string of paths). The two entry points also
 * dispatch hangar.json.v1.RawObject to json_raw.c. */
#include <string.h>

#include "google/protobuf/field_mask.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "json/transcode_internal.h"

typedef Google__Protobuf__Value pb_value_t;
typedef Google__Protobuf__Struct pb_struct_t;
typedef Google__Protobuf__ListValue pb_list_t;
typedef Google__Protobuf__FieldMask pb_mask_t;

static int value_from_json(tc__ctx_t *c, json_t *j, pb_value_t **out);

static void *new_msg(tc__ctx_t *c, const ProtobufCMessageDescriptor *d) {
  ProtobufCMessage *m = tc_message_new(d, c->a);
  if (!m) tc__fail(c, TC_ENOMEM, "out of memory");
  return m;
}

/* A new message of type d whose one field is a repeated pointer field (Struct.fields,
 * ListValue.values, FieldMask.paths), that field set to n elements for the caller to fill.
 * NULL when an allocation failed (c has failed with TC_ENOMEM). */
static void *new_repeated(tc__ctx_t *c, const ProtobufCMessageDescriptor *d, size_t n) {
  ProtobufCMessage *m = new_msg(c, d);
  void **items = n ? hg_arena_alloc(c->a, n * sizeof(*items)) : NULL;
  if (!m) return NULL;
  if (n && !items) {
    tc__fail(c, TC_ENOMEM, "out of memory");
    return NULL;
  }
  const ProtobufCFieldDescriptor *f = &d->fields[0];
  memcpy((char *)m + f->quantifier_offset, &n, sizeof(n));
  memcpy((char *)m + f->offset, &items, sizeof(items));
  return m;
}

static int struct_from_json(tc__ctx_t *c, json_t *j, pb_struct_t **out) {
  if (!json_is_object(j)) return tc__fail_type(c, "object");
  pb_struct_t *s = new_repeated(c, &google__protobuf__struct__descriptor, json_object_size(j));
  if (!s) return TC_ENOMEM;
  size_t i = 0;
  const char *key;
  json_t *v;
  json_object_foreach(j, key, v) {
    Google__Protobuf__Struct__FieldsEntry *e =
        new_msg(c, &google__protobuf__struct__fields_entry__descriptor);
    if (!e || !(e->key = hg_arena_strdup(c->a, key)))
      return tc__fail(c, TC_ENOMEM, "out of memory");
    size_t mark = tc__path_key(c, key);
    int rc = value_from_json(c, v, &e->value);
    if (rc != 0) return rc;
    tc__path_pop(c, mark);
    s->fields[i++] = e;
  }
  *out = s;
  return 0;
}

static int list_from_json(tc__ctx_t *c, json_t *j, pb_list_t **out) {
  if (!json_is_array(j)) return tc__fail_type(c, "array");
  pb_list_t *l = new_repeated(c, &google__protobuf__list_value__descriptor, json_array_size(j));
  if (!l) return TC_ENOMEM;
  for (size_t i = 0; i < l->n_values; i++) {
    size_t mark = tc__path_index(c, i);
    int rc = value_from_json(c, json_array_get(j, i), &l->values[i]);
    if (rc != 0) return rc;
    tc__path_pop(c, mark);
  }
  *out = l;
  return 0;
}

/* Any JSON value. Integers become doubles, as Value has only number_value. */
static int value_from_json(tc__ctx_t *c, json_t *j, pb_value_t **out) {
  pb_value_t *v = new_msg(c, &google__protobuf__value__descriptor);
  if (!v) return TC_ENOMEM;
  int rc = 0;
  switch (json_typeof(j)) {
    case JSON_NULL: v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE; break;
    case JSON_TRUE:
    case JSON_FALSE:
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE;
      v->bool_value = json_is_true(j);
      break;
    case JSON_INTEGER:
    case JSON_REAL:
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
      v->number_value = json_number_value(j);
      break;
    case JSON_STRING:
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
      v->string_value = hg_arena_strndup(c->a, json_string_value(j), json_string_length(j));
      rc = v->string_value ? 0 : tc__fail(c, TC_ENOMEM, "out of memory");
      break;
    case JSON_OBJECT:
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE;
      rc = struct_from_json(c, j, &v->struct_value);
      break;
    case JSON_ARRAY:
      v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE;
      rc = list_from_json(c, j, &v->list_value);
      break;
  }
  *out = v;
  return rc;
}

static int wrapper_from_json(tc__ctx_t *c, const ProtobufCMessageDescriptor *d, json_t *j,
                             ProtobufCMessage **out) {
  ProtobufCMessage *w = new_msg(c, d);
  if (!w) return TC_ENOMEM;
  int rc = tc__scalar_from_json(c, &d->fields[0], j, tc__slot(w, &d->fields[0]));
  if (rc == 0) *out = w;
  return rc;
}

/* "a,b.c" -> paths {"a", "b.c"}; "" -> no paths. */
static int mask_from_json(tc__ctx_t *c, json_t *j, pb_mask_t **out) {
  if (!json_is_string(j)) return tc__fail_type(c, "string");
  const char *s = json_string_value(j), *end = s + json_string_length(j);
  size_t n = *s ? 1 : 0;
  for (const char *p = s; p < end; p++) n += *p == ',';
  pb_mask_t *m = new_repeated(c, &google__protobuf__field_mask__descriptor, n);
  if (!m) return TC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const char *comma = memchr(s, ',', (size_t)(end - s));
    const char *stop = comma ? comma : end;
    if (!(m->paths[i] = hg_arena_strndup(c->a, s, (size_t)(stop - s))))
      return tc__fail(c, TC_ENOMEM, "out of memory");
    s = stop + 1;
  }
  *out = m;
  return 0;
}

int tc__wkt_from_json(tc__ctx_t *c, const ProtobufCMessageDescriptor *d, json_t *j,
                      ProtobufCMessage **out) {
  tc__msg_kind_t kind = tc__msg_kind(d);
  if (json_is_null(j) && kind != TC__MSG_VALUE) {
    *out = NULL;
    return 0;
  }
  switch (kind) {
    case TC__MSG_STRUCT: return struct_from_json(c, j, (pb_struct_t **)out);
    case TC__MSG_VALUE: return value_from_json(c, j, (pb_value_t **)out);
    case TC__MSG_LIST: return list_from_json(c, j, (pb_list_t **)out);
    case TC__MSG_FIELDMASK: return mask_from_json(c, j, (pb_mask_t **)out);
    case TC__MSG_RAW: return tc__raw_from_json(c, j, out);
    case TC__MSG_WRAPPER:
    case TC__MSG_PLAIN: break;
  }
  return wrapper_from_json(c, d, j, out);
}

/* ---- encoding ---- */

static int encode_value(hg_buf_t *b, const pb_value_t *v);

static int encode_struct(hg_buf_t *b, const pb_struct_t *s) {
  if (hg_buf_putc(b, '{') != 0) return TC_ENOMEM;
  for (size_t i = 0; i < s->n_fields; i++) {
    const Google__Protobuf__Struct__FieldsEntry *e = s->fields[i];
    const char *key = e->key ? e->key : "";
    if ((i && hg_buf_putc(b, ',') != 0) || tc_write_string(b, key, strlen(key)) != 0 ||
        hg_buf_putc(b, ':') != 0 || encode_value(b, e->value) != 0)
      return TC_ENOMEM;
  }
  return hg_buf_putc(b, '}') ? TC_ENOMEM : 0;
}

static int encode_list(hg_buf_t *b, const pb_list_t *l) {
  if (hg_buf_putc(b, '[') != 0) return TC_ENOMEM;
  for (size_t i = 0; i < l->n_values; i++)
    if ((i && hg_buf_putc(b, ',') != 0) || encode_value(b, l->values[i]) != 0) return TC_ENOMEM;
  return hg_buf_putc(b, ']') ? TC_ENOMEM : 0;
}

/* An unset Value (NULL, or no kind) is null, like null_value. */
static int encode_value(hg_buf_t *b, const pb_value_t *v) {
  switch (v ? v->kind_case : GOOGLE__PROTOBUF__VALUE__KIND__NOT_SET) {
    case GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE: return tc__put_double(b, v->number_value);
    case GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE:
      return v->string_value ? tc_write_string(b, v->string_value, strlen(v->string_value))
                             : (hg_buf_puts(b, "\"\"") ? TC_ENOMEM : 0);
    case GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE:
      return hg_buf_puts(b, v->bool_value ? "true" : "false") ? TC_ENOMEM : 0;
    case GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE:
      return v->struct_value ? encode_struct(b, v->struct_value)
                             : (hg_buf_puts(b, "{}") ? TC_ENOMEM : 0);
    case GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE:
      return v->list_value ? encode_list(b, v->list_value) : (hg_buf_puts(b, "[]") ? TC_ENOMEM : 0);
    default: return hg_buf_puts(b, "null") ? TC_ENOMEM : 0;
  }
}

static int encode_mask(hg_buf_t *b, const pb_mask_t *m) {
  if (hg_buf_putc(b, '"') != 0) return TC_ENOMEM;
  for (size_t i = 0; i < m->n_paths; i++) {
    const char *p = m->paths[i] ? m->paths[i] : "";
    if ((i && hg_buf_putc(b, ',') != 0) || tc__put_escaped(b, p, strlen(p)) != 0) return TC_ENOMEM;
  }
  return hg_buf_putc(b, '"') ? TC_ENOMEM : 0;
}

int tc__wkt_encode(hg_buf_t *b, const ProtobufCMessage *m) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  switch (tc__msg_kind(d)) {
    case TC__MSG_STRUCT: return encode_struct(b, (const pb_struct_t *)m);
    case TC__MSG_VALUE: return encode_value(b, (const pb_value_t *)m);
    case TC__MSG_LIST: return encode_list(b, (const pb_list_t *)m);
    case TC__MSG_FIELDMASK: return encode_mask(b, (const pb_mask_t *)m);
    case TC__MSG_RAW: return tc__raw_encode(b, m);
    case TC__MSG_WRAPPER:
    case TC__MSG_PLAIN: break;
  }
  return tc__encode_scalar(b, &d->fields[0], tc__cslot(m, &d->fields[0]));
}
