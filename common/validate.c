/* validate.c - evaluates rule tables: one place decides what "present", "required",
 * "null" and each kind of rule mean, and one place words a violation from a surface's
 * texts. */
#include "common/validate.h"

#include <stdio.h>
#include <string.h>

#include "common/base64.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/names.h"
#include "common/objectid.h"
#include "common/reflect.h"
#include "common/uuid.h"

const hg_rule_texts_t hg_rule_texts_described = {{
    [HG_BREAK_REQUIRED] = {"required", "is required", HG_EXTRA_NONE},
    [HG_BREAK_NULL] = {"invalid", "{text}", HG_EXTRA_NONE},
    [HG_BREAK_INVALID] = {"invalid", "{text}", HG_EXTRA_NONE},
}};

/* ---- checking values ------------------------------------------------------------------ */

static int in_choices(const char *const *choices, const char *v) {
  for (; *choices; choices++)
    if (strcmp(*choices, v) == 0) return 1;
  return 0;
}

static int plain_text(const char *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) return 0;
  return 1;
}

static int timestamp(const char *v) {
  int64_t ms;
  return hg_time_parse_rfc3339(v, HG_RFC3339_STRICT, &ms) == 0 && ms >= 0;
}

/* How value v breaks rule r, or -1 when it keeps it. */
static int value_break(const hg_rule_t *r, const char *v) {
  size_t n = strlen(v), len;
  char canon[HG_UUID_LEN > HG_OBJECTID_LEN ? HG_UUID_LEN : HG_OBJECTID_LEN];
  switch (r->kind) {
    case HG_RULE_PRESENT: return -1;
    case HG_RULE_LENGTH:
      len = hg_utf8_length(v, n);
      return len > r->max ? HG_BREAK_TOO_LONG : len < r->min ? HG_BREAK_TOO_SHORT : -1;
    case HG_RULE_TEXT:
      return n >= r->min && n <= r->max && plain_text(v, n) ? -1 : HG_BREAK_PATTERN;
    case HG_RULE_CHARSET:
      return n >= r->min && n <= r->max && strspn(v, r->charset) == n ? -1 : HG_BREAK_PATTERN;
    case HG_RULE_ONE_OF: return in_choices(r->choices, v) ? -1 : HG_BREAK_ENUM;
    case HG_RULE_DNS_LABEL: return hg_name_is_dns_label(v, n) ? -1 : HG_BREAK_PATTERN;
    case HG_RULE_UUID: return hg_uuid_parse(v, canon) == 0 ? -1 : HG_BREAK_UUID;
    case HG_RULE_OBJECTID: return hg_objectid_parse(v, canon) == 0 ? -1 : HG_BREAK_OBJECTID;
    case HG_RULE_RFC3339: return timestamp(v) ? -1 : HG_BREAK_DATETIME;
    case HG_RULE_BASE64: return hg_base64_valid(v, n, HG_BASE64_STRICT) ? -1 : HG_BREAK_BASE64;
    case HG_RULE_PREDICATE: return r->valid(v) ? -1 : HG_BREAK_PATTERN;
  }
  return HG_BREAK_INVALID;
}

int hg_rule_valid(const hg_rule_t *rule, const char *value) { return value_break(rule, value) < 0; }

/* ---- wording -------------------------------------------------------------------------- */

static int put_choices(hg_buf_t *b, const char *const *choices) {
  for (size_t i = 0; choices && choices[i]; i++)
    if ((i && hg_buf_puts(b, ", ") != 0) || hg_buf_puts(b, choices[i]) != 0) return -1;
  return 0;
}

typedef enum { SLOT_FIELD, SLOT_TEXT, SLOT_MIN, SLOT_MAX, SLOT_CHOICES } slot_t;

static const struct {
  const char *name;
  slot_t slot;
} slots[] = {
    {"field", SLOT_FIELD}, {"text", SLOT_TEXT},       {"min", SLOT_MIN},
    {"max", SLOT_MAX},     {"choices", SLOT_CHOICES},
};

/* Writes the {name} of a template; -1 on allocation failure, an unknown name, or a name
 * that needs the row when there is none. */
static int put_slot(hg_buf_t *b, const char *name, size_t n, const char *field,
                    const hg_rule_t *row) {
  char num[24];
  for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
    if (strlen(slots[i].name) != n || memcmp(slots[i].name, name, n) != 0) continue;
    if (slots[i].slot != SLOT_FIELD && !row) return -1;
    switch (slots[i].slot) {
      case SLOT_FIELD: return hg_buf_puts(b, field);
      case SLOT_TEXT: return hg_buf_puts(b, row->text ? row->text : "");
      case SLOT_CHOICES: return put_choices(b, row->choices);
      case SLOT_MIN:
      case SLOT_MAX:
        snprintf(num, sizeof(num), "%zu", slots[i].slot == SLOT_MIN ? row->min : row->max);
        return hg_buf_puts(b, num);
    }
  }
  return -1;
}

/* The template with its slots filled, in a; NULL on failure. */
static const char *fill(const char *tpl, const char *field, const hg_rule_t *row, hg_arena_t *a) {
  if (!strchr(tpl, '{')) return tpl;
  hg_buf_t b = {0};
  const char *p = tpl, *open, *close;
  int rc = 0;
  while (rc == 0 && (open = strchr(p, '{')) && (close = strchr(open, '}'))) {
    rc = hg_buf_append(&b, p, (size_t)(open - p));
    if (rc == 0) rc = put_slot(&b, open + 1, (size_t)(close - open - 1), field, row);
    p = close + 1;
  }
  if (rc == 0) rc = hg_buf_puts(&b, p);
  const char *out = rc == 0 ? hg_arena_strdup(a, b.p ? b.p : "") : NULL;
  hg_buf_free(&b);
  return out;
}

hg_violation_t *hg_rule_violate(const hg_rule_texts_t *texts, hg_break_t brk, const hg_rule_t *row,
                                const char *field, hg_arena_t *a, hg_status_t *st) {
  const hg_rule_say_t *say = &texts->says[brk];
  if (!say->rule) say = &texts->says[HG_BREAK_INVALID];
  const char *text = fill(say->text, field, row, a);
  hg_violation_t *v = hg_status_violation(st, field, say->rule, text ? text : say->rule);
  switch (row ? say->extra : HG_EXTRA_NONE) {
    case HG_EXTRA_NONE: break;
    case HG_EXTRA_MIN: hg_violation_minimum(v, (long long)row->min); break;
    case HG_EXTRA_MAX: hg_violation_maximum(v, (long long)row->max); break;
    case HG_EXTRA_CHOICES: hg_violation_choices(v, row->choices); break;
  }
  return v;
}

/* ---- tables --------------------------------------------------------------------------- */

/* Has field already been reported since violation `from`? */
static int reported(const hg_status_t *st, size_t from, const char *field) {
  for (size_t i = from; i < st->n_violations; i++)
    if (strcmp(st->violations[i].field, field) == 0) return 1;
  return 0;
}

/* How the row breaks on msg, or -1 when it holds or does not apply. */
static int row_break(const hg_rule_t *r, const ProtobufCMessage *msg,
                     const hg_rules_scope_t *scope) {
  int named = hg_mask_has(scope->mask, r->field);
  if (scope->mode == HG_RULES_PATCH && !named) return -1;
  const char *v = hg_field_string(msg, r->field);
  if (v) return value_break(r, v);
  if (scope->mode == HG_RULES_PATCH) return r->flags & HG_RULE_NULLABLE ? -1 : HG_BREAK_NULL;
  if (!(r->flags & HG_RULE_REQUIRED)) return -1;
  return named ? HG_BREAK_NULL : HG_BREAK_REQUIRED;
}

size_t hg_rules_check(const hg_rules_t *rules, const ProtobufCMessage *msg,
                      const hg_rules_scope_t *scope, hg_arena_t *a, hg_status_t *st) {
  static const hg_rules_scope_t create = {HG_RULES_CREATE, NULL, NULL};
  size_t from = st->n_violations, broken = 0;
  if (!scope) scope = &create;
  for (size_t i = 0; i < rules->n; i++) {
    const hg_rule_t *r = &rules->rules[i];
    const char *field = r->field;
    if (scope->prefix) field = hg_arena_sprintf(a, "%s%s", scope->prefix, r->field);
    if (!field) field = r->field;
    if (reported(st, from, field)) continue;
    int brk = row_break(r, msg, scope);
    if (brk < 0) continue;
    hg_rule_violate(rules->texts, (hg_break_t)brk, r, field, a, st);
    broken++;
  }
  return broken;
}
