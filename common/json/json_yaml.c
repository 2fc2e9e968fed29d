/* json_yaml.c - YAML <-> JSON text (json_yaml.h), through libyaml's event API.
 *
 * YAML to JSON streams: each parser event writes its JSON at once, with a stack of open
 * collections saying where a comma or a colon goes, so no tree is built (an open mapping
 * keeps only its keys, to refuse one seen twice) and nesting is bounded by the stack. JSON to YAML walks a jansson tree and feeds libyaml's emitter.
 * Plain scalars are typed by the YAML 1.2 core schema's regular expressions, written out as
 * the small matchers below; quoted and block scalars are always strings. */
#include "json/json_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "json/json_tree.h"
#include "json/transcode_internal.h"

#define DEFAULT_DEPTH 64
#define REAL_TEXT_MAX 40
#define STR_TAG "tag:yaml.org,2002:str"

typedef enum { Y_NULL, Y_BOOL, Y_INT, Y_REAL, Y_NONFINITE, Y_STRING } ytype_t;

static int in_set(const char *s, const char *const *set) {
  for (; *set; set++)
    if (strcmp(s, *set) == 0) return 1;
  return 0;
}

static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
static const char *const nonfinite[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                        "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                        ".NaN",  ".NAN",  NULL};
/* YAML 1.1 words some readers still take as booleans: written quoted so they stay strings. */
static const char *const old_bools[] = {"y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no", "No",
                                        "NO", "on", "On",  "ON",  "off", "Off", "OFF", NULL};

static const char *digits(const char *p, const char *set) {
  while (*p && strchr(set, *p)) p++;
  return p;
}

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static int is_int(const char *s) {
  if ((s[0] == '0' && s[1] == 'o' && s[2])) return *digits(s + 2, "01234567") == '\0';
  if (s[0] == '0' && s[1] == 'x' && s[2]) return *digits(s + 2, "0123456789abcdefABCDEF") == '\0';
  if (*s == '-' || *s == '+') s++;
  return *s && *digits(s, "0123456789") == '\0';
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_real(const char *s) {
  if (*s == '-' || *s == '+') s++;
  const char *p = digits(s, "0123456789");
  int whole = p > s;
  if (*p == '.') {
    const char *q = digits(p + 1, "0123456789");
    if (!whole && q == p + 1) return 0;
    p = q;
  } else if (!whole) {
    return 0;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '-' || *p == '+') p++;
    const char *q = digits(p, "0123456789");
    if (q == p) return 0;
    p = q;
  }
  return *p == '\0';
}

static ytype_t resolve(const char *s) {
  if (in_set(s, nulls)) return Y_NULL;
  if (in_set(s, bools)) return Y_BOOL;
  if (is_int(s)) return Y_INT;
  if (is_real(s)) return Y_REAL;
  if (in_set(s, nonfinite)) return Y_NONFINITE;
  return Y_STRING;
}

/* ---- YAML to JSON ----------------------------------------------------------------------- */

typedef struct frame {
  int is_map;
  int want_key; /* maps: the next node is a key */
  size_t count;
  json_t *keys; /* maps: the keys seen so far (values unused), owned */
} frame_t;

typedef struct reader {
  hg_buf_t *out;
  tc_error_t *err;
  frame_t *stack;
  int depth, max_depth;
  long position;
} reader_t;

static int fail(reader_t *r, int code, const char *reason) {
  return tc__error(r->err, code, NULL, r->position, "%s", reason);
}

#define PUT(x) ((x) == 0 ? 0 : fail(r, TC_ENOMEM, "out of memory"))

/* A NUL (YAML's "\0" escape) is refused, as the JSON path refuses "\u0000": the JSON text
 * would carry it, which the transcoder refuses at a position in that text, not the YAML. */
static int no_nul(reader_t *r) { return fail(r, TC_ESYNTAX, "NUL characters are not allowed"); }

/* A scalar's JSON: a quoted or tagged-as-string scalar is a string, a plain one is typed. */
static int put_scalar(reader_t *r, const yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value;
  size_t n = ev->data.scalar.length;
  const char *tag = (const char *)ev->data.scalar.tag;
  int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !(tag && strcmp(tag, "!") == 0);
  if (strlen(s) != n) return no_nul(r);
  if (!plain || (tag && strcmp(tag, STR_TAG) == 0)) return PUT(tc_write_string(r->out, s, n));
  switch (resolve(s)) {
    case Y_NULL: return PUT(hg_buf_puts(r->out, "null"));
    case Y_BOOL: return PUT(hg_buf_puts(r->out, s[0] == 't' || s[0] == 'T' ? "true" : "false"));
    case Y_INT: {
      int base = s[1] == 'o' ? 8 : s[1] == 'x' ? 16 : 10;
      errno = 0;
      long long v = strtoll(base == 10 ? s : s + 2, NULL, base);
      if (errno == ERANGE) return fail(r, TC_ERANGE, "integer out of range");
      return PUT(hg_buf_printf(r->out, "%lld", v));
    }
    case Y_REAL: {
      errno = 0;
      double x = strtod(s, NULL);
      if (errno == ERANGE && (x > 1 || x < -1)) return fail(r, TC_ERANGE, "number out of range");
      return PUT(tc__put_real(r->out, x));
    }
    case Y_NONFINITE: return fail(r, TC_ESYNTAX, "infinity and NaN are not JSON numbers");
    case Y_STRING: break;
  }
  return PUT(tc_write_string(r->out, s, n));
}

/* What goes before a node: a comma between siblings, a key's quotes and colon. A node in
 * key position must be a scalar (JSON keys are strings). */
static int before_node(reader_t *r, const yaml_event_t *ev, int *is_key) {
  *is_key = 0;
  if (r->depth == 0) return 0;
  frame_t *f = &r->stack[r->depth - 1];
  if (f->is_map && !f->want_key) {
    f->want_key = 1;
    return 0;
  }
  if (f->count++ && hg_buf_putc(r->out, ',') != 0) return fail(r, TC_ENOMEM, "out of memory");
  if (!f->is_map) return 0;
  if (ev->type != YAML_SCALAR_EVENT) return fail(r, TC_ESYNTAX, "a mapping key must be a scalar");
  f->want_key = 0;
  *is_key = 1;
  return 0;
}

static int open_collection(reader_t *r, int is_map) {
  if (r->depth >= r->max_depth) return fail(r, TC_EDEPTH, "nesting too deep");
  json_t *keys = NULL;
  if (is_map && !(keys = json_object())) return fail(r, TC_ENOMEM, "out of memory");
  r->stack[r->depth++] = (frame_t){.is_map = is_map, .want_key = 1, .keys = keys};
  return PUT(hg_buf_putc(r->out, is_map ? '{' : '['));
}

static void close_collection(reader_t *r) { json_decref(r->stack[--r->depth].keys); }

/* A key its mapping already has is refused: YAML forbids it, and the JSON text would carry
 * both, which the transcoder refuses with a position in that text instead of the YAML. */
static int put_key(reader_t *r, const char *k, size_t n) {
  json_t *keys = r->stack[r->depth - 1].keys;
  if (strlen(k) != n) return no_nul(r);
  if (json_object_getn(keys, k, n)) return fail(r, TC_ESYNTAX, "duplicate mapping key");
  if (json_object_setn_new_nocheck(keys, k, n, json_null()) != 0)
    return fail(r, TC_ENOMEM, "out of memory");
  return PUT(tc_write_string(r->out, k, n) || hg_buf_putc(r->out, ':'));
}

/* One event. 1 when the document ended, 0 to go on, else a tc_errno_t. */
static int on_event(reader_t *r, const yaml_event_t *ev, int *docs) {
  int is_key, rc;
  switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
      if ((*docs)++) return fail(r, TC_ESYNTAX, "only one YAML document is allowed");
      return 0;
    case YAML_ALIAS_EVENT: return fail(r, TC_ESYNTAX, "YAML aliases are not supported");
    case YAML_SCALAR_EVENT:
      if ((rc = before_node(r, ev, &is_key)) != 0) return rc;
      if (is_key) return put_key(r, (const char *)ev->data.scalar.value, ev->data.scalar.length);
      return put_scalar(r, ev);
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
      if ((rc = before_node(r, ev, &is_key)) != 0) return rc;
      return open_collection(r, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
      close_collection(r);
      return PUT(hg_buf_putc(r->out, ev->type == YAML_MAPPING_END_EVENT ? '}' : ']'));
    case YAML_STREAM_END_EVENT: return 1;
    default: return 0;
  }
}

int tc_yaml_to_json(const char *p, size_t n, int max_depth, hg_buf_t *out, tc_error_t *err) {
  yaml_parser_t parser;
  yaml_event_t ev;
  reader_t rs = {out, err, NULL, 0, max_depth > 0 ? max_depth : DEFAULT_DEPTH, 0}, *r = &rs;
  int rc = 0, docs = 0;
  if (!(r->stack = malloc((size_t)r->max_depth * sizeof(*r->stack))))
    return fail(r, TC_ENOMEM, "out of memory");
  if (!yaml_parser_initialize(&parser)) {
    free(r->stack);
    return fail(r, TC_ENOMEM, "out of memory");
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)p, n);
  while (rc == 0) {
    if (!yaml_parser_parse(&parser, &ev)) {
      r->position = (long)parser.problem_offset;
      rc = fail(r, TC_ESYNTAX, parser.problem ? parser.problem : "malformed YAML");
      break;
    }
    r->position = (long)ev.start_mark.index;
    rc = on_event(r, &ev, &docs);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  while (r->depth > 0) close_collection(r);
  free(r->stack);
  if (rc == 1 && docs == 0) return PUT(hg_buf_puts(out, "null"));
  return rc == 1 ? 0 : rc;
}

/* ---- JSON to YAML ----------------------------------------------------------------------- */

static int emit_value(yaml_emitter_t *em, json_t *j);

static int emit_scalar(yaml_emitter_t *em, const char *s, size_t n, int quote) {
  yaml_event_t ev;
  yaml_scalar_style_t style = quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE;
  if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, !quote, 1, style))
    return -1;
  return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

/* A string is quoted when a plain scalar of its text would read back as another type. */
static int emit_string(yaml_emitter_t *em, const char *s, size_t n) {
  int quote = strlen(s) != n || resolve(s) != Y_STRING || in_set(s, old_bools);
  return emit_scalar(em, s, n, quote);
}

static int emit_collection(yaml_emitter_t *em, json_t *j) {
  yaml_event_t ev;
  int is_map = json_is_object(j);
  int ok =
      is_map ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
             : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
  if (!ok || !yaml_emitter_emit(em, &ev)) return -1;
  if (is_map) {
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
      if (emit_string(em, key, strlen(key)) != 0 || emit_value(em, v) != 0) return -1;
    }
  } else {
    for (size_t i = 0; i < json_array_size(j); i++)
      if (emit_value(em, json_array_get(j, i)) != 0) return -1;
  }
  ok = is_map ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev);
  return ok && yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int emit_value(yaml_emitter_t *em, json_t *j) {
  char text[REAL_TEXT_MAX];
  switch (json_typeof(j)) {
    case JSON_OBJECT:
    case JSON_ARRAY: return emit_collection(em, j);
    case JSON_STRING: return emit_string(em, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
      snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
      break;
    case JSON_REAL: {
      hg_buf_t real = HG_BUF_INIT;
      int rc = tc__put_real(&real, json_real_value(j)) == 0 && real.n < sizeof(text) ? 0 : -1;
      if (rc == 0) memcpy(text, real.p, real.n), text[real.n] = '\0';
      hg_buf_free(&real);
      if (rc) return -1;
      break;
    }
    case JSON_TRUE: return emit_scalar(em, "true", 4, 0);
    case JSON_FALSE: return emit_scalar(em, "false", 5, 0);
    case JSON_NULL: return emit_scalar(em, "null", 4, 0);
  }
  return emit_scalar(em, text, strlen(text), 0);
}

static int write_out(void *data, unsigned char *buffer, size_t size) {
  return hg_buf_append(data, buffer, size) == 0;
}

static int emit_document(yaml_emitter_t *em, json_t *root) {
  yaml_event_t ev;
  if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(em, &ev))
    return -1;
  if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) ||
      !yaml_emitter_emit(em, &ev) || emit_value(em, root) != 0)
    return -1;
  if (!yaml_document_end_event_initialize(&ev, 1) || !yaml_emitter_emit(em, &ev)) return -1;
  return yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev) ? 0 : -1;
}

int tc_json_to_yaml(const char *p, size_t n, hg_buf_t *out) {
  yaml_emitter_t em;
  json_t *root = tc_tree_parse(p, n);
  if (!root) return TC_ESYNTAX;
  if (!yaml_emitter_initialize(&em)) {
    json_decref(root);
    return TC_ENOMEM;
  }
  yaml_emitter_set_output(&em, write_out, out);
  yaml_emitter_set_unicode(&em, 1);
  yaml_emitter_set_width(&em, -1);
  int rc = emit_document(&em, root) == 0 ? 0 : TC_ENOMEM;
  yaml_emitter_delete(&em);
  json_decref(root);
  return rc;
}
