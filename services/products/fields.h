/* fields.h - Konnect's field rules and how their violations read.
 *
 * A handler declares its body fields as a table of pr_rule_t rows: which values are valid
 * (a common/validate.h rule, or a predicate) and which Konnect rule a failure is reported
 * as (min_length/max_length with minimum/maximum, matches_regex, enum with choices,
 * is_base64). pr_check_fields() runs the table over a request message by field name: on
 * create (mask NULL) an absent required field is "required"; on PATCH only the fields in
 * update_mask are checked and a field sent as null is "is_string". Only the first failing
 * row of a field is reported. Reasons follow the spec's examples ("name must be longer than
 * or equal to 1 characters", "slug must match /^[\w-]+$/ regular expression").
 * Violation strings live in the arena. Threads: any; pure. */
#ifndef HANGAR_PRODUCTS_FIELDS_H
#define HANGAR_PRODUCTS_FIELDS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "google/protobuf/field_mask.pb-c.h"
#include "common/reflect.h"
#include "common/status.h"
#include "common/validate.h"

/* The Konnect rule a failed row is reported as. */
typedef enum {
  PR_LENGTH,  /* check is HG_RULE_LENGTH: min_length or max_length, with the bound */
  PR_PATTERN, /* matches_regex, the pattern in the reason */
  PR_ENUM,    /* check is HG_RULE_ONE_OF: enum, with choices */
  PR_BASE64,  /* is_base64 */
} pr_kind_t;

typedef struct pr_rule {
  const char *field; /* JSON name = proto field name */
  int required;      /* absent on create is a "required" violation */
  pr_kind_t kind;
  hg_rule_t check;            /* validate.h rule (field/offset unused), when valid is NULL */
  int (*valid)(const char *); /* or a predicate */
  const char *pattern;        /* PR_PATTERN: the regular expression as the reason shows it */
} pr_rule_t;

/* Checks rules against msg. mask NULL: create; else PATCH (see above). Returns the number
 * of violations appended to st. */
size_t pr_check_fields(const ProtobufCMessage *msg, const pr_rule_t *rules, size_t n,
                       const Google__Protobuf__FieldMask *mask, hg_arena_t *a, hg_status_t *st);

/* The value of string field name of msg: a oneof member when set, a plain string always;
 * NULL when unset or not a string field. */
const char *pr_string_field(const ProtobufCMessage *msg, const char *name);

/* A PATCH request's mask; a request without one (a gRPC client that set none) names no
 * field. Never NULL. */
const Google__Protobuf__FieldMask *pr_mask_of(const Google__Protobuf__FieldMask *mask);
/* Each of names (NULL-terminated: the request's path parameters) that the body also named
 * is an "unknown_property" violation. Returns the number appended. */
size_t pr_check_mask_names(const Google__Protobuf__FieldMask *mask, const char *const *names,
                           hg_arena_t *a, hg_status_t *st);

/* One violation with the reason Konnect gives for rule (required, is_string, is_object,
 * is_uuid, is_base64, is_boolean, unknown_property): "<field> must be a string" ... */
hg_violation_t *pr_violate(hg_status_t *st, hg_arena_t *a, const char *field, const char *rule);
/* min_length / max_length with the bound as extra and in the reason. */
hg_violation_t *pr_violate_length(hg_status_t *st, hg_arena_t *a, const char *field, int too_long,
                                  long long bound);
/* enum with choices (NULL-terminated, borrowed) as extra and in the reason. */
hg_violation_t *pr_violate_enum(hg_status_t *st, hg_arena_t *a, const char *field,
                                const char *const *choices);

#endif
