/* store_upgrade.c - brings a store written in an older on-disk format up to date, once, as
 * it opens.
 *
 * Meta format 1 kept no record version: it predates versions in the engine. Each such record
 * gets a fresh version from the store-wide counter, so that every record has a nonzero
 * version, a conditional write never mistakes "no version" for "unconditional", and versions
 * assigned later are still larger. The counters db remembers the format reached (key 'F'),
 * so an open of an up-to-date store costs one read. */
#include <string.h>

#include "storage/store_internal.h"

/* The first meta entry with a key >= from (copied into *key) whose meta has no version.
 * STORE_NOTFOUND when none is left. A cursor per entry: the put that follows rewrites the
 * entry, which a cursor kept open across it need not survive on every engine. */
static int next_unversioned(store_txn_t *t, store__key_t *key, store__meta_t *m,
                            unsigned char *buf) {
  const store__engine_t *e = t->s->eng;
  store__cursor_t *c = NULL;
  store_val_t k = store__key_val(key), v;
  int rc = e->cursor_open(t, t->s->meta, &c);
  if (rc != 0) return rc;
  rc = e->cursor_get(c, &k, &v, k.n ? STORE__SET_RANGE : STORE__FIRST);
  for (; rc == 0; rc = e->cursor_get(c, &k, &v, STORE__NEXT)) {
    if (v.n > STORE__META_MAX) {
      rc = STORE_EIO;
      break;
    }
    memcpy(buf, v.p, v.n);
    if ((rc = store__meta_decode((store_val_t){buf, v.n}, m)) != 0) break;
    if (m->version != 0) continue;
    key->n = 0;
    store__key_bytes(key, k.p, k.n);
    break;
  }
  e->cursor_close(c);
  return rc;
}

/* Gives every meta entry that has no version the next one; *version is the counter. */
static int version_records(store_txn_t *t, uint64_t *version) {
  store__key_t key = {.n = 0};
  unsigned char old[STORE__META_MAX], nu[STORE__META_MAX];
  store__meta_t m;
  int rc;
  while ((rc = next_unversioned(t, &key, &m, old)) == 0) {
    m.version = ++*version;
    store_val_t nv = {nu, store__meta_encode(&m, nu)};
    if ((rc = store__put(t, t->s->meta, store__key_val(&key), nv, 0)) != 0) return rc;
  }
  return rc == STORE_NOTFOUND ? 0 : rc;
}

int store__upgrade(store_txn_t *t) {
  store__key_t fk, vk;
  uint64_t format, before, version;
  int rc;
  store__key_global(&fk, 'F');
  store__key_global(&vk, 'V');
  if ((rc = store__counter_get(t, &fk, &format)) != 0) return rc;
  if (format >= STORE__META_FORMAT) return 0;
  if ((rc = store__counter_get(t, &vk, &before)) != 0) return rc;
  version = before;
  if ((rc = version_records(t, &version)) != 0) return rc;
  if (version != before && (rc = store__counter_set(t, &vk, version)) != 0) return rc;
  return store__counter_set(t, &fk, STORE__META_FORMAT);
}
