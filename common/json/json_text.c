/* json_text.c - fields set from text (URL path and query parameters) by dotted path, and
 * path lookup. Intermediate segments must name singular plain message fields; missing
 * sub-messages are created in the arena. A repeated scalar field gets the value appended,
 * so "?tag=a&tag=b" collects both. */
#include <string.h>

#include "json/transcode_internal.h"

#define TC_MAX_SEGMENT 128

/* Field named s[0..n) of d, or NULL. */
static const ProtobufCFieldDescriptor *field_named(const ProtobufCMessageDescriptor *d,
                                                   const char *s, size_t n) {
  char name[TC_MAX_SEGMENT];
  if (n == 0 || n >= sizeof(name)) return NULL;
  memcpy(name, s, n);
  name[n] = '\0';
  return protobuf_c_message_descriptor_get_field_by_name(d, name);
}

/* Can a dotted path continue through fd? */
static int traversable(const ProtobufCFieldDescriptor *fd) {
  return fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->label != PROTOBUF_C_LABEL_REPEATED &&
         tc__msg_kind(fd->descriptor) == TC__MSG_PLAIN;
}

int tc_has_field(const ProtobufCMessageDescriptor *d, const char *path) {
  for (;;) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    const ProtobufCFieldDescriptor *fd = field_named(d, path, n);
    if (!fd) return 0;
    if (!dot) return 1;
    if (!traversable(fd)) return 0;
    d = fd->descriptor;
    path = dot + 1;
  }
}

/* The sub-message behind fd, created if unset (or if its oneof holds a sibling). */
static int descend(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                   ProtobufCMessage **out) {
  ProtobufCMessage **slot = tc__slot(m, fd);
  if (!tc__present(m, fd) || !*slot) {
    if (!(*slot = tc_message_new(fd->descriptor, c->a)))
      return tc__fail(c, TC_ENOMEM, "out of memory");
    tc__set_present(m, fd, 1);
  }
  *out = *slot;
  return 0;
}

static int append_text(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                       const char *s, size_t n) {
  size_t count = *tc__count(m, fd), esz = tc__type_info[fd->type].size;
  char *old, *arr = hg_arena_alloc(c->a, (count + 1) * esz);
  if (!arr) return tc__fail(c, TC_ENOMEM, "out of memory");
  memcpy(&old, tc__slot(m, fd), sizeof(old));
  if (count) memcpy(arr, old, count * esz);
  int rc = tc__scalar_from_text(c, fd, s, n, arr + count * esz);
  if (rc != 0) return rc;
  memcpy(tc__slot(m, fd), &arr, sizeof(arr));
  *tc__count(m, fd) = count + 1;
  return 0;
}

/* A wrapper takes the text of its wrapped type. */
static int set_wrapper(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                       const char *s, size_t n) {
  const ProtobufCMessageDescriptor *d = fd->descriptor;
  ProtobufCMessage *w = tc_message_new(d, c->a);
  if (!w) return tc__fail(c, TC_ENOMEM, "out of memory");
  int rc = tc__scalar_from_text(c, &d->fields[0], s, n, tc__slot(w, &d->fields[0]));
  if (rc != 0) return rc;
  memcpy(tc__slot(m, fd), &w, sizeof(w));
  tc__set_present(m, fd, 1);
  return 0;
}

static int set_leaf(tc__ctx_t *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd,
                    const char *s, size_t n) {
  int is_msg = fd->type == PROTOBUF_C_TYPE_MESSAGE;
  if (fd->label == PROTOBUF_C_LABEL_REPEATED)
    return is_msg ? tc__fail_type(c, tc__expected(fd)) : append_text(c, m, fd, s, n);
  if (is_msg && tc__msg_kind(fd->descriptor) == TC__MSG_WRAPPER) return set_wrapper(c, m, fd, s, n);
  if (is_msg) return tc__fail_type(c, tc__expected(fd));
  int rc = tc__scalar_from_text(c, fd, s, n, tc__slot(m, fd));
  if (rc == 0) tc__set_present(m, fd, 1);
  return rc;
}

int tc_set_field_text(ProtobufCMessage *msg, const char *path, const char *value, size_t vn,
                      hg_arena_t *a, tc_error_t *err) {
  tc__ctx_t c;
  tc__ctx_init(&c, a, err);
  tc__path_key(&c, path);
  for (;;) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    const ProtobufCFieldDescriptor *fd = field_named(msg->descriptor, path, n);
    if (!fd || tc__is_update_mask(fd) || (dot && !traversable(fd)))
      return tc__fail(&c, TC_EUNKNOWN_FIELD, "unknown field \"%.*s\"", (int)n, path);
    if (!dot) return set_leaf(&c, msg, fd, value ? value : "", value ? vn : 0);
    int rc = descend(&c, msg, fd, &msg);
    if (rc != 0) return rc;
    path = dot + 1;
  }
}
