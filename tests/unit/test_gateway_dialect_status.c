/* test_gateway_dialect_status.c - the upstream status table (gateway/dialect_status.c):
 * every gRPC code 0..16, and codes above, through every dialect; bodies compared whole. */
#include <check.h>
#include <string.h>

#include "gateway/dialect.h"
#include "test_run.h"

/* gRPC's own words, as a transport failure or the rpc layer carries them. */
#define TRANSPORT "Received RST_STREAM with error code 2 at unix:/run/hangar/x.sock"

static gw_error_t err;
static hg_buf_t body;

/* code as an upstream sent it with message TRANSPORT (and reason), put in d's words. */
static void upstream(const gw_dialect_t *d, hg_code_t code, const char *reason) {
  gw_error_init(&err);
  hg_status_set(&err.st, code, TRANSPORT);
  err.st.reason = reason;
  gw_dialect_upstream(d, &err.st);
}

/* Keboola's exceptionId and runId are fresh per answer: "provisioning-X" and 0 here, after
 * checking their form, so bodies still compare whole. */
static void fix_keboola_ids(hg_buf_t *b) {
  char *e = strstr(b->p, "\"exceptionId\":\"provisioning-"), *r = strstr(b->p, "\"runId\":");
  if (!e || !r) return;
  e += strlen("\"exceptionId\":\"provisioning-");
  r += strlen("\"runId\":");
  ck_assert_uint_eq(strspn(e, "0123456789abcdef"), 16);
  ck_assert_uint_gt(strspn(r, "0123456789"), 0);
  ck_assert(r[strspn(r, "0123456789")] == '}' && e[16] == '"');
  memmove(r + 1, r + strspn(r, "0123456789"), strlen(r + strspn(r, "0123456789")) + 1);
  r[0] = '0';
  memmove(e + 1, e + 16, strlen(e + 16) + 1);
  e[0] = 'X';
  b->n = strlen(b->p);
}

/* err rendered by d as its answer; *http receives the code. */
static const char *rendered(const gw_dialect_t *d, int *http) {
  *http = gw_dialect_error_http(d, &err);
  hg_buf_reset(&body);
  ck_assert_int_eq(gw_dialect_render(d, &err, *http, &body), 0);
  fix_keboola_ids(&body);
  return body.p;
}

/* Per code: the HTTP answer in ktrlplane, fastapi, problem, keboola and ververica, whether the service's
 * message is shown, and Retry-After. */
static const struct {
  hg_code_t code;
  int http[GW_N_DIALECTS];
  int shown;
  int retry_after;
} walk[] = {
    {HG_OK, {500, 500, 500, 500, 500}, 0, 0},
    {HG_CANCELLED, {503, 503, 503, 503, 503}, 0, 1},
    {HG_UNKNOWN, {500, 500, 500, 500, 500}, 0, 0},
    {HG_INVALID_ARGUMENT, {400, 422, 400, 400, 400}, 1, 0},
    {HG_DEADLINE_EXCEEDED, {504, 504, 504, 504, 504}, 0, 0},
    {HG_NOT_FOUND, {404, 404, 404, 404, 404}, 1, 0},
    {HG_ALREADY_EXISTS, {409, 400, 409, 409, 409}, 1, 0},
    {HG_PERMISSION_DENIED, {403, 403, 403, 403, 403}, 1, 0},
    {HG_RESOURCE_EXHAUSTED, {429, 429, 429, 429, 429}, 0, 1},
    {HG_FAILED_PRECONDITION, {409, 400, 409, 409, 409}, 1, 0},
    {HG_ABORTED, {409, 400, 409, 409, 409}, 1, 0},
    {HG_OUT_OF_RANGE, {400, 400, 400, 400, 400}, 1, 0},
    {HG_UNIMPLEMENTED, {501, 501, 501, 501, 501}, 0, 0},
    {HG_INTERNAL, {500, 500, 500, 500, 500}, 0, 0},
    {HG_UNAVAILABLE, {503, 503, 503, 503, 503}, 0, 1},
    {HG_DATA_LOSS, {500, 500, 500, 500, 500}, 0, 0},
    {HG_UNAUTHENTICATED, {401, 401, 401, 401, 401}, 1, 0},
};

START_TEST(test_every_code_answers_in_each_dialect) {
  ck_assert_uint_eq(sizeof(walk) / sizeof(walk[0]), GW_N_CODES);
  for (int id = 0; id < GW_N_DIALECTS; id++) {
    const gw_dialect_t *d = gw_dialect((gw_dialect_id_t)id);
    for (size_t i = 0; i < GW_N_CODES; i++) {
      int http;
      ck_assert_int_eq(walk[i].code, (hg_code_t)i);
      upstream(d, walk[i].code, NULL);
      const char *b = rendered(d, &http);
      ck_assert_msg(http == walk[i].http[id], "%s %s: %d", d->name, hg_code_name(walk[i].code),
                    http);
      const char *want = walk[i].shown ? TRANSPORT : gw_dialect_http_text(d, http);
      ck_assert_str_eq(err.st.message, want);
      ck_assert_msg(strstr(b, want) != NULL, "%s: %s", d->name, b);
      ck_assert_msg(walk[i].shown || !strstr(b, "RST_STREAM"), "%s: %s", d->name, b);
      ck_assert_int_eq(gw_dialect_retry_after(&err.st), walk[i].retry_after);
    }
  }
}
END_TEST

/* gRPC carries any int; the rpc client folds codes above 16 into UNKNOWN, and the table
 * answers one that still arrives as UNKNOWN would: 500 in our words. */
START_TEST(test_code_above_16_is_500_in_our_words) {
  static const int codes[] = {17, 42, 1000};
  static const char *const want[GW_N_DIALECTS] = {
      [GW_DIALECT_KTRLPLANE] = "{\"error\":\"Internal server error\"}",
      [GW_DIALECT_FASTAPI] = "{\"detail\":\"Internal server error\"}",
      [GW_DIALECT_PROBLEM] = "{\"status\":500,\"title\":\"Internal Server Error\","
                             "\"instance\":\"kong:trace:0\",\"detail\":\"Internal Server Error\"}",
      [GW_DIALECT_KEBOOLA] = "{\"status\":\"error\",\"error\":\"Application error\",\"code\":500,"
                             "\"message\":\"Internal server error\","
                             "\"exceptionId\":\"provisioning-X\",\"runId\":0}",
      [GW_DIALECT_VERVERICA] = "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":"
                               "\"Internal Server Error\",\"reason\":\"InternalError\","
                               "\"statusCode\":500,\"context\":{}}",
  };
  for (int id = 0; id < GW_N_DIALECTS; id++) {
    const gw_dialect_t *d = gw_dialect((gw_dialect_id_t)id);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
      int http;
      upstream(d, (hg_code_t)codes[i], NULL);
      ck_assert_int_eq(err.st.code, HG_UNKNOWN);
      ck_assert_str_eq(rendered(d, &http), want[id]);
      ck_assert_int_eq(http, 500);
      ck_assert_int_eq(gw_dialect_retry_after(&err.st), 0);
    }
  }
}
END_TEST

START_TEST(test_unknown_method_is_not_implemented_in_our_words) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_KTRLPLANE);
  int http;
  gw_error_init(&err);
  hg_status_set(&err.st, HG_UNIMPLEMENTED, "unknown method /hangar.resources.v1.Resources/Get");
  ck_assert_int_eq(gw_dialect_upstream(d, &err.st), 1);
  ck_assert_str_eq(rendered(d, &http), "{\"error\":\"Not implemented\"}");
  ck_assert_int_eq(http, 501);
}
END_TEST

START_TEST(test_store_full_is_507_without_retry) {
  static const char *const want[GW_N_DIALECTS] = {
      [GW_DIALECT_KTRLPLANE] = "{\"error\":\"Storage full\"}",
      [GW_DIALECT_FASTAPI] = "{\"detail\":\"Insufficient Storage\"}",
      [GW_DIALECT_PROBLEM] = "{\"status\":507,\"title\":\"Insufficient Storage\","
                             "\"instance\":\"kong:trace:0\",\"detail\":\"Insufficient Storage\"}",
      [GW_DIALECT_KEBOOLA] = "{\"status\":\"error\",\"error\":\"Application error\",\"code\":507,"
                             "\"message\":\"Storage full\","
                             "\"exceptionId\":\"provisioning-X\",\"runId\":0}",
      [GW_DIALECT_VERVERICA] = "{\"kind\":\"ApiException\",\"apiVersion\":\"v1\",\"message\":"
                               "\"Insufficient Storage\",\"reason\":\"InsufficientStorage\","
                               "\"statusCode\":507,\"context\":{}}",
  };
  for (int id = 0; id < GW_N_DIALECTS; id++) {
    const gw_dialect_t *d = gw_dialect((gw_dialect_id_t)id);
    int http;
    upstream(d, HG_RESOURCE_EXHAUSTED, "STORE_FULL");
    ck_assert_str_eq(rendered(d, &http), want[id]);
    ck_assert_int_eq(http, 507);
    ck_assert_int_eq(gw_dialect_retry_after(&err.st), 0);
  }
}
END_TEST

/* A caller's own limit (here gRPC's receive limit) is 429 with Retry-After, in our words. */
START_TEST(test_resource_exhausted_is_429_with_retry) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_KTRLPLANE);
  int http;
  upstream(d, HG_RESOURCE_EXHAUSTED, NULL);
  ck_assert_str_eq(rendered(d, &http), "{\"error\":\"Too many requests\"}");
  ck_assert_int_eq(http, 429);
  ck_assert_int_eq(gw_dialect_retry_after(&err.st), 1);
}
END_TEST

/* A reason marks the service's deliberate answer: its sentence stays where the dialect
 * shows 5xx messages at all, and Retry-After comes with it. */
START_TEST(test_reason_keeps_the_service_message) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_KTRLPLANE);
  int http;
  gw_error_init(&err);
  hg_status_set(&err.st, HG_UNAVAILABLE, "Authentication service unavailable");
  err.st.reason = "AUTH_UNAVAILABLE";
  ck_assert_int_eq(gw_dialect_upstream(d, &err.st), 0);
  ck_assert_str_eq(rendered(d, &http), "{\"error\":\"Authentication service unavailable\"}");
  ck_assert_int_eq(http, 503);
  ck_assert_int_eq(gw_dialect_retry_after(&err.st), 1);
  d = gw_dialect(GW_DIALECT_FASTAPI);
  ck_assert_str_eq(rendered(d, &http), "{\"detail\":\"Service Unavailable\"}");
}
END_TEST

/* Details a service sent survive the rewording. */
START_TEST(test_own_words_keep_violations) {
  const gw_dialect_t *d = gw_dialect(GW_DIALECT_KTRLPLANE);
  int http;
  gw_error_init(&err);
  hg_status_set(&err.st, HG_INTERNAL, TRANSPORT);
  err.st.detail = "retry later";
  gw_dialect_upstream(d, &err.st);
  ck_assert_str_eq(rendered(d, &http),
                   "{\"error\":\"Internal server error\",\"details\":\"retry later\"}");
}
END_TEST

int main(void) {
  TEST_RUN("gateway_dialect_status", 0, test_every_code_answers_in_each_dialect,
           test_code_above_16_is_500_in_our_words,
           test_unknown_method_is_not_implemented_in_our_words,
           test_store_full_is_507_without_retry, test_resource_exhausted_is_429_with_retry,
           test_reason_keeps_the_service_message, test_own_words_keep_violations);
}
