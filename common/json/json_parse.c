/* json_parse.c - a body jansson refuses, reported in the transcoder's own words.
 *
 * jansson's message text never reaches an error: it names the library's flags ("without
 * JSON_ALLOW_NUL"), quotes raw input and may change with its version. Its error code picks
 * a row of the table below instead, refined by the token the parser stopped at, because one
 * code (json_error_invalid_syntax) covers both plain syntax errors and text other parsers
 * take (NaN, a byte order mark, a lone surrogate escape). A refusal of one key or value
 * names it: a second scan follows keys and indexes up to jansson's stopping point, and the
 * text before that point is JSON jansson has already read, so the scan can be lenient. */
#include <string.h>

#include "json/transcode_internal.h"

#define STOP 1
#define BOM "\xef\xbb\xbf"

/* What the token at the stopping point looks like. */
typedef enum { TOK_ANY = 0, TOK_BOM, TOK_NONFINITE, TOK_SURROGATE, TOK_INTEGER } tok_t;

typedef struct parse_row {
  enum json_error_code jansson;
  tok_t tok; /* TOK_ANY: whatever the token */
  int code;
  int located; /* the error names the key or value the parser stopped at */
  const char *reason;
} parse_row_t;

/* First matching row wins, so a token-specific row precedes its code's TOK_ANY row. */
static const parse_row_t parse_rows[] = {
    {json_error_invalid_syntax, TOK_BOM, TC_ESYNTAX, 0, "a byte order mark is not allowed"},
    {json_error_invalid_syntax, TOK_NONFINITE, TC_ESYNTAX, 1,
     "NaN and Infinity are not JSON numbers"},
    {json_error_invalid_syntax, TOK_SURROGATE, TC_ESYNTAX, 1, "unpaired UTF-16 surrogate escape"},
    {json_error_invalid_syntax, TOK_ANY, TC_ESYNTAX, 0, "malformed JSON"},
    {json_error_premature_end_of_input, TOK_ANY, TC_ESYNTAX, 0, "unexpected end of the body"},
    {json_error_end_of_input_expected, TOK_ANY, TC_ESYNTAX, 0,
     "unexpected text after the JSON value"},
    {json_error_duplicate_key, TOK_ANY, TC_ESYNTAX, 1, "duplicate key"},
    {json_error_null_character, TOK_ANY, TC_ESYNTAX, 1, "strings must not contain \\u0000"},
    {json_error_null_byte_in_key, TOK_ANY, TC_ESYNTAX, 1, "keys must not contain \\u0000"},
    {json_error_numeric_overflow, TOK_INTEGER, TC_ERANGE, 1, "integer beyond the 64-bit range"},
    {json_error_numeric_overflow, TOK_ANY, TC_ERANGE, 1, "number too large"},
    {json_error_invalid_utf8, TOK_ANY, TC_EUTF8, 0, "invalid UTF-8"},
    {json_error_stack_overflow, TOK_ANY, TC_EDEPTH, 0, "nesting too deep"},
    {json_error_out_of_memory, TOK_ANY, TC_ENOMEM, 0, "out of memory"},
};
static const parse_row_t unknown_row = {json_error_unknown, TOK_ANY, TC_ESYNTAX, 0,
                                        "malformed JSON"};

typedef struct scan {
  const char *p;
  size_t n, at; /* at: jansson's stopping point */
  tc__ctx_t *c; /* the path of the value being read */
  size_t tok;   /* where the token the scan stopped at starts */
  int depth, max_depth;
  char key[sizeof(((tc__ctx_t *)0)->path)]; /* a key being unescaped into the path */
} scan_t;

static int value(scan_t *s, size_t i, size_t *end);

static int stop(scan_t *s, size_t tok) {
  s->tok = tok;
  return STOP;
}

static size_t skip_ws(const scan_t *s, size_t i) {
  while (i < s->n && (s->p[i] == ' ' || s->p[i] == '\t' || s->p[i] == '\n' || s->p[i] == '\r')) i++;
  return i;
}

/* Past the closing quote of the string opening at q, or n when it is unterminated. */
static size_t string_end(const char *p, size_t n, size_t q) {
  for (size_t i = q + 1; i < n; i++) {
    if (p[i] == '\\')
      i++;
    else if (p[i] == '"')
      return i + 1;
  }
  return n;
}

/* Past a number or a literal (true, NaN ...) starting at i; i when none starts there. */
static size_t word_end(const char *p, size_t n, size_t i) {
  static const char word[] = "+-.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  while (i < n && p[i] != '\0' && strchr(word, p[i])) i++;
  return i;
}

/* The four hex digits at p[i..i+4) as *v: 1, or 0 when they are not that. */
static int hex4(const char *p, size_t n, size_t i, unsigned *v) {
  *v = 0;
  if (n < 4 || i > n - 4) return 0;
  for (size_t k = i; k < i + 4; k++) {
    char ch = p[k];
    unsigned d = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
                 : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                 : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
                                          : 16;
    if (d == 16) return 0;
    *v = *v << 4 | d;
  }
  return 1;
}

/* The code point of the \u escape whose backslash is at i, joining a surrogate pair; *len
 * is the escape's length. 0 for a lone surrogate or a malformed escape. */
static unsigned escaped_code_point(const char *p, size_t n, size_t i, size_t *len) {
  unsigned hi, lo;
  *len = 6;
  if (!hex4(p, n, i + 2, &hi) || (hi >= 0xDC00 && hi <= 0xDFFF)) return 0;
  if (hi < 0xD800 || hi > 0xDBFF) return hi;
  if (i + 7 >= n || p[i + 6] != '\\' || p[i + 7] != 'u' || !hex4(p, n, i + 8, &lo) || lo < 0xDC00 ||
      lo > 0xDFFF)
    return 0;
  *len = 12;
  return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

/* Does the string opening at q hold a \u escape of a surrogate that has no partner? */
static int lone_surrogate(const char *p, size_t n, size_t q) {
  size_t end = string_end(p, n, q), len;
  for (size_t i = q + 1; i + 1 < end; i += len) {
    unsigned v;
    len = 1;
    if (p[i] != '\\') continue;
    len = 2;
    if (p[i + 1] == 'u' && escaped_code_point(p, n, i, &len) == 0 && hex4(p, n, i + 2, &v) &&
        v >= 0xD800 && v <= 0xDFFF)
      return 1;
  }
  return 0;
}

static tok_t classify(const char *p, size_t n, size_t tok) {
  static const char *const nonfinite[] = {"NaN", "Infinity", "-Infinity"};
  if (tok == 0 && n >= 3 && memcmp(p, BOM, 3) == 0) return TOK_BOM;
  if (tok >= n) return TOK_ANY;
  for (size_t i = 0; i < sizeof(nonfinite) / sizeof(nonfinite[0]); i++) {
    size_t len = strlen(nonfinite[i]);
    if (n - tok >= len && memcmp(p + tok, nonfinite[i], len) == 0) return TOK_NONFINITE;
  }
  if (p[tok] == '"') return lone_surrogate(p, n, tok) ? TOK_SURROGATE : TOK_ANY;
  size_t w = word_end(p, n, tok), k = tok;
  while (k < w && p[k] != '.' && p[k] != 'e' && p[k] != 'E') k++;
  return w > tok && k == w ? TOK_INTEGER : TOK_ANY;
}

/* Appends c as UTF-8 to buf[*o..cap-1): 0, or -1 when it does not fit. */
static int put_utf8(char *buf, size_t cap, size_t *o, unsigned c) {
  size_t len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
  if (*o + len >= cap) return -1;
  for (size_t k = len - 1; k > 0; k--, c >>= 6) buf[*o + k] = (char)(0x80 | (c & 0x3F));
  buf[*o] = (char)(len == 1 ? c : (lead[len] | c));
  *o += len;
  return 0;
}

/* The character the escape whose backslash is at i stands for, *len its length; 0 for
 * \u0000, a lone surrogate or a malformed escape. */
static unsigned unescape(const char *p, size_t n, size_t i, size_t *len) {
  static const char named[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
  *len = 2;
  if (i + 1 >= n) return 0;
  if (p[i + 1] == 'u') return escaped_code_point(p, n, i, len);
  const char *e = p[i + 1] ? strchr(named, p[i + 1]) : NULL;
  return e ? (unsigned char)meant[e - named] : 0;
}

/* The text of the key opening at q, unescaped into buf: 0, or -1 when it cannot name a
 * path segment (it holds a NUL or a lone surrogate, or does not fit). */
static int key_text(const char *p, size_t n, size_t q, char *buf, size_t cap) {
  size_t o = 0, len;
  for (size_t i = q + 1; i < n && p[i] != '"'; i += len) {
    unsigned c = (unsigned char)p[i];
    len = 1;
    if (c == '\\') {
      c = unescape(p, n, i, &len);
      if (c == 0 || put_utf8(buf, cap, &o, c) != 0) return -1;
      continue;
    }
    if (c == 0 || o + 1 >= cap) return -1;
    buf[o++] = p[i]; /* raw UTF-8 bytes are copied as they are */
  }
  buf[o] = '\0';
  return 0;
}

/* "key": value, the key's quote at or after i; the path names the key from its start. */
static int member(scan_t *s, size_t i, size_t *end) {
  i = skip_ws(s, i);
  if (i >= s->n || s->p[i] != '"') return stop(s, i);
  size_t e = string_end(s->p, s->n, i), mark = s->c->path_n;
  if (key_text(s->p, s->n, i, s->key, sizeof(s->key)) == 0) tc__path_key(s->c, s->key);
  if (e >= s->at) return stop(s, i);
  i = skip_ws(s, e);
  if (i >= s->n || s->p[i] != ':') return stop(s, i);
  int rc = value(s, i + 1, end);
  if (rc == 0) tc__path_pop(s->c, mark);
  return rc;
}

static int element(scan_t *s, size_t k, size_t i, size_t *end) {
  size_t mark = tc__path_index(s->c, k);
  int rc = value(s, i, end);
  if (rc == 0) tc__path_pop(s->c, mark);
  return rc;
}

/* An object or array whose bracket is at o. */
static int container(scan_t *s, size_t o, size_t *end) {
  int object = s->p[o] == '{';
  char close = object ? '}' : ']';
  if (o + 1 >= s->at || ++s->depth > s->max_depth) return stop(s, o);
  size_t i = skip_ws(s, o + 1);
  for (size_t k = 0; i >= s->n || s->p[i] != close; k++) {
    int rc = object ? member(s, i, &i) : element(s, k, i, &i);
    if (rc != 0) return rc;
    i = skip_ws(s, i);
    if (i < s->n && s->p[i] == close) break;
    if (i >= s->n || s->p[i] != ',' || i + 1 >= s->at) return stop(s, i);
    i++;
  }
  s->depth--;
  *end = i + 1;
  return 0;
}

/* A value at or after i: 0 with *end past it when it ends before the stopping point, else
 * STOP with s->tok and the path set to the token the parser stopped in. */
static int value(scan_t *s, size_t i, size_t *end) {
  i = skip_ws(s, i);
  if (i >= s->n) return stop(s, i);
  if (s->p[i] == '{' || s->p[i] == '[') return container(s, i, end);
  size_t e = s->p[i] == '"' ? string_end(s->p, s->n, i) : word_end(s->p, s->n, i);
  if (e == i || e >= s->at) return stop(s, i);
  *end = e;
  return 0;
}

static const parse_row_t *find_row(enum json_error_code code, tok_t tok) {
  for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++)
    if (parse_rows[i].jansson == code && (parse_rows[i].tok == TOK_ANY || parse_rows[i].tok == tok))
      return &parse_rows[i];
  return &unknown_row;
}

int tc__parse_error(const char *p, size_t n, const json_error_t *je, int max_depth,
                    tc_error_t *err) {
  size_t at = je->position > 0 ? (size_t)je->position : 0, end;
  tc__ctx_t c;
  tc__ctx_init(&c, NULL, err);
  scan_t s = {.p = p, .n = n, .at = at < n ? at : n, .c = &c, .max_depth = max_depth};
  if (value(&s, 0, &end) == 0) stop(&s, skip_ws(&s, end));
  const parse_row_t *r = find_row(json_error_code(je), classify(p, n, s.tok));
  return tc__error(err, r->code, r->located ? c.path : "", je->position, "%s", r->reason);
}
