/* test_fail.c - the shared answer shapes (common/fail) as a gRPC caller receives them. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/fail.h"
#include "google/protobuf/wrappers.pb-c.h"

#include "test_run.h"

#define PATH "/hangar.test.Fail/Invalid"
#define VALID_PATH "/hangar.test.Fail/ValidOrFail"
#define TEXT RPC_PBC(&google__protobuf__string_value__descriptor)

static void invalid(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  hg_status_t st;
  hg_status_set(&st, HG_INTERNAL, "overwritten");
  hg_status_violation(&st, "limit", "minimum", "must not be negative");
  ck_assert_int_eq(hg_fail_invalid(ctx, &st, "Invalid query parameter"), -1);
}

static void valid_or_fail(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  hg_status_t st;
  hg_status_clear(&st);
  ck_assert_int_eq(hg_valid_or_fail(ctx, &st, "unused"), 0); /* nothing answered */
  hg_status_violation(&st, "skip", "minimum", "must not be negative");
  ck_assert_int_eq(hg_valid_or_fail(ctx, &st, "Invalid request"), -1);
}

START_TEST(test_fail_invalid_answers_message_and_violations) {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  hg_arena_t *a = hg_arena_new();
  char addr[64];
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_method(srv, PATH, invalid, rpc_admit_public, TEXT, TEXT), 0);
  ck_assert_int_eq(
      rpc_server_add_method(srv, VALID_PATH, valid_or_fail, rpc_admit_public, TEXT, TEXT), 0);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_server_port(srv));
  ck_assert_int_eq(rpc_client_new(&cli), 0);
  ck_assert_int_eq(rpc_channel_new(cli, addr, &ch), 0);
  Google__Protobuf__StringValue req = GOOGLE__PROTOBUF__STRING_VALUE__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = a};
  hg_status_t st;
  void *resp = NULL;
  hg_status_clear(&st);
  ck_assert_int_eq(rpc_call_sync(ch, PATH, TEXT, &req, TEXT, &o, &st, &resp), HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "Invalid query parameter");
  ck_assert_uint_eq(st.n_violations, 1);
  ck_assert_str_eq(st.violations[0].field, "limit");
  ck_assert_str_eq(st.violations[0].rule, "minimum");
  hg_status_clear(&st);
  ck_assert_int_eq(rpc_call_sync(ch, VALID_PATH, TEXT, &req, TEXT, &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_str_eq(st.message, "Invalid request");
  ck_assert_str_eq(st.violations[0].field, "skip");
  rpc_client_destroy(cli);
  rpc_server_destroy(srv, 1000);
  hg_arena_free(a);
}
END_TEST

int main(void) { TEST_RUN("fail", 0, test_fail_invalid_answers_message_and_violations); }
