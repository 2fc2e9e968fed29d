/* test_products_documents.c - products-svc over real gRPC: API product documents (the
 * spec's example, content as markdown or base64 with its ast, slug rules and uniqueness,
 * parents, tree moves and cycles, depth, subtree deletes, summaries and the tree list). */
#include "test_products_fixture.h"

typedef Hangar__Products__V1__CreateApiProductDocumentRequest create_t;
typedef Hangar__Products__V1__UpdateApiProductDocumentRequest update_t;
typedef Hangar__Products__V1__GetApiProductDocumentRequest get_t;
typedef Hangar__Products__V1__DeleteApiProductDocumentRequest delete_t;
typedef Hangar__Products__V1__ListApiProductDocumentsRequest list_t;
typedef Hangar__Products__V1__ListApiProductDocumentsResponse list_resp_t;
typedef Hangar__Products__V1__ListApiProductDocumentTreeResponse tree_resp_t;
typedef Hangar__Products__V1__DocumentTree tree_t;

#define C(X) HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_DOCUMENT_REQUEST___##X
#define U(X) HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_DOCUMENT_REQUEST___##X
/* "# API Product Document Header\nAPI product document content" (the spec's example) */
#define EXAMPLE_B64                                                                                \
  "IyBBUEkgUHJvZHVjdCBEb2N1bWVudCBIZWFkZXIKQVBJIHByb2R1Y3QgZG9jdW1lbnQgY29udGVudA=="

static create_t doc_request(const char *product_id, const char *slug, const char *parent) {
  create_t d = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  d.api_product_id = (char *)product_id;
  if (slug) ONEOF(d, slug, (char *)slug, C(SLUG_SLUG));
  ONEOF(d, status, "published", C(STATUS_STATUS));
  ONEOF(d, title, (char *)(slug ? slug : "untitled"), C(TITLE_TITLE));
  if (parent) d.parent_document_id = fx_sv(parent);
  return d;
}

static document_t *create_doc(const char *product_id, const char *slug, const char *parent) {
  create_t d = doc_request(product_id, slug, parent);
  return fx_ok("CreateApiProductDocument", &d, "a-editor");
}

/* PATCH parent_document_id (NULL: explicit null); code HG_OK or HG_INVALID_ARGUMENT. */
static document_t *move(const char *product_id, const char *id, const char *parent, int code) {
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  static const char *const paths[] = {"parent_document_id", NULL};
  u.api_product_id = (char *)product_id;
  u.id = (char *)id;
  u.parent_document_id = parent ? fx_sv(parent) : NULL;
  u.update_mask = fx_mask(paths);
  if (code == HG_OK) return fx_ok("UpdateApiProductDocument", &u, "a-editor");
  hg_status_t st = fx_fail("UpdateApiProductDocument", &u, "a-editor", code);
  fx_violation(&st, "parent_document_id", "invalid");
  return NULL;
}

static tree_resp_t *tree(const char *product_id, long long size, long long number) {
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_DOCUMENTS_REQUEST__INIT;
  Hangar__Products__V1__PageQuery q = HANGAR__PRODUCTS__V1__PAGE_QUERY__INIT;
  l.api_product_id = (char *)product_id;
  if (size) ONEOF(q, size, size, HANGAR__PRODUCTS__V1__PAGE_QUERY___SIZE_SIZE);
  if (number) ONEOF(q, number, number, HANGAR__PRODUCTS__V1__PAGE_QUERY___NUMBER_NUMBER);
  l.page = &q;
  return fx_ok("ListApiProductDocumentTree", &l, "a-viewer");
}

/* "slug(child child ...) ..." of a forest, for compact assertions. */
static void shape(tree_t *const *nodes, size_t n, char *out, size_t cap) {
  for (size_t i = 0; i < n; i++) {
    if (i) strncat(out, " ", cap - strlen(out) - 1);
    strncat(out, nodes[i]->slug, cap - strlen(out) - 1);
    if (!nodes[i]->n_children) continue;
    strncat(out, "(", cap - strlen(out) - 1);
    shape(nodes[i]->children, nodes[i]->n_children, out, cap);
    strncat(out, ")", cap - strlen(out) - 1);
  }
}

static void assert_tree(const char *product_id, const char *want) {
  tree_resp_t *t = tree(product_id, 100, 0);
  char got[512] = "";
  shape(t->data, t->n_data, got, sizeof(got));
  ck_assert_str_eq(got, want);
}

/* The string value of key in a Struct node. */
static const Google__Protobuf__Value *field(const Google__Protobuf__Struct *s, const char *key) {
  for (size_t i = 0; i < s->n_fields; i++)
    if (strcmp(s->fields[i]->key, key) == 0) return s->fields[i]->value;
  return NULL;
}

/* ---- content and the spec's example --------------------------------------------------- */

START_TEST(test_spec_example_base64_content_and_ast) {
  product_t *p = fx_product("p", "a-editor");
  create_t d = doc_request(p->id, "api-product-document", NULL);
  d.title = "API Product Document";
  ONEOF(d, content, EXAMPLE_B64, C(CONTENT_CONTENT));
  document_t *doc = fx_ok("CreateApiProductDocument", &d, "a-editor");
  ck_assert(fx_matches(FX_UUID, doc->id));
  ck_assert_ptr_null(doc->parent_document_id);
  ck_assert_str_eq(doc->content, "# API Product Document Header\nAPI product document content");
  ck_assert_uint_eq(doc->n_ast, 2);
  ck_assert_str_eq(field(doc->ast[0], "type")->string_value, "heading");
  ck_assert(field(doc->ast[0], "level")->number_value == 1);
  const Google__Protobuf__ListValue *kids = field(doc->ast[0], "children")->list_value;
  ck_assert_str_eq(field(kids->values[0]->struct_value, "text")->string_value,
                   "API Product Document Header");
  ck_assert_str_eq(field(doc->ast[1], "type")->string_value, "paragraph");
  ck_assert_uint_eq(doc->metadata->n_fields, 0);
  ck_assert(fx_matches(FX_TIME, doc->created_at));
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  g.api_product_id = p->id;
  g.id = doc->id;
  fx_assert_same(&doc->base, fx_ok("GetApiProductDocument", &g, "a-viewer"));
  g.api_product_id = fx_product("other", "a-editor")->id;
  fx_fail("GetApiProductDocument", &g, "a-viewer", HG_NOT_FOUND);
}
END_TEST

START_TEST(test_markdown_content_and_patch) {
  product_t *p = fx_product("p", "a-editor");
  create_t d = doc_request(p->id, "plain", NULL);
  ONEOF(d, content, "## My Markdown", C(CONTENT_CONTENT)); /* not base64: taken as is */
  static const char *const meta[] = {"author", "John Doe"};
  d.metadata = fx_struct(meta, 1);
  document_t *doc = fx_ok("CreateApiProductDocument", &d, "a-editor");
  ck_assert_str_eq(doc->content, "## My Markdown");
  ck_assert(field(doc->ast[0], "level")->number_value == 2);
  ck_assert_str_eq(field(doc->metadata, "author")->string_value, "John Doe");
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  static const char *const paths[] = {"title", "content", "status", NULL};
  u.api_product_id = p->id;
  u.id = doc->id;
  ONEOF(u, title, "Renamed", U(TITLE_TITLE));
  ONEOF(u, status, "unpublished", U(STATUS_STATUS));
  ONEOF(u, content, "SGVsbG8gKndvcmxkKg==", U(CONTENT_CONTENT)); /* "Hello *world*" */
  u.update_mask = fx_mask(paths);
  document_t *after = fx_ok("UpdateApiProductDocument", &u, "a-editor");
  ck_assert_str_eq(after->title, "Renamed");
  ck_assert_str_eq(after->status, "unpublished");
  ck_assert_str_eq(after->content, "Hello *world*");
  ck_assert_str_eq(field(after->metadata, "author")->string_value, "John Doe");
  const Google__Protobuf__ListValue *inl = field(after->ast[0], "children")->list_value;
  ck_assert_str_eq(field(inl->values[1]->struct_value, "type")->string_value, "emphasis");
  static const char *const title_only[] = {"title", NULL};
  u.update_mask = fx_mask(title_only);
  document_t *again = fx_ok("UpdateApiProductDocument", &u, "a-editor");
  fx_assert_same(&again->ast[0]->base, &after->ast[0]->base); /* ast from the stored content */
  static const char *const meta_null[] = {"metadata", NULL};
  u.update_mask = fx_mask(meta_null);
  fx_invalid("UpdateApiProductDocument", &u, "metadata", "is_object");
  static const char *const content_null[] = {"content", NULL};
  u.update_mask = fx_mask(content_null);
  u._content_case = 0;
  fx_invalid("UpdateApiProductDocument", &u, "content", "is_string");
}
END_TEST

START_TEST(test_content_too_deep_is_invalid) {
  product_t *p = fx_product("p", "a-editor");
  create_t d = doc_request(p->id, "deep", NULL);
  char deep[200];
  memset(deep, '>', 150);
  strcpy(deep + 150, " x");
  ONEOF(d, content, deep, C(CONTENT_CONTENT));
  fx_invalid("CreateApiProductDocument", &d, "content", "invalid");
}
END_TEST

/* ---- slugs ---------------------------------------------------------------------------- */

START_TEST(test_slug_rules_and_uniqueness) {
  product_t *p = fx_product("p", "a-editor");
  create_t d = doc_request(p->id, "bad slug!", NULL);
  hg_status_t st = fx_fail("CreateApiProductDocument", &d, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_str_eq(fx_violation(&st, "slug", "matches_regex")->description,
                   "slug must match /^[\\w-]+$/ regular expression");
  char long_slug[82];
  memset(long_slug, 's', 81);
  long_slug[81] = '\0';
  d.slug = long_slug;
  st = fx_fail("CreateApiProductDocument", &d, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_int_eq(fx_violation(&st, "slug", "max_length")->maximum, 80);
  long_slug[80] = '\0';
  fx_ok("CreateApiProductDocument", &d, "a-editor");
  d = doc_request(p->id, NULL, NULL);
  fx_invalid("CreateApiProductDocument", &d, "slug", "required");
  d = doc_request(p->id, "x", NULL);
  d.status = "draft";
  st = fx_fail("CreateApiProductDocument", &d, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_ptr_nonnull(fx_violation(&st, "status", "enum")->choices);
  d = doc_request(p->id, "x", NULL);
  d.title = "";
  fx_invalid("CreateApiProductDocument", &d, "title", "min_length");
  d = doc_request(p->id, "x", "not-a-uuid");
  fx_invalid("CreateApiProductDocument", &d, "parent_document_id", "is_uuid");
  document_t *first = create_doc(p->id, "same_slug-1", NULL);
  d = doc_request(p->id, "same_slug-1", NULL);
  st = fx_fail("CreateApiProductDocument", &d, "a-editor", HG_ALREADY_EXISTS);
  ck_assert_ptr_nonnull(strstr(st.message, "same_slug-1"));
  create_doc(fx_product("q", "a-editor")->id, "same_slug-1", NULL); /* per product */
  document_t *second = create_doc(p->id, "second", NULL);
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  static const char *const paths[] = {"slug", NULL};
  u.api_product_id = p->id;
  u.id = second->id;
  ONEOF(u, slug, first->slug, U(SLUG_SLUG));
  u.update_mask = fx_mask(paths);
  fx_fail("UpdateApiProductDocument", &u, "a-editor", HG_ALREADY_EXISTS);
  u.slug = "second-renamed";
  ck_assert_str_eq(((document_t *)fx_ok("UpdateApiProductDocument", &u, "a-editor"))->slug,
                   "second-renamed");
  d = doc_request(p->id, "second", NULL); /* the old slug is free again */
  fx_ok("CreateApiProductDocument", &d, "a-editor");
}
END_TEST

/* ---- the tree ------------------------------------------------------------------------ */

START_TEST(test_parent_must_be_a_document_of_the_product) {
  product_t *p = fx_product("p", "a-editor"), *q = fx_product("q", "a-editor");
  document_t *foreign = create_doc(q->id, "foreign", NULL);
  create_t d = doc_request(p->id, "child", foreign->id);
  hg_status_t st = fx_fail("CreateApiProductDocument", &d, "a-editor", HG_INVALID_ARGUMENT);
  fx_violation(&st, "parent_document_id", "missing_reference");
  d = doc_request(p->id, "child", "7710d5c4-d902-410b-992f-18b814155b53");
  fx_invalid("CreateApiProductDocument", &d, "parent_document_id", "missing_reference");
}
END_TEST

START_TEST(test_tree_moves_and_cycles) {
  product_t *p = fx_product("p", "a-editor");
  document_t *a = create_doc(p->id, "a", NULL);
  document_t *b = create_doc(p->id, "b", NULL);
  document_t *c = create_doc(p->id, "c", NULL);
  document_t *a1 = create_doc(p->id, "a1", a->id);
  ck_assert_str_eq(a1->parent_document_id->value, a->id);
  assert_tree(p->id, "a(a1) b c");
  move(p->id, c->id, a->id, HG_OK);
  assert_tree(p->id, "a(a1 c) b");
  document_t *moved = move(p->id, a1->id, NULL, HG_OK); /* null: top level, at the bottom */
  ck_assert_ptr_null(moved->parent_document_id);
  assert_tree(p->id, "a(c) b a1");
  move(p->id, a->id, NULL, HG_OK); /* already top level: still goes to the bottom */
  assert_tree(p->id, "b a1 a(c)");
  document_t *d = create_doc(p->id, "d", c->id);
  move(p->id, a->id, d->id, HG_INVALID_ARGUMENT); /* under its own grandchild */
  move(p->id, a->id, a->id, HG_INVALID_ARGUMENT); /* under itself */
  move(p->id, b->id, d->id, HG_OK);
  assert_tree(p->id, "a1 a(c(d(b)))");
  move(p->id, c->id, a->id, HG_OK); /* the same parent again changes nothing */
  assert_tree(p->id, "a1 a(c(d(b)))");
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_DOCUMENTS_REQUEST__INIT;
  l.api_product_id = p->id;
  list_resp_t *flat = fx_ok("ListApiProductDocuments", &l, "a-viewer");
  ck_assert_uint_eq(flat->n_data, 5);
  ck_assert_int_eq(flat->meta->page->total, 5);
  ck_assert_str_eq(flat->data[0]->slug, "a");                        /* creation order */
  ck_assert_str_eq(flat->data[2]->parent_document_id->value, a->id); /* c */
  ck_assert_ptr_null(flat->data[3]->parent_document_id);             /* a1 */
  tree_resp_t *page = tree(p->id, 1, 2);
  ck_assert_uint_eq(page->n_data, 1);
  ck_assert_str_eq(page->data[0]->slug, "a");
  ck_assert_int_eq(page->meta->page->total, 2);
  ck_assert_str_eq(page->data[0]->children[0]->parent_document_id->value, a->id);
}
END_TEST

START_TEST(test_tree_depth_is_bounded) {
  product_t *p = fx_product("p", "a-editor");
  const char *parent = NULL;
  char slug[16];
  for (int i = 0; i < 32; i++) {
    snprintf(slug, sizeof(slug), "level%d", i);
    parent = create_doc(p->id, slug, parent)->id;
  }
  create_t d = doc_request(p->id, "too-deep", parent);
  fx_invalid("CreateApiProductDocument", &d, "parent_document_id", "invalid");
  document_t *other = create_doc(p->id, "other", NULL);
  create_doc(p->id, "other-child", other->id);
  move(p->id, other->id, parent, HG_INVALID_ARGUMENT); /* a subtree of height 2 */
}
END_TEST

START_TEST(test_delete_removes_the_subtree) {
  product_t *p = fx_product("p", "a-editor");
  document_t *a = create_doc(p->id, "a", NULL);
  document_t *a1 = create_doc(p->id, "a1", a->id);
  create_doc(p->id, "a1x", a1->id);
  create_doc(p->id, "b", NULL);
  delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  d.api_product_id = p->id;
  d.id = a->id;
  fx_fail("DeleteApiProductDocument", &d, "a-viewer", HG_PERMISSION_DENIED);
  fx_ok("DeleteApiProductDocument", &d, "a-editor");
  assert_tree(p->id, "b");
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  g.api_product_id = p->id;
  g.id = a1->id;
  fx_fail("GetApiProductDocument", &g, "a-viewer", HG_NOT_FOUND);
  fx_fail("DeleteApiProductDocument", &d, "a-editor", HG_NOT_FOUND);
  create_doc(p->id, "a1", NULL); /* its slugs are free again */
}
END_TEST

int main(void) {
  Suite *s = suite_create("products_documents");
  TCase *tc = tcase_create("documents");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
  tcase_add_test(tc, test_spec_example_base64_content_and_ast);
  tcase_add_test(tc, test_markdown_content_and_patch);
  tcase_add_test(tc, test_content_too_deep_is_invalid);
  tcase_add_test(tc, test_slug_rules_and_uniqueness);
  tcase_add_test(tc, test_parent_must_be_a_document_of_the_product);
  tcase_add_test(tc, test_tree_moves_and_cycles);
  tcase_add_test(tc, test_tree_depth_is_bounded);
  tcase_add_test(tc, test_delete_removes_the_subtree);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
