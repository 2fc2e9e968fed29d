/* store_etcd.c - the etcd engine (store_engine.h): a store's databases as etcd keys, read
 * at one pinned revision per txn, written by one etcd Txn per commit.
 *
 * Keys: "<prefix>/<db name>/<key>". A dupsort database (a non-unique index) keeps one etcd
 * key per (key, value): "<prefix>/<db>/" + esc(key) + 00 01 + value, with an empty etcd
 * value, where esc doubles no byte but turns each 00 into 00 FF. 00 01 sorts below every
 * escaped byte, so the order is (key, value) as LMDB's DUPSORT gives, and esc(p) is a
 * prefix of esc(k) whenever p is a prefix of k: index prefix walks stay etcd range walks.
 *
 * Reads: a txn pins etcd's revision at its first read (the answer's header revision), and
 * every later read is a Range at that revision, so a txn sees one snapshot. Answers live in
 * the txn's arena until it ends. Cursors read CHUNK keys at a time (Range with a limit,
 * backwards with sort_order DESCEND) and continue after the last key.
 *
 * Writes: a write txn (the writer's batch) pins its revision by reading the fence key
 * "<prefix>/_fence" and keeps its writes in an overlay: an ordered array of pending puts
 * and deletes that every read and cursor of the txn merges over etcd's answer
 * (read-your-writes). A nested txn is a mark in the overlay's undo log: its abort restores
 * the overlay to the mark. Commit is ONE etcd Txn: "the fence's mod_revision is still what
 * the snapshot saw" guards every put and delete of the overlay plus a put of the fence.
 * Every commit of every process on the prefix puts the fence, so a commit succeeds only if
 * nothing was committed since its snapshot: write txns are serializable across replicas,
 * the Kubernetes way (its etcd3 store compares mod_revision per object; one fence per store
 * keeps the store's derived keys - indexes, groups, counters - consistent as well). A lost
 * compare is STORE__RETRY (the writer runs the batch again on a fresh snapshot); an answer
 * that leaves the outcome unknown (ETCD_EINDOUBT, a timeout) is STORE_INDOUBT, never success.
 *
 * Threads: as store_engine.h; the client is shared by every txn (etcd_client.h allows it). */
#include <stdlib.h>
#include <string.h>

#include "storage/etcd_client.h"
#include "storage/store_internal.h"

#define MAX_DBS (5 + STORE_MAX_TABLES * (1 + STORE_MAX_INDEXES))
#define CHUNK 128     /* keys per cursor Range */
#define MAX_NEST 8    /* nested txns inside one write txn */
#define POLL_MS 100   /* the watch thread's re-read of the log (store_watch.c) */
#define TXN_SLACK 512 /* bytes per op of an etcd Txn beyond its key and value */
/* Bytes of a Txn request beyond its ops (the compare, the fence's put, the Raft request's
 * header), with room to spare: TXN_SLACK already counts each op's framing 20 times over. */
#define TXN_ENVELOPE 4096

typedef struct edb {
  char *kp; /* "<prefix>/<name>/" */
  size_t kpn;
  char *end; /* the range end of kp (every key starting with kp is below it) */
  size_t endn;
  int dupsort;
} edb_t;

typedef struct store__etcd {
  etcd_client_t *c;
  char *prefix; /* "<prefix>/" */
  size_t prefixn;
  char *fence;
  size_t fencen;
  edb_t dbs[MAX_DBS];
  size_t n_dbs;
  int max_ops;
  size_t max_bytes; /* what a commit's estimate (txn_too_big) may reach */
} store__etcd_t;

/* One pending write: a put (tomb 0) or a delete of key (the full etcd key). */
typedef struct ov {
  hg_str_t key, val;
  int tomb;
} ov_t;

/* What an overlay entry was before a nested txn changed it (had 0: it was absent). */
typedef struct undo {
  hg_str_t key;
  ov_t prev;
  int had;
} undo_t;

typedef struct etx {
  hg_arena_t *a;
  int64_t rev; /* 0 until the first read */
  int write;
  int64_t fence_mod; /* write txns: the fence's mod_revision at rev (0: absent) */
  ov_t *ov;
  size_t n_ov, cap_ov;
  undo_t *undo;
  size_t n_undo, cap_undo;
  size_t marks[MAX_NEST];
  int depth;
} etx_t;

struct store__cursor {
  store_txn_t *t;
  const edb_t *db;
  hg_str_t cur; /* the full key of the current entry (p NULL: none) */
  /* the last chunk: remote keys in dir's order from the bound `from` (incl: from itself
   * included) on; more: etcd has keys past the chunk */
  etcd_kv_t *kvs;
  size_t n;
  int dir, more, incl, valid;
  hg_str_t from;
};

static store__etcd_t *E(store_t *s) { return s->engine; }
static etx_t *X(store_txn_t *t) { return t->e; }

static int cmp(hg_str_t a, hg_str_t b) {
  size_t n = a.n < b.n ? a.n : b.n;
  int r = n ? memcmp(a.p, b.p, n) : 0;
  return r ? r : (a.n > b.n) - (a.n < b.n);
}

/* ---- errors ------------------------------------------------------------------------------ */

/* A read's failure: etcd out of reach is STORE_UNAVAILABLE (nothing ran). */
static int read_err(int rc, const etcd_err_t *err) {
  if (rc == ETCD_ENOMEM) return STORE_ENOMEM;
  if (rc == ETCD_EUNAVAILABLE || rc == ETCD_ETIMEDOUT) return STORE_UNAVAILABLE;
  if (err->status == HG_RESOURCE_EXHAUSTED) return STORE_FULL;
  return STORE_EIO;
}

/* A commit's failure: refused before it ran (unreachable, no leader) is STORE_UNAVAILABLE;
 * etcd's "database space exceeded" (RESOURCE_EXHAUSTED) is STORE_FULL; a commit that may
 * have been applied (ETCD_EINDOUBT, a timeout: etcd's leader changed under it) is
 * STORE_INDOUBT, never success, and never run again by the store: UNAVAILABLE, so a client
 * sees a clean 503 (as Kubernetes' apiserver answers etcd's "request timed out"), and
 * nothing repeats it, since the gateway repeats only calls that provably never ran. */
static int commit_err(int rc, const etcd_err_t *err) {
  if (rc == ETCD_ENOMEM) return STORE_ENOMEM;
  if (rc == ETCD_EUNAVAILABLE) return STORE_UNAVAILABLE;
  if (err->status == HG_RESOURCE_EXHAUSTED) return STORE_FULL;
  if (rc == ETCD_EINDOUBT || rc == ETCD_ETIMEDOUT) return STORE_INDOUBT;
  return STORE_EIO;
}

/* ---- keys -------------------------------------------------------------------------------- */

/* kp + esc(k) (+ 00 01 + dup when term). */
static hg_str_t dup_key(hg_arena_t *a, const edb_t *db, store_val_t k, int term, store_val_t dup) {
  char *b = hg_arena_alloc_uninit(a, db->kpn + 2 * k.n + 2 + dup.n);
  if (!b) return (hg_str_t){NULL, 0};
  size_t n = db->kpn;
  memcpy(b, db->kp, n);
  for (size_t i = 0; i < k.n; i++) {
    unsigned char c = ((const unsigned char *)k.p)[i];
    b[n++] = (char)c;
    if (c == 0) b[n++] = (char)0xff;
  }
  if (term) {
    b[n++] = 0;
    b[n++] = 1;
    if (dup.n) memcpy(b + n, dup.p, dup.n);
    n += dup.n;
  }
  return (hg_str_t){b, n};
}

static hg_str_t plain_key(hg_arena_t *a, const edb_t *db, store_val_t k) {
  char *b = hg_arena_alloc_uninit(a, db->kpn + k.n);
  if (!b) return (hg_str_t){NULL, 0};
  memcpy(b, db->kp, db->kpn);
  if (k.n) memcpy(b + db->kpn, k.p, k.n);
  return (hg_str_t){b, db->kpn + k.n};
}

/* An entry of db as the store sees it: the key after kp; for dupsort, the unescaped key and
 * the value after the terminator. */
static int decode(hg_arena_t *a, const edb_t *db, hg_str_t full, hg_str_t val, store_val_t *k,
                  store_val_t *v) {
  const unsigned char *p = (const unsigned char *)full.p + db->kpn;
  size_t n = full.n - db->kpn;
  if (!db->dupsort) {
    *k = (store_val_t){p, n};
    *v = (store_val_t){val.p, val.n};
    return 0;
  }
  unsigned char *out = hg_arena_alloc_uninit(a, n ? n : 1);
  size_t o = 0, i = 0;
  if (!out) return STORE_ENOMEM;
  for (; i + 1 < n; i++) {
    if (p[i] == 0 && p[i + 1] == 1) break;
    out[o++] = p[i];
    if (p[i] == 0) i++; /* 00 FF */
  }
  if (i + 1 >= n) return STORE_EIO;
  *k = (store_val_t){out, o};
  *v = (store_val_t){p + i + 2, n - i - 2};
  return 0;
}

/* ---- remote reads ------------------------------------------------------------------------ */

/* A Range at the txn's revision, pinning it on the first read. */
static int range(store_txn_t *t, etcd_op_t *op, etcd_result_t *res) {
  etx_t *x = X(t);
  etcd_err_t err = {0};
  op->kind = ETCD_OP_RANGE;
  op->revision = x->rev;
  int rc = etcd_do(E(t->s)->c, op, x->a, res, &err);
  if (rc != 0) return read_err(rc, &err);
  if (x->rev == 0) x->rev = res->revision;
  return 0;
}

static int remote_get(store_txn_t *t, hg_str_t key, etcd_kv_t *kv) {
  etcd_op_t op = {.key = key};
  etcd_result_t res;
  int rc = range(t, &op, &res);
  if (rc != 0) return rc;
  if (res.n_kvs == 0) return STORE_NOTFOUND;
  *kv = res.kvs[0];
  return 0;
}

/* ---- overlay ----------------------------------------------------------------------------- */

/* The index of the first overlay entry >= key (incl) or > key. */
static size_t ov_lower(const etx_t *x, hg_str_t key, int incl) {
  size_t lo = 0, hi = x->n_ov;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = cmp(x->ov[mid].key, key);
    if (c < 0 || (c == 0 && !incl))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static ov_t *ov_find(etx_t *x, hg_str_t key) {
  size_t i = ov_lower(x, key, 1);
  return i < x->n_ov && cmp(x->ov[i].key, key) == 0 ? &x->ov[i] : NULL;
}

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * size);
  if (!q) return STORE_ENOMEM;
  *p = q;
  *cap = n;
  return 0;
}

/* Sets key (copied) to a put of val (copied) or a delete, remembering the old state for a
 * nested txn's abort. */
static int ov_set(etx_t *x, hg_str_t key, hg_str_t val, int tomb) {
  ov_t *e = ov_find(x, key);
  if (x->depth > 0) {
    if (grow((void **)&x->undo, &x->cap_undo, x->n_undo + 1, sizeof(undo_t))) return STORE_ENOMEM;
    undo_t *u = &x->undo[x->n_undo];
    u->had = e != NULL;
    if (e) u->prev = *e;
  }
  char *vk = val.n ? hg_arena_memdup(x->a, val.p, val.n) : NULL;
  if (val.n && !vk) return STORE_ENOMEM;
  hg_str_t v = {vk ? vk : "", val.n};
  if (e) {
    e->val = v;
    e->tomb = tomb;
    key = e->key;
  } else {
    char *kk = hg_arena_memdup(x->a, key.p, key.n);
    if (!kk || grow((void **)&x->ov, &x->cap_ov, x->n_ov + 1, sizeof(ov_t))) return STORE_ENOMEM;
    key = (hg_str_t){kk, key.n};
    size_t i = ov_lower(x, key, 1);
    memmove(&x->ov[i + 1], &x->ov[i], (x->n_ov - i) * sizeof(ov_t));
    x->ov[i] = (ov_t){key, v, tomb};
    x->n_ov++;
  }
  if (x->depth > 0) x->undo[x->n_undo++].key = key;
  return 0;
}

/* Undoes the overlay back to the undo log's length mark. */
static void ov_rollback(etx_t *x, size_t mark) {
  while (x->n_undo > mark) {
    undo_t *u = &x->undo[--x->n_undo];
    size_t i = ov_lower(x, u->key, 1);
    if (u->had) {
      x->ov[i] = u->prev;
    } else {
      memmove(&x->ov[i], &x->ov[i + 1], (x->n_ov - i - 1) * sizeof(ov_t));
      x->n_ov--;
    }
  }
}

/* ---- txns -------------------------------------------------------------------------------- */

static void etx_free(etx_t *x) {
  if (!x) return;
  hg_arena_free(x->a);
  free(x->ov);
  free(x->undo);
  free(x);
}

static int txn_begin(store_txn_t *t, int rdonly) {
  etx_t *x = calloc(1, sizeof(*x));
  if (!x || !(x->a = hg_arena_new())) {
    free(x);
    return STORE_ENOMEM;
  }
  t->e = x;
  x->write = !rdonly;
  if (rdonly) return 0;
  /* The snapshot of a write txn is the revision at which it read the fence. */
  store__etcd_t *e = E(t->s);
  etcd_kv_t kv;
  int rc = remote_get(t, (hg_str_t){e->fence, e->fencen}, &kv);
  if (rc == 0) x->fence_mod = kv.mod_revision;
  if (rc == 0 || rc == STORE_NOTFOUND) return 0;
  etx_free(x);
  t->e = NULL;
  return rc;
}

static void txn_abort(store_txn_t *t) {
  etx_free(X(t));
  t->e = NULL;
}

static int txn_commit(store_txn_t *t) {
  store__etcd_t *e = E(t->s);
  etx_t *x = X(t);
  int rc = 0;
  if (x->n_ov > 0) {
    etcd_op_t *ops = hg_arena_alloc(x->a, (x->n_ov + 1) * sizeof(*ops));
    if (!ops) {
      txn_abort(t);
      return STORE_ENOMEM;
    }
    for (size_t i = 0; i < x->n_ov; i++)
      ops[i] = (etcd_op_t){.kind = x->ov[i].tomb ? ETCD_OP_DELETE : ETCD_OP_PUT,
                           .key = x->ov[i].key,
                           .value = x->ov[i].val};
    hg_str_t fence = {e->fence, e->fencen};
    ops[x->n_ov] = (etcd_op_t){.kind = ETCD_OP_PUT, .key = fence, .value = HG_STR("")};
    etcd_cmp_t c = {
        .key = fence, .target = ETCD_CMP_MOD, .op = ETCD_CMP_EQUAL, .number = x->fence_mod};
    etcd_txn_t txn = {.cmps = &c, .n_cmps = 1, .success = ops, .n_success = x->n_ov + 1};
    etcd_txn_result_t res;
    etcd_err_t err = {0};
    int erc = etcd_txn(e->c, &txn, x->a, &res, &err);
    rc = erc != 0 ? commit_err(erc, &err) : res.succeeded ? 0 : STORE__RETRY;
  }
  txn_abort(t);
  return rc;
}

static int nested_begin(store_txn_t *parent, store_txn_t *child) {
  etx_t *x = X(parent);
  if (x->depth == MAX_NEST) return STORE_EINVAL;
  x->marks[x->depth++] = x->n_undo;
  child->e = x;
  return 0;
}

/* The child's changes become the parent's; at depth 0 nothing needs undoing any more. */
static int nested_commit(store_txn_t *child) {
  etx_t *x = X(child);
  x->depth--;
  if (x->depth == 0) x->n_undo = 0;
  return 0;
}

static void nested_abort(store_txn_t *child) {
  etx_t *x = X(child);
  ov_rollback(x, x->marks[--x->depth]);
}

/* ---- cursors ----------------------------------------------------------------------------- */

static int cursor_open(store_txn_t *t, unsigned db, store__cursor_t **out) {
  store__cursor_t *c = calloc(1, sizeof(*c));
  if (!c) return STORE_ENOMEM;
  c->t = t;
  c->db = &E(t->s)->dbs[db];
  *out = c;
  return 0;
}

static void cursor_close(store__cursor_t *c) { free(c); }

/* Whether the chunk holds every remote key from (from, incl) on in direction dir, up to
 * its last key (and beyond it when !more). */
static int chunk_covers(const store__cursor_t *c, hg_str_t from, int incl, int dir) {
  if (!c->valid || c->dir != dir) return 0;
  int r = cmp(from, c->from) * dir;
  return r > 0 || (r == 0 && (c->incl || !incl));
}

static int fetch(store__cursor_t *c, hg_str_t from, int incl, int dir) {
  etx_t *x = X(c->t);
  etcd_op_t op = {.limit = CHUNK};
  char *z = hg_arena_alloc_uninit(x->a, from.n + 1); /* from + 00: the first key after from */
  if (!z) return STORE_ENOMEM;
  memcpy(z, from.p, from.n);
  z[from.n] = 0;
  hg_str_t after = {z, from.n + 1};
  if (dir > 0) {
    op.key = incl ? from : after;
    op.range_end = (hg_str_t){c->db->end, c->db->endn};
  } else {
    op.key = (hg_str_t){c->db->kp, c->db->kpn};
    op.range_end = incl ? after : from;
    op.flags = ETCD_RANGE_DESCEND;
  }
  etcd_result_t res;
  int rc = range(c->t, &op, &res);
  if (rc != 0) return rc;
  c->kvs = res.kvs;
  c->n = res.n_kvs;
  c->more = res.more;
  c->dir = dir;
  c->incl = incl;
  c->from = (hg_str_t){z, from.n};
  c->valid = 1;
  return 0;
}

/* The first remote key after (from, incl) in direction dir within the db: *kv, or NULL. */
static int remote_next(store__cursor_t *c, hg_str_t from, int incl, int dir, etcd_kv_t **kv) {
  int rc;
  *kv = NULL;
  if (!chunk_covers(c, from, incl, dir) ||
      (c->n > 0 && c->more && cmp(from, c->kvs[c->n - 1].key) * dir >= 0)) {
    if ((rc = fetch(c, from, incl, dir)) != 0) return rc;
  }
  for (size_t i = 0; i < c->n; i++) { /* a chunk is short: a scan beats bookkeeping */
    int r = cmp(c->kvs[i].key, from) * dir;
    if (r > 0 || (r == 0 && incl)) {
      *kv = &c->kvs[i];
      return 0;
    }
  }
  return 0;
}

/* The first overlay entry after (from, incl) in direction dir within the db, or NULL. */
static const ov_t *overlay_next(const store__cursor_t *c, hg_str_t from, int incl, int dir) {
  const etx_t *x = X(c->t);
  const ov_t *e = NULL;
  if (dir > 0) {
    size_t i = ov_lower(x, from, incl);
    if (i < x->n_ov) e = &x->ov[i];
    if (e && cmp(e->key, (hg_str_t){c->db->end, c->db->endn}) >= 0) e = NULL;
  } else {
    size_t i = ov_lower(x, from, !incl); /* entries below i are < from (or <= from) */
    if (i > 0) e = &x->ov[i - 1];
    if (e && cmp(e->key, (hg_str_t){c->db->kp, c->db->kpn}) < 0) e = NULL;
  }
  return e;
}

/* Moves to the first live entry after (from, incl) in direction dir, the overlay over the
 * remote keys: an overlay entry shadows the remote key it equals, and a delete hides it. */
static int step(store__cursor_t *c, hg_str_t from, int incl, int dir, store_val_t *k,
                store_val_t *v) {
  for (;;) {
    etcd_kv_t *r;
    int rc = remote_next(c, from, incl, dir, &r);
    if (rc != 0) return rc;
    const ov_t *o = overlay_next(c, from, incl, dir);
    if (!r && !o) return STORE_NOTFOUND;
    int use_ov = o && (!r || cmp(o->key, r->key) * dir <= 0);
    hg_str_t key = use_ov ? o->key : r->key, val = use_ov ? o->val : r->value;
    if (use_ov && o->tomb) {
      from = key;
      incl = 0;
      continue;
    }
    c->cur = key;
    return decode(X(c->t)->a, c->db, key, val, k, v);
  }
}

static int cursor_get(store__cursor_t *c, store_val_t *k, store_val_t *v, store__cursor_op_t op) {
  const edb_t *db = c->db;
  hg_str_t start = {db->kp, db->kpn}, end = {db->end, db->endn};
  switch (op) {
    case STORE__FIRST: return step(c, start, 1, 1, k, v);
    case STORE__LAST: return step(c, end, 0, -1, k, v);
    case STORE__SET_RANGE: {
      hg_arena_t *a = X(c->t)->a;
      hg_str_t from =
          db->dupsort ? dup_key(a, db, *k, 0, (store_val_t){NULL, 0}) : plain_key(a, db, *k);
      if (!from.p) return STORE_ENOMEM;
      return step(c, from, 1, 1, k, v);
    }
    case STORE__NEXT: return c->cur.p ? step(c, c->cur, 0, 1, k, v) : step(c, start, 1, 1, k, v);
    case STORE__PREV: return c->cur.p ? step(c, c->cur, 0, -1, k, v) : step(c, end, 0, -1, k, v);
  }
  return STORE_EINVAL;
}

/* ---- get, put, del ----------------------------------------------------------------------- */

static int get(store_txn_t *t, unsigned db, store_val_t k, store_val_t *v) {
  const edb_t *d = &E(t->s)->dbs[db];
  etx_t *x = X(t);
  if (d->dupsort) { /* the key's first value */
    store__cursor_t c = {.t = t, .db = d};
    store_val_t ck = k, cv;
    int rc = cursor_get(&c, &ck, &cv, STORE__SET_RANGE);
    if (rc == 0 && (ck.n != k.n || (k.n && memcmp(ck.p, k.p, k.n) != 0))) rc = STORE_NOTFOUND;
    if (rc == 0) *v = cv;
    return rc;
  }
  hg_str_t key = plain_key(x->a, d, k);
  if (!key.p) return STORE_ENOMEM;
  const ov_t *o = ov_find(x, key);
  if (o) {
    if (o->tomb) return STORE_NOTFOUND;
    *v = (store_val_t){o->val.p, o->val.n};
    return 0;
  }
  etcd_kv_t kv;
  int rc = remote_get(t, key, &kv);
  if (rc == 0) *v = (store_val_t){kv.value.p, kv.value.n};
  return rc;
}

static int put(store_txn_t *t, unsigned db, store_val_t k, store_val_t v, unsigned flags) {
  const edb_t *d = &E(t->s)->dbs[db];
  etx_t *x = X(t);
  if (flags & STORE__NOOVERWRITE) {
    store_val_t old;
    int rc = get(t, db, k, &old);
    if (rc == 0) return STORE_EXISTS;
    if (rc != STORE_NOTFOUND) return rc;
  }
  if (d->dupsort) {
    hg_str_t key = dup_key(x->a, d, k, 1, v);
    return key.p ? ov_set(x, key, HG_STR(""), 0) : STORE_ENOMEM;
  }
  hg_str_t key = plain_key(x->a, d, k);
  return key.p ? ov_set(x, key, (hg_str_t){v.p, v.n}, 0) : STORE_ENOMEM;
}

/* A delete is queued without reading first: deleting an absent key is harmless to etcd,
 * and store__del treats "nothing to delete" as success anyway. */
static int del(store_txn_t *t, unsigned db, store_val_t k, const store_val_t *dup) {
  const edb_t *d = &E(t->s)->dbs[db];
  etx_t *x = X(t);
  if (!d->dupsort) {
    hg_str_t key = plain_key(x->a, d, k);
    return key.p ? ov_set(x, key, HG_STR(""), 1) : STORE_ENOMEM;
  }
  if (dup) {
    hg_str_t key = dup_key(x->a, d, k, 1, *dup);
    return key.p ? ov_set(x, key, HG_STR(""), 1) : STORE_ENOMEM;
  }
  /* Every value of the key: walk them, then delete each. */
  store__cursor_t c = {.t = t, .db = d};
  store_val_t ck = k, cv;
  int rc = cursor_get(&c, &ck, &cv, STORE__SET_RANGE);
  for (; rc == 0 && ck.n == k.n && (!k.n || memcmp(ck.p, k.p, k.n) == 0);
       rc = cursor_get(&c, &ck, &cv, STORE__NEXT)) {
    hg_str_t key = c.cur;
    if ((rc = ov_set(x, key, HG_STR(""), 1)) != 0) return rc;
  }
  return rc == STORE_NOTFOUND ? 0 : rc;
}

/* ---- the rest of the seam ---------------------------------------------------------------- */

static int entries(store_txn_t *t, unsigned db, size_t *n) {
  const edb_t *d = &E(t->s)->dbs[db];
  etcd_op_t op = {
      .key = {d->kp, d->kpn}, .range_end = {d->end, d->endn}, .flags = ETCD_RANGE_COUNT_ONLY};
  etcd_result_t res;
  int rc = range(t, &op, &res);
  if (rc == 0) *n = (size_t)res.count;
  return rc;
}

/* Ops and bytes of the commit t would make, the overlay plus the fence, against etcd's
 * --max-txn-ops and --max-request-bytes (store_opts_t): etcd refuses a larger request whole. */
static int txn_too_big(store_txn_t *t) {
  const etx_t *x = X(t);
  size_t bytes = 0;
  if ((long)x->n_ov + 1 > E(t->s)->max_ops) return 1;
  for (size_t i = 0; i < x->n_ov; i++) bytes += x->ov[i].key.n + x->ov[i].val.n + TXN_SLACK;
  return bytes > E(t->s)->max_bytes;
}

/* etcd keeps no pages the store could count: it is never "full" by this measure (etcd's own
 * quota answers STORE_FULL on commit instead). */
static size_t tree_pages(store_txn_t *t) {
  (void)t;
  return 0;
}

static int space_over(store_t *s) {
  (void)s;
  return 0;
}

static int space_used(store_t *s, size_t *used, size_t *map) {
  (void)s, (void)used, (void)map;
  return STORE_EINVAL;
}

/* Names a database: its key prefix and that prefix's range end. */
static int db_open(store_txn_t *t, const char *name, int dupsort, unsigned *db) {
  store__etcd_t *e = E(t->s);
  size_t nn = strlen(name);
  for (size_t i = 0; i < e->n_dbs; i++) { /* store_open's first txn may run again */
    if (e->dbs[i].kpn == e->prefixn + nn + 1 && !memcmp(e->dbs[i].kp + e->prefixn, name, nn)) {
      *db = (unsigned)i;
      return 0;
    }
  }
  if (e->n_dbs == MAX_DBS) return STORE_EINVAL;
  edb_t *d = &e->dbs[e->n_dbs];
  d->kpn = e->prefixn + nn + 1;
  d->kp = malloc(d->kpn);
  d->end = malloc(d->kpn);
  if (!d->kp || !d->end) return STORE_ENOMEM;
  memcpy(d->kp, e->prefix, e->prefixn);
  memcpy(d->kp + e->prefixn, name, nn);
  d->kp[d->kpn - 1] = '/';
  memcpy(d->end, d->kp, d->kpn);
  d->end[d->kpn - 1] = '/' + 1; /* kp ends in '/': its range end is kp with '0' */
  d->endn = d->kpn;
  d->dupsort = dupsort;
  *db = (unsigned)e->n_dbs++;
  return 0;
}

static void etcd_close(store_t *s) {
  store__etcd_t *e = E(s);
  if (!e) return;
  for (size_t i = 0; i < e->n_dbs; i++) {
    free(e->dbs[i].kp);
    free(e->dbs[i].end);
  }
  if (e->c) etcd_client_destroy(e->c);
  free(e->prefix);
  free(e->fence);
  free(e);
  s->engine = NULL;
}

const store__engine_t store__etcd_engine = {
    .name = "etcd",
    .db_open = db_open,
    .txn_begin = txn_begin,
    .txn_commit = txn_commit,
    .txn_abort = txn_abort,
    .nested_begin = nested_begin,
    .nested_commit = nested_commit,
    .nested_abort = nested_abort,
    .get = get,
    .put = put,
    .del = del,
    .cursor_open = cursor_open,
    .cursor_get = cursor_get,
    .cursor_close = cursor_close,
    .entries = entries,
    .tree_pages = tree_pages,
    .space_over = space_over,
    .space_used = space_used,
    .txn_too_big = txn_too_big,
    .poll_ms = POLL_MS,
    .close = etcd_close,
};

int store__etcd_open(store_t *s, const store_spec_t *sp, const store_opts_t *o) {
  store__etcd_t *e = calloc(1, sizeof(*e));
  if (!e) return STORE_ENOMEM;
  s->eng = &store__etcd_engine;
  s->engine = e;
  e->max_ops = o->etcd_max_txn_ops ? o->etcd_max_txn_ops : STORE_DEFAULT_ETCD_MAX_TXN_OPS;
  size_t req =
      o->etcd_max_request_bytes ? o->etcd_max_request_bytes : STORE_DEFAULT_ETCD_MAX_REQUEST_BYTES;
  e->max_bytes = req - TXN_ENVELOPE;
  size_t pn = strlen(sp->prefix);
  e->prefixn = pn + 1;
  e->fencen = pn + sizeof("/_fence") - 1;
  e->prefix = malloc(e->prefixn);
  e->fence = malloc(e->fencen + 1);
  if (!e->prefix || !e->fence) return STORE_ENOMEM;
  memcpy(e->prefix, sp->prefix, pn);
  e->prefix[pn] = '/';
  memcpy(e->fence, sp->prefix, pn);
  memcpy(e->fence + pn, "/_fence", sizeof("/_fence"));
  if (e->max_ops < 2 || req < STORE_ETCD_MIN_REQUEST_BYTES) return STORE_EINVAL;
  switch (etcd_client_new(sp->where, NULL, &e->c)) {
    case 0: return 0;
    case ETCD_ENOMEM: return STORE_ENOMEM;
    default: return STORE_EINVAL;
  }
}
