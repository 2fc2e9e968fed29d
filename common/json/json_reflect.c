/* json_reflect.c - reflection over protobuf-c descriptors shared by the decoder and the
 * encoder: how each field type is stored, field presence (oneof case, proto2 has_), map
 * detection, the well-known types with their own JSON form, and new messages in the arena.
 *
 * protobuf-c keeps no oneof names and no map flag, so: every oneof member is "present" only
 * while the case names it (a one-field oneof "_x" is therefore an optional scalar), and a
 * map is a repeated field of a nested "<Name>Entry" type with fields key=1 and value=2. */
#include <limits.h>
#include <string.h>

#include "google/protobuf/field_mask.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "google/protobuf/wrappers.pb-c.h"
#include "hangar/json/v1/json.pb-c.h"
#include "json/transcode_internal.h"

const tc__type_info_t tc__type_info[PROTOBUF_C_TYPE_MESSAGE + 1] = {
    [PROTOBUF_C_TYPE_INT32] = {TC__K_INT, 4, INT32_MIN, INT32_MAX, "integer", "int32"},
    [PROTOBUF_C_TYPE_SINT32] = {TC__K_INT, 4, INT32_MIN, INT32_MAX, "integer", "sint32"},
    [PROTOBUF_C_TYPE_SFIXED32] = {TC__K_INT, 4, INT32_MIN, INT32_MAX, "integer", "sfixed32"},
    [PROTOBUF_C_TYPE_INT64] = {TC__K_INT, 8, INT64_MIN, INT64_MAX, "integer", "int64"},
    [PROTOBUF_C_TYPE_SINT64] = {TC__K_INT, 8, INT64_MIN, INT64_MAX, "integer", "sint64"},
    [PROTOBUF_C_TYPE_SFIXED64] = {TC__K_INT, 8, INT64_MIN, INT64_MAX, "integer", "sfixed64"},
    [PROTOBUF_C_TYPE_UINT32] = {TC__K_UINT, 4, 0, UINT32_MAX, "integer", "uint32"},
    [PROTOBUF_C_TYPE_FIXED32] = {TC__K_UINT, 4, 0, UINT32_MAX, "integer", "fixed32"},
    /* JSON integers arrive as long long (jansson), so uint64 stops at INT64_MAX. */
    [PROTOBUF_C_TYPE_UINT64] = {TC__K_UINT, 8, 0, INT64_MAX, "integer", "uint64"},
    [PROTOBUF_C_TYPE_FIXED64] = {TC__K_UINT, 8, 0, INT64_MAX, "integer", "fixed64"},
    [PROTOBUF_C_TYPE_FLOAT] = {TC__K_REAL, 4, 0, 0, "number", "float"},
    [PROTOBUF_C_TYPE_DOUBLE] = {TC__K_REAL, 8, 0, 0, "number", "double"},
    [PROTOBUF_C_TYPE_BOOL] = {TC__K_BOOL, sizeof(protobuf_c_boolean), 0, 1, "boolean", "bool"},
    [PROTOBUF_C_TYPE_ENUM] = {TC__K_ENUM, 4, 0, 0, "string", "enum"},
    [PROTOBUF_C_TYPE_STRING] = {TC__K_STRING, sizeof(char *), 0, 0, "string", "string"},
    [PROTOBUF_C_TYPE_BYTES] = {TC__K_BYTES, sizeof(ProtobufCBinaryData), 0, 0, "string", "bytes"},
    [PROTOBUF_C_TYPE_MESSAGE] = {TC__K_MESSAGE, sizeof(void *), 0, 0, "object", "message"},
};

static const struct {
  const ProtobufCMessageDescriptor *d;
  tc__msg_kind_t kind;
} wkt_table[] = {
    {&google__protobuf__struct__descriptor, TC__MSG_STRUCT},
    {&google__protobuf__value__descriptor, TC__MSG_VALUE},
    {&google__protobuf__list_value__descriptor, TC__MSG_LIST},
    {&google__protobuf__field_mask__descriptor, TC__MSG_FIELDMASK},
    {&google__protobuf__double_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__float_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__int64_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__uint64_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__int32_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__uint32_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__bool_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__string_value__descriptor, TC__MSG_WRAPPER},
    {&google__protobuf__bytes_value__descriptor, TC__MSG_WRAPPER},
    {&hangar__json__v1__raw_object__descriptor, TC__MSG_RAW},
};

/* JSON type of each kind; NULL = that of the wrapped "value" field. */
static const char *const kind_expected[] = {
    [TC__MSG_PLAIN] = "object", [TC__MSG_STRUCT] = "object", [TC__MSG_VALUE] = "",
    [TC__MSG_LIST] = "array",   [TC__MSG_WRAPPER] = NULL,    [TC__MSG_FIELDMASK] = "string",
    [TC__MSG_RAW] = "object",
};

tc__msg_kind_t tc__msg_kind(const ProtobufCMessageDescriptor *d) {
  for (size_t i = 0; i < sizeof(wkt_table) / sizeof(wkt_table[0]); i++)
    if (wkt_table[i].d == d) return wkt_table[i].kind;
  return TC__MSG_PLAIN;
}

const char *tc__expected(const ProtobufCFieldDescriptor *fd) {
  if (fd->type != PROTOBUF_C_TYPE_MESSAGE) return tc__type_info[fd->type].expected;
  const ProtobufCMessageDescriptor *d = fd->descriptor;
  const char *e = kind_expected[tc__msg_kind(d)];
  return e ? e : tc__type_info[d->fields[0].type].expected;
}

ProtobufCMessage *tc_message_new(const ProtobufCMessageDescriptor *d, hg_arena_t *a) {
  ProtobufCMessage *m = hg_arena_alloc(a, d->sizeof_message);
  if (m) protobuf_c_message_init(d, m);
  return m;
}

/* proto2 optional fields of these types carry a has_ flag; strings and messages use NULL. */
static int has_flag(const ProtobufCFieldDescriptor *fd) {
  return fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->type != PROTOBUF_C_TYPE_STRING &&
         fd->type != PROTOBUF_C_TYPE_MESSAGE;
}

int tc__has_presence(const ProtobufCFieldDescriptor *fd) {
  return fd->label != PROTOBUF_C_LABEL_REPEATED &&
         ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || has_flag(fd));
}

int tc__present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd) {
  const char *q = (const char *)m + fd->quantifier_offset;
  if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
    uint32_t kase;
    memcpy(&kase, q, sizeof(kase));
    return kase == fd->id;
  }
  if (has_flag(fd)) {
    protobuf_c_boolean has;
    memcpy(&has, q, sizeof(has));
    return has != 0;
  }
  return 1;
}

void tc__set_present(ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, int on) {
  char *q = (char *)m + fd->quantifier_offset;
  if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
    uint32_t kase;
    memcpy(&kase, q, sizeof(kase));
    if (on || kase == fd->id) kase = on ? fd->id : 0;
    memcpy(q, &kase, sizeof(kase));
  } else if (has_flag(fd)) {
    protobuf_c_boolean has = on != 0;
    memcpy(q, &has, sizeof(has));
  }
}

int tc__is_map(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *fd) {
  if (fd->label != PROTOBUF_C_LABEL_REPEATED || fd->type != PROTOBUF_C_TYPE_MESSAGE) return 0;
  const ProtobufCMessageDescriptor *e = fd->descriptor;
  size_t pn = strlen(d->name), sn = strlen(e->short_name);
  return e->n_fields == 2 && sn > 5 && strcmp(e->short_name + sn - 5, "Entry") == 0 &&
         strncmp(e->name, d->name, pn) == 0 && e->name[pn] == '.' &&
         strcmp(e->name + pn + 1, e->short_name) == 0 && e->fields[0].id == 1 &&
         strcmp(e->fields[0].name, "key") == 0 && e->fields[1].id == 2 &&
         strcmp(e->fields[1].name, "value") == 0;
}

int tc__is_update_mask(const ProtobufCFieldDescriptor *fd) {
  return fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->label != PROTOBUF_C_LABEL_REPEATED &&
         fd->descriptor == &google__protobuf__field_mask__descriptor &&
         strcmp(fd->name, "update_mask") == 0;
}
