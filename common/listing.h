/* listing.h - page-number pagination (Konnect's page[size] / page[number] + meta.page).
 *
 * A surface describes its paging once (hg_page_cfg_t: default and maximum size, the names
 * its violations use) and resolves each request into a page: a size (defaulted, capped at
 * the maximum: larger is not an error, meta.page.size shows the cap), a 1-based number and
 * the offset of the page's first item. Sizes or numbers below 1 are violations ("min",
 * minimum 1) naming the parameter; non-numeric text never gets here (the gateway's
 * transcoder refuses it). Owns nothing. Threads: any; pure. */
#ifndef HANGAR_LISTING_H
#define HANGAR_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

typedef struct hg_page_cfg {
  long long default_size;   /* page size when the request names none */
  long long max_size;       /* larger requested sizes are capped to this */
  const char *size_field;   /* violation field for the size, e.g. "page[size]" */
  const char *number_field; /* violation field for the number, e.g. "page[number]" */
} hg_page_cfg_t;

/* What the request said; has_* = 0 when the parameter was absent. */
typedef struct hg_page_req {
  int has_size;
  long long size;
  int has_number;
  long long number;
} hg_page_req_t;

typedef struct hg_page {
  long long number; /* >= 1 */
  long long size;   /* 1..cfg->max_size */
  uint64_t offset;  /* (number - 1) * size, saturated at UINT64_MAX */
} hg_page_t;

/* Resolves req under cfg into *out. Returns the number of violations appended to st; when
 * nonzero, *out is unchanged. The violations' reasons are static strings. */
size_t hg_page_resolve(const hg_page_cfg_t *cfg, const hg_page_req_t *req, hg_status_t *st,
                       hg_page_t *out);

/* The part of [0, total) that page p shows: *start and *count (count 0 past the end). */
void hg_page_window(const hg_page_t *p, uint64_t total, uint64_t *start, size_t *count);

#endif
