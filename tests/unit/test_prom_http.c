/* test_prom_http.c - common/prom_http.c over real loopback sockets: GET /metrics runs the
 * collectors in order, other paths are 404 and other methods 405, a failing collector is
 * 500 (never a partial page), bad addresses are refused, and a client that never sends its
 * request neither blocks the next scrape forever nor the stop. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/prom_http.h"
#include "test_run.h"

static int first(void *arg, hg_buf_t *out) {
  return prom_sample(out, "first_total", NULL, 0, *(const int *)arg);
}

static int second(void *arg, hg_buf_t *out) {
  (void)arg;
  return prom_sample(out, "second", NULL, 0, 2);
}

static int failing(void *arg, hg_buf_t *out) {
  (void)arg;
  hg_buf_puts(out, "partial 1\n");
  return -1;
}

static int connect_to(int port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  return fd;
}

/* Sends req on a fresh connection and reads the whole answer (the server closes). */
static char *exchange(int port, const char *req) {
  static char buf[65536];
  size_t n = 0;
  int fd = connect_to(port);
  ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
  for (ssize_t got; n + 1 < sizeof(buf) && (got = recv(fd, buf + n, sizeof(buf) - 1 - n, 0)) > 0;)
    n += (size_t)got;
  buf[n] = '\0';
  close(fd);
  return buf;
}

static prom_http_t *start(const prom_collector_t *c, size_t n) {
  prom_http_t *h = NULL;
  ck_assert_int_eq(prom_http_start("127.0.0.1:0", c, n, &h), 0);
  ck_assert_int_gt(prom_http_port(h), 0);
  return h;
}

START_TEST(test_get_metrics_runs_collectors_in_order) {
  int v = 7;
  prom_collector_t c[] = {{first, &v}, {second, NULL}};
  prom_http_t *h = start(c, 2);
  const char *r = exchange(prom_http_port(h), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ck_assert_msg(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", r);
  ck_assert_ptr_nonnull(strstr(r, "Content-Type: " PROM_CONTENT_TYPE "\r\n"));
  ck_assert_ptr_nonnull(strstr(r, "Content-Length: 23\r\n"));
  ck_assert_ptr_nonnull(strstr(r, "Connection: close\r\n"));
  ck_assert_str_eq(strstr(r, "\r\n\r\n") + 4, "first_total 7\nsecond 2\n");
  v = 8; /* each scrape renders afresh; a query string selects nothing */
  r = exchange(prom_http_port(h), "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
  ck_assert_str_eq(strstr(r, "\r\n\r\n") + 4, "first_total 8\nsecond 2\n");
  prom_http_stop(h);
}
END_TEST

START_TEST(test_other_paths_and_methods_refused) {
  prom_collector_t c[] = {{second, NULL}};
  prom_http_t *h = start(c, 1);
  int port = prom_http_port(h);
  ck_assert_msg(strncmp(exchange(port, "GET / HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 ", 13) == 0, "/");
  ck_assert(strncmp(exchange(port, "GET /metricsx HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 ", 13) == 0);
  ck_assert(strncmp(exchange(port, "GET /metrics/ HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 ", 13) == 0);
  const char *r = exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ck_assert_msg(strncmp(r, "HTTP/1.1 405 ", 13) == 0, "%s", r);
  ck_assert_ptr_nonnull(strstr(r, "Allow: GET\r\n"));
  ck_assert(strncmp(exchange(port, "nonsense\r\n\r\n"), "HTTP/1.1 400 ", 13) == 0);
  prom_http_stop(h);
}
END_TEST

START_TEST(test_failing_collector_is_500_without_partial_page) {
  prom_collector_t c[] = {{second, NULL}, {failing, NULL}};
  prom_http_t *h = start(c, 2);
  const char *r = exchange(prom_http_port(h), "GET /metrics HTTP/1.1\r\n\r\n");
  ck_assert_msg(strncmp(r, "HTTP/1.1 500 ", 13) == 0, "%s", r);
  ck_assert_ptr_null(strstr(r, "second 2"));
  ck_assert_ptr_null(strstr(r, "partial"));
  prom_http_stop(h);
}
END_TEST

START_TEST(test_bad_addresses_refused) {
  prom_http_t *h = NULL;
  ck_assert_int_eq(prom_http_start("no-port", NULL, 0, &h), -1);
  ck_assert_int_eq(prom_http_start("127.0.0.1:", NULL, 0, &h), -1);
  ck_assert_int_eq(prom_http_start("127.0.0.1:http", NULL, 0, &h), -1);
  ck_assert_int_eq(prom_http_start("[::1:0", NULL, 0, &h), -1);
  ck_assert_ptr_null(h);
  /* a port already taken */
  prom_http_t *a = start(NULL, 0);
  char addr[64];
  snprintf(addr, sizeof(addr), "127.0.0.1:%d", prom_http_port(a));
  ck_assert_int_eq(prom_http_start(addr, NULL, 0, &h), -1);
  prom_http_stop(a);
}
END_TEST

/* A client that connects and says nothing holds the listener for its budget only: the
 * next scrape is answered, and stop does not wait for the silent one. */
START_TEST(test_silent_client_does_not_stall) {
  prom_collector_t c[] = {{second, NULL}};
  prom_http_t *h = start(c, 1);
  int silent = connect_to(prom_http_port(h));
  const char *r = exchange(prom_http_port(h), "GET /metrics HTTP/1.1\r\n\r\n");
  ck_assert_msg(strncmp(r, "HTTP/1.1 200 ", 13) == 0, "%s", r);
  int again = connect_to(prom_http_port(h)); /* held while the listener stops */
  prom_http_stop(h);
  close(again);
  close(silent);
}
END_TEST

int main(void) {
  TEST_RUN("prom_http", 30, test_get_metrics_runs_collectors_in_order,
           test_other_paths_and_methods_refused, test_failing_collector_is_500_without_partial_page,
           test_bad_addresses_refused, test_silent_client_does_not_stall);
}
