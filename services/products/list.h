/* list.h - how products-svc pages its collections (common/listing, sortspec, filter and
 * labels configured for Konnect), the one loop that reads a page and the one List answer
 * (pr_list_reply), configured by the collection's pr_reads_t row (read.h).
 *
 * Default order (no sort, filter or label query) is the store group's insertion order: a
 * page is O(log n + size) and the total is the group's maintained counter. Sorting by name
 * with no other filter walks the name index (product_store.h) from the nearer end: a page
 * costs O(min(offset, total - offset) + size) index steps and decodes only its own items.
 * filter[name][eq] alone reads only the names the index holds equal to it. Any other sort,
 * filter or label query reads the whole group, sorts the kept items (stably) and cuts the
 * page from them; the total counts the kept items. Such a scan reads at most PR_SCAN_MAX
 * records: over a larger group the call is refused with INVALID_ARGUMENT naming the
 * parameter that asked for the scan, so one caller cannot hold a service thread for seconds
 * on every request.
 * Threads: any. */
#ifndef HANGAR_PRODUCTS_LIST_H
#define HANGAR_PRODUCTS_LIST_H

#include <stdint.h>

#include "common/filter.h"
#include "common/listing.h"
#include "common/sortspec.h"
#include "products/call.h"
#include "products/products.h"
#include "products/read.h"

/* Resolves the request's page under Konnect's paging (page[size] default 10, maximum 100;
 * violations name "page[size]" / "page[number]"). Returns the number of violations
 * appended to st. */
size_t pr_page_resolve(const page_query_t *q, hg_status_t *st, hg_page_t *out);

/* meta: {page: {number, size, total}} in the arena; NULL on allocation failure. */
list_meta_t *pr_list_meta(hg_arena_t *a, const hg_page_t *page, uint64_t total);

#define PR_SCAN_MAX 10000

typedef struct pr_list_query {
  hg_page_t page;
  /* Set only when the request filters: keep(item, arg) != 0 keeps an item. */
  int (*keep)(const void *item, const void *arg);
  const void *keep_arg;
  hg_sort_spec_t sort; /* n == 0: default order */
  hg_sort_cmp_fn cmp;  /* compares two items by a sort attribute id */
  /* Set by pr_list_use_name_index: the name index serves the request, in name order
   * (descending when desc); with eq, only the names equal to it (keep checks each still). */
  int by_name, desc;
  const char *eq;
  /* The request parameter that asked for a scan ("sort", "filter[name][eq]" ...), named by
   * the refusal of a scan over PR_SCAN_MAX records; NULL: "sort" or "filter". */
  const char *scan_param;
} pr_list_query_t;

/* Lets q use the collection's name index when the request allows: sorted by name (first
 * key; later keys can only be name again) with no filter and no label query, or filtered by
 * filter[name][eq] alone. name_attr is the name's sort and filter attribute id. */
void pr_list_use_name_index(pr_list_query_t *q, const hg_filter_t *f, int name_attr,
                            int has_label_query);

typedef struct pr_list_page {
  void **items; /* decoded records of type d */
  size_t n;
  uint64_t total;
} pr_list_page_t;

/* pr_list_group's refusal of a scan over PR_SCAN_MAX records (store errors are negative). */
#define PR_SCAN_TOO_LARGE 1

/* Reads one page of group in table under q. 0, PR_SCAN_TOO_LARGE or a store error. */
int pr_list_group(store_txn_t *txn, hg_arena_t *a, int table, store_val_t group,
                  const ProtobufCMessageDescriptor *d, const pr_list_query_t *q,
                  pr_list_page_t *out);

/* Answers a List call: in one read transaction under path (pr_begin_scope_read_or_fail),
 * the page q selects of def's group, each record's item (def->list_view); replies
 * def->list_response with those items as `data` and meta {page: {number, size, total}}.
 * Store failures are answered by pr_store_answers. q is borrowed for the call. */
void pr_list_reply(rpc_ctx_t *ctx, const pr_reads_t *def, const pr_path_t *path,
                   const pr_list_query_t *q);

#endif
