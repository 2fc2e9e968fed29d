/* dialect_internal.h - shared between dialect.c (the table) and the dialect_<name>.c files
 * that hold each dialect's render function (gw__ tier).
 * Threads: any; everything here is pure. */
#ifndef HANGAR_GW_DIALECT_INTERNAL_H
#define HANGAR_GW_DIALECT_INTERNAL_H

#include "gateway/dialect.h"

/* FastAPI (seed 003): dialect_fastapi.c. */
int gw__render_fastapi(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out);

/* Konnect (seed 004): dialect_problem.c. */
int gw__render_problem(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out);

/* Keboola (seed 001): dialect_keboola.c. */
int gw__render_keboola(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out);

/* "detail; field: description; ..." - the status's free-text detail first, then each
 * violation (one without a field, the body as a whole, is just its description), appended
 * to out. 0 or -1. */
int gw__join_details(const hg_status_t *st, hg_buf_t *out);
/* Ververica (seed 002): dialect_ververica.c. */
int gw__render_ververica(const gw_dialect_t *d, const gw_error_t *e, int http, hg_buf_t *out);

/* Appends s as a JSON string literal. 0 or -1. */
int gw__put_json_string(hg_buf_t *out, const char *s);

#endif
