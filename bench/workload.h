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

/* pthread start routine: arg is a bench_writer_t. */
void *bench_writer_main(void *arg);

/* The key writer `id` gave its n-th record. */
void bench_key(char *buf, size_t size, int id, unsigned long n);

/* Monotonic seconds. */
double bench_now(void);

/* qsort comparator for doubles. */
int bench_cmp_double(const void *a, const void *b);

#endif
