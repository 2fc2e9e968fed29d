/* log.h - one-line logs to stderr, as text (the default) or as one JSON object per line.
 *
 * Text:  "<time> <level> <module>[ req=<id>][ trace_id=<id>]: <message>"
 * JSON:  {"time","level","process","module","request_id","trace_id","span_id", ...,"msg"}:
 *        time is RFC 3339 UTC with milliseconds; request_id, trace_id and span_id are null
 *        outside a request. A per-request line (hg_log_call: the gateway's access line, a
 *        service's per-call line) also carries method (HTTP only), route (the route template
 *        or the gRPC method, never a raw path), status (HTTP status or gRPC code),
 *        latency_ms, subject (the authenticated principal's subject, null when none) and
 *        parent_id (the caller's span, null when the trace started here) and tracestate
 *        (the W3C tracestate the request carried on, null when none): each such line is one
 *        span of the trace.
 * Every string is escaped (json_escape.h), so any message yields a line a parser accepts.
 * Nothing passed here may hold a token or a secret: log a subject or a token id instead.
 *
 * Threads: any (each line is written with one write(2)). Level, format and process name are
 * set once at start, before threads. */
#ifndef HANGAR_LOG_H
#define HANGAR_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  HG_LOG_DEBUG = 0,
  HG_LOG_INFO = 1,
  HG_LOG_WARN = 2,
  HG_LOG_ERROR = 3
} hg_log_level_t;

typedef enum { HG_LOG_TEXT = 0, HG_LOG_JSON = 1 } hg_log_format_t;

/* "debug", "info", "warn", "error"; returns -1 for anything else. */
int hg_log_parse_level(const char *s);
void hg_log_set_level(hg_log_level_t level);
/* "text", "json"; returns -1 for anything else. */
int hg_log_parse_format(const char *s);
void hg_log_set_format(hg_log_format_t format);
hg_log_format_t hg_log_format(void);
/* The process's name in JSON lines ("gateway", "auth-svc" ...); borrowed, must outlive
 * every log call (a literal). */
void hg_log_set_process(const char *name);

/* The request a line belongs to. Either field may be NULL. */
typedef struct hg_log_ctx {
  const char *request_id;
  const char *trace_id; /* W3C trace id, 32 lowercase hex (common/trace.h) */
  const char *span_id;  /* this process's span of the request, 16 lowercase hex */
} hg_log_ctx_t;

/* What a per-request line reports about its request. */
typedef struct hg_log_call {
  const char *method;     /* HTTP method; NULL for a gRPC call */
  const char *route;      /* route template or gRPC method path; NULL when no route matched */
  int status;             /* HTTP status, or gRPC status code */
  int64_t latency_us;     /* written as latency_ms with three decimals */
  const char *subject;    /* the caller's subject; NULL when not authenticated */
  const char *parent_id;  /* the caller's span id; NULL when the trace started here */
  const char *tracestate; /* the tracestate passed on (common/trace.h's plain form); NULL: none */
} hg_log_call_t;

/* module: "store", "rpc", "gateway" ...; reqid may be NULL. */
void hg_log(hg_log_level_t level, const char *module, const char *reqid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A line about one request: ctx may be NULL. */
void hg_log_in(hg_log_level_t level, const char *module, const hg_log_ctx_t *ctx, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));
/* The per-request line: call required, ctx may be NULL. */
void hg_log_call(hg_log_level_t level, const char *module, const hg_log_ctx_t *ctx,
                 const hg_log_call_t *call, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define HG_DEBUG(mod, rid, ...) hg_log(HG_LOG_DEBUG, mod, rid, __VA_ARGS__)
#define HG_INFO(mod, rid, ...) hg_log(HG_LOG_INFO, mod, rid, __VA_ARGS__)
#define HG_WARN(mod, rid, ...) hg_log(HG_LOG_WARN, mod, rid, __VA_ARGS__)
#define HG_ERROR(mod, rid, ...) hg_log(HG_LOG_ERROR, mod, rid, __VA_ARGS__)
#define HG_DEBUG_IN(mod, ctx, ...) hg_log_in(HG_LOG_DEBUG, mod, ctx, __VA_ARGS__)
#define HG_INFO_IN(mod, ctx, ...) hg_log_in(HG_LOG_INFO, mod, ctx, __VA_ARGS__)
#define HG_WARN_IN(mod, ctx, ...) hg_log_in(HG_LOG_WARN, mod, ctx, __VA_ARGS__)
#define HG_ERROR_IN(mod, ctx, ...) hg_log_in(HG_LOG_ERROR, mod, ctx, __VA_ARGS__)

/* One line as the logger renders it, for tests and for callers that write elsewhere. */
typedef struct hg_log_line {
  hg_log_format_t format;
  int64_t unix_ms;
  hg_log_level_t level;
  const char *process; /* may be NULL (JSON: null) */
  const char *module;
  const hg_log_ctx_t *ctx;   /* may be NULL */
  const hg_log_call_t *call; /* may be NULL */
  const char *msg;
  size_t msg_len;
} hg_log_line_t;

/* The longest line written; a longer message is cut (JSON: at a character boundary). */
#define HG_LOG_LINE_MAX 8192

/* Renders l with its newline into out[0..cap) (cap >= 1024). Returns the length. */
size_t hg_log_render(const hg_log_line_t *l, char *out, size_t cap);

#endif
