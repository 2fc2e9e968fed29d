/* fuzz_konnect.c - Konnect's list query parsers (common/filter.c, sortspec.c, labels.c,
 * listing.c) over the text a client puts in `sort`, `filter[...]`, `labels` and `page[...]`,
 * configured as products-svc configures them.
 *
 * Input: one selector byte (filter op, paging style), then 0xff-separated parts: sort,
 * label query, labels of an item (a "k:v,k2:v2" list, also read as a PATCH), filter value,
 * item name, page size, page start, total. Properties: what parses stays within its
 * declared bounds, whatever the text; a refused parameter leaves its output unchanged; a
 * label PATCH leaves every key it sets at the value it set and no removed key behind; a
 * page window lies inside the collection. */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/filter.h"
#include "common/labels.h"
#include "common/listing.h"
#include "common/sortspec.h"
#include "common/status.h"
#include "fuzz.h"
#include "hangar/products/v1/products.pb-c.h"
#include "json/transcode.h"

#define N_PARTS 8

enum { ATTR_NAME = 0, ATTR_CREATED = 1 };
static const hg_sort_field_t sort_fields[] = {{"name", ATTR_NAME}, {"created_at", ATTR_CREATED}};
static const hg_sort_cfg_t sort_cfg = {"sort", sort_fields, 2};
static const hg_filter_field_t filter_fields[] = {{"name", ATTR_NAME, HG_FILTER_OPS_STRING}};
static const hg_filter_cfg_t filter_cfg = {"filter", filter_fields, 1};
static const hg_labels_cfg_t labels_cfg = {"labels", 50};
static const char *const ops[] = {"eq", "oeq", "neq", "contains", "ocontains", "in"};

/* Konnect's pages (products-svc list.c) and an offset style that refuses oversize pages. */
static const hg_page_cfg_t page_cfgs[] = {
    {HG_PAGE_BY_NUMBER,
     {{HG_PAGE_SIZE, "page[size]", 10, 1, 100, HG_PAGE_CAP | HG_PAGE_EXTRAS, "min", "too small",
       NULL, NULL},
      {HG_PAGE_START, "page[number]", 1, 1, 0, HG_PAGE_EXTRAS, "min", "too small", NULL, NULL}}},
    {HG_PAGE_BY_OFFSET,
     {{HG_PAGE_SIZE, "limit", 20, 1, 1000, 0, "min", "too small", "max", "too big"},
      {HG_PAGE_START, "offset", 0, 0, 0, 0, "min", "negative", NULL, NULL}}},
};

static void split(const uint8_t *data, size_t size, hg_arena_t *a, char *parts[N_PARTS]) {
  size_t start = 0;
  for (int i = 0; i < N_PARTS; i++) {
    size_t end = start;
    while (end < size && data[end] != 0xff) end++;
    parts[i] = hg_arena_strndup(a, (const char *)data + (start < size ? start : size),
                                start < size ? end - start : 0);
    FUZZ_CHECK(parts[i] != NULL);
    start = end + 1;
  }
}

static void sort(const char *text, hg_arena_t *a) {
  hg_status_t st;
  hg_sort_spec_t spec = {.n = 99};
  hg_status_clear(&st);
  if (hg_sort_parse(&sort_cfg, text, a, &st, &spec) != 0) {
    FUZZ_CHECK(spec.n == 99 && st.n_violations > 0);
    return;
  }
  FUZZ_CHECK(spec.n <= HG_SORT_MAX_KEYS);
  for (size_t i = 0; i < spec.n; i++)
    FUZZ_CHECK(spec.keys[i].id == ATTR_NAME || spec.keys[i].id == ATTR_CREATED);
}

/* "k:v,k2" as labels (a bare key is a removal, as a PATCH null is). */
static hg_labels_t as_labels(const char *text, hg_arena_t *a) {
  hg_label_query_t q;
  FUZZ_CHECK(hg_label_query_parse(text, a, &q) == 0);
  return (hg_labels_t){q.terms, q.n};
}

static void labels(const char *query, const char *item, hg_arena_t *a) {
  hg_status_t st;
  hg_label_query_t q;
  hg_labels_t have = as_labels(item, a), merged, none = {NULL, 0};
  hg_status_clear(&st);
  if (hg_label_query_check("labels", query, 50, a, &st) == 0) {
    FUZZ_CHECK(hg_label_query_parse(query, a, &q) == 0);
    FUZZ_CHECK(q.n <= 50);
    hg_label_query_match(&q, &have);
  }
  hg_labels_check(&labels_cfg, &have, 1, a, &st);
  FUZZ_CHECK(hg_labels_merge(&none, &have, a, &merged) == 0);
  hg_labels_t twice;
  FUZZ_CHECK(hg_labels_merge(&merged, &have, a, &twice) == 0);
  FUZZ_CHECK(twice.n == merged.n);
  for (size_t i = 0; i < have.n; i++) {
    const char *v = hg_labels_get(&merged, have.items[i].key);
    const char *last = NULL; /* duplicate keys: the last wins */
    for (size_t j = 0; j < have.n; j++)
      if (strcmp(have.items[j].key, have.items[i].key) == 0) last = have.items[j].value;
    FUZZ_CHECK(last ? v && strcmp(v, last) == 0 : v == NULL);
  }
}

static const char *item_name(const void *item, int id) {
  (void)id;
  return item;
}

static void filter(uint8_t sel, const char *value, const char *name, hg_arena_t *a) {
  Hangar__Products__V1__ListApiProductsRequest *req =
      (void *)tc_message_new(&hangar__products__v1__list_api_products_request__descriptor, a);
  hg_status_t st;
  hg_filter_t f = {.n = 99};
  tc_error_t err;
  FUZZ_CHECK(req != NULL);
  const char *path = hg_arena_sprintf(a, "filter.name.%s", ops[sel % 6]);
  if (tc_set_field_text(&req->base, path, value, strlen(value), a, &err) != 0) return;
  hg_status_clear(&st);
  if (hg_filter_from_message(&filter_cfg, (const ProtobufCMessage *)req->filter, a, &st, &f)) {
    FUZZ_CHECK(f.n == 99);
    return;
  }
  FUZZ_CHECK(f.n <= HG_FILTER_MAX_TERMS);
  hg_filter_match(&f, item_name, name);
}

static void page(uint8_t sel, char *const parts[N_PARTS]) {
  const hg_page_cfg_t *cfg = &page_cfgs[sel & 1];
  hg_page_req_t req = {.has_size = *parts[5] != '\0',
                       .size = strtoll(parts[5], NULL, 10),
                       .has_start = *parts[6] != '\0',
                       .start = strtoll(parts[6], NULL, 10)};
  hg_page_t p = {.size = -7};
  hg_status_t st;
  hg_status_clear(&st);
  if (hg_page_resolve(cfg, &req, &st, &p) != 0) {
    FUZZ_CHECK(p.size == -7);
    return;
  }
  FUZZ_CHECK(p.size >= cfg->bounds[0].min && (!cfg->bounds[0].max || p.size <= cfg->bounds[0].max));
  uint64_t total = strtoull(parts[7], NULL, 10), start;
  size_t count;
  hg_page_window(&p, total, &start, &count);
  FUZZ_CHECK(count <= (uint64_t)p.size &&
             (count == 0 || (start < total && count <= total - start)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  hg_arena_t *a = hg_arena_new();
  char *parts[N_PARTS];
  FUZZ_CHECK(a != NULL);
  split(data + 1, size - 1, a, parts);
  sort(parts[0], a);
  labels(parts[1], parts[2], a);
  filter(data[0] >> 1, parts[3], parts[4], a);
  page(data[0], parts);
  hg_arena_free(a);
  return 0;
}
