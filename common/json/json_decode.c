/* json_decode.c - tc_decode: request body (JSON object) -> protobuf-c message.
 *
 * Order of checks: size limit, then one pass over the raw bytes for UTF-8 validity and
 * nesting depth (so a 100k-deep "[[[[" is refused before jansson, and before any recursion
 * of ours), then jansson (duplicate keys rejected), then a walk of the tree against the
 * descriptors. Every recursion below is bounded by the depth limit. Body objects merge into
 * the message: a nested message already set (e.g. from a path parameter) is merged into; a
 * repeated field, map or well-known type is replaced.
 *
 * Numbers: jansson keeps integers as long long, so a JSON integer outside int64 (including
 * uint64 values above INT64_MAX, and such integers inside Struct) fails while parsing, as
 * TC_ERANGE with a position but no field. Enums are accepted by name only. */
#include <string.h>

#include "google/protobuf/field_mask.pb-c.h"
#include "transcode_internal.h"

#define TC_DEFAULT_MAX_BYTES (1024 * 1024)
#define TC_DEFAULT_MAX_DEPTH 64

static int decode_object(tc__ctx_t *c, ProtobufCMessage *m, json_t *obj);
static int decode_field(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                        json_t *v);

/* jansson error codes that are not plain syntax errors. */
static const struct {
  enum json_error_code jansson;
  int code;
} jansson_codes[] = {
    {json_error_out_of_memory, TC_ENOMEM},    {json_error_stack_overflow, TC_EDEPTH},
    {json_error_invalid_utf8, TC_EUTF8},      {json_error_null_character, TC_EUTF8},
    {json_error_numeric_overflow, TC_ERANGE},
};

static int jansson_error(const json_error_t *je, tc_error_t *err) {
  int code = TC_ESYNTAX;
  for (size_t i = 0; i < sizeof(jansson_codes) / sizeof(jansson_codes[0]); i++)
    if (jansson_codes[i].jansson == json_error_code(je)) code = jansson_codes[i].code;
  return tc__error(err, code, "", je->position, "%s", je->text);
}

/* Nesting depth counts the body object as 1; brackets inside strings do not count. */
static int prescan(const char *p, size_t n, int max_depth, tc_error_t *err) {
  size_t bad;
  if (!tc__utf8_valid(p, n, &bad))
    return tc__error(err, TC_EUTF8, "", (long)bad, "invalid UTF-8 byte 0x%02x at offset %zu",
                     (unsigned char)p[bad], bad);
  int depth = 0, in_string = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = p[i];
    if (in_string) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_string = 0;
    } else if (ch == '"') {
      in_string = 1;
    } else if (ch == '{' || ch == '[') {
      if (++depth > max_depth)
        return tc__error(err, TC_EDEPTH, "", (long)i, "nesting deeper than %d levels", max_depth);
    } else if (ch == '}' || ch == ']') {
      depth--;
    }
  }
  return 0;
}

static int decode_message_field(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *v,
                                ProtobufCMessage **slot) {
  const ProtobufCMessageDescriptor *d = fd->descriptor;
  if (tc__msg_kind(d) != TC__MSG_PLAIN) return tc__wkt_from_json(c, d, v, slot);
  if (json_is_null(v)) {
    *slot = NULL;
    return 0;
  }
  if (!json_is_object(v)) return tc__fail_type(c, "object");
  if (!*slot && !(*slot = tc_message_new(d, c->a))) return tc__fail(c, TC_ENOMEM, "out of memory");
  return decode_object(c, *slot, v);
}

/* One array element: null is not an element, except as a google.protobuf.Value. */
static int decode_element(tc__ctx_t *c, const ProtobufCFieldDescriptor *fd, json_t *v, void *slot) {
  if (json_is_null(v) && *tc__expected(fd)) return tc__fail_type(c, tc__expected(fd));
  if (fd->type == PROTOBUF_C_TYPE_MESSAGE) return decode_message_field(c, fd, v, slot);
  return tc__scalar_from_json(c, fd, v, slot);
}

static int decode_repeated(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                           json_t *v) {
  size_t n = json_array_size(v), esz = tc__type_info[fd->type].size;
  if (!json_is_array(v) && !json_is_null(v)) return tc__fail_type(c, "array");
  char *arr = n ? hg_arena_alloc(c->a, n * esz) : NULL;
  if (n && !arr) return tc__fail(c, TC_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t mark = tc__path_index(c, i);
    int rc = decode_element(c, fd, json_array_get(v, i), arr + i * esz);
    if (rc != 0) return rc;
    tc__path_pop(c, mark);
  }
  *tc__count(m, fd) = n;
  memcpy(tc__slot(m, fd), &arr, sizeof(arr));
  return 0;
}

/* map<K,V>: a JSON object; keys are parsed as text into K (so map<int32,..> takes "7"). */
static int decode_map(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                      json_t *v) {
  const ProtobufCMessageDescriptor *ed = fd->descriptor;
  size_t n = json_object_size(v), i = 0;
  if (!json_is_object(v) && !json_is_null(v)) return tc__fail_type(c, "object");
  ProtobufCMessage **entries = n ? hg_arena_alloc(c->a, n * sizeof(*entries)) : NULL;
  if (n && !entries) return tc__fail(c, TC_ENOMEM, "out of memory");
  const char *key;
  json_t *val;
  json_object_foreach(v, key, val) {
    ProtobufCMessage *e = tc_message_new(ed, c->a);
    if (!e) return tc__fail(c, TC_ENOMEM, "out of memory");
    size_t mark = tc__path_key(c, key);
    int rc = tc__scalar_from_text(c, &ed->fields[0], key, strlen(key), tc__slot(e, &ed->fields[0]));
    if (rc == 0) rc = decode_field(c, e, &ed->fields[1], val);
    if (rc != 0) return rc;
    tc__path_pop(c, mark);
    entries[i++] = e;
  }
  *tc__count(m, fd) = n;
  memcpy(tc__slot(m, fd), &entries, sizeof(entries));
  return 0;
}

/* null on a oneof member unsets it (without touching a sibling's value); on a plain scalar
 * it stores the zero value; on a message it clears the field. */
static int decode_field(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                        json_t *v) {
  if (fd->label == PROTOBUF_C_LABEL_REPEATED)
    return tc__is_map(m->descriptor, fd) ? decode_map(c, m, fd, v) : decode_repeated(c, m, fd, v);
  int oneof = (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
  if (json_is_null(v) && (oneof || fd->type != PROTOBUF_C_TYPE_MESSAGE)) {
    if (!oneof || tc__present(m, fd)) tc__scalar_zero(fd, tc__slot(m, fd));
    tc__set_present(m, fd, 0);
    return 0;
  }
  if (fd->type != PROTOBUF_C_TYPE_MESSAGE) {
    int rc = tc__scalar_from_json(c, fd, v, tc__slot(m, fd));
    if (rc == 0) tc__set_present(m, fd, 1);
    return rc;
  }
  ProtobufCMessage **slot = tc__slot(m, fd);
  if (oneof && !tc__present(m, fd)) *slot = NULL; /* the union holds a sibling's value */
  int rc = decode_message_field(c, fd, v, slot);
  if (rc == 0) tc__set_present(m, fd, *slot != NULL);
  return rc;
}

static int decode_object(tc__ctx_t *c, ProtobufCMessage *m, json_t *obj) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    const ProtobufCFieldDescriptor *fd =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, key);
    size_t mark = tc__path_key(c, key);
    int rc = (!fd || tc__is_update_mask(fd))
                 ? tc__fail(c, TC_EUNKNOWN_FIELD, "unknown field \"%.64s\"", key)
                 : decode_field(c, m, fd, v);
    if (rc != 0) return rc;
    tc__path_pop(c, mark);
  }
  return 0;
}

/* A top-level key the caller refuses (tc_opts_t.reject_keys) is reported as unknown. */
static int reject_keys(tc__ctx_t *c, json_t *root, const char *const *keys) {
  for (size_t i = 0; keys && keys[i]; i++) {
    if (!json_object_get(root, keys[i])) continue;
    tc__path_key(c, keys[i]);
    return tc__fail(c, TC_EUNKNOWN_FIELD, "unknown field \"%.64s\"", keys[i]);
  }
  return 0;
}

/* update_mask = the body's top-level keys, in body order, so null and absent differ. */
static int fill_update_mask(tc__ctx_t *c, ProtobufCMessage *m, json_t *root) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "update_mask");
  if (!fd || !tc__is_update_mask(fd)) return 0;
  Google__Protobuf__FieldMask *mask = (Google__Protobuf__FieldMask *)tc_message_new(
      &google__protobuf__field_mask__descriptor, c->a);
  size_t n = json_object_size(root), i = 0;
  char **paths = hg_arena_alloc(c->a, (n ? n : 1) * sizeof(*paths));
  if (!mask || !paths) return tc__fail(c, TC_ENOMEM, "out of memory");
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    if (!(paths[i++] = hg_arena_strdup(c->a, key))) return tc__fail(c, TC_ENOMEM, "out of memory");
  }
  mask->n_paths = n;
  mask->paths = paths;
  memcpy(tc__slot(m, fd), &mask, sizeof(mask));
  tc__set_present(m, fd, 1);
  return 0;
}

int tc_decode(ProtobufCMessage *msg, const char *p, size_t n, const tc_opts_t *opts, hg_arena_t *a,
              tc_error_t *err) {
  size_t max_bytes = opts && opts->max_bytes ? opts->max_bytes : TC_DEFAULT_MAX_BYTES;
  int max_depth = opts && opts->max_depth > 0 ? opts->max_depth : TC_DEFAULT_MAX_DEPTH;
  if (!p) p = "";
  if (n > max_bytes)
    return tc__error(err, TC_ETOOBIG, "", -1, "body is %zu bytes; the limit is %zu", n, max_bytes);
  int rc = prescan(p, n, max_depth, err);
  if (rc != 0) return rc;
  json_error_t je;
  json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
  if (!root) return jansson_error(&je, err);
  tc__ctx_t c;
  tc__ctx_init(&c, a, err);
  if (!json_is_object(root))
    rc = tc__error(err, TC_ENOTOBJECT, "", -1, "the body must be a JSON object");
  else if ((rc = reject_keys(&c, root, opts ? opts->reject_keys : NULL)) == 0 &&
           (rc = decode_object(&c, msg, root)) == 0)
    rc = fill_update_mask(&c, msg, root);
  json_decref(root);
  return rc;
}
