/* fields.c - the wording of Konnect field violations, and request masks. */
#include "products/fields.h"

#include <string.h>

const hg_rule_texts_t pr_rule_texts = {{
    [HG_BREAK_REQUIRED] = {"required", "is a required field", HG_EXTRA_NONE},
    [HG_BREAK_NULL] = {"is_string", "{field} must be a string", HG_EXTRA_NONE},
    [HG_BREAK_INVALID] = {"invalid", "{field} is invalid", HG_EXTRA_NONE},
    [HG_BREAK_TOO_SHORT] = {"min_length",
                            "{field} must be longer than or equal to {min} characters",
                            HG_EXTRA_MIN},
    [HG_BREAK_TOO_LONG] = {"max_length",
                           "{field} must be shorter than or equal to {max} characters",
                           HG_EXTRA_MAX},
    [HG_BREAK_ENUM] = {"enum", "{field} must be one of the following values: {choices}",
                       HG_EXTRA_CHOICES},
    [HG_BREAK_PATTERN] = {"matches_regex", "{field} must match /{text}/ regular expression",
                          HG_EXTRA_NONE},
    [HG_BREAK_UUID] = {"is_uuid", "{field} must be a UUID", HG_EXTRA_NONE},
    [HG_BREAK_BASE64] = {"is_base64", "{field} must be base64 encoded", HG_EXTRA_NONE},
    [HG_BREAK_NOT_OBJECT] = {"is_object", "{field} must be an object", HG_EXTRA_NONE},
    [HG_BREAK_NOT_BOOLEAN] = {"is_boolean", "{field} must be a boolean", HG_EXTRA_NONE},
    [HG_BREAK_UNKNOWN] = {"unknown_property", "{field} is an unknown property", HG_EXTRA_NONE},
}};

/* The rule whose machine name is rule, worded; an unknown name is its own reason. */
hg_violation_t *pr_violate(hg_status_t *st, hg_arena_t *a, const char *field, const char *rule) {
  for (int b = 0; b < HG_N_BREAKS; b++)
    if (pr_rule_texts.says[b].rule && strcmp(pr_rule_texts.says[b].rule, rule) == 0)
      return hg_rule_violate(&pr_rule_texts, (hg_break_t)b, NULL, field, a, st);
  return hg_status_violation(st, field, rule, rule);
}

hg_violation_t *pr_violate_length(hg_status_t *st, hg_arena_t *a, const char *field, int too_long,
                                  long long bound) {
  hg_rule_t row = {.field = field, .min = (size_t)bound, .max = (size_t)bound};
  return hg_rule_violate(&pr_rule_texts, too_long ? HG_BREAK_TOO_LONG : HG_BREAK_TOO_SHORT, &row,
                         field, a, st);
}

hg_violation_t *pr_violate_enum(hg_status_t *st, hg_arena_t *a, const char *field,
                                const char *const *choices) {
  hg_rule_t row = {.field = field, .choices = choices};
  return hg_rule_violate(&pr_rule_texts, HG_BREAK_ENUM, &row, field, a, st);
}

/* ---- masks ---------------------------------------------------------------------------- */

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
