/* cred_store.c - the credentials store's schema, keys and typed record access. */
#include "credentials/cred_store.h"

#include <stddef.h>
#include <string.h>

#include "common/buf.h"
#include "storage/record.h"

enum { IX_OWNER = 0, IX_UNSETTLED = 0 + 1 };
enum { IX_PENDING = 0 };

static const store_index_def_t creds_indexes[] = {{"owner", STORE_INDEX_UNIQUE}, {"unsettled", 0}};
static const store_index_def_t job_indexes[] = {{"pending", 0}};
static const store_table_def_t tables[KB_N_TABLES] = {
    [KB_T_CREDS] = {.name = "credentials", .indexes = creds_indexes, .n_indexes = 2},
    [KB_T_JOBS] = {.name = "jobs", .indexes = job_indexes, .n_indexes = 1},
};
const store_schema_t kb_store_schema = {tables, KB_N_TABLES};

static const record_type_t creds_type = {&hangar__credentials__v1__credentials_record__descriptor,
                                         offsetof(kb_record_t, credentials), NULL, NULL};
static const record_type_t job_type = {&hangar__credentials__v1__job_record__descriptor,
                                       offsetof(kb_job_record_t, job), NULL, NULL};

typedef struct id_key {
  uint8_t b[8];
} id_key_t;

static id_key_t id_key(uint64_t id) {
  id_key_t k;
  for (int i = 7; i >= 0; i--, id >>= 8) k.b[i] = (uint8_t)id;
  return k;
}

#define VAL(k) ((store_val_t){(k).b, sizeof((k).b)})

int kb_id_parse(const char *s, uint64_t *out) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 19 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1)) return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = v * 10 + (uint64_t)(s[i] - '0');
  *out = v;
  return 0;
}

/* project NUL token NUL backend NUL type, into b. 0 or STORE_ENOMEM. */
static int owner_key(hg_buf_t *b, const char *project, const char *token_id, const char *backend,
                     const char *type) {
  const char *parts[] = {project, token_id, backend, type};
  for (size_t i = 0; i < 4; i++)
    if (hg_buf_append(b, parts[i], strlen(parts[i]) + (i < 3)) != 0) return STORE_ENOMEM;
  return 0;
}

/* The whole record of type t under id in table (record_load answers only the payload). */
static int load(store_txn_t *txn, int table, const record_type_t *t, uint64_t id, hg_arena_t *a,
                ProtobufCMessage **out) {
  id_key_t k = id_key(id);
  store_val_t v;
  int rc = store_get(txn, table, VAL(k), &v);
  return rc ? rc : record_decode(t, v, a, out);
}

int kb_creds_load(store_txn_t *txn, uint64_t id, hg_arena_t *a, kb_record_t **out) {
  return load(txn, KB_T_CREDS, &creds_type, id, a, (ProtobufCMessage **)out);
}

int kb_creds_find(store_txn_t *txn, const char *project, const char *token_id, const char *backend,
                  const char *type, hg_arena_t *a, kb_record_t **out) {
  hg_buf_t b = HG_BUF_INIT;
  store_val_t pk, v;
  int rc = owner_key(&b, project, token_id, backend, type);
  if (rc == 0) rc = store_get_by_index(txn, KB_T_CREDS, IX_OWNER, (store_val_t){b.p, b.n}, &pk, &v);
  if (rc == 0) rc = record_decode(&creds_type, v, a, (ProtobufCMessage **)out);
  hg_buf_free(&b);
  return rc;
}

int kb_creds_put(store_txn_t *txn, const kb_record_t *rec, unsigned flags) {
  uint64_t id;
  if (!rec->credentials || kb_id_parse(rec->credentials->id, &id) != 0) return STORE_EINVAL;
  id_key_t k = id_key(id);
  hg_buf_t owner = HG_BUF_INIT, val = HG_BUF_INIT;
  int rc = owner_key(&owner, rec->project, rec->token_id, rec->backend, rec->type);
  if (rc == 0) rc = record_pack(&rec->base, &val);
  if (rc == 0) {
    store_keys_t keys = {0};
    keys.index[IX_OWNER] = (store_val_t){owner.p, owner.n};
    if (rec->state != HANGAR__CREDENTIALS__V1__CREDENTIALS_STATE__READY)
      keys.index[IX_UNSETTLED] = VAL(k);
    rc = store_put(txn, KB_T_CREDS, VAL(k), (store_val_t){val.p, val.n}, &keys, flags);
  }
  hg_buf_free(&owner);
  hg_buf_free(&val);
  return rc;
}

int kb_creds_del(store_txn_t *txn, uint64_t id) {
  id_key_t k = id_key(id);
  return store_del(txn, KB_T_CREDS, VAL(k));
}

/* Whole records (not only their payloads, as record_collect gathers): the runner needs
 * each one's owner. */
typedef struct records {
  const record_type_t *type;
  hg_arena_t *a;
  ProtobufCMessage **items;
  size_t n;
  int rc;
} records_t;

static int collect(void *arg, store_val_t key, store_val_t val) {
  (void)key;
  records_t *r = arg;
  r->rc = record_decode(r->type, val, r->a, &r->items[r->n]);
  if (r->rc) return 1;
  r->n++;
  return 0;
}

static int scan_index(store_txn_t *txn, int table, int index, records_t *r, size_t limit,
                      size_t *n) {
  int rc = store_index_scan(txn, table, index, (store_val_t){NULL, 0}, limit, collect, r);
  if (r->rc) rc = r->rc;
  *n = r->n;
  return rc;
}

int kb_creds_unsettled(store_txn_t *txn, hg_arena_t *a, size_t limit, kb_record_t **out,
                       size_t *n) {
  records_t r = {&creds_type, a, (ProtobufCMessage **)out, 0, 0};
  return scan_index(txn, KB_T_CREDS, IX_UNSETTLED, &r, limit, n);
}

static uint64_t id_of(store_val_t key) {
  uint64_t id = 0;
  for (size_t i = 0; i < key.n && i < 8; i++) id = id << 8 | ((const uint8_t *)key.p)[i];
  return id;
}

/* The index is in key order, which for big-endian ids is numeric order: the last is the max. */
static int track_max(void *arg, store_val_t key, store_val_t val) {
  (void)val;
  uint64_t *max = arg, id = id_of(key);
  if (id > *max) *max = id;
  return 0;
}

int kb_creds_unsettled_max(store_txn_t *txn, uint64_t *out) {
  *out = 0;
  return store_index_scan(txn, KB_T_CREDS, IX_UNSETTLED, (store_val_t){NULL, 0}, 0, track_max, out);
}

int kb_job_load(store_txn_t *txn, uint64_t id, hg_arena_t *a, kb_job_record_t **out) {
  return load(txn, KB_T_JOBS, &job_type, id, a, (ProtobufCMessage **)out);
}

static int is_pending(const char *status) {
  return strcmp(status, "waiting") == 0 || strcmp(status, "processing") == 0;
}

int kb_job_put(store_txn_t *txn, const kb_job_record_t *rec) {
  if (!rec->job || rec->job->id <= 0) return STORE_EINVAL;
  id_key_t k = id_key((uint64_t)rec->job->id);
  hg_buf_t val = HG_BUF_INIT;
  int rc = record_pack(&rec->base, &val);
  if (rc == 0) {
    store_keys_t keys = {0};
    if (is_pending(rec->job->status)) keys.index[IX_PENDING] = VAL(k);
    rc = store_put(txn, KB_T_JOBS, VAL(k), (store_val_t){val.p, val.n}, &keys, 0);
  }
  hg_buf_free(&val);
  return rc;
}

int kb_jobs_pending(store_txn_t *txn, hg_arena_t *a, size_t limit, kb_job_record_t **out,
                    size_t *n) {
  records_t r = {&job_type, a, (ProtobufCMessage **)out, 0, 0};
  return scan_index(txn, KB_T_JOBS, IX_PENDING, &r, limit, n);
}
