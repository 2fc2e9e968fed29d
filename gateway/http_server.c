/* http_server.c - listening socket, per-core event loops and their evhttp instances.
 *
 * One socket is bound once; each loop accepts from its own dup() of it, because evhttp's
 * listener closes the descriptor it is given when freed. Once every loop has its dup the
 * original descriptor is closed, so when the loops stop accepting the port closes too. */
#include "gateway/http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "common/log.h"
#include "gateway/http_server_internal.h"

#define DEFAULT_TIMEOUT_S 15
#define DEFAULT_MAX_CONNECTIONS 10000
#define DEFAULT_MAX_CONNECTIONS_PER_IP 256
#define DEFAULT_HEADER_TIMEOUT_MS 10000
#define DEFAULT_BODY_TIMEOUT_MS 30000
#define LISTEN_BACKLOG 1024
#define ACCEPT_PAUSE_MS 100
#define ACCEPT_WARN_EVERY_S 10
#define ALL_METHODS                                                                                \
  (EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |       \
   EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH)

struct event_base *gw_loop_base(gw_loop_t *l) {
  return l->base;
}
int gw_server_port(const gw_server_t *s) { return s->port; }
int gw_server_threads(const gw_server_t *s) { return s->n_loops; }

/* "host:port", "[v6]:port", ":port" -> host (NULL = any) and port strings. */
static int split_addr(const char *addr, char *host, size_t hn, char *port, size_t pn) {
  const char *colon = strrchr(addr, ':');
  if (!colon || !colon[1] || strlen(colon + 1) >= pn) return -1;
  const char *h = addr;
  size_t len = (size_t)(colon - addr);
  if (len >= 2 && h[0] == '[' && h[len - 1] == ']') h++, len -= 2;
  if (len >= hn) return -1;
  memcpy(host, h, len);
  host[len] = '\0';
  strcpy(port, colon + 1);
  return 0;
}

static int bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t sl = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return -1;
}

static int listen_on(const struct addrinfo *ai) {
  int one = 1;
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return -1;
  /* TCP_NODELAY on the listener is inherited by every accepted socket (Linux). Without it an
   * answer over 16 KiB (evhttp writes that much at a time) holds its last segment until the
   * client's delayed ACK: 40 ms on each list page or large document. */
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
      bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

static int open_listener(const char *addr, char *err, size_t err_len) {
  char host[256], port[16];
  struct addrinfo hints = {
      .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  if (!addr || split_addr(addr, host, sizeof(host), port, sizeof(port)) != 0) {
    snprintf(err, err_len, "bad listen address '%s' (want host:port)", addr ? addr : "");
    return -1;
  }
  int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
  if (gai != 0) {
    snprintf(err, err_len, "listen address '%s': %s", addr, gai_strerror(gai));
    return -1;
  }
  int fd = -1;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) fd = listen_on(ai);
  if (fd < 0) snprintf(err, err_len, "cannot listen on '%s': %s", addr, strerror(errno));
  freeaddrinfo(res);
  return fd;
}

/* accept() failing for want of descriptors (EMFILE, ENFILE) or memory leaves the listening
 * socket readable, and libevent retried it at once, forever: both loops spun at 100% CPU
 * until a descriptor came free. Instead a loop stops accepting for ACCEPT_PAUSE_MS; the
 * pending connections wait in the backlog. */
static _Thread_local gw_loop_t *tl_loop; /* the loop this thread runs */

static void accept_resume_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd, (void)what;
  gw_loop_t *l = arg;
  if (l->bound) evconnlistener_enable(evhttp_bound_socket_get_listener(l->bound));
}

static void on_accept_error(struct evconnlistener *lev, void *arg) {
  (void)arg;
  int err = EVUTIL_SOCKET_ERROR();
  gw_loop_t *l = tl_loop;
  const struct timeval pause = {0, ACCEPT_PAUSE_MS * 1000};
  evconnlistener_disable(lev);
  if (!l || event_base_once(l->base, -1, EV_TIMEOUT, accept_resume_cb, l, &pause) != 0) {
    evconnlistener_enable(lev); /* no timer: libevent's old behaviour beats never accepting */
    return;
  }
  time_t now = time(NULL);
  if (now - l->accept_warned >= ACCEPT_WARN_EVERY_S) {
    l->accept_warned = now;
    HG_WARN("gateway", NULL, "accept: %s; pausing accepts for %d ms", strerror(err),
            ACCEPT_PAUSE_MS);
  }
}

static void on_request(struct evhttp_request *req, void *arg) {
  gw_loop_t *l = arg;
  gw__conn_request(l, req);
  l->srv->fn(req, l, l->srv->arg);
}

static int loop_init(gw_loop_t *l, const gw_server_opts_t *o, int listen_fd) {
  /* The changelist folds the epoll_ctl calls of one loop turn into one per descriptor: evhttp
   * disables and re-enables reading and writing around every request, which otherwise costs
   * about four epoll_ctl system calls per request (strace -c). */
  struct event_config *cfg = event_config_new();
  if (!cfg || event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0) {
    event_config_free(cfg);
    return -1;
  }
  l->base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (!l->base || !(l->http = evhttp_new(l->base))) return -1;
  if (gw__conn_loop_init(l) != 0) return -1;
  evhttp_set_gencb(l->http, on_request, l);
  evhttp_set_allowed_methods(l->http, ALL_METHODS);
  evhttp_set_max_body_size(l->http, (ev_ssize_t)o->max_body);
  evhttp_set_max_headers_size(l->http, (ev_ssize_t)o->max_headers);
  evhttp_set_timeout(l->http, o->timeout_s > 0 ? o->timeout_s : DEFAULT_TIMEOUT_S);
  /* Drain an oversized body before answering 413, so the client reads the answer. */
  evhttp_set_flags(l->http, EVHTTP_SERVER_LINGERING_CLOSE);
  int fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (!(l->bound = evhttp_accept_socket_with_handle(l->http, fd))) {
    close(fd);
    return -1;
  }
  evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(l->bound), on_accept_error);
  return 0;
}

static void loop_release(gw_loop_t *l) {
  if (l->http) evhttp_free(l->http);
  gw__conn_loop_release(l);
  if (l->base) event_base_free(l->base);
  l->http = NULL;
  l->base = NULL;
}

int gw_server_new(const gw_server_opts_t *o, gw_request_fn fn, void *arg, gw_server_t **out,
                  char *err, size_t err_len) {
  if (evthread_use_pthreads() != 0) {
    snprintf(err, err_len, "libevent: cannot enable pthreads locking");
    return -1;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int n = o->threads > 0 ? o->threads : (cpus > 0 ? (int)cpus : 1);
  gw_server_t *s = calloc(1, sizeof(*s));
  if (s) s->loops = calloc((size_t)n, sizeof(gw_loop_t));
  if (!s || !s->loops) {
    free(s);
    snprintf(err, err_len, "out of memory");
    return -1;
  }
  s->fn = fn, s->arg = arg, s->n_loops = n;
  s->opts = *o;
  if (s->opts.max_connections <= 0) s->opts.max_connections = DEFAULT_MAX_CONNECTIONS;
  if (s->opts.max_connections_per_ip <= 0)
    s->opts.max_connections_per_ip = DEFAULT_MAX_CONNECTIONS_PER_IP;
  if (s->opts.header_timeout_ms <= 0) s->opts.header_timeout_ms = DEFAULT_HEADER_TIMEOUT_MS;
  if (s->opts.body_timeout_ms <= 0) s->opts.body_timeout_ms = DEFAULT_BODY_TIMEOUT_MS;
  atomic_init(&s->n_conns, 0);
  pthread_mutex_init(&s->conn_mu, NULL);
  int fd = open_listener(o->listen, err, err_len);
  int rc = fd < 0 ? -1 : 0;
  if (fd >= 0 && (s->port = bound_port(fd)) < 0) rc = -1;
  for (int i = 0; i < n && rc == 0; i++) {
    s->loops[i].srv = s;
    if ((rc = loop_init(&s->loops[i], o, fd)) != 0)
      snprintf(err, err_len, "cannot set up HTTP loop %d", i);
  }
  if (fd >= 0) close(fd);
  if (rc != 0) {
    gw_server_free(s);
    return -1;
  }
  *out = s;
  return 0;
}

static void *loop_main(void *arg) {
  gw_loop_t *l = arg;
  tl_loop = l;
  event_base_loop(l->base, EVLOOP_NO_EXIT_ON_EMPTY);
  return NULL;
}

int gw_server_start(gw_server_t *s) {
  for (int i = 0; i < s->n_loops; i++) {
    if (pthread_create(&s->loops[i].thread, NULL, loop_main, &s->loops[i]) != 0) {
      HG_ERROR("gateway", NULL, "cannot start HTTP loop %d", i);
      return -1;
    }
    s->loops[i].running = 1;
  }
  return 0;
}

/* Runs on the loop's own thread: evhttp objects are not thread-safe. */
static void stop_accepting_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd, (void)what;
  gw_loop_t *l = arg;
  if (l->bound) evhttp_del_accept_socket(l->http, l->bound);
  l->bound = NULL;
}

void gw_server_stop_accepting(gw_server_t *s) {
  for (int i = 0; i < s->n_loops; i++) {
    gw_loop_t *l = &s->loops[i];
    if (!l->running) {
      stop_accepting_cb(-1, 0, l);
    } else if (event_base_once(l->base, -1, EV_TIMEOUT, stop_accepting_cb, l, NULL) != 0) {
      HG_WARN("gateway", NULL, "loop %d: cannot schedule stop-accepting", i);
    }
  }
}

/* A break requested before the thread enters event_base_loop() would be forgotten (the
 * loop clears the flag on entry), so the break is an event the loop runs itself. */
static void break_cb(evutil_socket_t fd, short what, void *arg) {
  (void)fd, (void)what;
  event_base_loopbreak(arg);
}

void gw_server_stop(gw_server_t *s) {
  for (int i = 0; i < s->n_loops; i++) {
    if (!s->loops[i].running) continue;
    struct event_base *b = s->loops[i].base;
    if (event_base_once(b, -1, EV_TIMEOUT, break_cb, b, NULL) != 0) event_base_loopbreak(b);
    pthread_join(s->loops[i].thread, NULL);
    s->loops[i].running = 0;
  }
}

void gw_server_drain(gw_server_t *s) {
  for (int i = 0; i < s->n_loops; i++)
    if (!s->loops[i].running && s->loops[i].base)
      event_base_loop(s->loops[i].base, EVLOOP_NONBLOCK);
}

void gw_server_free(gw_server_t *s) {
  if (!s) return;
  gw_server_stop(s);
  for (int i = 0; i < s->n_loops; i++) loop_release(&s->loops[i]);
  pthread_mutex_destroy(&s->conn_mu);
  free(s->loops);
  free(s);
}
