/* list.c - paging products-svc collections: a group page in default order, or a scan,
 * filter and stable sort when the request asks for an order or a subset; and the one List
 * answer every collection gives, configured by its pr_reads_t. */
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
  uint64_t start, total = 0;
  int rc = group.p ? store_group_count(txn, table, group, &total) : STORE_ENOMEM;
  if (rc == 0 && total > PR_SCAN_MAX) rc = PR_SCAN_TOO_LARGE;
  if (rc == 0) rc = pr_load_group(txn, a, table, group, d, &all, &n);
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

void pr_list_use_name_index(pr_list_query_t *q, const hg_filter_t *f, int name_attr,
                            int has_label_query) {
  int by_name = q->sort.n && q->sort.keys[0].id == name_attr;
  int only_eq = f->n == 1 && f->terms[0].id == name_attr && f->terms[0].op == HG_FILTER_EQ;
  if (has_label_query || !(only_eq || (by_name && f->n == 0))) return;
  q->by_name = 1;
  q->desc = by_name && q->sort.keys[0].desc;
  q->eq = only_eq ? f->terms[0].value : NULL;
}

static void reverse(void **v, size_t n) {
  for (size_t i = 0; i < n / 2; i++) {
    void *t = v[i];
    v[i] = v[n - 1 - i];
    v[n - 1 - i] = t;
  }
}

/* A page in name order: the equal names of q->eq (few; then kept and windowed), or a window
 * of the whole index walked from its nearer end. */
static int name_page(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                     const ProtobufCMessageDescriptor *d, const pr_list_query_t *q,
                     pr_list_page_t *out) {
  store_val_t prefix = pr_name_key(a, group, q->eq ? q->eq : "", q->eq != NULL);
  if (!prefix.p) return STORE_ENOMEM;
  uint64_t start;
  size_t count, n, kept = 0;
  if (q->eq) {
    store_walk_t all = {0, 0, q->desc};
    int rc = pr_load_by_name(txn, a, table, prefix, &all, d, &out->items, &n);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++)
      if (!q->keep || q->keep(out->items[i], q->keep_arg)) out->items[kept++] = out->items[i];
    hg_page_window(&q->page, kept, &start, &count);
    out->items += count ? start : 0;
    out->n = count;
    out->total = kept;
    return 0;
  }
  int rc = store_group_count(txn, table, group, &out->total);
  if (rc) return rc;
  hg_page_window(&q->page, out->total, &start, &count);
  out->items = NULL;
  out->n = 0;
  if (count == 0) return 0;
  int flip = start > out->total / 2; /* nearer from the other end */
  store_walk_t w = {flip ? out->total - start - count : start, count, flip ? !q->desc : q->desc};
  rc = pr_load_by_name(txn, a, table, prefix, &w, d, &out->items, &out->n);
  if (rc == 0 && flip) reverse(out->items, out->n);
  return rc;
}

int pr_list_group(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                  const ProtobufCMessageDescriptor *d, const pr_list_query_t *q,
                  pr_list_page_t *out) {
  if (q->by_name) return name_page(txn, a, table, group, d, q, out);
  if (q->keep || q->sort.n) return scan_page(txn, a, table, group, d, q, out);
  int rc = group.p ? store_group_count(txn, table, group, &out->total) : STORE_ENOMEM;
  if (rc) return rc;
  return pr_load_page(txn, a, table, group, q->page.offset, (size_t)q->page.size, d, &out->items,
                      &out->n);
}

/* def->list_response for page's records: data, n_data and meta set through the descriptor. */
static int answer(store_txn_t *txn, hg_arena_t *a, const pr_reads_t *def, const pr_list_query_t *q,
                  const pr_list_page_t *page, ProtobufCMessage **out) {
  ProtobufCMessage *resp = hg_arena_alloc(a, def->list_response->sizeof_message);
  ProtobufCMessage **data = hg_arena_alloc(a, (page->n ? page->n : 1) * sizeof(*data));
  list_meta_t *meta = pr_list_meta(a, &q->page, page->total);
  if (!resp || !data || !meta) return STORE_ENOMEM;
  for (size_t i = 0; i < page->n; i++) {
    data[i] = pr_record_inner(def->table, page->items[i]);
    int rc = def->list_view ? def->list_view(txn, a, data[i], &data[i]) : 0;
    if (rc) return rc;
  }
  protobuf_c_message_init(def->list_response, resp);
  const ProtobufCFieldDescriptor *df =
      protobuf_c_message_descriptor_get_field_by_name(def->list_response, "data");
  const ProtobufCFieldDescriptor *mf =
      protobuf_c_message_descriptor_get_field_by_name(def->list_response, "meta");
  *(ProtobufCMessage ***)((char *)resp + df->offset) = data;
  *(size_t *)((char *)resp + df->quantifier_offset) = page->n;
  *(list_meta_t **)((char *)resp + mf->offset) = meta;
  *out = resp;
  return 0;
}

static void fail_scan_too_large(rpc_ctx_t *ctx, const pr_list_query_t *q) {
  static const char reason[] = "a sorted or filtered list reads at most 10000 records, and this "
                               "collection has more";
  const char *param = q->scan_param ? q->scan_param : q->sort.n ? "sort" : "filter";
  hg_status_t st;
  hg_status_clear(&st);
  hg_violation_maximum(hg_status_violation(&st, param, "invalid", reason), PR_SCAN_MAX);
  hg_fail_invalid(ctx, &st, PR_MSG_INVALID);
}

void pr_list_reply(rpc_ctx_t *ctx, const pr_reads_t *def, const pr_path_t *path,
                   const pr_list_query_t *q) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  store_txn_t *txn;
  store_val_t group;
  pr_list_page_t page;
  ProtobufCMessage *resp = NULL;
  if (pr_begin_scope_read_or_fail(ctx, def->scope, path, &txn, &group)) return;
  int rc = pr_list_group(txn, a, def->table, group, pr_record_types[def->table].d, q, &page);
  if (rc == 0) rc = answer(txn, a, def, q, &page, &resp);
  store_txn_end(txn);
  if (rc == PR_SCAN_TOO_LARGE)
    fail_scan_too_large(ctx, q);
  else if (rc)
    store_call_fail(ctx, &pr_store_answers, rc);
  else
    rpc_reply(ctx, resp);
}
