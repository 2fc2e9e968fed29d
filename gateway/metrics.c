/* metrics.c - lock-free counters and their Prometheus exposition.
 *
 * Status codes are counted in a flat array indexed by code - 100, so no code needs to be
 * known in advance and an observation is one relaxed increment. Histogram buckets are
 * stored per bucket and summed into cumulative counts only when rendered. */
#include "gateway/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CODE_MIN 100
#define CODE_SLOTS 500 /* 100..599 */

/* Upper bounds in microseconds; the +Inf bucket is implicit (== count). */
static const int64_t bucket_us[] = {1000,   2500,   5000,    10000,   25000,   50000,    100000,
                                    250000, 500000, 1000000, 2500000, 5000000, 10000000, 30000000};
static const char *const bucket_le[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                        "0.25",  "0.5",    "1",     "2.5",  "5",     "10",   "30"};
#define N_BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

typedef struct series {
  const char *route;
  const char *method;
  gw_series_flags_t flags;
  atomic_uint_fast64_t codes[CODE_SLOTS];
  atomic_uint_fast64_t errors;
  atomic_uint_fast64_t buckets[N_BUCKETS];
  atomic_uint_fast64_t count;
  atomic_uint_fast64_t sum_us;
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
  for (size_t b = 0; b < N_BUCKETS; b++) {
    if (usec <= bucket_us[b]) {
      atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
      break;
    }
  }
  atomic_fetch_add_explicit(&s->sum_us, (uint_fast64_t)usec, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

/* ---- exposition ----------------------------------------------------------------------- */

static uint64_t load(const atomic_uint_fast64_t *v) {
  return atomic_load_explicit(v, memory_order_relaxed);
}

/* Label values escape backslash, double quote and newline (exposition format). */
static int put_label(hg_buf_t *out, const char *name, const char *v) {
  int rc = hg_buf_printf(out, "%s=\"", name);
  for (; *v; v++) {
    if (*v == '\\' || *v == '"') rc |= hg_buf_putc(out, '\\');
    rc |= *v == '\n' ? hg_buf_puts(out, "\\n") : hg_buf_putc(out, *v);
  }
  return rc | hg_buf_putc(out, '"');
}

static int put_labels(hg_buf_t *out, const series_t *s) {
  return put_label(out, "route", s->route) | hg_buf_putc(out, ',') |
         put_label(out, "method", s->method);
}

/* Metric families: name, type and help text, written once for the exposition. */
#define REQUESTS "hangar_http_requests_total"
#define ERRORS "hangar_http_request_errors_total"
#define DURATION "hangar_http_request_duration_seconds"

static int put_family(hg_buf_t *out, const char *name, const char *type, const char *help) {
  return hg_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The start of one sample: name{route="...",method="..." (the caller closes the braces). */
static int put_sample(hg_buf_t *out, const char *name, const series_t *s) {
  return hg_buf_puts(out, name) | hg_buf_putc(out, '{') | put_labels(out, s);
}

static int visible(const series_t *s) {
  return s->flags == GW_SERIES_ALWAYS || load(&s->count) > 0;
}

static int render_requests(const gw_metrics_t *m, hg_buf_t *out) {
  int rc = put_family(out, REQUESTS, "counter",
                      "HTTP requests answered, by route template, method and status code.");
  for (size_t i = 0; i < m->n; i++)
    for (int c = 0; c < CODE_SLOTS; c++) {
      uint64_t v = load(&m->series[i].codes[c]);
      if (!v) continue;
      rc |= put_sample(out, REQUESTS, &m->series[i]);
      rc |= hg_buf_printf(out, ",code=\"%d\"} %llu\n", c + CODE_MIN, (unsigned long long)v);
    }
  return rc;
}

static int render_errors(const gw_metrics_t *m, hg_buf_t *out) {
  int rc = put_family(out, ERRORS, "counter",
                      "HTTP requests answered with a status of 400 or more, by route template "
                      "and method.");
  for (size_t i = 0; i < m->n; i++)
    if (visible(&m->series[i]))
      rc |= put_sample(out, ERRORS, &m->series[i]) |
            hg_buf_printf(out, "} %llu\n", (unsigned long long)load(&m->series[i].errors));
  return rc;
}

static int render_histogram(const series_t *s, hg_buf_t *out) {
  int rc = 0;
  uint64_t cum = 0, count = load(&s->count);
  for (size_t b = 0; b < N_BUCKETS; b++) {
    cum += load(&s->buckets[b]);
    rc |= put_sample(out, DURATION "_bucket", s);
    rc |= hg_buf_printf(out, ",le=\"%s\"} %llu\n", bucket_le[b], (unsigned long long)cum);
  }
  /* +Inf is the count; a concurrent observation may land between the loads, so never
   * let it fall below the last finite bucket. */
  if (count < cum) count = cum;
  rc |= put_sample(out, DURATION "_bucket", s);
  rc |= hg_buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)count);
  uint64_t sum = load(&s->sum_us);
  rc |= put_sample(out, DURATION "_sum", s);
  rc |= hg_buf_printf(out, "} %llu.%06llu\n", (unsigned long long)(sum / 1000000),
                      (unsigned long long)(sum % 1000000));
  rc |= put_sample(out, DURATION "_count", s);
  rc |= hg_buf_printf(out, "} %llu\n", (unsigned long long)count);
  return rc;
}

int gw_metrics_render(const gw_metrics_t *m, hg_buf_t *out) {
  int rc = render_requests(m, out) | render_errors(m, out);
  rc |= put_family(out, DURATION, "histogram",
                   "Time from reading a request to answering it, by route template and method.");
  for (size_t i = 0; i < m->n; i++)
    if (visible(&m->series[i])) rc |= render_histogram(&m->series[i], out);
  return rc ? -1 : 0;
}
