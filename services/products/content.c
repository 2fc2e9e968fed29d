/* content.c - document markdown (base64 or plain) and specification text (base64 of JSON
 * or YAML). */
#include "products/content.h"

#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "common/base64.h"
#include "products/fields.h"
#include "products/markdown_ast.h"

/* Bytes a UTF-8 sequence starting with b takes (0: not a lead byte) and the smallest
 * allowed second byte and largest, which rules out overlongs, surrogates and > U+10FFFF. */
static size_t seq_len(unsigned char b, unsigned char *lo, unsigned char *hi) {
  *lo = 0x80;
  *hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) {
    if (b == 0xe0) *lo = 0xa0;
    if (b == 0xed) *hi = 0x9f;
    return 3;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    if (b == 0xf0) *lo = 0x90;
    if (b == 0xf4) *hi = 0x8f;
    return 4;
  }
  return 0;
}

int pr_is_text(const char *p, size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    unsigned char lo, hi, b = s[i];
    if (b < 0x80) {
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f) return 0;
      i++;
      continue;
    }
    size_t len = seq_len(b, &lo, &hi);
    if (len == 0 || i + len > n || s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k < len; k++)
      if ((s[i + k] & 0xc0) != 0x80) return 0;
    i += len;
  }
  return 1;
}

/* ---- documents ------------------------------------------------------------------------ */

static int content_invalid(hg_status_t *st, const char *reason) {
  hg_status_violation(st, "content", "invalid", reason);
  return 1;
}

static int parse(const char *text, hg_arena_t *a, hg_status_t *st, pr_doc_content_t *out) {
  pr_doc_content_t c = {.text = text};
  int rc = pr_markdown_ast(text, strlen(text), a, &c.ast, &c.n_ast);
  if (rc == PR_AST_TOO_COMPLEX && st)
    return content_invalid(st, "content nests too deeply or has too many elements to render");
  if (rc) return -1;
  *out = c;
  return 0;
}

int pr_doc_content_read(const char *given, hg_arena_t *a, hg_status_t *st, pr_doc_content_t *out) {
  size_t n = strlen(given), dn;
  char *decoded;
  const char *text = given;
  int rc = n ? hg_base64_decode_dup(given, n, HG_BASE64_STRICT, a, &decoded, &dn) : -1;
  if (rc == -2) return -1;
  if (rc == 0 && pr_is_text(decoded, dn)) {
    text = decoded;
    n = dn;
  }
  if (n > PR_DOC_CONTENT_MAX) {
    pr_violate_length(st, a, "content", 1, PR_DOC_CONTENT_MAX);
    return 1;
  }
  return parse(text, a, st, out);
}

int pr_doc_content_parse(const char *text, hg_arena_t *a, pr_doc_content_t *out) {
  return parse(text ? text : "", a, NULL, out) ? -1 : 0;
}

/* ---- specifications ------------------------------------------------------------------- */

static int is_json(const char *p, size_t n) {
  json_error_t err;
  json_t *j = json_loadb(p, n, JSON_DECODE_ANY, &err);
  json_decref(j);
  return j != NULL;
}

/* A whole YAML stream parses (events only: aliases are never expanded). */
static int is_yaml(const char *p, size_t n) {
  yaml_parser_t parser;
  yaml_event_t ev;
  int ok = 0, done = 0;
  if (!yaml_parser_initialize(&parser)) return 0;
  yaml_parser_set_input_string(&parser, (const unsigned char *)p, n);
  while (!done && yaml_parser_parse(&parser, &ev)) {
    done = ev.type == YAML_STREAM_END_EVENT;
    ok = done;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  return ok;
}

int pr_spec_content_read(const char *base64, hg_arena_t *a, hg_status_t *st, const char **text) {
  char *decoded;
  size_t n;
  int rc = hg_base64_decode_dup(base64, strlen(base64), HG_BASE64_STRICT, a, &decoded, &n);
  if (rc == -2) return -1;
  if (rc != 0) {
    pr_violate(st, a, "content", "is_base64");
    return 1;
  }
  if (!pr_is_text(decoded, n)) return content_invalid(st, "content must decode to UTF-8 text");
  if (!is_json(decoded, n) && !is_yaml(decoded, n))
    return content_invalid(st, "content must be a JSON or YAML document");
  *text = decoded;
  return 0;
}
