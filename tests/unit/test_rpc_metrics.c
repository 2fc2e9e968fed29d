/* test_rpc_metrics.c - common/rpc/rpc_metrics.c end to end: a real server and client, then
 * the exposition read back by exact lines. Answers, handler failures, refusals by admission
 * and unknown methods are each counted once under go-grpc-prometheus's names and labels;
 * registered methods show from the start; unknown paths are bounded. */
#include "test_rpc_fixture.h"

#define SVC "grpc_type=\"unary\",grpc_service=\"hangar.resources.v1.KtrlPlane\""

static hg_buf_t text;

static const char *scrape(fx_t *f) {
  hg_buf_reset(&text);
  ck_assert_int_eq(rpc_server_metrics(f->srv, &text), 0);
  return text.p;
}

static void assert_line(fx_t *f, const char *line) {
  const char *t = scrape(f);
  ck_assert_msg(strstr(t, line) != NULL, "missing line: %s--- got:\n%s", line, t);
}

static void assert_no(fx_t *f, const char *part) {
  const char *t = scrape(f);
  ck_assert_msg(strstr(t, part) == NULL, "unexpected: %s--- got:\n%s", part, t);
}

/* A call to path with a GetResourceRequest; the status code. */
static int call(fx_t *f, const char *path, const rpc_md_t *md, size_t n_md) {
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .md = md, .n_md = n_md, .arena = f->a};
  hg_status_t st;
  void *resp;
  req.project_id = "p1";
  req.resource_id = "res-1";
  return rpc_call_sync(f->ch, path, PBC(get_resource_request), &req, PBC(resource), &o, &st, &resp);
}

START_TEST(test_registered_methods_start_at_zero) {
  fx_t f;
  fx_start(&f, 0);
  assert_line(&f, "# TYPE grpc_server_started_total counter\n");
  assert_line(&f, "# TYPE grpc_server_handled_total counter\n");
  assert_line(&f, "# TYPE grpc_server_handling_seconds histogram\n");
  assert_line(&f, "grpc_server_started_total{" SVC ",grpc_method=\"GetResource\"} 0\n");
  assert_line(&f, "grpc_server_handled_total{" SVC
                  ",grpc_method=\"GetResource\",grpc_code=\"OK\"} 0\n");
  assert_line(&f, "grpc_server_handling_seconds_count{" SVC ",grpc_method=\"GetResource\"} 0\n");
  assert_line(&f, "grpc_server_started_total{grpc_type=\"unary\",grpc_service=\"hangar.auth.v1."
                  "TokenVerifier\",grpc_method=\"Verify\"} 0\n");
  assert_line(&f, "grpc_server_started_total{grpc_type=\"unary\",grpc_service=\"grpc.health.v1."
                  "Health\",grpc_method=\"Check\"} 0\n");
  assert_no(&f, "grpc_code=\"NotFound\""); /* other codes appear once answered */
  fx_stop(&f);
  hg_buf_free(&text);
}
END_TEST

START_TEST(test_answers_failures_and_refusals_counted) {
  fx_t f;
  rpc_md_t deny[] = {{"x-admit", "deny"}};
  fx_start(&f, 0);
  ck_assert_int_eq(call(&f, KP "GetResource", NULL, 0), HG_OK);
  ck_assert_int_eq(call(&f, KP "GetResource", NULL, 0), HG_OK);
  ck_assert_int_eq(call(&f, KP "CreateResource", NULL, 0), HG_INVALID_ARGUMENT);
  ck_assert_int_eq(call(&f, KP "DeleteResource", NULL, 0), HG_UNAUTHENTICATED);
  ck_assert_int_eq(call(&f, KP "DeleteResource", deny, 1), HG_PERMISSION_DENIED);
  ck_assert_int_eq(call(&f, KP "DeleteResource", deny, 1), HG_PERMISSION_DENIED);
  assert_line(&f, "grpc_server_started_total{" SVC ",grpc_method=\"GetResource\"} 2\n");
  assert_line(&f, "grpc_server_handled_total{" SVC
                  ",grpc_method=\"GetResource\",grpc_code=\"OK\"} 2\n");
  assert_line(&f, "grpc_server_handled_total{" SVC
                  ",grpc_method=\"CreateResource\",grpc_code=\"InvalidArgument\"} 1\n");
  assert_line(&f, "grpc_server_started_total{" SVC ",grpc_method=\"DeleteResource\"} 3\n");
  assert_line(&f, "grpc_server_handled_total{" SVC
                  ",grpc_method=\"DeleteResource\",grpc_code=\"Unauthenticated\"} 1\n");
  assert_line(&f, "grpc_server_handled_total{" SVC
                  ",grpc_method=\"DeleteResource\",grpc_code=\"PermissionDenied\"} 2\n");
  assert_line(&f, "grpc_server_handled_total{" SVC
                  ",grpc_method=\"DeleteResource\",grpc_code=\"OK\"} 0\n");
  assert_line(&f, "grpc_server_handling_seconds_bucket{" SVC
                  ",grpc_method=\"DeleteResource\",le=\"+Inf\"} 3\n");
  assert_line(&f, "grpc_server_handling_seconds_count{" SVC ",grpc_method=\"DeleteResource\"} 3\n");
  assert_line(&f, "grpc_server_handling_seconds_bucket{" SVC
                  ",grpc_method=\"GetResource\",le=\"10\"} 2\n");
  fx_stop(&f);
  hg_buf_free(&text);
}
END_TEST

START_TEST(test_unknown_methods_counted_and_bounded) {
  fx_t f;
  char path[64];
  fx_start(&f, 0);
  ck_assert_int_eq(call(&f, "/x.Nope/Missing", NULL, 0), HG_UNIMPLEMENTED);
  ck_assert_int_eq(call(&f, "/x.Nope/Missing", NULL, 0), HG_UNIMPLEMENTED);
  assert_line(&f, "grpc_server_started_total{grpc_type=\"unary\",grpc_service=\"x.Nope\","
                  "grpc_method=\"Missing\"} 2\n");
  assert_line(&f, "grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"x.Nope\","
                  "grpc_method=\"Missing\",grpc_code=\"Unimplemented\"} 2\n");
  assert_no(&f, "grpc_method=\"Missing\",grpc_code=\"OK\""); /* only what was answered */
  assert_no(&f, "_other");
  /* 31 more distinct paths fill the table; the next ones share the overflow series */
  for (int i = 0; i < 31 + 5; i++) {
    snprintf(path, sizeof(path), "/x.Nope/M%d", i);
    ck_assert_int_eq(call(&f, path, NULL, 0), HG_UNIMPLEMENTED);
  }
  assert_line(&f, "grpc_method=\"M30\",grpc_code=\"Unimplemented\"} 1\n");
  assert_no(&f, "grpc_method=\"M31\"");
  assert_line(&f, "grpc_server_started_total{grpc_type=\"unary\",grpc_service=\"_other\","
                  "grpc_method=\"_other\"} 5\n");
  assert_line(&f, "grpc_server_handled_total{grpc_type=\"unary\",grpc_service=\"_other\","
                  "grpc_method=\"_other\",grpc_code=\"Unimplemented\"} 5\n");
  /* a path already counted keeps its own series */
  ck_assert_int_eq(call(&f, "/x.Nope/Missing", NULL, 0), HG_UNIMPLEMENTED);
  assert_line(&f, "grpc_method=\"Missing\",grpc_code=\"Unimplemented\"} 3\n");
  fx_stop(&f);
  hg_buf_free(&text);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_registered_methods_start_at_zero,
                          test_answers_failures_and_refusals_counted,
                          test_unknown_methods_counted_and_bounded};
  return fx_run("rpc_metrics", tests, sizeof tests / sizeof tests[0]);
}
