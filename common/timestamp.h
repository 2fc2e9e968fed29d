/* timestamp.h - the current time as a record's timestamp text (created_at, updated_at).
 *
 * The text is clock.h's RFC 3339 form ("2025-01-15T14:20:00.123Z"), copied into an arena
 * so it can sit in a message that outlives the stack. Owns nothing. Threads: any. */
#ifndef HANGAR_TIMESTAMP_H
#define HANGAR_TIMESTAMP_H

#include "common/arena.h"

/* Now as RFC 3339 text in a; NULL on allocation failure. */
char *hg_now_text(hg_arena_t *a);

#endif
