/* list.c - paging products-svc collections: a group page in default order, or a scan,
 * filter and stable sort when the request asks for an order or a subset. */
#include "products/list.h"

#include "products/product_store.h"

/* Konnect: page[size] 1..100 (default 10, larger capped), page[number] from 1. */
static const hg_page_cfg_t page_cfg = {
    HG_PAGE_BY_NUMBER,
    {
        {HG_PAGE_SIZE, "page[size]", 10, 1, 100, HG_PAGE_CAP | HG_PAGE_EXTRAS, "min",
         "page size must be greater than or equal to 1", NULL, NULL},
        {HG_PAGE_START, "page[number]", 1, 1, 0, HG_PAGE_EXTRAS, "min",
         "page number must be greater than or equal to 1", NULL, NULL},
    },
};

size_t pr_page_resolve(const page_query_t *q, hg_status_t *st, hg_page_t *out) {
  hg_page_req_t req = {0};
  if (q) {
    req.has_size = q->_size_case == HANGAR__PRODUCTS__V1__PAGE_QUERY___SIZE_SIZE;
    req.size = q->size;
    req.has_start = q->_number_case == HANGAR__PRODUCTS__V1__PAGE_QUERY___NUMBER_NUMBER;
    req.start = q->number;
  }
  return hg_page_resolve(&page_cfg, &req, st, out);
}

list_meta_t *pr_list_meta(hg_arena_t *a, const hg_page_t *page, uint64_t total) {
  list_meta_t *m = hg_arena_alloc(a, sizeof(*m));
  Hangar__Products__V1__PageMeta *p = hg_arena_alloc(a, sizeof(*p));
  if (!m || !p) return NULL;
  hangar__products__v1__list_meta__init(m);
  hangar__products__v1__page_meta__init(p);
  p->number = page->number;
  p->size = page->size;
  p->total = (int64_t)total;
  m->page = p;
  return m;
}

/* Whole group, kept items only, sorted; then the page's window of them. */
static int scan_page(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                     const ProtobufCMessageDescriptor *d, const pr_list_query_t *q,
                     pr_list_page_t *out) {
  void **all;
  size_t n, kept = 0, count;
  uint64_t start;
  int rc = pr_load_group(txn, a, table, group, d, &all, &n);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++)
    if (!q->keep || q->keep(all[i], q->keep_arg)) all[kept++] = all[i];
  if (hg_sort_apply(&q->sort, q->cmp, all, kept, a) != 0) return STORE_ENOMEM;
  hg_page_window(&q->page, kept, &start, &count);
  out->items = all + (count ? start : 0);
  out->n = count;
  out->total = kept;
  return 0;
}

int pr_list_group(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                  const ProtobufCMessageDescriptor *d, const pr_list_query_t *q,
                  pr_list_page_t *out) {
  if (q->keep || q->sort.n) return scan_page(txn, a, table, group, d, q, out);
  int rc = group.p ? store_group_count(txn, table, group, &out->total) : STORE_ENOMEM;
  if (rc) return rc;
  return pr_load_page(txn, a, table, group, q->page.offset, (size_t)q->page.size, d, &out->items,
                      &out->n);
}
