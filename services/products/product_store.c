/* product_store.c - how products, documents, versions and specifications are keyed,
 * grouped, indexed and framed on disk, and the cascades that delete a subtree in one
 * transaction. */
#include "products/product_store.h"

#include <stddef.h>
#include <string.h>

#include "common/buf.h"
#include "storage/record.h"

static const store_index_def_t document_indexes[] = {
    {.name = "documents_slug", .flags = STORE_INDEX_UNIQUE}};
static const store_index_def_t product_indexes[] = {{.name = "products_name"}};
static const store_index_def_t version_indexes[] = {{.name = "versions_name"}};
static const store_table_def_t tables[] = {
    [PR_PRODUCTS] = {.name = "products", .grouped = 1, .indexes = product_indexes, .n_indexes = 1},
    [PR_DOCUMENTS] = {.name = "documents",
                      .grouped = 1,
                      .indexes = document_indexes,
                      .n_indexes = 1},
    [PR_VERSIONS] = {.name = "versions", .grouped = 1, .indexes = version_indexes, .n_indexes = 1},
    [PR_SPECS] = {.name = "specifications", .grouped = 1},
};
const store_schema_t products_schema = {.tables = tables,
                                        .n_tables = sizeof(tables) / sizeof(tables[0])};

const pr_record_type_t pr_record_types[] = {
    [PR_PRODUCTS] = {&hangar__products__v1__product_record__descriptor,
                     offsetof(product_record_t, product)},
    [PR_DOCUMENTS] = {&hangar__products__v1__document_record__descriptor,
                      offsetof(document_record_t, document)},
    [PR_VERSIONS] = {&hangar__products__v1__version_record__descriptor,
                     offsetof(version_record_t, version)},
    [PR_SPECS] = {&hangar__products__v1__spec_record__descriptor, offsetof(spec_record_t, spec)},
};

ProtobufCMessage *pr_record_inner(int table, const void *rec) {
  return *(ProtobufCMessage *const *)((const char *)rec + pr_record_types[table].inner);
}

/* ---- keys ----------------------------------------------------------------------------- */

static store_val_t join(hg_arena_t *a, const char *const *parts, size_t n) {
  size_t len = n - 1;
  for (size_t i = 0; i < n; i++) len += strlen(parts[i]);
  char *k = hg_arena_alloc(a, len + 1), *p = k;
  if (!k) return (store_val_t){NULL, 0};
  for (size_t i = 0; i < n; i++) {
    size_t m = strlen(parts[i]);
    memcpy(p, parts[i], m);
    p += m + 1; /* the arena zero-fills: the separator is already NUL */
  }
  return (store_val_t){k, len};
}

store_val_t pr_key2(hg_arena_t *a, const char *x, const char *y) {
  const char *parts[] = {x, y};
  return join(a, parts, 2);
}

store_val_t pr_key3(hg_arena_t *a, const char *x, const char *y, const char *z) {
  const char *parts[] = {x, y, z};
  return join(a, parts, 3);
}

store_val_t pr_str(const char *s) { return (store_val_t){s, strlen(s)}; }

/* Names longer than this are cut (at a character boundary) in index keys, which LMDB holds
 * to 511 bytes with the group in front. */
#define NAME_KEY_MAX 400

store_val_t pr_name_key(hg_arena_t *a, store_val_t group, const char *name, int with_name) {
  size_t n = with_name ? strlen(name) : 0;
  if (n > NAME_KEY_MAX) {
    n = NAME_KEY_MAX;
    while (n && ((unsigned char)name[n] & 0xc0) == 0x80) n--; /* not inside a UTF-8 char */
  }
  size_t len = group.n + 1 + (with_name ? n + 1 : 0);
  char *k = group.p ? hg_arena_alloc(a, len) : NULL;
  if (!k) return (store_val_t){NULL, 0};
  memcpy(k, group.p, group.n); /* the arena zero-fills: the separators are already NUL */
  memcpy(k + group.n + 1, name, n);
  return (store_val_t){k, len};
}

/* ---- generic records ------------------------------------------------------------------ */

int pr_decode(const ProtobufCMessageDescriptor *d, store_val_t v, hg_arena_t *a, void **out) {
  ProtobufCMessage *m = NULL;
  int rc = record_unpack(d, v, a, &m);
  if (rc == 0) *out = m;
  return rc;
}

static int load(store_txn_t *txn, hg_arena_t *a, int table, store_val_t key,
                const ProtobufCMessageDescriptor *d, void **out) {
  store_val_t v;
  if (!key.p) return STORE_ENOMEM;
  int rc = store_get(txn, table, key, &v);
  return rc ? rc : pr_decode(d, v, a, out);
}

static int save(store_txn_t *txn, int table, store_val_t key, const ProtobufCMessage *msg,
                const store_keys_t *keys, unsigned flags) {
  hg_buf_t buf = HG_BUF_INIT;
  int rc = key.p ? record_pack(msg, &buf) : STORE_ENOMEM;
  if (rc == 0) rc = store_put(txn, table, key, (store_val_t){buf.p, buf.n}, keys, flags);
  hg_buf_free(&buf);
  return rc;
}

/* A record of table by key, as its type; it must carry its API message (else
 * STORE_EINVAL). */
static int load_record(store_txn_t *txn, hg_arena_t *a, int table, store_val_t key, void **out) {
  void *r = NULL;
  int rc = load(txn, a, table, key, pr_record_types[table].d, &r);
  if (rc == 0 && !pr_record_inner(table, r)) rc = STORE_EINVAL;
  if (rc == 0) *out = r;
  return rc;
}

int pr_load_in(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group, const char *id,
               void **out) {
  size_t n = strlen(id);
  char *k = group.p ? hg_arena_alloc(a, group.n + 1 + n + 1) : NULL;
  if (!k) return STORE_ENOMEM;
  memcpy(k, group.p, group.n);
  memcpy(k + group.n + 1, id, n); /* the arena zero-fills: the separator is already NUL */
  return load_record(txn, a, table, (store_val_t){k, group.n + 1 + n}, out);
}

/* ---- products ------------------------------------------------------------------------- */

int product_load(store_txn_t *txn, hg_arena_t *a, const char *org, const char *id,
                 product_record_t **out) {
  return load_record(txn, a, PR_PRODUCTS, pr_key2(a, org, id), (void **)out);
}

int product_save(store_txn_t *txn, const product_record_t *rec, hg_arena_t *a, unsigned flags) {
  store_keys_t keys = {.group = pr_str(rec->org)};
  keys.index[PR_BY_NAME] = pr_name_key(a, keys.group, rec->product->name, 1);
  if (!keys.index[PR_BY_NAME].p) return STORE_ENOMEM;
  return save(txn, PR_PRODUCTS, pr_key2(a, rec->org, rec->product->id), &rec->base, &keys, flags);
}

int product_version_count(store_txn_t *txn, const char *product_id, int64_t *out) {
  uint64_t n = 0;
  int rc = store_group_count(txn, PR_VERSIONS, pr_str(product_id), &n);
  if (rc == 0) *out = (int64_t)n;
  return rc;
}

/* ---- documents ------------------------------------------------------------------------ */

int document_load(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id,
                  document_record_t **out) {
  return load_record(txn, a, PR_DOCUMENTS, pr_key2(a, product_id, id), (void **)out);
}

int document_save(store_txn_t *txn, const document_record_t *rec, hg_arena_t *a, unsigned flags) {
  const document_t *d = rec->document;
  store_keys_t keys = {.group = pr_str(rec->api_product_id)};
  keys.index[PR_DOCUMENTS_BY_SLUG] = pr_key2(a, rec->api_product_id, d->slug);
  if (!keys.index[PR_DOCUMENTS_BY_SLUG].p) return STORE_ENOMEM;
  return save(txn, PR_DOCUMENTS, pr_key2(a, rec->api_product_id, d->id), &rec->base, &keys, flags);
}

int document_delete(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id) {
  store_val_t key = pr_key2(a, product_id, id);
  return key.p ? store_del(txn, PR_DOCUMENTS, key) : STORE_ENOMEM;
}

/* ---- versions and specifications ------------------------------------------------------ */

int version_load(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *id,
                 version_record_t **out) {
  return load_record(txn, a, PR_VERSIONS, pr_key2(a, product_id, id), (void **)out);
}

int version_save(store_txn_t *txn, const version_record_t *rec, hg_arena_t *a, unsigned flags) {
  store_keys_t keys = {.group = pr_str(rec->api_product_id)};
  keys.index[PR_BY_NAME] = pr_name_key(a, keys.group, rec->version->name, 1);
  if (!keys.index[PR_BY_NAME].p) return STORE_ENOMEM;
  return save(txn, PR_VERSIONS, pr_key2(a, rec->api_product_id, rec->version->id), &rec->base,
              &keys, flags);
}

int spec_load(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *version_id,
              const char *id, spec_record_t **out) {
  return load_record(txn, a, PR_SPECS, pr_key3(a, product_id, version_id, id), (void **)out);
}

int spec_save(store_txn_t *txn, const spec_record_t *rec, hg_arena_t *a, unsigned flags) {
  store_keys_t keys = {.group = pr_key2(a, rec->api_product_id, rec->api_product_version_id)};
  if (!keys.group.p) return STORE_ENOMEM;
  return save(txn, PR_SPECS,
              pr_key3(a, rec->api_product_id, rec->api_product_version_id, rec->spec->id),
              &rec->base, &keys, flags);
}

int spec_delete(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *version_id,
                const char *id) {
  store_val_t key = pr_key3(a, product_id, version_id, id);
  return key.p ? store_del(txn, PR_SPECS, key) : STORE_ENOMEM;
}

int spec_count(store_txn_t *txn, hg_arena_t *a, const char *product_id, const char *version_id,
               uint64_t *out) {
  store_val_t group = pr_key2(a, product_id, version_id);
  return group.p ? store_group_count(txn, PR_SPECS, group, out) : STORE_ENOMEM;
}

/* ---- group scans and cascades --------------------------------------------------------- */

typedef struct collect {
  hg_arena_t *a;
  const ProtobufCMessageDescriptor *d; /* NULL: collect keys instead of records */
  void **items;
  size_t n, cap;
  int rc;
} collect_t;

static int collect_one(void *arg, store_val_t key, store_val_t val) {
  collect_t *c = arg;
  if (!c->d) {
    store_val_t *k = hg_arena_alloc(c->a, sizeof(*k));
    if (!k || !(k->p = hg_arena_memdup(c->a, key.p, key.n))) return c->rc = STORE_ENOMEM;
    k->n = key.n;
    c->items[c->n++] = k;
    return 0;
  }
  c->rc = pr_decode(c->d, val, c->a, &c->items[c->n]);
  if (c->rc == 0) c->n++;
  return c->rc;
}

static int scan(store_txn_t *txn, int table, store_val_t group, uint64_t offset, size_t limit,
                collect_t *c) {
  uint64_t total = 0;
  int rc = group.p ? store_group_count(txn, table, group, &total) : STORE_ENOMEM;
  if (rc) return rc;
  uint64_t left = offset < total ? total - offset : 0;
  c->cap = limit && limit < left ? limit : (size_t)left;
  c->items = hg_arena_alloc(c->a, (c->cap ? c->cap : 1) * sizeof(*c->items));
  if (!c->items) return STORE_ENOMEM;
  if (c->cap == 0) return 0;
  rc = store_group_scan(txn, table, group, offset, c->cap, collect_one, c);
  return rc ? rc : c->rc;
}

int pr_load_by_name(store_txn_t *txn, hg_arena_t *a, int table, store_val_t prefix,
                    const store_walk_t *w, const ProtobufCMessageDescriptor *d, void ***items,
                    size_t *n) {
  uint64_t room = w->limit;
  int rc = w->limit ? 0 : store_index_count(txn, table, PR_BY_NAME, prefix, &room);
  collect_t c = {.a = a, .d = d, .cap = (size_t)room};
  c.items = rc ? NULL : hg_arena_alloc(a, (c.cap ? c.cap : 1) * sizeof(*c.items));
  if (rc == 0 && !c.items) rc = STORE_ENOMEM;
  if (rc == 0) rc = store_index_walk(txn, table, PR_BY_NAME, prefix, w, collect_one, &c);
  if (rc == 0) rc = c.rc;
  if (rc == 0) {
    *items = c.items;
    *n = c.n;
  }
  return rc;
}

int pr_load_group(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                  const ProtobufCMessageDescriptor *d, void ***items, size_t *n) {
  return pr_load_page(txn, a, table, group, 0, 0, d, items, n);
}

int pr_load_page(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group, uint64_t offset,
                 size_t limit, const ProtobufCMessageDescriptor *d, void ***items, size_t *n) {
  collect_t c = {.a = a, .d = d};
  int rc = scan(txn, table, group, offset, limit, &c);
  if (rc == 0) {
    *items = c.items;
    *n = c.n;
  }
  return rc;
}

/* Deletes every record of a group (keys collected first: a cursor must not walk what it
 * deletes). */
static int delete_group(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group) {
  collect_t c = {.a = a};
  int rc = scan(txn, table, group, 0, 0, &c);
  for (size_t i = 0; rc == 0 && i < c.n; i++)
    rc = store_del(txn, table, *(store_val_t *)c.items[i]);
  return rc;
}

int version_delete_cascade(store_txn_t *txn, hg_arena_t *a, const char *product_id,
                           const char *id) {
  int rc = delete_group(txn, a, PR_SPECS, pr_key2(a, product_id, id));
  if (rc) return rc;
  store_val_t key = pr_key2(a, product_id, id);
  return key.p ? store_del(txn, PR_VERSIONS, key) : STORE_ENOMEM;
}

int product_delete_cascade(store_txn_t *txn, hg_arena_t *a, const product_record_t *rec) {
  const char *pid = rec->product->id;
  void **versions;
  size_t n;
  int rc = pr_load_group(txn, a, PR_VERSIONS, pr_str(pid),
                         &hangar__products__v1__version_record__descriptor, &versions, &n);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    const version_t *v = ((version_record_t *)versions[i])->version;
    rc = v ? version_delete_cascade(txn, a, pid, v->id) : STORE_EINVAL;
  }
  if (rc == 0) rc = delete_group(txn, a, PR_DOCUMENTS, pr_str(pid));
  if (rc) return rc;
  store_val_t key = pr_key2(a, rec->org, pid);
  return key.p ? store_del(txn, PR_PRODUCTS, key) : STORE_ENOMEM;
}
