/* record.c - the stored form of a record: RECORD_VERSION, then the packed message.
 *
 * The version byte lets a future schema change recognise old records instead of misreading
 * them. Unpacking allocates from the caller's arena through an allocator wrapper that
 * remembers a failed allocation, because protobuf-c reports bad bytes and out-of-memory
 * alike as NULL and callers must tell them apart. */
#include "storage/record.h"

#include <string.h>

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

/* The varint at p[*i..n) into *v: 0, or -1 when it is cut short or longer than 10 bytes. */
static int read_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned shift = 0; shift <= 63 && *i < n; shift += 7) {
    uint8_t b = p[(*i)++];
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = x;
      return 0;
    }
  }
  return -1;
}

/* The next top-level field of p[0..n) from *i: 1 with its number (and, when length-delimited,
 * its contents in val and len; else val is NULL), 0 at the end, -1 on bytes this reader does
 * not take (malformed, or groups, which no record holds): the caller then decodes. */
static int next_field(const uint8_t *p, size_t n, size_t *i, uint64_t *field, const uint8_t **val,
                      size_t *len) {
  uint64_t key, x;
  if (*i >= n) return 0;
  if (read_varint(p, n, i, &key) != 0) return -1;
  *field = key >> 3;
  *val = NULL;
  switch (key & 7) {
    case 0: return read_varint(p, n, i, &x) == 0 ? 1 : -1;
    case 1: x = 8; break;
    case 5: x = 4; break;
    case 2:
      if (read_varint(p, n, i, &x) != 0) return -1;
      *val = p + *i;
      break;
    default: return -1;
  }
  if (x > n - *i) return -1;
  *len = (size_t)x;
  *i += (size_t)x;
  return 1;
}

int record_has_field(const uint8_t *p, size_t n, uint32_t field) {
  size_t i = 0, len;
  uint64_t f;
  const uint8_t *val;
  while (next_field(p, n, &i, &f, &val, &len) == 1)
    if (f == field) return 1;
  return 0;
}

/* 1 when p[0..n) holds field `field` exactly once, length-delimited, its contents in pp and pn. */
static int single_field(const uint8_t *p, size_t n, uint32_t field, const uint8_t **pp,
                        size_t *pn) {
  size_t i = 0, len = 0;
  uint64_t f;
  const uint8_t *val;
  int rc, seen = 0;
  while ((rc = next_field(p, n, &i, &f, &val, &len)) == 1) {
    if (f != field) continue;
    if (seen++ || !val) return 0;
    *pp = val;
    *pn = len;
  }
  return rc == 0 && seen == 1;
}

static const ProtobufCFieldDescriptor *payload_field(const record_type_t *t) {
  for (unsigned k = 0; k < t->desc->n_fields; k++)
    if (t->desc->fields[k].offset == t->payload) return &t->desc->fields[k];
  return NULL;
}

static size_t put_varint(uint8_t *p, uint64_t v) {
  size_t k = 0;
  for (; v >= 0x80; v >>= 7) p[k++] = (uint8_t)(v | 0x80);
  p[k++] = (uint8_t)v;
  return k;
}

/* Reserves room for field's tag and an n-byte length-delimited value, writes the tag and the
 * length, and returns where the value goes (NULL: no memory). The caller writes the n bytes
 * and then counts them into out->n. */
static uint8_t *open_field(hg_buf_t *out, uint32_t field, size_t n) {
  if (hg_buf_reserve(out, 20 + n) != 0) return NULL;
  uint8_t *p = (uint8_t *)out->p + out->n;
  size_t k = put_varint(p, (uint64_t)field << 3 | 2);
  k += put_varint(p + k, n);
  out->n += k;
  return p + k;
}

static void close_field(hg_buf_t *out, size_t n) {
  out->n += n;
  out->p[out->n] = '\0';
}

int record_append_payload(const record_type_t *t, store_val_t v, uint32_t field, hg_arena_t *a,
                          hg_buf_t *out) {
  const uint8_t *rec = v.p, *pp = NULL;
  const ProtobufCFieldDescriptor *fd = payload_field(t);
  size_t pn = 0;
  uint8_t *dst;
  if (!fd || !rec || v.n == 0 || rec[0] != RECORD_VERSION) return STORE_EINVAL;
  if (single_field(rec + 1, v.n - 1, fd->id, &pp, &pn) &&
      (!t->upgrade || (t->current && t->current(pp, pn)))) {
    if (!(dst = open_field(out, field, pn))) return STORE_ENOMEM;
    memcpy(dst, pp, pn);
    close_field(out, pn);
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
