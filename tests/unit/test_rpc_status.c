/* test_rpc_status.c - error details on the wire (common/rpc/rpc_status.c): reason, detail,
 * field violations and their extras arrive as the handler failed with them. */
#include "test_rpc_fixture.h"

START_TEST(test_fail_details_arrive_intact) {
  fx_t f;
  Hangar__Resources__V1__CreateResourceRequest req =
      HANGAR__RESOURCES__V1__CREATE_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000};
  hg_status_t st;
  void *resp = (void *)&o;
  fx_start(&f, 0);
  o.arena = f.a;
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "CreateResource", PBC(create_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_ptr_null(resp);
  ck_assert_str_eq(st.message, "Validation failed");
  ck_assert_str_eq(st.reason, "VALIDATION_FAILED");
  ck_assert_str_eq(st.detail, "name is too long");
  ck_assert_uint_eq(st.n_violations, 2);
  ck_assert_str_eq(st.violations[0].field, "name");
  ck_assert_str_eq(st.violations[0].rule, "max_length");
  ck_assert_str_eq(st.violations[0].description, "must be at most 63 characters");
  ck_assert_str_eq(st.violations[1].field, "settings_json.tier");
  ck_assert_ptr_null(st.violations[1].rule);
  ck_assert_str_eq(st.violations[1].description, "unknown tier");
  fx_stop(&f);
}
END_TEST

/* Konnect-style violations: extras on the first and third, none on the second. */
static const char *const sort_choices[] = {"name", "created_at", NULL};

static void fail_with_extras(rpc_ctx_t *ctx, const void *req) {
  hg_status_t st;
  (void)req;
  hg_status_set(&st, HG_INVALID_ARGUMENT, "Invalid Parameters");
  hg_violation_t *v = hg_status_violation(&st, "name", "min_length", "too short");
  hg_violation_minimum(v, 1);
  hg_violation_maximum(v, 100);
  hg_status_violation(&st, "slug", "matches_regex", "bad slug");
  hg_violation_choices(hg_status_violation(&st, "sort", "enum", "unknown sort"), sort_choices);
  rpc_fail(ctx, &st);
}

START_TEST(test_violation_extras_round_trip) {
  fx_t f;
  fx_start_method(&f, "/hangar.test.Violations/Fail", fail_with_extras, rpc_admit_public);
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = f.a};
  hg_status_t st;
  void *resp = NULL;
  hg_status_clear(&st);
  ck_assert_int_eq(rpc_call_sync(f.ch, "/hangar.test.Violations/Fail", PBC(get_resource_request),
                                 &req, PBC(resource), &o, &st, &resp),
                   HG_INVALID_ARGUMENT);
  ck_assert_uint_eq(st.n_violations, 3);
  const hg_violation_t *v = st.violations;
  ck_assert_str_eq(v[0].rule, "min_length");
  ck_assert(v[0].has_minimum && v[0].minimum == 1 && v[0].has_maximum && v[0].maximum == 100);
  ck_assert_ptr_null(v[0].choices);
  ck_assert_str_eq(v[1].field, "slug");
  ck_assert(!hg_violation_has_extras(&v[1]));
  ck_assert(!v[2].has_minimum && !v[2].has_maximum);
  ck_assert_ptr_nonnull(v[2].choices);
  ck_assert_str_eq(v[2].choices[0], "name");
  ck_assert_str_eq(v[2].choices[1], "created_at");
  ck_assert_ptr_null(v[2].choices[2]);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_fail_details_arrive_intact, test_violation_extras_round_trip};
  return fx_run("rpc_status", tests, sizeof tests / sizeof tests[0]);
}
