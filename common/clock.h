/* clock.h - wall-clock and monotonic time, and the RFC 3339 wire form of a timestamp.
 *
 * One RFC 3339 parser with two modes: lax (what a stored or internal timestamp is read
 * with) and strict (section 5.6 grammar, for timestamps a client sends). Both end in the
 * same conversion, so a text both accept reads as the same instant.
 * Threads: any; every call is reentrant. */
#ifndef HANGAR_CLOCK_H
#define HANGAR_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "common/arena.h"

#define HG_RFC3339_LEN 32

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t hg_now_ms(void);
/* Milliseconds on a clock that never jumps (CLOCK_MONOTONIC), for timeouts. */
int64_t hg_monotonic_ms(void);
/* The same clock in microseconds, for latencies. */
int64_t hg_monotonic_us(void);
/* The instant ms (>= 0) milliseconds from now on clock id, as the absolute time that
 * pthread_cond_timedwait takes: CLOCK_REALTIME for a default condition variable, the clock
 * set with pthread_condattr_setclock otherwise. */
struct timespec hg_timespec_after(clockid_t id, int64_t ms);
/* "2025-01-15T14:20:00.123Z" (UTC, millisecond precision) into out; a negative time is
 * written as the epoch. */
void hg_time_rfc3339(int64_t unix_ms, char out[HG_RFC3339_LEN]);
/* Now as RFC 3339 text copied into a (a record's created_at, updated_at); NULL on
 * allocation failure. */
char *hg_now_text(hg_arena_t *a);

typedef enum {
  /* strptime's reading: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)", fields as strptime
   * takes them (a day past the month's end rolls over), T and Z in either case. */
  HG_RFC3339_LAX,
  /* RFC 3339 section 5.6 exactly: two-digit fields, a day that exists in its month,
   * second 60 (a leap second) allowed, T and Z in either case. */
  HG_RFC3339_STRICT,
} hg_rfc3339_mode_t;

/* Parses s in mode into unix ms (a fraction beyond milliseconds is cut). 0, or -1 when s
 * is not a timestamp in that mode; *unix_ms is unchanged then. */
int hg_time_parse_rfc3339(const char *s, hg_rfc3339_mode_t mode, int64_t *unix_ms);

#endif
