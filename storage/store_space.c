/* store_space.c - when an LMDB store counts as full, and the reserve that keeps deletes
 * working (the LMDB engine's space_over, space_used and tree_pages; store_engine.h).
 *
 * LMDB needs fresh pages even to delete (copy-on-write), so a map filled to its last page
 * could refuse the very deletes that would make room. The store therefore calls itself full
 * a reserve short of the map's end: past that line a write is kept only if it did not grow
 * the trees (store__tree_pages before and after it, inside its nested transaction), so
 * deletes and same-size updates commit in the reserve and nothing else can eat it. We judge
 * writes by their effect rather than by a flag on each call site, which could be forgotten
 * and would have to anticipate every path (a delete that also bumps a counter). Pages in use are the file's high-water mark less the
 * free list (pages earlier transactions freed, which LMDB reuses), so deletes bring a full
 * store back under the line without shrinking the file. */
#include "storage/store_lmdb.h"

#define RESERVE_DIVISOR 8              /* the reserve is an eighth of the map ... */
#define RESERVE_MAX ((size_t)64 << 20) /* ... but never more than 64 MiB ... */
/* ... and never less than one write's copy-on-write needs: every tree a write touches
 * (table, indexes, groups, counters, meta) copies its path from root to leaf, and a write that
 * crosses the line in one step must still fit below the map's end, as must the deletes that
 * follow. 64 pages hold that with room for the busiest writes (a product's: ten trees). */
#define RESERVE_MIN ((size_t)64 * 4096)

size_t store__soft_limit(size_t map_size) {
  size_t reserve = map_size / RESERVE_DIVISOR;
  if (reserve > RESERVE_MAX) reserve = RESERVE_MAX;
  if (reserve < RESERVE_MIN) reserve = RESERVE_MIN;
  return map_size > reserve ? map_size - reserve : 0;
}

/* Pages on the free list: each of its records is an array of page numbers whose first
 * element is the count (as mdb_stat -f reads it). */
static int free_pages(store_t *s, size_t *out) {
  MDB_env *env = ((store__lmdb_t *)s->engine)->env;
  MDB_txn *txn;
  MDB_cursor *c;
  MDB_val k, v;
  size_t n = 0;
  if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0) return -1;
  if (mdb_cursor_open(txn, 0, &c) != 0) {
    mdb_txn_abort(txn);
    return -1;
  }
  while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0)
    if (v.mv_size >= sizeof(size_t)) n += *(const size_t *)v.mv_data;
  mdb_cursor_close(c);
  mdb_txn_abort(txn);
  *out = n;
  return 0;
}

int store__lmdb_space_used(store_t *s, size_t *used, size_t *map) {
  MDB_env *env = ((store__lmdb_t *)s->engine)->env;
  MDB_envinfo info;
  MDB_stat st;
  size_t free_n;
  int rc = store__lmdb_err(mdb_env_info(env, &info));
  if (rc == 0) rc = store__lmdb_err(mdb_env_stat(env, &st));
  if (rc == 0 && free_pages(s, &free_n) != 0) rc = STORE_EIO;
  if (rc != 0) return rc;
  size_t pages = info.me_last_pgno + 1;
  *used = (pages > free_n ? pages - free_n : 0) * st.ms_psize;
  *map = info.me_mapsize;
  return 0;
}

int store__lmdb_space_over(store_t *s) {
  MDB_env *env = ((store__lmdb_t *)s->engine)->env;
  MDB_envinfo info;
  MDB_stat st;
  size_t free_n;
  if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0) return 0;
  size_t pages = info.me_last_pgno + 1;
  /* The high-water mark alone is an upper bound: under the line, nothing to count. */
  if (pages * st.ms_psize <= s->soft_limit) return 0;
  if (free_pages(s, &free_n) != 0 || free_n > pages) return 0;
  return (pages - free_n) * st.ms_psize > s->soft_limit;
}

/* Pages of one database as txn sees it: branch, leaf and overflow. */
static size_t db_pages(MDB_txn *txn, MDB_dbi dbi) {
  MDB_stat st;
  if (mdb_stat(txn, dbi, &st) != 0) return 0;
  return st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
}

size_t store__lmdb_tree_pages(store_txn_t *t) {
  const store__lmdb_t *l = t->s->engine;
  size_t n = 0;
  for (size_t i = 0; i < l->n_dbi; i++) n += db_pages(t->e, l->dbi[i]);
  return n;
}

int store_full(const store_t *s) { return atomic_load_explicit(&s->full, memory_order_relaxed); }
