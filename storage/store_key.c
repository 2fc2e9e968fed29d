/* store_key.c - byte encodings of the internal databases' keys and of per-record meta.
 *
 * LMDB orders keys by memcmp, so every encoding is chosen for two properties: it can be
 * decoded without ambiguity (lengths are prefixed, never inferred from separators that could
 * occur inside a user key), and the entries a scan needs are one contiguous byte range in
 * the order the scan wants (numbers are big-endian). */
#include <string.h>

#include "storage/store_internal.h"

void store__be64_put(unsigned char *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = (unsigned char)(v & 0xff);
    v >>= 8;
  }
}

uint64_t store__be64_get(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

void store__key_bytes(store__key_t *k, const void *p, size_t n) {
  if (k->overflow || n > STORE__KEY_MAX - k->n) {
    k->overflow = 1;
    return;
  }
  if (n) memcpy(k->b + k->n, p, n);
  k->n += n;
}

void store__key_init(store__key_t *k, const store__table_t *tb) {
  k->n = 0;
  k->overflow = 0;
  store__key_bytes(k, tb->tag, tb->tag_n);
}

void store__key_global(store__key_t *k, char kind) {
  k->n = 0;
  k->overflow = 0;
  store__key_bytes(k, &kind, 1);
}

void store__key_counter(store__key_t *k, char kind, const store__table_t *tb) {
  store__key_global(k, kind);
  store__key_bytes(k, tb->tag, tb->tag_n);
}

void store__key_group(store__key_t *k, store_val_t group) {
  if (group.n > 0xffff) {
    k->overflow = 1;
    return;
  }
  unsigned char len[2] = {(unsigned char)(group.n >> 8), (unsigned char)group.n};
  store__key_bytes(k, len, 2);
  store__key_bytes(k, group.p, group.n);
}

void store__key_u64(store__key_t *k, uint64_t v) {
  unsigned char b[8];
  store__be64_put(b, v);
  store__key_bytes(k, b, 8);
}

store_val_t store__key_val(const store__key_t *k) { return (store_val_t){k->b, k->n}; }

int store__has_prefix(store_val_t k, const void *prefix, size_t n) {
  return k.n >= n && (n == 0 || memcmp(k.p, prefix, n) == 0);
}

/* Appends a u16-length-prefixed field; the caller has checked n <= STORE__KEY_MAX. */
static unsigned char *put_field(unsigned char *p, store_val_t v) {
  *p++ = (unsigned char)(v.n >> 8);
  *p++ = (unsigned char)v.n;
  if (v.n) memcpy(p, v.p, v.n);
  return p + v.n;
}

size_t store__meta_encode(const store__meta_t *m, unsigned char *buf) {
  unsigned char *p = buf;
  *p++ = STORE__META_FORMAT;
  *p++ = (unsigned char)(m->has_group != 0);
  store__be64_put(p, m->seq);
  store__be64_put(p + 8, m->version);
  p += 16;
  p = put_field(p, m->has_group ? m->group : (store_val_t){NULL, 0});
  *p++ = STORE_MAX_INDEXES;
  for (int i = 0; i < STORE_MAX_INDEXES; i++) {
    *p++ = (unsigned char)(m->idx[i].p != NULL);
    p = put_field(p, m->idx[i].p ? m->idx[i] : (store_val_t){NULL, 0});
  }
  return (size_t)(p - buf);
}

/* Reads a u16-length-prefixed field at *pos; -1 if it runs past end. */
static int get_field(const unsigned char *b, size_t end, size_t *pos, store_val_t *out) {
  if (end - *pos < 2) return -1;
  size_t n = ((size_t)b[*pos] << 8) | b[*pos + 1];
  *pos += 2;
  if (end - *pos < n) return -1;
  /* A non-NULL pointer even for an empty field: NULL means "absent" in store_keys_t. */
  *out = (store_val_t){b + *pos, n};
  *pos += n;
  return 0;
}

int store__meta_decode(store_val_t v, store__meta_t *m) {
  const unsigned char *b = v.p;
  store__meta_t r = {0};
  size_t pos = 10; /* format, group flag, seq */
  if (v.n < pos || b[0] < 1 || b[0] > STORE__META_FORMAT) return STORE_EIO;
  r.has_group = b[1];
  r.seq = store__be64_get(b + 2);
  /* Format 1 kept no version; store__upgrade gives those records one at open. */
  if (b[0] >= 2) {
    if (v.n - pos < 8) return STORE_EIO;
    r.version = store__be64_get(b + pos);
    pos += 8;
  }
  if (get_field(b, v.n, &pos, &r.group) != 0 || pos >= v.n) return STORE_EIO;
  if (b[pos++] != STORE_MAX_INDEXES) return STORE_EIO;
  for (int i = 0; i < STORE_MAX_INDEXES; i++) {
    if (pos >= v.n) return STORE_EIO;
    int present = b[pos++];
    if (get_field(b, v.n, &pos, &r.idx[i]) != 0) return STORE_EIO;
    if (!present) r.idx[i] = (store_val_t){NULL, 0};
  }
  if (!r.has_group) r.group = (store_val_t){NULL, 0};
  *m = r;
  return 0;
}
