/* test_rpc_client_stream.c - server-streaming client calls (common/rpc/rpc_client_stream.c)
 * against the fixture's WatchResources stream: every message in order and then the
 * status, one read at a time; a refusal's status; cancelling; and rpc_client_destroy
 * ending a stream still open. */
#include "test_rpc_fixture.h"

#define WATCH KP "WatchResources"

typedef Hangar__Resources__V1__ResourceEvent event_t;

/* What a stream's callbacks saw. */
typedef struct seen {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  rpc_client_stream_t *s;
  char types[64];
  int messages;
  int ended;
  hg_code_t code;
  char message[64];
} seen_t;

static void seen_message(void *arg, const uint8_t *p, size_t n) {
  seen_t *w = arg;
  hg_arena_t *a = hg_arena_new();
  void *msg = NULL;
  ck_assert_int_eq(rpc_codec_decode(PBC(resource_event), p, n, a, &msg), 0);
  pthread_mutex_lock(&w->mu);
  strncat(w->types, ((event_t *)msg)->type, sizeof w->types - strlen(w->types) - 1);
  w->messages++;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  hg_arena_free(a);
  rpc_client_stream_next(w->s); /* from the callback itself: allowed */
}

static void seen_end(void *arg, const hg_status_t *st) {
  seen_t *w = arg;
  pthread_mutex_lock(&w->mu);
  w->ended++;
  w->code = st->code;
  snprintf(w->message, sizeof w->message, "%s", st->message ? st->message : "");
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

static const rpc_client_stream_cbs_t cbs = {seen_message, seen_end};

static void open_watch(fx_t *f, seen_t *w, const char *project) {
  Hangar__Resources__V1__WatchResourcesRequest req =
      HANGAR__RESOURCES__V1__WATCH_RESOURCES_REQUEST__INIT;
  rpc_call_opts_t o = {0};
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  req.project_id = (char *)project;
  /* s is set before any callback can use it: the lock is held across the open */
  pthread_mutex_lock(&w->mu);
  ck_assert_int_eq(rpc_client_stream_open(f->ch, WATCH, PBC(watch_resources_request), &req,
                                          PBC(resource_event), &o, &cbs, w, &w->s),
                   0);
  pthread_mutex_unlock(&w->mu);
}

static void wait_for(seen_t *w, int messages, int ended) {
  pthread_mutex_lock(&w->mu);
  while (w->messages < messages || w->ended < ended) pthread_cond_wait(&w->cv, &w->mu);
  pthread_mutex_unlock(&w->mu);
}

START_TEST(test_stream_delivers_every_message_then_ok) {
  fx_t f;
  seen_t w;
  fx_start(&f, 0);
  open_watch(&f, &w, "p1");
  wait_for(&w, 3, 1);
  ck_assert_str_eq(w.types, "E0E1E2");
  ck_assert_int_eq(w.code, HG_OK);
  fx_stop(&f);
  ck_assert_int_eq(w.ended, 1);
}
END_TEST

START_TEST(test_stream_refused_ends_with_its_status) {
  fx_t f;
  seen_t w;
  fx_start(&f, 0);
  open_watch(&f, &w, "fail");
  wait_for(&w, 0, 1);
  ck_assert_int_eq(w.messages, 0);
  ck_assert_int_eq(w.code, HG_INVALID_ARGUMENT);
  ck_assert_str_eq(w.message, "bad watch");
  fx_stop(&f);
}
END_TEST

START_TEST(test_stream_cancel_ends_cancelled) {
  fx_t f;
  seen_t w;
  fx_start(&f, 0);
  open_watch(&f, &w, "hold");
  wait_for(&w, 1, 0);
  rpc_client_stream_cancel(w.s);
  wait_for(&w, 1, 1);
  ck_assert_int_eq(w.code, HG_CANCELLED);
  ck_assert_str_eq(w.types, "E0");
  fx_stop(&f);
  ck_assert_int_eq(w.ended, 1);
}
END_TEST

START_TEST(test_client_destroy_ends_open_stream) {
  fx_t f;
  seen_t w;
  fx_start(&f, 0);
  open_watch(&f, &w, "hold");
  wait_for(&w, 1, 0);
  rpc_client_destroy(f.cli); /* cancels it and waits for its end */
  ck_assert_int_eq(w.ended, 1);
  ck_assert_int_eq(w.code, HG_CANCELLED);
  rpc_server_destroy(f.srv, 2000);
  hg_arena_free(f.a);
}
END_TEST

START_TEST(test_open_refuses_bad_arguments) {
  fx_t f;
  rpc_client_stream_t *s = NULL;
  rpc_call_opts_t o = {0};
  Hangar__Resources__V1__WatchResourcesRequest req =
      HANGAR__RESOURCES__V1__WATCH_RESOURCES_REQUEST__INIT;
  fx_start(&f, 0);
  ck_assert_int_ne(rpc_client_stream_open(f.ch, WATCH, PBC(watch_resources_request), &req,
                                          PBC(resource_event), &o, NULL, NULL, &s),
                   0);
  ck_assert_int_ne(rpc_client_stream_open(NULL, WATCH, PBC(watch_resources_request), &req,
                                          PBC(resource_event), &o, &cbs, NULL, &s),
                   0);
  ck_assert_ptr_null(s);
  fx_stop(&f);
}
END_TEST

int main(void) {
  const TTest *tests[] = {
      test_stream_delivers_every_message_then_ok,
      test_stream_refused_ends_with_its_status,
      test_stream_cancel_ends_cancelled,
      test_client_destroy_ends_open_stream,
      test_open_refuses_bad_arguments,
  };
  return fx_run("rpc_client_stream", tests, sizeof tests / sizeof tests[0]);
}
