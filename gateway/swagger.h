/* swagger.h - the API documents the gateway serves itself (swagger.c): one OpenAPI 3.0
 * document per REST surface at GET /openapi/<surface>.json, each naming the route tables it
 * documents, so a test can hold every document to the routes the gateway serves.
 *
 * The documents are gateway/openapi/<surface>.json (scripts/openapi-specs), compiled in as
 * byte arrays by gateway/CMakeLists.txt.
 * Owns: nothing; the table and the documents are static and read-only. Threads: any. */
#ifndef HANGAR_GW_SWAGGER_H
#define HANGAR_GW_SWAGGER_H

#include <stddef.h>

#include "gateway/route.h"

#define GW_OPENAPI_MAX_TABLES 4

typedef struct gw_openapi_doc {
  const char *surface; /* "konnect": served at /openapi/konnect.json */
  const char *title;   /* its name in Swagger UI's spec selector */
  const unsigned char *json;
  const size_t *len;
  /* The route tables whose rows the document describes, no more and no fewer; unused
   * slots are NULL. */
  const gw_route_table_t *tables[GW_OPENAPI_MAX_TABLES];
} gw_openapi_doc_t;

extern const gw_openapi_doc_t gw_openapi_docs[];
extern const size_t gw_openapi_n_docs;

#endif
