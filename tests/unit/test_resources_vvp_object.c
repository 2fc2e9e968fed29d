/* test_resources_vvp_object.c - services/resources/vvp_object: the shape every
 * Ververica-style object shares (checks, build, answer, label selectors) and the kind table. */
#include <check.h>
#include <string.h>

#include "json/json_tree.h"
#include "resources/vvp_kind.h"
#include "resources/vvp_object.h"

#include "test_run.h"

static json_t *parse(const char *s) {
  json_t *j = tc_tree_parse(s, strlen(s));
  ck_assert_ptr_nonnull(j);
  return j;
}

/* The attributes st names, joined by ',' (a static buffer). */
static const char *attributes(const hg_status_t *st) {
  static char out[512];
  out[0] = '\0';
  for (size_t i = 0; i < st->n_violations; i++) {
    if (i) strcat(out, ",");
    strcat(out, st->violations[i].field);
  }
  return out;
}

START_TEST(test_check_reports_each_attribute) {
  static const struct {
    const char *plural, *body, *attributes;
    int require_name;
  } cases[] = {
      {"deployments", "{\"metadata\":{\"name\":\"ok-1\"}}", "", 1},
      {"deployments", "{}", "metadata.name", 1},
      {"deployments", "{}", "", 0},
      {"deployments", "{\"metadata\":{\"name\":\"Bad\"}}", "metadata.name", 0},
      {"deployment-targets", "{\"metadata\":{\"name\":\"Bad_Name-1\"}}", "", 1},
      {"savepoints", "{}", "", 1},
      {"deployments",
       "{\"kind\":\"Job\",\"apiVersion\":\"v2\",\"metadata\":{\"name\":\"a\",\"labels\":{\"k\":1},"
       "\"annotations\":[],\"resourceVersion\":-1},\"spec\":{\"state\":\"UP\"}}",
       "kind,apiVersion,metadata.labels,metadata.annotations,metadata.resourceVersion,spec.state",
       1},
      {"deployments",
       "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"template\":{\"spec\":"
       "{\"parallelism\":1.5}}}}",
       "spec.template.spec.parallelism", 1},
      {"deployments", "[]", "", 1},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const vvp_kind_t *k = vvp_kind_find(cases[i].plural);
    json_t *body = parse(cases[i].body);
    hg_status_t st;
    hg_status_clear(&st);
    size_t n = vvp_doc_check(k, body, cases[i].require_name, &st);
    ck_assert_uint_eq(n, st.n_violations);
    ck_assert_msg(strcmp(attributes(&st), cases[i].attributes) == 0 || !json_is_object(body),
                  "%s: %s", cases[i].body, attributes(&st));
    if (!json_is_object(body)) ck_assert_uint_eq(n, 1);
    json_decref(body);
  }
}
END_TEST

START_TEST(test_build_orders_and_owns_keys) {
  const vvp_kind_t *k = vvp_kind_find("deployments");
  json_t *body =
      parse("{\"spec\":{\"a\":1},\"metadata\":{\"extra\":\"x\",\"id\":\"forged\","
            "\"name\":\"n\",\"labels\":{\"l\":\"v\"}},\"status\":{\"state\":\"RUNNING\"}}");
  vvp_system_t sys = {"ns", "id-1", "t0", "t1", NULL};
  json_t *doc = vvp_doc_build(k, body, &sys);
  hg_buf_t out = HG_BUF_INIT;
  ck_assert_int_eq(vvp_doc_answer_tree(doc, 7, &out), 0);
  ck_assert_int_eq(hg_buf_putc(&out, '\0'), 0);
  ck_assert_str_eq(out.p, "{\"kind\":\"Deployment\",\"apiVersion\":\"v1\",\"metadata\":{\"id\":"
                          "\"id-1\",\"name\":\"n\",\"namespace\":\"ns\",\"labels\":{\"l\":\"v\"},"
                          "\"annotations\":{},\"createdAt\":\"t0\",\"modifiedAt\":\"t1\","
                          "\"resourceVersion\":7,\"extra\":\"x\"},\"spec\":{\"a\":1},\"status\":"
                          "{\"state\":\"TRANSITIONING\"}}");
  hg_buf_free(&out);
  json_decref(doc);
  json_decref(body);
}
END_TEST

START_TEST(test_label_selector) {
  json_t *doc = parse("{\"metadata\":{\"labels\":{\"env\":\"prod\",\"tier\":\"web\"}}}");
  ck_assert_int_eq(vvp_doc_labels_match(doc, ""), 1);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "env=prod"), 1);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "env==prod"), 1);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "env=prod,tier=web"), 1);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "env=prod,tier=db"), 0);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "env=pro"), 0);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "nope"), -1);
  ck_assert_int_eq(vvp_doc_labels_match(doc, "=x"), -1);
  json_decref(doc);
}
END_TEST

START_TEST(test_kind_table) {
  ck_assert_ptr_null(vvp_kind_find("widgets"));
  ck_assert_ptr_null(vvp_kind_find(NULL));
  const vvp_kind_t *k = vvp_kind_find("secret-values");
  ck_assert_str_eq(k->kind, "SecretValue");
  ck_assert(!(k->verbs & VVP_PUT));
  ck_assert_int_eq(vvp_kind_find("jobs")->verbs, VVP_GET | VVP_LIST);
  ck_assert_int_eq(vvp_kind_find("deployment-defaults")->naming, VVP_SINGLETON);
}
END_TEST

int main(void) {
  TEST_RUN("resources_vvp_object", 0, test_check_reports_each_attribute,
           test_build_orders_and_owns_keys, test_label_selector, test_kind_table);
}
