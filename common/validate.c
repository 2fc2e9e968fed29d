/* validate.c - evaluates rule tables; one place decides what "required" and "one of" mean. */
#include "common/validate.h"

#include <string.h>

#include "common/names.h"

static int in_choices(const char *const *choices, const char *v) {
  for (; *choices; choices++)
    if (strcmp(*choices, v) == 0) return 1;
  return 0;
}

int hg_rule_check(const hg_rule_t *rule, const char *v) {
  size_t n = strlen(v);
  switch (rule->kind) {
    case HG_RULE_LENGTH: {
      size_t len = hg_utf8_length(v, n);
      return len >= rule->min && len <= rule->max;
    }
    case HG_RULE_DNS_LABEL: return hg_name_is_dns_label(v, n);
    case HG_RULE_ONE_OF: return in_choices(rule->choices, v);
    case HG_RULE_TEXT:
      if (n < rule->min || n > rule->max) return 0;
      for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) return 0;
      return 1;
    case HG_RULE_CHARSET:
      return n >= rule->min && n <= rule->max && strspn(v, rule->choices[0]) == n;
  }
  return 0;
}

size_t hg_validate(const void *msg, const hg_rule_t *rules, size_t n, hg_status_t *st) {
  size_t broken = 0;
  for (size_t i = 0; i < n; i++) {
    const hg_rule_t *r = &rules[i];
    const char *v = *(const char *const *)((const char *)msg + r->offset);
    if (!v || !*v) {
      if (!r->required) continue;
      hg_status_violation(st, r->field, "required", "is required");
      broken++;
    } else if (!hg_rule_check(r, v)) {
      hg_status_violation(st, r->field, "invalid", r->description);
      broken++;
    }
  }
  return broken;
}
