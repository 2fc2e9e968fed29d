/* test_products_markdown.c - markdown -> the Konnect ChildNode AST (libcmark), compared as
 * the JSON the gateway will render, plus the nesting and size bounds. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "products/markdown_ast.h"
#include "json/transcode.h"

static hg_arena_t *arena;
static void setup(void) { arena = hg_arena_new(); }
static void teardown(void) { hg_arena_free(arena); }

/* The AST of md as a JSON array. */
static char *ast_json(const char *md) {
  Google__Protobuf__Struct **nodes;
  size_t n;
  ck_assert_int_eq(pr_markdown_ast(md, strlen(md), arena, &nodes, &n), 0);
  hg_buf_t b = HG_BUF_INIT;
  ck_assert_int_eq(hg_buf_putc(&b, '['), 0);
  for (size_t i = 0; i < n; i++) {
    if (i) ck_assert_int_eq(hg_buf_putc(&b, ','), 0);
    ck_assert_int_eq(tc_encode(&nodes[i]->base, &b), 0);
  }
  ck_assert_int_eq(hg_buf_putc(&b, ']'), 0);
  char *s = hg_arena_strdup(arena, b.p);
  hg_buf_free(&b);
  return s;
}

#define T(s) "{\"type\":\"text\",\"text\":\"" s "\"}"
#define P(kids) "{\"type\":\"paragraph\",\"children\":[" kids "]}"

START_TEST(test_markdown_node_shapes) {
  /* The expected trees are laid out by node, as they nest. */
  // clang-format off
  static const struct {
    const char *md, *json;
  } cases[] = {
      {"", "[]"},
      {"# API Product Document Header\nAPI product document content",
       "[{\"type\":\"heading\",\"level\":1,\"children\":[" T("API Product Document Header") "]},"
       P(T("API product document content")) "]"},
      {"### Three", "[{\"type\":\"heading\",\"level\":3,\"children\":[" T("Three") "]}]"},
      {"a\nb",
       "[" P("{\"type\":\"text\",\"text\":\"a\",\"softBreak\":true}," T("b")) "]"},
      {"a  \nb",
       "[" P("{\"type\":\"text\",\"text\":\"a\",\"hardBreak\":true}," T("b")) "]"},
      {"*i* **b** `c`",
       "[" P("{\"type\":\"emphasis\",\"level\":1,\"children\":[" T("i") "]}," T(" ")
             ",{\"type\":\"emphasis\",\"level\":2,\"children\":[" T("b") "]}," T(" ")
             ",{\"type\":\"code\",\"children\":[" T("c") "]}") "]"},
      {"- x\n- y",
       "[{\"type\":\"list\",\"isOrdered\":false,\"children\":["
       "{\"type\":\"list_item\",\"children\":[" P(T("x")) "]},"
       "{\"type\":\"list_item\",\"children\":[" P(T("y")) "]}]}]"},
      {"1. x", "[{\"type\":\"list\",\"isOrdered\":true,\"children\":["
               "{\"type\":\"list_item\",\"children\":[" P(T("x")) "]}]}]"},
      {"> q", "[{\"type\":\"blockquote\",\"children\":[" P(T("q")) "]}]"},
      {"```js extra\ncode\n```",
       "[{\"type\":\"code_block\",\"lang\":\"js\",\"children\":[" T("code\\n") "]}]"},
      {"    indented", "[{\"type\":\"code_block\",\"children\":[" T("indented\\n") "]}]"},
      {"---", "[{\"type\":\"break\"}]"},
      {"[t](http://x \"T\")",
       "[" P("{\"type\":\"link\",\"href\":\"http://x\",\"title\":\"T\","
             "\"children\":[" T("t") "]}") "]"},
      {"![alt *e*](img.png)",
       "[" P("{\"type\":\"image\",\"url\":\"img.png\",\"alt\":\"alt e\"}") "]"},
      {"<div>x</div>", "[{\"type\":\"text_block\",\"children\":[" T("<div>x</div>\\n") "]}]"},
      {"a <b>c</b>", "[" P(T("a ") "," T("<b>") "," T("c") "," T("</b>")) "]"},
  };
  // clang-format on
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_str_eq(ast_json(cases[i].md), cases[i].json);
}
END_TEST

START_TEST(test_markdown_bounds) {
  Google__Protobuf__Struct **nodes = NULL;
  size_t n = 7;
  char deep[PR_AST_MAX_DEPTH + 10];
  memset(deep, '>', sizeof(deep) - 3);
  strcpy(deep + sizeof(deep) - 3, " x");
  ck_assert_int_eq(pr_markdown_ast(deep, strlen(deep), arena, &nodes, &n), PR_AST_TOO_COMPLEX);
  ck_assert_uint_eq(n, 7);
  size_t len = (PR_AST_MAX_NODES + 1) * 2;
  char *many = malloc(len + 1);
  for (size_t i = 0; i < len; i += 2) memcpy(many + i, "a\n", 2);
  many[len] = '\0';
  ck_assert_int_eq(pr_markdown_ast(many, len, arena, &nodes, &n), PR_AST_TOO_COMPLEX);
  free(many);
  deep[PR_AST_MAX_DEPTH - 2] = ' ';
  deep[PR_AST_MAX_DEPTH - 1] = 'x';
  deep[PR_AST_MAX_DEPTH] = '\0';
  ck_assert_int_eq(pr_markdown_ast(deep, strlen(deep), arena, &nodes, &n), 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("products_markdown");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_markdown_node_shapes);
  tcase_add_test(tc, test_markdown_bounds);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
