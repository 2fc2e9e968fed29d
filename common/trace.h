/* trace.h - W3C Trace Context (https://www.w3.org/TR/trace-context/, Level 1): reading a
 * caller's traceparent and tracestate, starting a trace when there is none, and the
 * traceparent a process sends on with its own span id as the parent.
 *
 * Owns nothing: a trace is a small value the caller keeps (the gateway in its exchange, a
 * service in its call context). Ids are random (a per-thread generator seeded from
 * getrandom()), unique but not secret.
 * Threads: any; every call is reentrant. */
#ifndef HANGAR_TRACE_H
#define HANGAR_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define HG_TRACEPARENT_LEN 55 /* "00-" 32 hex "-" 16 hex "-" 2 hex */
#define HG_TRACESTATE_MAX 512 /* the longest tracestate passed on (the spec's SHOULD) */

typedef struct hg_trace {
  char trace_id[33];  /* 32 lowercase hex, never all zero */
  char parent_id[17]; /* the caller's span; "" when this process started the trace */
  char span_id[17];   /* this process's span for the request: the parent it sends on */
  uint8_t flags;      /* trace-flags as sent on: only the sampled bit (Level 1 3.2.2.5) */
} hg_trace_t;

/* Reads a traceparent value (section 3.2): "vv-<32 hex>-<16 hex>-<2 hex>", lowercase hex
 * only, version ff refused, trace-id and parent-id not all zero; version 00 is exactly 55
 * characters, a later version may go on after a '-' (read as 00, as 3.2.4 asks). 0 with
 * out's trace_id, parent_id and flags filled (span_id ""), or -1 with out unchanged. */
int hg_traceparent_parse(const char *s, hg_trace_t *out);

/* The trace a request runs in: the caller's, when traceparent (may be NULL) parses, else a
 * new one (random trace id, no parent, flags 01, sampled); either way a new random span id.
 * Returns 1 when the caller's trace was continued, 0 when a new one was started. */
int hg_trace_begin(const char *traceparent, hg_trace_t *out);

/* "00-<trace_id>-<span_id>-<flags>": the traceparent this process sends with its calls. */
void hg_traceparent_format(const hg_trace_t *t, char out[HG_TRACEPARENT_LEN + 1]);

/* Checks a tracestate list (section 3.3) and writes the form this process passes on into
 * out: its members joined by "," (no spaces, tabs or empty members, none of which gRPC
 * metadata may carry). Valid: up to 32 members "key=value", separated by commas with optional
 * spaces and tabs around them (empty members allowed), keys as the spec's simple or
 * multi-tenant grammar and unique, values of 1 to 256 printable ASCII characters without ','
 * or '=' and not ending in a space. Returns the length written (0: no members), or -1 when
 * the list is invalid or its plain form is longer than HG_TRACESTATE_MAX (the caller drops
 * it; the trace stands). */
int hg_tracestate_clean(const char *s, size_t n, char out[HG_TRACESTATE_MAX + 1]);

#endif
