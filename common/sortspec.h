/* sortspec.h - the `sort` query parameter: "name", "name desc", "-name" (descending, as
 * Kong's APIs also write it), "a,b desc" (Konnect style).
 *
 * A surface lists the attributes it can sort by in a table (name -> id); hg_sort_parse
 * turns the text into keys, and an attribute outside the table is one violation with rule
 * "enum" and the table's names as choices ('"sort" field must contain any of: [name]', as
 * Konnect words it). A direction other than asc/desc is an "enum" violation with choices
 * asc, desc. The caller then sorts with hg_sort_apply, comparing one attribute at a time
 * through its own comparison function; the sort is stable, so items equal on every key
 * keep their default (storage) order.
 * Owns nothing; results live in the caller's arena. Threads: any; reentrant. */
#ifndef HANGAR_SORTSPEC_H
#define HANGAR_SORTSPEC_H

#include <stddef.h>

#include "common/arena.h"
#include "common/status.h"

#define HG_SORT_MAX_KEYS 8

typedef struct hg_sort_field {
  const char *name; /* as written in the query, e.g. "name" */
  int id;           /* handed to the comparison function */
} hg_sort_field_t;

typedef struct hg_sort_cfg {
  const char *param; /* violation field, e.g. "sort" */
  const hg_sort_field_t *fields;
  size_t n_fields;
} hg_sort_cfg_t;

typedef struct hg_sort_key {
  int id;
  int desc;
} hg_sort_key_t;

typedef struct hg_sort_spec {
  size_t n; /* 0: no sort requested (default order) */
  hg_sort_key_t keys[HG_SORT_MAX_KEYS];
} hg_sort_spec_t;

/* Parses text (NULL or "" = no keys). Returns the number of violations appended to st (their
 * strings live in a); when nonzero, *out is unchanged. More than HG_SORT_MAX_KEYS keys is a
 * "max_items" violation. */
size_t hg_sort_parse(const hg_sort_cfg_t *cfg, const char *text, hg_arena_t *a, hg_status_t *st,
                     hg_sort_spec_t *out);

/* Compares attribute id of two items: <0, 0, >0 as strcmp. */
typedef int (*hg_sort_cmp_fn)(const void *x, const void *y, int id);

/* Stable sort of items[0..n) by spec (a no-op when spec->n == 0). Scratch space comes from
 * a. 0, or -1 on allocation failure (items unchanged). */
int hg_sort_apply(const hg_sort_spec_t *spec, hg_sort_cmp_fn cmp, void **items, size_t n,
                  hg_arena_t *a);

#endif
