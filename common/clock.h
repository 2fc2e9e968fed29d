/* clock.h - wall-clock time and its RFC 3339 wire form.
 * Threads: any. */
#ifndef HANGAR_CLOCK_H
#define HANGAR_CLOCK_H

#include <stdint.h>

#define HG_RFC3339_LEN 32

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t hg_now_ms(void);
/* Milliseconds on a clock that never jumps (CLOCK_MONOTONIC), for timeouts. */
int64_t hg_monotonic_ms(void);
/* "2025-01-15T14:20:00.123Z" (UTC, millisecond precision) into out. */
void hg_time_rfc3339(int64_t unix_ms, char out[HG_RFC3339_LEN]);
/* Parses RFC 3339 ("...Z" or "+hh:mm", optional fraction) into unix ms. 0 or -1. */
int hg_time_parse_rfc3339(const char *s, int64_t *unix_ms);

#endif
