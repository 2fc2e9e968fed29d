/* test_gateway_limits.c - the 408 a request past its header or body deadline gets
 * (gateway/limits.c): a whole HTTP/1.1 answer that closes the connection, its body in the
 * dialect of the surface the request line's path names, the default dialect when the line
 * names none. */
#include <check.h>
#include <string.h>

#include "gateway/gateway_internal.h"
#include "test_run.h"

static char buf[2048];

static const char *reply_to(const char *request_line) {
  size_t n = gw_timeout_reply(NULL, request_line, buf, sizeof(buf));
  ck_assert_uint_gt(n, 0);
  ck_assert_uint_lt(n, sizeof(buf));
  buf[n] = '\0';
  ck_assert_msg(strncmp(buf, "HTTP/1.1 408 Request Timeout\r\n", 30) == 0, "%s", buf);
  ck_assert_ptr_nonnull(strstr(buf, "\r\nConnection: close\r\n"));
  return strstr(buf, "\r\n\r\n") + 4;
}

START_TEST(test_timeout_reply_speaks_the_surfaces_dialect) {
  ck_assert_str_eq(reply_to("GET /api/v1/projects/p/resources HTTP/1.1"),
                   "{\"error\":\"Request Timeout\"}");
  ck_assert_str_eq(reply_to("POST /wrappers?x=1 HTTP/1.1"), "{\"detail\":\"Request Timeout\"}");
  const char *problem = reply_to("PATCH /v2/api-products/abc HTTP/1.1");
  ck_assert_ptr_nonnull(strstr(buf, "Content-Type: application/problem+json\r\n"));
  ck_assert_ptr_nonnull(strstr(problem, "\"status\":408"));
  ck_assert_ptr_nonnull(strstr(problem, "\"detail\":\"Request Timeout\""));
}
END_TEST

/* Cut short or never sent, the line names no surface: the default dialect answers. */
START_TEST(test_timeout_reply_without_a_path_is_in_the_default_dialect) {
  ck_assert_str_eq(reply_to(""), "{\"error\":\"Request Timeout\"}");
  ck_assert_str_eq(reply_to("GET"), "{\"error\":\"Request Timeout\"}");
  ck_assert_str_eq(reply_to("GET /v2/api-prod"), "{\"error\":\"Request Timeout\"}");
}
END_TEST

START_TEST(test_timeout_reply_that_does_not_fit_is_not_sent) {
  char small[16];
  ck_assert_uint_eq(gw_timeout_reply(NULL, "GET / HTTP/1.1", small, sizeof(small)), 0);
}
END_TEST

int main(void) {
  TEST_RUN("gateway_limits", 0, test_timeout_reply_speaks_the_surfaces_dialect,
           test_timeout_reply_without_a_path_is_in_the_default_dialect,
           test_timeout_reply_that_does_not_fit_is_not_sent);
}
