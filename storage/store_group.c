/* store_group.c - ordered groups: insertion order, exact counts and O(log n) offsets.
 *
 * Each (table, group) hands out increasing sequence numbers; "_glist" maps (table, group,
 * seq) to the primary key, so a cursor lists a group in insertion order. Deleting leaves
 * holes in the seq space, so the offset-th live record cannot be found by arithmetic.
 * A Fenwick tree over seq ("_fenwick", node -> live records in the node's range) answers
 * "which seq is the k-th live one" by descending from its root in log2(capacity) reads, and
 * a page then costs a cursor walk of its own length: O(log n + limit).
 *
 * The tree's capacity is the smallest power of two >= the largest seq handed out, so it
 * grows with the group: doubling it only needs the new root, which covers exactly what the
 * old root covered. Nodes that drop to zero are deleted, so when a group empties nothing
 * is left of it and its seq space starts again at 1.
 *
 * Group state (counters db, key 'G' + tag + group) is 16 bytes: next seq and live count,
 * both big-endian. */
#include "storage/store_internal.h"

typedef struct gstate {
  uint64_t next;  /* seq the next record gets */
  uint64_t count; /* live records */
} gstate_t;

static uint64_t pow2ceil(uint64_t n) {
  uint64_t p = 1;
  if (n == 0) return 0;
  while (p < n) p <<= 1;
  return p;
}

static uint64_t capacity(const gstate_t *g) { return pow2ceil(g->next - 1); }

static void state_key(const store__table_t *tb, store_val_t group, store__key_t *k) {
  store__key_counter(k, 'G', tb);
  store__key_group(k, group);
}

/* The prefix shared by a group's "_glist" and "_fenwick" keys. */
static void group_prefix(const store__table_t *tb, store_val_t group, store__key_t *k) {
  store__key_init(k, tb);
  store__key_group(k, group);
}

static int load_state(store_txn_t *t, const store__key_t *key, gstate_t *g) {
  store_val_t v;
  int rc = store__get(t, t->s->counters, store__key_val(key), &v);
  if (rc == STORE_NOTFOUND) {
    *g = (gstate_t){.next = 1, .count = 0};
    return 0;
  }
  if (rc != 0) return rc;
  if (v.n != 16) return STORE_EIO;
  g->next = store__be64_get(v.p);
  g->count = store__be64_get((const unsigned char *)v.p + 8);
  return 0;
}

/* The group's state key *sk, the prefix *pfx of its entries, and its state *g. */
static int open_group(store_txn_t *t, const store__table_t *tb, store_val_t group, store__key_t *sk,
                      store__key_t *pfx, gstate_t *g) {
  state_key(tb, group, sk);
  group_prefix(tb, group, pfx);
  return load_state(t, sk, g);
}

/* An empty group's state is deleted: nothing of the group remains. */
static int save_state(store_txn_t *t, const store__key_t *key, const gstate_t *g) {
  unsigned char b[16];
  store_val_t k = store__key_val(key);
  if (g->count == 0) return store__del(t, t->s->counters, k, NULL);
  store__be64_put(b, g->next);
  store__be64_put(b + 8, g->count);
  return store__put(t, t->s->counters, k, (store_val_t){b, 16}, 0);
}

/* The prefix followed by a big-endian u64: a Fenwick node or a seq. */
static store_val_t prefix_key(const store__key_t *prefix, uint64_t n, store__key_t *k) {
  *k = *prefix;
  store__key_u64(k, n);
  return store__key_val(k);
}

/* A missing node counts zero. */
static int node_get(store_txn_t *t, const store__key_t *prefix, uint64_t node, uint64_t *out) {
  store__key_t kb;
  return store__get_u64(t, t->s->fenwick, prefix_key(prefix, node, &kb), out);
}

static int node_add(store_txn_t *t, const store__key_t *prefix, uint64_t node, int64_t delta) {
  store__key_t kb;
  unsigned char b[8];
  uint64_t n;
  int rc = node_get(t, prefix, node, &n);
  if (rc != 0) return rc;
  n += (uint64_t)delta;
  store_val_t k = prefix_key(prefix, node, &kb);
  if (n == 0) return store__del(t, t->s->fenwick, k, NULL);
  store__be64_put(b, n);
  return store__put(t, t->s->fenwick, k, (store_val_t){b, 8}, 0);
}

static int fenwick_add(store_txn_t *t, const store__key_t *prefix, uint64_t seq, uint64_t cap,
                       int64_t delta) {
  for (uint64_t i = seq; i <= cap; i += i & (~i + 1)) {
    int rc = node_add(t, prefix, i, delta);
    if (rc != 0) return rc;
  }
  return 0;
}

/* The seq of the rank-th live record (1-based); the caller checked rank <= count, so the
 * root (node cap) is known to cover it and the descent starts below it. */
static int fenwick_find(store_txn_t *t, const store__key_t *prefix, uint64_t cap, uint64_t rank,
                        uint64_t *seq) {
  uint64_t pos = 0, v;
  for (uint64_t step = cap >> 1; step; step >>= 1) {
    int rc = node_get(t, prefix, pos + step, &v);
    if (rc != 0) return rc;
    if (v < rank) {
      pos += step;
      rank -= v;
    }
  }
  *seq = pos + 1;
  return 0;
}

/* Doubling the capacity to cap: the new root covers what the old root covered. */
static int grow(store_txn_t *t, const store__key_t *prefix, uint64_t old_cap, uint64_t cap) {
  uint64_t v = 0;
  int rc;
  if (cap == old_cap || old_cap == 0) return 0;
  if ((rc = node_get(t, prefix, old_cap, &v)) != 0 || v == 0) return rc;
  return node_add(t, prefix, cap, (int64_t)v);
}

int store__group_add(store_txn_t *t, const store__table_t *tb, store_val_t group, store_val_t pkey,
                     uint64_t *seq) {
  store__key_t sk, pfx, lk;
  gstate_t g;
  int rc;
  if ((rc = open_group(t, tb, group, &sk, &pfx, &g)) != 0) return rc;
  uint64_t s = g.next, cap = pow2ceil(s);
  if ((rc = grow(t, &pfx, capacity(&g), cap)) != 0) return rc;
  if ((rc = fenwick_add(t, &pfx, s, cap, 1)) != 0) return rc;
  if ((rc = store__put(t, t->s->glist, prefix_key(&pfx, s, &lk), pkey, 0)) != 0) return rc;
  g.next++;
  g.count++;
  if ((rc = save_state(t, &sk, &g)) == 0) *seq = s;
  return rc;
}

int store__group_remove(store_txn_t *t, const store__table_t *tb, store_val_t group, uint64_t seq) {
  store__key_t sk, pfx, lk;
  gstate_t g;
  int rc;
  if ((rc = open_group(t, tb, group, &sk, &pfx, &g)) != 0) return rc;
  if (g.count == 0 || seq == 0 || seq >= g.next) return STORE_EIO; /* meta and group disagree */
  if ((rc = fenwick_add(t, &pfx, seq, capacity(&g), -1)) != 0) return rc;
  if ((rc = store__del(t, t->s->glist, prefix_key(&pfx, seq, &lk), NULL)) != 0) return rc;
  g.count--;
  return save_state(t, &sk, &g);
}

/* Checks the arguments common to the public group calls. */
static const store__table_t *grouped_table(store_txn_t *t, int table, store_val_t group) {
  const store__table_t *tb = store__table(t, table);
  if (!tb || !tb->grouped || !group.p || group.n > STORE__KEY_MAX - tb->tag_n - 10) return NULL;
  return tb;
}

int store_group_count(store_txn_t *txn, int table, store_val_t group, uint64_t *out) {
  const store__table_t *tb = grouped_table(txn, table, group);
  store__key_t sk;
  gstate_t g;
  if (!tb || !out) return STORE_EINVAL;
  state_key(tb, group, &sk);
  int rc = load_state(txn, &sk, &g);
  if (rc == 0) *out = g.count;
  return rc;
}

int store_group_scan(store_txn_t *txn, int table, store_val_t group, uint64_t offset, size_t limit,
                     store_iter_fn fn, void *arg) {
  const store__table_t *tb = grouped_table(txn, table, group);
  store__key_t sk, pfx, start;
  gstate_t g;
  uint64_t seq;
  int rc;
  if (!tb || !fn) return STORE_EINVAL;
  if ((rc = open_group(txn, tb, group, &sk, &pfx, &g)) != 0 || offset >= g.count) return rc;
  if ((rc = fenwick_find(txn, &pfx, capacity(&g), offset + 1, &seq)) != 0) return rc;
  store_val_t sv = prefix_key(&pfx, seq, &start);
  return store__walk(txn, txn->s->glist, sv, store__key_val(&pfx), &tb->dbi, limit, fn, arg);
}
