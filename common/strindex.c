/* strindex.c - string -> position hash index (FNV-1a, linear probing). */
#include "common/strindex.h"

#include <stdint.h>
#include <string.h>

static uint64_t hash(const char *s) {
  uint64_t h = 14695981039346656037ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

int hg_strindex_init(size_t max_keys, hg_arena_t *a, hg_strindex_t *x) {
  size_t slots = 8;
  while (slots < 2 * max_keys) slots *= 2;
  const char **keys = hg_arena_alloc(a, slots * sizeof(*keys));
  size_t *pos = hg_arena_alloc(a, slots * sizeof(*pos));
  if (!keys || !pos) return -1;
  memset(keys, 0, slots * sizeof(*keys));
  *x = (hg_strindex_t){keys, pos, slots - 1, 0, max_keys};
  return 0;
}

size_t hg_strindex_put(hg_strindex_t *x, const char *key, size_t pos) {
  size_t i = (size_t)hash(key) & x->mask;
  for (; x->keys[i]; i = (i + 1) & x->mask)
    if (strcmp(x->keys[i], key) == 0) return x->pos[i];
  if (x->n == x->max) return HG_STRINDEX_FULL;
  x->keys[i] = key;
  x->pos[i] = pos;
  x->n++;
  return pos;
}
