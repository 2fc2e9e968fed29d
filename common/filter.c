/* filter.c - string filter terms read from a request message by reflection, and matching. */
#include "common/filter.h"

#include <ctype.h>
#include <string.h>

#include "common/reflect.h"

static const char *const op_names[HG_FILTER_N_OPS] = {
    [HG_FILTER_EQ] = "eq",
    [HG_FILTER_OEQ] = "oeq",
    [HG_FILTER_NEQ] = "neq",
    [HG_FILTER_CONTAINS] = "contains",
    [HG_FILTER_OCONTAINS] = "ocontains",
};

int hg_filter_op_parse(const char *name) {
  for (int op = 0; name && op < HG_FILTER_N_OPS; op++)
    if (strcmp(name, op_names[op]) == 0) return op;
  return -1;
}

const char *hg_filter_op_name(hg_filter_op_t op) {
  return (unsigned)op < HG_FILTER_N_OPS ? op_names[op] : "?";
}

/* ---- reading terms -------------------------------------------------------------------- */

/* The sub-message of a singular message field, or NULL when unset or not a message. */
static const ProtobufCMessage *message_member(const ProtobufCMessage *m, const char *name) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
  if (!fd || fd->type != PROTOBUF_C_TYPE_MESSAGE || fd->label == PROTOBUF_C_LABEL_REPEATED)
    return NULL;
  const ProtobufCMessage *sub;
  memcpy(&sub, (const char *)m + fd->offset, sizeof(sub));
  return sub;
}

static const char *const *allowed_names(unsigned ops, hg_arena_t *a) {
  const char **names = hg_arena_alloc(a, (HG_FILTER_N_OPS + 1) * sizeof(*names));
  size_t n = 0;
  for (int op = 0; names && op < HG_FILTER_N_OPS; op++)
    if (ops & (1u << op)) names[n++] = op_names[op];
  return names;
}

static size_t refuse_op(const hg_filter_cfg_t *cfg, const hg_filter_field_t *f, int op,
                        hg_arena_t *a, hg_status_t *st) {
  const char *field = hg_arena_sprintf(a, "%s[%s][%s]", cfg->param, f->name, op_names[op]);
  const char *reason = hg_arena_sprintf(a, "%s cannot be filtered with %s", f->name, op_names[op]);
  hg_violation_choices(hg_status_violation(st, field ? field : cfg->param, "enum",
                                           reason ? reason : "unsupported filter operator"),
                       allowed_names(f->ops, a));
  return 1;
}

/* Does the value list of an oeq/ocontains term v hold more than HG_FILTER_MAX_VALUES
 * values? Counts commas only, stopping at the first one over. */
static int too_many_values(int op, const char *v) {
  size_t n = 1;
  if (op != HG_FILTER_OEQ && op != HG_FILTER_OCONTAINS) return 0;
  for (; *v && n <= HG_FILTER_MAX_VALUES; v++) n += *v == ',';
  return n > HG_FILTER_MAX_VALUES;
}

static size_t refuse_values(const hg_filter_cfg_t *cfg, const hg_filter_field_t *f, int op,
                            hg_arena_t *a, hg_status_t *st) {
  const char *field = hg_arena_sprintf(a, "%s[%s][%s]", cfg->param, f->name, op_names[op]);
  const char *reason = hg_arena_sprintf(a, "%s must not have more than %d values",
                                        field ? field : cfg->param, HG_FILTER_MAX_VALUES);
  hg_violation_maximum(hg_status_violation(st, field ? field : cfg->param, "max_items",
                                           reason ? reason : "too many filter values"),
                       HG_FILTER_MAX_VALUES);
  return 1;
}

/* Appends the terms one table field contributes; 0 or the violations appended. */
static size_t field_terms(const hg_filter_cfg_t *cfg, const hg_filter_field_t *f,
                          const ProtobufCMessage *sub, hg_arena_t *a, hg_status_t *st,
                          hg_filter_t *out) {
  size_t broken = 0;
  for (int op = 0; op < HG_FILTER_N_OPS; op++) {
    const char *v = hg_field_string(sub, op_names[op]);
    if (!v) continue;
    if (!(f->ops & (1u << op))) {
      broken += refuse_op(cfg, f, op, a, st);
    } else if (too_many_values(op, v)) {
      broken += refuse_values(cfg, f, op, a, st);
    } else if (out->n == HG_FILTER_MAX_TERMS) {
      hg_violation_maximum(hg_status_violation(st, cfg->param, "max_items", "too many filters"),
                           HG_FILTER_MAX_TERMS);
      return broken + 1;
    } else {
      out->terms[out->n++] = (hg_filter_term_t){f->id, (hg_filter_op_t)op, v};
    }
  }
  return broken;
}

size_t hg_filter_from_message(const hg_filter_cfg_t *cfg, const ProtobufCMessage *msg,
                              hg_arena_t *a, hg_status_t *st, hg_filter_t *out) {
  hg_filter_t f = {0};
  size_t broken = 0;
  for (size_t i = 0; msg && i < cfg->n_fields; i++) {
    const ProtobufCMessage *sub = message_member(msg, cfg->fields[i].name);
    if (sub) broken += field_terms(cfg, &cfg->fields[i], sub, a, st, &f);
  }
  if (broken == 0) *out = f;
  return broken;
}

/* ---- matching ------------------------------------------------------------------------- */

typedef int (*one_fn)(const char *value, size_t n, const char *actual);

static int equals(const char *value, size_t n, const char *actual) {
  return strlen(actual) == n && memcmp(value, actual, n) == 0;
}

static int same_ci(const char *x, const char *y, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (tolower((unsigned char)x[i]) != tolower((unsigned char)y[i])) return 0;
  return 1;
}

/* Does actual contain value[0..n), ASCII case-insensitively? */
static int contains(const char *value, size_t n, const char *actual) {
  size_t len = strlen(actual);
  for (size_t i = 0; i + n <= len; i++)
    if (same_ci(actual + i, value, n)) return 1;
  return 0;
}

/* Any of the comma-separated values satisfies one. */
static int any_of(const char *list, const char *actual, one_fn one) {
  for (const char *p = list;; p++) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (one(p, n, actual)) return 1;
    if (!comma) return 0;
    p = comma;
  }
}

int hg_filter_op_match(hg_filter_op_t op, const char *value, const char *actual) {
  const char *v = value ? value : "", *x = actual ? actual : "";
  switch (op) {
    case HG_FILTER_EQ: return strcmp(v, x) == 0;
    case HG_FILTER_OEQ: return any_of(v, x, equals);
    case HG_FILTER_NEQ: return strcmp(v, x) != 0;
    case HG_FILTER_CONTAINS: return contains(v, strlen(v), x);
    case HG_FILTER_OCONTAINS: return any_of(v, x, contains);
    case HG_FILTER_N_OPS: break;
  }
  return 0;
}

int hg_filter_match(const hg_filter_t *f, hg_filter_get_fn get, const void *item) {
  for (size_t i = 0; i < f->n; i++)
    if (!hg_filter_op_match(f->terms[i].op, f->terms[i].value, get(item, f->terms[i].id))) return 0;
  return 1;
}
