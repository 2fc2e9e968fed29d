/* test_products_rules.c - products-svc's pure rules: which org a principal acts in, field
 * rule tables and their Konnect wording, document and specification content, and the
 * document forest. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "products/call.h"
#include "products/content.h"
#include "products/document_tree.h"
#include "products/fields.h"

static hg_arena_t *arena;
static void setup(void) { arena = hg_arena_new(); }
static void teardown(void) { hg_arena_free(arena); }

/* ---- org choice ------------------------------------------------------------------------ */

START_TEST(test_org_of_principal_table) {
  static const struct {
    int admin;
    const char *scopes[3];
    const char *roles[3];
    const char *org;
  } cases[] = {
      {1, {NULL}, {NULL}, "default"},
      {0, {"orgs/acme"}, {"viewer"}, "acme"},
      {0, {"orgs/zeta", "orgs/beta", "orgs/gamma"}, {"owner", "viewer", "editor"}, "beta"},
      {0, {"projects/p1", "orgs/acme"}, {"owner", "editor"}, "acme"},
      {0, {"orgs/", "projects/p1"}, {"owner", "owner"}, NULL},
      {0, {"projects/p1"}, {"admin"}, NULL},
      {0, {"*"}, {"admin"}, "default"},
      {0, {"namespaces/n"}, {"owner"}, NULL},
      {0, {NULL}, {NULL}, NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_principal_t p = {.admin = cases[i].admin};
    for (size_t k = 0; k < 3 && cases[i].scopes[k]; k++) {
      strcpy(p.bindings[k].scope, cases[i].scopes[k]);
      p.bindings[k].role = hg_role_parse(cases[i].roles[k]);
      p.n_bindings++;
    }
    const char *org = products_org_of(&p);
    if (cases[i].org)
      ck_assert_str_eq(org, cases[i].org);
    else
      ck_assert_ptr_null(org);
  }
}
END_TEST

/* ---- field rules ----------------------------------------------------------------------- */

typedef Hangar__Products__V1__UpdateApiProductVersionSpecRequest patch_t;

static int no_spaces(const char *s) { return strchr(s, ' ') == NULL; }

static const hg_rule_t rule_rows[] = {
    {.field = "name", .kind = HG_RULE_LENGTH, .flags = HG_RULE_REQUIRED, .min = 2, .max = 4},
    {.field = "name",
     .kind = HG_RULE_PREDICATE,
     .flags = HG_RULE_REQUIRED,
     .valid = no_spaces,
     .text = "^\\S+$"},
    {.field = "content", .kind = HG_RULE_BASE64},
};
static const hg_rules_t rules = HG_RULES(&pr_rule_texts, rule_rows);

START_TEST(test_field_rules_create_and_patch) {
  static const struct {
    const char *name, *content;
    const char *field, *rule, *reason;
  } creates[] = {
      {NULL, NULL, "name", "required", "is a required field"},
      {"a", NULL, "name", "min_length", "name must be longer than or equal to 2 characters"},
      {"abcde", NULL, "name", "max_length", "name must be shorter than or equal to 4 characters"},
      {"a b", NULL, "name", "matches_regex", "name must match /^\\S+$/ regular expression"},
      {"ab", "x y", "content", "is_base64", "content must be base64 encoded"},
      {"äöü", NULL, NULL, NULL, NULL}, /* lengths count characters, not bytes */
  };
  for (size_t i = 0; i < sizeof(creates) / sizeof(creates[0]); i++) {
    patch_t m = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
    hg_status_t st;
    hg_status_clear(&st);
    if (creates[i].name) m._name_case = 4, m.name = (char *)creates[i].name;
    if (creates[i].content) m._content_case = 5, m.content = (char *)creates[i].content;
    size_t n = hg_rules_check(&rules, &m.base, NULL, arena, &st);
    ck_assert_uint_eq(n, creates[i].field ? 1 : 0);
    if (!n) continue;
    ck_assert_str_eq(st.violations[0].field, creates[i].field);
    ck_assert_str_eq(st.violations[0].rule, creates[i].rule);
    ck_assert_str_eq(st.violations[0].description, creates[i].reason);
  }
  patch_t m = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
  static const char *const named[] = {"name", "id", NULL};
  static const char *const none[] = {NULL};
  hg_status_t st;
  hg_status_clear(&st);
  Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
  mask.paths = (char **)named;
  mask.n_paths = 2;
  hg_rules_scope_t patch = {HG_RULES_PATCH, &mask, NULL};
  ck_assert_uint_eq(hg_rules_check(&rules, &m.base, &patch, arena, &st), 1);
  ck_assert_str_eq(st.violations[0].rule, "is_string"); /* name: null */
  ck_assert_uint_eq(pr_check_mask_names(&mask, (const char *const[]){"id", NULL}, arena, &st), 1);
  ck_assert_str_eq(st.violations[1].rule, "unknown_property");
  ck_assert_str_eq(st.violations[1].description, "id is an unknown property");
  mask.paths = (char **)none;
  mask.n_paths = 0;
  ck_assert_uint_eq(hg_rules_check(&rules, &m.base, &patch, arena, &st), 0); /* not named */
  ck_assert_uint_eq(pr_mask_of(NULL)->n_paths, 0);
}
END_TEST

/* ---- content --------------------------------------------------------------------------- */

START_TEST(test_is_text_table) {
  static const struct {
    const char *s;
    size_t n;
    int text;
  } cases[] = {
      {"plain", 5, 1},
      {"tab\tcr\rlf\n", 10, 1},
      {"\xc3\xa9t\xc3\xa9", 5, 1},
      {"\xf0\x9f\x9a\x80", 4, 1},
      {"nul\0x", 5, 0},
      {"bell\a", 5, 0},
      {"\x7f", 1, 0},
      {"\xc3", 1, 0},
      {"\xc0\xaf", 2, 0}, /* overlong */
      {"\xed\xa0\x80", 3, 0},
      /* surrogate */ {"\xf4\x90\x80\x80", 4, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(pr_is_text(cases[i].s, cases[i].n) == cases[i].text, "case %zu", i);
}
END_TEST

START_TEST(test_document_content_base64_or_markdown) {
  static const struct {
    const char *given, *text;
  } cases[] = {
      {"IyBIZWxsbw==", "# Hello"}, /* base64 of text: decoded */
      {"# Hello", "# Hello"},      /* not base64 */
      {"abcd", "abcd"},            /* base64, but of binary: markdown as given */
      {"", ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    pr_doc_content_t c;
    hg_status_clear(&st);
    ck_assert_int_eq(pr_doc_content_read(cases[i].given, arena, &st, &c), 0);
    ck_assert_str_eq(c.text, cases[i].text);
  }
  char *big = malloc(PR_DOC_CONTENT_MAX + 2);
  memset(big, 'x', PR_DOC_CONTENT_MAX + 1);
  big[PR_DOC_CONTENT_MAX + 1] = '\0';
  hg_status_t st;
  pr_doc_content_t c;
  hg_status_clear(&st);
  ck_assert_int_eq(pr_doc_content_read(big, arena, &st, &c), 1);
  ck_assert_str_eq(st.violations[0].rule, "max_length");
  ck_assert_int_eq(st.violations[0].maximum, PR_DOC_CONTENT_MAX);
  free(big);
}
END_TEST

START_TEST(test_spec_content_json_or_yaml) {
  static const struct {
    const char *base64, *text, *rule;
  } cases[] = {
      {"eyJhIjpbMSwyXX0=", "{\"a\":[1,2]}", NULL}, /* JSON */
      {"YTogWzEsIDJdCg==", "a: [1, 2]\n", NULL},   /* YAML */
      {"TXkgWUFNTCBvciBKU09OIGZvcm1hdHRlZCBPQVMgY29udGVudA==",
       "My YAML or JSON formatted OAS content", NULL}, /* a YAML scalar (the spec's example) */
      {"ewo=", NULL, "invalid"},                       /* "{\n" */
      {"YTogYjogYwo=", NULL, "invalid"},               /* "a: b: c\n" */
      {"//79", NULL, "invalid"},                       /* not UTF-8 */
      {"e30", NULL, "is_base64"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hg_status_t st;
    const char *text = NULL;
    hg_status_clear(&st);
    int rc = pr_spec_content_read(cases[i].base64, arena, &st, &text);
    ck_assert_int_eq(rc, cases[i].rule ? 1 : 0);
    if (cases[i].rule) {
      ck_assert_str_eq(st.violations[0].field, "content");
      ck_assert_str_eq(st.violations[0].rule, cases[i].rule);
    } else {
      ck_assert_str_eq(text, cases[i].text);
    }
  }
}
END_TEST

/* ---- the document forest --------------------------------------------------------------- */

static document_record_t *doc(const char *id, const char *parent, uint64_t position) {
  document_record_t *r = hg_arena_alloc(arena, sizeof(*r));
  document_t *d = hg_arena_alloc(arena, sizeof(*d));
  hangar__products__v1__document_record__init(r);
  hangar__products__v1__api_product_document__init(d);
  d->id = d->slug = (char *)id;
  if (parent) {
    d->parent_document_id = hg_arena_alloc(arena, sizeof(*d->parent_document_id));
    google__protobuf__string_value__init(d->parent_document_id);
    d->parent_document_id->value = (char *)parent;
  }
  r->document = d;
  r->position = position;
  return r;
}

START_TEST(test_forest_queries) {
  /* a(a1(a11) a2) b ; orphan's parent is missing: top level. Given out of order. */
  void *records[] = {doc("a2", "a", 5), doc("b", NULL, 2), doc("a11", "a1", 4),
                     doc("a", NULL, 1), doc("a1", "a", 3), doc("orphan", "zzz", 6)};
  pr_forest_t f;
  ck_assert_int_eq(pr_forest_build(records, 6, arena, &f), 0);
  long a = pr_forest_find(&f, "a"), a1 = pr_forest_find(&f, "a1"), a11 = pr_forest_find(&f, "a11");
  ck_assert_int_ge(a, 0);
  ck_assert_int_eq(pr_forest_find(&f, "nope"), -1);
  ck_assert_uint_eq(pr_forest_depth(&f, (size_t)a), 1);
  ck_assert_uint_eq(pr_forest_depth(&f, (size_t)a11), 3);
  ck_assert_uint_eq(pr_forest_height(&f, (size_t)a), 3);
  ck_assert_uint_eq(pr_forest_height(&f, (size_t)a11), 1);
  ck_assert(pr_forest_within(&f, (size_t)a11, (size_t)a));
  ck_assert(pr_forest_within(&f, (size_t)a, (size_t)a));
  ck_assert(!pr_forest_within(&f, (size_t)a, (size_t)a1));
  const char **ids;
  size_t n;
  ck_assert_int_eq(pr_forest_subtree(&f, (size_t)a1, arena, &ids, &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(pr_forest_subtree(&f, (size_t)a, arena, &ids, &n), 0);
  ck_assert_uint_eq(n, 4);
  doc_tree_t **roots;
  ck_assert_int_eq(pr_forest_render(&f, arena, &roots, &n), 0);
  ck_assert_uint_eq(n, 3);
  ck_assert_str_eq(roots[0]->slug, "a");
  ck_assert_str_eq(roots[1]->slug, "b");
  ck_assert_str_eq(roots[2]->slug, "orphan");
  ck_assert_uint_eq(roots[0]->n_children, 2);
  ck_assert_str_eq(roots[0]->children[0]->slug, "a1");
  ck_assert_str_eq(roots[0]->children[1]->slug, "a2");
  ck_assert_str_eq(roots[0]->children[0]->children[0]->slug, "a11");
}
END_TEST

int main(void) {
  Suite *s = suite_create("products_rules");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_org_of_principal_table);
  tcase_add_test(tc, test_field_rules_create_and_patch);
  tcase_add_test(tc, test_is_text_table);
  tcase_add_test(tc, test_document_content_base64_or_markdown);
  tcase_add_test(tc, test_spec_content_json_or_yaml);
  tcase_add_test(tc, test_forest_queries);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
