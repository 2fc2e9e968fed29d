/* validate.h - field rules as tables, checked against a protobuf-c message's string fields.
 *
 * A surface declares `static const hg_rule_t rules[]` (field name, offset of the char* in
 * the generated struct, kind, bounds or choices, description) and hg_validate() appends one
 * violation per broken rule to a status, so a handler validates in one call and the dialect
 * renders the violations. Threads: any; pure. */
#ifndef HANGAR_VALIDATE_H
#define HANGAR_VALIDATE_H

#include <stddef.h>

#include "common/status.h"

typedef enum {
  HG_RULE_LENGTH,    /* min..max code points (min >= 1 means required) */
  HG_RULE_DNS_LABEL, /* names.h hg_name_is_dns_label */
  HG_RULE_ONE_OF,    /* value in choices (NULL-terminated) */
  HG_RULE_CHARSET,   /* min..max bytes, each in choices[0] (a string of allowed bytes) */
  HG_RULE_TEXT,      /* min..max bytes of UTF-8 with no control characters */
} hg_rule_kind_t;

typedef struct hg_rule {
  const char *field; /* JSON name, used in the violation */
  size_t offset;     /* offsetof(Msg, field): a `char *` member */
  hg_rule_kind_t kind;
  int required; /* empty string is a "required" violation */
  size_t min, max;
  const char *const *choices;
  const char *description; /* what a valid value looks like */
} hg_rule_t;

/* Checks every rule; returns the number of violations appended to st. A NULL or "" value of
 * a field that is not required passes. */
size_t hg_validate(const void *msg, const hg_rule_t *rules, size_t n, hg_status_t *st);
/* Checks one value against one rule: 1 valid, 0 not. */
int hg_rule_check(const hg_rule_t *rule, const char *value);

#endif
