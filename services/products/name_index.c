/* name_index.c - filling the name index of products and versions in a store written before
 * it existed. The store keeps an index only from the keys each put gives, so records saved
 * before have no entry; saving each again with its keys adds it. Run once at start: a store
 * whose index already holds an entry per record is left alone. */
#include "products/product_store.h"

#include "common/log.h"

#define BATCH 512

typedef struct keys {
  hg_arena_t *a;
  store_val_t *v;
  size_t n, cap;
  int rc;
} keys_t;

static int collect_key(void *arg, store_val_t key, store_val_t val) {
  (void)val;
  keys_t *k = arg;
  if (k->n == k->cap) {
    size_t cap = k->cap ? 2 * k->cap : 1024;
    store_val_t *v = hg_arena_alloc(k->a, cap * sizeof(*v));
    if (!v) return k->rc = STORE_ENOMEM;
    for (size_t i = 0; i < k->n; i++) v[i] = k->v[i];
    k->v = v;
    k->cap = cap;
  }
  if (!(k->v[k->n].p = hg_arena_memdup(k->a, key.p, key.n))) return k->rc = STORE_ENOMEM;
  k->v[k->n++].n = key.n;
  return 0;
}

typedef struct batch {
  int table;
  const store_val_t *keys;
  size_t n;
} batch_t;

/* On the writer thread: every record of the batch saved again with its keys. */
static int resave(store_txn_t *txn, void *arg) {
  const batch_t *b = arg;
  hg_arena_t *a = hg_arena_new();
  int rc = a ? 0 : STORE_ENOMEM;
  for (size_t i = 0; rc == 0 && i < b->n; i++) {
    store_val_t v;
    void *rec;
    if ((rc = store_get(txn, b->table, b->keys[i], &v)) == STORE_NOTFOUND) {
      rc = 0;
      continue;
    }
    if (rc == 0) rc = pr_decode(pr_record_types[b->table].d, v, a, &rec);
    if (rc == 0)
      rc = b->table == PR_PRODUCTS ? product_save(txn, rec, a, 0) : version_save(txn, rec, a, 0);
  }
  hg_arena_free(a);
  return rc;
}

static int reindex(store_t *s, int table, const char *what) {
  store_txn_t *txn;
  uint64_t records = 0, entries = 0;
  hg_arena_t *a = hg_arena_new();
  keys_t k = {.a = a};
  int rc = a ? store_txn_begin_read(s, &txn) : STORE_ENOMEM;
  if (rc) {
    hg_arena_free(a);
    return rc;
  }
  rc = store_table_count(txn, table, &records);
  if (rc == 0) rc = store_index_count(txn, table, PR_BY_NAME, (store_val_t){NULL, 0}, &entries);
  if (rc == 0 && records != entries)
    rc = store_scan(txn, table, (store_val_t){NULL, 0}, 0, collect_key, &k);
  store_txn_end(txn);
  if (rc == 0) rc = k.rc;
  for (size_t i = 0; rc == 0 && i < k.n; i += BATCH) {
    batch_t b = {table, k.v + i, k.n - i < BATCH ? k.n - i : BATCH};
    rc = store_write(s, resave, &b);
  }
  if (rc == 0 && k.n)
    HG_INFO("products-svc", NULL, "indexed the names of %zu %s saved before the index existed", k.n,
            what);
  hg_arena_free(a);
  return rc;
}

int pr_name_index_fill(store_t *s) {
  int rc = reindex(s, PR_PRODUCTS, "products");
  return rc ? rc : reindex(s, PR_VERSIONS, "versions");
}
