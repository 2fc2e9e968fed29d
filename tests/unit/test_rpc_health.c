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

int main(void) {
  const TTest *tests[] = {test_health_check_serving, test_health_check_follows_the_service};
  return fx_run("rpc_health", tests, sizeof tests / sizeof tests[0]);
}
