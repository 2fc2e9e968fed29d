/* router.h - the gateway's route table as a segment trie.
 *
 * Each path template is split on '/'; literal segments become literal edges and "{name}"
 * segments the node's single parameter edge. Matching walks the request path segment by
 * segment, preferring a literal edge over the parameter edge and backtracking when the
 * literal branch dead-ends, so "/a/b/c" can match "/a/{x}/c" even when "/a/b/d" exists.
 * Parameter names belong to the path a template ends at, not to the edge: "/p/{id}" and
 * "/p/{product_id}/docs" share one edge and bind different request fields.
 *
 * Policy (documented for every surface):
 *  - A trailing slash is insignificant: "/x/" matches "/x" (the wrapper API serves both
 *    "/resources" and "/resources/"). "/" is the root.
 *  - An empty segment elsewhere ("/a//b") matches nothing.
 *  - Segments are percent-decoded before matching. A segment that fails to decode
 *    (bad escape, '/', NUL, invalid UTF-8, "." or "..") can never match a literal; it may
 *    still bind a parameter, and the match then reports the parameter's error so the
 *    caller answers 400 naming that parameter instead of 404.
 *  - A path that exists with other methods is GW_MATCH_METHOD with the Allow set.
 *  - Accept variants: a row with `accept` set is stored beside the row of the same method
 *    and path; gw_router_match answers the plain row (or, when there is none, the first
 *    variant of the method) and gw_match_accept switches to a variant the request's Accept
 *    header names. So representation choice is data in the route table too. A
 *    GW_ROUTE_WATCH row is a variant the same way, which gw_match_watch switches to when
 *    the query asks for a watch.
 *
 * Owns: the trie (copies of template pieces). Does not own: the routes or their data.
 * Threads: build (new/add) from one thread; then gw_router_match from any number of
 * threads at once (it reads only). */
#ifndef HANGAR_GW_ROUTER_H
#define HANGAR_GW_ROUTER_H

#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"
#include "gateway/route.h"

#define GW_MAX_PARAMS 8    /* parameters per template */
#define GW_MAX_SEGMENTS 32 /* a longer path matches nothing */
#define GW_MAX_VARIANTS 4  /* Accept variants per path */

typedef enum {
  GW_MATCH_OK = 0,
  GW_MATCH_NOT_FOUND = -1, /* no template matches the path */
  GW_MATCH_METHOD = -2,    /* the path matches, not with this method: see allow */
} gw_match_rc_t;

typedef enum {
  GW_ROUTER_EDUP = -10,      /* same method and template twice */
  GW_ROUTER_ETEMPLATE = -11, /* malformed template ("{", "{}", too many params ...) */
  GW_ROUTER_EPARAM = -12,    /* two templates of one path name its parameters differently */
  GW_ROUTER_ENOMEM = -13,
  GW_ROUTER_EVARIANTS = -14, /* more than GW_MAX_VARIANTS Accept variants on one path */
} gw_router_err_t;

typedef struct gw_router gw_router_t;

typedef struct gw_param {
  const char *name;  /* field path from the template (borrowed from the router) */
  const char *value; /* decoded, NUL-terminated, in the match arena; raw text on error */
  size_t n;
  int err; /* GW_URI_OK or the gw_uri_err_t that decoding hit */
} gw_param_t;

typedef struct gw_match {
  const gw_route_t *route; /* GW_MATCH_OK: the route; GW_MATCH_METHOD: one route on the path */
  void *data;              /* the data given to gw_router_add for route */
  unsigned allow;          /* GW_MATCH_OK / GW_MATCH_METHOD: bit (1u << method) per method */
  const char *path;        /* GW_MATCH_METHOD: the template of the matched path */
  size_t n_params;
  gw_param_t params[GW_MAX_PARAMS];
  /* GW_MATCH_OK: the path's Accept variants (every method), borrowed from the router */
  const gw_route_t *const *variants;
  void *const *variant_data;
  size_t n_variants;
} gw_match_t;

/* New empty router; NULL on allocation failure. Free with gw_router_free(). */
gw_router_t *gw_router_new(void);
void gw_router_free(gw_router_t *r);

/* Adds route (borrowed; must outlive the router) with caller data. 0 or gw_router_err_t;
 * on error the router is unchanged except possibly for new empty nodes. */
int gw_router_add(gw_router_t *r, const gw_route_t *route, void *data);

/* Matches method + raw path p[0..n) (no query). Decoded parameter values are allocated in
 * a. Returns a gw_match_rc_t; out is filled on GW_MATCH_OK and GW_MATCH_METHOD, and
 * GW_ROUTER_ENOMEM when the arena fails. */
int gw_router_match(const gw_router_t *r, gw_method_t m, const char *p, size_t n, hg_arena_t *a,
                    gw_match_t *out);

/* After GW_MATCH_OK: when the Accept header value accept names the media type of a variant
 * of the matched route's method, switches m->route and m->data to it and returns 1; else
 * leaves m as it is and returns 0 (accept may be NULL). */
int gw_match_accept(gw_match_t *m, const char *accept);

/* After GW_MATCH_OK: when the raw query holds watch=true (or watch=1) and the matched
 * route's method has a GW_ROUTE_WATCH variant, switches m to it and returns 1; else 0. */
int gw_match_watch(gw_match_t *m, hg_str_t query);

/* Appends "GET, POST" (methods of allow in gw_method_t order) to out. 0 or -1. */
int gw_allow_header(unsigned allow, hg_buf_t *out);

#endif
