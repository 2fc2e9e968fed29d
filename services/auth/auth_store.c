/* auth_store.c - the tokens and role_bindings tables: schema rows, typed puts, lists.
 *
 * Listing counts first and then scans exactly that many records inside the same read
 * transaction, so the result array is allocated once and the scan can never overrun it. */
#include "auth/auth_store.h"

#include <string.h>

#include "common/buf.h"
#include "storage/record.h"
#include "auth/token.h"

static const store_index_def_t token_indexes[] = {
    [AUTH_TOKENS_BY_HASH] = {"tokens_by_hash", STORE_INDEX_UNIQUE},
    [AUTH_TOKENS_BY_ORDER] = {"tokens_by_order", STORE_INDEX_UNIQUE},
};
static const store_index_def_t binding_indexes[] = {
    [AUTH_BINDINGS_BY_ORDER] = {"role_bindings_by_order", STORE_INDEX_UNIQUE},
};
static const store_table_def_t tables[] = {
    [AUTH_T_TOKENS] = {.name = "tokens", .grouped = 1, .indexes = token_indexes, .n_indexes = 2},
    [AUTH_T_ROLE_BINDINGS] = {.name = "role_bindings",
                              .grouped = 1,
                              .indexes = binding_indexes,
                              .n_indexes = 1},
};
const store_schema_t auth_store_schema = {tables, sizeof(tables) / sizeof(tables[0])};

static store_val_t sval(const char *s) { return (store_val_t){s, strlen(s)}; }

/* Packs msg and inserts it under id in subject's group, adding the creation-order index
 * entry (a fresh store version, big-endian so byte order is numeric order). */
static int put_record(store_txn_t *txn, int table, int order_index, const char *id,
                      const char *subject, const ProtobufCMessage *msg, store_keys_t *keys) {
  uint64_t seq;
  uint8_t order[8];
  int rc = store_next_version(txn, &seq);
  if (rc != 0) return rc;
  for (int i = 0; i < 8; i++) order[i] = (uint8_t)(seq >> (56 - 8 * i));
  keys->group = sval(subject);
  keys->index[order_index] = (store_val_t){order, sizeof(order)};
  hg_buf_t buf = HG_BUF_INIT;
  if ((rc = record_pack(msg, &buf)) != 0) return rc;
  rc = store_put(txn, table, sval(id), (store_val_t){buf.p, buf.n}, keys, STORE_PUT_NOOVERWRITE);
  hg_buf_free(&buf);
  return rc;
}

int auth_store_put_token(store_txn_t *txn, const Hangar__Auth__V1__TokenRecord *rec) {
  store_keys_t keys;
  memset(&keys, 0, sizeof(keys));
  keys.index[AUTH_TOKENS_BY_HASH] = (store_val_t){rec->hash.data, rec->hash.len};
  return put_record(txn, AUTH_T_TOKENS, AUTH_TOKENS_BY_ORDER, rec->id, rec->subject, &rec->base,
                    &keys);
}

int auth_store_put_binding(store_txn_t *txn, const Hangar__Auth__V1__RoleBindingRecord *rec) {
  store_keys_t keys;
  memset(&keys, 0, sizeof(keys));
  return put_record(txn, AUTH_T_ROLE_BINDINGS, AUTH_BINDINGS_BY_ORDER, rec->id, rec->subject,
                    &rec->base, &keys);
}

int auth_store_delete(store_txn_t *txn, int table, const char *id) {
  store_val_t val;
  int rc = store_get(txn, table, sval(id), &val);
  return rc != 0 ? rc : store_del(txn, table, sval(id));
}

int auth_store_token_by_hash(store_txn_t *txn, const uint8_t *hash, hg_arena_t *a,
                             Hangar__Auth__V1__TokenRecord **out) {
  store_val_t pkey, val;
  ProtobufCMessage *m;
  int rc = store_get_by_index(txn, AUTH_T_TOKENS, AUTH_TOKENS_BY_HASH,
                              (store_val_t){hash, AUTH_HASH_LEN}, &pkey, &val);
  if (rc == 0) rc = record_unpack(&hangar__auth__v1__token_record__descriptor, val, a, &m);
  if (rc == 0) *out = (Hangar__Auth__V1__TokenRecord *)m;
  return rc;
}

typedef struct collect {
  const ProtobufCMessageDescriptor *desc;
  hg_arena_t *arena;
  ProtobufCMessage **items;
  size_t n, cap;
} collect_t;

static int collect_one(void *arg, store_val_t key, store_val_t val) {
  collect_t *c = arg;
  (void)key;
  if (c->n == c->cap) return STORE_CONFLICT; /* the scan outgrew its own count */
  int rc = record_unpack(c->desc, val, c->arena, &c->items[c->n]);
  if (rc == 0) c->n++;
  return rc;
}

static int count_records(store_txn_t *txn, int table, const char *subject, uint64_t *n) {
  if (!subject || !*subject) return store_table_count(txn, table, n);
  return store_group_count(txn, table, sval(subject), n);
}

static int list_records(store_txn_t *txn, int table, int order_index, const char *subject,
                        const ProtobufCMessageDescriptor *d, hg_arena_t *a, ProtobufCMessage ***out,
                        size_t *n) {
  uint64_t count = 0;
  int rc = count_records(txn, table, subject, &count);
  if (rc != 0) return rc;
  collect_t c = {d, a, hg_arena_alloc(a, (count ? count : 1) * sizeof(void *)), 0, count};
  if (!c.items) return STORE_ENOMEM;
  if (count > 0 && subject && *subject)
    rc = store_group_scan(txn, table, sval(subject), 0, count, collect_one, &c);
  else if (count > 0)
    rc = store_index_scan(txn, table, order_index, (store_val_t){"", 0}, count, collect_one, &c);
  if (rc != 0) return rc;
  *out = c.items;
  *n = c.n;
  return 0;
}

/* The typed lists copy the pointers into arrays of their own type rather than reinterpret
 * a ProtobufCMessage ** array, which strict aliasing would not allow; one definition
 * serves both record types. */
#define TYPED_LIST(fn, T, table, order_index, desc)                                                \
  int fn(store_txn_t *txn, const char *subject, hg_arena_t *a, T ***out, size_t *n) {              \
    ProtobufCMessage **items;                                                                      \
    size_t count;                                                                                  \
    int rc = list_records(txn, table, order_index, subject, desc, a, &items, &count);              \
    T **recs = NULL;                                                                               \
    if (rc == 0 && !(recs = hg_arena_alloc(a, (count ? count : 1) * sizeof(*recs))))               \
      rc = STORE_ENOMEM;                                                                           \
    if (rc != 0) return rc;                                                                        \
    for (size_t i = 0; i < count; i++) recs[i] = (T *)items[i];                                    \
    *out = recs;                                                                                   \
    *n = count;                                                                                    \
    return 0;                                                                                      \
  }

TYPED_LIST(auth_store_list_tokens, Hangar__Auth__V1__TokenRecord, AUTH_T_TOKENS,
           AUTH_TOKENS_BY_ORDER, &hangar__auth__v1__token_record__descriptor)
TYPED_LIST(auth_store_list_bindings, Hangar__Auth__V1__RoleBindingRecord, AUTH_T_ROLE_BINDINGS,
           AUTH_BINDINGS_BY_ORDER, &hangar__auth__v1__role_binding_record__descriptor)
