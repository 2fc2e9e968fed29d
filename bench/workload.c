/* workload.c - the storage benchmarks' shared workload (workload.h). */
#include "bench/workload.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const store_index_def_t indexes[] = {{"name", STORE_INDEX_UNIQUE}};
static const store_table_def_t tables[] = {
    {.name = "resources", .grouped = 1, .indexes = indexes, .n_indexes = 1}};
const store_schema_t bench_schema = {tables, 1};

typedef struct create {
  char key[48], group[24], value[BENCH_RECORD_BYTES];
} create_t;

/* The record's first bytes hold its version, so every value differs as a real one would. */
static int do_create(store_txn_t *txn, void *arg) {
  create_t *c = arg;
  uint64_t version;
  int rc = store_next_version(txn, &version);
  if (rc != 0) return rc;
  memcpy(c->value, &version, sizeof(version));
  store_keys_t keys = {.group = {c->group, strlen(c->group)}, .index = {{c->key, strlen(c->key)}}};
  return store_put(txn, 0, (store_val_t){c->key, strlen(c->key)},
                   (store_val_t){c->value, sizeof(c->value)}, &keys, STORE_PUT_NOOVERWRITE);
}

void bench_key(char *buf, size_t size, int id, unsigned long n) {
  snprintf(buf, size, "res-%03d-%09lu", id, n);
}

static void *writer_main(void *arg) {
  bench_writer_t *w = arg;
  create_t c;
  memset(c.value, 'x', sizeof(c.value));
  snprintf(c.group, sizeof(c.group), "project-%d", w->id % BENCH_N_GROUPS);
  while (!atomic_load(w->stop)) {
    bench_key(c.key, sizeof(c.key), w->id, w->created);
    if (store_write(w->s, do_create, &c) == 0)
      w->created++;
    else
      w->failed++;
  }
  return NULL;
}

int bench_run_writers(store_t *s, bench_writer_t *w, int n, int seconds, bench_run_t *run) {
  pthread_t *th = calloc((size_t)n, sizeof(*th));
  atomic_int stop = 0;
  *run = (bench_run_t){0};
  if (!th) return -1;
  double t0 = bench_now();
  for (; run->started < n; run->started++) {
    int i = run->started;
    w[i] = (bench_writer_t){.s = s, .stop = &stop, .id = i};
    if (pthread_create(&th[i], NULL, writer_main, &w[i]) != 0) break;
  }
  if (run->started) nanosleep(&(struct timespec){.tv_sec = seconds}, NULL);
  atomic_store(&stop, 1);
  for (int i = 0; i < run->started; i++) {
    pthread_join(th[i], NULL);
    run->created += w[i].created;
    run->failed += w[i].failed;
  }
  run->seconds = bench_now() - t0;
  free(th);
  return run->started ? 0 : -1;
}

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
