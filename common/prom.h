/* prom.h - the Prometheus text exposition format (0.0.4) and fixed-bucket histograms, shared
 * by every process that serves /metrics (the gateway, and each service's metrics listener).
 *
 * Values are integers in the unit they are measured in (microseconds, writes, bytes) and
 * are rendered as exact decimals in the exposed unit (seconds): a bucket bound of 2500 us
 * is written "0.0025", never a float's nearest neighbour. A histogram keeps one relaxed
 * atomic per bucket (not cumulative), so an observation is a few uncontended increments
 * and a scrape sums the buckets into the cumulative counts Prometheus reads.
 * Owns: nothing but the counters inside a prom_histogram_t; label strings are borrowed.
 * Threads: prom_histogram_observe and every render call from any thread, concurrently;
 * prom_histogram_init before the histogram is shared. */
#ifndef HANGAR_PROM_H
#define HANGAR_PROM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* The Content-Type of the text format. */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#define PROM_MAX_BUCKETS 20

/* A histogram's bucket layout (static, shared by every histogram of a family). */
typedef struct prom_buckets {
  const uint64_t *upper; /* ascending upper bounds, in the observed unit; +Inf is implicit */
  size_t n;              /* 1..PROM_MAX_BUCKETS */
  unsigned decimals;     /* the observed unit is 10^-decimals of the exposed one: 6 when
                          * microseconds are exposed as seconds, 0 when they are the same */
} prom_buckets_t;

typedef struct prom_histogram {
  const prom_buckets_t *b;
  atomic_uint_fast64_t bucket[PROM_MAX_BUCKETS]; /* per bucket, not cumulative */
  atomic_uint_fast64_t count;
  atomic_uint_fast64_t sum; /* in the observed unit */
} prom_histogram_t;

typedef struct prom_label {
  const char *name;
  const char *value; /* escaped when rendered */
} prom_label_t;

/* Zeroes h and gives it layout b (borrowed, must outlive h). */
void prom_histogram_init(prom_histogram_t *h, const prom_buckets_t *b);
/* Counts one observation of v (in the observed unit). Lock-free. */
void prom_histogram_observe(prom_histogram_t *h, uint64_t v);
/* Observations so far. */
uint64_t prom_histogram_count(const prom_histogram_t *h);

/* Every render call appends to out and returns 0, or -1 when out could not grow (out may
 * then hold a partial line; the caller discards the whole exposition). */

/* "# HELP name help\n# TYPE name type\n" (help escaped: backslash, newline). */
int prom_family(hg_buf_t *out, const char *name, const char *type, const char *help);
/* One sample "name{labels} v\n"; n_labels 0 writes no braces. */
int prom_sample(hg_buf_t *out, const char *name, const prom_label_t *labels, size_t n_labels,
                uint64_t v);
/* One sample whose value v is in 10^-decimals of the exposed unit ("1500", 3 -> "1.5"). */
int prom_sample_scaled(hg_buf_t *out, const char *name, const prom_label_t *labels, size_t n_labels,
                       uint64_t v, unsigned decimals);
/* The _bucket (cumulative, then le="+Inf"), _sum and _count samples of h under name. The
 * +Inf bucket and _count are the same number, never below the last finite bucket even
 * when observations land during the render. */
int prom_histogram_render(hg_buf_t *out, const char *name, const prom_label_t *labels,
                          size_t n_labels, const prom_histogram_t *h);

/* Appends v / 10^decimals as the shortest exact decimal ("0.0025", "1", "40.0035"). */
int prom_decimal(hg_buf_t *out, uint64_t v, unsigned decimals);

/* A part of a process's exposition: appends its families to out. 0 or -1. Runs on the
 * metrics listener's thread, so it must not block for long and must be thread-safe
 * against the process's own threads. */
typedef int (*prom_collect_fn)(void *arg, hg_buf_t *out);

#endif
