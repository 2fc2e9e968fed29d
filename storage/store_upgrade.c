/* store_upgrade.c - brings a store written in an older on-disk format up to date, once, as
 * it opens.
 *
 * Meta format 1 kept no record version: it predates versions in the engine. Each such record
 * gets a fresh version from the store-wide counter, so that every record has a nonzero
 * version, a conditional write never mistakes "no version" for "unconditional", and versions
 * assigned later are still larger. The counters db remembers the format reached (key 'F'),
 * so an open of an up-to-date store costs one read. */
#include "storage/store_internal.h"

/* Gives every meta entry that has no version the next one; *version is the counter. */
static int version_records(store_txn_t *t, uint64_t *version) {
  MDB_cursor *c = NULL;
  MDB_val k, v;
  int rc = store__map_err(mdb_cursor_open(t->txn, t->s->meta, &c)), crc;
  if (rc != 0) return rc;
  for (crc = mdb_cursor_get(c, &k, &v, MDB_FIRST); crc == 0;
       crc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    unsigned char buf[STORE__META_MAX];
    store__key_t key = {.n = 0};
    store__meta_t m;
    if ((rc = store__meta_decode((store_val_t){v.mv_data, v.mv_size}, &m)) != 0) goto out;
    if (m.version != 0) continue;
    m.version = ++*version;
    /* The entry grows, so the put deletes and reinserts it: the key and m point into the
     * page it rewrites, so both are copied first. */
    store__key_bytes(&key, k.mv_data, k.mv_size);
    MDB_val kc = store__key_val(&key);
    MDB_val nv = {.mv_size = store__meta_encode(&m, buf), .mv_data = buf};
    if ((rc = store__map_err(mdb_cursor_put(c, &kc, &nv, MDB_CURRENT))) != 0) goto out;
  }
  rc = crc == MDB_NOTFOUND ? 0 : store__map_err(crc);
out:
  mdb_cursor_close(c);
  return rc;
}

int store__upgrade(store_t *s, MDB_txn *txn) {
  store_txn_t t = {.s = s, .txn = txn};
  store__key_t fk, vk;
  uint64_t format, before, version;
  int rc;
  store__key_global(&fk, 'F');
  store__key_global(&vk, 'V');
  if ((rc = store__counter_get(&t, &fk, &format)) != 0) return rc;
  if (format >= STORE__META_FORMAT) return 0;
  if ((rc = store__counter_get(&t, &vk, &before)) != 0) return rc;
  version = before;
  if ((rc = version_records(&t, &version)) != 0) return rc;
  if (version != before && (rc = store__counter_set(&t, &vk, version)) != 0) return rc;
  return store__counter_set(&t, &fk, STORE__META_FORMAT);
}
