/* fuzz_markdown.c - document and specification content as products-svc reads it
 * (services/products/content.c): markdown (or base64 of it) -> the document AST over cmark
 * (markdown_ast.c), and a specification's text -> JSON or YAML check; capped at the
 * documents' real size limit (PR_DOC_CONTENT_MAX).
 *
 * Input: one selector byte (even: document content as given, when it is UTF-8 as every
 * string field that reaches a service is; odd: specification text, base64-encoded here as
 * the API requires), then the content. Properties: nothing crashes
 * or leaks; an accepted document's AST can be answered: it renders as JSON, and the
 * document carrying it encodes and passes the decode guard of the client that reads it. */
#include <jansson.h>
#include <string.h>

#include "common/arena.h"
#include "common/base64.h"
#include "common/buf.h"
#include "common/status.h"
#include "common/utf8.h"
#include "fuzz.h"
#include "hangar/products/v1/products.pb-c.h"
#include "json/transcode.h"
#include "products/content.h"
#include "rpc/rpc.h"

static void check_answer(const pr_doc_content_t *c, hg_arena_t *a) {
  Hangar__Products__V1__ApiProductDocument doc = HANGAR__PRODUCTS__V1__API_PRODUCT_DOCUMENT__INIT;
  const rpc_codec_t *codec = RPC_PBC(&hangar__products__v1__api_product_document__descriptor);
  hg_buf_t wire = HG_BUF_INIT, json = HG_BUF_INIT;
  json_error_t jerr;
  void *back;
  doc.ast = c->ast;
  doc.n_ast = c->n_ast;
  FUZZ_CHECK(rpc_codec_encode(codec, &doc, &wire) == 0);
  int rc = rpc_codec_decode(codec, (const uint8_t *)wire.p, wire.n, a, &back);
  if (rc != 0) fprintf(stderr, "the document does not decode: %d\n", rc);
  FUZZ_CHECK(rc == 0);
  FUZZ_CHECK(tc_encode(&doc.base, &json) == 0);
  json_t *j = json_loadb(json.p, json.n, JSON_ALLOW_NUL, &jerr);
  if (!j) fprintf(stderr, "AST is not JSON (%s): %s\n", jerr.text, json.p);
  FUZZ_CHECK(j != NULL);
  json_decref(j);
  hg_buf_free(&wire);
  hg_buf_free(&json);
}

/* text is UTF-8: a request's content is a string field, which the transcoder and the wire
 * guard both refuse otherwise. */
static void document(const char *text, hg_arena_t *a) {
  hg_status_t st;
  pr_doc_content_t c;
  size_t bad;
  if (!hg_utf8_valid(text, strlen(text), &bad)) return;
  hg_status_clear(&st);
  int rc = pr_doc_content_read(text, a, &st, &c);
  FUZZ_CHECK(rc >= 0);
  if (rc == 0) check_answer(&c, a);
}

static void specification(const uint8_t *p, size_t n, hg_arena_t *a) {
  char *b64 = hg_arena_alloc(a, HG_BASE64_ENCODED_LEN(n) + 1);
  hg_status_t st;
  const char *text;
  FUZZ_CHECK(b64 != NULL);
  b64[hg_base64_encode(p, n, HG_BASE64_STRICT, b64)] = '\0';
  hg_status_clear(&st);
  int rc = pr_spec_content_read(b64, a, &st, &text);
  FUZZ_CHECK(rc >= 0);
  if (rc == 0) FUZZ_CHECK(text != NULL && strlen(text) == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size - 1 > PR_DOC_CONTENT_MAX) return 0;
  hg_arena_t *a = hg_arena_new();
  FUZZ_CHECK(a != NULL);
  if (data[0] & 1) {
    specification(data + 1, size - 1, a);
  } else {
    char *text = hg_arena_strndup(a, (const char *)data + 1, size - 1);
    FUZZ_CHECK(text != NULL);
    document(text, a);
  }
  hg_arena_free(a);
  return 0;
}
