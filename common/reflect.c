/* reflect.c - reading request fields by name. */
#include "common/reflect.h"

#include <stdint.h>
#include <string.h>

static const void *member(const ProtobufCMessage *msg, size_t offset) {
  const void *v;
  memcpy(&v, (const char *)msg + offset, sizeof(v));
  return v;
}

/* The one string field of a wrapper message (StringValue, RawObject), or NULL. */
static const char *wrapped_string(const ProtobufCMessage *m) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  if (d->n_fields != 1 || d->fields[0].type != PROTOBUF_C_TYPE_STRING ||
      d->fields[0].label == PROTOBUF_C_LABEL_REPEATED)
    return NULL;
  return member(m, d->fields[0].offset);
}

const char *hg_field_string(const ProtobufCMessage *msg, const char *name) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
  if (!fd || fd->label == PROTOBUF_C_LABEL_REPEATED) return NULL;
  if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
    uint32_t kase;
    memcpy(&kase, (const char *)msg + fd->quantifier_offset, sizeof(kase));
    if (kase != fd->id) return NULL;
  }
  const void *v = member(msg, fd->offset);
  if (fd->type == PROTOBUF_C_TYPE_MESSAGE) return v ? wrapped_string(v) : NULL;
  if (fd->type != PROTOBUF_C_TYPE_STRING) return NULL;
  const char *s = v;
  return (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || (s && *s) ? s : NULL;
}

/* A field whose value is one pointer, copied as is. */
static int pointer_field(const ProtobufCFieldDescriptor *fd) {
  return fd->label != PROTOBUF_C_LABEL_REPEATED && !(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
         (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_MESSAGE);
}

void hg_copy_shared_fields(const ProtobufCMessage *src, ProtobufCMessage *dst) {
  const ProtobufCMessageDescriptor *dd = dst->descriptor;
  for (unsigned i = 0; i < dd->n_fields; i++) {
    const ProtobufCFieldDescriptor *to = &dd->fields[i];
    const ProtobufCFieldDescriptor *from =
        protobuf_c_message_descriptor_get_field_by_name(src->descriptor, to->name);
    if (!from || !pointer_field(to) || !pointer_field(from) || from->type != to->type ||
        from->descriptor != to->descriptor)
      continue;
    memcpy((char *)dst + to->offset, (const char *)src + from->offset, sizeof(void *));
  }
}

int hg_mask_has(const Google__Protobuf__FieldMask *mask, const char *path) {
  for (size_t i = 0; mask && i < mask->n_paths; i++)
    if (strcmp(mask->paths[i], path) == 0) return 1;
  return 0;
}
