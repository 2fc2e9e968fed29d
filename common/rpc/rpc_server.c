/* rpc_server.c - server lifecycle: bind, register methods, run the queue threads, stop.
 *
 * gRPC core does not track the calls our handlers still hold: its shutdown tag may arrive
 * while a handler (or a worker thread it handed the call to) has yet to reply, and a reply
 * batch started on a queue that was already shut down crashes the process. So the server
 * counts every object that can still produce an event (armed request slots, held calls, the
 * shutdown tag) and rpc_server_destroy() shuts the queue down only when the count is zero.
 * Per-call work (arming, accepting, replying) lives in rpc_ctx.c, a streaming call's in
 * rpc_stream.c; destroy ends open streams first, since they have no natural end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "rpc/rpc_internal.h"

/* Request slots kept armed per registered method and for the unknown-method catch-all.
 * More slots only shorten the queue inside gRPC; a few per method keep bursts flowing. */
#define SLOTS_PER_METHOD 4
#define CATCH_ALL_SLOTS 2
#define MAX_CQ_THREADS 64

static int init_sync(rpc_server_t *s) {
  pthread_condattr_t attr;
  int rc = -1;
  if (pthread_condattr_init(&attr) != 0) return -1;
  if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
      pthread_cond_init(&s->idle, &attr) != 0)
    goto out;
  if (pthread_mutex_init(&s->mu, NULL) != 0) {
    pthread_cond_destroy(&s->idle);
    goto out;
  }
  rc = 0;
out:
  pthread_condattr_destroy(&attr);
  return rc;
}

/* Request ids are a keyed counter: unique per server, unguessable enough for log
 * correlation, and no syscall per call. */
static uint64_t random_seed(const rpc_server_t *s) {
  uint64_t seed;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed) return seed;
  return (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)s;
}

static void on_shutdown(rpc__tag_t *tag, int ok) {
  rpc_server_t *s = (rpc_server_t *)((char *)tag - offsetof(rpc_server_t, shutdown_tag));
  (void)ok;
  rpc__server_release(s);
}

static int bind_port(rpc_server_t *s, const char *addr) {
  grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
  int port = grpc_server_add_http2_port(s->server, addr, creds);
  grpc_server_credentials_release(creds);
  if (port <= 0) {
    HG_ERROR("rpc", NULL, "cannot listen on %s", addr);
    return -1;
  }
  s->port = strncmp(addr, "unix:", 5) == 0 ? 0 : port;
  /* Owner and group only: any local user who can open the socket can call every method
   * (admission still applies, but Health, Admit and Verify need no token). */
  if (s->port == 0 && chmod(addr + 5, 0660) != 0) {
    HG_ERROR("rpc", NULL, "cannot restrict %s to its owner and group", addr);
    return -1;
  }
  return 0;
}

int rpc_server_new(const char *addr, const rpc_server_opts_t *opts, rpc_server_t **out) {
  rpc_server_t *s;
  if (!addr || !out || !(s = calloc(1, sizeof *s))) return -1;
  if (init_sync(s) != 0) {
    free(s);
    return -1;
  }
  grpc_init();
  s->opts.cq_threads = opts && opts->cq_threads > 0 ? opts->cq_threads : 1;
  if (s->opts.cq_threads > MAX_CQ_THREADS) s->opts.cq_threads = MAX_CQ_THREADS;
  s->opts.default_deadline_ms =
      opts && opts->default_deadline_ms > 0 ? opts->default_deadline_ms : RPC__DEFAULT_DEADLINE_MS;
  s->opts.max_in_flight_per_key = opts && opts->max_in_flight_per_key > 0
                                      ? opts->max_in_flight_per_key
                                      : RPC__DEFAULT_IN_FLIGHT_PER_KEY;
  s->shutdown_tag.on_event = on_shutdown;
  s->rid_seed = random_seed(s);
  /* The gateway's request limit, on every path into a service (a JSON body of 1 MiB never
   * transcodes to a larger message). */
  grpc_arg max_message = {.type = GRPC_ARG_INTEGER,
                          .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                          .value.integer = RPC_MAX_REQUEST_BYTES};
  grpc_channel_args args = {1, &max_message};
  s->server = grpc_server_create(&args, NULL);
  s->cq = grpc_completion_queue_create_for_next(NULL);
  grpc_server_register_completion_queue(s->server, s->cq, NULL);
  for (int lane = RPC__LANE_CALLS + 1; lane < RPC__LANES; lane++) {
    s->side_cq[lane] = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(s->server, s->side_cq[lane], NULL);
  }
  if (bind_port(s, addr) != 0 || rpc__health_register(s) != 0 || rpc__admission_register(s) != 0) {
    rpc_server_destroy(s, 0);
    return -1;
  }
  *out = s;
  return 0;
}

int rpc_server_port(const rpc_server_t *s) { return s->port; }

grpc_completion_queue *rpc__server_cq(const rpc_server_t *s, const rpc__method_t *m) {
  return m && m->lane != RPC__LANE_CALLS ? s->side_cq[m->lane] : s->cq;
}

int rpc__server_set_lane(rpc_server_t *s, const ProtobufCServiceDescriptor *svc, int lane) {
  char path[512];
  if (s->started || lane <= RPC__LANE_CALLS || lane >= RPC__LANES) return -1;
  for (unsigned i = 0; i < svc->n_methods; i++) {
    snprintf(path, sizeof path, "/%s/%s", svc->name, svc->methods[i].name);
    rpc__method_t *m = (rpc__method_t *)rpc__server_method(s, path);
    if (!m) return -1;
    m->lane = lane;
  }
  return 0;
}

const rpc__method_t *rpc__server_method(const rpc_server_t *s, const char *path) {
  for (const rpc__method_t *m = s->methods; m; m = m->next)
    if (strcmp(m->path, path) == 0) return m;
  return NULL;
}

static const char *const stream_type[] = {
    [RPC_SERVER_STREAM] = "server_stream",
    [RPC_CLIENT_STREAM] = "client_stream",
    [RPC_BIDI_STREAM] = "bidi_stream",
};

int rpc__server_add_method(rpc_server_t *s, const char *path, rpc_handler_fn fn,
                           const rpc_stream_handler_t *stream, rpc_admit_fn admit,
                           const rpc_codec_t *in, const rpc_codec_t *out) {
  rpc__method_t *m = NULL;
  int rc = -1;
  if (!s || s->started || !path || path[0] != '/' || !admit || rpc__codec_check(in) != 0 ||
      rpc__codec_check(out) != 0 || rpc__server_method(s, path))
    return -1;
  if (stream ? !stream->on_message || fn || (unsigned)stream->kind > RPC_BIDI_STREAM : !fn)
    return -1;
  if (!(m = calloc(1, sizeof *m)) || !(m->path = strdup(path)) ||
      !(m->stats = rpc__stats_new(path)))
    goto out;
  m->fn = fn;
  if (stream) m->stats->type = stream_type[stream->kind];
  if (stream) m->stream = *stream;
  m->is_stream = stream != NULL;
  m->admit = admit;
  m->in = *in;
  m->out = *out;
  /* A stream's messages are read one by one (rpc_stream.c); a unary request comes with the
   * call. */
  m->handle = grpc_server_register_method(
      s->server, m->path, NULL,
      stream ? GRPC_SRM_PAYLOAD_NONE : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
  if (!m->handle) goto out;
  m->next = s->methods;
  s->methods = m;
  rc = 0;
out:
  if (rc != 0 && m) {
    rpc__stats_free(m->stats);
    free(m->path);
    free(m);
  }
  return rc;
}

int rpc_server_add_method(rpc_server_t *s, const char *path, rpc_handler_fn fn, rpc_admit_fn admit,
                          const rpc_codec_t *in, const rpc_codec_t *out) {
  return rpc__server_add_method(s, path, fn, NULL, admit, in, out);
}

/* "/" + svc + "/" + method into buf; -1 when it does not fit. */
static int format_path(char *buf, size_t cap, const char *svc, const char *method) {
  int n = snprintf(buf, cap, "/%s/%s", svc, method);
  return n > 0 && (size_t)n < cap ? 0 : -1;
}

static const rpc_binding_t *find_binding(const rpc_binding_t *b, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (b[i].method && strcmp(b[i].method, name) == 0) return &b[i];
  return NULL;
}

static const rpc_stream_binding_t *find_stream(const rpc_stream_binding_t *b, size_t n,
                                               const char *name) {
  for (size_t i = 0; i < n; i++)
    if (b[i].method && strcmp(b[i].method, name) == 0) return &b[i];
  return NULL;
}

/* Checks every method up front so that a rejected service registers nothing: a method
 * whose binding names no admit function would be open to any caller by omission. Each
 * method has exactly one binding, unary or streaming. */
static int check_service(const rpc_server_t *s, const ProtobufCServiceDescriptor *svc,
                         const rpc_binding_t *bindings, size_t n_bindings,
                         const rpc_stream_binding_t *streams, size_t n_streams) {
  char path[512];
  if (svc->magic != PROTOBUF_C__SERVICE_DESCRIPTOR_MAGIC ||
      n_bindings + n_streams != svc->n_methods)
    return -1;
  for (unsigned i = 0; i < svc->n_methods; i++) {
    const ProtobufCMethodDescriptor *md = &svc->methods[i];
    const rpc_binding_t *b = find_binding(bindings, n_bindings, md->name);
    const rpc_stream_binding_t *sb = find_stream(streams, n_streams, md->name);
    if (!b == !sb || (b ? !b->admit : !sb->admit || !sb->handler) ||
        format_path(path, sizeof path, svc->name, md->name) != 0 || rpc__server_method(s, path))
      return -1;
  }
  return 0;
}

int rpc_server_add_service_streams(rpc_server_t *s, const ProtobufCServiceDescriptor *svc,
                                   const rpc_binding_t *bindings, size_t n_bindings,
                                   const rpc_stream_binding_t *streams, size_t n_streams) {
  char path[512];
  if (!s || s->started || !svc || (n_bindings > 0 && !bindings) || (n_streams > 0 && !streams) ||
      check_service(s, svc, bindings, n_bindings, streams, n_streams) != 0)
    return -1;
  for (unsigned i = 0; i < svc->n_methods; i++) {
    const ProtobufCMethodDescriptor *md = &svc->methods[i];
    const rpc_binding_t *b = find_binding(bindings, n_bindings, md->name);
    const rpc_stream_binding_t *sb = b ? NULL : find_stream(streams, n_streams, md->name);
    format_path(path, sizeof path, svc->name, md->name);
    if (rpc__server_add_method(s, path, b ? b->fn : NULL, sb ? sb->handler : NULL,
                               b ? b->admit : sb->admit, RPC_PBC(md->input),
                               RPC_PBC(md->output)) != 0)
      return -1;
  }
  return 0;
}

int rpc_server_add_service(rpc_server_t *s, const ProtobufCServiceDescriptor *svc,
                           const rpc_binding_t *bindings, size_t n_bindings) {
  return rpc_server_add_service_streams(s, svc, bindings, n_bindings, NULL, 0);
}

const char *rpc_method_path(hg_arena_t *a, const ProtobufCServiceDescriptor *svc,
                            const char *method) {
  return hg_arena_sprintf(a, "/%s/%s", svc->name, method);
}

void rpc_server_set_data(rpc_server_t *s, void *data) { s->data = data; }

void rpc_server_set_health(rpc_server_t *s, rpc_health_fn fn, void *arg) {
  s->health = fn;
  s->health_arg = arg;
}

static void *cq_thread(void *arg) {
  rpc_server_t *s = arg;
  rpc__cq_poll(s->cq);
  return NULL;
}

static void *side_thread(void *arg) {
  rpc__cq_poll(arg);
  return NULL;
}

int rpc_server_start(rpc_server_t *s) {
  if (!s || s->started) return -1;
  s->started = 1;
  /* Side threads first: a slot armed on a queue nobody polls would never be answered. */
  for (int lane = RPC__LANE_CALLS + 1; lane < RPC__LANES; lane++) {
    if (pthread_create(&s->side_thread[lane], NULL, side_thread, s->side_cq[lane]) != 0) return -1;
    s->side_started[lane] = 1;
  }
  grpc_server_start(s->server);
  for (const rpc__method_t *m = s->methods; m; m = m->next)
    for (int k = 0; k < SLOTS_PER_METHOD; k++)
      if (rpc__ctx_arm(s, m) != 0) return -1;
  for (int k = 0; k < CATCH_ALL_SLOTS; k++)
    if (rpc__ctx_arm(s, NULL) != 0) return -1;
  if (!(s->threads = calloc((size_t)s->opts.cq_threads, sizeof *s->threads))) return -1;
  for (; s->n_threads < s->opts.cq_threads; s->n_threads++)
    if (pthread_create(&s->threads[s->n_threads], NULL, cq_thread, s) != 0) return -1;
  return 0;
}

int rpc__server_hold(rpc_server_t *s) {
  int rc = -1;
  pthread_mutex_lock(&s->mu);
  if (!s->closing) {
    s->live++;
    rc = 0;
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

void rpc__server_release(rpc_server_t *s) {
  pthread_mutex_lock(&s->mu);
  if (--s->live == 0) pthread_cond_broadcast(&s->idle);
  pthread_mutex_unlock(&s->mu);
}

static size_t live_count(rpc_server_t *s) {
  size_t n;
  pthread_mutex_lock(&s->mu);
  n = s->live;
  pthread_mutex_unlock(&s->mu);
  return n;
}

/* The queue threads deliver the remaining events; wait for the count to reach zero,
 * cancelling every call once the grace period is over. */
static void wait_idle_threaded(rpc_server_t *s, int64_t grace_ms) {
  struct timespec until = hg_timespec_after(CLOCK_MONOTONIC, grace_ms); /* s->idle's clock */
  int timed_out = 0;
  pthread_mutex_lock(&s->mu);
  while (s->live > 0 && !timed_out)
    timed_out = pthread_cond_timedwait(&s->idle, &s->mu, &until) == ETIMEDOUT;
  pthread_mutex_unlock(&s->mu);
  if (!timed_out) return;
  grpc_server_cancel_all_calls(s->server);
  pthread_mutex_lock(&s->mu);
  while (s->live > 0) pthread_cond_wait(&s->idle, &s->mu);
  pthread_mutex_unlock(&s->mu);
}

/* No queue thread ever ran (never started, or start failed early): poll here instead. */
static void wait_idle_inline(rpc_server_t *s, int64_t grace_ms) {
  gpr_timespec until = rpc__deadline_in(grace_ms, GPR_CLOCK_MONOTONIC);
  int cancelled = 0;
  while (live_count(s) > 0) {
    grpc_event ev = grpc_completion_queue_next(s->cq, until, NULL);
    if (ev.type == GRPC_OP_COMPLETE) {
      rpc__tag_t *tag = ev.tag;
      tag->on_event(tag, ev.success);
    } else if (ev.type == GRPC_QUEUE_TIMEOUT && !cancelled) {
      grpc_server_cancel_all_calls(s->server);
      cancelled = 1;
      until = gpr_inf_future(GPR_CLOCK_MONOTONIC);
    }
  }
}

static void free_methods(rpc_server_t *s) {
  while (s->methods) {
    rpc__method_t *m = s->methods;
    s->methods = m->next;
    rpc__stats_free(m->stats);
    free(m->path);
    free(m);
  }
}

void rpc_server_destroy(rpc_server_t *s, int64_t grace_ms) {
  if (!s) return;
  pthread_mutex_lock(&s->mu);
  s->closing = 1;
  s->live++; /* the shutdown tag */
  pthread_mutex_unlock(&s->mu);
  grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
  rpc__streams_close_all(s);
  if (s->n_threads > 0)
    wait_idle_threaded(s, grace_ms > 0 ? grace_ms : 0);
  else
    wait_idle_inline(s, grace_ms > 0 ? grace_ms : 0);
  grpc_server_destroy(s->server);
  grpc_completion_queue_shutdown(s->cq);
  if (s->n_threads == 0) rpc__cq_poll(s->cq);
  for (int i = 0; i < s->n_threads; i++) pthread_join(s->threads[i], NULL);
  grpc_completion_queue_destroy(s->cq);
  for (int lane = RPC__LANE_CALLS + 1; lane < RPC__LANES; lane++) {
    if (!s->side_cq[lane]) continue;
    grpc_completion_queue_shutdown(s->side_cq[lane]);
    if (s->side_started[lane])
      pthread_join(s->side_thread[lane], NULL);
    else
      rpc__cq_poll(s->side_cq[lane]);
    grpc_completion_queue_destroy(s->side_cq[lane]);
  }
  free_methods(s);
  rpc__stats_free_unknown(s);
  rpc__descriptors_free(s->reflection);
  free(s->threads);
  pthread_cond_destroy(&s->idle);
  pthread_mutex_destroy(&s->mu);
  free(s);
  grpc_shutdown();
}
