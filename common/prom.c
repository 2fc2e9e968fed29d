/* prom.c - Prometheus text exposition and fixed-bucket histograms.
 *
 * Buckets are stored one count per bucket and summed into cumulative counts only when
 * rendered, so an observation touches one bucket, not every bucket above it. */
#include "common/prom.h"

#include <inttypes.h>
#include <string.h>

#define MAX_DECIMALS 18 /* 10^18 still fits a uint64_t */

static uint64_t load(const atomic_uint_fast64_t *v) {
  return atomic_load_explicit(v, memory_order_relaxed);
}

static void add(atomic_uint_fast64_t *v, uint64_t n) {
  atomic_fetch_add_explicit(v, n, memory_order_relaxed);
}

void prom_histogram_init(prom_histogram_t *h, const prom_buckets_t *b) {
  memset(h, 0, sizeof(*h));
  h->b = b;
}

void prom_histogram_observe(prom_histogram_t *h, uint64_t v) {
  size_t n = h->b->n < PROM_MAX_BUCKETS ? h->b->n : PROM_MAX_BUCKETS;
  for (size_t i = 0; i < n; i++)
    if (v <= h->b->upper[i]) {
      add(&h->bucket[i], 1);
      break;
    }
  add(&h->sum, v);
  add(&h->count, 1);
}

uint64_t prom_histogram_count(const prom_histogram_t *h) { return load(&h->count); }

/* ---- text ------------------------------------------------------------------------------- */

int prom_decimal(hg_buf_t *out, uint64_t v, unsigned decimals) {
  char frac[MAX_DECIMALS + 1];
  uint64_t scale = 1;
  if (decimals > MAX_DECIMALS) decimals = MAX_DECIMALS;
  for (unsigned i = 0; i < decimals; i++) scale *= 10;
  uint64_t whole = v / scale, rest = v % scale;
  if (!rest) return hg_buf_printf(out, "%" PRIu64, whole);
  for (unsigned i = decimals; i > 0; i--, rest /= 10) frac[i - 1] = (char)('0' + rest % 10);
  size_t n = decimals;
  while (n > 0 && frac[n - 1] == '0') n--;
  return hg_buf_printf(out, "%" PRIu64 ".%.*s", whole, (int)n, frac);
}

/* A label value or HELP text with backslash and newline escaped, and (label values only)
 * the double quote. */
static int put_escaped(hg_buf_t *out, const char *v, int quote) {
  int rc = 0;
  for (; *v; v++) {
    if (*v == '\\' || (quote && *v == '"')) rc |= hg_buf_putc(out, '\\');
    rc |= *v == '\n' ? hg_buf_puts(out, "\\n") : hg_buf_putc(out, *v);
  }
  return rc;
}

int prom_family(hg_buf_t *out, const char *name, const char *type, const char *help) {
  int rc = hg_buf_printf(out, "# HELP %s ", name);
  rc |= put_escaped(out, help, 0);
  return rc | hg_buf_printf(out, "\n# TYPE %s %s\n", name, type) ? -1 : 0;
}

/* name{a="x",b="y" with the closing brace left to the caller, or name alone. */
static int put_head(hg_buf_t *out, const char *name, const char *suffix, const prom_label_t *l,
                    size_t n) {
  int rc = hg_buf_puts(out, name) | hg_buf_puts(out, suffix);
  for (size_t i = 0; i < n; i++) {
    rc |= hg_buf_printf(out, "%c%s=\"", i ? ',' : '{', l[i].name);
    rc |= put_escaped(out, l[i].value ? l[i].value : "", 1) | hg_buf_putc(out, '"');
  }
  return rc;
}

int prom_sample_scaled(hg_buf_t *out, const char *name, const prom_label_t *labels, size_t n_labels,
                       uint64_t v, unsigned decimals) {
  int rc = put_head(out, name, "", labels, n_labels);
  rc |= hg_buf_puts(out, n_labels ? "} " : " ") | prom_decimal(out, v, decimals);
  return rc | hg_buf_putc(out, '\n') ? -1 : 0;
}

int prom_sample(hg_buf_t *out, const char *name, const prom_label_t *labels, size_t n_labels,
                uint64_t v) {
  return prom_sample_scaled(out, name, labels, n_labels, v, 0);
}

/* name_bucket{labels,le="bound"} cumulative */
static int put_bucket(hg_buf_t *out, const char *name, const prom_label_t *l, size_t n,
                      const prom_buckets_t *b, size_t i, uint64_t cumulative) {
  int rc = put_head(out, name, "_bucket", l, n) | hg_buf_puts(out, n ? ",le=\"" : "{le=\"");
  if (i < b->n)
    rc |= prom_decimal(out, b->upper[i], b->decimals);
  else
    rc |= hg_buf_puts(out, "+Inf");
  return rc | hg_buf_printf(out, "\"} %" PRIu64 "\n", cumulative);
}

int prom_histogram_render(hg_buf_t *out, const char *name, const prom_label_t *labels,
                          size_t n_labels, const prom_histogram_t *h) {
  const prom_buckets_t *b = h->b;
  size_t n = b->n < PROM_MAX_BUCKETS ? b->n : PROM_MAX_BUCKETS;
  /* The count is read first: observations landing during the render can only raise the
   * buckets read after it, so it is lifted to the last bucket below. */
  uint64_t count = load(&h->count), sum = load(&h->sum), cum = 0;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    cum += load(&h->bucket[i]);
    rc |= put_bucket(out, name, labels, n_labels, b, i, cum);
  }
  if (count < cum) count = cum;
  rc |= put_bucket(out, name, labels, n_labels, b, n, count);
  rc |= put_head(out, name, "_sum", labels, n_labels) | hg_buf_puts(out, n_labels ? "} " : " ");
  rc |= prom_decimal(out, sum, b->decimals) | hg_buf_putc(out, '\n');
  rc |= put_head(out, name, "_count", labels, n_labels);
  rc |= hg_buf_printf(out, "%s%" PRIu64 "\n", n_labels ? "} " : " ", count);
  return rc ? -1 : 0;
}
