/* rpc_metrics.c - every call a server answers, counted under the names go-grpc-prometheus
 * made the convention: grpc_server_started_total, grpc_server_handled_total (by code) and
 * grpc_server_handling_seconds, labelled grpc_type, grpc_service, grpc_method (grpc_code).
 *
 * The counting sits in the one place every call passes through (rpc_ctx.c: arrival, then
 * rpc_reply or rpc_fail), so refusals by admission, undecodable requests and the catch-all's
 * UNIMPLEMENTED answers are counted like any handler's answer. A call is timed from its
 * arrival on a queue thread to the start of its reply batch.
 *
 * Registered methods are rendered from the start (started, handled with code OK, and the
 * histogram at zero) so that rate() sees their first calls; other codes appear once they
 * have been answered. Unknown methods get their own series for the first
 * RPC__UNKNOWN_SERIES paths and share one labelled "_other" after that. */
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_internal.h"

/* Latency bounds in microseconds. Finer at the bottom than go-grpc-prometheus's default
 * (5 ms .. 10 s), since a Hangar call takes tens of microseconds to a few milliseconds and
 * a p99 inside the first bucket says nothing. */
static const uint64_t handling_us[] = {100,     250,     500,     1000,    2500,   5000,
                                       10000,   25000,   50000,   100000,  250000, 500000,
                                       1000000, 2500000, 5000000, 10000000};
static const prom_buckets_t handling_buckets = {handling_us,
                                                sizeof(handling_us) / sizeof(handling_us[0]), 6};

/* grpc_code values: Go's codes.Code.String(), which is what the convention's dashboards
 * and alerts match on. */
static const char *const code_label[HG_UNAUTHENTICATED + 1] = {
    [HG_OK] = "OK",
    [HG_CANCELLED] = "Canceled",
    [HG_UNKNOWN] = "Unknown",
    [HG_INVALID_ARGUMENT] = "InvalidArgument",
    [HG_DEADLINE_EXCEEDED] = "DeadlineExceeded",
    [HG_NOT_FOUND] = "NotFound",
    [HG_ALREADY_EXISTS] = "AlreadyExists",
    [HG_PERMISSION_DENIED] = "PermissionDenied",
    [HG_RESOURCE_EXHAUSTED] = "ResourceExhausted",
    [HG_FAILED_PRECONDITION] = "FailedPrecondition",
    [HG_ABORTED] = "Aborted",
    [HG_OUT_OF_RANGE] = "OutOfRange",
    [HG_UNIMPLEMENTED] = "Unimplemented",
    [HG_INTERNAL] = "Internal",
    [HG_UNAVAILABLE] = "Unavailable",
    [HG_DATA_LOSS] = "DataLoss",
    [HG_UNAUTHENTICATED] = "Unauthenticated",
};
#define N_CODES (sizeof(code_label) / sizeof(code_label[0]))

/* The longest unknown path kept as labels; longer ones are cut (a label, not an address). */
#define UNKNOWN_LABEL_MAX 128
#define OTHER_LABEL "_other"

static rpc__stats_t *stats_alloc(void) {
  rpc__stats_t *st = calloc(1, sizeof(*st));
  if (!st) return NULL;
  st->type = "unary";
  prom_histogram_init(&st->seconds, &handling_buckets);
  return st;
}

/* "/pkg.Service/Method" -> service "pkg.Service", method "Method". A path without a
 * second slash is all service; bytes a label may not carry readably become '?'. The buffer
 * also keeps the path as received (cut at max), which unknown_series matches on. */
static int split_labels(rpc__stats_t *st, const char *path, size_t max) {
  if (path[0] == '/') path++;
  size_t n = strnlen(path, max);
  char *b = malloc(2 * n + 3);
  if (!b) return -1;
  memcpy(b, path, n);
  b[n] = b[n + 1] = '\0';
  memcpy(b + n + 2, path, n);
  b[2 * n + 2] = '\0';
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)b[i] < 0x20 || (unsigned char)b[i] > 0x7e) b[i] = '?';
  char *slash = strrchr(b, '/');
  st->label = b;
  st->key = b + n + 2;
  st->service = b;
  st->method = slash ? slash + 1 : b + n + 1;
  if (slash) *slash = '\0';
  return 0;
}

rpc__stats_t *rpc__stats_new(const char *path) {
  rpc__stats_t *st = stats_alloc();
  if (st && split_labels(st, path, (size_t)-1) != 0) {
    free(st);
    return NULL;
  }
  return st;
}

void rpc__stats_free(rpc__stats_t *st) {
  if (!st) return;
  free(st->label);
  free(st);
}

void rpc__stats_free_unknown(rpc_server_t *s) {
  size_t n = atomic_load(&s->n_unknown);
  for (size_t i = 0; i < n; i++) rpc__stats_free(s->unknown[i]);
  rpc__stats_free(s->other_stats);
  atomic_store(&s->n_unknown, 0);
  s->other_stats = NULL;
}

/* The overflow series, made on first use (a server that never sees an unknown method
 * renders none). Under s->mu. */
static rpc__stats_t *other_series(rpc_server_t *s) {
  if (!s->other_stats && (s->other_stats = stats_alloc()) != NULL)
    s->other_stats->service = s->other_stats->method = OTHER_LABEL;
  return s->other_stats;
}

/* Whether st counts path: the same bytes, up to the cut. */
static int same_path(const rpc__stats_t *st, const char *path) {
  if (path[0] == '/') path++;
  return strncmp(st->key, path, UNKNOWN_LABEL_MAX) == 0;
}

/* The series of an unknown path: found, added, or the overflow one (NULL only when memory
 * ran out before any overflow series existed). */
static rpc__stats_t *unknown_series(rpc_server_t *s, const char *path) {
  size_t n = atomic_load_explicit(&s->n_unknown, memory_order_acquire);
  for (size_t i = 0; i < n; i++)
    if (same_path(s->unknown[i], path)) return s->unknown[i];
  rpc__stats_t *st = NULL;
  pthread_mutex_lock(&s->mu);
  n = atomic_load_explicit(&s->n_unknown, memory_order_relaxed);
  for (size_t i = 0; i < n && !st; i++) /* another thread may have added it meanwhile */
    if (same_path(s->unknown[i], path)) st = s->unknown[i];
  if (!st && path[0] && n < RPC__UNKNOWN_SERIES && (st = stats_alloc()) != NULL) {
    if (split_labels(st, path, UNKNOWN_LABEL_MAX) == 0) {
      s->unknown[n] = st;
      atomic_store_explicit(&s->n_unknown, n + 1, memory_order_release);
    } else {
      free(st);
      st = NULL;
    }
  }
  if (!st) st = other_series(s);
  pthread_mutex_unlock(&s->mu);
  return st;
}

rpc__stats_t *rpc__stats_begin(rpc_server_t *s, const rpc__method_t *m, const char *path) {
  rpc__stats_t *st = m ? m->stats : unknown_series(s, path ? path : "");
  if (st) atomic_fetch_add_explicit(&st->started, 1, memory_order_relaxed);
  return st;
}

void rpc__stats_done(rpc__stats_t *st, hg_code_t code, int64_t usec) {
  if (!st) return;
  if ((unsigned)code >= N_CODES) code = HG_UNKNOWN;
  atomic_fetch_add_explicit(&st->handled[code], 1, memory_order_relaxed);
  prom_histogram_observe(&st->seconds, usec > 0 ? (uint64_t)usec : 0);
}

/* ---- exposition --------------------------------------------------------------------------- */

#define STARTED "grpc_server_started_total"
#define HANDLED "grpc_server_handled_total"
#define HANDLING "grpc_server_handling_seconds"

/* Visits every series: registered methods, then unknown ones, then the overflow. */
typedef int (*series_fn)(const rpc__stats_t *st, int registered, hg_buf_t *out);

static int each_series(rpc_server_t *s, series_fn fn, hg_buf_t *out) {
  int rc = 0;
  for (const rpc__method_t *m = s->methods; m; m = m->next) rc |= fn(m->stats, 1, out);
  size_t n = atomic_load_explicit(&s->n_unknown, memory_order_acquire);
  for (size_t i = 0; i < n; i++) rc |= fn(s->unknown[i], 0, out);
  pthread_mutex_lock(&s->mu);
  const rpc__stats_t *other = s->other_stats;
  pthread_mutex_unlock(&s->mu);
  if (other) rc |= fn(other, 0, out);
  return rc;
}

static void labels_of(const rpc__stats_t *st, prom_label_t l[4]) {
  l[0] = (prom_label_t){"grpc_type", st->type};
  l[1] = (prom_label_t){"grpc_service", st->service};
  l[2] = (prom_label_t){"grpc_method", st->method};
}

static int render_started(const rpc__stats_t *st, int registered, hg_buf_t *out) {
  prom_label_t l[4];
  (void)registered;
  labels_of(st, l);
  return prom_sample(out, STARTED, l, 3, atomic_load_explicit(&st->started, memory_order_relaxed));
}

static int render_handled(const rpc__stats_t *st, int registered, hg_buf_t *out) {
  prom_label_t l[4];
  int rc = 0;
  labels_of(st, l);
  for (size_t c = 0; c < N_CODES; c++) {
    uint64_t v = atomic_load_explicit(&st->handled[c], memory_order_relaxed);
    if (!v && !(registered && c == HG_OK)) continue;
    l[3] = (prom_label_t){"grpc_code", code_label[c]};
    rc |= prom_sample(out, HANDLED, l, 4, v);
  }
  return rc;
}

static int render_handling(const rpc__stats_t *st, int registered, hg_buf_t *out) {
  prom_label_t l[4];
  (void)registered;
  labels_of(st, l);
  return prom_histogram_render(out, HANDLING, l, 3, &st->seconds);
}

int rpc_server_metrics(void *server, hg_buf_t *out) {
  rpc_server_t *s = server;
  int rc = prom_family(out, STARTED, "counter", "Total number of RPCs started on the server.");
  rc |= each_series(s, render_started, out);
  rc |= prom_family(out, HANDLED, "counter",
                    "Total number of RPCs completed on the server, regardless of success or "
                    "failure.");
  rc |= each_series(s, render_handled, out);
  rc |= prom_family(out, HANDLING, "histogram",
                    "Histogram of response latency (seconds) of gRPC that had been "
                    "application-level handled by the server.");
  rc |= each_series(s, render_handling, out);
  return rc ? -1 : 0;
}
