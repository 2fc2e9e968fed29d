/* status.c - hg_status_t helpers and the one table mapping gRPC codes to HTTP. */
#include "common/status.h"

#include <string.h>

static const struct {
  const char *name;
  int http;
} code_table[] = {
    [HG_OK] = {"OK", 200},
    [HG_CANCELLED] = {"CANCELLED", 499},
    [HG_UNKNOWN] = {"UNKNOWN", 500},
    [HG_INVALID_ARGUMENT] = {"INVALID_ARGUMENT", 400},
    [HG_DEADLINE_EXCEEDED] = {"DEADLINE_EXCEEDED", 504},
    [HG_NOT_FOUND] = {"NOT_FOUND", 404},
    [HG_ALREADY_EXISTS] = {"ALREADY_EXISTS", 409},
    [HG_PERMISSION_DENIED] = {"PERMISSION_DENIED", 403},
    [HG_RESOURCE_EXHAUSTED] = {"RESOURCE_EXHAUSTED", 429},
    [HG_FAILED_PRECONDITION] = {"FAILED_PRECONDITION", 409},
    [HG_ABORTED] = {"ABORTED", 409},
    [HG_OUT_OF_RANGE] = {"OUT_OF_RANGE", 400},
    [HG_UNIMPLEMENTED] = {"UNIMPLEMENTED", 501},
    [HG_INTERNAL] = {"INTERNAL", 500},
    [HG_UNAVAILABLE] = {"UNAVAILABLE", 503},
    [HG_DATA_LOSS] = {"DATA_LOSS", 500},
    [HG_UNAUTHENTICATED] = {"UNAUTHENTICATED", 401},
};

#define N_CODES (sizeof(code_table) / sizeof(code_table[0]))

void hg_status_clear(hg_status_t *st) { memset(st, 0, sizeof(*st)); }

int hg_status_set(hg_status_t *st, hg_code_t code, const char *message) {
  hg_status_clear(st);
  st->code = code;
  st->message = message;
  return code;
}

hg_violation_t *hg_status_violation(hg_status_t *st, const char *field, const char *rule,
                                    const char *description) {
  if (st->n_violations >= HG_MAX_VIOLATIONS) return NULL;
  hg_violation_t *v = &st->violations[st->n_violations++];
  *v = (hg_violation_t){.field = field, .description = description, .rule = rule};
  return v;
}

void hg_violation_minimum(hg_violation_t *v, long long minimum) {
  if (!v) return;
  v->has_minimum = 1;
  v->minimum = minimum;
}

void hg_violation_maximum(hg_violation_t *v, long long maximum) {
  if (!v) return;
  v->has_maximum = 1;
  v->maximum = maximum;
}

void hg_violation_choices(hg_violation_t *v, const char *const *choices) {
  if (v) v->choices = choices;
}

int hg_violation_has_extras(const hg_violation_t *v) {
  return v->has_minimum || v->has_maximum || v->choices != NULL;
}

int hg_code_http(hg_code_t code) { return (unsigned)code < N_CODES ? code_table[code].http : 500; }

const char *hg_code_name(hg_code_t code) {
  return (unsigned)code < N_CODES ? code_table[code].name : "UNKNOWN";
}
