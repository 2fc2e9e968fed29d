/* listing.c - resolving a request's paging parameters against a surface's settings. */
#include "common/listing.h"

/* The value of one parameter (its default when absent, capped when the bound says so);
 * out of bounds appends the bound's violation and returns 1. */
static size_t check_bound(const hg_page_bound_t *b, int has, long long value, hg_status_t *st,
                          long long *out) {
  *out = has ? value : b->def;
  if (!has) return 0;
  if (value < b->min) {
    hg_violation_t *v = hg_status_violation(st, b->field, b->min_rule, b->min_reason);
    if (b->flags & HG_PAGE_EXTRAS) hg_violation_minimum(v, b->min);
    return 1;
  }
  if (!b->max || value <= b->max) return 0;
  if (b->flags & HG_PAGE_CAP) {
    *out = b->max;
    return 0;
  }
  hg_violation_t *v = hg_status_violation(st, b->field, b->max_rule, b->max_reason);
  if (b->flags & HG_PAGE_EXTRAS) hg_violation_maximum(v, b->max);
  return 1;
}

static uint64_t offset_of(hg_page_style_t style, long long start, long long size) {
  if (style == HG_PAGE_BY_OFFSET) return (uint64_t)start;
  uint64_t skipped = (uint64_t)(start - 1);
  if (size == 0) return 0;
  return skipped > UINT64_MAX / (uint64_t)size ? UINT64_MAX : skipped * (uint64_t)size;
}

size_t hg_page_resolve(const hg_page_cfg_t *cfg, const hg_page_req_t *req, hg_status_t *st,
                       hg_page_t *out) {
  long long values[2];
  size_t broken = 0;
  for (size_t i = 0; i < sizeof(cfg->bounds) / sizeof(cfg->bounds[0]); i++) {
    const hg_page_bound_t *b = &cfg->bounds[i];
    int is_size = b->param == HG_PAGE_SIZE;
    broken += check_bound(b, is_size ? req->has_size : req->has_start,
                          is_size ? req->size : req->start, st, &values[b->param]);
  }
  if (broken) return broken;
  long long size = values[HG_PAGE_SIZE], start = values[HG_PAGE_START];
  out->size = size;
  out->number = cfg->style == HG_PAGE_BY_NUMBER ? start : 0;
  out->offset = offset_of(cfg->style, start, size);
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
