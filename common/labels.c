/* labels.c - label rules, PATCH merge and the AND filter. */
#include "common/labels.h"

#include <string.h>
#include <strings.h>

#include "common/names.h"
#include "common/strindex.h"

#define LABEL_MAX_CHARS 63

static const char *const reserved_prefixes[] = {"kong", "konnect", "mesh", "kic", "_"};

int hg_label_key_valid(const char *key) {
  size_t n = strlen(key), chars = hg_utf8_length(key, n);
  if (chars < 1 || chars > LABEL_MAX_CHARS) return 0;
  for (size_t i = 0; i < sizeof(reserved_prefixes) / sizeof(reserved_prefixes[0]); i++)
    if (strncasecmp(key, reserved_prefixes[i], strlen(reserved_prefixes[i])) == 0) return 0;
  return 1;
}

static int is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ^[a-z0-9A-Z]{1}([a-z0-9A-Z-._]*[a-z0-9A-Z]+)?$, 1-63 characters: alphanumeric at both
 * ends, '-', '.', '_' allowed inside. */
int hg_label_value_valid(const char *value) {
  size_t n = strlen(value);
  if (n < 1 || n > LABEL_MAX_CHARS || !is_alnum(value[0]) || !is_alnum(value[n - 1])) return 0;
  for (size_t i = 1; i + 1 < n; i++)
    if (!is_alnum(value[i]) && !strchr("-._", value[i])) return 0;
  return 1;
}

static void entry_violation(const hg_labels_cfg_t *cfg, const char *key, const char *reason,
                            hg_arena_t *a, hg_status_t *st) {
  const char *field = hg_arena_sprintf(a, "%s.%s", cfg->field, key);
  hg_status_violation(st, field ? field : cfg->field, "is_label", reason);
}

size_t hg_labels_check(const hg_labels_cfg_t *cfg, const hg_labels_t *l, int check_count,
                       hg_arena_t *a, hg_status_t *st) {
  size_t broken = 0;
  for (size_t i = 0; i < l->n; i++) {
    const hg_label_t *e = &l->items[i];
    if (!hg_label_key_valid(e->key)) {
      entry_violation(cfg, e->key,
                      "keys must be 1-63 characters and must not start with \"kong\", "
                      "\"konnect\", \"mesh\", \"kic\" or \"_\"",
                      a, st);
      broken++;
    } else if (e->value && !hg_label_value_valid(e->value)) {
      entry_violation(cfg, e->key,
                      "values must be 1-63 characters matching "
                      "^[a-z0-9A-Z]{1}([a-z0-9A-Z-._]*[a-z0-9A-Z]+)?$",
                      a, st);
      broken++;
    }
  }
  if (check_count) broken += hg_labels_count_check(cfg, l->n, a, st);
  return broken;
}

static hg_label_t *find(hg_label_t *items, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(items[i].key, key) == 0) return &items[i];
  return NULL;
}

const char *hg_labels_get(const hg_labels_t *l, const char *key) {
  const hg_label_t *e = find(l->items, l->n, key);
  return e ? e->value : NULL;
}

size_t hg_labels_count_check(const hg_labels_cfg_t *cfg, size_t n, hg_arena_t *a, hg_status_t *st) {
  if (n <= cfg->max_count) return 0;
  const char *reason =
      hg_arena_sprintf(a, "%s must not have more than %zu entries", cfg->field, cfg->max_count);
  hg_violation_maximum(
      hg_status_violation(st, cfg->field, "max_items", reason ? reason : "too many labels"),
      (long long)cfg->max_count);
  return 1;
}

int hg_labels_merge(const hg_labels_t *cur, const hg_labels_t *patch, hg_arena_t *a,
                    hg_labels_t *out) {
  size_t cap = cur->n + patch->n, n = 0;
  hg_label_t *items = hg_arena_alloc(a, (cap ? cap : 1) * sizeof(*items));
  hg_strindex_t at; /* key -> its position in items */
  if (!items || hg_strindex_init(cap, a, &at) != 0) return -1;
  for (size_t i = 0; i < cap; i++) {
    const hg_label_t *e = i < cur->n ? &cur->items[i] : &patch->items[i - cur->n];
    size_t pos = hg_strindex_put(&at, e->key, n);
    if (pos == n)
      items[n++] = *e;
    else
      items[pos].value = e->value;
  }
  size_t kept = 0; /* drop removals, keeping order */
  for (size_t i = 0; i < n; i++)
    if (items[i].value) items[kept++] = items[i];
  *out = (hg_labels_t){items, kept};
  return 0;
}

size_t hg_label_query_check(const char *param, const char *text, size_t max, hg_arena_t *a,
                            hg_status_t *st) {
  size_t terms = 0;
  for (const char *p = text ? text : ""; *p && terms <= max; p++)
    terms += *p != ',' && (p == text || p[-1] == ','); /* a term starts here */
  if (terms <= max) return 0;
  const char *reason = hg_arena_sprintf(a, "%s must not have more than %zu terms", param, max);
  hg_violation_maximum(
      hg_status_violation(st, param, "max_items", reason ? reason : "too many label terms"),
      (long long)max);
  return 1;
}

int hg_label_query_parse(const char *text, hg_arena_t *a, hg_label_query_t *out) {
  size_t cap = 1;
  for (const char *p = text ? text : ""; *p; p++) cap += *p == ',';
  hg_label_t *terms = hg_arena_alloc(a, cap * sizeof(*terms));
  size_t n = 0;
  if (!terms) return -1;
  for (const char *p = text ? text : ""; *p;) {
    const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
    const char *colon = memchr(p, ':', (size_t)(end - p));
    if (end > p) {
      terms[n].key = hg_arena_strndup(a, p, (size_t)((colon ? colon : end) - p));
      terms[n].value = colon ? hg_arena_strndup(a, colon + 1, (size_t)(end - colon - 1)) : NULL;
      if (!terms[n].key || (colon && !terms[n].value)) return -1;
      n++;
    }
    p = comma ? comma + 1 : end;
  }
  *out = (hg_label_query_t){terms, n};
  return 0;
}

int hg_label_query_match(const hg_label_query_t *q, const hg_labels_t *l) {
  for (size_t i = 0; i < q->n; i++) {
    const char *v = hg_labels_get(l, q->terms[i].key);
    if (!v || (q->terms[i].value && strcmp(v, q->terms[i].value) != 0)) return 0;
  }
  return 1;
}
