/* timestamp.c - the current time as arena text. */
#include "common/timestamp.h"

#include "common/clock.h"

char *hg_now_text(hg_arena_t *a) {
  char now[HG_RFC3339_LEN];
  hg_time_rfc3339(hg_now_ms(), now);
  return hg_arena_strdup(a, now);
}
