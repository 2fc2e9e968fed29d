/* store_lmdb.c - the LMDB engine (store_engine.h): one environment in one directory, one
 * LMDB named database per engine database (MDB_DUPSORT for dupsort ones), durable commits
 * (fsync), nested write txns, and read txns that may move between threads (MDB_NOTLS). */
#include <errno.h>
#include <stdlib.h>

#include "storage/store_lmdb.h"

struct store__cursor {
  MDB_cursor *c;
};

int store__lmdb_err(int rc) {
  switch (rc) {
    case 0: return 0;
    case MDB_NOTFOUND: return STORE_NOTFOUND;
    case MDB_KEYEXIST: return STORE_EXISTS;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL: return STORE_FULL;
    case MDB_BAD_VALSIZE: return STORE_EINVAL;
    case ENOMEM: return STORE_ENOMEM;
  }
  if (rc <= STORE_NOTFOUND && rc >= STORE_UNAVAILABLE) return rc; /* already ours */
  return STORE_EIO;
}

static store__lmdb_t *L(store_t *s) { return s->engine; }
static MDB_dbi dbi(store_txn_t *t, unsigned db) { return L(t->s)->dbi[db]; }
static MDB_val mval(store_val_t v) { return (MDB_val){.mv_size = v.n, .mv_data = (void *)v.p}; }
static store_val_t sval(MDB_val v) { return (store_val_t){v.mv_data, v.mv_size}; }

static int db_open(store_txn_t *t, const char *name, int dupsort, unsigned *db) {
  store__lmdb_t *l = L(t->s);
  if (l->n_dbi == STORE__LMDB_MAX_DBS) return STORE_EINVAL;
  int rc = mdb_dbi_open(t->e, name, MDB_CREATE | (dupsort ? MDB_DUPSORT : 0), &l->dbi[l->n_dbi]);
  if (rc == 0) *db = (unsigned)l->n_dbi++;
  return store__lmdb_err(rc);
}

static int txn_begin(store_txn_t *t, int rdonly) {
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin(L(t->s)->env, NULL, rdonly ? MDB_RDONLY : 0, &txn);
  t->e = txn;
  return store__lmdb_err(rc);
}

static int txn_commit(store_txn_t *t) { return store__lmdb_err(mdb_txn_commit(t->e)); }
static void txn_abort(store_txn_t *t) { mdb_txn_abort(t->e); }

static int nested_begin(store_txn_t *parent, store_txn_t *child) {
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin(L(parent->s)->env, parent->e, 0, &txn);
  child->e = txn;
  return store__lmdb_err(rc);
}

static int get(store_txn_t *t, unsigned db, store_val_t k, store_val_t *v) {
  MDB_val kv = mval(k), vv;
  int rc = mdb_get(t->e, dbi(t, db), &kv, &vv);
  if (rc == 0) *v = sval(vv);
  return store__lmdb_err(rc);
}

static int put(store_txn_t *t, unsigned db, store_val_t k, store_val_t v, unsigned flags) {
  MDB_val kv = mval(k), vv = mval(v);
  return store__lmdb_err(
      mdb_put(t->e, dbi(t, db), &kv, &vv, (flags & STORE__NOOVERWRITE) ? MDB_NOOVERWRITE : 0));
}

static int del(store_txn_t *t, unsigned db, store_val_t k, const store_val_t *dup) {
  MDB_val kv = mval(k), dv = dup ? mval(*dup) : (MDB_val){0, NULL};
  return store__lmdb_err(mdb_del(t->e, dbi(t, db), &kv, dup ? &dv : NULL));
}

static int cursor_open(store_txn_t *t, unsigned db, store__cursor_t **out) {
  store__cursor_t *c = malloc(sizeof(*c));
  if (!c) return STORE_ENOMEM;
  int rc = store__lmdb_err(mdb_cursor_open(t->e, dbi(t, db), &c->c));
  if (rc != 0) {
    free(c);
    return rc;
  }
  *out = c;
  return 0;
}

static const MDB_cursor_op CURSOR_OPS[] = {
    [STORE__FIRST] = MDB_FIRST, [STORE__LAST] = MDB_LAST,           [STORE__NEXT] = MDB_NEXT,
    [STORE__PREV] = MDB_PREV,   [STORE__SET_RANGE] = MDB_SET_RANGE,
};

static int cursor_get(store__cursor_t *c, store_val_t *k, store_val_t *v, store__cursor_op_t op) {
  MDB_val kv = mval(*k), vv;
  int rc = mdb_cursor_get(c->c, &kv, &vv, CURSOR_OPS[op]);
  if (rc == 0) {
    *k = sval(kv);
    *v = sval(vv);
  }
  return store__lmdb_err(rc);
}

static void cursor_close(store__cursor_t *c) {
  mdb_cursor_close(c->c);
  free(c);
}

static int entries(store_txn_t *t, unsigned db, size_t *n) {
  MDB_stat st;
  int rc = store__lmdb_err(mdb_stat(t->e, dbi(t, db), &st));
  if (rc == 0) *n = st.ms_entries;
  return rc;
}

/* A write txn carries any number of writes. */
static int txn_too_big(store_txn_t *t) {
  (void)t;
  return 0;
}

static void lmdb_close(store_t *s) {
  store__lmdb_t *l = L(s);
  if (!l) return;
  if (l->env) mdb_env_close(l->env);
  free(l);
  s->engine = NULL;
}

const store__engine_t store__lmdb_engine = {
    .name = "lmdb",
    .db_open = db_open,
    .txn_begin = txn_begin,
    .txn_commit = txn_commit,
    .txn_abort = txn_abort,
    .nested_begin = nested_begin,
    .nested_commit = txn_commit,
    .nested_abort = txn_abort,
    .get = get,
    .put = put,
    .del = del,
    .cursor_open = cursor_open,
    .cursor_get = cursor_get,
    .cursor_close = cursor_close,
    .entries = entries,
    .tree_pages = store__lmdb_tree_pages,
    .space_over = store__lmdb_space_over,
    .space_used = store__lmdb_space_used,
    .txn_too_big = txn_too_big,
    .poll_ms = 0,
    .close = lmdb_close,
};

int store__lmdb_open(store_t *s, const char *dir, const store_opts_t *o, unsigned n_dbs) {
  int rc, dead;
  store__lmdb_t *l = calloc(1, sizeof(*l));
  if (!l) return STORE_ENOMEM;
  s->eng = &store__lmdb_engine;
  s->engine = l;
  if ((rc = mdb_env_create(&l->env)) != 0) return store__lmdb_err(rc);
  if ((rc = mdb_env_set_maxdbs(l->env, n_dbs)) != 0) return store__lmdb_err(rc);
  size_t map_size = o->map_size ? o->map_size : STORE_DEFAULT_MAP_SIZE;
  if ((rc = mdb_env_set_mapsize(l->env, map_size)) != 0) return store__lmdb_err(rc);
  s->soft_limit = store__soft_limit(map_size);
  /* Read transactions are handed between threads, so their slots are not thread-local. */
  if ((rc = mdb_env_open(l->env, dir, MDB_NOTLS, 0600)) != 0) return store__lmdb_err(rc);
  if (mdb_env_get_maxkeysize(l->env) < STORE__KEY_MAX) return STORE_EINVAL;
  /* A process that died holding a reader slot would otherwise pin old pages forever. */
  return store__lmdb_err(mdb_reader_check(l->env, &dead));
}
