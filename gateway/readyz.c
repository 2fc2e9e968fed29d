/* readyz.c - GET /readyz: ready only when every configured upstream has a replica that
 * answers grpc.health.v1.Health/Check with SERVING.
 *
 * Every replica of every upstream is asked, and what each check finds also marks the replica
 * up or down for the proxy (as the replicas' own periodic checks do). An upstream's state in
 * the body is "serving" when one of its replicas serves, else its first replica's state.
 *
 * The checks run in parallel as asynchronous rpc calls with a short deadline, so a slow or
 * dead upstream never blocks the event loop. Each check has its own arena because its
 * completion (on the rpc thread) may write its response while the loop is still starting
 * the next check. A counter with one extra "starter" reference makes exactly one party -
 * the last completion or the loop itself - hand the exchange back. */
#include <ctype.h>
#include <stdatomic.h>
#include <string.h>

#include "gateway/gateway_internal.h"
#include "grpc/health/v1/health.pb-c.h"
#include "json/transcode.h"

#define HEALTH_PATH "/grpc.health.v1.Health/Check"

typedef struct readyz readyz_t;

typedef struct check {
  readyz_t *rz;
  const gw_upstream_t *up;
  size_t replica;
  hg_arena_t *arena;
  hg_code_t code; /* rpc outcome */
  int serving;    /* HealthCheckResponse.status when code == HG_OK */
} check_t;

/* One upstream's checks: checks[first .. first + n). */
typedef struct upstream_checks {
  const gw_upstream_t *up;
  size_t first, n;
} upstream_checks_t;

struct readyz {
  gw_exchange_t *ex;
  atomic_size_t pending;
  size_t n, n_ups;
  upstream_checks_t ups[GW_MAX_UPSTREAMS];
  check_t checks[GW_MAX_UPSTREAMS * RPC_REPLICAS_MAX];
};

static const rpc_codec_t health_in = {RPC_CODEC_PROTOBUF_C,
                                      &grpc__health__v1__health_check_request__descriptor, 0};
static const rpc_codec_t health_out = {RPC_CODEC_PROTOBUF_C,
                                       &grpc__health__v1__health_check_response__descriptor, 0};

static void release_one(readyz_t *rz) {
  if (atomic_fetch_sub_explicit(&rz->pending, 1, memory_order_acq_rel) == 1)
    gw_exchange_wake(rz->ex);
}

/* rpc client thread. */
static void on_check(void *arg, const hg_status_t *st, void *resp) {
  check_t *c = arg;
  c->code = st->code;
  if (st->code == HG_OK && resp)
    c->serving = ((const Grpc__Health__V1__HealthCheckResponse *)resp)->status;
  release_one(c->rz);
}

static void start_check(check_t *c, int64_t deadline_ms) {
  Grpc__Health__V1__HealthCheckRequest *req = hg_arena_alloc(c->arena, sizeof(*req));
  rpc_call_opts_t o = {.deadline_ms = deadline_ms, .arena = c->arena};
  if (req) grpc__health__v1__health_check_request__init(req);
  if (!req || rpc_call(rpc_replicas_channel(c->up->replicas, c->replica), HEALTH_PATH, &health_in,
                       req, &health_out, &o, on_check, c) != 0) {
    c->code = HG_UNAVAILABLE;
    release_one(c->rz);
  }
}

/* "serving", "not_serving", or the failed call's code ("unavailable", ...). */
static const char *check_state(const check_t *c, hg_arena_t *a) {
  const char *name = hg_code_name(c->code);
  if (c->code == HG_OK) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &grpc__health__v1__health_check_response__serving_status__descriptor, c->serving);
    name = v ? v->name : "UNKNOWN";
  }
  char *s = hg_arena_strdup(a, name);
  for (char *p = s; p && *p; p++) *p = (char)tolower((unsigned char)*p);
  return s ? s : "unknown";
}

static int is_serving(const check_t *c) {
  return c->code == HG_OK &&
         c->serving == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
}

/* The check that speaks for upstream u: a serving replica's, else its first replica's. */
static const check_t *verdict(const readyz_t *rz, const upstream_checks_t *u) {
  for (size_t i = u->first; i < u->first + u->n; i++)
    if (is_serving(&rz->checks[i])) return &rz->checks[i];
  return &rz->checks[u->first];
}

static int render(readyz_t *rz, hg_buf_t *out, int *ready) {
  int rc = 0;
  *ready = 1;
  for (size_t i = 0; i < rz->n_ups; i++)
    if (!is_serving(verdict(rz, &rz->ups[i]))) *ready = 0;
  if (*ready) return hg_buf_puts(out, "{\"status\":\"ready\"}");
  rc |= hg_buf_puts(out, "{\"status\":\"unavailable\",\"upstreams\":{");
  for (size_t i = 0; i < rz->n_ups; i++) {
    const char *name = rz->ups[i].up->name;
    const char *state = check_state(verdict(rz, &rz->ups[i]), rz->ex->arena);
    if (i) rc |= hg_buf_putc(out, ',');
    rc |= tc_write_string(out, name, strlen(name));
    rc |= hg_buf_putc(out, ':') | tc_write_string(out, state, strlen(state));
  }
  return rc | hg_buf_puts(out, "}}");
}

/* Loop thread, after every check has completed. */
static void answer(gw_exchange_t *ex) {
  readyz_t *rz = ex->local;
  int ready = 0;
  int rc = render(rz, &ex->body, &ready);
  for (size_t i = 0; i < rz->n; i++) {
    rpc_replicas_mark(rz->checks[i].up->replicas, rz->checks[i].replica,
                      is_serving(&rz->checks[i]) ? RPC_REPLICA_UP : RPC_REPLICA_DOWN);
    hg_arena_free(rz->checks[i].arena);
  }
  if (rc != 0) {
    hg_buf_reset(&ex->body);
    gw_reply_error(ex, gw_dialect(GW_DIALECT_KTRLPLANE), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  gw_reply(ex, ready ? 200 : 503, "application/json");
}

void gw_op_readyz(gw_exchange_t *ex) {
  gw_gateway_t *gw = ex->gw;
  readyz_t *rz = hg_arena_alloc(ex->arena, sizeof(*rz));
  if (!rz || gw_exchange_arm(ex, answer) != 0) {
    gw_reply_error(ex, gw_dialect(GW_DIALECT_KTRLPLANE), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  rz->ex = ex;
  ex->local = rz;
  for (size_t i = 0; i < gw->n_upstreams; i++) {
    const gw_upstream_t *up = &gw->upstreams[i];
    if (!up->replicas) continue;
    rz->ups[rz->n_ups++] = (upstream_checks_t){up, rz->n, rpc_replicas_count(up->replicas)};
    for (size_t r = 0; r < rpc_replicas_count(up->replicas); r++) {
      check_t *c = &rz->checks[rz->n++];
      *c = (check_t){.rz = rz, .up = up, .replica = r, .code = HG_INTERNAL};
      c->arena = hg_arena_new();
    }
  }
  atomic_init(&rz->pending, rz->n + 1);
  for (size_t i = 0; i < rz->n; i++) {
    if (rz->checks[i].arena)
      start_check(&rz->checks[i], gw->ready_deadline_ms);
    else
      release_one(rz);
  }
  release_one(rz); /* the starter's reference */
}
