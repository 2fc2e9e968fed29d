/* labels_pb.c - labels <-> protobuf-c: map<string,string> fields by reflection (every
 * message with a labels map has its own generated entry type, all laid out as key, value),
 * and PATCH objects kept as google.protobuf.Struct. */
#include <string.h>

#include "common/labels.h"

/* The map<string,string> field named field of d, or NULL. */
static const ProtobufCFieldDescriptor *map_field(const ProtobufCMessageDescriptor *d,
                                                 const char *field) {
  const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field_by_name(d, field);
  if (!fd || fd->label != PROTOBUF_C_LABEL_REPEATED || fd->type != PROTOBUF_C_TYPE_MESSAGE)
    return NULL;
  const ProtobufCMessageDescriptor *e = fd->descriptor;
  if (e->n_fields != 2 || e->fields[0].type != PROTOBUF_C_TYPE_STRING ||
      e->fields[1].type != PROTOBUF_C_TYPE_STRING)
    return NULL;
  return fd;
}

static const char *entry_string(const ProtobufCMessage *e, unsigned i) {
  const char *s;
  memcpy(&s, (const char *)e + e->descriptor->fields[i].offset, sizeof(s));
  return s ? s : "";
}

/* protobuf-c string fields are char *; packing and encoding only read them. */
static void set_entry_string(ProtobufCMessage *e, unsigned i, const char *s) {
  char *p = (char *)s;
  memcpy((char *)e + e->descriptor->fields[i].offset, &p, sizeof(p));
}

int hg_labels_from_map(const ProtobufCMessage *m, const char *field, hg_arena_t *a,
                       hg_labels_t *out) {
  const ProtobufCFieldDescriptor *fd = map_field(m->descriptor, field);
  if (!fd) return -1;
  size_t n;
  ProtobufCMessage *const *entries;
  memcpy(&n, (const char *)m + fd->quantifier_offset, sizeof(n));
  memcpy(&entries, (const char *)m + fd->offset, sizeof(entries));
  hg_label_t *items = hg_arena_alloc(a, (n ? n : 1) * sizeof(*items));
  if (!items) return -1;
  for (size_t i = 0; i < n; i++)
    items[i] = (hg_label_t){entry_string(entries[i], 0), entry_string(entries[i], 1)};
  *out = (hg_labels_t){items, n};
  return 0;
}

int hg_labels_to_map(ProtobufCMessage *m, const char *field, const hg_labels_t *l, hg_arena_t *a) {
  const ProtobufCFieldDescriptor *fd = map_field(m->descriptor, field);
  if (!fd) return -1;
  const ProtobufCMessageDescriptor *ed = fd->descriptor;
  ProtobufCMessage **entries = hg_arena_alloc(a, (l->n ? l->n : 1) * sizeof(*entries));
  if (!entries) return -1;
  for (size_t i = 0; i < l->n; i++) {
    ProtobufCMessage *e = hg_arena_alloc(a, ed->sizeof_message);
    if (!e) return -1;
    ed->message_init(e);
    set_entry_string(e, 0, l->items[i].key);
    set_entry_string(e, 1, l->items[i].value);
    entries[i] = e;
  }
  memcpy((char *)m + fd->quantifier_offset, &l->n, sizeof(l->n));
  memcpy((char *)m + fd->offset, &entries, sizeof(entries));
  return 0;
}

int hg_labels_from_struct(const hg_labels_cfg_t *cfg, const Google__Protobuf__Struct *s,
                          hg_arena_t *a, hg_status_t *st, hg_labels_t *out) {
  size_t n = s ? s->n_fields : 0, broken = 0;
  hg_label_t *items = hg_arena_alloc(a, (n ? n : 1) * sizeof(*items));
  if (!items) return -1;
  for (size_t i = 0; i < n; i++) {
    const Google__Protobuf__Value *v = s->fields[i]->value;
    items[i].key = s->fields[i]->key;
    if (v && v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE) {
      items[i].value = v->string_value;
    } else if (!v || v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE) {
      items[i].value = NULL;
    } else {
      const char *field = hg_arena_sprintf(a, "%s.%s", cfg->field, items[i].key);
      if (!field) return -1;
      hg_status_violation(st, field, "is_string", "label values must be strings or null");
      broken++;
    }
  }
  if (broken == 0) *out = (hg_labels_t){items, n};
  return (int)broken;
}
