/* bench_store_engines.c - the store's two engines side by side, at the storage layer.
 *
 * Usage: bench_store_engines SPEC [SPEC...] [-s seconds] [-c clients] [-t etcd-max-txn-ops]
 *        (defaults: 5 s of creates, 64 clients, etcd's default 128 ops per Txn; SPEC as
 *        store.h: lmdb:DIR, etcd:EPS/PREFIX)
 *
 * Per spec: `clients` threads loop on store_write() of a create like a service's (a ~200
 * byte record in one of 8 groups with a unique name and a fresh version), for `seconds`;
 * then one thread reads GET_SAMPLES random records it created, each in its own read txn
 * (store_txn_begin_read + store_get + store_txn_end, as a service's GET), timing each.
 * Prints creates/s and the GET latency's median, p99 and max. bench/store-engines.sh starts
 * an etcd member and passes both engines. The etcd store must start empty (a fresh prefix). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/workload.h"
#define GET_SAMPLES 2000
#define MAX_CLIENTS 1024

/* GET_SAMPLES reads of random created records; latencies in ms into lat (sorted). */
static int gets(store_t *s, const bench_writer_t *cl, int clients, double *lat) {
  unsigned seed = 42;
  for (int i = 0; i < GET_SAMPLES; i++) {
    const bench_writer_t *c = &cl[rand_r(&seed) % clients];
    if (c->created == 0) return -1;
    char key[48];
    bench_key(key, sizeof(key), c->id, (unsigned long)rand_r(&seed) % c->created);
    double t0 = bench_now();
    store_txn_t *t;
    store_val_t v;
    int rc = store_txn_begin_read(s, &t);
    if (rc == 0) rc = store_get(t, 0, (store_val_t){key, strlen(key)}, &v);
    if (rc == 0) store_txn_end(t);
    lat[i] = (bench_now() - t0) * 1e3;
    if (rc != 0) {
      fprintf(stderr, "get %s: %s\n", key, store_strerror(rc));
      return -1;
    }
  }
  qsort(lat, GET_SAMPLES, sizeof(*lat), bench_cmp_double);
  return 0;
}

static int bench(const char *spec, int seconds, int clients, int max_ops) {
  static bench_writer_t cl[MAX_CLIENTS];
  static double lat[GET_SAMPLES];
  store_t *s = NULL;
  store_opts_t opts = {.etcd_max_txn_ops = max_ops};
  int rc = store_open_spec(spec, &bench_schema, &opts, &s);
  if (rc != 0) {
    fprintf(stderr, "open %s: %s\n", spec, store_strerror(rc));
    return -1;
  }
  bench_run_t run;
  rc = bench_run_writers(s, cl, clients, seconds, &run);
  if (rc == 0) rc = gets(s, cl, run.started, lat);
  store_close(s);
  if (rc != 0) return -1;
  printf("%-40s %8.0f creates/s (%lu failed)  GET median %.3f ms, p99 %.3f ms, max %.3f ms\n", spec,
         run.created / run.seconds, run.failed, lat[GET_SAMPLES / 2], lat[GET_SAMPLES * 99 / 100],
         lat[GET_SAMPLES - 1]);
  return 0;
}

int main(int argc, char **argv) {
  int seconds = 5, clients = 64, max_ops = 0, n = 0, failed = 0;
  const char *specs[16];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
      seconds = atoi(argv[++i]);
    else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
      clients = atoi(argv[++i]);
    else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
      max_ops = atoi(argv[++i]);
    else if (n < 16)
      specs[n++] = argv[i];
  }
  if (n == 0 || seconds < 1 || clients < 1 || clients > MAX_CLIENTS || max_ops < 0) {
    fprintf(stderr, "usage: %s SPEC [SPEC...] [-s seconds] [-c clients] [-t ops]\n", argv[0]);
    return 2;
  }
  printf("durable creates, %d clients, %d s each, etcd Txn up to %d ops; then %d GETs, one read "
         "txn each\n",
         clients, seconds, max_ops ? max_ops : STORE_DEFAULT_ETCD_MAX_TXN_OPS, GET_SAMPLES);
  for (int i = 0; i < n; i++) failed |= bench(specs[i], seconds, clients, max_ops) != 0;
  return failed;
}
