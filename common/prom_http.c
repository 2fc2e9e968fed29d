/* prom_http.c - the metrics listener: a poll/accept loop on its own thread.
 *
 * Not libevent: common does not link it, and a listener that answers one scrape at a time
 * needs no event loop. The thread sleeps in poll() on the listening socket and a pipe that
 * prom_http_stop() writes to, so stopping never waits for a connection to arrive. */
#include "common/prom_http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"

#define HEAD_MAX 8192
#define CLIENT_BUDGET_MS 2000
#define BACKLOG 16

struct prom_http {
  int fd;
  int wake[2]; /* [1] written by prom_http_stop, [0] polled by the thread */
  int port;
  pthread_t thread;
  prom_collector_t c[PROM_HTTP_MAX_COLLECTORS];
  size_t n;
};

/* "host:port" or "[v6]:port" into host ("" = every address) and port. 0 or -1. */
static int split_addr(const char *addr, char *host, size_t hcap, char *port, size_t pcap) {
  const char *colon = strrchr(addr, ':');
  const char *h = addr, *h_end = colon;
  if (!colon || !colon[1] || strlen(colon + 1) >= pcap) return -1;
  if (addr[0] == '[') {
    h = addr + 1;
    if (colon == addr || colon[-1] != ']') return -1;
    h_end = colon - 1;
  }
  if ((size_t)(h_end - h) >= hcap) return -1;
  memcpy(host, h, (size_t)(h_end - h));
  host[h_end - h] = '\0';
  strcpy(port, colon + 1);
  return 0;
}

static int bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return -1;
}

/* A listening socket on the first address of host:port that binds; -1 when none does. */
static int listen_on(const char *host, const char *port) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC,
                           .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                  *res = NULL;
  int fd = -1, one = 1;
  if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0) return -1;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
}

/* ---- one connection ------------------------------------------------------------------- */

/* Reads the request head (through the blank line) into buf within the client's budget.
 * Returns its length, or -1 when it did not arrive whole (closed, too big, too slow, or the
 * listener is stopping). */
static ssize_t read_head(prom_http_t *h, int c, char *buf, size_t cap) {
  int64_t until = hg_monotonic_ms() + CLIENT_BUDGET_MS;
  size_t n = 0;
  while (n + 1 < cap) {
    int64_t left = until - hg_monotonic_ms();
    struct pollfd p[2] = {{.fd = c, .events = POLLIN}, {.fd = h->wake[0], .events = POLLIN}};
    if (left <= 0 || poll(p, 2, (int)left) <= 0 || p[1].revents) return -1;
    ssize_t got = recv(c, buf + n, cap - 1 - n, 0);
    if (got <= 0) return -1;
    n += (size_t)got;
    buf[n] = '\0';
    if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) return (ssize_t)n;
  }
  return -1;
}

static int send_all(int c, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(c, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void answer(int c, int status, const char *reason, const char *extra, const char *type,
                   const char *body, size_t len) {
  char head[256];
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                   "Connection: close\r\n\r\n",
                   status, reason, type, len, extra);
  if (n > 0 && (size_t)n < sizeof(head) && send_all(c, head, (size_t)n) == 0)
    send_all(c, body, len);
}

/* The exposition of every collector; 500 when one fails (a partial page would read as
 * series that vanished). */
static void answer_metrics(prom_http_t *h, int c) {
  hg_buf_t out = HG_BUF_INIT;
  int rc = hg_buf_reserve(&out, 16384);
  for (size_t i = 0; i < h->n && rc == 0; i++) rc = h->c[i].fn(h->c[i].arg, &out);
  if (rc == 0)
    answer(c, 200, "OK", "", PROM_CONTENT_TYPE, out.p ? out.p : "", out.n);
  else
    answer(c, 500, "Internal Server Error", "", "text/plain", "cannot render metrics\n", 22);
  hg_buf_free(&out);
}

static void serve(prom_http_t *h, int c) {
  char buf[HEAD_MAX], method[16], target[1024];
  struct timeval tv = {.tv_sec = CLIENT_BUDGET_MS / 1000};
  setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (read_head(h, c, buf, sizeof(buf)) < 0) return;
  if (sscanf(buf, "%15s %1023s HTTP/1.%*c", method, target) != 2) {
    answer(c, 400, "Bad Request", "", "text/plain", "bad request\n", 12);
    return;
  }
  target[strcspn(target, "?")] = '\0'; /* a query string selects nothing here */
  if (strcmp(target, "/metrics") != 0)
    answer(c, 404, "Not Found", "", "text/plain", "not found\n", 10);
  else if (strcmp(method, "GET") != 0)
    answer(c, 405, "Method Not Allowed", "Allow: GET\r\n", "text/plain", "GET only\n", 9);
  else
    answer_metrics(h, c);
}

static void *loop(void *arg) {
  prom_http_t *h = arg;
  for (;;) {
    struct pollfd p[2] = {{.fd = h->fd, .events = POLLIN}, {.fd = h->wake[0], .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      HG_ERROR("metrics", NULL, "poll: %s", strerror(errno));
      break;
    }
    if (p[1].revents) break;
    if (!p[0].revents) continue;
    int c = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) continue; /* the client left first, or out of descriptors for now */
    serve(h, c);
    close(c);
  }
  return NULL;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

static void release(prom_http_t *h) {
  if (h->fd >= 0) close(h->fd);
  if (h->wake[0] >= 0) close(h->wake[0]);
  if (h->wake[1] >= 0) close(h->wake[1]);
  free(h);
}

int prom_http_start(const char *addr, const prom_collector_t *collectors, size_t n,
                    prom_http_t **out) {
  char host[256], port[16];
  prom_http_t *h;
  if (!addr || n > PROM_HTTP_MAX_COLLECTORS || (n && !collectors) || !(h = calloc(1, sizeof(*h))))
    return -1;
  h->fd = h->wake[0] = h->wake[1] = -1;
  if (n) memcpy(h->c, collectors, n * sizeof(*collectors));
  h->n = n;
  if (split_addr(addr, host, sizeof(host), port, sizeof(port)) != 0) {
    HG_ERROR("metrics", NULL, "bad metrics address '%s': expected host:port", addr);
    release(h);
    return -1;
  }
  if ((h->fd = listen_on(host, port)) < 0 || (h->port = bound_port(h->fd)) < 0) {
    HG_ERROR("metrics", NULL, "cannot listen on %s", addr);
    release(h);
    return -1;
  }
  if (pipe2(h->wake, O_CLOEXEC) != 0 || pthread_create(&h->thread, NULL, loop, h) != 0) {
    HG_ERROR("metrics", NULL, "cannot start the metrics listener");
    release(h);
    return -1;
  }
  *out = h;
  return 0;
}

int prom_http_port(const prom_http_t *h) { return h->port; }

void prom_http_stop(prom_http_t *h) {
  if (!h) return;
  ssize_t w;
  do w = write(h->wake[1], "x", 1);
  while (w < 0 && errno == EINTR);
  pthread_join(h->thread, NULL);
  release(h);
}
