/* test_rpc_limit.c - each caller's in-flight calls are bounded (common/rpc/rpc_limit.c):
 * with 32 of alice's calls held by the server, her 33rd is refused at once with
 * RESOURCE_EXHAUSTED (reason TOO_MANY_IN_FLIGHT) while bob is still served, and once hers
 * are answered she is served again. */
#include "test_rpc_fixture.h"

#define PARK_PATH "/hangar.test.Limit/Park"
#define LIMIT 32

/* The caller is the request's project_id. */
static int admit_caller(rpc_ctx_t *ctx, const void *req) {
  return rpc_ctx_in_flight_or_fail(ctx, ((const get_req_t *)req)->project_id);
}

/* Call i for caller: its completion lands in done_log slot i. */
static void start_call(fx_t *f, const char *caller, int i, hg_arena_t **arenas) {
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  rpc_call_opts_t o = {.deadline_ms = 20000};
  ck_assert_ptr_nonnull(o.arena = arenas[i] = hg_arena_new());
  req.project_id = (char *)caller;
  req.resource_id = hg_arena_sprintf(arenas[i], "res-%d", i);
  ck_assert_int_eq(rpc_call(f->ch, PARK_PATH, PBC(get_resource_request), &req, PBC(resource), &o,
                            on_done, (void *)(intptr_t)i),
                   0);
}

static void reply_parked(size_t n) {
  for (size_t i = 0; i < n; i++) {
    parked_t p = unpark();
    resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
    r.resource_id = ((const get_req_t *)p.req)->resource_id;
    rpc_reply(p.ctx, &r);
  }
}

START_TEST(test_caller_past_its_bound_is_refused_others_served) {
  fx_t f;
  hg_arena_t *arenas[LIMIT + 4];
  reset_done_log();
  fx_start_method(&f, PARK_PATH, park, admit_caller);
  for (int i = 0; i < LIMIT; i++) start_call(&f, "alice", i, arenas);
  wait_parked(LIMIT);
  start_call(&f, "alice", LIMIT, arenas);
  wait_done(1);
  ck_assert_int_eq(done_log.codes[LIMIT], HG_RESOURCE_EXHAUSTED);
  start_call(&f, "bob", LIMIT + 1, arenas);
  wait_parked(LIMIT + 1);
  reply_parked(LIMIT + 1);
  wait_done(LIMIT + 2);
  for (int i = 0; i < LIMIT; i++) ck_assert_int_eq(done_log.codes[i], HG_OK);
  ck_assert_int_eq(done_log.codes[LIMIT + 1], HG_OK);
  ck_assert_int_eq(done_log.wrong_body, 0);
  /* Answered calls no longer count. */
  start_call(&f, "alice", LIMIT + 2, arenas);
  wait_parked(1);
  reply_parked(1);
  wait_done(LIMIT + 3);
  ck_assert_int_eq(done_log.codes[LIMIT + 2], HG_OK);
  free_arenas(arenas, LIMIT + 3);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_caller_past_its_bound_is_refused_others_served};
  return fx_run("rpc_limit", tests, sizeof tests / sizeof tests[0]);
}
