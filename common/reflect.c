/* reflect.c - reading request fields by name. */
#include "common/reflect.h"

#include <stdint.h>
#include <string.h>

const ProtobufCFieldDescriptor *hg_string_member(const ProtobufCMessage *m, const char *name,
                                                 const char **value) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
  if (!fd || fd->type != PROTOBUF_C_TYPE_STRING || fd->label == PROTOBUF_C_LABEL_REPEATED)
    return NULL;
  if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
    uint32_t kase;
    memcpy(&kase, (const char *)m + fd->quantifier_offset, sizeof(kase));
    if (kase != fd->id) return NULL;
  }
  memcpy(value, (const char *)m + fd->offset, sizeof(*value));
  return fd;
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
