/* test_rpc_server.c - server lifecycle (common/rpc/rpc_server.c): registration, refusing a
 * method without admission, unknown methods, bad addresses, the request size limit, the
 * unix socket's mode, and shutdown with calls held. */
#include <sys/stat.h>

#include "test_rpc_fixture.h"

START_TEST(test_add_service_requires_every_binding) {
  rpc_server_t *srv;
  rpc_binding_t partial[N_KP];
  const ProtobufCServiceDescriptor *svc = &hangar__resources__v1__ktrl_plane__descriptor;
  memcpy(partial, kp_bindings, sizeof partial);
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_service(srv, svc, kp_bindings, N_KP - 1), -1);
  partial[0].method = "ListResourcez";
  ck_assert_int_eq(rpc_server_add_service(srv, svc, partial, N_KP), -1);
  ck_assert_int_eq(
      rpc_server_add_service_streams(srv, svc, kp_bindings, N_KP, kp_streams, N_KP_STREAMS), 0);
  ck_assert_int_eq(
      rpc_server_add_service_streams(srv, svc, kp_bindings, N_KP, kp_streams, N_KP_STREAMS),
      -1); /* duplicate */
  ck_assert_int_eq(rpc_server_add_method(srv, "no-slash", get_echo, rpc_admit_public,
                                         PBC(get_resource_request), PBC(resource)),
                   -1);
  ck_assert_int_eq(rpc_server_start(srv), 0);
  ck_assert_int_eq(rpc_server_add_method(srv, "/x.Y/Z", get_echo, rpc_admit_public,
                                         PBC(get_resource_request), PBC(resource)),
                   -1); /* after start */
  rpc_server_destroy(srv, 1000);
}
END_TEST

/* A binding that names no admit function would leave its method open to any caller by
 * omission: the whole service is refused, and nothing of it is registered. */
START_TEST(test_add_service_refuses_binding_without_admit) {
  rpc_server_t *srv;
  rpc_binding_t open_get[N_KP];
  const ProtobufCServiceDescriptor *svc = &hangar__resources__v1__ktrl_plane__descriptor;
  memcpy(open_get, kp_bindings, sizeof open_get);
  open_get[2].admit = NULL; /* GetResource */
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_service(srv, svc, open_get, N_KP), -1);
  /* nothing was registered: the full table still binds every path */
  ck_assert_int_eq(
      rpc_server_add_service_streams(srv, svc, kp_bindings, N_KP, kp_streams, N_KP_STREAMS), 0);
  rpc_server_destroy(srv, 0);
}
END_TEST

START_TEST(test_add_method_refuses_no_admit) {
  rpc_server_t *srv;
  ck_assert_int_eq(rpc_server_new("127.0.0.1:0", NULL, &srv), 0);
  ck_assert_int_eq(rpc_server_add_method(srv, VERIFY_PATH, verify, NULL,
                                         RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   -1);
  /* nothing was registered: the path is still free */
  ck_assert_int_eq(rpc_server_add_method(srv, VERIFY_PATH, verify, rpc_admit_public,
                                         RPC_NANOPB(hangar_auth_v1_VerifyRequest),
                                         RPC_NANOPB(hangar_auth_v1_VerifyResponse)),
                   0);
  rpc_server_destroy(srv, 0);
}
END_TEST

/* A public binding registers and its handler is reached without credentials. */
START_TEST(test_public_binding_registers) {
  fx_t f;
  hg_status_t st;
  resource_t *r;
  fx_start(&f, 0); /* GetResource is bound with rpc_admit_public */
  ck_assert_int_eq(call_get(&f, NULL, 0, &st, &r), HG_OK);
  ck_assert_str_eq(r->resource_id, "res-1");
  fx_stop(&f);
}
END_TEST

START_TEST(test_server_new_rejects_bad_address) {
  rpc_server_t *srv = NULL;
  ck_assert_int_eq(rpc_server_new("256.0.0.1:99999", NULL, &srv), -1);
  ck_assert_ptr_null(srv);
  ck_assert_int_eq(rpc_server_new("unix:/nonexistent-dir/x.sock", NULL, &srv), -1);
  ck_assert_ptr_null(srv);
}
END_TEST

START_TEST(test_unknown_method_is_unimplemented) {
  fx_t f;
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 10000};
  hg_status_t st;
  void *resp;
  fx_start(&f, 0);
  o.arena = f.a;
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "NoSuchMethod", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_UNIMPLEMENTED);
  ck_assert_ptr_nonnull(strstr(st.message, KP "NoSuchMethod"));
  fx_stop(&f);
}
END_TEST

/* Waits until the client has seen every call end, then answers the parked contexts. */
static void *reply_after_client_saw_all(void *arg) {
  wait_done((int)(intptr_t)arg);
  reply_parked_updates((size_t)(intptr_t)arg);
  return NULL;
}

START_TEST(test_server_destroy_cancels_calls_after_grace) {
  enum { N = 5 };
  fx_t f;
  hg_arena_t *arenas[N];
  pthread_t replier;
  fx_start_parked_updates(&f, N, arenas);
  ck_assert_int_eq(pthread_create(&replier, NULL, reply_after_client_saw_all, (void *)(intptr_t)N),
                   0);
  rpc_server_destroy(f.srv, 100); /* grace ends, calls are cancelled, then replies drain */
  pthread_join(replier, NULL);
  for (int i = 0; i < N; i++) {
    ck_assert_int_eq(done_log.seen[i], 1);
    ck_assert_int_ne(done_log.codes[i], HG_OK);
  }
  rpc_client_destroy(f.cli);
  hg_arena_free(f.a);
  free_arenas(arenas, N);
}
END_TEST

START_TEST(test_unix_socket_is_owner_and_group_only) {
  rpc_server_t *srv;
  char path[64], addr[80];
  struct stat st;
  snprintf(path, sizeof path, "/tmp/hangar-test-mode-%d.sock", (int)getpid());
  snprintf(addr, sizeof addr, "unix:%s", path);
  unlink(path);
  ck_assert_int_eq(rpc_server_new(addr, NULL, &srv), 0);
  ck_assert_int_eq(stat(path, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0660);
  rpc_server_destroy(srv, 0);
  unlink(path);
}
END_TEST

START_TEST(test_request_over_1_mib_is_refused) {
  fx_t f;
  hg_status_t st;
  void *resp = NULL;
  fx_start_method(&f, KP "GetResource", get_echo, rpc_admit_public);
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 10000, .arena = f.a};
  char *big = malloc(RPC_MAX_REQUEST_BYTES + 1);
  ck_assert_ptr_nonnull(big);
  memset(big, 'p', RPC_MAX_REQUEST_BYTES);
  big[RPC_MAX_REQUEST_BYTES] = '\0';
  req.project_id = big;
  req.resource_id = "res-1";
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "GetResource", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_RESOURCE_EXHAUSTED);
  big[RPC_MAX_REQUEST_BYTES - 64] = '\0'; /* within the limit with its envelope */
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "GetResource", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_OK);
  free(big);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {
      test_add_service_requires_every_binding,
      test_add_service_refuses_binding_without_admit,
      test_add_method_refuses_no_admit,
      test_public_binding_registers,
      test_server_new_rejects_bad_address,
      test_unknown_method_is_unimplemented,
      test_server_destroy_cancels_calls_after_grace,
      test_unix_socket_is_owner_and_group_only,
      test_request_over_1_mib_is_refused,
  };
  return fx_run("rpc_server", tests, sizeof tests / sizeof tests[0]);
}
