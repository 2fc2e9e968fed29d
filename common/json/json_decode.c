/* json_decode.c - tc_decode / tc_decode_all: request body (JSON object) -> protobuf-c
 * message.
 *
 * Order of checks: size limit, then one pass over the raw bytes for UTF-8 validity and
 * nesting depth (so a 100k-deep "[[[[" is refused before jansson, and before any recursion
 * of ours), then jansson (duplicate keys rejected; its refusals reworded by json_parse.c),
 * then a walk of the tree against the descriptors. Every recursion below is bounded by the
 * depth limit. Body objects merge into the message: a nested message already set (e.g. from
 * a path parameter) is merged into; a repeated field, map or well-known type is replaced.
 *
 * The walk goes on past a field-level error when the caller has room for more: the object,
 * array and map loops hand each failed member to next_error(), which records it and lets
 * the loop continue with the next member, so errors come out in body order. What a failed
 * member left in the message does not matter: a message that failed is discarded.
 *
 * Numbers: jansson keeps integers as long long, so a JSON integer outside int64 (including
 * uint64 values above INT64_MAX, and such integers inside Struct) fails while parsing, as
 * TC_ERANGE naming the value. Enums are accepted by name only. */
#include <string.h>

#include "common/utf8.h"
#include "google/protobuf/field_mask.pb-c.h"
#include "json/transcode_internal.h"

#define TC_DEFAULT_MAX_BYTES (1024 * 1024)
#define TC_DEFAULT_MAX_DEPTH 64

static int decode_object(tc__ctx_t *c, ProtobufCMessage *m, json_t *obj, const char *const *reject);
static int decode_field(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                        json_t *v);

/* Problems with one value, after which the rest of the body can still be checked. */
static const int field_level_codes[] = {TC_EUNKNOWN_FIELD, TC_ETYPE, TC_ERANGE, TC_EENUM};

static int field_level(int rc) {
  for (size_t i = 0; i < sizeof(field_level_codes) / sizeof(field_level_codes[0]); i++)
    if (field_level_codes[i] == rc) return 1;
  return 0;
}

/* A member failed with rc (0: it did not). Records a field-level error and returns 0 so the
 * caller goes on with the next member while the list has room; otherwise returns rc to stop
 * the walk: a problem that is not field-level, or the list just filled (an error recorded
 * deeper down that stopped the walk is not recorded again on the way up). */
static int next_error(tc__ctx_t *c, int rc) {
  if (rc == 0 || !field_level(rc) || c->n_errs == c->max_errs) return rc;
  if (++c->n_errs == c->max_errs) return rc;
  c->err = &c->errs[c->n_errs];
  return 0;
}

/* Nesting depth counts the body object as 1; brackets inside strings do not count. */
static int prescan(const char *p, size_t n, int max_depth, tc_error_t *err) {
  size_t bad;
  if (!hg_utf8_valid(p, n, &bad))
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
  return decode_object(c, *slot, v, NULL);
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
    int rc = next_error(c, decode_element(c, fd, json_array_get(v, i), arr + i * esz));
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
    if (rc == 0) entries[i++] = e;
    if ((rc = next_error(c, rc)) != 0) return rc;
    tc__path_pop(c, mark);
  }
  *tc__count(m, fd) = i;
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

static int rejected(const char *const *reject, const char *key) {
  for (size_t i = 0; reject && reject[i]; i++)
    if (strcmp(reject[i], key) == 0) return 1;
  return 0;
}

/* reject: keys refused as unknown fields (tc_opts_t.reject_keys, top level only), or NULL. */
static int decode_object(tc__ctx_t *c, ProtobufCMessage *m, json_t *obj,
                         const char *const *reject) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    const ProtobufCFieldDescriptor *fd =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, key);
    size_t mark = tc__path_key(c, key);
    int rc = (!fd || tc__is_update_mask(fd) || rejected(reject, key))
                 ? tc__fail(c, TC_EUNKNOWN_FIELD, "unknown field \"%.64s\"", key)
                 : decode_field(c, m, fd, v);
    if ((rc = next_error(c, rc)) != 0) return rc;
    tc__path_pop(c, mark);
  }
  return 0;
}

/* The body as the value of one field (tc_opts_t.body_field). */
static int decode_body_field(tc__ctx_t *c, ProtobufCMessage *m, const char *field, json_t *root) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, field);
  if (!fd) return tc__fail(c, TC_EUNKNOWN_FIELD, "unknown field \"%.64s\"", field);
  return next_error(c, decode_field(c, m, fd, root));
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

/* The walk's outcome as tc_decode_all reports it. Out of memory is the one error even
 * after others were recorded; an error that stopped the walk unrecorded (not field-level)
 * counts now. */
static int finish(tc__ctx_t *c, int rc, size_t *n_errs) {
  if (rc == TC_ENOMEM) {
    c->errs[0] = *c->err;
    *n_errs = 1;
    return rc;
  }
  if (rc != 0 && c->n_errs < c->max_errs) c->n_errs++;
  *n_errs = c->n_errs;
  return c->n_errs ? c->errs[0].code : 0;
}

/* Size, UTF-8, depth and syntax: problems with the text as a whole. 0 with *root set, or
 * the code with *err filled. */
static int parse(const char *p, size_t n, size_t max_bytes, int max_depth, json_t **root,
                 tc_error_t *err) {
  if (n > max_bytes)
    return tc__error(err, TC_ETOOBIG, "", -1, "body is %zu bytes; the limit is %zu", n, max_bytes);
  int rc = prescan(p, n, max_depth, err);
  if (rc != 0) return rc;
  json_error_t je;
  *root = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
  if (!*root) return tc__parse_error(p, n, &je, max_depth, err);
  if (json_is_object(*root)) return 0;
  json_decref(*root);
  return tc__error(err, TC_ENOTOBJECT, "", -1, "the body must be a JSON object");
}

int tc_decode_all(ProtobufCMessage *msg, const char *p, size_t n, const tc_opts_t *opts,
                  hg_arena_t *a, tc_error_t *errs, size_t max_errs, size_t *n_errs) {
  size_t max_bytes = opts && opts->max_bytes ? opts->max_bytes : TC_DEFAULT_MAX_BYTES;
  int max_depth = opts && opts->max_depth > 0 ? opts->max_depth : TC_DEFAULT_MAX_DEPTH;
  json_t *root = NULL;
  int rc = parse(p ? p : "", p ? n : 0, max_bytes, max_depth, &root, errs);
  if (rc != 0) {
    *n_errs = 1;
    return rc;
  }
  tc__ctx_t c;
  tc__ctx_init(&c, a, errs);
  c.max_errs = max_errs ? max_errs : 1;
  rc = opts && opts->body_field ? decode_body_field(&c, msg, opts->body_field, root)
                                : decode_object(&c, msg, root, opts ? opts->reject_keys : NULL);
  if (rc == 0 && c.n_errs == 0) rc = fill_update_mask(&c, msg, root);
  json_decref(root);
  return finish(&c, rc, n_errs);
}

int tc_decode(ProtobufCMessage *msg, const char *p, size_t n, const tc_opts_t *opts, hg_arena_t *a,
              tc_error_t *err) {
  size_t n_errs;
  return tc_decode_all(msg, p, n, opts, a, err, 1, &n_errs);
}
