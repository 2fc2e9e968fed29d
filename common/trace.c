/* trace.c - W3C Trace Context: traceparent parsing and formatting, new ids, tracestate. */
#include "common/trace.h"

#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/random.h"

#define MAX_MEMBERS 32
#define KEY_MAX 256
#define VALUE_MAX 256

static const char hex[] = "0123456789abcdef";

/* Lowercase hex only: the spec refuses uppercase, so one id has one spelling. */
static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* 1 when s[0..n) is lowercase hex and not all '0'. */
static int hex_nonzero(const char *s, size_t n) {
  int nonzero = 0;
  for (size_t i = 0; i < n; i++) {
    int d = hex_digit(s[i]);
    if (d < 0) return 0;
    nonzero |= d;
  }
  return nonzero != 0;
}

int hg_traceparent_parse(const char *s, hg_trace_t *out) {
  if (!s) return -1;
  size_t n = strnlen(s, HG_TRACEPARENT_LEN + 1);
  if (n < HG_TRACEPARENT_LEN) return -1;
  int v1 = hex_digit(s[0]), v0 = hex_digit(s[1]);
  int f1 = hex_digit(s[53]), f0 = hex_digit(s[54]);
  if (v1 < 0 || v0 < 0 || (v1 == 15 && v0 == 15) || f1 < 0 || f0 < 0) return -1;
  if (s[2] != '-' || s[35] != '-' || s[52] != '-') return -1;
  /* Version 00 is exactly its four fields; a later version may append fields after '-'. */
  if (n > HG_TRACEPARENT_LEN && (v1 == 0 && v0 == 0 ? 1 : s[HG_TRACEPARENT_LEN] != '-')) return -1;
  if (!hex_nonzero(s + 3, 32) || !hex_nonzero(s + 36, 16)) return -1;
  memcpy(out->trace_id, s + 3, 32);
  out->trace_id[32] = '\0';
  memcpy(out->parent_id, s + 36, 16);
  out->parent_id[16] = '\0';
  out->span_id[0] = '\0';
  out->flags = (uint8_t)((f1 << 4 | f0) & 0x01);
  return 0;
}

/* Per-thread splitmix64 seeded once from getrandom(): ids need to be unique, not secret. */
static _Thread_local uint64_t rng_state;

static uint64_t rng_next(void) {
  if (rng_state == 0 && getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state)) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rng_state = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32 ^ (uint64_t)(uintptr_t)&ts;
  }
  return hg_splitmix64_next(&rng_state);
}

/* n (a multiple of 16) random lowercase hex digits into out, never all '0'. */
static void random_hex(char *out, size_t n) {
  do {
    for (size_t w = 0; w < n / 16; w++) {
      uint64_t r = rng_next();
      for (int i = 0; i < 16; i++, r >>= 4) out[w * 16 + (size_t)i] = hex[r & 15];
    }
  } while (!hex_nonzero(out, n));
  out[n] = '\0';
}

int hg_trace_begin(const char *traceparent, hg_trace_t *out) {
  int continued = hg_traceparent_parse(traceparent, out) == 0;
  if (!continued) {
    random_hex(out->trace_id, 32);
    out->parent_id[0] = '\0';
    out->flags = 0x01;
  }
  random_hex(out->span_id, 16);
  return continued;
}

void hg_traceparent_format(const hg_trace_t *t, char out[HG_TRACEPARENT_LEN + 1]) {
  memcpy(out, "00-", 3);
  memcpy(out + 3, t->trace_id, 32);
  out[35] = '-';
  memcpy(out + 36, t->span_id, 16);
  out[52] = '-';
  out[53] = hex[(t->flags >> 4) & 15];
  out[54] = hex[t->flags & 15];
  out[55] = '\0';
}

/* ---- tracestate ------------------------------------------------------------------------ */

static int is_lcalpha(char c) { return c >= 'a' && c <= 'z'; }
static int is_key_char(char c) {
  return is_lcalpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' || c == '/';
}
/* nblk-chr: printable ASCII but ',' and '='. */
static int is_value_char(char c) { return c >= 0x21 && c <= 0x7e && c != ',' && c != '='; }

/* simple-key = lcalpha 0*255(key char); multi-tenant-key = tenant-id "@" system-id with
 * tenant-id = (lcalpha / DIGIT) 0*240(key char), system-id = lcalpha 0*13(key char). */
static int key_ok(const char *k, size_t n) {
  const char *at = memchr(k, '@', n);
  if (n == 0) return 0;
  for (size_t i = 0; i < n; i++)
    if (k + i != at && !is_key_char(k[i])) return 0;
  if (!at) return is_lcalpha(k[0]) && n <= KEY_MAX;
  size_t tenant = (size_t)(at - k), system = n - tenant - 1;
  return tenant >= 1 && tenant <= 241 && (is_lcalpha(k[0]) || (k[0] >= '0' && k[0] <= '9')) &&
         system >= 1 && system <= 14 && is_lcalpha(at[1]);
}

/* value = 0*255(chr) nblk-chr, chr = SP / nblk-chr. */
static int value_ok(const char *v, size_t n) {
  if (n == 0 || n > VALUE_MAX || v[n - 1] == ' ') return 0;
  for (size_t i = 0; i < n; i++)
    if (v[i] != ' ' && !is_value_char(v[i])) return 0;
  return 1;
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

typedef struct member {
  const char *p;
  size_t n, key_n;
} member_t;

/* Splits s[0..n) into its non-empty members (trimmed of OWS). Count, or -1 when over 32. */
static int split(const char *s, size_t n, member_t *m) {
  int count = 0;
  size_t i = 0;
  while (i <= n) {
    size_t end = i;
    while (end < n && s[end] != ',') end++;
    size_t a = i, b = end;
    while (a < b && is_ows(s[a])) a++;
    while (b > a && is_ows(s[b - 1])) b--;
    if (b > a) {
      if (count == MAX_MEMBERS) return -1;
      m[count++] = (member_t){s + a, b - a, 0};
    }
    i = end + 1;
  }
  return count;
}

int hg_tracestate_clean(const char *s, size_t n, char out[HG_TRACESTATE_MAX + 1]) {
  member_t m[MAX_MEMBERS];
  int count = split(s, n, m);
  size_t len = 0;
  if (count < 0) return -1;
  for (int i = 0; i < count; i++) {
    const char *eq = memchr(m[i].p, '=', m[i].n);
    if (!eq) return -1;
    m[i].key_n = (size_t)(eq - m[i].p);
    if (!key_ok(m[i].p, m[i].key_n) || !value_ok(eq + 1, m[i].n - m[i].key_n - 1)) return -1;
    for (int j = 0; j < i; j++)
      if (m[j].key_n == m[i].key_n && memcmp(m[j].p, m[i].p, m[i].key_n) == 0) return -1;
    if (len + (i > 0) + m[i].n > HG_TRACESTATE_MAX) return -1;
    if (i > 0) out[len++] = ',';
    memcpy(out + len, m[i].p, m[i].n);
    len += m[i].n;
  }
  out[len] = '\0';
  return (int)len;
}
