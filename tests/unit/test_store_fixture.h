/* test_store_fixture.h - shared by the test_store* suites: a two-table schema ("items":
 * grouped, a unique "name" and a non-unique "tag" index; "plain"), a store in a temporary
 * directory per test, one-op writes through store_write, and readers that render what a
 * reader can see as strings to compare. */
#ifndef TEST_STORE_FIXTURE_H
#define TEST_STORE_FIXTURE_H

#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/store.h"
#include "test_store_engine.h"

enum { T_ITEMS, T_PLAIN };
enum { I_NAME, I_TAG };

static const store_index_def_t item_indexes[] = {
    {"name", STORE_INDEX_UNIQUE},
    {"tag", 0},
};
static const store_table_def_t tables[] = {
    {.name = "items", .grouped = 1, .indexes = item_indexes, .n_indexes = 2},
    {.name = "plain"},
};
static const store_schema_t schema = {tables, 2};

static char dir[64];

static inline void setup(void) {
  strcpy(dir, "/tmp/hangar-test-store-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static inline void teardown(void) { nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS); }

static inline store_t *open_store(void) {
  store_t *s = NULL;
  ck_assert_int_eq(test_store_open(dir, &schema, NULL, &s), 0);
  return s;
}

static inline store_val_t V(const char *s) { return (store_val_t){s, s ? strlen(s) : 0}; }

/* One put or delete; NULL keys mean "none". */
typedef struct op {
  int table;
  const char *key, *val, *group, *name, *tag;
  unsigned flags;
  int del;
} op_t;

/* The op on condition that its record is at version expect (0: unconditional). */
static inline int apply_if(store_txn_t *t, const op_t *o, uint64_t expect) {
  if (o->del) return store_del_if(t, o->table, V(o->key), expect);
  store_keys_t k = {.group = V(o->group), .index = {V(o->name), V(o->tag)}};
  return store_put_if(t, o->table, V(o->key), V(o->val), &k, o->flags, expect);
}

static inline int apply(store_txn_t *t, const op_t *o) { return apply_if(t, o, 0); }

typedef struct ops {
  const op_t *v;
  size_t n;
} ops_t;

static inline int run_ops(store_txn_t *t, void *arg) {
  const ops_t *ops = arg;
  for (size_t i = 0; i < ops->n; i++) {
    int rc = apply(t, &ops->v[i]);
    if (rc != 0) return rc;
  }
  return 0;
}

static inline int write_ops(store_t *s, const op_t *v, size_t n) {
  ops_t ops = {v, n};
  return store_write(s, run_ops, &ops);
}

static inline int put(store_t *s, const char *key, const char *val, const char *group,
                      const char *name, const char *tag) {
  op_t o = {T_ITEMS, key, val, group, name, tag, 0, 0};
  return write_ops(s, &o, 1);
}

static inline int del(store_t *s, const char *key) {
  op_t o = {.table = T_ITEMS, .key = key, .del = 1};
  return write_ops(s, &o, 1);
}

/* Appends "key=val;" for each visited record. */
static inline int collect(void *arg, store_val_t k, store_val_t v) {
  char *out = arg;
  size_t n = strlen(out);
  snprintf(out + n, 4096 - n, "%.*s=%.*s;", (int)k.n, (const char *)k.p, (int)v.n,
           (const char *)v.p);
  return 0;
}

/* Appends "key," for each visited record (for long listings). */
static inline int collect_keys(void *arg, store_val_t k, store_val_t v) {
  (void)v;
  char *out = arg;
  size_t n = strlen(out);
  snprintf(out + n, 65536 - n, "%.*s,", (int)k.n, (const char *)k.p);
  return 0;
}

static inline char *group_page(store_t *s, const char *group, uint64_t off, size_t lim, char *buf) {
  store_txn_t *t;
  buf[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_group_scan(t, T_ITEMS, V(group), off, lim, collect, buf), 0);
  store_txn_end(t);
  return buf;
}

static inline uint64_t group_count(store_t *s, const char *group) {
  store_txn_t *t;
  uint64_t n = 99999;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_group_count(t, T_ITEMS, V(group), &n), 0);
  store_txn_end(t);
  return n;
}

static inline uint64_t table_count(store_t *s, int table) {
  store_txn_t *t;
  uint64_t n = 99999;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_table_count(t, table, &n), 0);
  store_txn_end(t);
  return n;
}

/* The value of key in buf, or "" with the error code returned. */
static inline int get(store_t *s, int table, const char *key, char *buf) {
  store_txn_t *t;
  store_val_t v;
  buf[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  int rc = store_get(t, table, V(key), &v);
  if (rc == 0) snprintf(buf, 256, "%.*s", (int)v.n, (const char *)v.p);
  store_txn_end(t);
  return rc;
}

/* The primary key found under index ikey, or the error code. */
static inline int by_index(store_t *s, int index, const char *ikey, char *buf) {
  store_txn_t *t;
  store_val_t pk, v;
  buf[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  int rc = store_get_by_index(t, T_ITEMS, index, V(ikey), &pk, &v);
  if (rc == 0) snprintf(buf, 256, "%.*s", (int)pk.n, (const char *)pk.p);
  store_txn_end(t);
  return rc;
}

static inline char *index_scan(store_t *s, int index, const char *prefix, char *buf) {
  store_txn_t *t;
  buf[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_index_scan(t, T_ITEMS, index, V(prefix), 0, collect, buf), 0);
  store_txn_end(t);
  return buf;
}

/* Everything a reader can see (records, count, both indexes, groups g1 and g2), as one
 * string. */
static inline void dump(store_t *s, char *out) {
  static char part[4096];
  store_txn_t *t;
  uint64_t n;
  out[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_scan(t, T_ITEMS, V(""), 0, collect, out), 0);
  ck_assert_int_eq(store_table_count(t, T_ITEMS, &n), 0);
  store_txn_end(t);
  sprintf(out + strlen(out), "|%llu|%s", (unsigned long long)n, index_scan(s, I_NAME, "", part));
  sprintf(out + strlen(out), "|%s", index_scan(s, I_TAG, "", part));
  sprintf(out + strlen(out), "|%s", group_page(s, "g1", 0, 0, part));
  sprintf(out + strlen(out), "|%s|%llu", group_page(s, "g2", 0, 0, part),
          (unsigned long long)group_count(s, "g1"));
}

#endif
