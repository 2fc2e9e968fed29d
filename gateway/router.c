/* router.c - segment trie over path templates (see router.h for the matching policy).
 *
 * Nodes are heap-allocated once at start; matching allocates nothing but the decoded
 * segment copies in the request's arena. Literal edges are a short array per node: route
 * tables have a handful of siblings per level, so a scan beats any hashing here. */
#include "gateway/router.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gateway/media.h"
#include "gateway/uri.h"

typedef struct node {
  char *lit; /* label of the literal edge leading here (NULL for root/param nodes) */
  size_t lit_n;
  struct node **kids; /* literal children */
  size_t n_kids;
  struct node *param;         /* the parameter child, reached through any "{name}" */
  char *names[GW_MAX_PARAMS]; /* parameter names of the templates ending here, in order */
  size_t n_names;
  const gw_route_t *routes[GW_N_METHODS];
  void *data[GW_N_METHODS];
  unsigned allow;
  const char *tmpl;                            /* template of the routes ending here */
  const gw_route_t *variants[GW_MAX_VARIANTS]; /* rows with `accept`, any method */
  void *variant_data[GW_MAX_VARIANTS];
  size_t n_variants;
} node_t;

struct gw_router {
  node_t root;
};

static const char *const method_names[GW_N_METHODS] = {
    [GW_GET] = "GET",         [GW_HEAD] = "HEAD",   [GW_POST] = "POST",
    [GW_PUT] = "PUT",         [GW_PATCH] = "PATCH", [GW_DELETE] = "DELETE",
    [GW_OPTIONS] = "OPTIONS", [GW_TRACE] = "TRACE", [GW_CONNECT] = "CONNECT",
};

const char *gw_method_name(gw_method_t m) {
  return (unsigned)m < GW_N_METHODS ? method_names[m] : "?";
}

gw_router_t *gw_router_new(void) { return calloc(1, sizeof(gw_router_t)); }

static void node_free(node_t *nd) {
  for (size_t i = 0; i < nd->n_kids; i++) {
    node_free(nd->kids[i]);
    free(nd->kids[i]);
  }
  free(nd->kids);
  if (nd->param) {
    node_free(nd->param);
    free(nd->param);
  }
  for (size_t i = 0; i < nd->n_names; i++) free(nd->names[i]);
  free(nd->lit);
}

void gw_router_free(gw_router_t *r) {
  if (!r) return;
  node_free(&r->root);
  free(r);
}

/* ---- building ------------------------------------------------------------------------- */

static node_t *literal_child(node_t *nd, const char *s, size_t n) {
  for (size_t i = 0; i < nd->n_kids; i++)
    if (nd->kids[i]->lit_n == n && memcmp(nd->kids[i]->lit, s, n) == 0) return nd->kids[i];
  node_t *kid = calloc(1, sizeof(*kid));
  node_t **kids = realloc(nd->kids, (nd->n_kids + 1) * sizeof(*kids));
  char *lit = kid ? strndup(s, n) : NULL;
  if (!kid || !kids || !lit) {
    if (kids) nd->kids = kids;
    free(kid);
    free(lit);
    return NULL;
  }
  kid->lit = lit;
  kid->lit_n = n;
  nd->kids = kids;
  nd->kids[nd->n_kids++] = kid;
  return kid;
}

/* The parameter edge is shared by every template with a parameter at this position,
 * whatever they call it ("/p/{id}" and "/p/{product_id}/docs"): names belong to the node
 * where a template ends (set_names). */
static int param_child(node_t *nd, node_t **out) {
  if (!nd->param && !(nd->param = calloc(1, sizeof(*nd->param)))) return GW_ROUTER_ENOMEM;
  *out = nd->param;
  return 0;
}

/* One template segment: a literal without braces, or "{name}" with a non-empty name
 * (*is_param set; the name is s[1..n-1)). */
static int add_segment(node_t *nd, const char *s, size_t n, node_t **out, int *is_param) {
  int brace = memchr(s, '{', n) || memchr(s, '}', n);
  *is_param = 0;
  if (n == 0) return GW_ROUTER_ETEMPLATE;
  if (!brace) return (*out = literal_child(nd, s, n)) ? 0 : GW_ROUTER_ENOMEM;
  if (n < 3 || s[0] != '{' || s[n - 1] != '}' || memchr(s + 1, '{', n - 2) ||
      memchr(s + 1, '}', n - 2))
    return GW_ROUTER_ETEMPLATE;
  *is_param = 1;
  return param_child(nd, out);
}

/* A template's parameter names, as spans of the template. */
typedef struct names {
  const char *p[GW_MAX_PARAMS];
  size_t n[GW_MAX_PARAMS];
  size_t count;
} names_t;

/* The first template ending at nd names its parameters; every later one (another method, a
 * variant) must use the same names, or a 405 could not say which template it means. */
static int set_names(node_t *nd, const names_t *nm) {
  if (nd->allow) {
    for (size_t i = 0; i < nm->count; i++)
      if (strlen(nd->names[i]) != nm->n[i] || memcmp(nd->names[i], nm->p[i], nm->n[i]) != 0)
        return GW_ROUTER_EPARAM;
    return 0;
  }
  for (; nd->n_names < nm->count; nd->n_names++)
    if (!(nd->names[nd->n_names] = strndup(nm->p[nd->n_names], nm->n[nd->n_names])))
      return GW_ROUTER_ENOMEM;
  return 0;
}

/* A row served instead of the plain one on a request's choice: an Accept variant or a
 * watch. */
static int is_variant(const gw_route_t *r) { return r->accept || (r->flags & GW_ROUTE_WATCH); }

/* Two variants a request could not tell apart. */
static int same_choice(const gw_route_t *a, const gw_route_t *b) {
  if (a->method != b->method) return 0;
  if (a->accept || b->accept)
    return a->accept && b->accept && strcasecmp(a->accept, b->accept) == 0;
  return 1; /* two watches */
}

static int add_variant(node_t *nd, const gw_route_t *route, void *data) {
  for (size_t i = 0; i < nd->n_variants; i++)
    if (same_choice(nd->variants[i], route)) return GW_ROUTER_EDUP;
  if (nd->n_variants == GW_MAX_VARIANTS) return GW_ROUTER_EVARIANTS;
  nd->variants[nd->n_variants] = route;
  nd->variant_data[nd->n_variants++] = data;
  return 0;
}

/* Creates the nodes of template t[0..len) and collects its parameter names; *out is the
 * node the template ends at. */
static int add_template(gw_router_t *r, const char *t, size_t len, node_t **out, names_t *nm) {
  size_t n_params = 0, n_segs = 0;
  node_t *nd = &r->root;
  nm->count = 0;
  for (size_t i = 1; i < len;) {
    const char *slash = memchr(t + i, '/', len - i);
    size_t n = slash ? (size_t)(slash - (t + i)) : len - i;
    int is_param;
    if (t[i] == '{') n_params++;
    if (++n_segs > GW_MAX_SEGMENTS || n_params > GW_MAX_PARAMS) return GW_ROUTER_ETEMPLATE;
    int rc = add_segment(nd, t + i, n, &nd, &is_param);
    if (rc) return rc;
    if (is_param) {
      nm->p[nm->count] = t + i + 1;
      nm->n[nm->count++] = n - 2;
    }
    i += n + 1;
  }
  *out = nd;
  return 0;
}

int gw_router_add(gw_router_t *r, const gw_route_t *route, void *data) {
  const char *t = route->path;
  size_t len = t ? strlen(t) : 0;
  node_t *nd;
  names_t nm;
  if (len == 0 || t[0] != '/' || (unsigned)route->method >= GW_N_METHODS)
    return GW_ROUTER_ETEMPLATE;
  if (len > 1 && t[len - 1] == '/') len--; /* trailing slash is insignificant */
  int rc = add_template(r, t, len, &nd, &nm);
  if (rc == 0) rc = set_names(nd, &nm);
  if (rc == 0 && is_variant(route)) rc = add_variant(nd, route, data);
  if (rc == 0 && !is_variant(route) && nd->routes[route->method]) rc = GW_ROUTER_EDUP;
  if (rc) return rc;
  if (!is_variant(route)) {
    nd->routes[route->method] = route;
    nd->data[route->method] = data;
  }
  nd->allow |= 1u << route->method;
  if (!nd->tmpl) nd->tmpl = route->path;
  return 0;
}

/* ---- matching ------------------------------------------------------------------------- */

typedef struct seg {
  const char *raw;
  size_t raw_n;
  char *dec;
  size_t dec_n;
  int err;
} seg_t;

typedef struct walk {
  const seg_t *segs;
  size_t n_segs;
  size_t bound_seg[GW_MAX_SEGMENTS]; /* segments bound by parameter edges, in order */
  size_t n_bound;
} walk_t;

/* Splits "/a/b/" into decoded segments; trailing slash dropped. -1: too many segments. */
static int split_path(const char *p, size_t n, hg_arena_t *a, seg_t *segs, size_t *n_segs) {
  size_t ns = 0;
  if (n > 1 && p[n - 1] == '/') n--;
  for (size_t i = 1; i < n;) {
    const char *slash = memchr(p + i, '/', n - i);
    size_t len = slash ? (size_t)(slash - (p + i)) : n - i;
    if (ns == GW_MAX_SEGMENTS) return -1;
    seg_t *s = &segs[ns++];
    *s = (seg_t){.raw = p + i, .raw_n = len};
    if (!(s->dec = hg_arena_alloc(a, len + 1))) return GW_ROUTER_ENOMEM;
    s->err = gw_uri_decode(s->raw, len, GW_DECODE_PATH, s->dec, &s->dec_n);
    i += len + 1;
    if (slash && i == n) { /* "/a//" style: an empty last segment before the trailing '/' */
      if (ns == GW_MAX_SEGMENTS) return -1;
      segs[ns++] = (seg_t){.raw = p + n, .raw_n = 0, .dec = "", .dec_n = 0};
    }
  }
  *n_segs = ns;
  return 0;
}

static const node_t *walk(walk_t *w, const node_t *nd, size_t i) {
  if (i == w->n_segs) return nd->allow ? nd : NULL;
  const seg_t *s = &w->segs[i];
  if (s->err == GW_URI_OK && s->dec_n > 0) {
    for (size_t k = 0; k < nd->n_kids; k++) {
      const node_t *kid = nd->kids[k];
      if (kid->lit_n == s->dec_n && memcmp(kid->lit, s->dec, s->dec_n) == 0) {
        const node_t *hit = walk(w, kid, i + 1);
        if (hit) return hit;
      }
    }
  }
  if (nd->param && s->raw_n > 0) {
    w->bound_seg[w->n_bound++] = i;
    const node_t *hit = walk(w, nd->param, i + 1);
    if (hit) return hit;
    w->n_bound--;
  }
  return NULL;
}

static void fill_params(const walk_t *w, const node_t *nd, gw_match_t *out) {
  out->n_params = 0;
  for (size_t b = 0; b < w->n_bound && b < nd->n_names; b++) {
    const seg_t *s = &w->segs[w->bound_seg[b]];
    gw_param_t *prm = &out->params[out->n_params++];
    prm->name = nd->names[b];
    prm->err = s->err;
    prm->value = s->err == GW_URI_OK ? s->dec : s->raw;
    prm->n = s->err == GW_URI_OK ? s->dec_n : s->raw_n;
  }
}

int gw_router_match(const gw_router_t *r, gw_method_t m, const char *p, size_t n, hg_arena_t *a,
                    gw_match_t *out) {
  seg_t segs[GW_MAX_SEGMENTS];
  walk_t w = {.segs = segs};
  if (n == 0) {
    p = "/";
    n = 1;
  }
  if (p[0] != '/') return GW_MATCH_NOT_FOUND;
  int rc = split_path(p, n, a, segs, &w.n_segs);
  if (rc) return rc == GW_ROUTER_ENOMEM ? rc : GW_MATCH_NOT_FOUND;
  const node_t *nd = walk(&w, &r->root, 0);
  if (!nd) return GW_MATCH_NOT_FOUND;
  memset(out, 0, sizeof(*out));
  out->allow = nd->allow;
  if (nd->routes[GW_GET]) out->allow |= 1u << GW_HEAD;
  out->path = nd->tmpl;
  fill_params(&w, nd, out);
  /* HEAD is GET without the body (RFC 9110 9.3.2); gw_reply() withholds the body. */
  if (m == GW_HEAD && !nd->routes[GW_HEAD] && nd->routes[GW_GET]) m = GW_GET;
  out->variants = nd->variants;
  out->variant_data = nd->variant_data;
  out->n_variants = nd->n_variants;
  if ((unsigned)m < GW_N_METHODS && nd->routes[m]) {
    out->route = nd->routes[m];
    out->data = nd->data[m];
    return GW_MATCH_OK;
  }
  for (size_t i = 0; i < nd->n_variants; i++) /* a method served by variants only */
    if (nd->variants[i]->method == m) {
      out->route = nd->variants[i];
      out->data = nd->variant_data[i];
      return GW_MATCH_OK;
    }
  for (int k = 0; k < GW_N_METHODS && !out->route; k++) out->route = nd->routes[k];
  if (!out->route) out->route = nd->variants[0]; /* a path served by variants only */
  return GW_MATCH_METHOD;
}

int gw_match_accept(gw_match_t *m, const char *accept) {
  for (size_t i = 0; accept && i < m->n_variants; i++) {
    const gw_route_t *v = m->variants[i];
    if (v->accept && v->method == m->route->method && v != m->route &&
        gw_media_accepts(accept, v->accept)) {
      m->route = v;
      m->data = m->variant_data[i];
      return 1;
    }
  }
  return 0;
}

/* Whether query (raw, "a=b&c=d") holds watch=true or watch=1. */
static int query_watches(hg_str_t q) {
  for (size_t i = 0; i < q.n;) {
    const char *amp = memchr(q.p + i, '&', q.n - i);
    size_t n = amp ? (size_t)(amp - (q.p + i)) : q.n - i;
    if ((n == 10 && memcmp(q.p + i, "watch=true", 10) == 0) ||
        (n == 7 && memcmp(q.p + i, "watch=1", 7) == 0))
      return 1;
    i += n + 1;
  }
  return 0;
}

int gw_match_watch(gw_match_t *m, hg_str_t query) {
  if (!query_watches(query)) return 0;
  for (size_t i = 0; i < m->n_variants; i++) {
    const gw_route_t *v = m->variants[i];
    if ((v->flags & GW_ROUTE_WATCH) && v->method == m->route->method) {
      m->route = v;
      m->data = m->variant_data[i];
      return 1;
    }
  }
  return 0;
}

int gw_allow_header(unsigned allow, hg_buf_t *out) {
  int first = 1, rc = 0;
  for (int k = 0; k < GW_N_METHODS; k++) {
    if (!(allow & (1u << k))) continue;
    if (!first) rc |= hg_buf_puts(out, ", ");
    rc |= hg_buf_puts(out, method_names[k]);
    first = 0;
  }
  return rc ? -1 : 0;
}
