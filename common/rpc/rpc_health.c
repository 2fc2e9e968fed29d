/* rpc_health.c - grpc.health.v1.Health/Check on every server, and the client probe.
 *
 * Readiness checks (the gateway's /readyz, the local stack launcher, compose) ask each
 * service this standard question, so every rpc_server_t answers it without the service
 * doing anything. A process that answers is serving unless the service said otherwise
 * (rpc_server_set_health: a full store): the answer is the same for any service name, since
 * Hangar runs one service per process. */
#include "rpc/rpc_internal.h"
#include "grpc/health/v1/health.pb-c.h"

#define HEALTH_CHECK_PATH "/grpc.health.v1.Health/Check"

static void health_check(rpc_ctx_t *ctx, const void *req) {
  Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
  const rpc_server_t *s = rpc__ctx_server(ctx);
  (void)req;
  int serving = !s->health || s->health(s->health_arg);
  resp.status = serving ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                        : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
  rpc_reply(ctx, &resp);
}

int rpc__health_register(rpc_server_t *s) {
  static const rpc_binding_t bindings[] = {{"Check", health_check, rpc_admit_public}};
  if (rpc_server_add_service(s, &grpc__health__v1__health__descriptor, bindings, 1) != 0) return -1;
  return rpc__server_set_lane(s, &grpc__health__v1__health__descriptor, RPC__LANE_HEALTH);
}

int rpc_health_check_sync(rpc_channel_t *ch, int64_t deadline_ms) {
  Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
  const Grpc__Health__V1__HealthCheckResponse *resp = NULL;
  hg_arena_t *a = hg_arena_new();
  hg_status_t st;
  void *out = NULL;
  int rc = -1;
  if (!a) return -1;
  rpc_call_opts_t opts = {.deadline_ms = deadline_ms, .arena = a};
  if (rpc_call_sync(
          ch, HEALTH_CHECK_PATH, RPC_PBC(&grpc__health__v1__health_check_request__descriptor), &req,
          RPC_PBC(&grpc__health__v1__health_check_response__descriptor), &opts, &st, &out) != HG_OK)
    goto out;
  resp = out;
  if (resp->status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING) rc = 0;
out:
  hg_arena_free(a);
  return rc;
}
