/* test_rpc_codec.c - the two codecs (common/rpc/rpc_codec.c): protobuf-c and nanopb, on a
 * buffer and over the wire. */
#include "test_rpc_fixture.h"

START_TEST(test_codec_buffer_round_trip) {
  hg_arena_t *a = hg_arena_new();
  hg_buf_t b = HG_BUF_INIT;
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  hangar_auth_v1_VerifyRequest vreq = hangar_auth_v1_VerifyRequest_init_zero;
  void *out;
  req.resource_id = "res-42";
  ck_assert_int_eq(rpc_codec_encode(PBC(get_resource_request), &req, &b), 0);
  ck_assert_int_eq(rpc_codec_decode(PBC(get_resource_request), (const uint8_t *)b.p, b.n, a, &out),
                   0);
  ck_assert_str_eq(((get_req_t *)out)->resource_id, "res-42");
  /* a message of another type is refused and leaves the buffer as it was */
  ck_assert_int_eq(rpc_codec_encode(PBC(resource), &req, &b), -1);
  ck_assert_uint_eq(b.n, 8);
  hg_buf_reset(&b);
  strcpy(vreq.token, "tok");
  ck_assert_int_eq(rpc_codec_encode(RPC_NANOPB(hangar_auth_v1_VerifyRequest), &vreq, &b), 0);
  ck_assert_int_eq(rpc_codec_decode(RPC_NANOPB(hangar_auth_v1_VerifyRequest), (const uint8_t *)b.p,
                                    b.n, a, &out),
                   0);
  ck_assert_str_eq(((hangar_auth_v1_VerifyRequest *)out)->token, "tok");
  ck_assert_int_eq(
      rpc_codec_decode(PBC(get_resource_request), (const uint8_t *)"\xff\xff", 2, a, &out), -1);
  hg_buf_free(&b);
  hg_arena_free(a);
}
END_TEST

START_TEST(test_nanopb_verify_round_trip) {
  fx_t f;
  hangar_auth_v1_VerifyRequest req = hangar_auth_v1_VerifyRequest_init_zero;
  const hangar_auth_v1_VerifyResponse *r;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp;
  fx_start(&f, 0);
  o.arena = f.a;
  strcpy(req.token, "good-token");
  ck_assert_int_eq(rpc_call_sync(f.ch, VERIFY_PATH, RPC_NANOPB(hangar_auth_v1_VerifyRequest), &req,
                                 RPC_NANOPB(hangar_auth_v1_VerifyResponse), &o, &st, &resp),
                   HG_OK);
  r = resp;
  ck_assert(r->valid);
  ck_assert_str_eq(r->subject, "user:good-token");
  ck_assert_str_eq(r->kind, "jwt");
  ck_assert_uint_eq(r->bindings_count, 2);
  ck_assert_str_eq(r->bindings[1].scope, "orgs/o1");
  ck_assert_str_eq(r->bindings[1].role, "viewer");
  ck_assert_int_eq(r->expires_at, 1700000000);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_codec_buffer_round_trip, test_nanopb_verify_round_trip};
  return fx_run("rpc_codec", tests, sizeof tests / sizeof tests[0]);
}
