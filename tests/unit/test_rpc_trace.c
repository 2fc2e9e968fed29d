/* test_rpc_trace.c - what common/rpc carries for logs and traces: a call continues the
 * caller's traceparent (or starts a trace), the subject admission recorded comes back to the
 * client as RPC_SUBJECT_MD answer metadata on success and failure alike, and each answer
 * writes one per-call line naming method, code, subject and the caller's span. */
#include <ctype.h>
#include <jansson.h>

#include "common/log.h"
#include "test_rpc_fixture.h"

#define PATH KP "GetResource"
#define TID "4bf92f3577b34da6a3ce929d0e0e4736"
#define PID "00f067aa0ba902b7"

static int lower_hex(const char *s, size_t n) {
  if (!s || strlen(s) != n) return 0;
  for (; *s; s++)
    if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s)) return 0;
  return 1;
}

/* The subject is what metadata x-subject-bin or x-subject says; resource_id "fail" answers NOT_FOUND. The
 * reply names the call's trace id (name) and span id (status). */
static int admit_subject(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  const char *s = rpc_ctx_metadata(ctx, "x-subject-bin");
  rpc_ctx_set_subject(ctx, s ? s : rpc_ctx_metadata(ctx, "x-subject"));
  return 0;
}

static void traced(rpc_ctx_t *ctx, const void *req) {
  const get_req_t *in = req;
  resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  if (strcmp(in->resource_id, "fail") == 0) {
    rpc_fail_code(ctx, HG_NOT_FOUND, "no such resource");
    return;
  }
  r.name = (char *)rpc_ctx_log(ctx)->trace_id;
  r.status = (char *)rpc_ctx_log(ctx)->span_id;
  rpc_reply(ctx, &r);
}

/* One call with md; the reply (or NULL) and the subject the answer carried. */
static int call(fx_t *f, const char *id, const rpc_md_t *md, size_t n_md, resource_t **out,
                const char **subject) {
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_md_t reply_md[2] = {{RPC_SUBJECT_MD, "stale"}, {"x-not-sent", "stale"}};
  rpc_call_opts_t o = {.deadline_ms = 5000,
                       .md = md,
                       .n_md = n_md,
                       .arena = f->a,
                       .reply_md = reply_md,
                       .n_reply_md = 2};
  hg_status_t st;
  void *resp = NULL;
  req.resource_id = (char *)id;
  int rc =
      rpc_call_sync(f->ch, PATH, PBC(get_resource_request), &req, PBC(resource), &o, &st, &resp);
  ck_assert_ptr_null(reply_md[1].value); /* asked for, not sent: NULL */
  *out = resp;
  *subject = reply_md[0].value;
  return rc;
}

START_TEST(test_traceparent_is_continued) {
  fx_t f;
  resource_t *r;
  const char *subject;
  rpc_md_t md[] = {{"traceparent", "00-" TID "-" PID "-01"}};
  fx_start_method(&f, PATH, traced, admit_subject);
  ck_assert_int_eq(call(&f, "x", md, 1, &r, &subject), HG_OK);
  ck_assert_str_eq(r->name, TID);
  ck_assert(lower_hex(r->status, 16));
  ck_assert_str_ne(r->status, PID);
  ck_assert_ptr_null(subject); /* no subject recorded: none sent */
  fx_stop(&f);
}
END_TEST

START_TEST(test_missing_or_invalid_traceparent_starts_a_trace) {
  fx_t f;
  resource_t *r;
  const char *subject;
  rpc_md_t bad[] = {{"traceparent", "00-" TID "-0000000000000000-01"}};
  char first[33];
  fx_start_method(&f, PATH, traced, admit_subject);
  ck_assert_int_eq(call(&f, "x", NULL, 0, &r, &subject), HG_OK);
  ck_assert(lower_hex(r->name, 32));
  snprintf(first, sizeof(first), "%s", r->name);
  ck_assert_int_eq(call(&f, "x", bad, 1, &r, &subject), HG_OK);
  ck_assert(lower_hex(r->name, 32));
  ck_assert_str_ne(r->name, TID);
  ck_assert_str_ne(r->name, first);
  fx_stop(&f);
}
END_TEST

START_TEST(test_subject_comes_back_on_success_and_failure) {
  fx_t f;
  resource_t *r;
  const char *subject;
  /* a subject is any string: binary metadata carries what a plain value could not */
  rpc_md_t md[] = {{"x-subject-bin", "jos\xc3\xa9\tq"}};
  fx_start_method(&f, PATH, traced, admit_subject);
  ck_assert_int_eq(call(&f, "x", md, 1, &r, &subject), HG_OK);
  ck_assert_str_eq(subject, "jos\xc3\xa9\tq");
  ck_assert_int_eq(call(&f, "fail", md, 1, &r, &subject), HG_NOT_FOUND);
  ck_assert_str_eq(subject, "jos\xc3\xa9\tq");
  fx_stop(&f);
}
END_TEST

START_TEST(test_each_answer_writes_one_per_call_line) {
  fx_t f;
  resource_t *r;
  const char *subject;
  char buf[16384];
  rpc_md_t md[] = {{"traceparent", "00-" TID "-" PID "-01"},
                   {"x-subject", "bob"},
                   {"x-request-id", "rid-7"},
                   {"authorization", "Bearer sekrit-token"}};
  FILE *tmp = tmpfile();
  ck_assert_ptr_nonnull(tmp);
  hg_log_set_format(HG_LOG_JSON);
  hg_log_set_level(HG_LOG_DEBUG);
  hg_log_set_process("test-svc");
  int saved = dup(STDERR_FILENO);
  dup2(fileno(tmp), STDERR_FILENO);
  fx_start_method(&f, PATH, traced, admit_subject);
  ck_assert_int_eq(call(&f, "x", md, 4, &r, &subject), HG_OK);
  ck_assert_int_eq(call(&f, "fail", md, 4, &r, &subject), HG_NOT_FOUND);
  fx_stop(&f);
  dup2(saved, STDERR_FILENO);
  close(saved);
  rewind(tmp);
  buf[fread(buf, 1, sizeof(buf) - 1, tmp)] = '\0';
  fclose(tmp);
  ck_assert_ptr_null(strstr(buf, "sekrit"));
  int seen = 0;
  for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
    json_error_t err;
    json_t *o = json_loadb(line, (size_t)(nl - line), 0, &err);
    ck_assert_msg(o != NULL, "not JSON: %.*s", (int)(nl - line), line);
    json_t *route = json_object_get(o, "route");
    if (route && json_is_string(route) && strcmp(json_string_value(route), PATH) == 0) {
      int code = (int)json_integer_value(json_object_get(o, "status"));
      ck_assert_int_eq(code, seen == 0 ? HG_OK : HG_NOT_FOUND);
      ck_assert_str_eq(json_string_value(json_object_get(o, "subject")), "bob");
      ck_assert_str_eq(json_string_value(json_object_get(o, "request_id")), "rid-7");
      ck_assert_str_eq(json_string_value(json_object_get(o, "trace_id")), TID);
      ck_assert_str_eq(json_string_value(json_object_get(o, "parent_id")), PID);
      ck_assert(lower_hex(json_string_value(json_object_get(o, "span_id")), 16));
      ck_assert_str_eq(json_string_value(json_object_get(o, "process")), "test-svc");
      ck_assert(json_is_number(json_object_get(o, "latency_ms")));
      ck_assert_str_eq(json_string_value(json_object_get(o, "level")), "debug");
      seen++;
    }
    json_decref(o);
  }
  ck_assert_int_eq(seen, 2);
}
END_TEST

int main(void) {
  const TTest *tests[] = {
      test_traceparent_is_continued, test_missing_or_invalid_traceparent_starts_a_trace,
      test_subject_comes_back_on_success_and_failure, test_each_answer_writes_one_per_call_line};
  return fx_run("rpc_trace", tests, sizeof(tests) / sizeof(tests[0]));
}
