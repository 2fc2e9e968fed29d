/* test_rpc_client.c - the client (common/rpc/rpc_client.c, rpc_call.c): async calls complete
 * exactly once, destroying the client cancels what is in flight, and a closed port is
 * UNAVAILABLE. */
#include "test_rpc_fixture.h"

START_TEST(test_200_concurrent_calls_complete_exactly_once) {
  fx_t f;
  hg_arena_t *arenas[N_CONCURRENT];
  fx_start(&f, 0);
  start_calls(&f, KP "GetResource", N_CONCURRENT, arenas);
  wait_done(N_CONCURRENT);
  fx_stop(&f);
  for (int i = 0; i < N_CONCURRENT; i++) {
    ck_assert_int_eq(done_log.seen[i], 1);
    ck_assert_int_eq(done_log.codes[i], HG_OK);
  }
  ck_assert_int_eq(done_log.wrong_body, 0);
  free_arenas(arenas, N_CONCURRENT);
}
END_TEST

static void *reply_updates_thread(void *arg) {
  reply_parked_updates((size_t)(intptr_t)arg);
  return NULL;
}

START_TEST(test_client_destroy_cancels_calls_in_flight) {
  enum { N = 20 };
  fx_t f;
  hg_arena_t *arenas[N];
  pthread_t replier;
  fx_start_parked_updates(&f, N, arenas);
  rpc_client_destroy(f.cli);
  ck_assert_int_eq(done_log.done, N);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(done_log.seen[i], 1);
    ck_assert_int_eq(done_log.codes[i], HG_CANCELLED);
  }
  /* The server still holds N contexts; they are answered while it shuts down. */
  ck_assert_int_eq(pthread_create(&replier, NULL, reply_updates_thread, (void *)(intptr_t)N), 0);
  rpc_server_destroy(f.srv, 2000);
  pthread_join(replier, NULL);
  hg_arena_free(f.a);
  free_arenas(arenas, N);
}
END_TEST

START_TEST(test_call_to_closed_port_is_unavailable) {
  rpc_server_t *srv;
  rpc_client_t *cli;
  rpc_channel_t *ch;
  char target[64];
  hg_arena_t *a = hg_arena_new();
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = a};
  hg_status_t st;
  void *resp;
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  snprintf(target, sizeof target, "127.0.0.1:%d", rpc_server_port(srv));
  rpc_server_destroy(srv, 0); /* never started: nothing listens on the port any more */
  ck_assert_int_eq(rpc_client_new(&cli), 0);
  ck_assert_int_eq(rpc_channel_new(cli, target, &ch), 0);
  ck_assert_int_eq(rpc_call_sync(ch, KP "GetResource", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_UNAVAILABLE);
  ck_assert_ptr_nonnull(st.message);
  ck_assert_int_eq(rpc_health_check_sync(ch, 2000), -1);
  rpc_client_destroy(cli);
  hg_arena_free(a);
}
END_TEST

int main(void) {
  const TTest *tests[] = {
      test_200_concurrent_calls_complete_exactly_once,
      test_client_destroy_cancels_calls_in_flight,
      test_call_to_closed_port_is_unavailable,
  };
  return fx_run("rpc_client", tests, sizeof tests / sizeof tests[0]);
}
