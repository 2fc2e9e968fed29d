/* store_changes.c - the change log: one entry per put or delete of a watched table, written
 * in the write's own transaction, read in version order by watches.
 *
 * An entry is keyed by its version (u64 big-endian, so byte order is version order) and
 * holds the kind (u8), the table handle (u8), the key's length (u16 BE), the key, then the
 * value. Versions are unique per write, so the log is a plain ordered map, appended at its
 * end. Retention is by count ('N' in the counters db): after each append the oldest entries
 * past changelog_max go, and the counters db's 'K' (the floor) remembers the newest version
 * dropped, which is what
 * tells "nothing happened" from "what happened is gone" (STORE_COMPACTED). Dropping one
 * entry per append keeps the cost of retention constant per write. */
#include <stdlib.h>
#include <string.h>

#include "storage/store_internal.h"

#define ENTRY_HEAD 4 /* kind, table, u16 key length */

static void floor_key(store__key_t *k) { store__key_global(k, 'K'); }

int store__log_floor(store_txn_t *t, uint64_t *out) {
  store__key_t k;
  floor_key(&k);
  return store__counter_get(t, &k, out);
}

/* The log's length is a counter ('N'), kept with every append and trim in the same txn: an
 * engine may not count a range cheaply inside a write txn (etcd), and the length decides
 * every trim. store__log_init sets it from the engine's count as the store opens. */
static void length_key(store__key_t *k) { store__key_global(k, 'N'); }

/* The oldest entry's key (8 bytes, copied into kb). */
static int oldest(store_txn_t *t, unsigned char kb[8]) {
  const store__engine_t *e = t->s->eng;
  store__cursor_t *c = NULL;
  store_val_t k = {NULL, 0}, v;
  int rc = e->cursor_open(t, t->s->changes, &c);
  if (rc != 0) return rc;
  rc = e->cursor_get(c, &k, &v, STORE__FIRST);
  if (rc == 0 && k.n != 8) rc = STORE_EIO;
  if (rc == 0) memcpy(kb, k.p, 8);
  e->cursor_close(c);
  return rc;
}

/* Drops the oldest entries until at most changelog_max remain and, in a full store, at
 * least one (`full`), so that the log keeps its length, and about its size, while deletes
 * run in the reserve: dropping by bytes instead would free a page here and there and make
 * the store flap in and out of full. Never the new entry itself. The floor and the length
 * follow. */
static int trim(store_txn_t *t, int full, uint64_t n) {
  size_t dropped_n = 0;
  uint64_t dropped = 0;
  store__key_t fk, nk;
  int rc = 0;
  for (; rc == 0 && n > 1 && (n > t->s->changelog_max || (full && dropped_n == 0)); n--) {
    unsigned char kb[8];
    rc = oldest(t, kb);
    if (rc == 0) rc = store__del(t, t->s->changes, (store_val_t){kb, 8}, NULL);
    if (rc == 0) {
      dropped = store__be64_get(kb);
      dropped_n++;
    }
  }
  if (rc != 0) {
    t->err = rc; /* a half-trimmed log would disagree with its floor */
    return rc;
  }
  length_key(&nk);
  if ((rc = store__counter_set(t, &nk, n)) != 0 || !dropped_n) return rc;
  floor_key(&fk);
  return store__counter_set(t, &fk, dropped);
}

int store__log_change(store_txn_t *t, int table, store_change_kind_t kind, uint64_t version,
                      store_val_t key, store_val_t val) {
  unsigned char kb[8], small[512];
  size_t n = ENTRY_HEAD + key.n + val.n;
  store__key_t nk;
  uint64_t len;
  store__be64_put(kb, version);
  /* The entry is assembled on the side: for a delete, val points into the engine's copy of
   * the record, which this put does not touch. */
  unsigned char *p = n <= sizeof(small) ? small : malloc(n);
  if (!p) {
    t->err = STORE_ENOMEM;
    return STORE_ENOMEM;
  }
  p[0] = (unsigned char)kind;
  p[1] = (unsigned char)table;
  p[2] = (unsigned char)(key.n >> 8);
  p[3] = (unsigned char)key.n;
  memcpy(p + ENTRY_HEAD, key.p, key.n);
  if (val.n) memcpy(p + ENTRY_HEAD + key.n, val.p, val.n);
  int rc = store__put(t, t->s->changes, (store_val_t){kb, 8}, (store_val_t){p, n}, 0);
  if (p != small) free(p);
  length_key(&nk);
  if (rc == 0) rc = store__counter_get(t, &nk, &len);
  return rc != 0 ? rc : trim(t, store_full(t->s), len + 1);
}

int store__log_init(store_txn_t *t) {
  store__key_t vk, fk, nk;
  uint64_t version, floor, len;
  size_t n;
  int rc = t->s->eng->entries(t, t->s->changes, &n);
  length_key(&nk);
  if (rc == 0) rc = store__counter_get(t, &nk, &len);
  if (rc == 0 && len != n) rc = store__counter_set(t, &nk, n);
  if (rc != 0 || n > 0) return rc;
  store__key_global(&vk, 'V');
  floor_key(&fk);
  if ((rc = store__counter_get(t, &vk, &version)) != 0) return rc;
  if ((rc = store__counter_get(t, &fk, &floor)) != 0) return rc;
  return floor < version ? store__counter_set(t, &fk, version) : 0;
}

static int decode(store_val_t k, store_val_t v, store_change_t *c) {
  const unsigned char *p = v.p;
  if (k.n != 8 || v.n < ENTRY_HEAD) return STORE_EIO;
  size_t kn = (size_t)p[2] << 8 | p[3];
  if (v.n < ENTRY_HEAD + kn || p[0] < STORE_CHANGE_ADDED || p[0] > STORE_CHANGE_DELETED)
    return STORE_EIO;
  c->version = store__be64_get(k.p);
  c->kind = (store_change_kind_t)p[0];
  c->table = p[1];
  c->key = (store_val_t){p + ENTRY_HEAD, kn};
  c->val = (store_val_t){p + ENTRY_HEAD + kn, v.n - ENTRY_HEAD - kn};
  return 0;
}

int store_changes(store_txn_t *txn, uint64_t after, size_t limit, store_change_fn fn, void *arg) {
  uint64_t floor;
  unsigned char kb[8];
  store__cursor_t *c = NULL;
  if (!txn || !fn || after == UINT64_MAX) return STORE_EINVAL;
  if (txn->err) return txn->err;
  const store__engine_t *e = txn->s->eng;
  int rc = store__log_floor(txn, &floor);
  if (rc != 0) return rc;
  if (after < floor) return STORE_COMPACTED;
  if ((rc = e->cursor_open(txn, txn->s->changes, &c)) != 0) return rc;
  store__be64_put(kb, after + 1);
  store_val_t k = {kb, 8}, v;
  size_t n = 0;
  int crc = e->cursor_get(c, &k, &v, STORE__SET_RANGE);
  for (; crc == 0 && (!limit || n < limit); crc = e->cursor_get(c, &k, &v, STORE__NEXT), n++) {
    store_change_t ch;
    if ((rc = decode(k, v, &ch)) != 0 || (rc = fn(arg, &ch)) != 0) goto out;
  }
  rc = crc == 0 || crc == STORE_NOTFOUND ? 0 : crc;
out:
  e->cursor_close(c);
  return rc;
}
