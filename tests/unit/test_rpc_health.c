/* test_rpc_health.c - grpc.health.v1.Health/Check on every server (common/rpc/rpc_health.c);
 * a closed port's -1 is in test_rpc_client.c. */
#include "test_rpc_fixture.h"

#include <stdatomic.h>

START_TEST(test_health_check_serving) {
  fx_t f;
  fx_start(&f, 0);
  ck_assert_int_eq(rpc_health_check_sync(f.ch, 2000), 0);
  fx_stop(&f);
}
END_TEST

static atomic_int serving;

static int is_serving(void *arg) { return atomic_load((atomic_int *)arg); }

/* The service's own answer (a full store) turns the check NOT_SERVING and back. */
START_TEST(test_health_check_follows_the_service) {
  fx_t f;
  fx_start(&f, 0);
  atomic_store(&serving, 0);
  rpc_server_set_health(f.srv, is_serving, &serving); /* no check is running yet */
  ck_assert_int_eq(rpc_health_check_sync(f.ch, 2000), -1);
  atomic_store(&serving, 1);
  ck_assert_int_eq(rpc_health_check_sync(f.ch, 2000), 0);
  fx_stop(&f);
}
END_TEST

static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static int held, released;

/* Blocks its call thread until released, as a handler on a token-cache miss does. */
static void hold_thread(rpc_ctx_t *ctx, const void *req) {
  resource_t r = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  (void)req;
  pthread_mutex_lock(&hold_mu);
  held++;
  pthread_cond_broadcast(&hold_cv);
  while (!released) pthread_cond_wait(&hold_cv, &hold_mu);
  pthread_mutex_unlock(&hold_mu);
  rpc_reply(ctx, &r);
}

/* Health has a thread of its own: it answers while every call thread is held. */
START_TEST(test_health_answers_while_call_threads_are_held) {
  fx_t f;
  hg_arena_t *arenas[1];
  reset_done_log();
  fx_start_method(&f, KP "UpdateResource", hold_thread, rpc_admit_public);
  start_calls(&f, KP "UpdateResource", 1, arenas);
  pthread_mutex_lock(&hold_mu);
  while (!held) pthread_cond_wait(&hold_cv, &hold_mu);
  pthread_mutex_unlock(&hold_mu);
  ck_assert_int_eq(rpc_health_check_sync(f.ch, 2000), 0);
  pthread_mutex_lock(&hold_mu);
  released = 1;
  pthread_cond_broadcast(&hold_cv);
  pthread_mutex_unlock(&hold_mu);
  wait_done(1);
  free_arenas(arenas, 1);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_health_check_serving, test_health_check_follows_the_service,
                          test_health_answers_while_call_threads_are_held};
  return fx_run("rpc_health", tests, sizeof tests / sizeof tests[0]);
}
