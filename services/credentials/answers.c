/* answers.c - the small pieces of the API's answers: times, expirations, job URLs. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "credentials/credentials.h"

/* How long after its last use credentials expire. Every credential has an expiration, as
 * in the 2020 blueprint (whose snowflake example has one beside "canExtend": false): only
 * the extendable ones can push it back. */
#define VALIDITY_S (24 * 3600)

char *kb_digits(hg_arena_t *a, int64_t v) { return hg_arena_sprintf(a, "%" PRId64, v); }

char *kb_time_text(hg_arena_t *a, int64_t unix_s) {
  time_t t = (time_t)unix_s;
  struct tm tm;
  char text[32];
  if (!gmtime_r(&t, &tm) || strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S+00:00", &tm) == 0)
    return NULL;
  return hg_arena_strdup(a, text);
}

int kb_expiration(hg_arena_t *a, const kb_record_t *rec, Google__Protobuf__StringValue **out) {
  *out = NULL;
  Google__Protobuf__StringValue *v = hg_arena_alloc(a, sizeof(*v));
  if (!v) return -1;
  google__protobuf__string_value__init(v);
  v->value = kb_time_text(a, rec->touch + VALIDITY_S);
  *out = v;
  return v->value ? 0 : -1;
}

char *kb_job_url(rpc_ctx_t *ctx, int64_t id) {
  hg_arena_t *a = rpc_ctx_arena(ctx);
  const char *base = kb_svc(ctx)->public_url;
  if (!base[0]) {
    const char *host = rpc_ctx_metadata(ctx, "x-forwarded-host");
    base = host ? hg_arena_sprintf(a, "http://%s", host) : "";
  }
  if (!base) return NULL;
  size_t n = strlen(base);
  return hg_arena_sprintf(a, "%.*s/queue/job/%" PRId64, (int)(n && base[n - 1] == '/' ? n - 1 : n),
                          base, id);
}
