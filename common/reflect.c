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

int hg_mask_has(const Google__Protobuf__FieldMask *mask, const char *path) {
  for (size_t i = 0; mask && i < mask->n_paths; i++)
    if (strcmp(mask->paths[i], path) == 0) return 1;
  return 0;
}
