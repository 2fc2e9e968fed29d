/* resource_store.c - how resources are keyed, indexed and framed on disk. */
#include "resources/resource_store.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "common/buf.h"
#include "google/protobuf/struct.pb-c.h"
#include "storage/record.h"
#include "json/transcode.h"

/* Resource field 7 while settings_json was a google.protobuf.Struct (now reserved). */
#define LEGACY_SETTINGS_FIELD 7

static const store_index_def_t resource_indexes[] = {{.name = "resources_due", .flags = 0}};
static const store_table_def_t resource_tables[] = {
    {.name = "resources", .grouped = 1, .indexes = resource_indexes, .n_indexes = 1, .watched = 1},
};
const store_schema_t resource_schema = {.tables = resource_tables, .n_tables = 1};

static const char *const pending_statuses[] = {"creating", "updating", "deleting"};

int resource_status_pending(const char *status) {
  for (size_t i = 0; i < sizeof(pending_statuses) / sizeof(pending_statuses[0]); i++)
    if (strcmp(status, pending_statuses[i]) == 0) return 1;
  return 0;
}

store_val_t resource_key(hg_arena_t *a, const char *project_id, const char *resource_id) {
  size_t pn = strlen(project_id), rn = strlen(resource_id);
  char *k = hg_arena_alloc(a, pn + 1 + rn);
  if (!k) return (store_val_t){NULL, 0};
  memcpy(k, project_id, pn);
  memcpy(k + pn + 1, resource_id, rn);
  return (store_val_t){k, pn + 1 + rn};
}

/* The JSON text of a legacy Struct f, what the API answered for it, into *text (arena).
 * protobuf-c keeps an unknown length-delimited field with its length prefix (a varint it
 * has already checked against the bytes), so the Struct starts after it. */
static int legacy_settings_text(const ProtobufCMessageUnknownField *f, hg_arena_t *a, char **text) {
  size_t start = 0;
  while (start < f->len && (f->data[start] & 0x80)) start++;
  if (++start > f->len) return STORE_EINVAL;
  ProtobufCMessage *s;
  hg_buf_t buf = HG_BUF_INIT;
  int rc = record_unpack_bytes(&google__protobuf__struct__descriptor, f->data + start,
                               f->len - start, a, &s);
  if (rc == 0) rc = tc_encode(s, &buf) == 0 ? 0 : STORE_ENOMEM;
  if (rc == 0 && !(*text = hg_arena_strndup(a, buf.p, buf.n))) rc = STORE_ENOMEM;
  hg_buf_free(&buf);
  return rc;
}

static const ProtobufCMessageUnknownField *legacy_settings(const resource_t *r) {
  for (unsigned i = 0; i < r->base.n_unknown_fields; i++) {
    const ProtobufCMessageUnknownField *f = &r->base.unknown_fields[i];
    if (f->tag == LEGACY_SETTINGS_FIELD && f->wire_type == PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
      return f;
  }
  return NULL;
}

/* A record written while settings_json was a Struct keeps it as unknown field 7: convert
 * it to the RawObject, so such records answer the settings they answered before, and drop
 * it so the next save writes only the new field (records that old have no other unknown
 * fields). Numbers the Struct rounded stay rounded. */
static int upgrade_settings(resource_t *r, hg_arena_t *a) {
  if (r->settings_json) return 0;
  const ProtobufCMessageUnknownField *f = legacy_settings(r);
  Hangar__Json__V1__RawObject *raw = hg_arena_alloc(a, sizeof(*raw));
  if (!raw) return STORE_ENOMEM;
  hangar__json__v1__raw_object__init(raw); /* "" answers {} when there is nothing to keep */
  int rc = f ? legacy_settings_text(f, a, &raw->json) : 0;
  if (rc) return rc;
  r->settings_json = raw;
  r->base.n_unknown_fields = 0;
  r->base.unknown_fields = NULL;
  return 0;
}

static int upgrade_record(ProtobufCMessage *rec, hg_arena_t *a) {
  return upgrade_settings(((resource_record_t *)rec)->resource, a);
}

/* A resource that holds settings_json needs no upgrade_settings. */
static uint32_t settings_json_field;

static void find_settings_json(void) {
  settings_json_field = protobuf_c_message_descriptor_get_field_by_name(
                            &hangar__resources__v1__resource__descriptor, "settings_json")
                            ->id;
}

/* Runs per listed record: the field's number is looked up once. */
static int resource_current(const uint8_t *p, size_t n) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, find_settings_json);
  return record_has_field(p, n, settings_json_field);
}

const record_type_t resource_record_type = {&hangar__resources__v1__resource_record__descriptor,
                                            offsetof(resource_record_t, resource), upgrade_record,
                                            resource_current};

int resource_decode(store_val_t val, hg_arena_t *a, resource_record_t **out) {
  ProtobufCMessage *m;
  int rc = record_decode(&resource_record_type, val, a, &m);
  if (rc == 0) *out = (resource_record_t *)m;
  return rc;
}

int resource_load(store_txn_t *txn, hg_arena_t *a, store_val_t key, resource_record_t **out) {
  resource_record_t *rec;
  store_val_t val;
  int rc = store_get(txn, RES_TABLE, key, &val);
  if (rc == 0) rc = resource_decode(val, a, &rec);
  if (rc == 0) rc = store_get_version(txn, RES_TABLE, key, &rec->resource_version);
  if (rc == 0) *out = rec;
  return rc;
}

static void put_be64(unsigned char *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (unsigned char)(v & 0xff);
}

/* The stored bytes of rec, without its version: the store keeps that. */
static int pack_unversioned(resource_record_t *rec, hg_buf_t *buf) {
  uint64_t version = rec->resource_version;
  rec->resource_version = 0; /* proto3 leaves a zero scalar out of the bytes */
  int rc = record_pack(&rec->base, buf);
  rec->resource_version = version;
  return rc;
}

int resource_save_if(store_txn_t *txn, hg_arena_t *a, resource_record_t *rec, unsigned flags,
                     uint64_t expect_version) {
  const resource_t *r = rec->resource;
  unsigned char due[8];
  store_keys_t keys = {.group = {r->project_id, strlen(r->project_id)}};
  if (resource_status_pending(r->status)) {
    put_be64(due, (uint64_t)rec->due_ms);
    keys.index[RES_INDEX_DUE] = (store_val_t){due, sizeof(due)};
  }
  hg_buf_t buf = HG_BUF_INIT;
  int rc = pack_unversioned(rec, &buf);
  store_val_t key = resource_key(a, r->project_id, r->resource_id), val = {buf.p, buf.n};
  if (rc == 0 && !key.p) rc = STORE_ENOMEM;
  if (rc == 0) rc = store_put_if(txn, RES_TABLE, key, val, &keys, flags, expect_version);
  if (rc == 0) rc = store_get_version(txn, RES_TABLE, key, &rec->resource_version);
  hg_buf_free(&buf);
  return rc;
}

int resource_save(store_txn_t *txn, hg_arena_t *a, resource_record_t *rec, unsigned flags) {
  return resource_save_if(txn, a, rec, flags, 0);
}

int resource_delete_if(store_txn_t *txn, hg_arena_t *a, const resource_t *r,
                       uint64_t expect_version) {
  store_val_t key = resource_key(a, r->project_id, r->resource_id);
  return key.p ? store_del_if(txn, RES_TABLE, key, expect_version) : STORE_ENOMEM;
}
