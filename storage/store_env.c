/* store_env.c - a store_t over its engine (store_engine.h): opening it with its schema's
 * databases on the engine a spec names, read transactions, error texts, and the engine
 * wrappers that every write goes through (so the test fault hook and sticky engine errors
 * live in one place, for every engine).
 *
 * Database names: "t/<table>" per table, "i/<table>/<index>" per index (dupsort when not
 * unique, so several records can share an index key, sorted by primary key), and the
 * internal "_meta", "_glist", "_fenwick", "_counters", "_changes". Table and index names may
 * not contain '/', so no two names collide. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/store_internal.h"

#define DEFAULT_BATCH_MAX 256
#define NAME_MAX_LEN 200
#define N_INTERNAL_DBS 5
#define STORE__OPEN_TRIES 8

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

/* An engine error may leave the engine's transaction half-written, so the write must not
 * commit. */
static int sticky(store_txn_t *t, int rc) {
  if (rc == STORE_FULL || rc == STORE_EIO || rc == STORE_ENOMEM || rc == STORE_UNAVAILABLE)
    t->err = rc;
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

int store__put(store_txn_t *t, unsigned db, store_val_t k, store_val_t v, unsigned flags) {
  if (t->rdonly) return STORE_ERDONLY;
  if (t->err) return t->err;
  int rc = store__fault(t->s);
  if (rc == 0) rc = t->s->eng->put(t, db, k, v, flags);
  return sticky(t, rc);
}

int store__del(store_txn_t *t, unsigned db, store_val_t k, const store_val_t *dup) {
  if (t->rdonly) return STORE_ERDONLY;
  if (t->err) return t->err;
  int rc = store__fault(t->s);
  if (rc == 0) rc = t->s->eng->del(t, db, k, dup);
  return rc == STORE_NOTFOUND ? 0 : sticky(t, rc);
}

int store__get(store_txn_t *t, unsigned db, store_val_t k, store_val_t *v) {
  if (t->err) return t->err;
  int rc = t->s->eng->get(t, db, k, v);
  return rc == STORE_NOTFOUND ? rc : sticky(t, rc);
}

int store__get_u64(store_txn_t *t, unsigned db, store_val_t k, uint64_t *out) {
  store_val_t v;
  int rc = store__get(t, db, k, &v);
  if (rc == STORE_NOTFOUND) {
    *out = 0;
    return 0;
  }
  if (rc == 0 && v.n != 8) return STORE_EIO;
  if (rc == 0) *out = store__be64_get(v.p);
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

static int open_table(store_txn_t *t, const store_table_def_t *td, store__table_t *tb) {
  char name[2 * NAME_MAX_LEN + 8];
  int rc;
  snprintf(name, sizeof(name), "t/%s", td->name);
  if ((rc = t->s->eng->db_open(t, name, 0, &tb->dbi)) != 0) return rc;
  for (size_t j = 0; j < td->n_indexes; j++) {
    tb->unique[j] = (td->indexes[j].flags & STORE_INDEX_UNIQUE) != 0;
    snprintf(name, sizeof(name), "i/%s/%s", td->name, td->indexes[j].name);
    if ((rc = t->s->eng->db_open(t, name, !tb->unique[j], &tb->idx[j])) != 0) return rc;
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
static int open_dbs_once(store_t *s, const store_schema_t *schema) {
  const store__engine_t *e = s->eng;
  store_txn_t t = {.s = s};
  int rc = e->txn_begin(&t, 0);
  if (rc != 0) return rc;
  s->n_tables = 0;
  if ((rc = e->db_open(&t, "_meta", 0, &s->meta)) != 0) goto out;
  if ((rc = e->db_open(&t, "_glist", 0, &s->glist)) != 0) goto out;
  if ((rc = e->db_open(&t, "_fenwick", 0, &s->fenwick)) != 0) goto out;
  if ((rc = e->db_open(&t, "_counters", 0, &s->counters)) != 0) goto out;
  if ((rc = e->db_open(&t, "_changes", 0, &s->changes)) != 0) goto out;
  for (size_t i = 0; i < schema->n_tables; i++) {
    if ((rc = open_table(&t, &schema->tables[i], &s->tables[i])) != 0) goto out;
  }
  s->n_tables = schema->n_tables;
  if ((rc = store__upgrade(&t)) != 0) goto out;
  if ((rc = store__log_init(&t)) != 0) goto out;
  return e->txn_commit(&t);
out:
  e->txn_abort(&t);
  return rc;
}

/* An engine shared by several processes may lose the first commit to another's (the same
 * store opened at once): that one did the same work, so this one runs again. */
static int open_dbs(store_t *s, const store_schema_t *schema) {
  int rc = STORE__RETRY;
  for (int i = 0; i < STORE__OPEN_TRIES && rc == STORE__RETRY; i++) rc = open_dbs_once(s, schema);
  return rc == STORE__RETRY ? STORE_CONTENDED : rc;
}

static void destroy(store_t *s) {
  store__hub_close(s);
  if (s->eng) s->eng->close(s);
  pthread_cond_destroy(&s->queued);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* What every engine's store_t starts with, then the engine (open_engine), its databases and
 * the writer. */
static int open_store(const store_schema_t *schema, const store_opts_t *opts,
                      int (*open_engine)(store_t *, const void *, const store_opts_t *, unsigned),
                      const void *where, store_t **out) {
  static const store_opts_t defaults = {0};
  const store_opts_t *o = opts ? opts : &defaults;
  unsigned n_dbs = 0;
  int rc = check_schema(schema, &n_dbs);
  if (rc != 0 || !where || !out || o->batch_max < 0 || o->queue_max < 0 || o->etcd_max_txn_ops < 0)
    return rc ? rc : STORE_EINVAL;
  store_t *s = calloc(1, sizeof(*s));
  if (!s) return STORE_ENOMEM;
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->queued, NULL);
  s->batch_max = o->no_group_commit ? 1 : o->batch_max ? o->batch_max : DEFAULT_BATCH_MAX;
  s->queue_max = o->queue_max ? o->queue_max : STORE_DEFAULT_QUEUE_MAX;
  s->changelog_max = o->changelog_max ? o->changelog_max : STORE_DEFAULT_CHANGELOG_MAX;
  store__hub_init(s);
  store__metrics_init(s);
  if ((rc = open_engine(s, where, o, n_dbs)) != 0) goto out;
  if ((rc = open_dbs(s, schema)) != 0) goto out;
  rc = store__writer_start(s);
out:
  if (rc != 0)
    destroy(s);
  else
    *out = s;
  return rc;
}

static int open_lmdb(store_t *s, const void *dir, const store_opts_t *o, unsigned n_dbs) {
  if (mkdir_p(dir) != 0) return STORE_EIO;
  return store__lmdb_open(s, dir, o, n_dbs);
}

static int open_etcd(store_t *s, const void *spec, const store_opts_t *o, unsigned n_dbs) {
  (void)n_dbs;
  return store__etcd_open(s, spec, o);
}

int store_open(const char *dir, const store_schema_t *schema, const store_opts_t *opts,
               store_t **out) {
  return open_store(schema, opts, open_lmdb, dir, out);
}

int store_open_spec(const char *spec, const store_schema_t *schema, const store_opts_t *opts,
                    store_t **out) {
  store_spec_t *sp = malloc(sizeof(*sp));
  if (!sp) return STORE_ENOMEM;
  int rc = store_spec_parse(spec, sp);
  /* The spec names the cluster's budgets where it is deployed: they win over the code's. */
  store_opts_t o = {0};
  if (opts) o = *opts;
  if (rc == 0 && sp->etcd_max_txn_ops) o.etcd_max_txn_ops = sp->etcd_max_txn_ops;
  if (rc == 0 && sp->etcd_max_request_bytes) o.etcd_max_request_bytes = sp->etcd_max_request_bytes;
  if (rc == 0)
    rc = sp->engine == STORE_ENGINE_LMDB ? open_store(schema, &o, open_lmdb, sp->where, out)
                                         : open_store(schema, &o, open_etcd, sp, out);
  free(sp);
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
  t->s = s;
  t->rdonly = 1;
  int rc = s->eng->txn_begin(t, 1);
  if (rc != 0) {
    free(t);
    return rc;
  }
  *out = t;
  return 0;
}

void store_txn_end(store_txn_t *txn) {
  if (!txn) return;
  txn->s->eng->txn_abort(txn);
  free(txn);
}
