/* fields.c - running Konnect field rule tables, and the wording of their violations. */
#include "products/fields.h"

#include <string.h>

#include "common/names.h"
#include "common/reflect.h"

/* Rules with a fixed reason: "<field> <text>" (or just the text where Konnect says so). */
static const struct {
  const char *rule;
  const char *text;
  int with_field;
} reasons[] = {
    {"required", "is a required field", 0},
    {"is_string", "must be a string", 1},
    {"is_object", "must be an object", 1},
    {"is_uuid", "must be a UUID", 1},
    {"is_base64", "must be base64 encoded", 1},
    {"is_boolean", "must be a boolean", 1},
    {"unknown_property", "is an unknown property", 1},
};

hg_violation_t *pr_violate(hg_status_t *st, hg_arena_t *a, const char *field, const char *rule) {
  const char *reason = rule;
  for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
    if (strcmp(reasons[i].rule, rule) != 0) continue;
    reason = reasons[i].with_field ? hg_arena_sprintf(a, "%s %s", field, reasons[i].text)
                                   : reasons[i].text;
  }
  return hg_status_violation(st, field, rule, reason ? reason : rule);
}

hg_violation_t *pr_violate_length(hg_status_t *st, hg_arena_t *a, const char *field, int too_long,
                                  long long bound) {
  const char *reason = hg_arena_sprintf(a, "%s must be %s than or equal to %lld characters", field,
                                        too_long ? "shorter" : "longer", bound);
  hg_violation_t *v = hg_status_violation(st, field, too_long ? "max_length" : "min_length",
                                          reason ? reason : "invalid length");
  if (too_long)
    hg_violation_maximum(v, bound);
  else
    hg_violation_minimum(v, bound);
  return v;
}

hg_violation_t *pr_violate_enum(hg_status_t *st, hg_arena_t *a, const char *field,
                                const char *const *choices) {
  size_t len = 1;
  for (size_t i = 0; choices[i]; i++) len += strlen(choices[i]) + 2;
  char *list = hg_arena_alloc(a, len);
  for (size_t i = 0; list && choices[i]; i++) {
    if (i) strcat(list, ", ");
    strcat(list, choices[i]);
  }
  const char *reason =
      list ? hg_arena_sprintf(a, "%s must be one of the following values: %s", field, list) : NULL;
  hg_violation_t *v = hg_status_violation(st, field, "enum", reason ? reason : "invalid value");
  hg_violation_choices(v, choices);
  return v;
}

/* ---- reflection ----------------------------------------------------------------------- */

const char *pr_string_field(const ProtobufCMessage *msg, const char *name) {
  const char *v = NULL;
  return hg_string_member(msg, name, &v) ? v : NULL;
}

static const Google__Protobuf__FieldMask no_paths = GOOGLE__PROTOBUF__FIELD_MASK__INIT;

const Google__Protobuf__FieldMask *pr_mask_of(const Google__Protobuf__FieldMask *mask) {
  return mask ? mask : &no_paths;
}

size_t pr_check_mask_names(const Google__Protobuf__FieldMask *mask, const char *const *names,
                           hg_arena_t *a, hg_status_t *st) {
  size_t broken = 0;
  for (size_t i = 0; names[i]; i++) {
    if (!hg_mask_has(mask, names[i])) continue;
    pr_violate(st, a, names[i], "unknown_property");
    broken++;
  }
  return broken;
}

/* ---- rule tables ---------------------------------------------------------------------- */

static int row_valid(const pr_rule_t *r, const char *v) {
  return r->valid ? r->valid(v) : hg_rule_check(&r->check, v);
}

static void report(const pr_rule_t *r, const char *v, hg_arena_t *a, hg_status_t *st) {
  switch (r->kind) {
    case PR_LENGTH: {
      int too_long = hg_utf8_length(v, strlen(v)) > r->check.max;
      pr_violate_length(st, a, r->field, too_long,
                        (long long)(too_long ? r->check.max : r->check.min));
      break;
    }
    case PR_PATTERN: {
      const char *reason =
          hg_arena_sprintf(a, "%s must match /%s/ regular expression", r->field, r->pattern);
      hg_status_violation(st, r->field, "matches_regex", reason ? reason : "invalid value");
      break;
    }
    case PR_ENUM: pr_violate_enum(st, a, r->field, r->check.choices); break;
    case PR_BASE64: pr_violate(st, a, r->field, "is_base64"); break;
  }
}

/* 1 when field was already reported by an earlier row. */
static int reported(const pr_rule_t *rules, size_t upto, const unsigned char *failed,
                    const char *field) {
  for (size_t i = 0; i < upto; i++)
    if (failed[i] && strcmp(rules[i].field, field) == 0) return 1;
  return 0;
}

size_t pr_check_fields(const ProtobufCMessage *msg, const pr_rule_t *rules, size_t n,
                       const Google__Protobuf__FieldMask *mask, hg_arena_t *a, hg_status_t *st) {
  unsigned char failed[32] = {0};
  size_t broken = 0;
  for (size_t i = 0; i < n && i < sizeof(failed); i++) {
    const pr_rule_t *r = &rules[i];
    if ((mask && !hg_mask_has(mask, r->field)) || reported(rules, i, failed, r->field)) continue;
    const char *v = pr_string_field(msg, r->field);
    if (!v && !mask && !r->required) continue;
    if (!v)
      pr_violate(st, a, r->field, mask ? "is_string" : "required");
    else if (!row_valid(r, v))
      report(r, v, a, st);
    else
      continue;
    failed[i] = 1;
    broken++;
  }
  return broken;
}
