/* strindex.h - a fixed-size hash index from strings to positions (size_t), for linear-time
 * de-duplication of request lists (label keys, portal_ids) instead of a search per item.
 *
 * Open addressing over at least twice max_keys slots, allocated once from the caller's
 * arena; keys are borrowed and must outlive the index. Adding more than max_keys keys is a
 * caller error (hg_strindex_put refuses it). Owns nothing. Threads: one index per thread. */
#ifndef HANGAR_STRINDEX_H
#define HANGAR_STRINDEX_H

#include <stddef.h>

#include "common/arena.h"

typedef struct hg_strindex {
  const char **keys; /* borrowed; NULL = empty slot */
  size_t *pos;
  size_t mask; /* slots - 1 */
  size_t n, max;
} hg_strindex_t;

#define HG_STRINDEX_FULL ((size_t)-1)

/* An empty index for up to max_keys keys, its slots in a. 0, or -1 on allocation failure
 * (*x unchanged). */
int hg_strindex_init(size_t max_keys, hg_arena_t *a, hg_strindex_t *x);

/* The position stored for key; when key is new, stores pos for it and returns pos. So a
 * return other than pos means key was already there. HG_STRINDEX_FULL when key is new and
 * the index already holds max_keys keys (nothing stored). */
size_t hg_strindex_put(hg_strindex_t *x, const char *key, size_t pos);

#endif
