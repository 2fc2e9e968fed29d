/* test_gateway_dialect_ververica.c - gateway/dialect_ververica: ApiException and
 * ApiValidationException bodies, their reasons and status codes. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "gateway/dialect.h"

#include "test_run.h"

static gw_error_t err;
static hg_buf_t body;

static const char *rendered(int *http) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_VERVERICA);
  *http = gw_dialect_error_http(d, &err);
  hg_buf_reset(&body);
  ck_assert_int_eq(gw_dialect_render(d, &err, *http, &body), 0);
  ck_assert_int_eq(hg_buf_putc(&body, '\0'), 0);
  return body.p;
}

static void status(hg_code_t code, const char *message) {
  gw_error_init(&err);
  hg_status_set(&err.st, code, message);
}

START_TEST(test_api_exception_per_code) {
  static const struct {
    hg_code_t code;
    int http;
    const char *reason;
  } cases[] = {
      {HG_NOT_FOUND, 404, "NotFound"},
      {HG_ALREADY_EXISTS, 409, "AlreadyExists"},
      {HG_ABORTED, 409, "Conflict"},
      {HG_FAILED_PRECONDITION, 409, "Conflict"},
      {HG_PERMISSION_DENIED, 403, "Forbidden"},
      {HG_UNAUTHENTICATED, 401, "Unauthorized"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int http;
    char want[256];
    status(cases[i].code, "the words");
    snprintf(want, sizeof(want),
             "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":\"the words\","
             "\"reason\":\"%s\",\"statusCode\":%d,\"context\":{}}",
             cases[i].reason, cases[i].http);
    ck_assert_str_eq(rendered(&http), want);
    ck_assert_int_eq(http, cases[i].http);
  }
}
END_TEST

/* A watch from a compacted resourceVersion: Kubernetes' 410 Gone, reason Expired. */
START_TEST(test_expired_version_is_410_expired) {
  int http;
  status(HG_OUT_OF_RANGE, "too old");
  err.st.reason = "EXPIRED";
  ck_assert_str_eq(rendered(&http),
                   "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":\"too old\","
                   "\"reason\":\"Expired\",\"statusCode\":410,\"context\":{}}");
  ck_assert_int_eq(http, 410);
}
END_TEST

START_TEST(test_validation_lists_every_attribute) {
  int http;
  status(HG_INVALID_ARGUMENT, "Validation failed");
  hg_status_violation(&err.st, "metadata.name", "invalid", "must not be empty");
  hg_status_violation(&err.st, "spec.state", "enum", "must be one of the allowed values");
  ck_assert_str_eq(rendered(&http),
                   "{\"kind\":\"ApiValidationException\",\"apiVersion\":\"v1\",\"message\":"
                   "\"Validation failed\",\"statusCode\":400,\"errors\":[{\"attribute\":"
                   "\"metadata.name\",\"message\":\"must not be empty\"},{\"attribute\":"
                   "\"spec.state\",\"message\":\"must be one of the allowed values\"}]}");
  ck_assert_int_eq(http, 400);
}
END_TEST

/* A body refused as a whole names no attribute: an ApiException saying why. */
START_TEST(test_body_refusal_is_an_api_exception) {
  int http;
  status(HG_INVALID_ARGUMENT, "Invalid request body");
  hg_status_violation(&err.st, "", "json_syntax", "malformed JSON");
  ck_assert_str_eq(rendered(&http),
                   "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":\"malformed "
                   "JSON\",\"reason\":\"BadRequest\",\"statusCode\":400,\"context\":{}}");
  status(HG_INVALID_ARGUMENT, "Unsupported media type");
  hg_status_violation(&err.st, "", "media_type", "send JSON");
  rendered(&http);
  ck_assert_int_eq(http, 415);
  ck_assert_ptr_nonnull(strstr(body.p, "\"reason\":\"UnsupportedMediaType\""));
}
END_TEST

/* A deliberate 501 (with a reason) keeps its sentence; gRPC's own does not. */
START_TEST(test_not_implemented_words) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_VERVERICA);
  int http;
  status(HG_UNIMPLEMENTED, "no SQL runs");
  err.st.reason = "NO_SQL_RUNS";
  ck_assert_int_eq(gw_dialect_upstream(d, &err.st), 0);
  ck_assert_str_eq(rendered(&http),
                   "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":\"no SQL runs\","
                   "\"reason\":\"NotImplemented\",\"statusCode\":501,\"context\":{}}");
  status(HG_UNIMPLEMENTED, "unknown method /hangar.x/Y");
  ck_assert_int_eq(gw_dialect_upstream(d, &err.st), 1);
  ck_assert_ptr_nonnull(strstr(rendered(&http), "\"message\":\"Not Implemented\""));
}
END_TEST

int main(void) {
  int rc;
  {
    TTest const *const tests[] = {test_api_exception_per_code, test_expired_version_is_410_expired,
                                  test_validation_lists_every_attribute,
                                  test_body_refusal_is_an_api_exception,
                                  test_not_implemented_words};
    rc = test_run("gateway_dialect_ververica", tests, sizeof(tests) / sizeof(tests[0]), 0);
  }
  hg_buf_free(&body);
  return rc;
}
