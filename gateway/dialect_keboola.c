/* dialect_keboola.c - Keboola's error object (seed 001, CONTRACTS.md), for every 4xx and 5xx:
 *   {"status":"error","error":"User error"|"Application error","code":<HTTP status>,
 *    "message":"...","exceptionId":"provisioning-<hex>","runId":<int>}
 * "User error" below 500. The message is the service's (or the gateway's own text),
 * followed by what names the field when there is one. The exception id is fresh per answer,
 * for finding it in the logs, and so is the run id (Keboola's are integers).
 * A refusal the service marks with reason WARNING (extending credentials that cannot be
 * extended) is the blueprint's {"status":"warning","message":...} instead. */
#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

#include "common/clock.h"
#include "common/random.h"
#include "gateway/dialect_internal.h"

static _Atomic uint64_t answers;

int gw__render_keboola(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out) {
  const char *message = gw_dialect_message(d, &e->st, http);
  int rc = 0;
  if (e->st.reason && strcmp(e->st.reason, "WARNING") == 0) {
    rc |= hg_buf_puts(out, "{\"status\":\"warning\",\"message\":");
    rc |= gw__put_json_string(out, message);
    rc |= hg_buf_putc(out, '}');
    return rc ? -1 : 0;
  }
  hg_buf_t text = HG_BUF_INIT, details = HG_BUF_INIT;
  rc |= gw__join_details(&e->st, &details);
  rc |= hg_buf_puts(&text, message);
  if (details.n && http < 500) rc |= hg_buf_printf(&text, " (%s)", details.p);
  uint64_t seed = (uint64_t)hg_monotonic_us() ^ (atomic_fetch_add(&answers, 1) << 40);
  uint64_t exception = hg_splitmix64_mix(seed), run = hg_splitmix64_mix(exception);
  rc |= hg_buf_printf(out, "{\"status\":\"error\",\"error\":\"%s\",\"code\":%d,\"message\":",
                      http < 500 ? "User error" : "Application error", http);
  rc |= text.n ? gw__put_json_string(out, text.p) : gw__put_json_string(out, message);
  rc |=
      hg_buf_printf(out, ",\"exceptionId\":\"provisioning-%016" PRIx64 "\",\"runId\":%" PRIu64 "}",
                    exception, run % 1000000000u + 1);
  hg_buf_free(&text);
  hg_buf_free(&details);
  return rc ? -1 : 0;
}
