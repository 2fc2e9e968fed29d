/* status.h - the error value that crosses module and process boundaries.
 *
 * A status is a gRPC status code, a message, and structured details (google.rpc.ErrorInfo
 * reason + a free-text detail, google.rpc.BadRequest field violations, and the violations'
 * extras: minimum/maximum/choices, in hangar.rpc.v1.ViolationExtras). common/rpc carries it
 * in grpc-status-details-bin; each gateway dialect renders it as its own error body.
 * Strings inside are borrowed (static or arena-owned); the struct itself is plain data.
 * Threads: any. */
#ifndef HANGAR_STATUS_H
#define HANGAR_STATUS_H

#include <stddef.h>

/* Numbered exactly as grpc_status_code. */
typedef enum {
  HG_OK = 0,
  HG_CANCELLED = 1,
  HG_UNKNOWN = 2,
  HG_INVALID_ARGUMENT = 3,
  HG_DEADLINE_EXCEEDED = 4,
  HG_NOT_FOUND = 5,
  HG_ALREADY_EXISTS = 6,
  HG_PERMISSION_DENIED = 7,
  HG_RESOURCE_EXHAUSTED = 8,
  HG_FAILED_PRECONDITION = 9,
  HG_ABORTED = 10,
  HG_OUT_OF_RANGE = 11,
  HG_UNIMPLEMENTED = 12,
  HG_INTERNAL = 13,
  HG_UNAVAILABLE = 14,
  HG_DATA_LOSS = 15,
  HG_UNAUTHENTICATED = 16,
} hg_code_t;

#define HG_MAX_VIOLATIONS 16

typedef struct hg_violation {
  const char *field;       /* JSON path of the offending field, e.g. "settings_json" */
  const char *description; /* human sentence */
  const char *rule; /* machine rule name ("required", "enum", "max_length"...), may be NULL */
  /* Optional extras, as Konnect's invalid_parameters entries carry them: the bound a
   * min_... or max_... rule was checked against, and the allowed values of an "enum" rule
   * (NULL-terminated; NULL = none). Zero-initialised = no extras. */
  int has_minimum;
  long long minimum;
  int has_maximum;
  long long maximum;
  const char *const *choices;
} hg_violation_t;

typedef struct hg_status {
  hg_code_t code;
  const char *message; /* top-level message, e.g. "Resource not found" */
  const char *reason;  /* ErrorInfo.reason, e.g. "INVALID_TOKEN"; may be NULL */
  const char *detail;  /* ErrorInfo.metadata["details"]: free-text detail; may be NULL */
  size_t n_violations;
  hg_violation_t violations[HG_MAX_VIOLATIONS];
} hg_status_t;

/* Reset to an empty OK status. */
void hg_status_clear(hg_status_t *st);
/* Set code and message (borrowed), clearing details. Returns code for `return hg_status_set(...)`. */
int hg_status_set(hg_status_t *st, hg_code_t code, const char *message);
/* Append a violation without extras (strings borrowed). Returns it so the caller may set
 * extras (hg_violation_minimum ...), or NULL when HG_MAX_VIOLATIONS are already held (the
 * violation is dropped). */
hg_violation_t *hg_status_violation(hg_status_t *st, const char *field, const char *rule,
                                    const char *description);
/* Set an extra on v; v may be NULL (a dropped violation), then nothing happens. choices is
 * borrowed and NULL-terminated. */
void hg_violation_minimum(hg_violation_t *v, long long minimum);
void hg_violation_maximum(hg_violation_t *v, long long maximum);
void hg_violation_choices(hg_violation_t *v, const char *const *choices);
/* Does v carry any extra? */
int hg_violation_has_extras(const hg_violation_t *v);

/* The HTTP status a gRPC code maps to by default (DESIGN.md table). */
int hg_code_http(hg_code_t code);
/* "NOT_FOUND" etc. */
const char *hg_code_name(hg_code_t code);

#endif
