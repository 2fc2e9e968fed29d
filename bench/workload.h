/* workload.h - the storage benchmarks' shared workload (bench_group_commit, bench_store_engines).
 *
 * One grouped table, `resources`, with a unique `name` index; closed-loop writers that each
 * create RECORD_BYTES records named res-<writer>-<n> in group project-<writer % N_GROUPS>,
 * one store_write per record, until *stop is set. A writer's counters are written only by its
 * own thread: read them after joining it. */
#ifndef HANGAR_BENCH_WORKLOAD_H
#define HANGAR_BENCH_WORKLOAD_H

#include <stdatomic.h>
#include <stddef.h>

#include "storage/store.h"

#define BENCH_N_GROUPS 8
#define BENCH_RECORD_BYTES 200

extern const store_schema_t bench_schema;

typedef struct bench_writer {
  store_t *s;
  const atomic_int *stop;
  int id;
  unsigned long created, failed;
} bench_writer_t;

/* What one run of writers did: how many started, their writes summed, its wall seconds. */
typedef struct bench_run {
  int started;
  unsigned long created, failed;
  double seconds;
} bench_run_t;

/* Starts n writers on s (w[0..n), filled in here: writer i has id i), lets them write for
 * `seconds`, then stops and joins them into *run. A writer whose thread could not start is
 * left out (run->started says how many did). 0, or -1 when none started. */
int bench_run_writers(store_t *s, bench_writer_t *w, int n, int seconds, bench_run_t *run);

/* The key writer `id` gave its n-th record. */
void bench_key(char *buf, size_t size, int id, unsigned long n);

/* Monotonic seconds. */
double bench_now(void);

/* qsort comparator for doubles. */
int bench_cmp_double(const void *a, const void *b);

#endif
