/* test_store_changes.c - the change log and watches (storage/store.h "change log and
 * watch"): what a put and a delete log, that a rolled-back write logs nothing, retention and
 * its floor, a retention lowered far (dropped at once, deleted a few per write),
 * persistence across reopen, and watches that follow commits exactly once and in
 * order, through pauses, and end with STORE_COMPACTED when they fall behind. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/store.h"
#include "test_store_engine.h"

enum { T_WATCHED, T_QUIET };

static const store_table_def_t tables[] = {
    {.name = "watched", .watched = 1},
    {.name = "quiet"},
};
static const store_schema_t schema = {tables, 2};

static char dir[64];

static void setup(void) {
  strcpy(dir, "/tmp/hangar-test-changes-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static void teardown(void) { nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS); }

static store_t *open_with(uint64_t changelog_max) {
  store_opts_t o = {.changelog_max = changelog_max};
  store_t *s = NULL;
  ck_assert_int_eq(test_store_open(dir, &schema, &o, &s), 0);
  return s;
}

static store_val_t V(const char *s) { return (store_val_t){s, strlen(s)}; }

typedef struct op {
  int table;
  const char *key, *val; /* val NULL: delete */
  int fail;              /* the write function fails after the op: rolled back */
} op_t;

static int run_op(store_txn_t *t, void *arg) {
  const op_t *o = arg;
  int rc = o->val ? store_put(t, o->table, V(o->key), V(o->val), NULL, 0)
                  : store_del(t, o->table, V(o->key));
  return rc ? rc : o->fail ? STORE_EINVAL : 0;
}

static int write1(store_t *s, int table, const char *key, const char *val) {
  op_t o = {table, key, val, 0};
  return store_write(s, run_op, &o);
}

static const char *const kinds[] = {"?", "ADDED", "MODIFIED", "DELETED"};

/* Appends "<kind> <key>=<val>;" per change. */
static int render(void *arg, const store_change_t *c) {
  char *out = arg;
  size_t n = strlen(out);
  snprintf(out + n, 4096 - n, "%s %.*s=%.*s;", kinds[c->kind], (int)c->key.n,
           (const char *)c->key.p, (int)c->val.n, (const char *)c->val.p);
  return 0;
}

static int changes(store_t *s, uint64_t after, char *out) {
  store_txn_t *t;
  out[0] = '\0';
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  int rc = store_changes(t, after, 0, render, out);
  store_txn_end(t);
  return rc;
}

static uint64_t current(store_t *s) {
  store_txn_t *t;
  uint64_t v = 0;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_current_version(t, &v), 0);
  store_txn_end(t);
  return v;
}

START_TEST(test_put_modify_delete_are_logged_with_last_state) {
  store_t *s = open_with(0);
  char out[4096];
  uint64_t v0 = current(s);
  ck_assert_int_eq(write1(s, T_WATCHED, "a", "one"), 0);
  ck_assert_int_eq(write1(s, T_QUIET, "q", "not logged"), 0);
  ck_assert_int_eq(write1(s, T_WATCHED, "a", "two"), 0);
  ck_assert_int_eq(write1(s, T_WATCHED, "a", NULL), 0);
  ck_assert_int_eq(changes(s, v0, out), 0);
  ck_assert_str_eq(out, "ADDED a=one;MODIFIED a=two;DELETED a=two;");
  /* the delete took a version of its own: the store's latest */
  ck_assert_uint_eq(current(s), v0 + 4);
  ck_assert_int_eq(changes(s, v0 + 3, out), 0);
  ck_assert_str_eq(out, "DELETED a=two;");
  ck_assert_int_eq(changes(s, v0 + 4, out), 0);
  ck_assert_str_eq(out, "");
  store_close(s);
}
END_TEST

START_TEST(test_rolled_back_write_logs_nothing) {
  store_t *s = open_with(0);
  char out[4096];
  uint64_t v0 = current(s);
  op_t bad = {T_WATCHED, "a", "never", 1};
  ck_assert_int_eq(store_write(s, run_op, &bad), STORE_EINVAL);
  ck_assert_int_eq(write1(s, T_WATCHED, "b", "kept"), 0);
  ck_assert_int_eq(changes(s, v0, out), 0);
  ck_assert_str_eq(out, "ADDED b=kept;");
  store_close(s);
}
END_TEST

START_TEST(test_retention_keeps_newest_and_older_is_compacted) {
  store_t *s = open_with(3);
  char out[4096], key[8];
  uint64_t v0 = current(s);
  for (int i = 0; i < 5; i++) {
    snprintf(key, sizeof key, "k%d", i);
    ck_assert_int_eq(write1(s, T_WATCHED, key, "v"), 0);
  }
  /* v0+1 and v0+2 were dropped: from v0 or v0+1 something is missing */
  ck_assert_int_eq(changes(s, v0, out), STORE_COMPACTED);
  ck_assert_int_eq(changes(s, v0 + 1, out), STORE_COMPACTED);
  ck_assert_int_eq(changes(s, v0 + 2, out), 0);
  ck_assert_str_eq(out, "ADDED k2=v;ADDED k3=v;ADDED k4=v;");
  store_close(s);
}
END_TEST

START_TEST(test_log_and_floor_survive_reopen) {
  store_t *s = open_with(2);
  char out[4096];
  uint64_t v0 = current(s);
  ck_assert_int_eq(write1(s, T_WATCHED, "a", "1"), 0);
  ck_assert_int_eq(write1(s, T_WATCHED, "b", "2"), 0);
  ck_assert_int_eq(write1(s, T_WATCHED, "c", "3"), 0);
  store_close(s);
  s = open_with(2);
  ck_assert_int_eq(changes(s, v0, out), STORE_COMPACTED);
  ck_assert_int_eq(changes(s, v0 + 1, out), 0);
  ck_assert_str_eq(out, "ADDED b=2;ADDED c=3;");
  store_close(s);
}
END_TEST

START_TEST(test_store_with_history_but_empty_log_starts_floor_at_current) {
  store_t *s = open_with(0);
  char out[4096];
  ck_assert_int_eq(write1(s, T_QUIET, "q", "1"), 0);
  ck_assert_int_eq(write1(s, T_QUIET, "r", "2"), 0);
  store_close(s);
  s = open_with(0); /* the log is empty: versions 1 and 2 are not in it */
  ck_assert_int_eq(changes(s, 0, out), STORE_COMPACTED);
  ck_assert_int_eq(changes(s, current(s), out), 0);
  store_close(s);
}
END_TEST

/* Puts 100 keys of the watched table in one write: 100 log entries. */
static int put_hundred(store_txn_t *t, void *arg) {
  char key[32];
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "b%d-%d", *(const int *)arg, i);
    int rc = store_put(t, T_WATCHED, V(key), V("v"), NULL, 0);
    if (rc != 0) return rc;
  }
  return 0;
}

static int count_change(void *arg, const store_change_t *c) {
  (void)c;
  ++*(size_t *)arg;
  return 0;
}

static store_log_stats_t log_stats(store_t *s) {
  store_txn_t *t;
  store_log_stats_t st;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_log_stats(t, &st), 0);
  store_txn_end(t);
  return st;
}

/* Retention lowered from 10,000 to 10 over a log of 2,000: deleting 1,990 entries in one
 * write is more than etcd's default 128 operations per Txn, on which this store reopens.
 * The floor rises as the store opens, every write succeeds and deletes a bounded share of
 * the dropped entries, and the log shrinks to its 10 over later writes. */
START_TEST(test_lowered_retention_drops_at_once_and_deletes_in_steps) {
  store_t *s = open_with(10000);
  uint64_t v0 = current(s);
  size_t n = 0;
  for (int i = 0; i < 20; i++) ck_assert_int_eq(store_write(s, put_hundred, &i), 0);
  ck_assert_uint_eq(log_stats(s).stored, 2000);
  ck_assert_uint_eq(log_stats(s).dropped, 0);
  store_close(s);
  store_opts_t o = {.changelog_max = 10, .etcd_max_txn_ops = 128};
  ck_assert_int_eq(test_store_open(dir, &schema, &o, &s), 0);
  /* at once: everything before the newest 10 is compacted, nothing deleted yet */
  store_log_stats_t st = log_stats(s);
  ck_assert_uint_eq(st.floor, v0 + 1990);
  ck_assert_uint_eq(st.stored, 2000);
  ck_assert_uint_eq(st.dropped, 1990);
  char out[4096];
  ck_assert_int_eq(changes(s, v0, out), STORE_COMPACTED);
  ck_assert_int_eq(changes(s, v0 + 1989, out), STORE_COMPACTED);
  store_txn_t *t;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_changes(t, v0 + 1990, 0, count_change, &n), 0);
  store_txn_end(t);
  ck_assert_uint_eq(n, 10);
  /* each write drops one more and deletes 32 dropped entries, until none is left */
  uint64_t stored = st.stored;
  for (int i = 0; st.dropped > 0; i++) {
    ck_assert_int_lt(i, 100);
    ck_assert_int_eq(write1(s, T_WATCHED, "after", "v"), 0);
    st = log_stats(s);
    ck_assert_uint_lt(st.stored, stored);
    ck_assert_uint_eq(st.stored - st.dropped, 10);
    ck_assert_uint_eq(st.floor, current(s) - 10);
    stored = st.stored;
  }
  ck_assert_uint_eq(st.stored, 10);
  ck_assert_int_eq(changes(s, st.floor - 1, out), STORE_COMPACTED);
  n = 0;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_changes(t, st.floor, 0, count_change, &n), 0);
  store_txn_end(t);
  ck_assert_uint_eq(n, 10);
  store_close(s);
}
END_TEST

/* A watch consumer that records versions and keys, pausing on every other first sight of a
 * change when asked. */
typedef struct seen {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint64_t versions[1100];
  size_t n;
  int pause_odd;
  uint64_t last_paused;
  int err;
  int ended;
} seen_t;

static int on_change(void *arg, const store_change_t *c, int err) {
  seen_t *w = arg;
  pthread_mutex_lock(&w->mu);
  if (c && w->pause_odd && (c->version & 1) && w->last_paused != c->version) {
    w->last_paused = c->version;
    pthread_mutex_unlock(&w->mu);
    return STORE_WATCH_PAUSE;
  }
  if (c && w->n < 1100) w->versions[w->n++] = c->version;
  if (!c) {
    w->err = err;
    w->ended = 1;
  }
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return 0;
}

static void wait_for(seen_t *w, size_t n) {
  pthread_mutex_lock(&w->mu);
  while (w->n < n && !w->ended) pthread_cond_wait(&w->cv, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

static void seen_init(seen_t *w) {
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
}

/* n puts and, with pauses, checks each version arrives exactly once and in order. */
static void follow(int pause_odd) {
  store_t *s = open_with(0);
  seen_t w;
  store_watch_t *watch = NULL;
  char key[16];
  seen_init(&w);
  w.pause_odd = pause_odd;
  ck_assert_int_eq(write1(s, T_WATCHED, "before", "x"), 0);
  uint64_t from = current(s);
  ck_assert_int_eq(store_watch_start(s, from, on_change, &w, &watch), 0);
  /* puts, with every fourth write deleting the key put just before: 1000 changes */
  for (int i = 0; i < 1000; i++) {
    snprintf(key, sizeof key, "k%d", i % 4 == 3 ? i - 1 : i);
    ck_assert_int_eq(write1(s, T_WATCHED, key, i % 4 == 3 ? NULL : "v"), 0);
  }
  size_t expect = 1000;
  ck_assert_uint_eq(current(s), from + expect);
  wait_for(&w, expect);
  store_watch_stop(watch);
  ck_assert_int_eq(w.ended, 0);
  ck_assert_uint_eq(w.n, expect);
  for (size_t i = 0; i < w.n; i++) ck_assert_uint_eq(w.versions[i], from + 1 + i);
  store_close(s);
}

START_TEST(test_watch_sees_every_commit_once_in_order) { follow(0); }
END_TEST

START_TEST(test_watch_paused_consumer_gets_each_change_once) { follow(1); }
END_TEST

START_TEST(test_watch_from_compacted_version_is_refused) {
  store_t *s = open_with(2);
  seen_t w;
  store_watch_t *watch = NULL;
  seen_init(&w);
  uint64_t v0 = current(s);
  for (int i = 0; i < 4; i++) ck_assert_int_eq(write1(s, T_WATCHED, "a", "v"), 0);
  ck_assert_int_eq(store_watch_start(s, v0, on_change, &w, &watch), STORE_COMPACTED);
  ck_assert_ptr_null(watch);
  ck_assert_int_eq(store_watch_start(s, v0 + 2, on_change, &w, &watch), 0);
  wait_for(&w, 2);
  store_watch_stop(watch);
  ck_assert_uint_eq(w.n, 2);
  ck_assert_uint_eq(w.versions[0], v0 + 3);
  store_close(s);
}
END_TEST

/* A consumer that never takes a change falls behind the log's floor and is told so. */
static int always_pause(void *arg, const store_change_t *c, int err) {
  seen_t *w = arg;
  if (c) return STORE_WATCH_PAUSE;
  pthread_mutex_lock(&w->mu);
  w->err = err;
  w->ended = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return 0;
}

START_TEST(test_watch_behind_the_floor_ends_compacted) {
  store_t *s = open_with(2);
  seen_t w;
  store_watch_t *watch = NULL;
  seen_init(&w);
  ck_assert_int_eq(store_watch_start(s, current(s), always_pause, &w, &watch), 0);
  for (int i = 0; i < 4; i++) ck_assert_int_eq(write1(s, T_WATCHED, "a", "v"), 0);
  wait_for(&w, 1);
  store_watch_stop(watch);
  ck_assert_int_eq(w.ended, 1);
  ck_assert_int_eq(w.err, STORE_COMPACTED);
  store_close(s);
}
END_TEST

static Suite *store_changes_suite(void) {
  Suite *su = suite_create("store_changes");
  TCase *tc = tcase_create("store_changes");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_put_modify_delete_are_logged_with_last_state);
  tcase_add_test(tc, test_rolled_back_write_logs_nothing);
  tcase_add_test(tc, test_retention_keeps_newest_and_older_is_compacted);
  tcase_add_test(tc, test_log_and_floor_survive_reopen);
  tcase_add_test(tc, test_store_with_history_but_empty_log_starts_floor_at_current);
  tcase_add_test(tc, test_lowered_retention_drops_at_once_and_deletes_in_steps);
  tcase_add_test(tc, test_watch_sees_every_commit_once_in_order);
  tcase_add_test(tc, test_watch_paused_consumer_gets_each_change_once);
  tcase_add_test(tc, test_watch_from_compacted_version_is_refused);
  tcase_add_test(tc, test_watch_behind_the_floor_ends_compacted);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) {
  SRunner *sr = srunner_create(store_changes_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
