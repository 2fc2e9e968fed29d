/* test_rpc_ctx.c - one server call (common/rpc/rpc_ctx.c): what the handler reads from its
 * context, decoding, admission before the handler, and replies late or from another
 * thread. */
#include <ctype.h>

#include "test_rpc_fixture.h"

static int is_hex16(const char *s) {
  if (strlen(s) != 16) return 0;
  for (; *s; s++)
    if (!isxdigit((unsigned char)*s)) return 0;
  return 1;
}

START_TEST(test_unary_round_trip_tcp) {
  fx_t f;
  rpc_md_t md[] = {{"x-test", "hello"}, {"x-request-id", "rid-123"}};
  hg_status_t st;
  resource_t *r;
  fx_start(&f, 0);
  ck_assert_int_gt(rpc_server_port(f.srv), 0);
  ck_assert_int_eq(call_get(&f, md, 2, &st, &r), HG_OK);
  ck_assert_str_eq(r->resource_id, "res-1");
  ck_assert_str_eq(r->project_id, "p1");
  ck_assert_str_eq(r->name, "hello");
  ck_assert_str_eq(r->status, "rid-123");
  ck_assert_str_eq(r->type, KP "GetResource");
  ck_assert_str_eq(r->created_at, "server-data");
  ck_assert_int_gt(atoi(r->sku), 0);
  ck_assert_int_le(atoi(r->sku), 5100); /* grpc-timeout is rounded up on the wire */
  fx_stop(&f);
}
END_TEST

START_TEST(test_unary_round_trip_unix_mints_request_id) {
  fx_t f;
  hg_status_t st;
  resource_t *r;
  fx_start(&f, 1);
  ck_assert_int_eq(call_get(&f, NULL, 0, &st, &r), HG_OK);
  ck_assert_str_eq(r->resource_id, "res-1");
  ck_assert_str_eq(r->name, "");
  ck_assert_msg(is_hex16(r->status), "minted request id %s", r->status);
  fx_stop(&f);
}
END_TEST

START_TEST(test_malformed_request_is_invalid_argument) {
  fx_t f;
  get_req_t big = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  Hangar__Resources__V1__ListResourcesRequest wrong =
      HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp;
  char token[5000];
  fx_start(&f, 0);
  o.arena = f.a;
  memset(token, 'x', sizeof token - 1);
  token[sizeof token - 1] = '\0';
  big.project_id = token; /* field 1, longer than VerifyRequest.token's max_size */
  ck_assert_int_eq(rpc_call_sync(f.ch, VERIFY_PATH, PBC(get_resource_request), &big,
                                 RPC_NANOPB(hangar_auth_v1_VerifyResponse), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "malformed request");
  wrong._limit_case = HANGAR__RESOURCES__V1__LIST_RESOURCES_REQUEST___LIMIT_LIMIT;
  wrong.limit = 5; /* field 2 as a varint where GetResourceRequest has a string */
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "GetResource", PBC(list_resources_request), &wrong,
                                 PBC(resource), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "malformed request");
  fx_stop(&f);
}
END_TEST

START_TEST(test_deadline_exceeded_when_reply_is_late) {
  fx_t f;
  Hangar__Resources__V1__UpdateResourceRequest req =
      HANGAR__RESOURCES__V1__UPDATE_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 200};
  hg_status_t st;
  resource_t *r;
  void *resp;
  fx_start(&f, 0);
  o.arena = f.a;
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "UpdateResource", PBC(update_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_DEADLINE_EXCEEDED);
  ck_assert_ptr_nonnull(st.message);
  reply_parked_updates(1); /* late, from this thread: must be harmless */
  ck_assert_int_eq(call_get(&f, NULL, 0, &st, &r), HG_OK);
  fx_stop(&f);
}
END_TEST

static void *delete_worker(void *arg) {
  parked_t p = unpark();
  const Hangar__Resources__V1__DeleteResourceRequest *in = p.req;
  Hangar__Resources__V1__DeleteResourceResponse r =
      HANGAR__RESOURCES__V1__DELETE_RESOURCE_RESPONSE__INIT;
  (void)arg;
  r.message = "Resource deletion initiated";
  r.resource_id = in->resource_id;
  r.status = "deleting";
  rpc_reply(p.ctx, &r);
  return NULL;
}

/* DeleteResource with the given metadata; the status code (*out: the response on OK). */
static int call_delete(fx_t *f, const rpc_md_t *md, size_t n_md, hg_status_t *st, void **out) {
  Hangar__Resources__V1__DeleteResourceRequest req =
      HANGAR__RESOURCES__V1__DELETE_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .md = md, .n_md = n_md, .arena = f->a};
  req.project_id = "p1";
  req.resource_id = "res-9";
  return rpc_call_sync(f->ch, KP "DeleteResource", PBC(delete_resource_request), &req,
                       PBC(delete_resource_response), &o, st, out);
}

START_TEST(test_reply_from_another_thread) {
  fx_t f;
  rpc_md_t yes[] = {{"x-admit", "yes"}};
  const Hangar__Resources__V1__DeleteResourceResponse *r;
  hg_status_t st;
  void *resp;
  pthread_t worker;
  fx_start(&f, 0);
  ck_assert_int_eq(pthread_create(&worker, NULL, delete_worker, NULL), 0);
  ck_assert_int_eq(call_delete(&f, yes, 1, &st, &resp), HG_OK);
  pthread_join(worker, NULL);
  r = resp;
  ck_assert_str_eq(r->resource_id, "res-9");
  ck_assert_str_eq(r->status, "deleting");
  fx_stop(&f);
}
END_TEST

START_TEST(test_refusing_admit_runs_no_handler) {
  fx_t f;
  rpc_md_t deny[] = {{"x-admit", "deny"}};
  hg_status_t st;
  void *resp;
  fx_start(&f, 0);
  size_t parked = parked_count();
  atomic_store(&admit_runs, 0);
  ck_assert_int_eq(call_delete(&f, NULL, 0, &st, &resp), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "Authorization header required");
  ck_assert_int_eq(call_delete(&f, deny, 1, &st, &resp), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "Insufficient permissions to delete resource");
  ck_assert_int_eq(atomic_load(&admit_runs), 2);
  ck_assert_uint_eq(parked_count(), parked); /* DeleteResource's handler would have parked */
  fx_stop(&f);
}
END_TEST

/* A method whose admit function leaves a mark in the context that its handler answers
 * with: the handler sees it only if admit ran first, on the same call. */
#define ORDER_PATH "/hangar.test.Order/Get"

static atomic_int order_handler_runs;

static int order_admit(rpc_ctx_t *ctx, const void *req) {
  const get_req_t *in = req;
  if (strcmp(in->project_id, "admitted") != 0) {
    rpc_fail_code(ctx, HG_PERMISSION_DENIED, "not admitted");
    return -1;
  }
  rpc_ctx_set_user(ctx, "set by admit");
  return 0;
}

static void order_handler(rpc_ctx_t *ctx, const void *req) {
  resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  (void)req;
  atomic_fetch_add(&order_handler_runs, 1);
  r.name = rpc_ctx_user(ctx) ? rpc_ctx_user(ctx) : "handler ran first";
  rpc_reply(ctx, &r);
}

static int call_order(rpc_channel_t *ch, hg_arena_t *a, const char *project, hg_status_t *st,
                      resource_t **out) {
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = a};
  void *resp = NULL;
  req.project_id = (char *)project;
  int rc =
      rpc_call_sync(ch, ORDER_PATH, PBC(get_resource_request), &req, PBC(resource), &o, st, &resp);
  *out = resp;
  return rc;
}

START_TEST(test_admit_runs_before_handler) {
  fx_t f;
  hg_status_t st;
  resource_t *r;
  fx_start_method(&f, ORDER_PATH, order_handler, order_admit);
  atomic_store(&order_handler_runs, 0);
  ck_assert_int_eq(call_order(f.ch, f.a, "admitted", &st, &r), HG_OK);
  ck_assert_str_eq(r->name, "set by admit");
  ck_assert_int_eq(call_order(f.ch, f.a, "someone else", &st, &r), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "not admitted");
  ck_assert_int_eq(atomic_load(&order_handler_runs), 1);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {
      test_unary_round_trip_tcp,
      test_unary_round_trip_unix_mints_request_id,
      test_malformed_request_is_invalid_argument,
      test_deadline_exceeded_when_reply_is_late,
      test_reply_from_another_thread,
      test_refusing_admit_runs_no_handler,
      test_admit_runs_before_handler,
  };
  return fx_run("rpc_ctx", tests, sizeof tests / sizeof tests[0]);
}
