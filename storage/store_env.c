/* store_env.c - the LMDB environment behind a store_t: opening it with its schema's named
 * databases, read transactions, error mapping, and the engine wrappers that every write
 * goes through (so the test fault hook and sticky engine errors live in one place).
 *
 * Database names: "t/<table>" per table, "i/<table>/<index>" per index (MDB_DUPSORT when
 * not unique, so several records can share an index key, sorted by primary key), and the
 * internal "_meta", "_glist", "_fenwick", "_counters". Table and index names may not
 * contain '/', so no two names collide. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/store_internal.h"

#define DEFAULT_BATCH_MAX 256
#define NAME_MAX_LEN 200
#define N_INTERNAL_DBS 5

HG_ERR_FUNCTIONS(store_strerror, store_err_name, STORE_ERRORS, "unknown store error",
                 "STORE_UNKNOWN")

hg_code_t store_error_code(int err) {
  switch (err) {
#define XX(name, val, text, code, reason)                                                          \
  case name: return code;
    STORE_ERRORS(XX)
#undef XX
  }
  return HG_INTERNAL;
}

const char *store_error_reason(int err) {
  switch (err) {
#define XX(name, val, text, code, reason)                                                          \
  case name: return reason;
    STORE_ERRORS(XX)
#undef XX
  }
  return NULL;
}

int store__map_err(int rc) {
  switch (rc) {
    case 0: return 0;
    case MDB_NOTFOUND: return STORE_NOTFOUND;
    case MDB_KEYEXIST: return STORE_EXISTS;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL: return STORE_FULL;
    case MDB_BAD_VALSIZE: return STORE_EINVAL;
    case ENOMEM: return STORE_ENOMEM;
  }
  if (rc <= STORE_NOTFOUND && rc >= STORE_EXPIRED) return rc; /* already ours (fault hook) */
  return STORE_EIO;
}

/* An engine error leaves LMDB's transaction half-written, so the write must not commit. */
static int sticky(store_txn_t *t, int rc) {
  if (rc == STORE_FULL || rc == STORE_EIO || rc == STORE_ENOMEM) t->err = rc;
  return rc;
}

int store__fault(store_t *s) {
  int always = atomic_load_explicit(&s->fault_always, memory_order_relaxed);
  if (always) return always;
  if (atomic_load_explicit(&s->fault_countdown, memory_order_relaxed) <= 0) return 0;
  if (atomic_fetch_sub(&s->fault_countdown, 1) == 1) return s->fault_err;
  return 0;
}

void store__fault_always(store_t *s, int err) { atomic_store(&s->fault_always, err); }

void store__fault_inject(store_t *s, long nth, int err) {
  s->fault_err = err;
  atomic_store(&s->fault_countdown, nth > 0 ? nth : 0);
}

int store__put(store_txn_t *t, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags) {
  if (t->rdonly) return STORE_ERDONLY;
  if (t->err) return t->err;
  int rc = store__fault(t->s);
  if (rc == 0) rc = store__map_err(mdb_put(t->txn, dbi, k, v, flags));
  return sticky(t, rc);
}

int store__del(store_txn_t *t, MDB_dbi dbi, MDB_val *k, MDB_val *v) {
  if (t->rdonly) return STORE_ERDONLY;
  if (t->err) return t->err;
  int rc = store__fault(t->s);
  if (rc == 0) rc = store__map_err(mdb_del(t->txn, dbi, k, v));
  return rc == STORE_NOTFOUND ? 0 : sticky(t, rc);
}

int store__get(store_txn_t *t, MDB_dbi dbi, MDB_val *k, MDB_val *v) {
  if (t->err) return t->err;
  return store__map_err(mdb_get(t->txn, dbi, k, v));
}

int store__get_u64(store_txn_t *t, MDB_dbi dbi, MDB_val *k, uint64_t *out) {
  MDB_val v;
  int rc = store__get(t, dbi, k, &v);
  if (rc == STORE_NOTFOUND) {
    *out = 0;
    return 0;
  }
  if (rc == 0 && v.mv_size != 8) return STORE_EIO;
  if (rc == 0) *out = store__be64_get(v.mv_data);
  return rc;
}

/* mkdir -p: creates dir and its missing parents. */
static int mkdir_p(const char *dir) {
  char path[4096];
  size_t n = strlen(dir);
  if (n == 0 || n >= sizeof(path)) return -1;
  memcpy(path, dir, n + 1);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(path, 0700) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int valid_name(const char *name) {
  if (!name) return 0;
  size_t n = strlen(name);
  return n > 0 && n <= NAME_MAX_LEN && !strchr(name, '/');
}

/* Checks names and limits; counts the named databases the schema needs. */
static int check_schema(const store_schema_t *schema, unsigned *n_dbs) {
  unsigned n = N_INTERNAL_DBS;
  if (!schema || schema->n_tables > STORE_MAX_TABLES) return STORE_EINVAL;
  for (size_t i = 0; i < schema->n_tables; i++) {
    const store_table_def_t *td = &schema->tables[i];
    if (!valid_name(td->name) || td->n_indexes > STORE_MAX_INDEXES) return STORE_EINVAL;
    for (size_t j = 0; j < td->n_indexes; j++)
      if (!valid_name(td->indexes[j].name)) return STORE_EINVAL;
    n += 1 + (unsigned)td->n_indexes;
  }
  *n_dbs = n;
  return 0;
}

static int open_db(MDB_txn *txn, const char *name, unsigned flags, MDB_dbi *out) {
  return store__map_err(mdb_dbi_open(txn, name, MDB_CREATE | flags, out));
}

static int open_table(MDB_txn *txn, const store_table_def_t *td, store__table_t *tb) {
  char name[2 * NAME_MAX_LEN + 8];
  int rc;
  snprintf(name, sizeof(name), "t/%s", td->name);
  if ((rc = open_db(txn, name, 0, &tb->dbi)) != 0) return rc;
  for (size_t j = 0; j < td->n_indexes; j++) {
    tb->unique[j] = (td->indexes[j].flags & STORE_INDEX_UNIQUE) != 0;
    unsigned flags = tb->unique[j] ? 0 : MDB_DUPSORT;
    snprintf(name, sizeof(name), "i/%s/%s", td->name, td->indexes[j].name);
    if ((rc = open_db(txn, name, flags, &tb->idx[j])) != 0) return rc;
  }
  tb->grouped = td->grouped;
  tb->watched = td->watched;
  tb->n_indexes = td->n_indexes;
  tb->tag_n = strlen(td->name) + 1;
  tb->tag[0] = (unsigned char)(tb->tag_n - 1);
  memcpy(tb->tag + 1, td->name, tb->tag_n - 1);
  return 0;
}

/* Creates or opens every named database, and upgrades older formats, in one write
 * transaction. */
static int open_dbs(store_t *s, const store_schema_t *schema) {
  MDB_txn *txn = NULL;
  int rc = store__map_err(mdb_txn_begin(s->env, NULL, 0, &txn));
  if (rc != 0) return rc;
  if ((rc = open_db(txn, "_meta", 0, &s->meta)) != 0) goto out;
  if ((rc = open_db(txn, "_glist", 0, &s->glist)) != 0) goto out;
  if ((rc = open_db(txn, "_fenwick", 0, &s->fenwick)) != 0) goto out;
  if ((rc = open_db(txn, "_counters", 0, &s->counters)) != 0) goto out;
  if ((rc = open_db(txn, "_changes", 0, &s->changes)) != 0) goto out;
  for (size_t i = 0; i < schema->n_tables; i++) {
    if ((rc = open_table(txn, &schema->tables[i], &s->tables[i])) != 0) goto out;
  }
  s->n_tables = schema->n_tables;
  if ((rc = store__upgrade(s, txn)) != 0) goto out;
  if ((rc = store__log_init(s, txn)) != 0) goto out;
  rc = store__map_err(mdb_txn_commit(txn));
  txn = NULL;
out:
  if (txn) mdb_txn_abort(txn);
  return rc;
}

static int open_env(store_t *s, const char *dir, const store_opts_t *o, unsigned n_dbs) {
  int rc, dead;
  if ((rc = mdb_env_create(&s->env)) != 0) return store__map_err(rc);
  if ((rc = mdb_env_set_maxdbs(s->env, n_dbs)) != 0) return store__map_err(rc);
  size_t map_size = o->map_size ? o->map_size : STORE_DEFAULT_MAP_SIZE;
  if ((rc = mdb_env_set_mapsize(s->env, map_size)) != 0) return store__map_err(rc);
  s->soft_limit = store__soft_limit(map_size);
  /* Read transactions are handed between threads, so their slots are not thread-local. */
  if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != 0) return store__map_err(rc);
  if (mdb_env_get_maxkeysize(s->env) < STORE__KEY_MAX) return STORE_EINVAL;
  /* A process that died holding a reader slot would otherwise pin old pages forever. */
  return store__map_err(mdb_reader_check(s->env, &dead));
}

static void destroy(store_t *s) {
  store__hub_close(s);
  if (s->env) mdb_env_close(s->env);
  pthread_cond_destroy(&s->queued);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

int store_open(const char *dir, const store_schema_t *schema, const store_opts_t *opts,
               store_t **out) {
  static const store_opts_t defaults = {0};
  const store_opts_t *o = opts ? opts : &defaults;
  unsigned n_dbs = 0;
  int rc = check_schema(schema, &n_dbs);
  if (rc != 0 || !dir || !out || o->batch_max < 0 || o->queue_max < 0)
    return rc ? rc : STORE_EINVAL;
  if (mkdir_p(dir) != 0) return STORE_EIO;
  store_t *s = calloc(1, sizeof(*s));
  if (!s) return STORE_ENOMEM;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->queued, NULL);
  s->batch_max = o->no_group_commit ? 1 : o->batch_max ? o->batch_max : DEFAULT_BATCH_MAX;
  s->queue_max = o->queue_max ? o->queue_max : STORE_DEFAULT_QUEUE_MAX;
  s->changelog_max = o->changelog_max ? o->changelog_max : STORE_DEFAULT_CHANGELOG_MAX;
  store__hub_init(s);
  store__metrics_init(s);
  if ((rc = open_env(s, dir, o, n_dbs)) != 0) goto out;
  if ((rc = open_dbs(s, schema)) != 0) goto out;
  rc = store__writer_start(s);
out:
  if (rc != 0)
    destroy(s);
  else
    *out = s;
  return rc;
}

void store_close(store_t *s) {
  if (!s) return;
  store__writer_stop(s);
  destroy(s);
}

int store_txn_begin_read(store_t *s, store_txn_t **out) {
  if (!s || !out) return STORE_EINVAL;
  store_txn_t *t = calloc(1, sizeof(*t));
  if (!t) return STORE_ENOMEM;
  int rc = store__map_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn));
  if (rc != 0) {
    free(t);
    return rc;
  }
  t->s = s;
  t->rdonly = 1;
  *out = t;
  return 0;
}

void store_txn_end(store_txn_t *txn) {
  if (!txn) return;
  mdb_txn_abort(txn->txn);
  free(txn);
}
