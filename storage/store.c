/* store.c - records and their secondary indexes: get, put, delete, scans and counters.
 *
 * A put or delete changes the table, its index entries, its group position, its meta entry
 * and the counters in the caller's transaction, so they can never disagree. The meta entry
 * remembers the keys a record was stored with; that is how an overwrite or a delete finds
 * the old index entries without the caller repeating them, and it holds the record's version,
 * which every put takes fresh from the store-wide counter and conditional writes compare.
 *
 * Every check that can refuse a put (arguments, NOOVERWRITE, version, unique) runs before
 * the first write, so a refused put leaves the transaction unchanged. An engine failure
 * in the middle is sticky on the transaction (store_env.c) and rolls the whole write back. */
#include <string.h>

#include "storage/store_internal.h"

static const store_keys_t no_keys;

const store__table_t *store__table(store_txn_t *t, int table) {
  if (!t || table < 0 || (size_t)table >= t->s->n_tables) return NULL;
  return &t->s->tables[table];
}

static int val_eq(store_val_t a, store_val_t b) {
  return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* A primary key must fit in a meta key (table tag + key). */
static int valid_pkey(const store__table_t *tb, store_val_t key) {
  return key.p && key.n > 0 && key.n <= STORE__KEY_MAX - tb->tag_n;
}

/* valid_pkey bounds the key, so the encoding always fits. */
static void meta_key(const store__table_t *tb, store_val_t key, store__key_t *k) {
  store__key_init(k, tb);
  store__key_bytes(k, key.p, key.n);
}

/* Reads key's meta into buf (copied: a later write may move the engine's pages) and decodes
 * it. */
static int load_meta(store_txn_t *t, const store__table_t *tb, store_val_t key, unsigned char *buf,
                     store__meta_t *m) {
  store__key_t k;
  store_val_t v;
  int rc;
  meta_key(tb, key, &k);
  if ((rc = store__get(t, t->s->meta, store__key_val(&k), &v)) != 0) return rc;
  if (v.n > STORE__META_MAX) return STORE_EIO;
  memcpy(buf, v.p, v.n);
  return store__meta_decode((store_val_t){buf, v.n}, m);
}

static int save_meta(store_txn_t *t, const store__table_t *tb, store_val_t key,
                     const store__meta_t *m) {
  unsigned char buf[STORE__META_MAX];
  store__key_t k;
  meta_key(tb, key, &k);
  store_val_t v = {buf, store__meta_encode(m, buf)};
  return store__put(t, t->s->meta, store__key_val(&k), v, 0);
}

int store__counter_get(store_txn_t *t, const store__key_t *key, uint64_t *out) {
  return store__get_u64(t, t->s->counters, store__key_val(key), out);
}

int store__counter_set(store_txn_t *t, const store__key_t *key, uint64_t n) {
  unsigned char b[8];
  store__be64_put(b, n);
  return store__put(t, t->s->counters, store__key_val(key), (store_val_t){b, 8}, 0);
}

/* Adds delta to the counter at key; the new value goes to *out. */
static int bump(store_txn_t *t, const store__key_t *key, int64_t delta, uint64_t *out) {
  uint64_t n;
  int rc = store__counter_get(t, key, &n);
  if (rc == 0) rc = store__counter_set(t, key, n + (uint64_t)delta);
  if (rc == 0 && out) *out = n + (uint64_t)delta;
  return rc;
}

static int next_version(store_txn_t *t, uint64_t *out) {
  store__key_t k;
  store__key_global(&k, 'V');
  return bump(t, &k, 1, out);
}

/* A version expectation against the record's meta (NULL: no record). */
static int check_version(const store__meta_t *cur, uint64_t expect) {
  if (expect == 0) return 0;
  if (!cur) return STORE_NOTFOUND;
  return cur->version == expect ? 0 : STORE_CONFLICT;
}

static int check_keys(const store__table_t *tb, const store_keys_t *k) {
  if (k->group.p && (!tb->grouped || k->group.n > STORE__KEY_MAX - tb->tag_n - 10))
    return STORE_EINVAL;
  for (size_t i = 0; i < STORE_MAX_INDEXES; i++) {
    if (!k->index[i].p) continue;
    if (i >= tb->n_indexes || k->index[i].n == 0 || k->index[i].n > STORE__KEY_MAX)
      return STORE_EINVAL;
  }
  return 0;
}

/* STORE_EXISTS when a unique index entry the put wants belongs to another record. */
static int check_unique(store_txn_t *t, const store__table_t *tb, store_val_t key,
                        const store_keys_t *k) {
  for (size_t i = 0; i < tb->n_indexes; i++) {
    if (!tb->unique[i] || !k->index[i].p) continue;
    store_val_t pk;
    int rc = store__get(t, tb->idx[i], k->index[i], &pk);
    if (rc == STORE_NOTFOUND) continue;
    if (rc != 0) return rc;
    if (!val_eq(pk, key)) return STORE_EXISTS;
  }
  return 0;
}

/* Replaces the index entries of old (NULL: none) with those of nu, touching only changes. */
static int update_indexes(store_txn_t *t, const store__table_t *tb, store_val_t key,
                          const store__meta_t *old, const store__meta_t *nu) {
  for (size_t i = 0; i < tb->n_indexes; i++) {
    store_val_t o = old ? old->idx[i] : (store_val_t){NULL, 0}, n = nu->idx[i];
    int same = o.p && n.p && val_eq(o, n), rc = 0;
    if (o.p && !same) rc = store__del(t, tb->idx[i], o, tb->unique[i] ? NULL : &key);
    if (rc == 0 && n.p && !same) rc = store__put(t, tb->idx[i], n, key, 0);
    if (rc != 0) return rc;
  }
  return 0;
}

/* Keeps the group position when the group is unchanged; otherwise leaves the old group and
 * appends to the new one. Sets nu->seq. */
static int update_group(store_txn_t *t, const store__table_t *tb, store_val_t key,
                        const store__meta_t *old, store__meta_t *nu) {
  int old_in = old && old->has_group, rc;
  if (old_in && nu->has_group && val_eq(old->group, nu->group)) {
    nu->seq = old->seq;
    return 0;
  }
  if (old_in && (rc = store__group_remove(t, tb, old->group, old->seq)) != 0) return rc;
  return nu->has_group ? store__group_add(t, tb, nu->group, key, &nu->seq) : 0;
}

static void count_key(const store__table_t *tb, store__key_t *k) { store__key_counter(k, 'T', tb); }

/* Writes the record and everything derived from it under a fresh version; old is NULL for
 * a new record. */
static int write_record(store_txn_t *t, const store__table_t *tb, store_val_t key, store_val_t val,
                        const store__meta_t *old, store__meta_t *nu) {
  store__key_t ck;
  int rc;
  if ((rc = next_version(t, &nu->version)) != 0) return rc;
  if ((rc = store__put(t, tb->dbi, key, val, 0)) != 0) return rc;
  if (tb->watched && (rc = store__log_change(t, (int)(tb - t->s->tables),
                                             old ? STORE_CHANGE_MODIFIED : STORE_CHANGE_ADDED,
                                             nu->version, key, val)) != 0)
    return rc;
  if ((rc = update_indexes(t, tb, key, old, nu)) != 0) return rc;
  if ((rc = update_group(t, tb, key, old, nu)) != 0) return rc;
  if ((rc = save_meta(t, tb, key, nu)) != 0 || old) return rc;
  count_key(tb, &ck);
  return bump(t, &ck, 1, NULL);
}

int store_put_if(store_txn_t *txn, int table, store_val_t key, store_val_t val,
                 const store_keys_t *keys, unsigned flags, uint64_t expect_version) {
  const store__table_t *tb = store__table(txn, table);
  const store_keys_t *k = keys ? keys : &no_keys;
  unsigned char oldbuf[STORE__META_MAX];
  store__meta_t old, nu = {0};
  int rc;
  if (!tb || !valid_pkey(tb, key) || (!val.p && val.n)) return STORE_EINVAL;
  if (txn->rdonly) return STORE_ERDONLY;
  if ((rc = check_keys(tb, k)) != 0) return rc;
  rc = load_meta(txn, tb, key, oldbuf, &old);
  if (rc != 0 && rc != STORE_NOTFOUND) return rc;
  int had = rc == 0;
  if (had && (flags & STORE_PUT_NOOVERWRITE)) return STORE_EXISTS;
  if ((rc = check_version(had ? &old : NULL, expect_version)) != 0) return rc;
  if ((rc = check_unique(txn, tb, key, k)) != 0) return rc;
  nu.has_group = k->group.p != NULL;
  nu.group = k->group;
  memcpy(nu.idx, k->index, sizeof(nu.idx));
  return write_record(txn, tb, key, val, had ? &old : NULL, &nu);
}

int store_put(store_txn_t *txn, int table, store_val_t key, store_val_t val,
              const store_keys_t *keys, unsigned flags) {
  return store_put_if(txn, table, key, val, keys, flags, 0);
}

/* A delete of a watched record is a change of its own: it takes a fresh version, and the log
 * keeps the value it removes (a watcher's DELETED shows the object's last state). */
static int log_delete(store_txn_t *t, const store__table_t *tb, store_val_t key) {
  store_val_t v;
  uint64_t version;
  int rc = store__get(t, tb->dbi, key, &v);
  if (rc == 0) rc = next_version(t, &version);
  if (rc != 0) return rc;
  return store__log_change(t, (int)(tb - t->s->tables), STORE_CHANGE_DELETED, version, key, v);
}

int store_del_if(store_txn_t *txn, int table, store_val_t key, uint64_t expect_version) {
  const store__table_t *tb = store__table(txn, table);
  unsigned char oldbuf[STORE__META_MAX];
  store__meta_t old, none = {0};
  store__key_t mk, ck;
  int rc;
  if (!tb || !valid_pkey(tb, key)) return STORE_EINVAL;
  if (txn->rdonly) return STORE_ERDONLY;
  if ((rc = load_meta(txn, tb, key, oldbuf, &old)) != 0) return rc;
  if ((rc = check_version(&old, expect_version)) != 0) return rc;
  if (tb->watched && (rc = log_delete(txn, tb, key)) != 0) return rc;
  if ((rc = store__del(txn, tb->dbi, key, NULL)) != 0) return rc;
  if ((rc = update_indexes(txn, tb, key, &old, &none)) != 0) return rc;
  if ((rc = update_group(txn, tb, key, &old, &none)) != 0) return rc;
  meta_key(tb, key, &mk);
  count_key(tb, &ck);
  if ((rc = store__del(txn, txn->s->meta, store__key_val(&mk), NULL)) != 0) return rc;
  return bump(txn, &ck, -1, NULL);
}

int store_del(store_txn_t *txn, int table, store_val_t key) {
  return store_del_if(txn, table, key, 0);
}

int store_get_version(store_txn_t *txn, int table, store_val_t key, uint64_t *out) {
  const store__table_t *tb = store__table(txn, table);
  unsigned char buf[STORE__META_MAX];
  store__meta_t m;
  if (!tb || !valid_pkey(tb, key) || !out) return STORE_EINVAL;
  int rc = load_meta(txn, tb, key, buf, &m);
  if (rc == 0) *out = m.version;
  return rc;
}

int store_get(store_txn_t *txn, int table, store_val_t key, store_val_t *out) {
  const store__table_t *tb = store__table(txn, table);
  if (!tb || !valid_pkey(tb, key) || !out) return STORE_EINVAL;
  return store__get(txn, tb->dbi, key, out);
}

int store_get_by_index(store_txn_t *txn, int table, int index, store_val_t ikey, store_val_t *pkey,
                       store_val_t *out) {
  const store__table_t *tb = store__table(txn, table);
  store_val_t pk, v;
  int rc;
  if (!tb || index < 0 || (size_t)index >= tb->n_indexes || !ikey.p || ikey.n == 0 ||
      ikey.n > STORE__KEY_MAX || !pkey || !out)
    return STORE_EINVAL;
  /* On a dupsort (non-unique) index a get returns the first primary key. */
  if ((rc = store__get(txn, tb->idx[index], ikey, &pk)) != 0) return rc;
  if ((rc = store__get(txn, tb->dbi, pk, &v)) != 0) return rc;
  *pkey = pk;
  *out = v;
  return 0;
}

/* Passes one entry to fn: the entry itself, or when tdb is set, the record whose primary
 * key is the entry's data. */
static int visit(store_txn_t *t, const unsigned *tdb, store_val_t k, store_val_t v,
                 store_iter_fn fn, void *arg) {
  store_val_t rec;
  if (!tdb) return fn(arg, k, v);
  int rc = store__get(t, *tdb, v, &rec);
  return rc != 0 ? rc : fn(arg, v, rec);
}

/* A cursor error is sticky like any engine error: the txn's view may be incomplete. */
static int cursor_rc(store_txn_t *t, int crc) {
  if (crc == 0 || crc == STORE_NOTFOUND) return 0;
  if (crc == STORE_EIO || crc == STORE_ENOMEM || crc == STORE_FULL || crc == STORE_UNAVAILABLE)
    t->err = crc;
  return crc;
}

int store__walk(store_txn_t *t, unsigned db, store_val_t start, store_val_t prefix,
                const unsigned *tdb, size_t limit, store_iter_fn fn, void *arg) {
  const store__engine_t *e = t->s->eng;
  store__cursor_t *c = NULL;
  store_val_t k = start, v;
  size_t n = 0;
  int rc, crc;
  if (t->err) return t->err;
  if ((rc = e->cursor_open(t, db, &c)) != 0) return rc;
  crc = e->cursor_get(c, &k, &v, start.n ? STORE__SET_RANGE : STORE__FIRST);
  for (; crc == 0; crc = e->cursor_get(c, &k, &v, STORE__NEXT)) {
    if (!store__has_prefix(k, prefix.p, prefix.n) || (limit && n == limit)) break;
    n++;
    if ((rc = visit(t, tdb, k, v, fn, arg)) != 0) goto out;
  }
  rc = cursor_rc(t, crc);
out:
  e->cursor_close(c);
  return rc;
}

int store_scan(store_txn_t *txn, int table, store_val_t prefix, size_t limit, store_iter_fn fn,
               void *arg) {
  const store__table_t *tb = store__table(txn, table);
  if (!tb || !fn || (!prefix.p && prefix.n)) return STORE_EINVAL;
  return store__walk(txn, tb->dbi, prefix, prefix, NULL, limit, fn, arg);
}

int store_index_scan(store_txn_t *txn, int table, int index, store_val_t prefix, size_t limit,
                     store_iter_fn fn, void *arg) {
  const store__table_t *tb = store__table(txn, table);
  if (!tb || index < 0 || (size_t)index >= tb->n_indexes || !fn || (!prefix.p && prefix.n))
    return STORE_EINVAL;
  return store__walk(txn, tb->idx[index], prefix, prefix, &tb->dbi, limit, fn, arg);
}

/* Places c on the last entry whose key starts with prefix (STORE_NOTFOUND: none): the entry
 * before the first key past every such key. That key is the prefix with its trailing 0xff
 * bytes dropped and its last byte incremented; with no such key, the database's last. */
static int seek_last(const store__engine_t *e, store__cursor_t *c, store_val_t prefix,
                     store_val_t *k, store_val_t *v) {
  unsigned char next[STORE__KEY_MAX];
  size_t n = prefix.n < sizeof(next) ? prefix.n : 0;
  if (n) memcpy(next, prefix.p, n);
  while (n && next[n - 1] == 0xff) n--;
  int crc = STORE_NOTFOUND;
  if (n) {
    next[n - 1]++;
    *k = (store_val_t){next, n};
    crc = e->cursor_get(c, k, v, STORE__SET_RANGE);
  }
  if (crc != 0 && crc != STORE_NOTFOUND) return crc;
  crc = crc == 0 ? e->cursor_get(c, k, v, STORE__PREV) : e->cursor_get(c, k, v, STORE__LAST);
  if (crc == 0 && !store__has_prefix(*k, prefix.p, prefix.n)) crc = STORE_NOTFOUND;
  return crc;
}

int store_index_walk(store_txn_t *txn, int table, int index, store_val_t prefix,
                     const store_walk_t *w, store_iter_fn fn, void *arg) {
  const store__table_t *tb = store__table(txn, table);
  if (!tb || index < 0 || (size_t)index >= tb->n_indexes || !w || !fn || (!prefix.p && prefix.n) ||
      prefix.n >= STORE__KEY_MAX)
    return STORE_EINVAL;
  if (txn->err) return txn->err;
  const store__engine_t *e = txn->s->eng;
  store__cursor_t *c = NULL;
  store_val_t k = prefix, v;
  int rc = e->cursor_open(txn, tb->idx[index], &c);
  if (rc) return rc;
  int crc = w->reverse ? seek_last(e, c, prefix, &k, &v)
                       : e->cursor_get(c, &k, &v, prefix.n ? STORE__SET_RANGE : STORE__FIRST);
  store__cursor_op_t step = w->reverse ? STORE__PREV : STORE__NEXT;
  uint64_t skipped = 0;
  size_t n = 0;
  for (; crc == 0; crc = e->cursor_get(c, &k, &v, step)) {
    if (!store__has_prefix(k, prefix.p, prefix.n) || (w->limit && n == w->limit)) break;
    if (skipped < w->skip) {
      skipped++;
      continue;
    }
    n++;
    if ((rc = visit(txn, &tb->dbi, k, v, fn, arg)) != 0) goto out;
  }
  rc = cursor_rc(txn, crc);
out:
  e->cursor_close(c);
  return rc;
}

int store_index_count(store_txn_t *txn, int table, int index, store_val_t prefix, uint64_t *out) {
  const store__table_t *tb = store__table(txn, table);
  if (!tb || index < 0 || (size_t)index >= tb->n_indexes || !out || (!prefix.p && prefix.n))
    return STORE_EINVAL;
  if (txn->err) return txn->err;
  const store__engine_t *e = txn->s->eng;
  store__cursor_t *c = NULL;
  store_val_t k = prefix, v;
  uint64_t n = 0;
  int rc = e->cursor_open(txn, tb->idx[index], &c);
  if (rc) return rc;
  int crc = e->cursor_get(c, &k, &v, prefix.n ? STORE__SET_RANGE : STORE__FIRST);
  for (; crc == 0 && store__has_prefix(k, prefix.p, prefix.n);
       crc = e->cursor_get(c, &k, &v, STORE__NEXT))
    n++;
  rc = cursor_rc(txn, crc);
  e->cursor_close(c);
  if (rc == 0) *out = n;
  return rc;
}

int store_table_count(store_txn_t *txn, int table, uint64_t *out) {
  const store__table_t *tb = store__table(txn, table);
  store__key_t ck;
  uint64_t n;
  if (!tb || !out) return STORE_EINVAL;
  count_key(tb, &ck);
  int rc = store__counter_get(txn, &ck, &n);
  if (rc == 0) *out = n;
  return rc;
}

int store_current_version(store_txn_t *txn, uint64_t *out) {
  store__key_t k;
  if (!txn || !out) return STORE_EINVAL;
  store__key_global(&k, 'V');
  return store__counter_get(txn, &k, out);
}

int store_next_version(store_txn_t *txn, uint64_t *out) {
  if (!txn || !out) return STORE_EINVAL;
  if (txn->rdonly) return STORE_ERDONLY;
  return next_version(txn, out);
}
