/* log.c - one log line per write(2) so lines from different threads never interleave; the
 * text and JSON renderings of a line. */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/json_escape.h"

/* The text line keeps its historical bound; JSON needs room for escapes and fields. */
#define TEXT_LINE_MAX 2048
#define MSG_MAX 2048
/* A field other than the message is cut at this many input bytes (ids, names, templates),
 * so that the fixed fields can never crowd the line past what JSON_RESERVE keeps free. */
#define FIELD_MAX 256
/* A tracestate is written whole: its plain form is at most HG_TRACESTATE_MAX (common/trace.h)
 * printable ASCII bytes, which a line has room for. */
#define TRACESTATE_FIELD_MAX 512
/* Strings stop this far before the end of the buffer, which is more than every key,
 * number and closing brace of a line together: a cut line still closes as valid JSON. */
#define JSON_RESERVE 384

static hg_log_level_t log_level = HG_LOG_INFO;
static hg_log_format_t log_format = HG_LOG_TEXT;
static const char *log_process;
static const char *const level_names[] = {"debug", "info", "warn", "error"};
static const char *const format_names[] = {"text", "json"};

int hg_log_parse_level(const char *s) {
  for (int i = 0; i < 4; i++)
    if (s && strcmp(s, level_names[i]) == 0) return i;
  return -1;
}

void hg_log_set_level(hg_log_level_t level) { log_level = level; }

int hg_log_parse_format(const char *s) {
  for (int i = 0; i < 2; i++)
    if (s && strcmp(s, format_names[i]) == 0) return i;
  return -1;
}

void hg_log_set_format(hg_log_format_t format) { log_format = format; }
hg_log_format_t hg_log_format(void) { return log_format; }
void hg_log_set_process(const char *name) { log_process = name; }

/* ---- text ------------------------------------------------------------------------------ */

static size_t render_text(const hg_log_line_t *l, char *out, size_t cap) {
  time_t secs = (time_t)(l->unix_ms / 1000);
  struct tm tm;
  const char *rid = l->ctx ? l->ctx->request_id : NULL;
  const char *tid = l->ctx ? l->ctx->trace_id : NULL;
  gmtime_r(&secs, &tm);
  int n =
      snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s %s%s%s%s%s: %.*s",
               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
               (int)(l->unix_ms % 1000), level_names[l->level], l->module, rid ? " req=" : "",
               rid ? rid : "", tid ? " trace_id=" : "", tid ? tid : "", (int)l->msg_len, l->msg);
  if (n < 0) n = 0;
  if ((size_t)n >= cap - 1) n = (int)cap - 2;
  out[n++] = '\n';
  return (size_t)n;
}

/* ---- JSON ------------------------------------------------------------------------------ */

typedef struct jw {
  char *p;
  size_t n, cap, str_end;
} jw_t;

static void jw_raw(jw_t *w, const char *s) {
  size_t k = strlen(s);
  if (w->n + k > w->cap) return; /* unreachable by JSON_RESERVE; never a partial token */
  memcpy(w->p + w->n, s, k);
  w->n += k;
}

static void jw_str(jw_t *w, const char *s, size_t len) {
  if (!s) {
    jw_raw(w, "null");
    return;
  }
  jw_raw(w, "\"");
  if (w->n < w->str_end) w->n += hg_json_escape(s, len, w->p + w->n, w->str_end - w->n, NULL);
  jw_raw(w, "\"");
}

/* ,"key":"value" (or null), the value cut at max bytes. */
static void jw_field_max(jw_t *w, const char *key, const char *s, size_t max) {
  jw_raw(w, ",\"");
  jw_raw(w, key);
  jw_raw(w, "\":");
  jw_str(w, s, s ? strnlen(s, max) : 0);
}

static void jw_field(jw_t *w, const char *key, const char *s) {
  jw_field_max(w, key, s, FIELD_MAX);
}

static void jw_call(jw_t *w, const hg_log_call_t *c) {
  char num[64];
  long long us = c->latency_us > 0 ? (long long)c->latency_us : 0;
  if (c->method) jw_field(w, "method", c->method);
  jw_field(w, "route", c->route);
  snprintf(num, sizeof(num), ",\"status\":%d,\"latency_ms\":%lld.%03lld", c->status, us / 1000,
           us % 1000);
  jw_raw(w, num);
  jw_field(w, "subject", c->subject);
  jw_field(w, "parent_id", c->parent_id);
  jw_field_max(w, "tracestate", c->tracestate, TRACESTATE_FIELD_MAX);
}

static size_t render_json(const hg_log_line_t *l, char *out, size_t cap) {
  char time_text[HG_RFC3339_LEN];
  jw_t w = {out, 0, cap - 1, cap - JSON_RESERVE};
  hg_time_rfc3339(l->unix_ms, time_text);
  jw_raw(&w, "{\"time\":\"");
  jw_raw(&w, time_text);
  jw_raw(&w, "\"");
  jw_field(&w, "level", level_names[l->level]);
  jw_field(&w, "process", l->process);
  jw_field(&w, "module", l->module);
  jw_field(&w, "request_id", l->ctx ? l->ctx->request_id : NULL);
  jw_field(&w, "trace_id", l->ctx ? l->ctx->trace_id : NULL);
  jw_field(&w, "span_id", l->ctx ? l->ctx->span_id : NULL);
  if (l->call) jw_call(&w, l->call);
  jw_raw(&w, ",\"msg\":");
  jw_str(&w, l->msg, l->msg_len);
  jw_raw(&w, "}");
  out[w.n++] = '\n';
  return w.n;
}

size_t hg_log_render(const hg_log_line_t *l, char *out, size_t cap) {
  return l->format == HG_LOG_JSON ? render_json(l, out, cap) : render_text(l, out, cap);
}

/* ---- writing --------------------------------------------------------------------------- */

static void emit(hg_log_level_t level, const char *module, const hg_log_ctx_t *ctx,
                 const hg_log_call_t *call, const char *fmt, va_list ap) {
  char msg[MSG_MAX], line[HG_LOG_LINE_MAX];
  struct timespec ts;
  int m = vsnprintf(msg, sizeof(msg), fmt, ap);
  if (m < 0) return;
  clock_gettime(CLOCK_REALTIME, &ts);
  hg_log_line_t l = {.format = log_format,
                     .unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
                     .level = level,
                     .process = log_process,
                     .module = module,
                     .ctx = ctx,
                     .call = call,
                     .msg = msg,
                     .msg_len = (size_t)m < sizeof(msg) ? (size_t)m : sizeof(msg) - 1};
  size_t n = hg_log_render(&l, line, log_format == HG_LOG_JSON ? sizeof(line) : TEXT_LINE_MAX);
  ssize_t wr = write(STDERR_FILENO, line, n);
  (void)wr; /* nowhere left to report a failed log write */
}

void hg_log(hg_log_level_t level, const char *module, const char *reqid, const char *fmt, ...) {
  if (level < log_level) return;
  hg_log_ctx_t ctx = {.request_id = reqid};
  va_list ap;
  va_start(ap, fmt);
  emit(level, module, &ctx, NULL, fmt, ap);
  va_end(ap);
}

void hg_log_in(hg_log_level_t level, const char *module, const hg_log_ctx_t *ctx, const char *fmt,
               ...) {
  if (level < log_level) return;
  va_list ap;
  va_start(ap, fmt);
  emit(level, module, ctx, NULL, fmt, ap);
  va_end(ap);
}

void hg_log_call(hg_log_level_t level, const char *module, const hg_log_ctx_t *ctx,
                 const hg_log_call_t *call, const char *fmt, ...) {
  if (level < log_level) return;
  va_list ap;
  va_start(ap, fmt);
  emit(level, module, ctx, call, fmt, ap);
  va_end(ap);
}
