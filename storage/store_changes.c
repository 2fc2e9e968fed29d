/* store_changes.c - the change log: one entry per put or delete of a watched table, written
 * in the write's own transaction, read in version order by watches.
 *
 * An entry is keyed by its version (u64 big-endian, so byte order is version order) and
 * holds the kind (u8), the table handle (u8), the key's length (u16 BE), the key, then the
 * value. Versions are unique per write, so the log is a plain ordered map, appended at its
 * end.
 *
 * Retention is by count, in two steps. The logical step: after each append, the oldest live
 * entries past changelog_max are dropped at once by raising the floor ('K' in the counters
 * db: the newest version dropped), which tells "nothing happened" from "what happened is
 * gone" (STORE_COMPACTED); readers start above the floor, so a dropped entry is never
 * served. The physical step: the dropped entries still stored (their count is 'D') are
 * deleted oldest first, at most TRIM_MAX per append, so a write's transaction stays within
 * an engine's per-commit budget (etcd's --max-txn-ops) however far changelog_max was
 * lowered: later writes delete the rest. In the steady state one entry is dropped and
 * deleted per append, a constant cost per write. */
#include <stdlib.h>
#include <string.h>

#include "storage/store_internal.h"

#define ENTRY_HEAD 4 /* kind, table, u16 key length */
/* Dropped entries one append deletes: with the write's own keys and a batch's other writes
 * it stays well inside etcd's default 128 operations per Txn. */
#define TRIM_MAX 32

static void floor_key(store__key_t *k) { store__key_global(k, 'K'); }

int store__log_floor(store_txn_t *t, uint64_t *out) {
  store__key_t k;
  floor_key(&k);
  return store__counter_get(t, &k, out);
}

/* The log's length is a counter ('N': entries stored, dropped or not), kept with every
 * append and delete in the same txn: an engine may not count a range cheaply inside a write
 * txn (etcd), and the length decides every trim. store__log_init sets it from the engine's
 * count as the store opens. 'D' counts the stored entries at or below the floor: always
 * the oldest ones, since both steps go oldest first. */
static void length_key(store__key_t *k) { store__key_global(k, 'N'); }
static void dropped_key(store__key_t *k) { store__key_global(k, 'D'); }

/* The versions of the n oldest stored entries, oldest first, into out. */
static int oldest(store_txn_t *t, size_t n, uint64_t *out) {
  const store__engine_t *e = t->s->eng;
  store__cursor_t *c = NULL;
  store_val_t k = {NULL, 0}, v;
  int rc = e->cursor_open(t, t->s->changes, &c);
  if (rc != 0) return rc;
  rc = e->cursor_get(c, &k, &v, STORE__FIRST);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (k.n != 8) rc = STORE_EIO;
    if (rc == 0) out[i] = store__be64_get(k.p);
    if (rc == 0 && i + 1 < n) rc = e->cursor_get(c, &k, &v, STORE__NEXT);
  }
  e->cursor_close(c);
  return rc == STORE_NOTFOUND ? STORE_EIO : rc; /* fewer entries than the counters say */
}

/* The version of the nth (from 1) live entry counted from the oldest above floor (dir 1) or
 * from the newest (dir -1): a walk of n entries either way. */
static int nth(store_txn_t *t, int dir, uint64_t floor, uint64_t n, uint64_t *out) {
  const store__engine_t *e = t->s->eng;
  store__cursor_t *c = NULL;
  unsigned char kb[8];
  store_val_t k = {kb, 8}, v;
  store__be64_put(kb, floor + 1);
  int rc = e->cursor_open(t, t->s->changes, &c);
  if (rc != 0) return rc;
  rc = e->cursor_get(c, &k, &v, dir > 0 ? STORE__SET_RANGE : STORE__LAST);
  for (uint64_t i = 1; rc == 0 && i < n; i++)
    rc = e->cursor_get(c, &k, &v, dir > 0 ? STORE__NEXT : STORE__PREV);
  if (rc == 0 && k.n != 8) rc = STORE_EIO;
  if (rc == 0) *out = store__be64_get(k.p);
  e->cursor_close(c);
  return rc == STORE_NOTFOUND ? STORE_EIO : rc;
}

/* After an append that made the log n entries long (dead of them at or below the floor):
 * drops the oldest live entries until at most changelog_max live ones remain and, in a full
 * store, at least one is dropped or deleted (`full`), so that the log keeps its length, and
 * about its size, while deletes run in the reserve: dropping by bytes instead would free a
 * page here and there and make the store flap in and out of full. Never the new entry
 * itself. Then deletes up to del_max dropped entries. The floor and the counters follow. */
static int trim(store_txn_t *t, int full, uint64_t n, uint64_t dead, size_t del_max) {
  uint64_t live = n - dead, drop = live > t->s->changelog_max ? live - t->s->changelog_max : 0;
  uint64_t floor, del_v[TRIM_MAX] = {0}; /* del_max <= TRIM_MAX */
  store__key_t fk, nk, dk;
  int rc = store__log_floor(t, &floor);
  if (full && drop == 0 && dead == 0) drop = 1;
  if (drop >= live) drop = live - 1;
  size_t del = dead + drop < del_max ? (size_t)(dead + drop) : del_max;
  if (rc == 0 && del > 0) rc = oldest(t, del, del_v);
  if (rc == 0 && drop > 0) {
    /* The new floor: the newest entry dropped, found by the shorter walk. */
    if (dead + drop <= del)
      floor = del_v[dead + drop - 1];
    else if (drop <= live - drop)
      rc = nth(t, 1, floor, drop, &floor);
    else
      rc = nth(t, -1, floor, live - drop + 1, &floor);
  }
  for (size_t i = 0; rc == 0 && i < del; i++) {
    unsigned char kb[8];
    store__be64_put(kb, del_v[i]);
    rc = store__del(t, t->s->changes, (store_val_t){kb, 8}, NULL);
  }
  if (rc != 0) {
    t->err = rc; /* a half-trimmed log would disagree with its floor */
    return rc;
  }
  length_key(&nk);
  dropped_key(&dk);
  floor_key(&fk);
  if ((rc = store__counter_set(t, &nk, n - del)) != 0) return rc;
  if (drop != del) rc = store__counter_set(t, &dk, dead + drop - del);
  if (rc == 0 && drop > 0) rc = store__counter_set(t, &fk, floor);
  return rc;
}

int store__log_change(store_txn_t *t, int table, store_change_kind_t kind, uint64_t version,
                      store_val_t key, store_val_t val) {
  unsigned char kb[8], small[512];
  size_t n = ENTRY_HEAD + key.n + val.n;
  store__key_t nk, dk;
  uint64_t len, dead = 0;
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
  dropped_key(&dk);
  if (rc == 0) rc = store__counter_get(t, &nk, &len);
  if (rc == 0) rc = store__counter_get(t, &dk, &dead);
  return rc != 0 ? rc : trim(t, store_full(t->s), len + 1, dead, TRIM_MAX);
}

int store__log_init(store_txn_t *t) {
  store__key_t vk, fk, nk, dk;
  uint64_t version, floor, len, dead;
  size_t n;
  int rc = t->s->eng->entries(t, t->s->changes, &n);
  length_key(&nk);
  dropped_key(&dk);
  if (rc == 0) rc = store__counter_get(t, &nk, &len);
  if (rc == 0 && len != n) rc = store__counter_set(t, &nk, n);
  /* A store from before 'D' has none (0: every stored entry was live then); 'D' above the
   * entries stored would make a trim walk past the log's start. */
  if (rc == 0) rc = store__counter_get(t, &dk, &dead);
  if (rc == 0 && dead > n) rc = store__counter_set(t, &dk, dead = n);
  /* A retention lowered since the last open holds at once: the floor rises now, the
   * entries go with the next writes. */
  if (rc == 0 && n - dead > t->s->changelog_max) rc = trim(t, 0, n, dead, 0);
  if (rc != 0 || n > 0) return rc;
  store__key_global(&vk, 'V');
  floor_key(&fk);
  if ((rc = store__counter_get(t, &vk, &version)) != 0) return rc;
  if ((rc = store__counter_get(t, &fk, &floor)) != 0) return rc;
  return floor < version ? store__counter_set(t, &fk, version) : 0;
}

int store_log_stats(store_txn_t *txn, store_log_stats_t *out) {
  store__key_t nk, dk;
  if (!txn || !out) return STORE_EINVAL;
  if (txn->err) return txn->err;
  length_key(&nk);
  dropped_key(&dk);
  int rc = store__log_floor(txn, &out->floor);
  if (rc == 0) rc = store__counter_get(txn, &nk, &out->stored);
  if (rc == 0) rc = store__counter_get(txn, &dk, &out->dropped);
  return rc;
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
