/* test_gateway_watch.c - which replica a watch opens on (gateway/watch.c), end to end: a
 * real gateway with resources given as two replicas, each a real rpc server serving
 * KtrlPlane/WatchResources its own way, and a watch asked for over HTTP.
 *
 * Opening a watch is a read: a replica that cannot take it (UNAVAILABLE: it is stopping,
 * or nothing listens) leaves it to another one, and the client gets its 200 stream; only
 * when every replica refused is it 503. Other refusals (an expired resourceVersion) are
 * answered as they are, without trying another replica. */
#include <check.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "gateway/gateway.h"
#include "rpc/rpc.h"
#include "test_run.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"

#define WATCH_PATH "/hangar.resources.v1.KtrlPlane/WatchResources"
#define WATCH_GET "/api/v1/projects/p1/resources?watch=true&resourceVersion=5"
#define PBC(name) RPC_PBC(&hangar__resources__v1__##name##__descriptor)

/* DEAD: nothing listens on its socket. */
typedef enum { SERVES, STOPPING, EXPIRED, DEAD } replica_mode_t;

/* One replica of resources-svc as far as a watch goes. */
typedef struct replica {
  replica_mode_t mode;
  atomic_int streams; /* watches it was asked for */
  rpc_server_t *srv;
  char sock[96];
} replica_t;

/* SERVES: the bookmark, one event at version 8, then the end of the stream. */
static void watch(rpc_ctx_t *ctx, const void *req) {
  const Hangar__Resources__V1__WatchResourcesRequest *in = req;
  replica_t *r = rpc_ctx_server_data(ctx);
  atomic_fetch_add(&r->streams, 1);
  if (r->mode == STOPPING) {
    rpc_fail_code(ctx, HG_UNAVAILABLE, "the service is stopping");
    return;
  }
  if (r->mode == EXPIRED) {
    hg_status_t st;
    hg_status_set(&st, HG_OUT_OF_RANGE, "Resource version too old: list again for a current one");
    st.reason = "EXPIRED";
    rpc_fail(ctx, &st);
    return;
  }
  Hangar__Resources__V1__ResourceEvent ev = HANGAR__RESOURCES__V1__RESOURCE_EVENT__INIT;
  Hangar__Resources__V1__Resource obj = HANGAR__RESOURCES__V1__RESOURCE__INIT;
  ev.type = "BOOKMARK";
  ev.resourceversion = in->resourceversion;
  ck_assert_int_eq(rpc_stream_send(ctx, &ev), 0);
  obj.resource_id = "r1";
  obj.project_id = in->project_id;
  obj.name = "one";
  ev.type = "ADDED";
  ev.resourceversion = "8";
  ev.object = &obj;
  ck_assert_int_eq(rpc_stream_send(ctx, &ev), 0);
  rpc_stream_finish(ctx, NULL);
}

static int streams(replica_t *r) { return atomic_load(&r->streams); }

static void half_close(rpc_ctx_t *ctx) { (void)ctx; }

static const rpc_stream_handler_t handler = {.on_message = watch, .on_half_close = half_close};

static void replica_start(replica_t *r, replica_mode_t mode, const char *tag) {
  rpc_server_opts_t opts = {.cq_threads = 1};
  char addr[128];
  memset(r, 0, sizeof *r);
  r->mode = mode;
  snprintf(r->sock, sizeof r->sock, "/tmp/hangar-test-gw-watch-%d-%s.sock", (int)getpid(), tag);
  unlink(r->sock);
  if (mode == DEAD) return;
  snprintf(addr, sizeof addr, "unix:%s", r->sock);
  ck_assert_int_eq(rpc_server_new(addr, &opts, &r->srv), 0);
  ck_assert_int_eq(rpc_server_add_stream(r->srv, WATCH_PATH, &handler, rpc_admit_public,
                                         PBC(watch_resources_request), PBC(resource_event)),
                   0);
  rpc_server_set_data(r->srv, r);
  ck_assert_int_eq(rpc_server_start(r->srv), 0);
}

static void replica_stop(replica_t *r) {
  if (r->srv) rpc_server_destroy(r->srv, 1000);
  unlink(r->sock);
}

/* A gateway whose resources upstream is a then b; health checks far apart, so that only
 * the watches themselves tell it about a replica. */
static gw_gateway_t *gateway(const replica_t *a, const replica_t *b) {
  char targets[256], err[256];
  snprintf(targets, sizeof targets, "unix:%s,unix:%s", a->sock, b->sock);
  gw_upstream_conf_t up[] = {
      {"resources", targets}, {"products", NULL}, {"credentials", NULL}, {"auth", NULL}};
  gw_opts_t o = {.listen = "127.0.0.1:0",
                 .threads = 1,
                 .upstreams = up,
                 .n_upstreams = sizeof up / sizeof up[0],
                 .health_interval_ms = 600000};
  gw_gateway_t *g = NULL;
  ck_assert_msg(gw_gateway_new(&o, &g, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(gw_gateway_start(g), 0);
  return g;
}

/* GET path on the gateway, Connection: close; the whole answer (the stream ends when the
 * replica finishes it) into buf. */
static const char *get(gw_gateway_t *g, const char *path, char *buf, size_t n) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)gw_gateway_port(g))};
  struct timeval tv = {20, 0}; /* bounds a hang, not a speed */
  char req[512];
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  int len = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer t\r\n"
                     "Connection: close\r\n\r\n",
                     path);
  ck_assert_int_eq(write(fd, req, (size_t)len), len);
  size_t got = 0;
  ssize_t r;
  while (got + 1 < n && (r = read(fd, buf + got, n - 1 - got)) > 0) got += (size_t)r;
  ck_assert_msg(r == 0 || got + 1 == n, "the answer did not end");
  buf[got] = '\0';
  close(fd);
  return buf;
}

static void assert_stream(const char *answer) {
  ck_assert_msg(strncmp(answer, "HTTP/1.1 200 ", 13) == 0, "%s", answer);
  ck_assert_ptr_nonnull(strstr(answer, "\r\nContent-Type: text/event-stream\r\n"));
  ck_assert_msg(strstr(answer,
                       "id: 8\ndata: {\"type\":\"ADDED\",\"object\":{\"resource_id\":\"r1\","
                       "\"project_id\":\"p1\",\"name\":\"one\""),
                "%s", answer);
}

/* Two replicas (a, then b, in the gateway's list) and the gateway in front of them. */
typedef struct pair {
  replica_t a, b;
  gw_gateway_t *g;
} pair_t;

static void pair_start(pair_t *p, replica_mode_t a, replica_mode_t b) {
  replica_start(&p->a, a, "a");
  replica_start(&p->b, b, "b");
  p->g = gateway(&p->a, &p->b);
}

static void pair_stop(pair_t *p) {
  gw_gateway_destroy(p->g, 1000);
  replica_stop(&p->a);
  replica_stop(&p->b);
}

/* Round-robin sends every other watch to the stopping replica first: each still streams. */
START_TEST(test_watch_a_replica_cannot_take_opens_on_another) {
  pair_t p;
  char buf[4096];
  pair_start(&p, STOPPING, SERVES);
  for (int i = 0; i < 4; i++) assert_stream(get(p.g, WATCH_GET, buf, sizeof buf));
  ck_assert_int_eq(streams(&p.b), 4);
  ck_assert_int_ge(streams(&p.a), 1);
  pair_stop(&p);
}
END_TEST

START_TEST(test_watch_with_a_dead_replica_streams_from_the_live_one) {
  pair_t p;
  char buf[4096];
  pair_start(&p, DEAD, SERVES);
  for (int i = 0; i < 4; i++) assert_stream(get(p.g, WATCH_GET, buf, sizeof buf));
  ck_assert_int_eq(streams(&p.b), 4);
  /* and it is skipped: the gateway's gauge says so */
  static char metrics[1 << 23]; /* a route table's worth of histograms */
  get(p.g, "/metrics", metrics, sizeof metrics);
  char line[256];
  snprintf(line, sizeof line, "hangar_upstream_up{upstream=\"resources\",target=\"unix:%s\"} 0\n",
           p.a.sock);
  ck_assert_msg(strstr(metrics, line), "no %s", line);
  pair_stop(&p);
}
END_TEST

/* Each replica is tried once per watch, and then the answer is 503 in KtrlPlane's dialect. */
START_TEST(test_watch_every_replica_refuses_is_503) {
  pair_t p;
  char buf[4096];
  pair_start(&p, STOPPING, STOPPING);
  for (int i = 0; i < 2; i++) {
    const char *answer = get(p.g, WATCH_GET, buf, sizeof buf);
    ck_assert_msg(strncmp(answer, "HTTP/1.1 503 ", 13) == 0, "%s", answer);
    const char *body = strstr(answer, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    ck_assert_str_eq(body + 4, "{\"error\":\"Service unavailable\"}");
  }
  ck_assert_int_eq(streams(&p.a), 2);
  ck_assert_int_eq(streams(&p.b), 2);
  pair_stop(&p);
}
END_TEST

/* An expired version is the same on every replica: 410 at once, no other replica asked. */
START_TEST(test_watch_refused_otherwise_is_not_tried_again) {
  pair_t p;
  char buf[4096];
  pair_start(&p, EXPIRED, EXPIRED);
  for (int i = 0; i < 2; i++) {
    const char *answer = get(p.g, WATCH_GET, buf, sizeof buf);
    ck_assert_msg(strncmp(answer, "HTTP/1.1 410 ", 13) == 0, "%s", answer);
  }
  ck_assert_int_eq(streams(&p.a) + streams(&p.b), 2);
  pair_stop(&p);
}
END_TEST

int main(void) {
  TEST_RUN("gateway_watch", 0, test_watch_a_replica_cannot_take_opens_on_another,
           test_watch_with_a_dead_replica_streams_from_the_live_one,
           test_watch_every_replica_refuses_is_503,
           test_watch_refused_otherwise_is_not_tried_again);
}
