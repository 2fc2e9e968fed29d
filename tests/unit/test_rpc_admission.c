/* test_rpc_admission.c - hangar.rpc.v1.Admission/Admit (common/rpc/rpc_admission.c): a
 * method's admit function alone, never its handler; public methods admit without decoding. */
#include "test_rpc_fixture.h"
#include "google/protobuf/empty.pb-c.h"
#include "hangar/rpc/v1/admission.pb-c.h"

/* Asks Admission/Admit about method with a DeleteResourceRequest for project; returns the
 * status code. */
static int call_admit(fx_t *f, const char *method, const char *project, const rpc_md_t *md,
                      size_t n_md, hg_status_t *st) {
  Hangar__Resources__V1__DeleteResourceRequest target =
      HANGAR__RESOURCES__V1__DELETE_RESOURCE_REQUEST__INIT;
  Hangar__Rpc__V1__AdmitRequest req = HANGAR__RPC__V1__ADMIT_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .md = md, .n_md = n_md, .arena = f->a};
  hg_buf_t b = HG_BUF_INIT;
  void *resp = NULL;
  target.project_id = (char *)project;
  target.resource_id = "res-1";
  ck_assert_int_eq(rpc_codec_encode(PBC(delete_resource_request), &target, &b), 0);
  req.method = (char *)method;
  req.request = (ProtobufCBinaryData){b.n, (uint8_t *)b.p};
  int rc = rpc_call_sync(f->ch, ADMIT_PATH, RPC_PBC(&hangar__rpc__v1__admit_request__descriptor),
                         &req, RPC_PBC(&google__protobuf__empty__descriptor), &o, st, &resp);
  ck_assert(rc == HG_OK ? resp != NULL : resp == NULL);
  hg_buf_free(&b);
  return rc;
}

START_TEST(test_admission_answers_the_admit_refusal) {
  fx_t f;
  rpc_md_t deny[] = {{"x-admit", "deny"}}, yes[] = {{"x-admit", "yes"}};
  hg_status_t st;
  fx_start(&f, 0);
  atomic_store(&admit_runs, 0);
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "p1", NULL, 0, &st), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "Authorization header required");
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "p1", deny, 1, &st), HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "Insufficient permissions to delete resource");
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "hidden", yes, 1, &st), HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Resource not found");
  ck_assert_int_eq(atomic_load(&admit_runs), 3);
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_admitted_runs_no_handler) {
  fx_t f;
  rpc_md_t yes[] = {{"x-admit", "yes"}};
  hg_status_t st;
  fx_start(&f, 0);
  size_t parked = parked_count();
  atomic_store(&admit_runs, 0);
  ck_assert_int_eq(call_admit(&f, KP "DeleteResource", "p1", yes, 1, &st), HG_OK);
  ck_assert_int_eq(atomic_load(&admit_runs), 1);
  ck_assert_uint_eq(parked_count(), parked); /* DeleteResource's handler would have parked */
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_of_unknown_method_is_unimplemented) {
  fx_t f;
  hg_status_t st;
  fx_start(&f, 0);
  ck_assert_int_eq(call_admit(&f, KP "NoSuchMethod", "p1", NULL, 0, &st), HG_UNIMPLEMENTED);
  ck_assert_ptr_nonnull(strstr(st.message, KP "NoSuchMethod"));
  fx_stop(&f);
}
END_TEST

START_TEST(test_admission_of_public_method_is_ok) {
  fx_t f;
  hg_status_t st;
  fx_start(&f, 0);
  size_t parked = parked_count();
  atomic_store(&admit_runs, 0);
  /* UpdateResource is bound public; its handler would park the call */
  ck_assert_int_eq(call_admit(&f, KP "UpdateResource", "p1", NULL, 0, &st), HG_OK);
  ck_assert_int_eq(call_admit(&f, VERIFY_PATH, "p1", NULL, 0, &st), HG_OK);
  ck_assert_int_eq(call_admit(&f, ADMIT_PATH, "p1", NULL, 0, &st), HG_OK);
  ck_assert_int_eq(atomic_load(&admit_runs), 0);
  ck_assert_uint_eq(parked_count(), parked);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {
      test_admission_answers_the_admit_refusal,
      test_admission_admitted_runs_no_handler,
      test_admission_of_unknown_method_is_unimplemented,
      test_admission_of_public_method_is_ok,
  };
  return fx_run("rpc_admission", tests, sizeof tests / sizeof tests[0]);
}
