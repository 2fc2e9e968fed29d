/* fields.h - how Konnect words field violations, and the request-mask helpers.
 *
 * Handlers declare their body fields as common/validate.h rule tables worded by
 * pr_rule_texts: "required" on create, "is_string" for a null sent in a PATCH, min_length /
 * max_length with the bound, matches_regex with the row's pattern as its text, enum with
 * choices, is_uuid, is_base64. Reasons follow the spec's examples ("name must be longer
 * than or equal to 1 characters", "slug must match /^[\w-]+$/ regular expression").
 * pr_violate*() word the checks that are not rule rows the same way.
 * Violation strings live in the arena. Threads: any; pure. */
#ifndef HANGAR_PRODUCTS_FIELDS_H
#define HANGAR_PRODUCTS_FIELDS_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/reflect.h"
#include "common/status.h"
#include "common/validate.h"
#include "google/protobuf/field_mask.pb-c.h"

/* Konnect's wording of a broken rule (hg_rules_check). */
extern const hg_rule_texts_t pr_rule_texts;

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
