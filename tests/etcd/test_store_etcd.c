/* test_store_etcd.c - what only the etcd engine (storage/store_etcd.c) must do: two stores
 * on one prefix ("replicas") writing at once never break a conditional write, a unique
 * index or a count; a batch that lost its commit to another replica runs again and commits
 * once; an acknowledged write survives a SIGKILL of its process; a commit whose outcome
 * is unknown is reported as a failure, never as success, and never re-run; and a write
 * fills a Txn up to the request limit its spec names, no further. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "etcd_fixture.h"
#include "storage/store.h"

enum { T_ITEMS };
static const store_index_def_t indexes[] = {{"name", STORE_INDEX_UNIQUE}};
static const store_table_def_t tables[] = {
    {.name = "items", .grouped = 1, .indexes = indexes, .n_indexes = 1, .watched = 1}};
static const store_schema_t schema = {tables, 1};

static store_val_t V(const char *s) { return (store_val_t){s, strlen(s)}; }

/* A store of the member under prefix. */
static store_t *open_on(const char *prefix) {
  char spec[256];
  store_t *s = NULL;
  ck_assert_msg(member_started, "the etcd member did not start (its log is above)");
  snprintf(spec, sizeof spec, "etcd:%s/%s", member.client, prefix);
  int rc = store_open_spec(spec, &schema, NULL, &s);
  ck_assert_msg(rc == 0, "open %s: %s", spec, store_strerror(rc));
  return s;
}

typedef struct put_req {
  const char *key, *val, *name;
  unsigned flags;
  uint64_t expect;
  int calls;              /* how often the write function ran */
  etcd_client_t *meddler; /* non-NULL: the first run bumps the fence behind the store */
  const char *fence;
  pid_t stop; /* non-zero: the first run SIGSTOPs this process (the etcd member) */
} put_req_t;

static int run_put(store_txn_t *t, void *arg) {
  put_req_t *r = arg;
  if (r->calls++ == 0 && r->meddler) put_ok(r->meddler, r->fence, "another replica");
  store_keys_t k = {.group = V("g"), .index = {r->name ? V(r->name) : (store_val_t){NULL, 0}}};
  int rc = store_put_if(t, T_ITEMS, V(r->key), V(r->val), &k, r->flags, r->expect);
  /* After the write's reads: only the commit meets the stopped member. */
  if (r->calls == 1 && r->stop) kill(r->stop, SIGSTOP);
  return rc;
}

static int put(store_t *s, put_req_t *r) { return store_write(s, run_put, r); }

/* put, sent again while it answers STORE_CONTENDED (it did not run: safe to repeat), as a
 * client of a busy store would. */
static int put_until_run(store_t *s, put_req_t *r) {
  int rc;
  while ((rc = put(s, r)) == STORE_CONTENDED) continue;
  return rc;
}

static uint64_t version_of(store_t *s, const char *key) {
  store_txn_t *t;
  uint64_t v = 0;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_get_version(t, T_ITEMS, V(key), &v), 0);
  store_txn_end(t);
  return v;
}

static void counts(store_t *s, uint64_t *table, uint64_t *group) {
  store_txn_t *t;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_table_count(t, T_ITEMS, table), 0);
  ck_assert_int_eq(store_group_count(t, T_ITEMS, V("g"), group), 0);
  store_txn_end(t);
}

/* ---- two replicas ---------------------------------------------------------------------------- */

#define PER_REPLICA 30
#define ROUNDS 8

typedef struct replica {
  store_t *s;
  const char *id;
  pthread_barrier_t *go;
  uint64_t expect[ROUNDS]; /* the version of "x" both replicas read before round i */
  int cond_rc[ROUNDS], uniq_rc[ROUNDS];
  int plain_rc; /* the first failed plain put's code */
} replica_t;

static void *replica_main(void *arg) {
  replica_t *r = arg;
  char key[32], name[32];
  for (int i = 0; i < PER_REPLICA; i++) {
    snprintf(key, sizeof key, "%s-%d", r->id, i);
    put_req_t p = {.key = key, .val = r->id};
    int rc = put_until_run(r->s, &p);
    if (rc != 0 && r->plain_rc == 0) r->plain_rc = rc;
  }
  for (int i = 0; i < ROUNDS; i++) {
    pthread_barrier_wait(r->go);
    put_req_t c = {.key = "x", .val = r->id, .expect = r->expect[i]};
    r->cond_rc[i] = put_until_run(r->s, &c);
    snprintf(key, sizeof key, "%s-u%d", r->id, i);
    snprintf(name, sizeof name, "unique-%d", i);
    put_req_t u = {.key = key, .val = r->id, .name = name};
    r->uniq_rc[i] = put_until_run(r->s, &u);
    pthread_barrier_wait(r->go);
  }
  return NULL;
}

START_TEST(test_two_replicas_conflicting_writes_one_wins_counts_exact) {
  store_t *a = open_on("two"), *b = open_on("two");
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, 3);
  replica_t ra = {.s = a, .id = "a", .go = &go}, rb = {.s = b, .id = "b", .go = &go};
  put_req_t seed = {.key = "x", .val = "seed"};
  ck_assert_int_eq(put(a, &seed), 0);
  pthread_t ta, tb;
  pthread_create(&ta, NULL, replica_main, &ra);
  pthread_create(&tb, NULL, replica_main, &rb);
  for (int i = 0; i < ROUNDS; i++) {
    /* Both replicas read the same version of x (through a, seen by b too), then race. */
    ra.expect[i] = rb.expect[i] = version_of(a, "x");
    ck_assert_uint_eq(version_of(b, "x"), ra.expect[i]);
    pthread_barrier_wait(&go);
    pthread_barrier_wait(&go);
  }
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  ck_assert_msg(ra.plain_rc == 0 && rb.plain_rc == 0, "plain puts: %s, %s",
                store_err_name(ra.plain_rc), store_err_name(rb.plain_rc));
  for (int i = 0; i < ROUNDS; i++) {
    int ca = ra.cond_rc[i], cb = rb.cond_rc[i], ua = ra.uniq_rc[i], ub = rb.uniq_rc[i];
    ck_assert_msg((ca == 0 && cb == STORE_CONFLICT) || (cb == 0 && ca == STORE_CONFLICT),
                  "round %d: conditional puts answered %s and %s", i, store_err_name(ca),
                  store_err_name(cb));
    ck_assert_msg((ua == 0 && ub == STORE_EXISTS) || (ub == 0 && ua == STORE_EXISTS),
                  "round %d: unique puts answered %s and %s", i, store_err_name(ua),
                  store_err_name(ub));
    /* The name belongs to the replica whose put succeeded, as both replicas see it. */
    char name[32];
    snprintf(name, sizeof name, "unique-%d", i);
    for (store_t *s = a; s; s = s == a ? b : NULL) {
      store_txn_t *t;
      store_val_t pk, v;
      ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
      ck_assert_int_eq(store_get_by_index(t, T_ITEMS, 0, V(name), &pk, &v), 0);
      ck_assert_int_eq(((const char *)pk.p)[0], ua == 0 ? 'a' : 'b');
      store_txn_end(t);
    }
  }
  uint64_t n_table, n_group;
  counts(b, &n_table, &n_group);
  ck_assert_uint_eq(n_table, 1 + 2 * PER_REPLICA + ROUNDS);
  ck_assert_uint_eq(n_group, n_table);
  pthread_barrier_destroy(&go);
  store_close(a);
  store_close(b);
}
END_TEST

/* ---- a lost commit runs again ------------------------------------------------------------ */

/* Another replica's commit between this batch's snapshot and its commit (a put of the fence,
 * which every commit makes) loses the commit; the writer runs the write function again on
 * a fresh snapshot and commits it once. */
START_TEST(test_batch_reruns_after_fence_conflict) {
  store_t *s = open_on("rerun");
  etcd_client_t *c = client_of(NULL);
  put_req_t p = {.key = "k", .val = "v", .meddler = c, .fence = "rerun/_fence"};
  ck_assert_int_eq(put(s, &p), 0);
  ck_assert_int_eq(p.calls, 2);
  uint64_t n_table, n_group;
  counts(s, &n_table, &n_group);
  ck_assert_uint_eq(n_table, 1);
  ck_assert_uint_eq(version_of(s, "k"), 1);
  etcd_client_destroy(c);
  store_close(s);
}
END_TEST

/* ---- durability ------------------------------------------------------------------------------ */

/* A child process writes and reports each acknowledged write on a pipe, then is killed
 * (SIGKILL, no close); every acknowledged write is there for another store. */
START_TEST(test_acknowledged_write_survives_sigkill) {
  int fds[2];
  ck_assert_int_eq(pipe(fds), 0);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    store_t *s = open_on("durable");
    for (int i = 0;; i++) {
      char key[32];
      snprintf(key, sizeof key, "k%04d", i);
      put_req_t p = {.key = key, .val = "acked"};
      if (put(s, &p) != 0 || write(fds[1], &i, sizeof i) != sizeof i) _exit(1);
    }
  }
  close(fds[1]);
  int acked = -1, i;
  while (acked < 20 && read(fds[0], &i, sizeof i) == sizeof i) acked = i;
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  close(fds[0]);
  ck_assert_int_ge(acked, 20);
  store_t *s = open_on("durable");
  store_txn_t *t;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  for (int k = 0; k <= acked; k++) {
    char key[32];
    store_val_t v;
    snprintf(key, sizeof key, "k%04d", k);
    ck_assert_msg(store_get(t, T_ITEMS, V(key), &v) == 0, "acknowledged %s lost", key);
  }
  uint64_t n;
  ck_assert_int_eq(store_table_count(t, T_ITEMS, &n), 0);
  ck_assert_uint_ge(n, (uint64_t)acked + 1);
  store_txn_end(t);
  store_close(s);
}
END_TEST

/* ---- watch across replicas ------------------------------------------------------------------ */

typedef struct seen {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  char key[32];
  store_change_kind_t kind;
  uint64_t version;
} seen_t;

static int on_change(void *arg, const store_change_t *c, int err) {
  seen_t *w = arg;
  pthread_mutex_lock(&w->mu);
  if (c && !w->key[0]) {
    snprintf(w->key, sizeof w->key, "%.*s", (int)c->key.n, (const char *)c->key.p);
    w->kind = c->kind;
    w->version = c->version;
  } else if (!c) {
    snprintf(w->key, sizeof w->key, "error %d", err);
  }
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return 0;
}

/* A watch on one replica sees a write made through another (whose commit wakes nobody in
 * this process: the watch thread re-reads the log on etcd). */
START_TEST(test_watch_sees_other_replicas_write) {
  store_t *a = open_on("watch"), *b = open_on("watch");
  seen_t w = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
  store_txn_t *t;
  uint64_t from;
  ck_assert_int_eq(store_txn_begin_read(a, &t), 0);
  ck_assert_int_eq(store_current_version(t, &from), 0);
  store_txn_end(t);
  store_watch_t *watch;
  ck_assert_int_eq(store_watch_start(a, from, on_change, &w, &watch), 0);
  put_req_t p = {.key = "from-b", .val = "v"};
  ck_assert_int_eq(put(b, &p), 0);
  pthread_mutex_lock(&w.mu);
  while (!w.key[0]) pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  store_watch_stop(watch);
  ck_assert_str_eq(w.key, "from-b");
  ck_assert_int_eq(w.kind, STORE_CHANGE_ADDED);
  ck_assert_uint_eq(w.version, version_of(a, "from-b"));
  store_close(a);
  store_close(b);
}
END_TEST

/* ---- a commit in doubt ----------------------------------------------------------------------- */

/* The member stops (SIGSTOP) after the batch read its snapshot: the commit gets no answer
 * within the client's deadline, so its outcome is unknown. The write fails STORE_INDOUBT, is not
 * run again, and once the member runs again the store is consistent whichever way it went. */
START_TEST(test_commit_in_doubt_is_a_failure) {
  store_t *s = open_on("doubt");
  put_req_t p = {.key = "k", .val = "v", .stop = member.pid};
  int rc = put(s, &p);
  kill(member.pid, SIGCONT);
  ck_assert_msg(rc == STORE_INDOUBT, "in doubt: %s", store_err_name(rc));
  ck_assert_int_eq(p.calls, 1);
  /* Applied or not, the record and its counts agree (in one snapshot: etcd may apply the
   * commit in doubt while this reads). */
  store_txn_t *t;
  store_val_t v;
  uint64_t n_table, n_group;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  int got = store_get(t, T_ITEMS, V("k"), &v);
  ck_assert(got == 0 || got == STORE_NOTFOUND);
  ck_assert_int_eq(store_table_count(t, T_ITEMS, &n_table), 0);
  ck_assert_int_eq(store_group_count(t, T_ITEMS, V("g"), &n_group), 0);
  store_txn_end(t);
  ck_assert_uint_eq(n_table, got == 0 ? 1 : 0);
  ck_assert_uint_eq(n_group, n_table);
  store_close(s);
}
END_TEST

/* ---- the request budget ---------------------------------------------------------------------- */

/* A put of a record of n bytes (all 'x'); 0 or the write's error. */
static int put_sized(store_t *s, const char *key, size_t n) {
  char *val = malloc(n + 1);
  ck_assert_ptr_nonnull(val);
  memset(val, 'x', n);
  val[n] = '\0';
  put_req_t p = {.key = key, .val = val};
  int rc = put(s, &p);
  free(val);
  return rc;
}

static int present(store_t *s, const char *key, size_t *n) {
  store_txn_t *t;
  store_val_t v;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  int rc = store_get(t, T_ITEMS, V(key), &v);
  if (rc == 0) *n = v.n;
  store_txn_end(t);
  return rc;
}

/* A 1 MiB record and its change-log copy (2 MiB in one Txn) pass etcd's default request
 * limit (1.5 MiB): the store refuses it whole as STORE_FULL when its spec names no larger
 * limit, and commits it when the spec names the member's (10 MiB). A record too large for
 * that is still a clean STORE_FULL, and nothing of it is written. */
START_TEST(test_record_of_1_mib_fits_the_spec_budget) {
  char spec[256];
  store_t *stock = open_on("budget"), *s = NULL;
  size_t n = 0;
  ck_assert_int_eq(put_sized(stock, "big", 1 << 20), STORE_FULL);
  ck_assert_int_eq(present(stock, "big", &n), STORE_NOTFOUND);
  snprintf(spec, sizeof spec, "etcd:%s/budget?" ETCD_MEMBER_LIMITS, member.client);
  ck_assert_int_eq(store_open_spec(spec, &schema, NULL, &s), 0);
  ck_assert_int_eq(put_sized(s, "big", 1 << 20), 0);
  ck_assert_int_eq(present(stock, "big", &n), 0);
  ck_assert_uint_eq(n, 1 << 20);
  ck_assert_int_eq(put_sized(s, "huge", 6 << 20), STORE_FULL);
  ck_assert_int_eq(present(s, "huge", &n), STORE_NOTFOUND);
  ck_assert_int_eq(put_sized(s, "after", 10), 0); /* the store goes on */
  store_close(s);
  store_close(stock);
}
END_TEST

int main(void) {
  ETCD_SUITE_RUN("store_etcd", test_two_replicas_conflicting_writes_one_wins_counts_exact,
                 test_batch_reruns_after_fence_conflict, test_acknowledged_write_survives_sigkill,
                 test_watch_sees_other_replicas_write, test_commit_in_doubt_is_a_failure,
                 test_record_of_1_mib_fits_the_spec_budget);
}
