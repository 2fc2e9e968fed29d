/* limit_server.c - the "limit" of `make bench`: a libevent HTTP/1.1 server that answers each
 * request with bytes captured beforehand from Hangar's gateway (status line, headers and body,
 * verbatim), so a workload's req/s here is what serving those very bytes costs on this machine
 * with no transcoding, no gRPC and no storage behind it.
 *
 * Usage: limit_server [--listen HOST:PORT] [--ready-file PATH] METHOD PATTERN FILE...
 *   Each METHOD PATTERN FILE triple is one canned answer: a request whose method is METHOD and
 *   whose path (the query is ignored) matches PATTERN, where a "*" segment matches any one
 *   segment, gets FILE's bytes. Anything else gets a canned 404. --listen defaults to
 *   127.0.0.1:0 (IPv4 only); the bound address goes to --ready-file once the server accepts.
 *
 * One thread, one event loop. Requests are parsed just enough to find their end (the head and
 * a Content-Length body); a chunked request body, a head over 64 KiB or an unparsable request
 * line closes the connection, which no bench client sends. Answers are added to the output by
 * reference, never copied. SIGTERM and SIGINT end the loop and free everything. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

enum { MAX_ANSWERS = 16, MAX_HEAD = 64 * 1024 };

typedef struct {
  const char *method;
  const char *pattern;
  char *bytes; /* owned; freed at exit */
  size_t len;
} canned_t;

typedef struct {
  canned_t answers[MAX_ANSWERS];
  size_t n;
} server_t;

static const char not_found[] = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                                "Content-Length: 10\r\n\r\nnot found\n";

/* Does the path (up to '?', ' ' or the end) match the pattern, "*" matching one segment? */
static int path_matches(const char *pattern, const char *path, size_t path_len) {
  size_t i = 0;
  while (*pattern != '\0') {
    if (pattern[0] == '*' && (pattern[1] == '/' || pattern[1] == '\0')) {
      size_t start = i;
      while (i < path_len && path[i] != '/') i++;
      if (i == start) return 0;
      pattern++;
    } else {
      if (i >= path_len || path[i] != *pattern) return 0;
      i++;
      pattern++;
    }
  }
  return i == path_len;
}

static const canned_t *answer_for(const server_t *s, const char *method, size_t method_len,
                                  const char *path, size_t path_len) {
  for (size_t i = 0; i < s->n; i++) {
    const canned_t *c = &s->answers[i];
    if (strlen(c->method) == method_len && memcmp(c->method, method, method_len) == 0 &&
        path_matches(c->pattern, path, path_len))
      return c;
  }
  return NULL;
}

/* The value of a header in a NUL-terminated head, or NULL; *len gets its length. */
static const char *header_value(const char *head, const char *name, size_t *len) {
  size_t name_len = strlen(name);
  for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
    const char *h = line + 2;
    if (strncasecmp(h, name, name_len) != 0 || h[name_len] != ':') continue;
    h += name_len + 1;
    while (*h == ' ' || *h == '\t') h++;
    *len = strcspn(h, "\r");
    return h;
  }
  return NULL;
}

typedef struct {
  size_t head_len, body_len;
  int close_after; /* the client sent Connection: close */
  const char *answer;
  size_t answer_len;
} request_t;

/* Parses the NUL-terminated head; 0, or -1 when the connection should be closed. */
static int request_parse(const server_t *s, const char *head, request_t *req) {
  size_t method_len = strcspn(head, " ");
  if (head[method_len] != ' ') return -1;
  const char *target = head + method_len + 1;
  size_t path_len = strcspn(target, " ?\r");
  if (target[path_len] == '\r' || path_len == 0) return -1;
  size_t len;
  if (header_value(head, "Transfer-Encoding", &len) != NULL) return -1;
  const char *cl = header_value(head, "Content-Length", &len);
  req->body_len = cl != NULL ? strtoul(cl, NULL, 10) : 0;
  const char *conn = header_value(head, "Connection", &len);
  req->close_after = conn != NULL && len == 5 && strncasecmp(conn, "close", 5) == 0;
  const canned_t *c = answer_for(s, head, method_len, target, path_len);
  req->answer = c != NULL ? c->bytes : not_found;
  req->answer_len = c != NULL ? c->len : sizeof(not_found) - 1;
  return 0;
}

static void on_drained(struct bufferevent *bev, void *arg) {
  (void)arg;
  bufferevent_free(bev);
}

static void on_event(struct bufferevent *bev, short what, void *arg) {
  (void)what;
  (void)arg;
  bufferevent_free(bev);
}

/* Answers every complete request in the input, in order. */
static void on_read(struct bufferevent *bev, void *arg) {
  const server_t *s = arg;
  struct evbuffer *in = bufferevent_get_input(bev);
  for (;;) {
    struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos < 0) {
      if (evbuffer_get_length(in) > MAX_HEAD) bufferevent_free(bev);
      return;
    }
    request_t req = {.head_len = (size_t)end.pos + 4};
    char *head = (char *)evbuffer_pullup(in, (ev_ssize_t)req.head_len);
    char saved = head[end.pos];
    head[end.pos] = '\0'; /* the head's own "\r\n\r\n": restored before draining */
    int rc = request_parse(s, head, &req);
    head[end.pos] = saved;
    if (rc != 0) {
      bufferevent_free(bev);
      return;
    }
    if (evbuffer_get_length(in) < req.head_len + req.body_len) return;
    evbuffer_drain(in, req.head_len + req.body_len);
    evbuffer_add_reference(bufferevent_get_output(bev), req.answer, req.answer_len, NULL, NULL);
    if (req.close_after) {
      bufferevent_disable(bev, EV_READ);
      bufferevent_setcb(bev, NULL, on_drained, on_event, NULL);
      return;
    }
  }
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
                      int socklen, void *arg) {
  (void)addr;
  (void)socklen;
  int one = 1;
  /* Answers over 16 KiB (the list) must not wait for the client's delayed ACK. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  struct bufferevent *bev =
      bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev == NULL) {
    evutil_closesocket(fd);
    return;
  }
  bufferevent_setcb(bev, on_read, NULL, on_event, arg);
  bufferevent_enable(bev, EV_READ);
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
  (void)sig;
  (void)what;
  event_base_loopbreak(arg);
}

/* Reads a whole, non-empty file into a new buffer (free with free()); 0, or -1 with errno set. */
static int read_file(const char *path, char **bytes, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return -1;
  char *buf = NULL;
  size_t n = 0, cap = 0;
  int err = 0;
  for (;;) {
    if (n == cap) {
      char *grown = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (grown == NULL) {
        err = ENOMEM;
        break;
      }
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (err == 0 && ferror(f)) err = EIO;
  if (err == 0 && n == 0) err = EINVAL;
  fclose(f);
  if (err != 0) {
    free(buf);
    errno = err;
    return -1;
  }
  *bytes = buf;
  *len = n;
  return 0;
}

static int write_ready_file(const char *path, evutil_socket_t fd) {
  struct sockaddr_in sin;
  socklen_t sl = sizeof(sin);
  char ip[INET_ADDRSTRLEN];
  if (getsockname(fd, (struct sockaddr *)&sin, &sl) != 0 ||
      inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip)) == NULL)
    return -1;
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  int rc = fprintf(f, "%s:%d\n", ip, ntohs(sin.sin_port)) < 0;
  return fclose(f) != 0 || rc ? -1 : 0;
}

typedef struct {
  const char *listen, *ready_file;
} options_t;

static int parse_args(int argc, char **argv, options_t *o, server_t *s) {
  int i = 1;
  for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (strcmp(argv[i], "--listen") == 0)
      o->listen = argv[i + 1];
    else if (strcmp(argv[i], "--ready-file") == 0)
      o->ready_file = argv[i + 1];
    else
      return -1;
  }
  if (i == argc || (argc - i) % 3 != 0 || (size_t)(argc - i) / 3 > MAX_ANSWERS) return -1;
  for (; i < argc; i += 3) {
    canned_t *c = &s->answers[s->n];
    c->method = argv[i];
    c->pattern = argv[i + 1];
    if (read_file(argv[i + 2], &c->bytes, &c->len) != 0) {
      fprintf(stderr, "limit_server: %s: %s\n", argv[i + 2], strerror(errno));
      return -1;
    }
    s->n++;
  }
  return 0;
}

/* "IPv4:port", port 0 for any free one (libevent's parser refuses port 0). */
static int parse_listen(const char *listen, struct sockaddr_in *sin) {
  const char *colon = strrchr(listen, ':');
  char ip[INET_ADDRSTRLEN], *end;
  if (colon == NULL || (size_t)(colon - listen) >= sizeof(ip)) return -1;
  memcpy(ip, listen, (size_t)(colon - listen));
  ip[colon - listen] = '\0';
  long port = strtol(colon + 1, &end, 10);
  if (*end != '\0' || end == colon + 1 || port < 0 || port > 65535) return -1;
  *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? 0 : -1;
}

static int serve(const options_t *o, server_t *s) {
  struct sockaddr_in sin;
  if (parse_listen(o->listen, &sin) != 0) {
    fprintf(stderr, "limit_server: bad --listen %s (IPv4:port)\n", o->listen);
    return 1;
  }
  int rc = 1;
  struct event_base *base = event_base_new();
  struct evconnlistener *l = NULL;
  struct event *term = NULL, *intr = NULL;
  if (base == NULL) goto out;
  l = evconnlistener_new_bind(base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 1024,
                              (struct sockaddr *)&sin, sizeof(sin));
  term = evsignal_new(base, SIGTERM, on_signal, base);
  intr = evsignal_new(base, SIGINT, on_signal, base);
  if (l == NULL || term == NULL || intr == NULL || event_add(term, NULL) != 0 ||
      event_add(intr, NULL) != 0) {
    fprintf(stderr, "limit_server: cannot listen on %s: %s\n", o->listen, strerror(errno));
    goto out;
  }
  if (o->ready_file != NULL && write_ready_file(o->ready_file, evconnlistener_get_fd(l)) != 0) {
    fprintf(stderr, "limit_server: %s: %s\n", o->ready_file, strerror(errno));
    goto out;
  }
  rc = event_base_dispatch(base) < 0;
out:
  if (intr != NULL) event_free(intr);
  if (term != NULL) event_free(term);
  if (l != NULL) evconnlistener_free(l);
  if (base != NULL) event_base_free(base);
  return rc;
}

int main(int argc, char **argv) {
  options_t o = {.listen = "127.0.0.1:0"};
  server_t s = {.n = 0};
  signal(SIGPIPE, SIG_IGN);
  int rc = 2;
  if (parse_args(argc, argv, &o, &s) != 0)
    fprintf(stderr, "usage: limit_server [--listen HOST:PORT] [--ready-file PATH] "
                    "METHOD PATTERN FILE...\n");
  else
    rc = serve(&o, &s);
  for (size_t i = 0; i < s.n; i++) free(s.answers[i].bytes);
  return rc;
}
