/* sortspec.c - parsing `sort` text against a table of attributes, and a stable merge sort.
 *
 * Merge sort rather than qsort: qsort is not stable, and a sorted page must keep the
 * default order among equal names or pages would overlap from one request to the next. */
#include "common/sortspec.h"

#include <string.h>

static const char *const directions[] = {"asc", "desc", NULL};

typedef struct token {
  const char *p;
  size_t n;
} token_t;

static int is_space(char c) { return c == ' ' || c == '\t'; }

static token_t trim(const char *p, size_t n) {
  while (n && is_space(*p)) p++, n--;
  while (n && is_space(p[n - 1])) n--;
  return (token_t){p, n};
}

static int token_eq(token_t t, const char *s) {
  return strlen(s) == t.n && memcmp(t.p, s, t.n) == 0;
}

/* The attribute names of the table, NULL-terminated, and "[a, b]" for the reason. */
static const char *const *field_names(const hg_sort_cfg_t *cfg, hg_arena_t *a) {
  const char **names = hg_arena_alloc(a, (cfg->n_fields + 1) * sizeof(*names));
  for (size_t i = 0; names && i < cfg->n_fields; i++) names[i] = cfg->fields[i].name;
  return names;
}

static char *bracketed(const char *const *names, hg_arena_t *a) {
  size_t n = 3;
  for (size_t i = 0; names[i]; i++) n += strlen(names[i]) + 2;
  char *s = hg_arena_alloc(a, n);
  if (!s) return NULL;
  strcpy(s, "[");
  for (size_t i = 0; names[i]; i++) {
    if (i) strcat(s, ", ");
    strcat(s, names[i]);
  }
  return strcat(s, "]");
}

static size_t fail_enum(const hg_sort_cfg_t *cfg, const char *what, const char *const *choices,
                        hg_arena_t *a, hg_status_t *st) {
  const char *list = choices ? bracketed(choices, a) : NULL;
  const char *reason =
      list ? hg_arena_sprintf(a, "\"%s\" %s must contain any of: %s", cfg->param, what, list)
           : "out of memory";
  hg_violation_choices(hg_status_violation(st, cfg->param, "enum", reason), choices);
  return 1;
}

/* One "attr [asc|desc]" item into *key; 0 or the violations appended. */
static size_t parse_item(const hg_sort_cfg_t *cfg, token_t item, hg_arena_t *a, hg_status_t *st,
                         hg_sort_key_t *key) {
  size_t name_n = 0;
  int minus = item.n > 1 && item.p[0] == '-'; /* "-name": descending, without a suffix */
  while (name_n < item.n && !is_space(item.p[name_n])) name_n++;
  token_t name = {item.p + minus, name_n - minus}, dir = trim(item.p + name_n, item.n - name_n);
  const hg_sort_field_t *f = NULL;
  for (size_t i = 0; i < cfg->n_fields && !f; i++)
    if (token_eq(name, cfg->fields[i].name)) f = &cfg->fields[i];
  if (!f) return fail_enum(cfg, "field", field_names(cfg, a), a, st);
  if (dir.n && (minus || (!token_eq(dir, "asc") && !token_eq(dir, "desc"))))
    return fail_enum(cfg, "direction", directions, a, st);
  *key = (hg_sort_key_t){.id = f->id, .desc = minus || token_eq(dir, "desc")};
  return 0;
}

size_t hg_sort_parse(const hg_sort_cfg_t *cfg, const char *text, hg_arena_t *a, hg_status_t *st,
                     hg_sort_spec_t *out) {
  hg_sort_spec_t spec = {0};
  if (!text || !*text) {
    *out = spec;
    return 0;
  }
  for (const char *p = text;; p++) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (spec.n == HG_SORT_MAX_KEYS) {
      hg_violation_maximum(
          hg_status_violation(st, cfg->param, "max_items", "too many sort attributes"),
          HG_SORT_MAX_KEYS);
      return 1;
    }
    size_t broken = parse_item(cfg, trim(p, n), a, st, &spec.keys[spec.n++]);
    if (broken) return broken;
    if (!comma) break;
    p = comma;
  }
  *out = spec;
  return 0;
}

/* ---- stable merge sort ---------------------------------------------------------------- */

typedef struct sorter {
  const hg_sort_spec_t *spec;
  hg_sort_cmp_fn cmp;
} sorter_t;

static int compare(const sorter_t *s, const void *x, const void *y) {
  for (size_t i = 0; i < s->spec->n; i++) {
    int c = s->cmp(x, y, s->spec->keys[i].id);
    if (c) return s->spec->keys[i].desc ? -c : c;
  }
  return 0;
}

/* Sorts v[0..n) using tmp[0..n) as scratch; on ties the left run wins (stability). */
static void merge_sort(const sorter_t *s, void **v, void **tmp, size_t n) {
  if (n < 2) return;
  size_t mid = n / 2, i = 0, j = mid, k = 0;
  merge_sort(s, v, tmp, mid);
  merge_sort(s, v + mid, tmp, n - mid);
  while (i < mid && j < n) tmp[k++] = compare(s, v[j], v[i]) < 0 ? v[j++] : v[i++];
  while (i < mid) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof(*v));
}

int hg_sort_apply(const hg_sort_spec_t *spec, hg_sort_cmp_fn cmp, void **items, size_t n,
                  hg_arena_t *a) {
  if (spec->n == 0 || n < 2) return 0;
  void **tmp = hg_arena_alloc(a, n * sizeof(*tmp));
  if (!tmp) return -1;
  sorter_t s = {spec, cmp};
  merge_sort(&s, items, tmp, n);
  return 0;
}
