/* wrapper_store.c - how wrappers and their resources are keyed, grouped and framed. */
#include "resources/wrapper_store.h"

#include <stddef.h>
#include <string.h>

#include <openssl/sha.h>

#include "common/buf.h"
#include "common/objectid.h"
#include "storage/record.h"

#define ALL_GROUP "all" /* the one group of the wrappers and order tables */
#define NAME_KEY_LEN (HG_OBJECTID_LEN - 1 + SHA256_DIGEST_LENGTH)

static const store_index_def_t resource_indexes[] = {
    [WR_I_NAME] = {.name = "name", .flags = STORE_INDEX_UNIQUE},
};
static const store_table_def_t wrapper_tables[WR_N_TABLES] = {
    [WR_T_WRAPPERS] = {.name = "wrappers", .grouped = 1},
    [WR_T_RESOURCES] = {.name = "wrapper_resources",
                        .grouped = 1,
                        .indexes = resource_indexes,
                        .n_indexes = 1},
    [WR_T_ORDER] = {.name = "wrapper_resources_order", .grouped = 1},
};
const store_schema_t wrapper_schema = {.tables = wrapper_tables, .n_tables = WR_N_TABLES};

typedef Hangar__Resources__V1__WrapperRecord wrapper_record_t;
typedef Hangar__Resources__V1__WrapperResourceRecord wres_record_t;

static store_val_t str_val(const char *s) { return (store_val_t){s, strlen(s)}; }
static const store_val_t all_group = {ALL_GROUP, sizeof(ALL_GROUP) - 1};

/* Packs msg and puts it under key. */
static int put_record(store_txn_t *txn, int table, const char *key, const ProtobufCMessage *msg,
                      const store_keys_t *keys, unsigned flags) {
  hg_buf_t buf = HG_BUF_INIT;
  int rc = record_pack(msg, &buf);
  if (rc == 0) rc = store_put(txn, table, str_val(key), (store_val_t){buf.p, buf.n}, keys, flags);
  hg_buf_free(&buf);
  return rc;
}

/* ---- wrappers ------------------------------------------------------------------------- */

static const record_type_t wrapper_type = {&hangar__resources__v1__wrapper_record__descriptor,
                                           offsetof(wrapper_record_t, wrapper), NULL, NULL};
static const record_type_t wres_type = {&hangar__resources__v1__wrapper_resource_record__descriptor,
                                        offsetof(wres_record_t, resource), NULL, NULL};
/* What each table keyed by object id holds (the order table holds ids). */
static const record_type_t *const table_types[WR_N_TABLES] = {
    [WR_T_WRAPPERS] = &wrapper_type,
    [WR_T_RESOURCES] = &wres_type,
};

int wr_record_load(store_txn_t *txn, int base, int table, hg_arena_t *a, const char *id,
                   void *out) {
  if (table < 0 || table >= WR_N_TABLES || !table_types[table]) return STORE_EINVAL;
  return record_load(txn, base + table, str_val(id), table_types[table], a, out);
}

int wrapper_load(store_txn_t *txn, int base, hg_arena_t *a, const char *id, wrapper_t **out) {
  return wr_record_load(txn, base, WR_T_WRAPPERS, a, id, out);
}

int wrapper_insert(store_txn_t *txn, int base, const wrapper_t *w) {
  wrapper_record_t rec = HANGAR__RESOURCES__V1__WRAPPER_RECORD__INIT;
  rec.wrapper = (wrapper_t *)w; /* packing only reads it */
  store_keys_t keys = {.group = all_group};
  return put_record(txn, base + WR_T_WRAPPERS, w->id, &rec.base, &keys, STORE_PUT_NOOVERWRITE);
}

int wrapper_delete(store_txn_t *txn, int base, const char *id) {
  return store_del(txn, base + WR_T_WRAPPERS, str_val(id));
}

int wrapper_resource_count(store_txn_t *txn, int base, const char *id, uint64_t *out) {
  return store_group_count(txn, base + WR_T_RESOURCES, str_val(id), out);
}

/* A page being collected by a scan: the records, and where an order row finds its
 * resource. */
typedef struct page {
  record_page_t rec;
  store_txn_t *txn;
  int base;
} page_t;

int wrapper_page(store_txn_t *txn, int base, hg_arena_t *a, uint64_t skip, size_t limit,
                 wrapper_t **items, size_t *n) {
  record_page_t pg = {.type = &wrapper_type, .a = a, .items = (void **)items};
  int rc = store_group_scan(txn, base + WR_T_WRAPPERS, all_group, skip, limit, record_collect, &pg);
  return record_page_end(&pg, rc, n);
}

/* ---- resources ------------------------------------------------------------------------ */

int wres_load(store_txn_t *txn, int base, hg_arena_t *a, const char *id, wres_t **out) {
  return wr_record_load(txn, base, WR_T_RESOURCES, a, id, out);
}

/* wrapper id + SHA-256(name): fixed size whatever the name's length, so any name fits the
 * store's index key limit. */
static store_val_t name_key(hg_arena_t *a, const wres_t *r) {
  size_t wn = strnlen(r->wrapper_id, HG_OBJECTID_LEN - 1);
  unsigned char *k = hg_arena_alloc(a, NAME_KEY_LEN);
  if (!k) return (store_val_t){NULL, 0};
  memcpy(k, r->wrapper_id, wn);
  SHA256((const unsigned char *)r->name, strlen(r->name), k + wn);
  return (store_val_t){k, wn + SHA256_DIGEST_LENGTH};
}

int wres_save(store_txn_t *txn, int base, hg_arena_t *a, const wres_t *r, unsigned flags) {
  wres_record_t rec = HANGAR__RESOURCES__V1__WRAPPER_RESOURCE_RECORD__INIT;
  rec.resource = (wres_t *)r; /* packing only reads it */
  store_keys_t keys = {.group = str_val(r->wrapper_id)};
  keys.index[WR_I_NAME] = name_key(a, r);
  if (!keys.index[WR_I_NAME].p) return STORE_ENOMEM;
  int rc = put_record(txn, base + WR_T_RESOURCES, r->id, &rec.base, &keys, flags);
  store_keys_t order_keys = {.group = all_group};
  if (rc == 0)
    rc = store_put(txn, base + WR_T_ORDER, str_val(r->id), str_val(r->wrapper_id), &order_keys, 0);
  return rc;
}

int wres_delete(store_txn_t *txn, int base, const char *id) {
  int rc = store_del(txn, base + WR_T_RESOURCES, str_val(id));
  return rc ? rc : store_del(txn, base + WR_T_ORDER, str_val(id));
}

/* An order row names a resource: load it. */
static int collect_ordered(void *arg, store_val_t key, store_val_t val) {
  (void)val;
  page_t *pg = arg;
  store_val_t rv;
  pg->rec.rc = store_get(pg->txn, pg->base + WR_T_RESOURCES, key, &rv);
  return pg->rec.rc ? 1 : record_collect(&pg->rec, key, rv);
}

int wres_page(store_txn_t *txn, int base, hg_arena_t *a, const char *wrapper_id, uint64_t skip,
              size_t limit, wres_t **items, size_t *n) {
  page_t pg = {{.type = &wres_type, .a = a, .items = (void **)items}, txn, base};
  int rc = wrapper_id ? store_group_scan(txn, base + WR_T_RESOURCES, str_val(wrapper_id), skip,
                                         limit, record_collect, &pg.rec)
                      : store_group_scan(txn, base + WR_T_ORDER, all_group, skip, limit,
                                         collect_ordered, &pg);
  return record_page_end(&pg.rec, rc, n);
}
