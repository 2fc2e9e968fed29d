/* validate.h - request validation as data: one static const table of rules per request
 * message, and one call that checks a message against it and appends every broken rule to
 * a status, so all problems are listed at once.
 *
 * A rule names its field by protobuf field name (= the JSON name) and the field is found
 * through the message's descriptor. A field is present when it is: a oneof member (proto3
 * `optional`) whose case is set; a plain string that is not "" (proto3 cannot tell "" from
 * unset); a set message field, whose value is then its one string field (StringValue's
 * `value`, RawObject's `json`). Checks run on present values only.
 *
 * Each surface words violations its own way: an hg_rule_texts_t says, for each way a rule
 * can break (hg_break_t), the machine rule name, a text template and which extra the
 * violation carries. Templates may use {field}, {text} (the row's own words: a description
 * or a pattern), {min}, {max} and {choices} (", "-separated).
 * Threads: any; pure. Texts that need formatting are made in the arena given. */
#ifndef HANGAR_VALIDATE_H
#define HANGAR_VALIDATE_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "common/arena.h"
#include "common/status.h"
#include "google/protobuf/field_mask.pb-c.h"

typedef enum {
  HG_RULE_PRESENT,   /* any value */
  HG_RULE_LENGTH,    /* min..max code points */
  HG_RULE_TEXT,      /* min..max bytes of UTF-8 with no control characters */
  HG_RULE_CHARSET,   /* min..max bytes, each one of charset */
  HG_RULE_ONE_OF,    /* one of choices */
  HG_RULE_DNS_LABEL, /* names.h hg_name_is_dns_label */
  HG_RULE_UUID,      /* uuid.h */
  HG_RULE_OBJECTID,  /* objectid.h */
  HG_RULE_RFC3339,   /* strict RFC 3339 (clock.h), not before the epoch */
  HG_RULE_BASE64,    /* strict base64 (base64.h HG_BASE64_STRICT) */
  HG_RULE_PREDICATE, /* valid(value) */
} hg_rule_kind_t;

enum {
  HG_RULE_REQUIRED = 1u << 0, /* absent from a create is a violation */
  HG_RULE_NULLABLE = 1u << 1, /* a PATCH may send null (it clears the field) */
};

typedef struct hg_rule {
  const char *field; /* protobuf field name = JSON name */
  hg_rule_kind_t kind;
  unsigned flags; /* HG_RULE_REQUIRED | HG_RULE_NULLABLE */
  size_t min, max;
  const char *const *choices;  /* ONE_OF: NULL-terminated */
  const char *charset;         /* CHARSET: the allowed bytes */
  int (*valid)(const char *v); /* PREDICATE: 1 valid */
  const char *text;            /* the row's own words, {text} in templates */
} hg_rule_t;

/* The ways a rule breaks; a value's break follows from its rule's kind. */
typedef enum {
  HG_BREAK_REQUIRED,  /* absent from a create */
  HG_BREAK_NULL,      /* sent as null where a value is needed */
  HG_BREAK_INVALID,   /* any break below whose wording is not set */
  HG_BREAK_TOO_SHORT, /* LENGTH */
  HG_BREAK_TOO_LONG,  /* LENGTH */
  HG_BREAK_ENUM,      /* ONE_OF */
  HG_BREAK_PATTERN,   /* TEXT, CHARSET, DNS_LABEL, PREDICATE */
  HG_BREAK_UUID,
  HG_BREAK_OBJECTID,
  HG_BREAK_DATETIME, /* RFC3339 */
  HG_BREAK_BASE64,
  /* Not from a rule row: what a handler finds itself and words with the same texts. */
  HG_BREAK_NOT_OBJECT,  /* a JSON value that is not an object */
  HG_BREAK_NOT_BOOLEAN, /* a JSON value that is not a boolean */
  HG_BREAK_UNKNOWN,     /* a key that names no body field */
  HG_N_BREAKS
} hg_break_t;

typedef enum { HG_EXTRA_NONE, HG_EXTRA_MIN, HG_EXTRA_MAX, HG_EXTRA_CHOICES } hg_extra_t;

typedef struct hg_rule_say {
  const char *rule; /* the violation's machine rule; NULL: say as HG_BREAK_INVALID */
  const char *text; /* template */
  hg_extra_t extra;
} hg_rule_say_t;

/* One surface's wording, indexed by hg_break_t. */
typedef struct hg_rule_texts {
  hg_rule_say_t says[HG_N_BREAKS];
} hg_rule_texts_t;

/* "required"/"is required" when absent, else "invalid" with the row's text: the wording of
 * the KtrlPlane and auth admin surfaces. */
extern const hg_rule_texts_t hg_rule_texts_described;

/* A request message's rules and their wording. */
typedef struct hg_rules {
  const hg_rule_texts_t *texts;
  const hg_rule_t *rules;
  size_t n;
} hg_rules_t;

#define HG_RULES(texts, table)                                                                     \
  { (texts), (table), sizeof(table) / sizeof((table)[0]) }

typedef enum {
  HG_RULES_CREATE, /* every rule; absent and required: REQUIRED, or NULL when the mask names it */
  HG_RULES_PATCH,  /* only the rules of fields the mask names; absent: NULL unless nullable */
} hg_rules_mode_t;

/* How a message is checked; a NULL scope is a create with no mask and no prefix. */
typedef struct hg_rules_scope {
  hg_rules_mode_t mode;
  const Google__Protobuf__FieldMask *mask; /* the keys the body sent; NULL: none */
  const char *prefix;                      /* put before each field ("bindings[0].") */
} hg_rules_scope_t;

/* Checks msg against every rule in scope and appends a violation for each broken one, the
 * first broken rule of a field only. Returns the number of violations found. */
size_t hg_rules_check(const hg_rules_t *rules, const ProtobufCMessage *msg,
                      const hg_rules_scope_t *scope, hg_arena_t *a, hg_status_t *st);

/* Does value keep rule? 1 yes, 0 no (for values not read from a message: path ids). */
int hg_rule_valid(const hg_rule_t *rule, const char *value);

/* Appends one violation of rule (row may be NULL when the break needs none of its words)
 * at field, worded by texts. Returns it, NULL when the status is full. */
hg_violation_t *hg_rule_violate(const hg_rule_texts_t *texts, hg_break_t brk, const hg_rule_t *row,
                                const char *field, hg_arena_t *a, hg_status_t *st);

#endif
