/* metrics.h - per-route request counters and latency histograms, rendered in the
 * Prometheus text format (0.0.4) by GET /metrics.
 *
 * A series is one (route template, method) pair registered at start; requests are counted
 * per HTTP status code, errors (status >= 400) per series, and durations in a fixed-bucket
 * histogram. Counters are relaxed atomics: any loop thread observes without locks, and a
 * scrape reads a consistent-enough snapshot.
 * Owns: the counters. Does not own: the label strings (borrowed; must outlive it).
 * Threads: gw_metrics_add_series from one thread before serving; observe and render from
 * any thread. */
#ifndef HANGAR_GW_METRICS_H
#define HANGAR_GW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct gw_metrics gw_metrics_t;

typedef enum {
  GW_SERIES_ALWAYS = 0, /* rendered from the start, zeros included */
  GW_SERIES_SPARSE = 1, /* rendered only once it has counted a request */
} gw_series_flags_t;

/* Room for max_series series; NULL on allocation failure. Free with gw_metrics_free(). */
gw_metrics_t *gw_metrics_new(size_t max_series);
void gw_metrics_free(gw_metrics_t *m);

/* Registers a series; *idx receives its index. 0, or -1 when full. */
int gw_metrics_add_series(gw_metrics_t *m, const char *route, const char *method,
                          gw_series_flags_t flags, size_t *idx);

/* Counts one answered request of series idx with HTTP status http taking usec. */
void gw_metrics_observe(gw_metrics_t *m, size_t idx, int http, int64_t usec);

/* Appends the exposition text to out. 0 or -1 (ENOMEM). */
int gw_metrics_render(const gw_metrics_t *m, hg_buf_t *out);

#endif
