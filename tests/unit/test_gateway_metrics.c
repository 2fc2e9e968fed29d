/* test_gateway_metrics.c - gateway/metrics.c: counters per route/method/code, errors,
 * cumulative histogram buckets, sparse series, label escaping (Prometheus text format). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/metrics.h"

static gw_metrics_t *metrics;
static hg_buf_t text;

static void setup(void) { metrics = gw_metrics_new(4); }

static void teardown(void) {
  gw_metrics_free(metrics);
  hg_buf_free(&text);
}

static const char *render(void) {
  hg_buf_reset(&text);
  ck_assert_int_eq(gw_metrics_render(metrics, &text), 0);
  return text.p;
}

static void assert_line(const char *line) {
  ck_assert_msg(strstr(render(), line) != NULL, "missing line: %s\n--- got:\n%s", line, text.p);
}

START_TEST(test_counts_per_code_and_errors) {
  size_t i;
  ck_assert_int_eq(gw_metrics_add_series(metrics, "/r/{id}", "GET", GW_SERIES_ALWAYS, &i), 0);
  gw_metrics_observe(metrics, i, 200, 500);
  gw_metrics_observe(metrics, i, 200, 3000);
  gw_metrics_observe(metrics, i, 404, 40000000);
  assert_line("hangar_http_requests_total{route=\"/r/{id}\",method=\"GET\",code=\"200\"} 2\n");
  assert_line("hangar_http_requests_total{route=\"/r/{id}\",method=\"GET\",code=\"404\"} 1\n");
  assert_line("hangar_http_request_errors_total{route=\"/r/{id}\",method=\"GET\"} 1\n");
  ck_assert_ptr_null(strstr(render(), "code=\"500\""));
}
END_TEST

START_TEST(test_histogram_cumulative) {
  size_t i;
  ck_assert_int_eq(gw_metrics_add_series(metrics, "/x", "POST", GW_SERIES_ALWAYS, &i), 0);
  gw_metrics_observe(metrics, i, 201, 500);      /* <= 1 ms */
  gw_metrics_observe(metrics, i, 201, 3000);     /* <= 5 ms */
  gw_metrics_observe(metrics, i, 201, 40000000); /* > 30 s: only +Inf */
  assert_line("_bucket{route=\"/x\",method=\"POST\",le=\"0.001\"} 1\n");
  assert_line("_bucket{route=\"/x\",method=\"POST\",le=\"0.0025\"} 1\n");
  assert_line("_bucket{route=\"/x\",method=\"POST\",le=\"0.005\"} 2\n");
  assert_line("_bucket{route=\"/x\",method=\"POST\",le=\"30\"} 2\n");
  assert_line("_bucket{route=\"/x\",method=\"POST\",le=\"+Inf\"} 3\n");
  assert_line("hangar_http_request_duration_seconds_sum{route=\"/x\",method=\"POST\"} "
              "40.0035\n");
  assert_line("hangar_http_request_duration_seconds_count{route=\"/x\",method=\"POST\"} 3\n");
}
END_TEST

START_TEST(test_help_and_type_lines) {
  assert_line("# TYPE hangar_http_requests_total counter\n");
  assert_line("# TYPE hangar_http_request_errors_total counter\n");
  assert_line("# TYPE hangar_http_request_duration_seconds histogram\n");
  assert_line("# HELP hangar_http_request_duration_seconds ");
}
END_TEST

START_TEST(test_sparse_series_hidden_until_used) {
  size_t a, s;
  ck_assert_int_eq(gw_metrics_add_series(metrics, "/always", "GET", GW_SERIES_ALWAYS, &a), 0);
  ck_assert_int_eq(gw_metrics_add_series(metrics, "unmatched", "GET", GW_SERIES_SPARSE, &s), 0);
  assert_line("hangar_http_request_errors_total{route=\"/always\",method=\"GET\"} 0\n");
  ck_assert_ptr_null(strstr(render(), "unmatched"));
  gw_metrics_observe(metrics, s, 404, 10);
  assert_line("hangar_http_request_errors_total{route=\"unmatched\",method=\"GET\"} 1\n");
}
END_TEST

START_TEST(test_label_escaping_and_capacity) {
  size_t i;
  ck_assert_int_eq(gw_metrics_add_series(metrics, "a\"b\\c\nd", "GET", GW_SERIES_ALWAYS, &i), 0);
  assert_line("route=\"a\\\"b\\\\c\\nd\"");
  ck_assert_int_eq(gw_metrics_add_series(metrics, "2", "GET", GW_SERIES_ALWAYS, &i), 0);
  ck_assert_int_eq(gw_metrics_add_series(metrics, "3", "GET", GW_SERIES_ALWAYS, &i), 0);
  ck_assert_int_eq(gw_metrics_add_series(metrics, "4", "GET", GW_SERIES_ALWAYS, &i), 0);
  ck_assert_int_eq(gw_metrics_add_series(metrics, "5", "GET", GW_SERIES_ALWAYS, &i), -1);
  gw_metrics_observe(metrics, 99, 200, 1); /* out of range: ignored */
}
END_TEST

int main(void) {
  Suite *s = suite_create("gateway_metrics");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_counts_per_code_and_errors);
  tcase_add_test(tc, test_histogram_cumulative);
  tcase_add_test(tc, test_help_and_type_lines);
  tcase_add_test(tc, test_sparse_series_hidden_until_used);
  tcase_add_test(tc, test_label_escaping_and_capacity);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
