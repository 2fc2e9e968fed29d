/* clock.c - time helpers; all wire timestamps are UTC with millisecond precision so two
 * updates within one second still get different updated_at values. */
#include "common/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t hg_now_ms(void) { return clock_ns(CLOCK_REALTIME) / 1000000; }

int64_t hg_monotonic_ms(void) { return clock_ns(CLOCK_MONOTONIC) / 1000000; }

int64_t hg_monotonic_us(void) { return clock_ns(CLOCK_MONOTONIC) / 1000; }

struct timespec hg_timespec_after(clockid_t id, int64_t ms) {
  struct timespec ts;
  clock_gettime(id, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (ms % 1000) * 1000000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000;
  }
  return ts;
}

void hg_time_rfc3339(int64_t unix_ms, char out[HG_RFC3339_LEN]) {
  if (unix_ms < 0) unix_ms = 0;
  time_t secs = (time_t)(unix_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  size_t n = strftime(out, HG_RFC3339_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
  unsigned ms = (unsigned)(unix_ms % 1000);
  snprintf(out + n, HG_RFC3339_LEN - n, ".%03uZ", ms % 1000u);
}

/* ---- strict grammar ------------------------------------------------------------------- */

/* Digits s[0..n) as a number, or -1 unless all n are ASCII digits. */
static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Is s an RFC 3339 date-time (section 5.6)? No "2025-02-30" rolled over into March. */
static int strict_date_time(const char *s) {
  size_t n = strlen(s);
  if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':')
    return 0;
  int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
  int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 ||
      mi < 0 || mi > 59 || sec < 0 || sec > 60)
    return 0;
  const char *p = s + 19;
  if (*p == '.') {
    const char *f = ++p;
    while (*p >= '0' && *p <= '9') p++;
    if (p == f) return 0;
  }
  if ((*p == 'Z' || *p == 'z') && p[1] == '\0') return 1;
  if ((*p != '+' && *p != '-') || strlen(p) != 6 || p[3] != ':') return 0;
  int oh = digits(p + 1, 2), om = digits(p + 4, 2);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

/* ---- conversion (the lax reading) ----------------------------------------------------- */

static int parse_fraction_ms(const char **p) {
  int ms = 0, digits = 0;
  if (**p != '.') return 0;
  for ((*p)++; **p >= '0' && **p <= '9'; (*p)++, digits++)
    if (digits < 3) ms = ms * 10 + (**p - '0');
  if (digits == 0) return -1;
  for (; digits < 3; digits++) ms *= 10;
  return ms;
}

static int parse_offset_min(const char *p, int *offset) {
  int h, m;
  if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
    *offset = 0;
    return 0;
  }
  if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || sscanf(p + 1, "%2d:%2d", &h, &m) != 2)
    return -1;
  if (h > 23 || m > 59) return -1;
  *offset = (p[0] == '-' ? -1 : 1) * (h * 60 + m);
  return 0;
}

/* The strict grammar is a subset of the lax one, so strict is "lax, after the grammar". */
int hg_time_parse_rfc3339(const char *s, hg_rfc3339_mode_t mode, int64_t *unix_ms) {
  struct tm tm = {0};
  if (mode == HG_RFC3339_STRICT && !strict_date_time(s)) return -1;
  const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!p) p = strptime(s, "%Y-%m-%dt%H:%M:%S", &tm);
  if (!p) return -1;
  int ms = parse_fraction_ms(&p), offset;
  if (ms < 0 || parse_offset_min(p, &offset) != 0) return -1;
  int64_t secs = (int64_t)timegm(&tm) - (int64_t)offset * 60;
  *unix_ms = secs * 1000 + ms;
  return 0;
}

char *hg_now_text(hg_arena_t *a) {
  char now[HG_RFC3339_LEN];
  hg_time_rfc3339(hg_now_ms(), now);
  return hg_arena_strdup(a, now);
}
