/* test_store_version.c - record versions and optimistic concurrency (storage/store.h:
 * store_get_version, store_put_if, store_del_if) and the upgrade of format-1 meta entries,
 * which kept no version (storage/store_upgrade.c). */
#include "test_store_fixture.h"

#include <pthread.h>

#include "storage/store_internal.h"

/* store_get_version in a read transaction. */
static int get_version(store_t *s, const char *key, uint64_t *out) {
  store_txn_t *t;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  int rc = store_get_version(t, T_ITEMS, V(key), out);
  store_txn_end(t);
  return rc;
}

/* The version of a record that must exist. */
static uint64_t version_of(store_t *s, const char *key) {
  uint64_t v = 0;
  ck_assert_int_eq(get_version(s, key, &v), 0);
  return v;
}

typedef struct cond_op {
  op_t op;
  uint64_t expect;
} cond_op_t;

static int run_cond(store_txn_t *t, void *arg) {
  const cond_op_t *c = arg;
  return apply_if(t, &c->op, c->expect);
}

/* One conditional put or delete through store_write. */
static int write_if(store_t *s, op_t op, uint64_t expect) {
  cond_op_t c = {op, expect};
  return store_write(s, run_cond, &c);
}

/* A record with a group and both indexes, so a refused write has everything to disturb. */
static int put_full(store_t *s, const char *key, const char *val) {
  op_t o = {T_ITEMS, key, val, "g1", key, "t", 0, 0};
  return write_ops(s, &o, 1);
}

START_TEST(test_put_versions_increase_across_reopen) {
  store_t *s = open_store();
  ck_assert_int_eq(put(s, "a", "1", NULL, NULL, NULL), 0);
  uint64_t a1 = version_of(s, "a");
  ck_assert_int_eq(put(s, "b", "1", "g1", NULL, NULL), 0);
  uint64_t b1 = version_of(s, "b");
  ck_assert_int_eq(put(s, "a", "2", NULL, NULL, NULL), 0);
  uint64_t a2 = version_of(s, "a");
  ck_assert_uint_gt(a1, 0);
  ck_assert_uint_gt(b1, a1);
  ck_assert_uint_gt(a2, b1);
  store_close(s);
  s = open_store();
  ck_assert_uint_eq(version_of(s, "a"), a2);
  ck_assert_uint_eq(version_of(s, "b"), b1);
  ck_assert_int_eq(put(s, "b", "2", "g1", NULL, NULL), 0);
  ck_assert_uint_gt(version_of(s, "b"), a2);
  store_close(s);
}
END_TEST

/* Puts key "a", then reads back the version in the same transaction and hands it out. */
static int put_and_read_version(store_txn_t *t, void *arg) {
  uint64_t *versions = arg;
  int rc = store_next_version(t, &versions[0]);
  if (rc == 0) rc = store_put(t, T_ITEMS, V("a"), V("A"), NULL, 0);
  if (rc == 0) rc = store_get_version(t, T_ITEMS, V("a"), &versions[1]);
  return rc;
}

START_TEST(test_put_version_readable_in_same_txn) {
  store_t *s = open_store();
  uint64_t versions[2] = {0, 0};
  ck_assert_int_eq(store_write(s, put_and_read_version, versions), 0);
  /* One counter: the put's version follows the sequence number taken before it. */
  ck_assert_uint_eq(versions[1], versions[0] + 1);
  ck_assert_uint_eq(version_of(s, "a"), versions[1]);
  store_close(s);
}
END_TEST

START_TEST(test_get_version_missing_record_is_notfound) {
  store_t *s = open_store();
  uint64_t v = 7;
  ck_assert_int_eq(get_version(s, "nope", &v), STORE_NOTFOUND);
  ck_assert_int_eq(put(s, "a", "A", NULL, NULL, NULL), 0);
  ck_assert_int_eq(del(s, "a"), 0);
  ck_assert_int_eq(get_version(s, "a", &v), STORE_NOTFOUND);
  ck_assert_uint_eq(v, 7);
  store_close(s);
}
END_TEST

START_TEST(test_conditional_put_current_version_succeeds) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put_full(s, "a", "A"), 0);
  uint64_t v = version_of(s, "a");
  op_t o = {T_ITEMS, "a", "A2", "g2", "a2", "t2", 0, 0};
  ck_assert_int_eq(write_if(s, o, v), 0);
  ck_assert_uint_gt(version_of(s, "a"), v);
  dump(s, buf);
  ck_assert_str_eq(buf, "a=A2;|1|a=A2;|a=A2;||a=A2;|0");
  store_close(s);
}
END_TEST

START_TEST(test_conditional_put_stale_version_is_conflict) {
  store_t *s = open_store();
  char before[4096], after[4096];
  ck_assert_int_eq(put_full(s, "a", "A"), 0);
  uint64_t stale = version_of(s, "a");
  ck_assert_int_eq(put_full(s, "a", "A2"), 0);
  ck_assert_int_eq(put_full(s, "b", "B"), 0);
  uint64_t current = version_of(s, "a");
  dump(s, before);
  op_t o = {T_ITEMS, "a", "A3", "g2", "a3", "t3", 0, 0};
  ck_assert_int_eq(write_if(s, o, stale), STORE_CONFLICT);
  dump(s, after);
  ck_assert_str_eq(after, before);
  ck_assert_str_eq(after, "a=A2;b=B;|2|a=A2;b=B;|a=A2;b=B;|a=A2;b=B;||2");
  ck_assert_uint_eq(version_of(s, "a"), current);
  store_close(s);
}
END_TEST

START_TEST(test_conditional_put_missing_record_is_notfound) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put_full(s, "a", "A"), 0);
  uint64_t v = version_of(s, "a");
  ck_assert_int_eq(del(s, "a"), 0);
  op_t o = {T_ITEMS, "a", "A2", "g1", "a", "t", 0, 0};
  ck_assert_int_eq(write_if(s, o, v), STORE_NOTFOUND);
  dump(s, buf);
  ck_assert_str_eq(buf, "|0|||||0");
  store_close(s);
}
END_TEST

START_TEST(test_conditional_delete_current_version_succeeds) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put_full(s, "a", "A"), 0);
  ck_assert_int_eq(put_full(s, "b", "B"), 0);
  op_t o = {.table = T_ITEMS, .key = "a", .del = 1};
  ck_assert_int_eq(write_if(s, o, version_of(s, "a")), 0);
  dump(s, buf);
  ck_assert_str_eq(buf, "b=B;|1|b=B;|b=B;|b=B;||1");
  store_close(s);
}
END_TEST

START_TEST(test_conditional_delete_stale_version_is_conflict) {
  store_t *s = open_store();
  char before[4096], after[4096];
  ck_assert_int_eq(put_full(s, "a", "A"), 0);
  uint64_t stale = version_of(s, "a");
  ck_assert_int_eq(put_full(s, "a", "A2"), 0);
  dump(s, before);
  op_t o = {.table = T_ITEMS, .key = "a", .del = 1};
  ck_assert_int_eq(write_if(s, o, stale), STORE_CONFLICT);
  dump(s, after);
  ck_assert_str_eq(after, before);
  ck_assert_str_eq(after, "a=A2;|1|a=A2;|a=A2;|a=A2;||1");
  store_close(s);
}
END_TEST

START_TEST(test_conditional_writes_in_read_txn_are_erdonly) {
  store_t *s = open_store();
  store_txn_t *t;
  ck_assert_int_eq(put(s, "a", "A", NULL, NULL, NULL), 0);
  uint64_t v = version_of(s, "a");
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_put_if(t, T_ITEMS, V("a"), V("B"), NULL, 0, v), STORE_ERDONLY);
  ck_assert_int_eq(store_del_if(t, T_ITEMS, V("a"), v), STORE_ERDONLY);
  store_txn_end(t);
  store_close(s);
}
END_TEST

/* ---- two writers race on one record ------------------------------------------------------ */

typedef struct rmw {
  store_t *s;
  pthread_barrier_t *both_read;
  const char *suffix;
  uint64_t seen;
  int rc;
} rmw_t;

/* Reads the value and its version in one snapshot. */
static void read_versioned(store_t *s, const char *key, char *val, uint64_t *version) {
  store_txn_t *t;
  store_val_t v;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_get(t, T_ITEMS, V(key), &v), 0);
  snprintf(val, 256, "%.*s", (int)v.n, (const char *)v.p);
  ck_assert_int_eq(store_get_version(t, T_ITEMS, V(key), version), 0);
  store_txn_end(t);
}

/* Reads "a", waits until the other writer has read it too, then writes value + suffix on
 * condition that "a" is still at the version read. */
static void *read_modify_write(void *arg) {
  rmw_t *w = arg;
  char val[256], nu[300];
  read_versioned(w->s, "a", val, &w->seen);
  pthread_barrier_wait(w->both_read);
  snprintf(nu, sizeof(nu), "%s+%s", val, w->suffix);
  op_t o = {T_ITEMS, "a", nu, "g1", "a", "t", 0, 0};
  w->rc = write_if(w->s, o, w->seen);
  return NULL;
}

START_TEST(test_concurrent_conditional_writes_exactly_one_wins) {
  store_t *s = open_store();
  pthread_barrier_t both_read;
  char buf[4096], want[4096];
  ck_assert_int_eq(pthread_barrier_init(&both_read, NULL, 2), 0);
  for (int round = 0; round < 20; round++) {
    rmw_t w[2] = {{s, &both_read, "x", 0, -1}, {s, &both_read, "y", 0, -1}};
    pthread_t th[2];
    ck_assert_int_eq(put_full(s, "a", "v0"), 0);
    for (int i = 0; i < 2; i++)
      ck_assert_int_eq(pthread_create(&th[i], NULL, read_modify_write, &w[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    ck_assert_uint_eq(w[0].seen, w[1].seen);
    ck_assert_int_eq(w[0].rc + w[1].rc, STORE_CONFLICT);
    ck_assert(w[0].rc == 0 || w[1].rc == 0);
    snprintf(want, sizeof(want), "a=v0+%s;|1|a=v0+%s;|a=v0+%s;|a=v0+%s;||1",
             w[0].rc == 0 ? "x" : "y", w[0].rc == 0 ? "x" : "y", w[0].rc == 0 ? "x" : "y",
             w[0].rc == 0 ? "x" : "y");
    dump(s, buf);
    ck_assert_str_eq(buf, want);
    ck_assert_uint_gt(version_of(s, "a"), w[0].seen);
  }
  pthread_barrier_destroy(&both_read);
  store_close(s);
}
END_TEST

/* ---- format upgrade ---------------------------------------------------------------------- */

/* Rewrites key's meta entry as format 1 wrote it (no version: bytes 10..17 of format 2),
 * and forgets that the store was upgraded, as a store from before versions looks. */
static int downgrade_meta(store_txn_t *t, void *arg) {
  unsigned char old[STORE__META_MAX];
  store__key_t mk, fk;
  store_val_t k, v;
  int rc;
  store__key_init(&mk, &t->s->tables[T_ITEMS]);
  store__key_bytes(&mk, arg, strlen(arg));
  k = store__key_val(&mk);
  if ((rc = store__get(t, t->s->meta, k, &v)) != 0) return rc;
  ck_assert_uint_eq(((const unsigned char *)v.p)[0], 2);
  memcpy(old, v.p, 10);
  memcpy(old + 10, (const unsigned char *)v.p + 18, v.n - 18);
  old[0] = 1;
  v = (store_val_t){old, v.n - 8};
  if ((rc = store__put(t, t->s->meta, k, v, 0)) != 0) return rc;
  store__key_global(&fk, 'F');
  return store__del(t, t->s->counters, store__key_val(&fk), NULL);
}

static int next_version(store_txn_t *t, void *arg) { return store_next_version(t, arg); }

START_TEST(test_format1_meta_gets_fresh_version_on_open) {
  store_t *s = open_store();
  char before[4096], after[4096];
  uint64_t top;
  ck_assert_int_eq(put_full(s, "a", "A"), 0);
  ck_assert_int_eq(put_full(s, "b", "B"), 0);
  ck_assert_int_eq(put_full(s, "c", "C"), 0);
  uint64_t va = version_of(s, "a");
  ck_assert_int_eq(store_write(s, downgrade_meta, "b"), 0);
  ck_assert_int_eq(store_write(s, downgrade_meta, "c"), 0);
  ck_assert_uint_eq(version_of(s, "b"), 0);
  dump(s, before);
  store_close(s);
  s = open_store();
  dump(s, after);
  ck_assert_str_eq(after, before);
  ck_assert_uint_eq(version_of(s, "a"), va);
  ck_assert_uint_gt(version_of(s, "b"), va);
  ck_assert_uint_gt(version_of(s, "c"), version_of(s, "b"));
  ck_assert_int_eq(store_write(s, next_version, &top), 0);
  ck_assert_uint_gt(top, version_of(s, "c"));
  /* The upgraded meta still knows b's group and index entries. */
  ck_assert_int_eq(del(s, "b"), 0);
  dump(s, after);
  ck_assert_str_eq(after, "a=A;c=C;|2|a=A;c=C;|a=A;c=C;|a=A;c=C;||2");
  store_close(s);
}
END_TEST

static Suite *store_version_suite(void) {
  Suite *su = suite_create("store_version");
  TCase *tc = tcase_create("store_version");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_put_versions_increase_across_reopen);
  tcase_add_test(tc, test_put_version_readable_in_same_txn);
  tcase_add_test(tc, test_get_version_missing_record_is_notfound);
  tcase_add_test(tc, test_conditional_put_current_version_succeeds);
  tcase_add_test(tc, test_conditional_put_stale_version_is_conflict);
  tcase_add_test(tc, test_conditional_put_missing_record_is_notfound);
  tcase_add_test(tc, test_conditional_delete_current_version_succeeds);
  tcase_add_test(tc, test_conditional_delete_stale_version_is_conflict);
  tcase_add_test(tc, test_conditional_writes_in_read_txn_are_erdonly);
  tcase_add_test(tc, test_concurrent_conditional_writes_exactly_one_wins);
  tcase_add_test(tc, test_format1_meta_gets_fresh_version_on_open);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) {
  SRunner *sr = srunner_create(store_version_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
