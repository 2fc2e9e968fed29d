/* test_gateway_openapi.c - the OpenAPI documents the gateway serves (gateway/swagger.h)
 * against the route tables they describe, both ways:
 *  - every operation a document lists is routed: its path (parameters filled in) matches a
 *    row of the document's own tables with that method, and unless the path is a custom
 *    verb that a `{name}` row takes (`.../{cat}:getDatabase`), the row's template is the
 *    document's path itself, parameter names included, and the row's success code (and an
 *    upsert's 201) is among the operation's responses;
 *  - every row of those tables is some documented operation, and a watch row's operation
 *    documents the watch (the `watch` query parameter and the text/event-stream answer);
 *  - every table the gateway mounts (gw_route_tables) but its own (ops, swagger) belongs to
 *    exactly one document, so a new table cannot go undocumented.
 * Real route tables, real router, the embedded documents read with jansson. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "gateway/route.h"
#include "gateway/router.h"
#include "gateway/swagger.h"
#include "test_run.h"

/* The OpenAPI operation keys and the router's methods. */
static const struct {
  const char *key;
  gw_method_t method;
} op_methods[] = {
    {"get", GW_GET},         {"put", GW_PUT},   {"post", GW_POST},   {"delete", GW_DELETE},
    {"options", GW_OPTIONS}, {"head", GW_HEAD}, {"patch", GW_PATCH}, {"trace", GW_TRACE},
};
#define N_OP_METHODS (sizeof(op_methods) / sizeof(op_methods[0]))

static json_t *load_doc(const gw_openapi_doc_t *d) {
  json_error_t err;
  json_t *doc = json_loadb((const char *)d->json, *d->len, 0, &err);
  ck_assert_msg(doc != NULL, "%s: line %d: %s", d->surface, err.line, err.text);
  return doc;
}

static size_t n_tables(const gw_openapi_doc_t *d) {
  size_t n = 0;
  while (n < GW_OPENAPI_MAX_TABLES && d->tables[n]) n++;
  return n;
}

/* A concrete path for a template: every "{...}" becomes "x". */
static void fill(const char *tmpl, char *out, size_t cap) {
  size_t o = 0;
  for (const char *p = tmpl; *p && o + 2 < cap; p++) {
    if (*p == '{') {
      const char *end = strchr(p, '}');
      ck_assert_msg(end != NULL, "unclosed parameter in %s", tmpl);
      out[o++] = 'x';
      p = end;
    } else {
      out[o++] = *p;
    }
  }
  out[o] = '\0';
}

static int documents_status(json_t *op, int status) {
  char code[8];
  snprintf(code, sizeof(code), "%d", status);
  return json_object_get(json_object_get(op, "responses"), code) != NULL;
}

/* The covered flag of every row of d's tables, indexed table by table. */
typedef struct {
  const gw_openapi_doc_t *doc;
  int covered[GW_OPENAPI_MAX_TABLES][256];
} coverage_t;

static int has_query_param(json_t *op, const char *name) {
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(op, "parameters"), i, p) {
    if (json_is_string(json_object_get(p, "name")) &&
        strcmp(json_string_value(json_object_get(p, "name")), name) == 0 &&
        json_is_string(json_object_get(p, "in")) &&
        strcmp(json_string_value(json_object_get(p, "in")), "query") == 0)
      return 1;
  }
  return 0;
}

/* Marks every row that takes the operation op documents (a list and its watch share a path);
 * a watch row counts only when op documents the watch. */
static void mark(coverage_t *c, const gw_route_t *hit, json_t *op, const char *path) {
  for (size_t t = 0; t < n_tables(c->doc); t++) {
    const gw_route_table_t *tab = c->doc->tables[t];
    ck_assert_uint_le(tab->n, 256);
    for (size_t i = 0; i < tab->n; i++) {
      const gw_route_t *row = &tab->routes[i];
      if (row->method != hit->method || strcmp(row->path, hit->path) != 0) continue;
      if (row->flags & GW_ROUTE_WATCH) {
        json_t *ok = json_object_get(json_object_get(op, "responses"), "200");
        ck_assert_msg(has_query_param(op, "watch"), "%s: %s is a watch; no watch parameter",
                      c->doc->surface, path);
        ck_assert_msg(json_object_get(json_object_get(ok, "content"), "text/event-stream"),
                      "%s: %s is a watch; its 200 has no text/event-stream", c->doc->surface, path);
      }
      c->covered[t][i] = 1;
    }
  }
}

/* Checks one document's operations against its tables, filling c. */
static void check_operations(const gw_openapi_doc_t *d, coverage_t *c) {
  gw_router_t *r = gw_router_new();
  hg_arena_t *a = hg_arena_new();
  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_nonnull(a);
  for (size_t t = 0; t < n_tables(d); t++)
    for (size_t i = 0; i < d->tables[t]->n; i++)
      ck_assert_int_eq(gw_router_add(r, &d->tables[t]->routes[i], NULL), 0);
  json_t *doc = load_doc(d);
  const char *path;
  json_t *item;
  size_t n_ops = 0;
  json_object_foreach(json_object_get(doc, "paths"), path, item) {
    char concrete[512], row_concrete[512];
    fill(path, concrete, sizeof(concrete));
    for (size_t k = 0; k < N_OP_METHODS; k++) {
      json_t *op = json_object_get(item, op_methods[k].key);
      if (!op) continue;
      n_ops++;
      gw_match_t m;
      int rc = gw_router_match(r, op_methods[k].method, concrete, strlen(concrete), a, &m);
      ck_assert_msg(rc == GW_MATCH_OK, "%s documents %s %s, which no row of its tables takes (%d)",
                    d->surface, op_methods[k].key, path, rc);
      fill(m.route->path, row_concrete, sizeof(row_concrete));
      if (strcmp(row_concrete, concrete) == 0) {
        ck_assert_msg(strcmp(m.route->path, path) == 0, "%s documents %s %s; the row says %s",
                      d->surface, op_methods[k].key, path, m.route->path);
        ck_assert_msg(documents_status(op, m.route->success), "%s: %s %s answers %d, undocumented",
                      d->surface, op_methods[k].key, path, m.route->success);
        /* A PUT with a status field is an upsert: 201 when it created (route.h). */
        ck_assert_msg(
            !m.route->status_field || m.route->method != GW_PUT || documents_status(op, 201),
            "%s: %s %s may answer 201, undocumented", d->surface, op_methods[k].key, path);
      } else {
        /* A custom verb ("{cat}:getDatabase") taken by a "{name}" row: literal beyond it. */
        ck_assert_msg(strchr(path, ':') != NULL, "%s: %s %s is taken by row %s", d->surface,
                      op_methods[k].key, path, m.route->path);
      }
      mark(c, m.route, op, path);
    }
  }
  ck_assert_msg(n_ops > 0, "%s documents no operation", d->surface);
  json_decref(doc);
  hg_arena_free(a);
  gw_router_free(r);
}

START_TEST(test_every_document_is_openapi_3_0) {
  ck_assert_uint_eq(gw_openapi_n_docs, 7);
  for (size_t i = 0; i < gw_openapi_n_docs; i++) {
    json_t *doc = load_doc(&gw_openapi_docs[i]);
    const char *v = json_string_value(json_object_get(doc, "openapi"));
    ck_assert_msg(v && strncmp(v, "3.0.", 4) == 0, "%s: openapi %s", gw_openapi_docs[i].surface,
                  v ? v : "(none)");
    json_t *info = json_object_get(doc, "info");
    ck_assert_msg(json_is_string(json_object_get(info, "title")) &&
                      json_is_string(json_object_get(info, "version")),
                  "%s: info needs title and version", gw_openapi_docs[i].surface);
    ck_assert_msg(json_object_size(json_object_get(doc, "paths")) > 0, "%s: no paths",
                  gw_openapi_docs[i].surface);
    json_decref(doc);
  }
}
END_TEST

START_TEST(test_every_documented_operation_is_routed_and_every_row_documented) {
  for (size_t i = 0; i < gw_openapi_n_docs; i++) {
    const gw_openapi_doc_t *d = &gw_openapi_docs[i];
    ck_assert_msg(n_tables(d) > 0, "%s documents no table", d->surface);
    coverage_t c = {.doc = d};
    check_operations(d, &c);
    for (size_t t = 0; t < n_tables(d); t++)
      for (size_t r = 0; r < d->tables[t]->n; r++)
        ck_assert_msg(c.covered[t][r], "%s does not document %s %s (table %s)", d->surface,
                      gw_method_name(d->tables[t]->routes[r].method), d->tables[t]->routes[r].path,
                      d->tables[t]->surface);
  }
}
END_TEST

START_TEST(test_every_surface_table_is_in_exactly_one_document) {
  size_t n_surfaces = 0;
  for (size_t s = 0; s < gw_n_route_tables; s++) {
    const gw_route_table_t *tab = gw_route_tables[s];
    if (tab == &gw_routes_ops || tab == &gw_routes_swagger) continue; /* the gateway's own */
    n_surfaces++;
    int seen = 0;
    for (size_t i = 0; i < gw_openapi_n_docs; i++)
      for (size_t t = 0; t < n_tables(&gw_openapi_docs[i]); t++)
        seen += gw_openapi_docs[i].tables[t] == tab;
    ck_assert_msg(seen == 1, "table %s is in %d documents", tab->surface, seen);
  }
  ck_assert_uint_ge(n_surfaces, 13); /* ktrlplane ... the Ververica watches */
}
END_TEST

int main(void) {
  TEST_RUN("gateway_openapi", 0, test_every_document_is_openapi_3_0,
           test_every_documented_operation_is_routed_and_every_row_documented,
           test_every_surface_table_is_in_exactly_one_document);
}
