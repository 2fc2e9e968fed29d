/* test_prom.c - common/prom.c: exact decimals, samples with and without labels, escaping,
 * cumulative histogram buckets (bounds inclusive, +Inf == _count), and counts that add up
 * when threads observe concurrently, also while a scrape renders. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prom.h"
#include "test_run.h"

static const uint64_t us_bounds[] = {1000, 2500, 5000, 1000000};
static const prom_buckets_t us_buckets = {us_bounds, 4, 6};
static const uint64_t n_bounds[] = {1, 2, 4};
static const prom_buckets_t n_buckets = {n_bounds, 3, 0};

static const char *decimal(uint64_t v, unsigned decimals) {
  static hg_buf_t b;
  hg_buf_reset(&b);
  ck_assert_int_eq(prom_decimal(&b, v, decimals), 0);
  return b.p;
}

static void assert_has(const hg_buf_t *b, const char *line) {
  ck_assert_msg(b->p && strstr(b->p, line), "missing: %s\n--- got:\n%s", line, b->p ? b->p : "");
}

START_TEST(test_decimals_are_exact_and_short) {
  ck_assert_str_eq(decimal(2500, 6), "0.0025");
  ck_assert_str_eq(decimal(1000000, 6), "1");
  ck_assert_str_eq(decimal(40003500, 6), "40.0035");
  ck_assert_str_eq(decimal(0, 6), "0");
  ck_assert_str_eq(decimal(1, 6), "0.000001");
  ck_assert_str_eq(decimal(1500, 3), "1.5");
  ck_assert_str_eq(decimal(7, 0), "7");
  ck_assert_str_eq(decimal(UINT64_MAX, 0), "18446744073709551615");
  ck_assert_str_eq(decimal(UINT64_MAX, 6), "18446744073709.551615");
}
END_TEST

START_TEST(test_family_and_samples) {
  hg_buf_t b = HG_BUF_INIT;
  prom_label_t l[] = {{"a", "x"}, {"b", "y"}};
  ck_assert_int_eq(prom_family(&b, "m_total", "counter", "Help with \\ and\nnewline."), 0);
  ck_assert_int_eq(prom_sample(&b, "m_total", l, 2, 42), 0);
  ck_assert_int_eq(prom_sample(&b, "g", NULL, 0, 5), 0);
  ck_assert_int_eq(prom_sample_scaled(&b, "age_seconds", NULL, 0, 1500, 3), 0);
  ck_assert_str_eq(b.p, "# HELP m_total Help with \\\\ and\\nnewline.\n"
                        "# TYPE m_total counter\n"
                        "m_total{a=\"x\",b=\"y\"} 42\n"
                        "g 5\n"
                        "age_seconds 1.5\n");
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_label_values_escaped) {
  hg_buf_t b = HG_BUF_INIT;
  prom_label_t l[] = {{"route", "a\"b\\c\nd"}, {"empty", NULL}};
  ck_assert_int_eq(prom_sample(&b, "m", l, 2, 1), 0);
  ck_assert_str_eq(b.p, "m{route=\"a\\\"b\\\\c\\nd\",empty=\"\"} 1\n");
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_histogram_cumulative_with_labels) {
  static prom_histogram_t h;
  hg_buf_t b = HG_BUF_INIT;
  prom_label_t l[] = {{"method", "GET"}};
  prom_histogram_init(&h, &us_buckets);
  prom_histogram_observe(&h, 500);      /* <= 1 ms */
  prom_histogram_observe(&h, 1000);     /* a bound is inclusive: still <= 1 ms */
  prom_histogram_observe(&h, 4000);     /* <= 5 ms */
  prom_histogram_observe(&h, 40000000); /* above every bound: +Inf only */
  ck_assert_int_eq(prom_histogram_render(&b, "d_seconds", l, 1, &h), 0);
  ck_assert_str_eq(b.p, "d_seconds_bucket{method=\"GET\",le=\"0.001\"} 2\n"
                        "d_seconds_bucket{method=\"GET\",le=\"0.0025\"} 2\n"
                        "d_seconds_bucket{method=\"GET\",le=\"0.005\"} 3\n"
                        "d_seconds_bucket{method=\"GET\",le=\"1\"} 3\n"
                        "d_seconds_bucket{method=\"GET\",le=\"+Inf\"} 4\n"
                        "d_seconds_sum{method=\"GET\"} 40.0055\n"
                        "d_seconds_count{method=\"GET\"} 4\n");
  ck_assert_uint_eq(prom_histogram_count(&h), 4);
  hg_buf_free(&b);
}
END_TEST

START_TEST(test_histogram_without_labels_counts_units) {
  static prom_histogram_t h;
  hg_buf_t b = HG_BUF_INIT;
  prom_histogram_init(&h, &n_buckets);
  ck_assert_int_eq(prom_histogram_render(&b, "batch", NULL, 0, &h), 0);
  assert_has(&b, "batch_bucket{le=\"+Inf\"} 0\nbatch_sum 0\nbatch_count 0\n");
  prom_histogram_observe(&h, 3);
  prom_histogram_observe(&h, 1);
  hg_buf_reset(&b);
  ck_assert_int_eq(prom_histogram_render(&b, "batch", NULL, 0, &h), 0);
  ck_assert_str_eq(b.p, "batch_bucket{le=\"1\"} 1\n"
                        "batch_bucket{le=\"2\"} 1\n"
                        "batch_bucket{le=\"4\"} 2\n"
                        "batch_bucket{le=\"+Inf\"} 2\n"
                        "batch_sum 4\n"
                        "batch_count 2\n");
  hg_buf_free(&b);
}
END_TEST

/* ---- concurrency ------------------------------------------------------------------------ */

#define THREADS 4
#define PER_THREAD 50000

static prom_histogram_t shared;

static void *observe_many(void *arg) {
  uint64_t seed = (uint64_t)(uintptr_t)arg;
  for (int i = 0; i < PER_THREAD; i++) {
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    prom_histogram_observe(&shared, (seed >> 33) % 2000000); /* 0 .. 2 s in us */
  }
  return NULL;
}

/* Reads each "_bucket{...} N" count of one rendering in order; returns how many. */
static size_t bucket_counts(const char *text, uint64_t *out, size_t cap) {
  size_t n = 0;
  for (const char *p = strstr(text, "_bucket{"); p && n < cap; p = strstr(p + 1, "_bucket{")) {
    const char *sp = strstr(p, "} ");
    ck_assert_ptr_nonnull(sp);
    out[n++] = strtoull(sp + 2, NULL, 10);
  }
  return n;
}

static uint64_t count_of(const char *text) {
  const char *p = strstr(text, "_count ");
  ck_assert_ptr_nonnull(p);
  return strtoull(p + 7, NULL, 10);
}

/* Renders taken while threads observe are still well-formed: buckets never decrease and
 * +Inf equals _count; once the threads are done every observation is counted exactly once. */
START_TEST(test_concurrent_observations_add_up) {
  pthread_t t[THREADS];
  hg_buf_t b = HG_BUF_INIT;
  uint64_t c[PROM_MAX_BUCKETS + 1];
  prom_histogram_init(&shared, &us_buckets);
  for (int i = 0; i < THREADS; i++)
    ck_assert_int_eq(pthread_create(&t[i], NULL, observe_many, (void *)(uintptr_t)(i + 1)), 0);
  for (int r = 0; r < 200; r++) {
    hg_buf_reset(&b);
    ck_assert_int_eq(prom_histogram_render(&b, "x", NULL, 0, &shared), 0);
    size_t n = bucket_counts(b.p, c, PROM_MAX_BUCKETS + 1);
    ck_assert_uint_eq(n, us_buckets.n + 1);
    for (size_t i = 1; i < n; i++) ck_assert_uint_le(c[i - 1], c[i]);
    ck_assert_uint_eq(c[n - 1], count_of(b.p));
  }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  hg_buf_reset(&b);
  ck_assert_int_eq(prom_histogram_render(&b, "x", NULL, 0, &shared), 0);
  size_t n = bucket_counts(b.p, c, PROM_MAX_BUCKETS + 1);
  ck_assert_uint_eq(c[n - 1], THREADS * PER_THREAD);
  ck_assert_uint_eq(count_of(b.p), THREADS * PER_THREAD);
  hg_buf_free(&b);
}
END_TEST

int main(void) {
  TEST_RUN("prom", 60, test_decimals_are_exact_and_short, test_family_and_samples,
           test_label_values_escaped, test_histogram_cumulative_with_labels,
           test_histogram_without_labels_counts_units, test_concurrent_observations_add_up);
}
