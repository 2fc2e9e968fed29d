/* listing.c - resolving page[size]/page[number] against a surface's paging settings. */
#include "common/listing.h"

/* One row per parameter, so size and number are checked by the same code. */
typedef struct page_param {
  int has;
  long long value;
  const char *field;
  const char *reason;
} page_param_t;

static size_t check_param(const page_param_t *p, hg_status_t *st) {
  if (!p->has || p->value >= 1) return 0;
  hg_violation_minimum(hg_status_violation(st, p->field, "min", p->reason), 1);
  return 1;
}

size_t hg_page_resolve(const hg_page_cfg_t *cfg, const hg_page_req_t *req, hg_status_t *st,
                       hg_page_t *out) {
  const page_param_t params[] = {
      {req->has_size, req->size, cfg->size_field, "page size must be greater than or equal to 1"},
      {req->has_number, req->number, cfg->number_field,
       "page number must be greater than or equal to 1"},
  };
  size_t broken = 0;
  for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
    broken += check_param(&params[i], st);
  if (broken) return broken;
  long long size = req->has_size ? req->size : cfg->default_size;
  if (size > cfg->max_size) size = cfg->max_size;
  long long number = req->has_number ? req->number : 1;
  uint64_t skipped = (uint64_t)(number - 1);
  out->size = size;
  out->number = number;
  out->offset = skipped > UINT64_MAX / (uint64_t)size ? UINT64_MAX : skipped * (uint64_t)size;
  return 0;
}

void hg_page_window(const hg_page_t *p, uint64_t total, uint64_t *start, size_t *count) {
  *start = p->offset;
  if (p->offset >= total) {
    *count = 0;
    return;
  }
  uint64_t left = total - p->offset;
  *count = left < (uint64_t)p->size ? (size_t)left : (size_t)p->size;
}
