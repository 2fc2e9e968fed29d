/* rpc_client.c - client lifecycle: one completion queue, its polling thread, channels, and
 * the list of calls in flight.
 *
 * The list exists for rpc_client_destroy(): it cancels every tracked call and waits until
 * the list is empty before shutting the queue down, because a batch started on a queue that
 * is already shut down is fatal in gRPC core. A call joins the list before its batch starts
 * and leaves it when its completion is handled, so "empty" means no batch can still start
 * or complete. Both rpc_call() and rpc_call_sync() calls are tracked. */
#include <stdlib.h>

#include "rpc/rpc_internal.h"

static void *client_thread(void *arg) {
  rpc_client_t *c = arg;
  rpc__cq_poll(c->cq);
  return NULL;
}

int rpc_client_new(rpc_client_t **out) {
  rpc_client_t *c;
  if (!out || !(c = calloc(1, sizeof *c))) return -1;
  if (pthread_mutex_init(&c->mu, NULL) != 0) goto fail_mu;
  if (pthread_cond_init(&c->idle, NULL) != 0) goto fail_cond;
  grpc_init();
  c->cq = grpc_completion_queue_create_for_next(NULL);
  if (pthread_create(&c->thread, NULL, client_thread, c) != 0) goto fail_thread;
  *out = c;
  return 0;
fail_thread:
  grpc_completion_queue_shutdown(c->cq);
  grpc_completion_queue_destroy(c->cq);
  grpc_shutdown();
  pthread_cond_destroy(&c->idle);
fail_cond:
  pthread_mutex_destroy(&c->mu);
fail_mu:
  free(c);
  return -1;
}

/* Cancels what is in flight and waits until every tracked call has been handled. */
static void cancel_and_wait(rpc_client_t *c) {
  pthread_mutex_lock(&c->mu);
  c->closing = 1;
  for (rpc__ccall_t *cc = c->calls; cc; cc = cc->next) grpc_call_cancel(cc->call, NULL);
  while (c->calls) pthread_cond_wait(&c->idle, &c->mu);
  pthread_mutex_unlock(&c->mu);
}

void rpc_client_destroy(rpc_client_t *c) {
  if (!c) return;
  cancel_and_wait(c);
  grpc_completion_queue_shutdown(c->cq);
  pthread_join(c->thread, NULL);
  while (c->channels) {
    rpc_channel_t *ch = c->channels;
    c->channels = ch->next;
    grpc_channel_destroy(ch->ch);
    free(ch);
  }
  grpc_completion_queue_destroy(c->cq);
  pthread_cond_destroy(&c->idle);
  pthread_mutex_destroy(&c->mu);
  free(c);
  grpc_shutdown();
}

/* Channel settings. Answers of any size: gRPC's default 4 MiB receive limit refused a page
 * of KtrlPlane resources whose settings_json add up to more (100 per page, 1 MiB each).
 * Reconnect backoff capped at 1 s: with gRPC's default (up to 120 s) an upstream that came
 * back after a long outage stayed unused, every call failing fast, for up to two minutes. */
#define RECONNECT_INITIAL_MS 200
#define RECONNECT_MAX_MS 1000

int rpc_channel_new(rpc_client_t *c, const char *target, rpc_channel_t **out) {
  grpc_channel_credentials *creds;
  rpc_channel_t *ch;
  grpc_arg args[] = {
      {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = -1},
      {.type = GRPC_ARG_INTEGER,
       .key = GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
       .value.integer = RECONNECT_INITIAL_MS},
      {.type = GRPC_ARG_INTEGER,
       .key = GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
       .value.integer = RECONNECT_MAX_MS},
  };
  grpc_channel_args chargs = {.num_args = sizeof args / sizeof args[0], .args = args};
  if (!c || !target || !out || !(ch = calloc(1, sizeof *ch))) return -1;
  creds = grpc_insecure_credentials_create();
  ch->ch = grpc_channel_create(target, creds, &chargs);
  grpc_channel_credentials_release(creds); /* a bad target yields a lame channel, not NULL */
  ch->client = c;
  pthread_mutex_lock(&c->mu);
  ch->next = c->channels;
  c->channels = ch;
  pthread_mutex_unlock(&c->mu);
  *out = ch;
  return 0;
}

int rpc__client_track(rpc_client_t *c, rpc__ccall_t *cc) {
  int rc = -1;
  pthread_mutex_lock(&c->mu);
  if (!c->closing) {
    cc->prev = NULL;
    cc->next = c->calls;
    if (c->calls) c->calls->prev = cc;
    c->calls = cc;
    rc = 0;
  }
  pthread_mutex_unlock(&c->mu);
  return rc;
}

void rpc__client_untrack(rpc_client_t *c, rpc__ccall_t *cc) {
  pthread_mutex_lock(&c->mu);
  if (cc->prev)
    cc->prev->next = cc->next;
  else
    c->calls = cc->next;
  if (cc->next) cc->next->prev = cc->prev;
  if (!c->calls && c->closing) pthread_cond_broadcast(&c->idle);
  pthread_mutex_unlock(&c->mu);
}

static void on_async_done(rpc__tag_t *tag, int ok) {
  rpc__ccall_t *cc = (rpc__ccall_t *)tag;
  hg_status_t st;
  void *resp;
  rpc__ccall_finish(cc, ok, &st, &resp);
  cc->done(cc->arg, &st, resp);
  free(cc);
}

int rpc_call(rpc_channel_t *ch, const char *path, const rpc_codec_t *in, const void *req,
             const rpc_codec_t *out, const rpc_call_opts_t *opts, rpc_done_fn done, void *arg) {
  rpc__ccall_t *cc;
  if (!ch || !done || !(cc = calloc(1, sizeof *cc))) return -1;
  cc->tag.on_event = on_async_done;
  cc->done = done;
  cc->arg = arg;
  if (rpc__ccall_start(cc, ch, ch->client->cq, path, in, req, out, opts) != 0) {
    free(cc);
    return -1;
  }
  return 0;
}

int rpc_call_sync(rpc_channel_t *ch, const char *path, const rpc_codec_t *in, const void *req,
                  const rpc_codec_t *out, const rpc_call_opts_t *opts, hg_status_t *st,
                  void **resp) {
  grpc_completion_queue *cq;
  rpc__ccall_t cc = {0}; /* its tag is plucked, never dispatched */
  void *r = NULL;
  if (!ch || !st) return HG_INVALID_ARGUMENT;
  cq = grpc_completion_queue_create_for_pluck(NULL);
  if (rpc__ccall_start(&cc, ch, cq, path, in, req, out, opts) == 0) {
    grpc_event ev =
        grpc_completion_queue_pluck(cq, &cc.tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    rpc__ccall_finish(&cc, ev.success, st, &r);
  } else {
    hg_status_t not_started = {.code = HG_INTERNAL, .message = "call could not be started"};
    *st = not_started;
  }
  grpc_completion_queue_shutdown(cq);
  grpc_completion_queue_destroy(cq);
  if (resp) *resp = r;
  return st->code;
}
