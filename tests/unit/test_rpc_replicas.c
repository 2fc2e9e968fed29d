/* test_rpc_replicas.c - several replicas of one upstream (common/rpc/rpc_replicas.c): the
 * comma list, round-robin over the replicas that are up, the fallback when none is, what a
 * refused call says, and the health checks that mark a replica down and up again. */
#include "test_rpc_fixture.h"

#include <time.h>

/* A unix socket path nothing listens on (yet). */
static void dead_socket(char *path, size_t n, const char *tag) {
  snprintf(path, n, "/tmp/hangar-test-replicas-%s-%d.sock", tag, (int)getpid());
  unlink(path);
}

START_TEST(test_comma_list_is_trimmed_and_checked) {
  rpc_client_t *c;
  rpc_replicas_t *r = NULL;
  ck_assert_int_eq(rpc_client_new(&c), 0);
  ck_assert_int_eq(rpc_replicas_new(c, "x", "unix:/tmp/a, unix:/tmp/b ,127.0.0.1:1", &r), 0);
  ck_assert_uint_eq(rpc_replicas_count(r), 3);
  ck_assert_str_eq(rpc_replicas_target(r, 0), "unix:/tmp/a");
  ck_assert_str_eq(rpc_replicas_target(r, 1), "unix:/tmp/b");
  ck_assert_str_eq(rpc_replicas_target(r, 2), "127.0.0.1:1");
  ck_assert_ptr_null(rpc_replicas_target(r, 3));
  for (size_t i = 0; i < 3; i++) ck_assert_int_eq(rpc_replicas_is_up(r, i), 1);
  rpc_replicas_free(r);
  const char *bad[] = {"",         " ",        "unix:/a,,unix:/b",
                       "unix:/a,", ",unix:/a", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    r = NULL;
    ck_assert_msg(rpc_replicas_new(c, "x", bad[i], &r) == -1, "accepted '%s'", bad[i]);
    ck_assert_ptr_null(r);
  }
  ck_assert_int_eq(rpc_replicas_new(c, "x", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p", &r), 0);
  ck_assert_uint_eq(rpc_replicas_count(r), RPC_REPLICAS_MAX);
  rpc_replicas_free(r);
  rpc_client_destroy(c);
}
END_TEST

/* Picks n times with nothing tried; counts[i] = how often replica i came up. */
static void count_picks(rpc_replicas_t *r, int n, int *counts) {
  memset(counts, 0, sizeof(int) * rpc_replicas_count(r));
  for (int k = 0; k < n; k++) {
    int i = rpc_replicas_pick(r, 0);
    ck_assert_int_ge(i, 0);
    counts[i]++;
  }
}

START_TEST(test_pick_rotates_over_the_replicas_that_are_up) {
  rpc_client_t *c;
  rpc_replicas_t *r;
  int counts[3];
  ck_assert_int_eq(rpc_client_new(&c), 0);
  ck_assert_int_eq(rpc_replicas_new(c, "x", "unix:/tmp/a,unix:/tmp/b,unix:/tmp/c", &r), 0);
  count_picks(r, 30, counts);
  for (int i = 0; i < 3; i++) ck_assert_int_eq(counts[i], 10);
  rpc_replicas_mark(r, 1, RPC_REPLICA_DOWN);
  ck_assert_int_eq(rpc_replicas_is_up(r, 1), 0);
  count_picks(r, 30, counts);
  ck_assert_int_eq(counts[1], 0);
  ck_assert_int_eq(counts[0] + counts[2], 30);
  ck_assert_int_ge(counts[0], 10);
  ck_assert_int_ge(counts[2], 10);
  rpc_replicas_mark(r, 1, RPC_REPLICA_UP);
  count_picks(r, 30, counts);
  ck_assert_int_gt(counts[1], 0);
  rpc_replicas_free(r);
  rpc_client_destroy(c);
}
END_TEST

START_TEST(test_pick_skips_tried_and_falls_back_when_none_is_up) {
  rpc_client_t *c;
  rpc_replicas_t *r;
  ck_assert_int_eq(rpc_client_new(&c), 0);
  ck_assert_int_eq(rpc_replicas_new(c, "x", "unix:/tmp/a,unix:/tmp/b", &r), 0);
  for (int k = 0; k < 4; k++) {
    ck_assert_int_eq(rpc_replicas_pick(r, 1u << 0), 1);
    ck_assert_int_eq(rpc_replicas_pick(r, 1u << 1), 0);
    ck_assert_int_eq(rpc_replicas_pick(r, 3u), -1);
  }
  /* The untried replica is taken even when down: a check may lag its return. */
  rpc_replicas_mark(r, 1, RPC_REPLICA_DOWN);
  ck_assert_int_eq(rpc_replicas_pick(r, 1u << 0), 1);
  rpc_replicas_mark(r, 0, RPC_REPLICA_DOWN);
  int seen[2] = {0, 0};
  for (int k = 0; k < 4; k++) seen[rpc_replicas_pick(r, 0)]++;
  ck_assert_int_eq(seen[0], 2);
  ck_assert_int_eq(seen[1], 2);
  rpc_replicas_free(r);
  rpc_client_destroy(c);
}
END_TEST

/* Answers every call UNAVAILABLE, as a service whose own upstream is down does. */
static void fail_unavailable(rpc_ctx_t *ctx, const void *req) {
  (void)req;
  rpc_fail_code(ctx, HG_UNAVAILABLE, "busy elsewhere");
}

/* Only a call that could not reach any server is one that never ran. */
START_TEST(test_never_ran_is_a_refused_connection_only) {
  fx_t f;
  char dead[96], target[112];
  get_req_t req = HANGAR__RESOURCES__V1__GET_RESOURCE_REQUEST__INIT;
  hg_status_t st;
  void *resp;
  rpc_channel_t *ch;
  fx_start_method(&f, KP "GetResource", fail_unavailable, rpc_admit_public);
  rpc_call_opts_t o = {.deadline_ms = 5000, .arena = f.a};
  dead_socket(dead, sizeof(dead), "refused");
  snprintf(target, sizeof(target), "unix:%s", dead);
  ck_assert_int_eq(rpc_channel_new(f.cli, target, &ch), 0);
  ck_assert_int_eq(rpc_call_sync(ch, KP "GetResource", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_UNAVAILABLE);
  ck_assert_msg(rpc_call_never_ran(&st), "refused call said '%s'", st.message);
  ck_assert_int_eq(rpc_call_sync(f.ch, KP "GetResource", PBC(get_resource_request), &req,
                                 PBC(resource), &o, &st, &resp),
                   HG_UNAVAILABLE);
  ck_assert_int_eq(rpc_call_never_ran(&st), 0);
  hg_status_t other = {.code = HG_INTERNAL, .message = "failed to connect to all addresses"};
  ck_assert_int_eq(rpc_call_never_ran(&other), 0);
  ck_assert_int_eq(rpc_call_never_ran(NULL), 0);
  fx_stop(&f);
}
END_TEST

/* Polls until replica i of r is up (want 1) or down (want 0); fails after 20 s. */
static void wait_state(rpc_replicas_t *r, size_t i, int want) {
  struct timespec tick = {0, 10 * 1000 * 1000};
  for (int k = 0; k < 2000 && rpc_replicas_is_up(r, i) != want; k++) nanosleep(&tick, NULL);
  ck_assert_int_eq(rpc_replicas_is_up(r, i), want);
}

/* The checks mark a replica that does not answer down, and up once it serves again. */
START_TEST(test_checks_mark_down_and_up_again) {
  fx_t f;
  char dead[96], targets[256], addr[112];
  rpc_replicas_t *r;
  rpc_server_t *late;
  fx_start(&f, 1);
  dead_socket(dead, sizeof(dead), "late");
  snprintf(targets, sizeof(targets), "unix:%s,unix:%s", f.sock, dead);
  ck_assert_int_eq(rpc_replicas_new(f.cli, "x", targets, &r), 0);
  ck_assert_int_eq(rpc_replicas_start_checks(r, 20, 1000), 0);
  wait_state(r, 1, 0);
  ck_assert_int_eq(rpc_replicas_is_up(r, 0), 1);
  for (int k = 0; k < 10; k++) ck_assert_int_eq(rpc_replicas_pick(r, 0), 0);
  snprintf(addr, sizeof(addr), "unix:%s", dead);
  ck_assert_int_eq(rpc_server_new(addr, NULL, &late), 0);
  ck_assert_int_eq(rpc_server_start(late), 0);
  wait_state(r, 1, 1);
  rpc_replicas_stop_checks(r);
  rpc_replicas_stop_checks(r); /* a second stop does nothing */
  rpc_replicas_free(r);
  rpc_server_destroy(late, 1000);
  unlink(dead);
  fx_stop(&f);
}
END_TEST

/* One replica has nothing to choose between: no check thread, every pick is it. */
START_TEST(test_one_replica_runs_no_checks) {
  rpc_client_t *c;
  rpc_replicas_t *r;
  ck_assert_int_eq(rpc_client_new(&c), 0);
  ck_assert_int_eq(rpc_replicas_new(c, "x", "unix:/tmp/nothing-here", &r), 0);
  ck_assert_int_eq(rpc_replicas_start_checks(r, 10, 100), 0);
  rpc_replicas_mark(r, 0, RPC_REPLICA_DOWN);
  ck_assert_int_eq(rpc_replicas_pick(r, 0), 0);
  ck_assert_int_eq(rpc_replicas_pick(r, 1u), -1);
  rpc_replicas_free(r);
  rpc_client_destroy(c);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_comma_list_is_trimmed_and_checked,
                          test_pick_rotates_over_the_replicas_that_are_up,
                          test_pick_skips_tried_and_falls_back_when_none_is_up,
                          test_never_ran_is_a_refused_connection_only,
                          test_checks_mark_down_and_up_again,
                          test_one_replica_runs_no_checks};
  return fx_run("rpc_replicas", tests, sizeof tests / sizeof tests[0]);
}
