/* swagger.c - the API documentation, answered by the gateway itself:
 *  - GET /openapi/<surface>.json: an OpenAPI 3.0 document of each REST surface (swagger.h;
 *    scripts/openapi-specs writes them);
 *  - GET /api/swagger.json (Application Manager) and GET /swagger.json (Platform), the real
 *    Ververica swagger 2.0 files limited to what Hangar implements (scripts/swagger-specs),
 *    at the paths Ververica's own clients fetch them from;
 *  - Swagger UI at /swagger, offering every one of them in its spec selector, its static
 *    files from the swagger-ui-dist npm package (gateway/swagger-ui, installed by
 *    scripts/install-deps) in the directory --swagger-ui-dir names.
 * Every document is compiled in by gateway/CMakeLists.txt.
 *
 * Only plain file names with a known extension are served from that directory, so a request
 * can reach nothing else: the router already refuses '/', "." and ".." in a parameter. */
#include <stdio.h>
#include <string.h>

#include "gateway/gateway_internal.h"
#include "gateway/swagger.h"
#include "gateway/uri.h"

extern const unsigned char gw__swagger_appmanager[], gw__swagger_platform[];
extern const size_t gw__swagger_appmanager_len, gw__swagger_platform_len;

#define OPENAPI(sym)                                                                               \
  extern const unsigned char gw__openapi_##sym[];                                                  \
  extern const size_t gw__openapi_##sym##_len;
OPENAPI(ktrlplane)
OPENAPI(wrappers)
OPENAPI(konnect)
OPENAPI(keboola)
OPENAPI(ververica_appmanager)
OPENAPI(ververica_platform)
OPENAPI(auth_admin)

#define DOC(name, sym, ui, ...)                                                                    \
  {                                                                                                \
    .surface = (name), .title = (ui), .json = gw__openapi_##sym, .len = &gw__openapi_##sym##_len,  \
    .tables = {                                                                                    \
      __VA_ARGS__                                                                                  \
    }                                                                                              \
  }

const gw_openapi_doc_t gw_openapi_docs[] = {
    DOC("ktrlplane", ktrlplane, "KtrlPlane Resources", &gw_routes_ktrlplane),
    DOC("wrappers", wrappers, "Wrappers and resources", &gw_routes_wrappers,
        &gw_routes_wrapper_resources),
    DOC("konnect", konnect, "Konnect API Products", &gw_routes_konnect),
    DOC("keboola", keboola, "Keboola Provisioning", &gw_routes_keboola, &gw_routes_keboola_jobs),
    DOC("ververica-appmanager", ververica_appmanager, "Ververica Application Manager (OpenAPI 3)",
        &gw_routes_ververica, &gw_routes_ververica_watch),
    DOC("ververica-platform", ververica_platform, "Ververica Platform (OpenAPI 3)",
        &gw_routes_vvp_platform, &gw_routes_vvp_apitokens, &gw_routes_vvp_sql,
        &gw_routes_vvp_catalog),
    DOC("auth-admin", auth_admin, "Auth admin", &gw_routes_auth),
};
const size_t gw_openapi_n_docs = sizeof(gw_openapi_docs) / sizeof(gw_openapi_docs[0]);

#define D GW_DIALECT_VERVERICA
#define MAX_FILE (8 * 1024 * 1024) /* swagger-ui-dist's largest file is ~1.5 MB */

static void reply_bytes(gw_exchange_t *ex, const void *p, size_t n, const char *type) {
  if (hg_buf_append(&ex->body, p, n) != 0) {
    hg_buf_reset(&ex->body);
    gw_reply_error(ex, gw_dialect(D), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  gw_reply(ex, 200, type);
}

static void appmanager_spec(gw_exchange_t *ex) {
  reply_bytes(ex, gw__swagger_appmanager, gw__swagger_appmanager_len, "application/json");
}

static void platform_spec(gw_exchange_t *ex) {
  reply_bytes(ex, gw__swagger_platform, gw__swagger_platform_len, "application/json");
}

/* GET /openapi/{file}: the document whose file name is <surface>.json. */
static void openapi_doc(gw_exchange_t *ex) {
  const gw_param_t *p = ex->match.n_params ? &ex->match.params[0] : NULL;
  for (size_t i = 0; p && p->err == GW_URI_OK && i < gw_openapi_n_docs; i++) {
    const gw_openapi_doc_t *d = &gw_openapi_docs[i];
    size_t n = strlen(d->surface);
    if (p->n == n + 5 && memcmp(p->value, d->surface, n) == 0 &&
        strcmp(p->value + n, ".json") == 0) {
      reply_bytes(ex, d->json, *d->len, "application/json");
      return;
    }
  }
  gw_reply_error(ex, gw_dialect(GW_DIALECT_KTRLPLANE), 404, GW_TEXT_NOT_FOUND,
                 "no such API document");
}

/* Swagger UI's page, every document to choose from (the top right selector): the Ververica
 * swagger files first, as before, then the OpenAPI documents in table order. */
static const char page_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <title>Hangar: API documentation</title>\n"
    "  <link rel=\"stylesheet\" href=\"/swagger/swagger-ui.css\">\n"
    "  <link rel=\"icon\" type=\"image/png\" href=\"/swagger/favicon-32x32.png\">\n"
    "</head>\n"
    "<body>\n"
    "  <div id=\"swagger-ui\"></div>\n"
    "  <script src=\"/swagger/swagger-ui-bundle.js\"></script>\n"
    "  <script src=\"/swagger/swagger-ui-standalone-preset.js\"></script>\n"
    "  <script>\n"
    "    window.ui = SwaggerUIBundle({\n"
    "      urls: [{url: \"/api/swagger.json\", name: \"Application Manager\"},\n"
    "             {url: \"/swagger.json\", name: \"Ververica Platform\"}";
static const char page_tail[] =
    "],\n"
    "      dom_id: \"#swagger-ui\",\n"
    "      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],\n"
    "      layout: \"StandaloneLayout\"\n"
    "    });\n"
    "  </script>\n"
    "</body>\n"
    "</html>\n";

static void ui_page(gw_exchange_t *ex) {
  int rc = hg_buf_puts(&ex->body, page_head);
  for (size_t i = 0; rc == 0 && i < gw_openapi_n_docs; i++)
    rc = hg_buf_printf(&ex->body, ",\n             {url: \"/openapi/%s.json\", name: \"%s\"}",
                       gw_openapi_docs[i].surface, gw_openapi_docs[i].title);
  if (rc != 0 || hg_buf_puts(&ex->body, page_tail) != 0) {
    hg_buf_reset(&ex->body);
    gw_reply_error(ex, gw_dialect(D), 500, GW_TEXT_INTERNAL, NULL);
    return;
  }
  gw_reply(ex, 200, "text/html; charset=utf-8");
}

static const struct {
  const char *ext, *type;
} types[] = {
    {".js", "application/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".png", "image/png"},
    {".map", "application/json"},
};

/* The content type of a servable file name; NULL for any other name. */
static const char *type_of(const char *name, size_t n) {
  if (n == 0 || name[0] == '.' ||
      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789._-") != n)
    return NULL;
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    size_t en = strlen(types[i].ext);
    if (n > en && strcmp(name + n - en, types[i].ext) == 0) return types[i].type;
  }
  return NULL;
}

/* Reads dir/name into the exchange's body. 0, or -1 (absent, unreadable, too large). */
static int read_file(gw_exchange_t *ex, const char *dir, const char *name) {
  char path[4096];
  if (!dir || snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) return -1;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char chunk[65536];
  size_t n;
  int rc = 0;
  while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    rc = ex->body.n + n > MAX_FILE || hg_buf_append(&ex->body, chunk, n) != 0 ? -1 : 0;
  if (ferror(f)) rc = -1;
  fclose(f);
  return rc;
}

static void ui_file(gw_exchange_t *ex) {
  const gw_param_t *p = ex->match.n_params ? &ex->match.params[0] : NULL;
  const char *type = p && p->err == GW_URI_OK ? type_of(p->value, p->n) : NULL;
  if (!type || read_file(ex, ex->gw->swagger_ui_dir, p->value) != 0) {
    hg_buf_reset(&ex->body);
    gw_reply_error(ex, gw_dialect(D), 404, GW_TEXT_NOT_FOUND,
                   ex->gw->swagger_ui_dir ? NULL : "Swagger UI is not installed");
    return;
  }
  gw_reply(ex, 200, type);
}

#define LOCAL(p, fn)                                                                               \
  { .method = GW_GET, .path = (p), .success = 200, .dialect = D, .local = (fn) }

static const gw_route_t routes[] = {
    LOCAL("/api/swagger.json", appmanager_spec),
    LOCAL("/swagger.json", platform_spec),
    LOCAL("/swagger", ui_page),
    LOCAL("/swagger/{file}", ui_file),
    {.method = GW_GET,
     .path = "/openapi/{file}",
     .success = 200,
     .dialect = GW_DIALECT_KTRLPLANE,
     .local = openapi_doc},
};

const gw_route_table_t gw_routes_swagger = GW_ROUTE_TABLE("swagger", routes, NULL, D);
