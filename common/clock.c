/* clock.c - time helpers; all wire timestamps are UTC with millisecond precision so two
 * updates within one second still get different updated_at values. */
#include "common/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t hg_now_ms(void) { return clock_ms(CLOCK_REALTIME); }

int64_t hg_monotonic_ms(void) { return clock_ms(CLOCK_MONOTONIC); }

void hg_time_rfc3339(int64_t unix_ms, char out[HG_RFC3339_LEN]) {
  if (unix_ms < 0) unix_ms = 0;
  time_t secs = (time_t)(unix_ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  size_t n = strftime(out, HG_RFC3339_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
  unsigned ms = (unsigned)(unix_ms % 1000);
  snprintf(out + n, HG_RFC3339_LEN - n, ".%03uZ", ms % 1000u);
}

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

int hg_time_parse_rfc3339(const char *s, int64_t *unix_ms) {
  struct tm tm = {0};
  const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!p) p = strptime(s, "%Y-%m-%dt%H:%M:%S", &tm);
  if (!p) return -1;
  int ms = parse_fraction_ms(&p), offset;
  if (ms < 0 || parse_offset_min(p, &offset) != 0) return -1;
  int64_t secs = (int64_t)timegm(&tm) - (int64_t)offset * 60;
  *unix_ms = secs * 1000 + ms;
  return 0;
}
