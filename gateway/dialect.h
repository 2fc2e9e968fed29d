/* dialect.h - error dialects: how each REST surface writes an error body.
 *
 * A dialect is a row in a static table: a render function (error + HTTP code -> body), the
 * body's content type, the texts the gateway uses for errors it makes itself (bad body,
 * bad query, unknown route ...), per-gRPC-code HTTP overrides of the DESIGN.md table
 * (hg_code_http), per-rule HTTP overrides, and flags. Adding a surface's error shape is a
 * row here plus, when no existing renderer fits, one dialect_<name>.c with its render
 * function; never an `if` in the router, the proxy or another dialect.
 *
 * An error reaches a dialect as a gw_error_t: the hg_status_t (from a service, or made by
 * the gateway as INVALID_ARGUMENT with one violation naming the field) plus, for each
 * violation, what only the gateway knows: where the field lives in the HTTP request (body,
 * query, path, header) and, for a body that is not JSON, where parsing stopped. Every
 * dialect gets the same facts and picks what its body shows.
 * Owns: nothing (static tables). Threads: any. */
#ifndef HANGAR_GW_DIALECT_H
#define HANGAR_GW_DIALECT_H

#include "common/buf.h"
#include "gateway/json_syntax.h"
#include "common/status.h"

typedef enum {
  GW_DIALECT_KTRLPLANE = 0, /* {"error": message, "details": "..."}; also the auth admin API */
  GW_DIALECT_FASTAPI,       /* {"detail": "..."}; 422 {"detail": [{"loc","msg","type"}]} */
  GW_DIALECT_PROBLEM,       /* Konnect: application/problem+json (dialect_problem.c) */
  GW_DIALECT_KEBOOLA,       /* {"status":"error","error","code","message","exceptionId","runId"} */
  GW_DIALECT_VERVERICA,     /* kind: ApiException / ApiValidationException (dialect_ververica.c) */
  GW_N_DIALECTS
} gw_dialect_id_t;

/* Texts for errors the gateway itself makes. */
typedef enum {
  GW_TEXT_BAD_BODY = 0,    /* body not JSON, invalid UTF-8, too deep, unknown field, wrong type */
  GW_TEXT_BAD_QUERY,       /* a query parameter that does not parse as its field's type */
  GW_TEXT_BAD_PATH,        /* a path parameter with a bad escape, '/', NUL, "." or ".." */
  GW_TEXT_BAD_HEADER,      /* a forwarded header that cannot travel as gRPC metadata */
  GW_TEXT_NOT_FOUND,       /* no route for the path */
  GW_TEXT_NO_METHOD,       /* the path exists, the method does not */
  GW_TEXT_TOO_LARGE,       /* request body over the limit */
  GW_TEXT_UNAVAILABLE,     /* upstream unreachable */
  GW_TEXT_TIMEOUT,         /* upstream deadline exceeded */
  GW_TEXT_INTERNAL,        /* anything else the gateway cannot do (allocation failure ...) */
  GW_TEXT_MEDIA_TYPE,      /* a JSON-only route got a body of another content type */
  GW_TEXT_TOO_MANY,        /* 429: a caller's own limit (RESOURCE_EXHAUSTED) */
  GW_TEXT_NOT_IMPLEMENTED, /* 501: the service has no such method (UNIMPLEMENTED) */
  GW_TEXT_STORE_FULL,      /* 507: the store is full */
  GW_N_TEXTS
} gw_text_t;

#define GW_N_CODES 17 /* hg_code_t values 0..16 */

/* Where a violation's field lives in the HTTP request. */
typedef enum {
  GW_IN_UNKNOWN = 0,
  GW_IN_BODY,
  GW_IN_QUERY,
  GW_IN_PATH,
  GW_IN_HEADER,
} gw_in_t;

/* What the gateway knows about one violation beyond the status. */
typedef struct gw_where {
  gw_in_t in;
  /* A body that is not JSON: Python's json module's complaint and place (json_syntax.h);
   * syntax.msg is NULL otherwise. doc is the body as received (valid until the answer). */
  gw_json_error_t syntax;
  hg_str_t doc;
} gw_where_t;

/* An error on its way to a dialect: the status, and where[i] for st.violations[i]. */
typedef struct gw_error {
  hg_status_t st;
  gw_where_t where[HG_MAX_VIOLATIONS];
  const char *request_id; /* the exchange's X-Request-Id (for correlation ids); may be NULL */
} gw_error_t;

/* An empty error (OK status, nothing located). */
void gw_error_init(gw_error_t *e);

/* Dialect flags. */
typedef enum {
  /* Answers of 500 and above carry the dialect's own text for the code, never the message
   * that came with the status (which may name a C-level cause). */
  GW_DIALECT_OWN_5XX_TEXTS = 1,
} gw_dialect_flag_t;

/* Violations of this machine rule answer with this HTTP code instead of their status
 * code's (e.g. a body that is not UTF-8 may be 400 where other validation is 422). */
typedef struct gw_rule_http {
  const char *rule;
  int http;
} gw_rule_http_t;

typedef struct gw_dialect gw_dialect_t;

/* Appends the error body for e (answered with HTTP code http) to out. 0 or -1 (ENOMEM). */
typedef int (*gw_render_fn)(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out);

struct gw_dialect {
  const char *name;
  gw_render_fn render;
  const char *content_type;
  const char *texts[GW_N_TEXTS];
  short http[GW_N_CODES];          /* per hg_code_t: overrides hg_code_http(); 0 = none */
  const gw_rule_http_t *rule_http; /* terminated by a NULL rule; NULL = none */
  unsigned flags;                  /* gw_dialect_flag_t */
};

/* The row for id (an out-of-range id gives the first dialect). */
const gw_dialect_t *gw_dialect(gw_dialect_id_t id);

/* Upstream statuses (dialect_status.c): one table keyed on the gRPC code and the ErrorInfo
 * reason decides each status's HTTP code, whether its body shows the service's message or
 * the dialect's own words, and its Retry-After. */

/* HTTP code for st: the table's (a full store is 507), else the dialect's override for the
 * code, else hg_code_http(). A code above 16 is 500. */
int gw_dialect_status_http(const gw_dialect_t *d, const hg_status_t *st);
/* gw_dialect_status_http() of a status with this code and no reason. */
int gw_dialect_http(const gw_dialect_t *d, hg_code_t code);
/* HTTP code for a whole error: a rule override of any of its violations, else by status. */
int gw_dialect_error_http(const gw_dialect_t *d, const gw_error_t *e);
/* Seconds for the Retry-After header of an answer to st; 0 for none. */
int gw_dialect_retry_after(const hg_status_t *st);
/* Puts st, as it came from upstream, in this dialect's words: unless the table shows the
 * service's own message for it, the message becomes the dialect's text for its HTTP code
 * (and a code above 16 becomes HG_UNKNOWN). Reason, detail and violations stay. Returns 1
 * when the message was replaced (the caller may log the upstream's), else 0. */
int gw_dialect_upstream(const gw_dialect_t *d, hg_status_t *st);

const char *gw_dialect_text(const gw_dialect_t *d, gw_text_t t);
/* The dialect's text for an answer with HTTP code http ("Service unavailable" for 503 ...);
 * its internal-error text for a code it has none for. Never NULL. */
const char *gw_dialect_http_text(const gw_dialect_t *d, int http);
/* The top-level message a body should show for st answered with http: the status's own
 * message, or the dialect's text for the code when it has none (or when the dialect keeps
 * 5xx texts to itself). Never NULL. */
const char *gw_dialect_message(const gw_dialect_t *d, const hg_status_t *st, int http);
/* Renders e as an error body of this dialect into out (appended). 0 or -1 (ENOMEM). */
int gw_dialect_render(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out);

#endif
