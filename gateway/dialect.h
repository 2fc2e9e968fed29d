/* dialect.h - error dialects: how each REST surface writes an error body.
 *
 * A dialect is a row in a static table: a render function (status + HTTP code -> body), the
 * body's content type, the texts the gateway uses for errors it makes itself (bad body,
 * bad query, unknown route ...), and per-gRPC-code HTTP overrides of the DESIGN.md table
 * (hg_code_http). Adding a surface's error shape is adding a row, never an `if`.
 *
 * Gateway-made errors are ordinary hg_status_t values (INVALID_ARGUMENT with one violation
 * naming the field), so a dialect renders them exactly as it renders a service's errors.
 * Owns: nothing (static tables). Threads: any. */
#ifndef HANGAR_GW_DIALECT_H
#define HANGAR_GW_DIALECT_H

#include "buf.h"
#include "status.h"

typedef enum {
  GW_DIALECT_KTRLPLANE = 0, /* {"error": message, "details": "..."}; also the auth admin API */
  GW_N_DIALECTS
} gw_dialect_id_t;

/* Texts for errors the gateway itself makes. */
typedef enum {
  GW_TEXT_BAD_BODY = 0, /* body not JSON, invalid UTF-8, too deep, unknown field, wrong type */
  GW_TEXT_BAD_QUERY,    /* a query parameter that does not parse as its field's type */
  GW_TEXT_BAD_PATH,     /* a path parameter with a bad escape, '/', NUL, "." or ".." */
  GW_TEXT_BAD_HEADER,   /* a forwarded header that cannot travel as gRPC metadata */
  GW_TEXT_NOT_FOUND,    /* no route for the path */
  GW_TEXT_NO_METHOD,    /* the path exists, the method does not */
  GW_TEXT_TOO_LARGE,    /* request body over the limit */
  GW_TEXT_UNAVAILABLE,  /* upstream unreachable */
  GW_TEXT_TIMEOUT,      /* upstream deadline exceeded */
  GW_TEXT_INTERNAL,     /* anything else the gateway cannot do (allocation failure ...) */
  GW_N_TEXTS
} gw_text_t;

#define GW_N_CODES 17 /* hg_code_t values 0..16 */

typedef struct gw_dialect gw_dialect_t;

/* Appends the error body for st (answered with HTTP code http) to out. 0 or -1 (ENOMEM). */
typedef int (*gw_render_fn)(const gw_dialect_t *d, const hg_status_t *st, int http,
                            hg_buf_t *out);

struct gw_dialect {
  const char *name;
  gw_render_fn render;
  const char *content_type;
  const char *texts[GW_N_TEXTS];
  short http[GW_N_CODES]; /* per hg_code_t: HTTP code overriding hg_code_http(); 0 = none */
};

/* The row for id (an out-of-range id gives the first dialect). */
const gw_dialect_t *gw_dialect(gw_dialect_id_t id);
/* HTTP code for a gRPC code in this dialect: its override, else hg_code_http(). */
int gw_dialect_http(const gw_dialect_t *d, hg_code_t code);
const char *gw_dialect_text(const gw_dialect_t *d, gw_text_t t);
/* Renders st as an error body of this dialect into out (appended). 0 or -1 (ENOMEM). */
int gw_dialect_render(const gw_dialect_t *d, const hg_status_t *st, int http, hg_buf_t *out);

#endif
