/* test_json_merge_patch.c - common/json: RFC 7386 merge patch (the RFC's appendix A cases)
 * and canonical tree text. */
#include <check.h>
#include <string.h>

#include "json/json_tree.h"

#include "test_run.h"

static const struct {
  const char *target, *patch, *result;
} cases[] = {
    {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
    {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
    {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
    {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
    {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
    {"{\"a\":\"foo\"}", "null", "null"},
    {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
    {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    {"{\"x\":1.0,\"y\":9007199254740993}", "{\"z\":0.5}",
     "{\"x\":1.0,\"y\":9007199254740993,\"z\":0.5}"},
};

START_TEST(test_rfc7386_appendix_a) {
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *t = tc_tree_parse(cases[i].target, strlen(cases[i].target));
    json_t *p = tc_tree_parse(cases[i].patch, strlen(cases[i].patch));
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(p);
    char *before = json_dumps(t, JSON_ENCODE_ANY | JSON_COMPACT);
    json_t *r = tc_merge_patch(t, p);
    ck_assert_ptr_nonnull(r);
    hg_buf_t out = HG_BUF_INIT;
    ck_assert_int_eq(tc_tree_write(&out, r), 0);
    ck_assert_int_eq(hg_buf_putc(&out, '\0'), 0);
    ck_assert_str_eq(out.p, cases[i].result);
    /* The target is not changed. */
    char *after = json_dumps(t, JSON_ENCODE_ANY | JSON_COMPACT);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    hg_buf_free(&out);
    json_decref(t);
    json_decref(p);
    json_decref(r);
  }
}
END_TEST

START_TEST(test_absent_target) {
  json_t *p = tc_tree_parse("{\"a\":{\"b\":null,\"c\":1}}", 22);
  json_t *r = tc_merge_patch(NULL, p);
  hg_buf_t out = HG_BUF_INIT;
  ck_assert_int_eq(tc_tree_write(&out, r), 0);
  ck_assert_int_eq(hg_buf_putc(&out, '\0'), 0);
  ck_assert_str_eq(out.p, "{\"a\":{\"c\":1}}");
  hg_buf_free(&out);
  json_decref(p);
  json_decref(r);
}
END_TEST

START_TEST(test_parse_refuses_duplicates) {
  ck_assert_ptr_null(tc_tree_parse("{\"a\":1,\"a\":2}", 13));
  ck_assert_ptr_null(tc_tree_parse("{bad", 4));
}
END_TEST

int main(void) {
  TEST_RUN("json_merge_patch", 0, test_rfc7386_appendix_a, test_absent_target,
           test_parse_refuses_duplicates);
}
