/* test_trace.c - common/trace: traceparent parsing as W3C Trace Context Level 1 reads it
 * (cases after the W3C test suite's), new traces and spans, the traceparent sent on, and
 * tracestate validation and its plain form. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/trace.h"

#include "test_run.h"

#define TID "4bf92f3577b34da6a3ce929d0e0e4736"
#define PID "00f067aa0ba902b7"

START_TEST(test_traceparent_table) {
  static const struct {
    const char *in;
    int ok;
    unsigned flags;
  } cases[] = {
      {"00-" TID "-" PID "-01", 1, 1},
      {"00-" TID "-" PID "-00", 1, 0},
      {"00-" TID "-" PID "-09", 1, 1}, /* unknown flag bits are not passed on */
      {"00-" TID "-" PID "-02", 1, 0},
      {"cc-" TID "-" PID "-01", 1, 1},      /* a later version reads as 00 */
      {"cc-" TID "-" PID "-01-what", 1, 1}, /* ... and may carry more after '-' */
      {"cc-" TID "-" PID "-01what", 0, 0},
      {"00-" TID "-" PID "-01-what", 0, 0}, /* 00 is exactly 55 characters */
      {"00-" TID "-" PID "-01 ", 0, 0},
      {"ff-" TID "-" PID "-01", 0, 0}, /* version ff is invalid */
      {"0-" TID "-" PID "-01", 0, 0},
      {"00-00000000000000000000000000000000-" PID "-01", 0, 0},
      {"00-" TID "-0000000000000000-01", 0, 0},
      {"00-4BF92F3577B34DA6A3CE929D0E0E4736-" PID "-01", 0, 0}, /* uppercase */
      {"00-" TID "-00F067AA0BA902B7-01", 0, 0},
      {"00-" TID "-" PID "-0A", 0, 0},
      {"00-" TID "-" PID "-1", 0, 0},
      {"00-" TID "-" PID "-0g", 0, 0},
      {"00-4bf92f3577b34da6a3ce929d0e0e473-" PID "-01", 0, 0}, /* short trace id */
      {"00-" TID "0-" PID "-01", 0, 0},
      {"00_" TID "-" PID "-01", 0, 0},
      {"00-" TID "_" PID "-01", 0, 0},
      {"00-" TID "-" PID "_01", 0, 0},
      {"00-" TID "-" PID "-.1", 0, 0},
      {"", 0, 0},
      {"00-" TID "-" PID, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_trace_t t;
    memset(&t, 'x', sizeof(t));
    int rc = hg_traceparent_parse(cases[i].in, &t);
    ck_assert_msg((rc == 0) == cases[i].ok, "%s: %d", cases[i].in, rc);
    if (!cases[i].ok) {
      ck_assert_msg(t.trace_id[0] == 'x' && t.flags == (unsigned char)'x', "%s changed out",
                    cases[i].in);
      continue;
    }
    ck_assert_str_eq(t.trace_id, TID);
    ck_assert_str_eq(t.parent_id, PID);
    ck_assert_str_eq(t.span_id, "");
    ck_assert_uint_eq(t.flags, cases[i].flags);
  }
  ck_assert_int_eq(hg_traceparent_parse(NULL, &(hg_trace_t){0}), -1);
}
END_TEST

static int lower_hex(const char *s, size_t n) {
  if (strlen(s) != n || strspn(s, "0123456789abcdef") != n) return 0;
  return strspn(s, "0") != n;
}

START_TEST(test_continue_keeps_trace_new_span) {
  hg_trace_t t;
  char out[HG_TRACEPARENT_LEN + 1];
  ck_assert_int_eq(hg_trace_begin("00-" TID "-" PID "-01", &t), 1);
  ck_assert_str_eq(t.trace_id, TID);
  ck_assert_str_eq(t.parent_id, PID);
  ck_assert(lower_hex(t.span_id, 16));
  ck_assert_str_ne(t.span_id, PID);
  hg_traceparent_format(&t, out);
  ck_assert_uint_eq(strlen(out), HG_TRACEPARENT_LEN);
  ck_assert(strncmp(out, "00-" TID "-", 36) == 0);
  ck_assert(strncmp(out + 36, t.span_id, 16) == 0);
  ck_assert_str_eq(out + 52, "-01");
  /* what the gateway sends parses as the same trace with the gateway's span as parent */
  hg_trace_t next;
  ck_assert_int_eq(hg_traceparent_parse(out, &next), 0);
  ck_assert_str_eq(next.trace_id, TID);
  ck_assert_str_eq(next.parent_id, t.span_id);
}
END_TEST

START_TEST(test_not_sampled_stays_not_sampled) {
  hg_trace_t t;
  char out[HG_TRACEPARENT_LEN + 1];
  ck_assert_int_eq(hg_trace_begin("00-" TID "-" PID "-00", &t), 1);
  hg_traceparent_format(&t, out);
  ck_assert_str_eq(out + 52, "-00");
}
END_TEST

START_TEST(test_missing_or_invalid_starts_a_trace) {
  const char *inputs[] = {NULL, "", "00-00000000000000000000000000000000-" PID "-01", "garbage"};
  char seen[4][33];
  for (size_t i = 0; i < 4; i++) {
    hg_trace_t t;
    char out[HG_TRACEPARENT_LEN + 1];
    ck_assert_int_eq(hg_trace_begin(inputs[i], &t), 0);
    ck_assert(lower_hex(t.trace_id, 32));
    ck_assert(lower_hex(t.span_id, 16));
    ck_assert_str_eq(t.parent_id, "");
    ck_assert_uint_eq(t.flags, 1);
    hg_traceparent_format(&t, out);
    hg_trace_t back;
    ck_assert_int_eq(hg_traceparent_parse(out, &back), 0);
    ck_assert_str_eq(back.trace_id, t.trace_id);
    ck_assert_str_eq(out + 52, "-01");
    memcpy(seen[i], t.trace_id, 33);
    for (size_t j = 0; j < i; j++) ck_assert_str_ne(seen[j], seen[i]);
  }
}
END_TEST

START_TEST(test_tracestate_table) {
  static const struct {
    const char *in;
    const char *out; /* NULL: invalid */
  } cases[] = {
      {"", ""},
      {"   ", ""},
      {"rojo=00f067aa0ba902b7", "rojo=00f067aa0ba902b7"},
      {"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"},
      {" rojo=1 ,\tcongo=2\t", "rojo=1,congo=2"},
      {"rojo=1,,congo=2, ,", "rojo=1,congo=2"},
      {"tenant1@system=x", "tenant1@system=x"},
      {"1tenant@sys-tem_*/=x", "1tenant@sys-tem_*/=x"},
      {"a=b c", "a=b c"},
      {"a= b", "a= b"},
      {"a_-*/0=!~", "a_-*/0=!~"},
      {"Rojo=1", NULL},   /* keys are lowercase */
      {"1rojo=1", NULL},  /* a simple key starts with a letter */
      {"rojo", NULL},     /* no value */
      {"rojo=", NULL},    /* empty value */
      {"rojo=a=b", NULL}, /* '=' in a value */
      {"rojo=1,rojo=2", NULL},
      {"a@=1", NULL},
      {"@a=1", NULL},
      {"t@1sys=1", NULL},            /* a system id starts with a letter */
      {"t@systemsystemsys=1", NULL}, /* system id over 14 */
      {"t@systemsystemsy=1", "t@systemsystemsy=1"},
      {"t@a@b=1", NULL},          /* two '@' */
      {"ro.jo=1", NULL},          /* '.' in a key */
      {"rojo=\x01", NULL},        /* control character */
      {"rojo=caf\xc3\xa9", NULL}, /* non-ASCII */
      {"rojo=1;2", "rojo=1;2"},   /* ; is a value character */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char out[HG_TRACESTATE_MAX + 1];
    int n = hg_tracestate_clean(cases[i].in, strlen(cases[i].in), out);
    if (!cases[i].out) {
      ck_assert_msg(n == -1, "%s: %d", cases[i].in, n);
      continue;
    }
    ck_assert_msg(n == (int)strlen(cases[i].out), "%s: %d", cases[i].in, n);
    ck_assert_str_eq(out, cases[i].out);
  }
}
END_TEST

/* n members k0=v ... k<n-1>=v, each padded with spaces around the comma. */
static void members(char *buf, int n, const char *value) {
  buf[0] = '\0';
  for (int i = 0; i < n; i++)
    snprintf(buf + strlen(buf), 4096 - strlen(buf), "%sk%d=%s", i ? " , " : "", i, value);
}

START_TEST(test_tracestate_bounds) {
  char in[4096], out[HG_TRACESTATE_MAX + 1], key[300], value[300];
  members(in, 32, "v");
  ck_assert_int_gt(hg_tracestate_clean(in, strlen(in), out), 0);
  members(in, 33, "v");
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), -1);
  memset(value, 'v', 256);
  value[256] = '\0';
  snprintf(in, sizeof(in), "a=%s", value);
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), 258);
  snprintf(in, sizeof(in), "a=%sv", value);
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), -1);
  key[0] = 'k';
  memset(key + 1, 'e', 255);
  key[256] = '\0';
  snprintf(in, sizeof(in), "%s=1", key);
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), 258);
  snprintf(in, sizeof(in), "%se=1", key);
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), -1);
  /* a plain form of 512 bytes passes, 513 do not ("a=" 254 "," "b=" 253 is 512) */
  memset(value, 'v', 254);
  value[254] = '\0';
  snprintf(in, sizeof(in), " a=%s , b=%.253s ", value, value);
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), 512);
  snprintf(in, sizeof(in), "a=%s,b=%s", value, value);
  ck_assert_int_eq(hg_tracestate_clean(in, strlen(in), out), -1);
}
END_TEST

int main(void) {
  TEST_RUN("trace", 0, test_traceparent_table, test_continue_keeps_trace_new_span,
           test_not_sampled_stays_not_sampled, test_missing_or_invalid_starts_a_trace,
           test_tracestate_table, test_tracestate_bounds);
}
