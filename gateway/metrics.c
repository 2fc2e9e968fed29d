/* metrics.c - lock-free counters and their Prometheus exposition.
 *
 * Status codes are counted in a flat array indexed by code - 100, so no code needs to be
 * known in advance and an observation is one relaxed increment. The latency histogram and
 * the text format are common/prom.h's, shared with the services' metrics listeners. */
#include "gateway/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prom.h"

#define CODE_MIN 100
#define CODE_SLOTS 500 /* 100..599 */

/* Upper bounds in microseconds, exposed in seconds; the +Inf bucket is implicit. */
static const uint64_t bucket_us[] = {1000,   2500,   5000,    10000,   25000,   50000,    100000,
                                     250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000};
static const prom_buckets_t buckets = {bucket_us, sizeof(bucket_us) / sizeof(bucket_us[0]), 6};

typedef struct series {
  const char *route;
  const char *method;
  gw_series_flags_t flags;
  atomic_uint_fast64_t codes[CODE_SLOTS];
  atomic_uint_fast64_t errors;
  prom_histogram_t duration; /* microseconds */
} series_t;

struct gw_metrics {
  size_t n, cap;
  series_t *series;
};

gw_metrics_t *gw_metrics_new(size_t max_series) {
  gw_metrics_t *m = calloc(1, sizeof(*m));
  if (!m) return NULL;
  m->series = calloc(max_series ? max_series : 1, sizeof(series_t));
  if (!m->series) {
    free(m);
    return NULL;
  }
  m->cap = max_series;
  return m;
}

void gw_metrics_free(gw_metrics_t *m) {
  if (!m) return;
  free(m->series);
  free(m);
}

int gw_metrics_add_series(gw_metrics_t *m, const char *route, const char *method,
                          gw_series_flags_t flags, size_t *idx) {
  if (m->n == m->cap) return -1;
  series_t *s = &m->series[m->n];
  s->route = route;
  s->method = method;
  s->flags = flags;
  prom_histogram_init(&s->duration, &buckets);
  *idx = m->n++;
  return 0;
}

void gw_metrics_observe(gw_metrics_t *m, size_t idx, int http, int64_t usec) {
  if (idx >= m->n) return;
  series_t *s = &m->series[idx];
  if (http < CODE_MIN || http >= CODE_MIN + CODE_SLOTS) http = 500;
  if (usec < 0) usec = 0;
  atomic_fetch_add_explicit(&s->codes[http - CODE_MIN], 1, memory_order_relaxed);
  if (http >= 400) atomic_fetch_add_explicit(&s->errors, 1, memory_order_relaxed);
  prom_histogram_observe(&s->duration, (uint64_t)usec);
}

/* ---- exposition ----------------------------------------------------------------------- */

static uint64_t load(const atomic_uint_fast64_t *v) {
  return atomic_load_explicit(v, memory_order_relaxed);
}

/* Metric families, written once for the exposition. */
#define REQUESTS "hangar_http_requests_total"
#define ERRORS "hangar_http_request_errors_total"
#define DURATION "hangar_http_request_duration_seconds"

static int visible(const series_t *s) {
  return s->flags == GW_SERIES_ALWAYS || prom_histogram_count(&s->duration) > 0;
}

static int render_requests(const gw_metrics_t *m, hg_buf_t *out) {
  int rc = prom_family(out, REQUESTS, "counter",
                       "HTTP requests answered, by route template, method and status code.");
  for (size_t i = 0; i < m->n; i++)
    for (int c = 0; c < CODE_SLOTS; c++) {
      uint64_t v = load(&m->series[i].codes[c]);
      char code[8];
      if (!v) continue;
      snprintf(code, sizeof(code), "%d", c + CODE_MIN);
      prom_label_t l[] = {
          {"route", m->series[i].route}, {"method", m->series[i].method}, {"code", code}};
      rc |= prom_sample(out, REQUESTS, l, 3, v);
    }
  return rc;
}

static int render_errors(const gw_metrics_t *m, hg_buf_t *out) {
  int rc = prom_family(out, ERRORS, "counter",
                       "HTTP requests answered with a status of 400 or more, by route template "
                       "and method.");
  for (size_t i = 0; i < m->n; i++) {
    const series_t *s = &m->series[i];
    prom_label_t l[] = {{"route", s->route}, {"method", s->method}};
    if (visible(s)) rc |= prom_sample(out, ERRORS, l, 2, load(&s->errors));
  }
  return rc;
}

int gw_metrics_render(const gw_metrics_t *m, hg_buf_t *out) {
  int rc = render_requests(m, out) | render_errors(m, out);
  rc |= prom_family(out, DURATION, "histogram",
                    "Time from reading a request to answering it, by route template and method.");
  for (size_t i = 0; i < m->n; i++) {
    const series_t *s = &m->series[i];
    prom_label_t l[] = {{"route", s->route}, {"method", s->method}};
    if (visible(s)) rc |= prom_histogram_render(out, DURATION, l, 2, &s->duration);
  }
  return rc ? -1 : 0;
}
