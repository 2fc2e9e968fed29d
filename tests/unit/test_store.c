/* test_store.c - the storage engine (storage/store.h): records, indexes, ordered groups,
 * counters, group commit, durability across reopen, and engine faults. */
#include "test_store_fixture.h"

#include <pthread.h>
#include <stdatomic.h>

#include "storage/store_internal.h"

START_TEST(test_put_get_del) {
  store_t *s = open_store();
  char buf[256];
  ck_assert_int_eq(put(s, "a", "alpha", NULL, NULL, NULL), 0);
  ck_assert_int_eq(get(s, T_ITEMS, "a", buf), 0);
  ck_assert_str_eq(buf, "alpha");
  ck_assert_int_eq(del(s, "a"), 0);
  ck_assert_int_eq(get(s, T_ITEMS, "a", buf), STORE_NOTFOUND);
  ck_assert_int_eq(del(s, "a"), STORE_NOTFOUND);
  store_close(s);
}
END_TEST

START_TEST(test_put_nooverwrite_existing_is_exists) {
  store_t *s = open_store();
  char buf[256];
  op_t o = {T_ITEMS, "a", "second", NULL, NULL, NULL, STORE_PUT_NOOVERWRITE, 0};
  ck_assert_int_eq(put(s, "a", "first", NULL, NULL, NULL), 0);
  ck_assert_int_eq(write_ops(s, &o, 1), STORE_EXISTS);
  ck_assert_int_eq(get(s, T_ITEMS, "a", buf), 0);
  ck_assert_str_eq(buf, "first");
  store_close(s);
}
END_TEST

START_TEST(test_unique_index_conflict_keeps_original) {
  store_t *s = open_store();
  char buf[256];
  ck_assert_int_eq(put(s, "a", "A", "g", "dup", NULL), 0);
  ck_assert_int_eq(put(s, "b", "B", "g", "dup", NULL), STORE_EXISTS);
  ck_assert_int_eq(get(s, T_ITEMS, "b", buf), STORE_NOTFOUND);
  ck_assert_int_eq(by_index(s, I_NAME, "dup", buf), 0);
  ck_assert_str_eq(buf, "a");
  ck_assert_uint_eq(group_count(s, "g"), 1);
  ck_assert_uint_eq(table_count(s, T_ITEMS), 1);
  /* The owner itself may keep its entry on overwrite. */
  ck_assert_int_eq(put(s, "a", "A2", "g", "dup", NULL), 0);
  store_close(s);
}
END_TEST

START_TEST(test_overwrite_replaces_index_entries) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "A", NULL, "old", "t1"), 0);
  ck_assert_int_eq(put(s, "a", "A2", NULL, "new", "t2"), 0);
  ck_assert_int_eq(by_index(s, I_NAME, "old", buf), STORE_NOTFOUND);
  ck_assert_int_eq(by_index(s, I_NAME, "new", buf), 0);
  ck_assert_str_eq(buf, "a");
  ck_assert_str_eq(index_scan(s, I_TAG, "t1", buf), "");
  ck_assert_str_eq(index_scan(s, I_TAG, "t2", buf), "a=A2;");
  /* The freed name is available to another record. */
  ck_assert_int_eq(put(s, "b", "B", NULL, "old", NULL), 0);
  store_close(s);
}
END_TEST

START_TEST(test_delete_removes_index_entries) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "A", "g", "n", "t"), 0);
  ck_assert_int_eq(del(s, "a"), 0);
  ck_assert_int_eq(by_index(s, I_NAME, "n", buf), STORE_NOTFOUND);
  ck_assert_str_eq(index_scan(s, I_TAG, "", buf), "");
  ck_assert_uint_eq(group_count(s, "g"), 0);
  store_close(s);
}
END_TEST

START_TEST(test_nonunique_index_scan_by_prefix) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "c", "C", NULL, NULL, "red"), 0);
  ck_assert_int_eq(put(s, "a", "A", NULL, NULL, "red"), 0);
  ck_assert_int_eq(put(s, "b", "B", NULL, NULL, "blue"), 0);
  ck_assert_int_eq(put(s, "d", "D", NULL, NULL, "re"), 0);
  ck_assert_str_eq(index_scan(s, I_TAG, "red", buf), "a=A;c=C;");
  ck_assert_str_eq(index_scan(s, I_TAG, "re", buf), "d=D;a=A;c=C;");
  ck_assert_str_eq(index_scan(s, I_TAG, "", buf), "b=B;d=D;a=A;c=C;");
  ck_assert_int_eq(by_index(s, I_TAG, "red", buf), 0);
  ck_assert_str_eq(buf, "a");
  store_close(s);
}
END_TEST

START_TEST(test_table_scan_by_prefix_with_limit) {
  store_t *s = open_store();
  store_txn_t *t;
  char buf[4096] = "";
  const char *keys[] = {"x1", "y1", "y2", "y3", "z"};
  for (int i = 0; i < 5; i++) ck_assert_int_eq(put(s, keys[i], "v", NULL, NULL, NULL), 0);
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_scan(t, T_ITEMS, V("y"), 2, collect, buf), 0);
  store_txn_end(t);
  ck_assert_str_eq(buf, "y1=v;y2=v;");
  store_close(s);
}
END_TEST

START_TEST(test_group_insertion_order_and_count) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "z", "1", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "a", "2", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "m", "3", "h", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "b", "4", "g", NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "g", 0, 0, buf), "z=1;a=2;b=4;");
  ck_assert_str_eq(group_page(s, "h", 0, 0, buf), "m=3;");
  ck_assert_uint_eq(group_count(s, "g"), 3);
  ck_assert_uint_eq(group_count(s, "h"), 1);
  ck_assert_uint_eq(group_count(s, "nope"), 0);
  store_close(s);
}
END_TEST

START_TEST(test_overwrite_same_group_keeps_position) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "1", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "b", "2", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "a", "1b", "g", NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "g", 0, 0, buf), "a=1b;b=2;");
  ck_assert_uint_eq(group_count(s, "g"), 2);
  store_close(s);
}
END_TEST

START_TEST(test_overwrite_new_group_moves_record) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "1", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "b", "2", "h", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "a", "1b", "h", NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "g", 0, 0, buf), "");
  ck_assert_str_eq(group_page(s, "h", 0, 0, buf), "b=2;a=1b;");
  ck_assert_int_eq(put(s, "b", "2b", NULL, NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "h", 0, 0, buf), "a=1b;");
  ck_assert_uint_eq(group_count(s, "g"), 0);
  ck_assert_uint_eq(group_count(s, "h"), 1);
  store_close(s);
}
END_TEST

START_TEST(test_group_scan_offsets) {
  store_t *s = open_store();
  char buf[4096], k[8];
  for (int i = 0; i < 7; i++) {
    snprintf(k, sizeof(k), "k%d", i);
    ck_assert_int_eq(put(s, k, "v", "g", NULL, NULL), 0);
  }
  ck_assert_str_eq(group_page(s, "g", 0, 2, buf), "k0=v;k1=v;");
  ck_assert_str_eq(group_page(s, "g", 3, 3, buf), "k3=v;k4=v;k5=v;");
  ck_assert_str_eq(group_page(s, "g", 5, 10, buf), "k5=v;k6=v;");
  ck_assert_str_eq(group_page(s, "g", 6, 1, buf), "k6=v;");
  store_close(s);
}
END_TEST

START_TEST(test_group_scan_page_past_end) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "1", "g", NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "g", 1, 10, buf), "");
  ck_assert_str_eq(group_page(s, "g", 1000, 10, buf), "");
  ck_assert_str_eq(group_page(s, "empty", 0, 10, buf), "");
  store_close(s);
}
END_TEST

START_TEST(test_group_scan_after_middle_deletes) {
  store_t *s = open_store();
  char buf[4096], k[8];
  for (int i = 0; i < 8; i++) {
    snprintf(k, sizeof(k), "k%d", i);
    ck_assert_int_eq(put(s, k, "v", "g", NULL, NULL), 0);
  }
  ck_assert_int_eq(del(s, "k2"), 0);
  ck_assert_int_eq(del(s, "k3"), 0);
  ck_assert_int_eq(del(s, "k5"), 0);
  ck_assert_uint_eq(group_count(s, "g"), 5);
  ck_assert_str_eq(group_page(s, "g", 2, 2, buf), "k4=v;k6=v;");
  ck_assert_str_eq(group_page(s, "g", 4, 5, buf), "k7=v;");
  ck_assert_int_eq(put(s, "k8", "v", "g", NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "g", 0, 0, buf), "k0=v;k1=v;k4=v;k6=v;k7=v;k8=v;");
  store_close(s);
}
END_TEST

START_TEST(test_group_emptied_then_reused) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "1", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "b", "2", "g", NULL, NULL), 0);
  ck_assert_int_eq(del(s, "a"), 0);
  ck_assert_int_eq(del(s, "b"), 0);
  ck_assert_uint_eq(group_count(s, "g"), 0);
  ck_assert_int_eq(put(s, "c", "3", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "a", "4", "g", NULL, NULL), 0);
  ck_assert_str_eq(group_page(s, "g", 0, 0, buf), "c=3;a=4;");
  ck_assert_str_eq(group_page(s, "g", 1, 1, buf), "a=4;");
  store_close(s);
}
END_TEST

/* ---- a 10k-record group checked against a model ------------------------------------------ */

#define MODEL_N 11000

typedef struct range_op {
  int from, to, del;
  const unsigned char *mask; /* NULL: every key in range */
} range_op_t;

static void model_key(int i, char *k) { snprintf(k, 16, "r%05d", i); }

static int apply_range(store_txn_t *t, void *arg) {
  const range_op_t *r = arg;
  store_keys_t keys = {.group = V("g")};
  char k[16];
  for (int i = r->from; i < r->to; i++) {
    if (r->mask && !r->mask[i]) continue;
    model_key(i, k);
    int rc = r->del ? store_del(t, T_ITEMS, V(k)) : store_put(t, T_ITEMS, V(k), V("v"), &keys, 0);
    if (rc != 0) return rc;
  }
  return 0;
}

/* The keys the model lists for (off, lim), in collect_keys' format. */
static void model_page(const unsigned char *live, int off, int lim, char *out) {
  char k[16];
  out[0] = '\0';
  for (int i = 0, seen = 0, n = 0; i < MODEL_N && n < lim; i++) {
    if (!live[i] || seen++ < off) continue;
    model_key(i, k);
    strcat(strcat(out, k), ",");
    n++;
  }
}

START_TEST(test_group_scan_random_deletes_match_model) {
  static unsigned char live[MODEL_N], dead[MODEL_N];
  static char got[65536], want[65536];
  store_t *s = open_store();
  range_op_t add = {0, 10000, 0, NULL}, rm = {0, 10000, 1, dead}, more = {10000, MODEL_N, 0, NULL};
  int n = 0;
  srand(42);
  for (int i = 0; i < MODEL_N; i++) {
    dead[i] = i < 10000 && rand() % 2;
    live[i] = !dead[i];
    n += live[i];
  }
  if (test_store_on_etcd()) {
    /* One write of 10,000 puts is more than one etcd Txn carries (--max-txn-ops): refused
     * whole, as a write too big for the store, and nothing of it is written. */
    ck_assert_int_eq(store_write(s, apply_range, &add), STORE_FULL);
    ck_assert_uint_eq(group_count(s, "g"), 0);
    store_close(s);
    return;
  }
  ck_assert_int_eq(store_write(s, apply_range, &add), 0);
  ck_assert_int_eq(store_write(s, apply_range, &rm), 0);
  ck_assert_int_eq(store_write(s, apply_range, &more), 0);
  ck_assert_uint_eq(group_count(s, "g"), (uint64_t)n);
  for (int round = 0; round < 300; round++) {
    int off = round == 0 ? 0 : rand() % (n + 20), lim = 1 + rand() % 60;
    store_txn_t *t;
    got[0] = '\0';
    ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
    ck_assert_int_eq(
        store_group_scan(t, T_ITEMS, V("g"), (uint64_t)off, (size_t)lim, collect_keys, got), 0);
    store_txn_end(t);
    model_page(live, off, lim, want);
    ck_assert_str_eq(got, want);
  }
  store_close(s);
}
END_TEST

START_TEST(test_table_count) {
  store_t *s = open_store();
  op_t plain = {T_PLAIN, "p", "v", NULL, NULL, NULL, 0, 0};
  ck_assert_uint_eq(table_count(s, T_ITEMS), 0);
  ck_assert_int_eq(put(s, "a", "1", "g", NULL, NULL), 0);
  ck_assert_int_eq(put(s, "b", "1", NULL, NULL, NULL), 0);
  ck_assert_int_eq(put(s, "a", "2", "h", NULL, NULL), 0);
  ck_assert_int_eq(write_ops(s, &plain, 1), 0);
  ck_assert_uint_eq(table_count(s, T_ITEMS), 2);
  ck_assert_uint_eq(table_count(s, T_PLAIN), 1);
  ck_assert_int_eq(del(s, "a"), 0);
  ck_assert_uint_eq(table_count(s, T_ITEMS), 1);
  store_close(s);
}
END_TEST

static int next_version(store_txn_t *t, void *arg) { return store_next_version(t, arg); }

START_TEST(test_next_version_monotonic_across_reopen) {
  store_t *s = open_store();
  uint64_t a = 0, b = 0, c = 0;
  ck_assert_int_eq(store_write(s, next_version, &a), 0);
  ck_assert_int_eq(store_write(s, next_version, &b), 0);
  store_close(s);
  s = open_store();
  ck_assert_int_eq(store_write(s, next_version, &c), 0);
  ck_assert_uint_gt(a, 0);
  ck_assert_uint_gt(b, a);
  ck_assert_uint_gt(c, b);
  store_close(s);
}
END_TEST

START_TEST(test_read_txn_refuses_writes) {
  store_t *s = open_store();
  store_txn_t *t;
  uint64_t v;
  ck_assert_int_eq(store_txn_begin_read(s, &t), 0);
  ck_assert_int_eq(store_put(t, T_ITEMS, V("a"), V("v"), NULL, 0), STORE_ERDONLY);
  ck_assert_int_eq(store_del(t, T_ITEMS, V("a")), STORE_ERDONLY);
  ck_assert_int_eq(store_next_version(t, &v), STORE_ERDONLY);
  store_txn_end(t);
  store_close(s);
}
END_TEST

START_TEST(test_invalid_arguments_are_einval) {
  store_t *s = open_store();
  op_t group_on_plain = {T_PLAIN, "p", "v", "g", NULL, NULL, 0, 0};
  op_t bad_table = {7, "p", "v", NULL, NULL, NULL, 0, 0};
  op_t empty_key = {T_ITEMS, "", "v", NULL, NULL, NULL, 0, 0};
  ck_assert_int_eq(write_ops(s, &group_on_plain, 1), STORE_EINVAL);
  ck_assert_int_eq(write_ops(s, &bad_table, 1), STORE_EINVAL);
  ck_assert_int_eq(write_ops(s, &empty_key, 1), STORE_EINVAL);
  ck_assert_int_eq(store_write(s, NULL, NULL), STORE_EINVAL);
  store_close(s);
}
END_TEST

/* ---- group commit ------------------------------------------------------------------------ */

/* A queued write whose done records its result. */
typedef struct job {
  ops_t ops;
  int rc;
} job_t;

static pthread_mutex_t jobs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cv = PTHREAD_COND_INITIALIZER;
static int jobs_done;

static int job_run(store_txn_t *t, void *arg) { return run_ops(t, &((job_t *)arg)->ops); }

static void job_done(void *arg, int rc) {
  pthread_mutex_lock(&jobs_mu);
  ((job_t *)arg)->rc = rc;
  jobs_done++;
  pthread_cond_broadcast(&jobs_cv);
  pthread_mutex_unlock(&jobs_mu);
}

static void wait_jobs(int n) {
  pthread_mutex_lock(&jobs_mu);
  while (jobs_done < n) pthread_cond_wait(&jobs_cv, &jobs_mu);
  pthread_mutex_unlock(&jobs_mu);
}

/* A write that holds the writer until the test opens the gate, so that the writes queued
 * meanwhile form one batch. */
static int gate_open;

static int gate_run(store_txn_t *t, void *arg) {
  (void)t, (void)arg;
  pthread_mutex_lock(&jobs_mu);
  while (!gate_open) pthread_cond_wait(&jobs_cv, &jobs_mu);
  pthread_mutex_unlock(&jobs_mu);
  return 0;
}

static void open_gate(void) {
  pthread_mutex_lock(&jobs_mu);
  gate_open = 1;
  pthread_cond_broadcast(&jobs_cv);
  pthread_mutex_unlock(&jobs_mu);
}

START_TEST(test_failing_write_rolls_back_alone_in_batch) {
  store_t *s = open_store();
  char buf[256];
  job_t gate = {{NULL, 0}, -1};
  op_t b = {T_ITEMS, "b", "B", "g", NULL, NULL, 0, 0};
  op_t c[] = {{T_ITEMS, "c", "C", "g", "cn", NULL, 0, 0},
              {T_ITEMS, "c2", "x", NULL, "an", NULL, 0, 0}};
  op_t d = {T_ITEMS, "d", "D", "g", NULL, NULL, 0, 0};
  job_t jobs[] = {{{&b, 1}, -1}, {{c, 2}, -1}, {{&d, 1}, -1}};
  jobs_done = gate_open = 0;
  ck_assert_int_eq(put(s, "a", "A", NULL, "an", NULL), 0);
  ck_assert_int_eq(store_submit(s, gate_run, job_done, &gate), 0);
  for (int i = 0; i < 3; i++) ck_assert_int_eq(store_submit(s, job_run, job_done, &jobs[i]), 0);
  open_gate();
  wait_jobs(4);
  ck_assert_int_eq(jobs[0].rc, 0);
  ck_assert_int_eq(jobs[1].rc, STORE_EXISTS);
  ck_assert_int_eq(jobs[2].rc, 0);
  ck_assert_int_eq(get(s, T_ITEMS, "c", buf), STORE_NOTFOUND);
  ck_assert_int_eq(by_index(s, I_NAME, "cn", buf), STORE_NOTFOUND);
  ck_assert_str_eq(group_page(s, "g", 0, 0, (char[4096]){0}), "b=B;d=D;");
  store_close(s);
}
END_TEST

#define N_THREADS 16
#define N_WRITES 200

static atomic_int write_failures;

static void *writer_client(void *arg) {
  store_t *s = ((void **)arg)[0];
  int id = (int)(intptr_t)((void **)arg)[1];
  char key[32], group[8];
  snprintf(group, sizeof(group), "g%d", id % 4);
  for (int i = 0; i < N_WRITES; i++) {
    snprintf(key, sizeof(key), "t%02d-%03d", id, i);
    if (put(s, key, key, group, key, NULL) != 0) atomic_fetch_add(&write_failures, 1);
  }
  return NULL;
}

START_TEST(test_concurrent_writers_all_present_after_reopen) {
  store_t *s = open_store();
  pthread_t th[N_THREADS];
  void *args[N_THREADS][2];
  char key[32], buf[256];
  for (int i = 0; i < N_THREADS; i++) {
    args[i][0] = s;
    args[i][1] = (void *)(intptr_t)i;
    ck_assert_int_eq(pthread_create(&th[i], NULL, writer_client, args[i]), 0);
  }
  for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
  ck_assert_int_eq(atomic_load(&write_failures), 0);
  store_close(s);
  s = open_store();
  ck_assert_uint_eq(table_count(s, T_ITEMS), N_THREADS * N_WRITES);
  uint64_t sum =
      group_count(s, "g0") + group_count(s, "g1") + group_count(s, "g2") + group_count(s, "g3");
  ck_assert_uint_eq(sum, N_THREADS * N_WRITES);
  for (int i = 0; i < N_THREADS; i++)
    for (int j = 0; j < N_WRITES; j += 37) {
      snprintf(key, sizeof(key), "t%02d-%03d", i, j);
      ck_assert_int_eq(get(s, T_ITEMS, key, buf), 0);
      ck_assert_str_eq(buf, key);
    }
  store_close(s);
}
END_TEST

/* Holds the writer until store_close has begun, so the writes behind it are still queued
 * when the store closes. Reads the store's closing flag: a white-box test. */
static store_t *closing_store;
static int late_rc;
static job_t late_job;

static int wait_for_close(store_txn_t *t, void *arg) {
  store_t *s = closing_store;
  (void)t, (void)arg;
  pthread_mutex_lock(&s->mu);
  while (!s->closing) pthread_cond_wait(&s->queued, &s->mu);
  pthread_mutex_unlock(&s->mu);
  return 0;
}

/* Runs while the queue drains: a new write must be refused, and its done never runs. */
static void submit_late(void *arg, int rc) {
  job_done(arg, rc);
  late_rc = store_submit(closing_store, gate_run, job_done, &late_job);
}

START_TEST(test_close_drains_queued_writes) {
  static op_t ops[100];
  static job_t jobs[100];
  static char keys[100][8];
  job_t first = {{NULL, 0}, -1};
  store_t *s = closing_store = open_store();
  jobs_done = 0;
  ck_assert_int_eq(store_submit(s, wait_for_close, submit_late, &first), 0);
  for (int i = 0; i < 100; i++) {
    snprintf(keys[i], sizeof(keys[i]), "q%02d", i);
    ops[i] = (op_t){T_ITEMS, keys[i], "v", "g", NULL, NULL, 0, 0};
    jobs[i] = (job_t){{&ops[i], 1}, -1};
    ck_assert_int_eq(store_submit(s, job_run, job_done, &jobs[i]), 0);
  }
  store_close(s);
  ck_assert_int_eq(jobs_done, 101);
  ck_assert_int_eq(late_rc, STORE_ECLOSED);
  for (int i = 0; i < 100; i++) ck_assert_int_eq(jobs[i].rc, 0);
  s = open_store();
  ck_assert_uint_eq(group_count(s, "g"), 100);
  store_close(s);
}
END_TEST

START_TEST(test_data_persists_across_reopen) {
  store_t *s = open_store();
  char buf[4096];
  ck_assert_int_eq(put(s, "a", "A", "g", "an", "t"), 0);
  ck_assert_int_eq(put(s, "b", "B", "g", "bn", "t"), 0);
  store_close(s);
  s = open_store();
  ck_assert_int_eq(get(s, T_ITEMS, "a", buf), 0);
  ck_assert_str_eq(buf, "A");
  ck_assert_int_eq(by_index(s, I_NAME, "bn", buf), 0);
  ck_assert_str_eq(buf, "b");
  ck_assert_str_eq(index_scan(s, I_TAG, "t", buf), "a=A;b=B;");
  ck_assert_str_eq(group_page(s, "g", 1, 1, buf), "b=B;");
  ck_assert_uint_eq(table_count(s, T_ITEMS), 2);
  store_close(s);
}
END_TEST

static int write_from_writer(store_txn_t *t, void *arg) {
  (void)t;
  return store_write(arg, gate_run, NULL);
}

START_TEST(test_store_write_from_writer_thread_is_einval) {
  store_t *s = open_store();
  ck_assert_int_eq(store_write(s, write_from_writer, s), STORE_EINVAL);
  store_close(s);
}
END_TEST

/* ---- engine faults ----------------------------------------------------------------------- */

static const op_t fault_ops[] = {
    {T_ITEMS, "a", "A2", "g2", "na2", "t2", 0, 0},
    {T_ITEMS, "b", NULL, NULL, NULL, NULL, 0, 1},
    {T_ITEMS, "d", "D", "g1", "nd", "t", 0, 0},
};

/* The faulty write; _i == 1 ignores every error, as a careless write function might. */
static int fault_write(store_txn_t *t, void *arg) {
  int ignore = *(int *)arg, rc = 0;
  uint64_t v;
  for (size_t i = 0; i < 3 && (rc == 0 || ignore); i++) rc = apply(t, &fault_ops[i]);
  if (rc == 0 || ignore) rc = store_next_version(t, &v);
  return ignore ? 0 : rc;
}

START_TEST(test_fault_nth_engine_call_changes_nothing) {
  static char before[16384], after[16384];
  store_t *s = open_store();
  int rc = -1, n, ignore = _i;
  ck_assert_int_eq(put(s, "a", "A", "g1", "na", "t"), 0);
  ck_assert_int_eq(put(s, "b", "B", "g1", "nb", "t"), 0);
  ck_assert_int_eq(put(s, "c", "C", "g2", NULL, NULL), 0);
  dump(s, before);
  for (n = 1; n < 500 && rc != 0; n++) {
    store__fault_inject(s, n, STORE_EIO);
    rc = store_write(s, fault_write, &ignore);
    if (rc == 0) break;
    ck_assert_int_eq(rc, STORE_EIO);
    dump(s, after);
    ck_assert_str_eq(after, before);
  }
  store__fault_inject(s, 0, 0);
  ck_assert_int_eq(rc, 0);
  ck_assert_int_gt(n, 10);
  dump(s, after);
  ck_assert_str_eq(after, "a=A2;c=C;d=D;|3|a=A2;d=D;|d=D;a=A2;|d=D;|c=C;a=A2;|1");
  store_close(s);
}
END_TEST

/* The store spec grammar (store.h): the engine, the endpoints up to the first '/', the
 * prefix after it (default "hangar", trailing '/' dropped), etcd's budgets after '?'. */
START_TEST(test_store_spec_parse) {
  store_spec_t sp;
  ck_assert_int_eq(store_spec_parse("lmdb:/var/x", &sp), 0);
  ck_assert_int_eq(sp.engine, STORE_ENGINE_LMDB);
  ck_assert_str_eq(sp.where, "/var/x");
  ck_assert_int_eq(store_spec_parse("etcd:127.0.0.1:2379,h:2", &sp), 0);
  ck_assert_int_eq(sp.engine, STORE_ENGINE_ETCD);
  ck_assert_str_eq(sp.where, "127.0.0.1:2379,h:2");
  ck_assert_str_eq(sp.prefix, "hangar");
  ck_assert_int_eq(store_spec_parse("etcd:h:1/team/resources-svc/", &sp), 0);
  ck_assert_str_eq(sp.where, "h:1");
  ck_assert_str_eq(sp.prefix, "team/resources-svc");
  ck_assert_int_eq(sp.etcd_max_txn_ops, 0);
  ck_assert_uint_eq(sp.etcd_max_request_bytes, 0);
  /* the etcd cluster's budgets, after the prefix or in its place */
  ck_assert_int_eq(
      store_spec_parse("etcd:h:1,h:2/p/q?max-txn-ops=4096&max-request-bytes=10485760", &sp), 0);
  ck_assert_str_eq(sp.where, "h:1,h:2");
  ck_assert_str_eq(sp.prefix, "p/q");
  ck_assert_int_eq(sp.etcd_max_txn_ops, 4096);
  ck_assert_uint_eq(sp.etcd_max_request_bytes, 10485760);
  ck_assert_int_eq(store_spec_parse("etcd:h:1?max-request-bytes=2097152", &sp), 0);
  ck_assert_str_eq(sp.where, "h:1");
  ck_assert_str_eq(sp.prefix, "hangar");
  ck_assert_int_eq(sp.etcd_max_txn_ops, 0);
  ck_assert_uint_eq(sp.etcd_max_request_bytes, 2097152);
  ck_assert_int_eq(store_spec_parse("lmdb:/var/x?y", &sp), 0); /* a directory may hold '?' */
  ck_assert_str_eq(sp.where, "/var/x?y");
  static const char *const bad[] = {"",
                                    "lmdb:",
                                    "etcd:",
                                    "etcd:/p",
                                    "etcd:h:1/",
                                    "/var/x",
                                    "sqlite:x",
                                    "etcd:h:1?",
                                    "etcd:?max-txn-ops=4",
                                    "etcd:h:1/?max-txn-ops=4",
                                    "etcd:h:1?max-txn-ops=1",
                                    "etcd:h:1?max-txn-ops=",
                                    "etcd:h:1?max-txn-ops=12x",
                                    "etcd:h:1?max-txn-ops=-5",
                                    "etcd:h:1?max-txn-ops=99999999999",
                                    "etcd:h:1?max-txn-ops=4&max-txn-ops=5",
                                    "etcd:h:1?max-txn-ops=4&",
                                    "etcd:h:1?max-request-bytes=1024",
                                    "etcd:h:1?max-ops=4",
                                    "etcd:h:1?max-txn-ops"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(store_spec_parse(bad[i], &sp) == STORE_EINVAL, "%s", bad[i]);
}
END_TEST

static void add_writer_tests(TCase *tc) {
  tcase_add_test(tc, test_failing_write_rolls_back_alone_in_batch);
  tcase_add_test(tc, test_concurrent_writers_all_present_after_reopen);
  tcase_add_test(tc, test_close_drains_queued_writes);
  tcase_add_test(tc, test_data_persists_across_reopen);
  tcase_add_test(tc, test_store_write_from_writer_thread_is_einval);
  tcase_add_loop_test(tc, test_fault_nth_engine_call_changes_nothing, 0, 2);
}

static Suite *store_suite(void) {
  Suite *su = suite_create("store");
  TCase *tc = tcase_create("store");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_put_get_del);
  tcase_add_test(tc, test_put_nooverwrite_existing_is_exists);
  tcase_add_test(tc, test_unique_index_conflict_keeps_original);
  tcase_add_test(tc, test_overwrite_replaces_index_entries);
  tcase_add_test(tc, test_delete_removes_index_entries);
  tcase_add_test(tc, test_nonunique_index_scan_by_prefix);
  tcase_add_test(tc, test_table_scan_by_prefix_with_limit);
  tcase_add_test(tc, test_group_insertion_order_and_count);
  tcase_add_test(tc, test_overwrite_same_group_keeps_position);
  tcase_add_test(tc, test_overwrite_new_group_moves_record);
  tcase_add_test(tc, test_group_scan_offsets);
  tcase_add_test(tc, test_group_scan_page_past_end);
  tcase_add_test(tc, test_group_scan_after_middle_deletes);
  tcase_add_test(tc, test_group_emptied_then_reused);
  tcase_add_test(tc, test_group_scan_random_deletes_match_model);
  tcase_add_test(tc, test_table_count);
  tcase_add_test(tc, test_next_version_monotonic_across_reopen);
  tcase_add_test(tc, test_read_txn_refuses_writes);
  tcase_add_test(tc, test_invalid_arguments_are_einval);
  tcase_add_test(tc, test_store_spec_parse);
  add_writer_tests(tc);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) {
  SRunner *sr = srunner_create(store_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
