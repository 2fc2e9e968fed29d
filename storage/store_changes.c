/* store_changes.c - the change log: one entry per put or delete of a watched table, written
 * in the write's own transaction, read in version order by watches.
 *
 * An entry is keyed by its version (u64 big-endian, so byte order is version order) and
 * holds the kind (u8), the table handle (u8), the key's length (u16 BE), the key, then the
 * value. Versions are unique per write, so the log is a plain ordered map, appended at its
 * end. Retention is by count: after each append the oldest entries past changelog_max go,
 * and the counters db's 'K' (the floor) remembers the newest version dropped, which is what
 * tells "nothing happened" from "what happened is gone" (STORE_COMPACTED). Dropping one
 * entry per append keeps the cost of retention constant per write. */
#include <string.h>

#include "storage/store_internal.h"

#define ENTRY_HEAD 4 /* kind, table, u16 key length */

static void floor_key(store__key_t *k) { store__key_global(k, 'K'); }

int store__log_floor(store_txn_t *t, uint64_t *out) {
  store__key_t k;
  floor_key(&k);
  return store__counter_get(t, &k, out);
}

static int log_entries(store_txn_t *t, size_t *out) {
  MDB_stat st;
  int rc = store__map_err(mdb_stat(t->txn, t->s->changes, &st));
  if (rc == 0) *out = st.ms_entries;
  return rc;
}

/* Drops the oldest entries until at most changelog_max remain and, in a full store, at
 * least one (`full`), so that the log keeps its length, and about its size, while deletes
 * run in the reserve: dropping by bytes instead would free a page here and there and make
 * the store flap in and out of full. Never the new entry itself. The floor follows. */
static int trim(store_txn_t *t, int full) {
  size_t n, dropped_n = 0;
  uint64_t dropped = 0;
  int rc = log_entries(t, &n);
  MDB_cursor *c = NULL;
  if (rc != 0 || (n <= t->s->changelog_max && !full)) return rc;
  if ((rc = store__map_err(mdb_cursor_open(t->txn, t->s->changes, &c))) != 0) return rc;
  for (; rc == 0 && n > 1 && (n > t->s->changelog_max || (full && dropped_n == 0)); n--) {
    MDB_val k, v;
    rc = store__fault(t->s);
    if (rc == 0) rc = store__map_err(mdb_cursor_get(c, &k, &v, MDB_FIRST));
    if (rc == 0 && k.mv_size != 8) rc = STORE_EIO;
    if (rc == 0) {
      dropped = store__be64_get(k.mv_data);
      dropped_n++;
      rc = store__map_err(mdb_cursor_del(c, 0));
    }
  }
  mdb_cursor_close(c);
  if (rc != 0) {
    t->err = rc; /* a half-trimmed log would disagree with its floor */
    return rc;
  }
  if (!dropped_n) return 0;
  store__key_t fk;
  floor_key(&fk);
  return store__counter_set(t, &fk, dropped);
}

int store__log_change(store_txn_t *t, int table, store_change_kind_t kind, uint64_t version,
                      store_val_t key, store_val_t val) {
  unsigned char kb[8];
  MDB_val k = {.mv_size = 8, .mv_data = kb};
  MDB_val v = {.mv_size = ENTRY_HEAD + key.n + val.n, .mv_data = NULL};
  store__be64_put(kb, version);
  /* MDB_RESERVE: the entry is assembled in its page, with no copy of the value on the side.
   * For a delete, val points into the table's page, which this put does not touch. */
  int rc = store__put(t, t->s->changes, &k, &v, MDB_RESERVE | MDB_APPEND);
  if (rc != 0) return rc;
  unsigned char *p = v.mv_data;
  p[0] = (unsigned char)kind;
  p[1] = (unsigned char)table;
  p[2] = (unsigned char)(key.n >> 8);
  p[3] = (unsigned char)key.n;
  memcpy(p + ENTRY_HEAD, key.p, key.n);
  if (val.n) memcpy(p + ENTRY_HEAD + key.n, val.p, val.n);
  return trim(t, store_full(t->s));
}

int store__log_init(store_t *s, MDB_txn *txn) {
  store_txn_t t = {.s = s, .txn = txn};
  store__key_t vk, fk;
  uint64_t version, floor;
  size_t n;
  int rc = log_entries(&t, &n);
  if (rc != 0 || n > 0) return rc;
  store__key_global(&vk, 'V');
  floor_key(&fk);
  if ((rc = store__counter_get(&t, &vk, &version)) != 0) return rc;
  if ((rc = store__counter_get(&t, &fk, &floor)) != 0) return rc;
  return floor < version ? store__counter_set(&t, &fk, version) : 0;
}

static int decode(MDB_val k, MDB_val v, store_change_t *c) {
  const unsigned char *p = v.mv_data;
  if (k.mv_size != 8 || v.mv_size < ENTRY_HEAD) return STORE_EIO;
  size_t kn = (size_t)p[2] << 8 | p[3];
  if (v.mv_size < ENTRY_HEAD + kn || p[0] < STORE_CHANGE_ADDED || p[0] > STORE_CHANGE_DELETED)
    return STORE_EIO;
  c->version = store__be64_get(k.mv_data);
  c->kind = (store_change_kind_t)p[0];
  c->table = p[1];
  c->key = (store_val_t){p + ENTRY_HEAD, kn};
  c->val = (store_val_t){p + ENTRY_HEAD + kn, v.mv_size - ENTRY_HEAD - kn};
  return 0;
}

int store_changes(store_txn_t *txn, uint64_t after, size_t limit, store_change_fn fn, void *arg) {
  uint64_t floor;
  unsigned char kb[8];
  MDB_cursor *c = NULL;
  if (!txn || !fn || after == UINT64_MAX) return STORE_EINVAL;
  if (txn->err) return txn->err;
  int rc = store__log_floor(txn, &floor);
  if (rc != 0) return rc;
  if (after < floor) return STORE_COMPACTED;
  if ((rc = store__map_err(mdb_cursor_open(txn->txn, txn->s->changes, &c))) != 0) return rc;
  store__be64_put(kb, after + 1);
  MDB_val k = {.mv_size = 8, .mv_data = kb}, v;
  size_t n = 0;
  int crc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
  for (; crc == 0 && (!limit || n < limit); crc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
    store_change_t ch;
    if ((rc = decode(k, v, &ch)) != 0 || (rc = fn(arg, &ch)) != 0) goto out;
  }
  rc = crc == 0 || crc == MDB_NOTFOUND ? 0 : store__map_err(crc);
out:
  mdb_cursor_close(c);
  return rc;
}
