/* fuzz_json_syntax.c - the JSON syntax locator (gateway/json_syntax.c) and every error
 * dialect's renderer (gateway/dialect*.c) over what a client controls: the body, and the
 * field paths and texts that end up in violations.
 *
 * Input: one selector byte (status code, rule, place), then up to five 0xff-separated
 * parts: body, field, description, reason, message (0xff never occurs in UTF-8; a part that
 * is not UTF-8 is dropped, as nothing upstream lets one through). Properties: the locator
 * places an error inside the body, from line 1 column 1; and every dialect renders the
 * error, located as the gateway would, as a JSON body. */
#include <jansson.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "fuzz.h"
#include "gateway/dialect.h"
#include "gateway/json_syntax.h"

#define N_PARTS 5

static const char *const rules[] = {
    "json_syntax", "is_string", "unknown_property", "required",  "minimum", "maximum", "enum",
    "media_type",  "utf8",      "is_label",         "max_items", NULL};

/* Splits data at 0xff into parts (NUL-terminated copies in a; "" for a missing or non-UTF-8
 * part). */
static void split(const uint8_t *data, size_t size, hg_arena_t *a, hg_str_t parts[N_PARTS]) {
  size_t start = 0;
  for (int i = 0; i < N_PARTS; i++) {
    size_t end = start, bad;
    while (end < size && data[end] != 0xff) end++;
    const char *p = (const char *)data + (start < size ? start : size);
    size_t n = start < size ? end - start : 0;
    if (!hg_utf8_valid(p, n, &bad)) n = 0;
    parts[i] = (hg_str_t){hg_arena_strndup(a, p, n), n};
    FUZZ_CHECK(parts[i].p != NULL);
    start = end + 1;
  }
}

static size_t code_points(hg_str_t s) {
  size_t n = 0;
  for (size_t i = 0; i < s.n; i++) n += ((unsigned char)s.p[i] & 0xc0) != 0x80;
  return n;
}

static void check_body(const gw_dialect_t *d, const gw_error_t *e) {
  hg_buf_t out = HG_BUF_INIT;
  json_error_t jerr;
  int http = gw_dialect_error_http(d, e);
  FUZZ_CHECK(http >= 400 && http <= 599);
  FUZZ_CHECK(gw_dialect_render(d, e, http, &out) == 0);
  json_t *j = json_loadb(out.p, out.n, JSON_ALLOW_NUL, &jerr);
  if (!j) fprintf(stderr, "%s: not JSON (%s): %s\n", d->name, jerr.text, out.p);
  FUZZ_CHECK(j != NULL);
  json_decref(j);
  hg_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  hg_arena_t *a = hg_arena_new();
  hg_str_t part[N_PARTS];
  gw_error_t e;
  FUZZ_CHECK(a != NULL);
  split(data + 1, size - 1, a, part);
  gw_error_init(&e);
  hg_status_set(&e.st, (hg_code_t)(data[0] % 17), *part[4].p ? part[4].p : NULL);
  e.st.reason = *part[3].p ? part[3].p : NULL;
  e.st.detail = part[2].p;
  hg_violation_t *v = hg_status_violation(&e.st, part[1].p, rules[(data[0] >> 2) % 12], part[2].p);
  if (v && (data[0] & 0x40)) hg_violation_minimum(v, -(long long)size);
  if (v && (data[0] & 0x80)) hg_violation_maximum(v, (long long)size);
  e.where[0].in = (gw_in_t)((data[0] >> 4) % 5);
  gw_json_error_t *syn = &e.where[0].syntax;
  if (gw_json_syntax(part[0].p, part[0].n, syn)) {
    FUZZ_CHECK(syn->msg != NULL);
    FUZZ_CHECK(syn->pos >= 0 && (size_t)syn->pos <= code_points(part[0]));
    FUZZ_CHECK(syn->line >= 1 && syn->col >= 1);
    e.where[0].doc = part[0];
  }
  for (int id = 0; id < GW_N_DIALECTS; id++) check_body(gw_dialect((gw_dialect_id_t)id), &e);
  hg_arena_free(a);
  return 0;
}
