/* test_log.c - common/log: the text line as it always was (plus trace_id), the JSON line's
 * fields and types, JSON lines that stay valid whatever the message and fields hold or how
 * long they are, the format and level settings, and lines really written to stderr. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

#include "test_run.h"

#define T0 1765000800123LL /* 2025-12-06T06:00:00.123Z */

static json_t *parse_line(const char *line, size_t n) {
  json_error_t err;
  ck_assert_msg(n > 0 && line[n - 1] == '\n', "line must end in a newline");
  ck_assert_msg(memchr(line, '\n', n - 1) == NULL, "one line only");
  json_t *v = json_loadb(line, n - 1, 0, &err);
  ck_assert_msg(v && json_is_object(v), "not a JSON object (%s): %.*s", err.text, (int)n, line);
  return v;
}

static const char *str_field(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  ck_assert_msg(v != NULL, "field %s missing", key);
  return json_is_null(v) ? NULL : json_string_value(v);
}

START_TEST(test_text_line_unchanged) {
  char out[HG_LOG_LINE_MAX];
  hg_log_ctx_t ctx = {.request_id = "abc"};
  hg_log_line_t l = {.format = HG_LOG_TEXT,
                     .unix_ms = T0,
                     .level = HG_LOG_INFO,
                     .module = "gateway",
                     .msg = "hello",
                     .msg_len = 5};
  size_t n = hg_log_render(&l, out, sizeof(out));
  ck_assert_str_eq((out[n] = '\0', out), "2025-12-06T06:00:00.123Z info  gateway: hello\n");
  l.ctx = &ctx;
  n = hg_log_render(&l, out, sizeof(out));
  ck_assert_str_eq((out[n] = '\0', out), "2025-12-06T06:00:00.123Z info  gateway req=abc: hello\n");
  ctx.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  l.level = HG_LOG_WARN;
  n = hg_log_render(&l, out, sizeof(out));
  ck_assert_str_eq((out[n] = '\0', out), "2025-12-06T06:00:00.123Z warn  gateway req=abc "
                                         "trace_id=4bf92f3577b34da6a3ce929d0e0e4736: hello\n");
}
END_TEST

START_TEST(test_json_plain_line_fields) {
  char out[HG_LOG_LINE_MAX];
  hg_log_line_t l = {.format = HG_LOG_JSON,
                     .unix_ms = T0,
                     .level = HG_LOG_ERROR,
                     .process = "auth-svc",
                     .module = "store",
                     .msg = "cannot open",
                     .msg_len = 11};
  json_t *o = parse_line(out, hg_log_render(&l, out, sizeof(out)));
  ck_assert_str_eq(str_field(o, "time"), "2025-12-06T06:00:00.123Z");
  ck_assert_str_eq(str_field(o, "level"), "error");
  ck_assert_str_eq(str_field(o, "process"), "auth-svc");
  ck_assert_str_eq(str_field(o, "module"), "store");
  ck_assert_str_eq(str_field(o, "msg"), "cannot open");
  ck_assert_ptr_null(str_field(o, "request_id"));
  ck_assert_ptr_null(str_field(o, "trace_id"));
  ck_assert_ptr_null(str_field(o, "span_id"));
  ck_assert_ptr_null(json_object_get(o, "route"));
  ck_assert_ptr_null(json_object_get(o, "status"));
  ck_assert_uint_eq(json_object_size(o), 8);
  json_decref(o);
}
END_TEST

START_TEST(test_json_call_line_fields) {
  char out[HG_LOG_LINE_MAX];
  hg_log_ctx_t ctx = {.request_id = "req-1",
                      .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                      .span_id = "00f067aa0ba902b7"};
  hg_log_call_t call = {.method = "GET",
                        .route = "/v2/api-products/{id}",
                        .status = 404,
                        .latency_us = 1234,
                        .subject = "alice",
                        .parent_id = "b7ad6b7169203331",
                        .tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"};
  hg_log_line_t l = {.format = HG_LOG_JSON,
                     .unix_ms = T0,
                     .level = HG_LOG_DEBUG,
                     .process = "gateway",
                     .module = "gateway",
                     .ctx = &ctx,
                     .call = &call,
                     .msg = "GET /v2/api-products/{id} -> 404",
                     .msg_len = 32};
  json_t *o = parse_line(out, hg_log_render(&l, out, sizeof(out)));
  ck_assert_str_eq(str_field(o, "level"), "debug");
  ck_assert_str_eq(str_field(o, "request_id"), "req-1");
  ck_assert_str_eq(str_field(o, "trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  ck_assert_str_eq(str_field(o, "method"), "GET");
  ck_assert_str_eq(str_field(o, "route"), "/v2/api-products/{id}");
  ck_assert_str_eq(str_field(o, "subject"), "alice");
  ck_assert_str_eq(str_field(o, "span_id"), "00f067aa0ba902b7");
  ck_assert_str_eq(str_field(o, "parent_id"), "b7ad6b7169203331");
  ck_assert_str_eq(str_field(o, "tracestate"), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  ck_assert(json_is_integer(json_object_get(o, "status")));
  ck_assert_int_eq(json_integer_value(json_object_get(o, "status")), 404);
  ck_assert(json_is_real(json_object_get(o, "latency_ms")));
  ck_assert_double_eq_tol(json_real_value(json_object_get(o, "latency_ms")), 1.234, 1e-9);
  json_decref(o);
  /* a gRPC call has no method; no route and no subject are null; latency 0.000 */
  call = (hg_log_call_t){.route = NULL, .status = 0, .latency_us = -5};
  o = parse_line(out, hg_log_render(&l, out, sizeof(out)));
  ck_assert_ptr_null(json_object_get(o, "method"));
  ck_assert_ptr_null(str_field(o, "route"));
  ck_assert_ptr_null(str_field(o, "subject"));
  ck_assert_ptr_null(str_field(o, "parent_id"));
  ck_assert_ptr_null(str_field(o, "tracestate"));
  ck_assert(json_is_null(json_object_get(o, "tracestate")));
  ck_assert_double_eq(json_real_value(json_object_get(o, "latency_ms")), 0.0);
  json_decref(o);
}
END_TEST

START_TEST(test_json_escapes_every_field) {
  char out[HG_LOG_LINE_MAX];
  static const char nasty[] = "a\"b\\c\nd\te\x01\x7f\xff\xc3\xa9";
  hg_log_ctx_t ctx = {.request_id = nasty, .trace_id = nasty, .span_id = nasty};
  hg_log_call_t call = {
      .method = nasty, .route = nasty, .subject = nasty, .parent_id = nasty, .tracestate = nasty};
  hg_log_line_t l = {.format = HG_LOG_JSON,
                     .unix_ms = T0,
                     .level = HG_LOG_INFO,
                     .process = nasty,
                     .module = nasty,
                     .ctx = &ctx,
                     .call = &call,
                     .msg = nasty,
                     .msg_len = sizeof(nasty) - 1};
  json_t *o = parse_line(out, hg_log_render(&l, out, sizeof(out)));
  const char *want = "a\"b\\c\nd\te\x01\x7f\xef\xbf\xbd\xc3\xa9"; /* 0xff became U+FFFD */
  const char *keys[] = {"process", "module",  "request_id", "trace_id",   "span_id", "method",
                        "route",   "subject", "parent_id",  "tracestate", "msg"};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    ck_assert_msg(strcmp(str_field(o, keys[i]), want) == 0, "%s", keys[i]);
  json_decref(o);
}
END_TEST

/* Messages and fields far longer than a line: cut, but still one valid JSON object. */
START_TEST(test_json_long_line_stays_valid) {
  static char msg[20000], field[20000], out[HG_LOG_LINE_MAX];
  memset(msg, '\x01', sizeof(msg) - 1);
  memset(field, '"', sizeof(field) - 1);
  hg_log_ctx_t ctx = {.request_id = field, .trace_id = field, .span_id = field};
  hg_log_call_t call = {.method = field,
                        .route = field,
                        .status = 500,
                        .subject = field,
                        .parent_id = field,
                        .tracestate = field};
  hg_log_line_t l = {.format = HG_LOG_JSON,
                     .unix_ms = T0,
                     .level = HG_LOG_WARN,
                     .process = field,
                     .module = field,
                     .ctx = &ctx,
                     .call = &call,
                     .msg = msg,
                     .msg_len = sizeof(msg) - 1};
  size_t n = hg_log_render(&l, out, sizeof(out));
  ck_assert_uint_le(n, sizeof(out));
  json_t *o = parse_line(out, n);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "status")), 500);
  ck_assert_uint_gt(strlen(str_field(o, "msg")), 0);
  ck_assert_uint_le(strlen(str_field(o, "route")), 256);
  json_decref(o);
  /* the smallest buffer the contract allows */
  n = hg_log_render(&l, out, 1024);
  ck_assert_uint_le(n, 1024);
  json_decref(parse_line(out, n));
}
END_TEST

START_TEST(test_settings_parse) {
  ck_assert_int_eq(hg_log_parse_format("text"), HG_LOG_TEXT);
  ck_assert_int_eq(hg_log_parse_format("json"), HG_LOG_JSON);
  ck_assert_int_eq(hg_log_parse_format("JSON"), -1);
  ck_assert_int_eq(hg_log_parse_format(""), -1);
  ck_assert_int_eq(hg_log_parse_format(NULL), -1);
  ck_assert_int_eq(hg_log_parse_level("warn"), HG_LOG_WARN);
  ck_assert_int_eq(hg_log_parse_level("trace"), -1);
  ck_assert_int_eq(hg_log_format(), HG_LOG_TEXT); /* the default */
}
END_TEST

/* Runs the three entry points with stderr on a temporary file; returns what they wrote. */
static size_t capture(char *buf, size_t cap) {
  FILE *f = tmpfile();
  ck_assert_ptr_nonnull(f);
  int saved = dup(STDERR_FILENO);
  dup2(fileno(f), STDERR_FILENO);
  hg_log_ctx_t ctx = {.request_id = "r1", .trace_id = "0af7651916cd43dd8448eb211c80319c"};
  hg_log_call_t call = {.route = "/pkg.Svc/Get", .status = 5, .latency_us = 10};
  HG_DEBUG("test", NULL, "filtered out at info");
  HG_INFO("test", "r0", "plain %d", 1);
  HG_WARN_IN("test", &ctx, "in a request %s", "x");
  hg_log_call(HG_LOG_INFO, "rpc", &ctx, &call, "call");
  dup2(saved, STDERR_FILENO);
  close(saved);
  rewind(f);
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
  return n;
}

START_TEST(test_writes_json_lines_to_stderr) {
  char buf[8192];
  hg_log_set_format(HG_LOG_JSON);
  hg_log_set_level(HG_LOG_INFO);
  hg_log_set_process("test-svc");
  capture(buf, sizeof(buf));
  const char *expect_msg[] = {"plain 1", "in a request x", "call"};
  char *line = buf;
  for (size_t i = 0; i < 3; i++) {
    char *nl = strchr(line, '\n');
    ck_assert_ptr_nonnull(nl);
    json_t *o = parse_line(line, (size_t)(nl - line) + 1);
    ck_assert_str_eq(str_field(o, "process"), "test-svc");
    ck_assert_str_eq(str_field(o, "msg"), expect_msg[i]);
    if (i > 0) ck_assert_str_eq(str_field(o, "trace_id"), "0af7651916cd43dd8448eb211c80319c");
    if (i == 2) ck_assert_str_eq(str_field(o, "route"), "/pkg.Svc/Get");
    json_decref(o);
    line = nl + 1;
  }
  ck_assert_str_eq(line, "");
}
END_TEST

START_TEST(test_writes_text_lines_to_stderr) {
  char buf[8192];
  hg_log_set_level(HG_LOG_INFO);
  capture(buf, sizeof(buf));
  ck_assert_ptr_null(strstr(buf, "filtered out"));
  ck_assert_ptr_nonnull(strstr(buf, " info  test req=r0: plain 1\n"));
  ck_assert_ptr_nonnull(strstr(
      buf, " warn  test req=r1 trace_id=0af7651916cd43dd8448eb211c80319c: in a request x\n"));
  ck_assert_ptr_nonnull(
      strstr(buf, " info  rpc req=r1 trace_id=0af7651916cd43dd8448eb211c80319c: call\n"));
}
END_TEST

int main(void) {
  TEST_RUN("log", 0, test_text_line_unchanged, test_json_plain_line_fields,
           test_json_call_line_fields, test_json_escapes_every_field,
           test_json_long_line_stays_valid, test_settings_parse, test_writes_json_lines_to_stderr,
           test_writes_text_lines_to_stderr);
}
