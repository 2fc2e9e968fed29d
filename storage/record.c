/* record.c - the stored form of a record: RECORD_VERSION, then the packed message.
 *
 * The version byte lets a future schema change recognise old records instead of misreading
 * them. Unpacking allocates from the caller's arena through an allocator wrapper that
 * remembers a failed allocation, because protobuf-c reports bad bytes and out-of-memory
 * alike as NULL and callers must tell them apart. */
#include "storage/record.h"

#include <string.h>

#include "common/wire.h"

int record_pack(const ProtobufCMessage *msg, hg_buf_t *out) {
  size_t n = protobuf_c_message_get_packed_size(msg);
  if (hg_buf_reserve(out, n + 1) != 0) return STORE_ENOMEM;
  out->p[out->n] = RECORD_VERSION;
  protobuf_c_message_pack(msg, (uint8_t *)out->p + out->n + 1);
  out->n += n + 1;
  out->p[out->n] = '\0';
  return 0;
}

typedef struct tracking_alloc {
  ProtobufCAllocator inner;
  int failed;
} tracking_alloc_t;

static void *tracked_alloc(void *data, size_t size) {
  tracking_alloc_t *t = data;
  void *p = t->inner.alloc(t->inner.allocator_data, size);
  if (!p) t->failed = 1;
  return p;
}

static void tracked_free(void *data, void *p) {
  tracking_alloc_t *t = data;
  t->inner.free(t->inner.allocator_data, p);
}

int record_unpack_bytes(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                        hg_arena_t *a, ProtobufCMessage **out) {
  if (!d || !a || !out || (!p && n)) return STORE_EINVAL;
  tracking_alloc_t t = {.inner = hg_arena_pbc_allocator(a)};
  ProtobufCAllocator tracker = {tracked_alloc, tracked_free, &t};
  ProtobufCMessage *m = protobuf_c_message_unpack(d, &tracker, n, p);
  if (!m) return t.failed ? STORE_ENOMEM : STORE_EINVAL;
  *out = m;
  return 0;
}

int record_unpack(const ProtobufCMessageDescriptor *d, store_val_t v, hg_arena_t *a,
                  ProtobufCMessage **out) {
  const uint8_t *p = v.p;
  if (!p || v.n == 0 || p[0] != RECORD_VERSION) return STORE_EINVAL;
  return record_unpack_bytes(d, p + 1, v.n - 1, a, out);
}

int record_decode(const record_type_t *t, store_val_t v, hg_arena_t *a, ProtobufCMessage **out) {
  ProtobufCMessage *m = NULL;
  int rc = record_unpack(t->desc, v, a, &m);
  if (rc == 0 && !record_payload(t, m)) rc = STORE_EINVAL;
  if (rc == 0 && t->upgrade) rc = t->upgrade(m, a);
  if (rc == 0) *out = m;
  return rc;
}

void *record_payload(const record_type_t *t, const ProtobufCMessage *rec) {
  void *payload;
  memcpy(&payload, (const char *)rec + t->payload, sizeof(payload));
  return payload;
}

int record_load(store_txn_t *txn, int table, store_val_t key, const record_type_t *t, hg_arena_t *a,
                void *out) {
  store_val_t v;
  ProtobufCMessage *m;
  int rc = store_get(txn, table, key, &v);
  if (rc == 0) rc = record_decode(t, v, a, &m);
  if (rc == 0) memcpy(out, (const char *)m + t->payload, sizeof(void *)); /* the payload */
  return rc;
}

int record_collect(void *page, store_val_t key, store_val_t val) {
  (void)key;
  record_page_t *pg = page;
  ProtobufCMessage *m;
  if ((pg->rc = record_decode(pg->type, val, pg->a, &m)) != 0) return 1;
  pg->items[pg->n++] = record_payload(pg->type, m);
  return 0;
}

/* ---- payloads as wire bytes ------------------------------------------------------------- */

int record_has_field(const uint8_t *p, size_t n, uint32_t field) {
  size_t i = 0;
  hg_wire_field_t f;
  while (hg_wire_next(p, n, &i, &f) == 1)
    if (f.number == field) return 1;
  return 0;
}

/* 1 when p[0..n) holds field `field` exactly once, length-delimited, its contents in *out;
 * 0 for anything else (bytes this reader does not take included: decoding judges them). */
static int single_field(const uint8_t *p, size_t n, uint32_t field, hg_wire_field_t *out) {
  size_t i = 0;
  hg_wire_field_t f;
  int rc, seen = 0;
  while ((rc = hg_wire_next(p, n, &i, &f)) == 1) {
    if (f.number != field) continue;
    if (seen++ || f.type != HG_WIRE_LEN) return 0;
    *out = f;
  }
  return rc == 0 && seen == 1;
}

static const ProtobufCFieldDescriptor *payload_field(const record_type_t *t) {
  for (unsigned k = 0; k < t->desc->n_fields; k++)
    if (t->desc->fields[k].offset == t->payload) return &t->desc->fields[k];
  return NULL;
}

/* Reserves room for field's key and an n-byte length-delimited value, writes the key and the
 * length, and returns where the value goes (NULL: no memory). The caller writes the n bytes
 * and then counts them in with close_field. */
static uint8_t *open_field(hg_buf_t *out, uint32_t field, size_t n) {
  if (hg_buf_reserve(out, HG_WIRE_LEN_HEADER_MAX + n) != 0) return NULL;
  uint8_t *p = (uint8_t *)out->p + out->n;
  size_t k = hg_wire_put_len_header(p, field, n);
  out->n += k;
  return p + k;
}

static void close_field(hg_buf_t *out, size_t n) {
  out->n += n;
  out->p[out->n] = '\0';
}

int record_append_payload(const record_type_t *t, store_val_t v, uint32_t field, hg_arena_t *a,
                          hg_buf_t *out) {
  const uint8_t *rec = v.p;
  const ProtobufCFieldDescriptor *fd = payload_field(t);
  hg_wire_field_t f = {0};
  size_t pn;
  uint8_t *dst;
  if (!fd || !rec || v.n == 0 || rec[0] != RECORD_VERSION) return STORE_EINVAL;
  if (single_field(rec + 1, v.n - 1, fd->id, &f) &&
      (!t->upgrade || (t->current && t->current(f.p, f.n)))) {
    if (!(dst = open_field(out, field, f.n))) return STORE_ENOMEM;
    memcpy(dst, f.p, f.n);
    close_field(out, f.n);
    return 0;
  }
  ProtobufCMessage *m;
  int rc = record_decode(t, v, a, &m);
  if (rc != 0) return rc;
  const ProtobufCMessage *payload = record_payload(t, m);
  pn = protobuf_c_message_get_packed_size(payload);
  if (!(dst = open_field(out, field, pn))) return STORE_ENOMEM;
  protobuf_c_message_pack(payload, dst);
  close_field(out, pn);
  return 0;
}

int record_collect_wire(void *page, store_val_t key, store_val_t val) {
  (void)key;
  record_wire_page_t *pg = page;
  if ((pg->rc = record_append_payload(pg->type, val, pg->field, pg->a, pg->out)) != 0) return 1;
  pg->n++;
  return 0;
}

int record_page_end(const record_page_t *page, int rc, size_t *n) {
  if (page->rc) rc = page->rc;
  if (rc == 0) *n = page->n;
  return rc;
}
