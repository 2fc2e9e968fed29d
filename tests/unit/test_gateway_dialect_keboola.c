/* test_gateway_dialect_keboola.c - Keboola's error object (gateway/dialect_keboola.c): every
 * field, "User error" below 500 and "Application error" from 500, the field named after the
 * message, fresh ids per answer, and the extend refusal's warning body. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "gateway/dialect.h"
#include "test_run.h"

static const gw_dialect_t *kb(void) { return gw_dialect(GW_DIALECT_KEBOOLA); }

/* err rendered; the body's exceptionId and runId copied out, and replaced by X and 0. */
static const char *render(gw_error_t *e, int *http, char exception[17], unsigned long *run) {
  static hg_buf_t b;
  *http = gw_dialect_error_http(kb(), e);
  hg_buf_reset(&b);
  ck_assert_int_eq(gw_dialect_render(kb(), e, *http, &b), 0);
  char *x = strstr(b.p, "\"exceptionId\":\"provisioning-");
  if (!x) return b.p;
  x += strlen("\"exceptionId\":\"provisioning-");
  ck_assert_uint_eq(strspn(x, "0123456789abcdef"), 16);
  memcpy(exception, x, 16);
  exception[16] = '\0';
  char *r = strstr(b.p, "\"runId\":") + strlen("\"runId\":");
  ck_assert_int_eq(sscanf(r, "%lu", run), 1);
  ck_assert_uint_gt(*run, 0);
  char tail[64];
  snprintf(tail, sizeof(tail), "X\",\"runId\":0}");
  strcpy(x, tail);
  b.n = strlen(b.p);
  return b.p;
}

START_TEST(test_user_error_names_the_field) {
  gw_error_t e;
  char ex[17];
  unsigned long run;
  int http;
  gw_error_init(&e);
  hg_status_set(&e.st, HG_INVALID_ARGUMENT, "Invalid request body");
  hg_status_violation(&e.st, "type", "is_string", "expected a string");
  ck_assert_str_eq(render(&e, &http, ex, &run),
                   "{\"status\":\"error\",\"error\":\"User error\",\"code\":400,"
                   "\"message\":\"Invalid request body (type: expected a string)\","
                   "\"exceptionId\":\"provisioning-X\",\"runId\":0}");
  ck_assert_int_eq(http, 400);
}
END_TEST

START_TEST(test_codes_follow_the_status) {
  static const struct {
    hg_code_t code;
    const char *message;
    int http;
    const char *error;
  } rows[] = {
      {HG_UNAUTHENTICATED, "Invalid access token", 401, "User error"},
      {HG_NOT_FOUND, "Credentials not found", 404, "User error"},
      {HG_UNAVAILABLE, "The mysql backend is unavailable; retry later", 503, "Application error"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    gw_error_t e;
    char ex[17], want[512];
    unsigned long run;
    int http;
    gw_error_init(&e);
    hg_status_set(&e.st, rows[i].code, rows[i].message);
    e.st.reason = rows[i].code == HG_UNAVAILABLE ? "BACKEND_UNAVAILABLE" : NULL;
    snprintf(want, sizeof(want),
             "{\"status\":\"error\",\"error\":\"%s\",\"code\":%d,\"message\":\"%s\","
             "\"exceptionId\":\"provisioning-X\",\"runId\":0}",
             rows[i].error, rows[i].http, rows[i].message);
    gw_dialect_upstream(kb(), &e.st);
    ck_assert_str_eq(render(&e, &http, ex, &run), want);
    ck_assert_int_eq(http, rows[i].http);
  }
}
END_TEST

START_TEST(test_ids_are_fresh_per_answer) {
  gw_error_t e;
  char a[17], b[17];
  unsigned long ra, rb;
  int http;
  gw_error_init(&e);
  hg_status_set(&e.st, HG_NOT_FOUND, "Credentials not found");
  render(&e, &http, a, &ra);
  render(&e, &http, b, &rb);
  ck_assert_str_ne(a, b);
  ck_assert_uint_ne(ra, rb);
}
END_TEST

START_TEST(test_warning_is_the_blueprints_body) {
  gw_error_t e;
  char ex[17];
  unsigned long run;
  int http;
  gw_error_init(&e);
  hg_status_set(&e.st, HG_INVALID_ARGUMENT, "The sandbox cannot be extended.");
  e.st.reason = "WARNING";
  ck_assert_str_eq(render(&e, &http, ex, &run),
                   "{\"status\":\"warning\",\"message\":\"The sandbox cannot be extended.\"}");
  ck_assert_int_eq(http, 400);
}
END_TEST

int main(void) {
  TEST_RUN("gateway_dialect_keboola", 0, test_user_error_names_the_field,
           test_codes_follow_the_status, test_ids_are_fresh_per_answer,
           test_warning_is_the_blueprints_body);
}
