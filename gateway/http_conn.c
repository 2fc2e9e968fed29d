/* http_conn.c - each connection's limits: the global and per-address caps, and absolute
 * deadlines for a request's headers and body.
 *
 * evhttp's own timeout is per read, so a client trickling a byte every few seconds held its
 * connection forever, and evhttp 2.1 has no connection cap or accept hook. Both are built
 * from its public API: evhttp_set_bevcb lets us create each connection's bufferevent; on
 * the next loop turn (after evhttp has attached its connection to it, whose pointer is the
 * bufferevent's callback argument) the connection is adopted: counted against the caps or
 * closed at once, given a close callback that uncounts it, an input watcher, and a timer.
 *
 * Deadlines are absolute: from the moment a connection waits for a request (accepted, or
 * its last answer sent), the request line and headers must arrive within header_timeout_ms
 * and then the body within body_timeout_ms. The watcher sees the bytes as they arrive and
 * finds the blank line that ends the headers. A request that misses its deadline gets a 408
 * (rendered by the server's timeout_reply) when some of it arrived, and its connection is
 * closed; an idle keep-alive connection is closed silently. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "common/log.h"
#include "gateway/http_server_internal.h"

#define PEER_PROBES 32
#define LINE_MAX_SHOWN 255

typedef enum {
  WAITING,  /* no byte of the next request yet */
  HEADERS,  /* its line or headers are arriving */
  BODY,     /* headers complete, body arriving */
  ANSWERING /* complete: the gateway is answering it (no deadline) */
} phase_t;

struct gw_conn {
  gw_loop_t *loop;
  struct evhttp_connection *evcon;
  struct bufferevent *bev;
  struct evbuffer_cb_entry *watch;
  struct event *timer;
  int peer_slot; /* -1: not counted per address */
  phase_t phase;
  size_t cur_len; /* characters of the header line being read */
  char line[LINE_MAX_SHOWN + 1];
  size_t line_n;
  int line_done;
};

/* ---- this loop's connections by evhttp_connection ---------------------------------------- */

static size_t home(const gw_loop_t *l, const void *key) {
  return ((uintptr_t)key >> 4) * 11400714819323198485ull & (l->conns_cap - 1);
}

static gw_conn_t *table_find(const gw_loop_t *l, const struct evhttp_connection *evcon) {
  for (size_t i = home(l, evcon);; i = (i + 1) & (l->conns_cap - 1)) {
    if (!l->conns[i]) return NULL;
    if (l->conns[i]->evcon == evcon) return l->conns[i];
  }
}

/* The table holds at most max_connections entries in twice the slots, so it never fills. */
static void table_add(gw_loop_t *l, gw_conn_t *c) {
  size_t i = home(l, c->evcon);
  while (l->conns[i]) i = (i + 1) & (l->conns_cap - 1);
  l->conns[i] = c;
}

/* Linear probing's deletion: shift later entries of the run back into the hole. */
static void table_remove(gw_loop_t *l, const gw_conn_t *c) {
  size_t mask = l->conns_cap - 1, i = home(l, c->evcon);
  while (l->conns[i] != c) i = (i + 1) & mask;
  l->conns[i] = NULL;
  for (size_t j = (i + 1) & mask; l->conns[j]; j = (j + 1) & mask) {
    size_t h = home(l, l->conns[j]->evcon);
    if (((j - h) & mask) >= ((j - i) & mask)) {
      l->conns[i] = l->conns[j];
      l->conns[j] = NULL;
      i = j;
    }
  }
}

/* ---- per-address counts (shared by the loops) ------------------------------------------- */

static uint64_t peer_hash(const struct sockaddr_storage *ss) {
  const unsigned char *p;
  size_t n;
  if (ss->ss_family == AF_INET6) {
    p = (const unsigned char *)&((const struct sockaddr_in6 *)ss)->sin6_addr, n = 16;
  } else {
    p = (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr, n = 4;
  }
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h ? h : 1;
}

/* Counts one more connection from h: its slot, -2 over the cap, -1 uncounted (no slot free
 * in its window: refusing it for other addresses' connections would be unfair). */
static int peer_take(gw_server_t *s, uint64_t h) {
  int slot = -1, over = 0;
  pthread_mutex_lock(&s->conn_mu);
  for (int i = 0; i < PEER_PROBES; i++) {
    int k = (int)((h + (uint64_t)i) % GW_PEER_SLOTS);
    if (s->peers[k].count > 0 && s->peers[k].hash == h) {
      slot = k;
      break;
    }
    if (s->peers[k].count == 0 && slot < 0) slot = k;
  }
  if (slot >= 0) {
    over = s->peers[slot].count >= s->opts.max_connections_per_ip;
    if (!over) {
      s->peers[slot].hash = h;
      s->peers[slot].count++;
    }
  }
  pthread_mutex_unlock(&s->conn_mu);
  return over ? -2 : slot;
}

static void peer_release(gw_server_t *s, int slot) {
  pthread_mutex_lock(&s->conn_mu);
  s->peers[slot].count--;
  pthread_mutex_unlock(&s->conn_mu);
}

/* ---- deadlines ------------------------------------------------------------------------ */

static void arm(gw_conn_t *c, phase_t phase) {
  gw_server_opts_t *o = &c->loop->srv->opts;
  int ms = phase == BODY ? o->body_timeout_ms : o->header_timeout_ms;
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  c->phase = phase;
  evtimer_add(c->timer, &tv);
}

/* Answers a request that missed its deadline, straight on the socket: evhttp has no request
 * object for it yet, and the connection closes right after. */
static void send_timeout_reply(gw_conn_t *c) {
  gw_server_t *s = c->loop->srv;
  char buf[2048];
  evutil_socket_t fd = bufferevent_getfd(c->bev);
  c->line[c->line_n] = '\0';
  size_t n = s->opts.timeout_reply ? s->opts.timeout_reply(s->arg, c->line, buf, sizeof(buf)) : 0;
  if (fd >= 0 && n > 0 && send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
    HG_DEBUG("gateway", NULL, "408 not sent: the client is gone");
}

static void on_deadline(evutil_socket_t fd, short what, void *arg) {
  gw_conn_t *c = arg;
  (void)fd, (void)what;
  if (c->phase == ANSWERING) return;
  if (c->phase != WAITING) send_timeout_reply(c);
  evhttp_connection_free(c->evcon); /* runs on_close, which frees c */
}

/* Follows the request as its bytes arrive: its first line (for the 408's dialect) and the
 * empty line that ends its headers (blank lines before the request line are skipped, as
 * evhttp skips them). */
static void watch_bytes(gw_conn_t *c, const char *p, size_t n) {
  for (size_t i = 0; i < n && c->phase != BODY; i++) {
    char ch = p[i];
    c->phase = HEADERS;
    if (ch == '\r') continue;
    if (ch != '\n') {
      if (!c->line_done && c->line_n < LINE_MAX_SHOWN) c->line[c->line_n++] = ch;
      c->cur_len++;
      continue;
    }
    if (c->line_done && c->cur_len == 0) {
      event_del(c->timer);
      arm(c, BODY);
    }
    if (c->line_n) c->line_done = 1;
    c->cur_len = 0;
  }
}

static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg) {
  gw_conn_t *c = arg;
  if (info->n_added == 0 || c->phase == ANSWERING || c->phase == BODY) return;
  size_t len = evbuffer_get_length(buf);
  struct evbuffer_ptr at;
  struct evbuffer_iovec v[8];
  if (evbuffer_ptr_set(buf, &at, len - info->n_added, EVBUFFER_PTR_SET) != 0) return;
  int n = evbuffer_peek(buf, (ev_ssize_t)info->n_added, &at, v, 8);
  for (int i = 0; i < n && i < 8; i++) watch_bytes(c, v[i].iov_base, v[i].iov_len);
}

static void reset_request(gw_conn_t *c) {
  c->line_n = 0;
  c->line_done = 0;
  c->cur_len = 0;
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void on_close(struct evhttp_connection *evcon, void *arg) {
  gw_conn_t *c = arg;
  gw_server_t *s = c->loop->srv;
  (void)evcon;
  evhttp_connection_set_closecb(c->evcon, NULL, NULL);
  evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->watch);
  event_free(c->timer);
  table_remove(c->loop, c);
  if (c->peer_slot >= 0) peer_release(s, c->peer_slot);
  atomic_fetch_sub(&s->n_conns, 1);
  free(c);
}

/* Counts the connection against the caps; 0, or -1 when it must be closed. *slot: its
 * per-address slot or -1. */
static int admit(gw_server_t *s, evutil_socket_t fd, int *slot) {
  struct sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  *slot = -1;
  if (atomic_fetch_add(&s->n_conns, 1) >= s->opts.max_connections) {
    atomic_fetch_sub(&s->n_conns, 1);
    return -1;
  }
  if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
      (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
    return 0;
  *slot = peer_take(s, peer_hash(&ss));
  if (*slot != -2) return 0;
  atomic_fetch_sub(&s->n_conns, 1);
  return -1;
}

/* Counts c's connection, or closes it over a cap; then watches it. c is freed on failure. */
static void adopt(gw_conn_t *c, struct evhttp_connection *evcon) {
  gw_loop_t *l = c->loop;
  gw_server_t *s = l->srv;
  if (admit(s, bufferevent_getfd(c->bev), &c->peer_slot) != 0) {
    HG_DEBUG("gateway", NULL, "connection refused: over --max-connections(-per-ip)");
    free(c);
    evhttp_connection_free(evcon);
    return;
  }
  c->evcon = evcon;
  c->timer = evtimer_new(l->base, on_deadline, c);
  c->watch = c->timer ? evbuffer_add_cb(bufferevent_get_input(c->bev), on_input, c) : NULL;
  if (!c->watch) {
    if (c->timer) event_free(c->timer);
    if (c->peer_slot >= 0) peer_release(s, c->peer_slot);
    atomic_fetch_sub(&s->n_conns, 1);
    free(c);
    evhttp_connection_free(evcon);
    return;
  }
  table_add(l, c);
  evhttp_connection_set_closecb(evcon, on_close, c);
  arm(c, WAITING);
}

/* The loop turn after the bufferevent was made: evhttp has attached its connection as the
 * bufferevent's callback argument, unless it already freed it (callbacks cleared). Our
 * reference kept the bufferevent valid until here. */
static void adopt_cb(evutil_socket_t fd, short what, void *arg) {
  gw_conn_t *c = arg;
  struct bufferevent *bev = c->bev;
  bufferevent_data_cb rd, wr;
  bufferevent_event_cb ev;
  void *evcon = NULL;
  (void)fd, (void)what;
  bufferevent_getcb(bev, &rd, &wr, &ev, &evcon);
  if (rd && evcon)
    adopt(c, evcon);
  else
    free(c);
  bufferevent_decref(bev);
}

/* evhttp's hook for a new connection's bufferevent (made as evhttp would make it).
 * Adoption is activated at once, from inside evhttp's accept callback, so it runs in this
 * same loop turn, before the next poll can deliver any of the connection's bytes: no request
 * can be dispatched (and then have its connection freed by a deadline set without knowing
 * it) before the connection is adopted. */
static struct bufferevent *make_bev(struct event_base *base, void *arg) {
  struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
  gw_conn_t *c = bev ? calloc(1, sizeof(*c)) : NULL;
  if (!c) return bev; /* short of memory: served, but neither counted nor timed */
  c->loop = arg;
  c->bev = bev;
  c->peer_slot = -1;
  bufferevent_incref(bev);
  if (event_base_once(base, -1, EV_TIMEOUT, adopt_cb, c, NULL) != 0) {
    bufferevent_decref(bev);
    free(c);
  }
  return bev;
}

int gw__conn_loop_init(gw_loop_t *l) {
  size_t cap = 16;
  while (cap < 2 * (size_t)l->srv->opts.max_connections) cap *= 2;
  if (!(l->conns = calloc(cap, sizeof(*l->conns)))) return -1;
  l->conns_cap = cap;
  evhttp_set_bevcb(l->http, make_bev, l);
  return 0;
}

void gw__conn_loop_release(gw_loop_t *l) {
  free(l->conns);
  l->conns = NULL;
}

/* Answered: the connection waits for its next request, under a fresh header deadline. */
static void on_answered(struct evhttp_request *req, void *arg) {
  gw_loop_t *l = arg;
  gw_conn_t *c = table_find(l, evhttp_request_get_connection(req));
  if (!c) return;
  reset_request(c);
  arm(c, WAITING);
}

void gw__conn_request(gw_loop_t *l, struct evhttp_request *req) {
  gw_conn_t *c = table_find(l, evhttp_request_get_connection(req));
  if (!c) return;
  event_del(c->timer);
  c->phase = ANSWERING;
  evhttp_request_set_on_complete_cb(req, on_answered, l);
}
