/* listing.h - pagination, whatever a surface calls it: limit/offset (KtrlPlane), skip/limit
 * (the wrapper API), page[size]/page[number] (Konnect, + meta.page).
 *
 * A surface describes its paging once (hg_page_cfg_t): whether its start parameter counts
 * items skipped or 1-based pages, and for each of its two parameters the name its
 * violations use, the default, the bounds, whether a size above the maximum is capped (the
 * page shows the cap) or refused, and the rule and text of each violation. Each request is
 * resolved into a page: a size, a start and the offset of the page's first item. Non-numeric
 * text never gets here (the gateway's transcoder refuses it). Owns nothing. Threads: any;
 * pure. */
#ifndef HANGAR_LISTING_H
#define HANGAR_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

typedef enum {
  HG_PAGE_BY_NUMBER = 0, /* start is a 1-based page number: offset (start - 1) * size */
  HG_PAGE_BY_OFFSET,     /* start is the number of items skipped */
} hg_page_style_t;

typedef enum { HG_PAGE_SIZE = 0, HG_PAGE_START } hg_page_param_t;

typedef enum {
  HG_PAGE_CAP = 1u,    /* above max is capped to max (else refused) */
  HG_PAGE_EXTRAS = 2u, /* a violation carries the bound it broke (minimum / maximum) */
} hg_page_bound_flags_t;

/* One parameter as a surface declares it. */
typedef struct hg_page_bound {
  hg_page_param_t param;
  const char *field; /* violation field, e.g. "page[size]", "limit" */
  long long def;     /* when the request names none */
  long long min;
  long long max;                     /* 0: unbounded */
  unsigned flags;                    /* hg_page_bound_flags_t */
  const char *min_rule, *min_reason; /* the violation below min */
  const char *max_rule, *max_reason; /* the violation above max (when not capped) */
} hg_page_bound_t;

typedef struct hg_page_cfg {
  hg_page_style_t style;
  hg_page_bound_t bounds[2]; /* size and start, in the order their violations are listed */
} hg_page_cfg_t;

/* What the request said; has_* = 0 when the parameter was absent. */
typedef struct hg_page_req {
  int has_size;
  long long size;
  int has_start;
  long long start; /* page number or items skipped, as the style says */
} hg_page_req_t;

typedef struct hg_page {
  long long number; /* HG_PAGE_BY_NUMBER: >= 1; HG_PAGE_BY_OFFSET: 0 */
  long long size;   /* within the size bound */
  uint64_t offset;  /* items before the page; saturated at UINT64_MAX */
} hg_page_t;

/* Resolves req under cfg into *out. Returns the number of violations appended to st (their
 * strings are cfg's); when nonzero, *out is unchanged. */
size_t hg_page_resolve(const hg_page_cfg_t *cfg, const hg_page_req_t *req, hg_status_t *st,
                       hg_page_t *out);

/* The part of [0, total) that page p shows: *start and *count (count 0 past the end). */
void hg_page_window(const hg_page_t *p, uint64_t total, uint64_t *start, size_t *count);

#endif
