/* test_rpc_health.c - grpc.health.v1.Health/Check on every server (common/rpc/rpc_health.c);
 * a closed port's -1 is in test_rpc_client.c. */
#include "test_rpc_fixture.h"

START_TEST(test_health_check_serving) {
  fx_t f;
  fx_start(&f, 0);
  ck_assert_int_eq(rpc_health_check_sync(f.ch, 2000), 0);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {test_health_check_serving};
  return fx_run("rpc_health", tests, sizeof tests / sizeof tests[0]);
}
