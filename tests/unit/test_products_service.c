/* test_products_service.c - products-svc over real gRPC: authentication and org scoping,
 * API products (create, get, PATCH, delete, lists with paging, sort, filters and labels),
 * the cascade delete and a restart. Documents, versions and specifications have their own
 * files (test_products_documents.c, test_products_versions.c). */
#include "test_products_fixture.h"

#include "common/labels.h"
#include "products/list.h"
#include "products/product_store.h"

typedef Hangar__Products__V1__GetApiProductRequest get_t;
typedef Hangar__Products__V1__UpdateApiProductRequest update_t;
typedef Hangar__Products__V1__DeleteApiProductRequest delete_t;
typedef Hangar__Products__V1__ListApiProductsRequest list_t;
typedef Hangar__Products__V1__ListApiProductsResponse list_resp_t;

#define NAME_SET HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST___NAME_NAME
#define PATCH_NAME_SET HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_REQUEST___NAME_NAME

static product_t *get_product(const char *id, const char *token) {
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_REQUEST__INIT;
  g.id = (char *)id;
  return fx_ok("GetApiProduct", &g, token);
}

static void set_labels(ProtobufCMessage *m, const char *field, hg_label_t *items, size_t n) {
  hg_labels_t l = {items, n};
  ck_assert_int_eq(hg_labels_to_map(m, field, &l, fx.a), 0);
}

static const char *label(const product_t *p, const char *key) {
  for (size_t i = 0; i < p->n_labels; i++)
    if (strcmp(p->labels[i]->key, key) == 0) return p->labels[i]->value;
  return NULL;
}

/* ---- authentication and orgs --------------------------------------------------------- */

START_TEST(test_unauthenticated_and_forbidden_callers) {
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  ONEOF(req, name, "p", NAME_SET);
  hg_status_t st;
  ck_assert_int_eq(fx_call_auth("CreateApiProduct", &req, NULL, &st, NULL), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "Unauthorized");
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCTS_REQUEST__INIT;
  ck_assert_int_eq(fx_call_auth("ListApiProducts", &l, "Basic abc", &st, NULL), HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "Unauthorized");
  st = fx_fail("CreateApiProduct", &req, "kpat_unknown", HG_UNAUTHENTICATED);
  ck_assert_str_eq(st.message, "Invalid credentials");
  st = fx_fail("CreateApiProduct", &req, "a-viewer", HG_PERMISSION_DENIED);
  ck_assert_str_eq(st.message, "You do not have permission to perform this action");
  fx_fail("CreateApiProduct", &req, "no-org", HG_PERMISSION_DENIED);
  fx_fail("ListApiProducts", &l, "no-org", HG_PERMISSION_DENIED);
}
END_TEST

START_TEST(test_org_is_chosen_from_bindings) {
  product_t *p = fx_product("in a", "a-editor");
  get_product(p->id, "a-viewer");
  get_product(p->id, "multi"); /* orgs/a < orgs/z */
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_REQUEST__INIT;
  g.id = p->id;
  fx_fail("GetApiProduct", &g, "admin", HG_NOT_FOUND); /* the admin acts in "default" */
  product_t *d = fx_product("in default", "admin");
  get_product(d->id, "root"); /* an admin binding on "*" also acts in "default" */
  fx_fail("GetApiProduct", &g, "root", HG_NOT_FOUND);
}
END_TEST

START_TEST(test_other_org_objects_are_not_found) {
  product_t *p = fx_product("secret", "a-editor");
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_REQUEST__INIT;
  g.id = p->id;
  hg_status_t st = fx_fail("GetApiProduct", &g, "b-owner", HG_NOT_FOUND);
  ck_assert_str_eq(st.message, "Not Found");
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_REQUEST__INIT;
  static const char *const name_path[] = {"name", NULL};
  u.id = p->id;
  ONEOF(u, name, "stolen", PATCH_NAME_SET);
  u.update_mask = fx_mask(name_path);
  fx_fail("UpdateApiProduct", &u, "b-owner", HG_NOT_FOUND);
  delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_REQUEST__INIT;
  d.id = p->id;
  fx_fail("DeleteApiProduct", &d, "b-owner", HG_NOT_FOUND);
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCTS_REQUEST__INIT;
  list_resp_t *r = fx_ok("ListApiProducts", &l, "b-owner");
  ck_assert_uint_eq(r->n_data, 0);
  ck_assert_int_eq(r->meta->page->total, 0);
  ck_assert_str_eq(get_product(p->id, "a-viewer")->name, "secret");
  g.id = "not-a-uuid";
  fx_fail("GetApiProduct", &g, "a-editor", HG_NOT_FOUND);
}
END_TEST

/* ---- create, get, PATCH, delete ------------------------------------------------------ */

START_TEST(test_create_answers_the_spec_shape_and_get_repeats_it) {
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  hg_label_t labels[] = {{"env", "test"}}, public_labels[] = {{"label", "value"}};
  char *portals[] = {"07087c41-495a-4599-bc98-4904f1b46654"};
  ONEOF(req, name, "API Product", NAME_SET);
  req.description = fx_sv("Text describing the API product");
  set_labels(&req.base, "labels", labels, 1);
  set_labels(&req.base, "public_labels", public_labels, 1);
  req.portal_ids = portals;
  req.n_portal_ids = 1;
  product_t *p = fx_ok("CreateApiProduct", &req, "a-editor");
  ck_assert(fx_matches(FX_UUID, p->id));
  ck_assert_str_eq(p->name, "API Product");
  ck_assert_str_eq(p->description->value, "Text describing the API product");
  ck_assert(fx_matches(FX_TIME, p->created_at));
  ck_assert_str_eq(p->created_at, p->updated_at);
  ck_assert_int_eq(p->version_count, 0);
  ck_assert_str_eq(label(p, "env"), "test");
  ck_assert_str_eq(p->public_labels[0]->key, "label");
  ck_assert_uint_eq(p->n_portal_ids, 1);
  ck_assert_uint_eq(p->n_portals, 0);
  fx_assert_same(&p->base, &get_product(p->id, "a-editor")->base);
  product_t *minimal = fx_product("API Product", "a-editor");
  ck_assert_ptr_null(minimal->description);
  ck_assert_uint_eq(minimal->n_labels, 0);
  ck_assert_str_ne(minimal->id, p->id);
}
END_TEST

START_TEST(test_create_validation) {
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  fx_invalid("CreateApiProduct", &req, "name", "required");
  ONEOF(req, name, "", NAME_SET);
  hg_status_t st = fx_fail("CreateApiProduct", &req, "a-editor", HG_INVALID_ARGUMENT);
  const hg_violation_t *v = fx_violation(&st, "name", "min_length");
  ck_assert_str_eq(v->description, "name must be longer than or equal to 1 characters");
  ck_assert(v->has_minimum && v->minimum == 1);
  char long_name[102];
  memset(long_name, 'x', 101);
  long_name[101] = '\0';
  req.name = long_name;
  st = fx_fail("CreateApiProduct", &req, "a-editor", HG_INVALID_ARGUMENT);
  v = fx_violation(&st, "name", "max_length");
  ck_assert(v->has_maximum && v->maximum == 100);
  long_name[100] = '\0';
  fx_ok("CreateApiProduct", &req, "a-editor"); /* 100 characters are fine */
  hg_label_t bad_key[] = {{"kong-owned", "x"}};
  set_labels(&req.base, "labels", bad_key, 1);
  fx_invalid("CreateApiProduct", &req, "labels.kong-owned", "is_label");
  hg_label_t many[51];
  char keys[51][8];
  for (int i = 0; i < 51; i++) {
    snprintf(keys[i], sizeof(keys[i]), "k%d", i);
    many[i] = (hg_label_t){keys[i], "v"};
  }
  set_labels(&req.base, "labels", many, 51);
  st = fx_fail("CreateApiProduct", &req, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_int_eq(fx_violation(&st, "labels", "max_items")->maximum, 50);
  set_labels(&req.base, "labels", many, 50);
  char *portals[] = {"07087c41-495a-4599-bc98-4904f1b46654", "not-a-uuid"};
  req.portal_ids = portals;
  req.n_portal_ids = 2;
  fx_invalid("CreateApiProduct", &req, "portal_ids[1]", "is_uuid"); /* the item, by index */
}
END_TEST

/* portal_ids: at most 100, counted before any item is parsed; duplicates found in one pass. */
START_TEST(test_portal_ids_capped_and_unique) {
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  static char ids[101][37];
  char *portals[101];
  for (int i = 0; i < 101; i++) {
    snprintf(ids[i], sizeof(ids[i]), "07087c41-495a-4599-bc98-%012d", i);
    portals[i] = ids[i];
  }
  ONEOF(req, name, "p", NAME_SET);
  req.portal_ids = portals;
  req.n_portal_ids = 100;
  ck_assert_uint_eq(((product_t *)fx_ok("CreateApiProduct", &req, "a-editor"))->n_portal_ids, 100);
  req.n_portal_ids = 101;
  portals[0] = "not-a-uuid"; /* not looked at: the count refuses first */
  hg_status_t st = fx_fail("CreateApiProduct", &req, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_uint_eq(st.n_violations, 1);
  const hg_violation_t *v = fx_violation(&st, "portal_ids", "max_items");
  ck_assert_str_eq(v->description, "portal_ids must not have more than 100 items");
  ck_assert(v->has_maximum && v->maximum == 100);
  portals[0] = ids[0];
  portals[99] = ids[3];
  req.n_portal_ids = 100;
  fx_invalid("CreateApiProduct", &req, "portal_ids", "invalid"); /* must contain unique items */
}
END_TEST

START_TEST(test_patch_merges_labels_and_clears_description) {
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  hg_label_t labels[] = {{"env", "test"}, {"team", "core"}};
  ONEOF(req, name, "before", NAME_SET);
  req.description = fx_sv("old");
  set_labels(&req.base, "labels", labels, 2);
  product_t *p = fx_ok("CreateApiProduct", &req, "a-editor");
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_REQUEST__INIT;
  static const char *const paths[] = {"name", "description", "labels", NULL};
  static const char *const kv[] = {"env", NULL, "tier", "gold"};
  u.id = p->id;
  ONEOF(u, name, "after", PATCH_NAME_SET);
  u.labels = fx_struct(kv, 2);
  u.update_mask = fx_mask(paths);
  product_t *q = fx_ok("UpdateApiProduct", &u, "a-editor");
  ck_assert_str_eq(q->name, "after");
  ck_assert_ptr_null(q->description);
  ck_assert_ptr_null(label(q, "env"));
  ck_assert_str_eq(label(q, "team"), "core");
  ck_assert_str_eq(label(q, "tier"), "gold");
  ck_assert_str_eq(q->created_at, p->created_at);
  fx_assert_same(&q->base, &get_product(p->id, "a-viewer")->base);
  static const char *const labels_only[] = {"labels", NULL};
  u.update_mask = fx_mask(labels_only);
  u.labels = NULL; /* "labels": null clears them all */
  ck_assert_uint_eq(((product_t *)fx_ok("UpdateApiProduct", &u, "a-editor"))->n_labels, 0);
}
END_TEST

START_TEST(test_patch_validation) {
  product_t *p = fx_product("p", "a-editor");
  update_t u = HANGAR__PRODUCTS__V1__UPDATE_API_PRODUCT_REQUEST__INIT;
  u.id = p->id;
  static const char *const name_path[] = {"name", NULL};
  u.update_mask = fx_mask(name_path); /* "name": null */
  fx_invalid("UpdateApiProduct", &u, "name", "is_string");
  static const char *const id_path[] = {"id", NULL};
  u.update_mask = fx_mask(id_path);
  fx_invalid("UpdateApiProduct", &u, "id", "unknown_property");
  /* 49 labels plus 2 new ones end up over 50: refused, nothing changed */
  fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
  hg_label_t many[49];
  char keys[49][8];
  for (int i = 0; i < 49; i++) {
    snprintf(keys[i], sizeof(keys[i]), "k%d", i);
    many[i] = (hg_label_t){keys[i], "v"};
  }
  ONEOF(req, name, "full", NAME_SET);
  set_labels(&req.base, "labels", many, 49);
  product_t *full = fx_ok("CreateApiProduct", &req, "a-editor");
  static const char *const labels_path[] = {"labels", NULL};
  static const char *const two[] = {"x1", "a", "x2", "b"};
  u.id = full->id;
  u.update_mask = fx_mask(labels_path);
  u.labels = fx_struct(two, 2);
  hg_status_t st = fx_fail("UpdateApiProduct", &u, "a-editor", HG_INVALID_ARGUMENT);
  ck_assert_int_eq(fx_violation(&st, "labels", "max_items")->maximum, 50);
  fx_assert_same(&full->base, &get_product(full->id, "a-editor")->base);
  u.id = "7710d5c4-d902-410b-992f-18b814155b53";
  u.labels = NULL;
  fx_fail("UpdateApiProduct", &u, "a-editor", HG_NOT_FOUND);
}
END_TEST

START_TEST(test_delete_then_not_found) {
  product_t *p = fx_product("gone", "a-editor");
  delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_REQUEST__INIT;
  d.id = p->id;
  fx_fail("DeleteApiProduct", &d, "a-viewer", HG_PERMISSION_DENIED);
  fx_ok("DeleteApiProduct", &d, "a-editor");
  fx_fail("DeleteApiProduct", &d, "a-editor", HG_NOT_FOUND);
  get_t g = HANGAR__PRODUCTS__V1__GET_API_PRODUCT_REQUEST__INIT;
  g.id = p->id;
  fx_fail("GetApiProduct", &g, "a-editor", HG_NOT_FOUND);
}
END_TEST

/* ---- lists --------------------------------------------------------------------------- */

static list_resp_t *list(const char *sort, Hangar__Products__V1__PageQuery *page,
                         Hangar__Products__V1__ApiProductFilter *filter, const char *labels) {
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCTS_REQUEST__INIT;
  l.sort = (char *)(sort ? sort : "");
  l.page = page;
  l.filter = filter;
  l.labels = (char *)(labels ? labels : "");
  return fx_ok("ListApiProducts", &l, "a-viewer");
}

static Hangar__Products__V1__PageQuery *page_of(long long size, long long number) {
  Hangar__Products__V1__PageQuery *q = hg_arena_alloc(fx.a, sizeof(*q));
  hangar__products__v1__page_query__init(q);
  if (size) ONEOF(*q, size, size, HANGAR__PRODUCTS__V1__PAGE_QUERY___SIZE_SIZE);
  if (number) ONEOF(*q, number, number, HANGAR__PRODUCTS__V1__PAGE_QUERY___NUMBER_NUMBER);
  return q;
}

START_TEST(test_list_pages_in_creation_order) {
  char names[25][8];
  for (int i = 0; i < 25; i++) {
    snprintf(names[i], sizeof(names[i]), "p%02d", i);
    fx_product(names[i], "a-editor");
  }
  fx_product("other org", "b-owner");
  list_resp_t *r = list(NULL, NULL, NULL, NULL);
  ck_assert_uint_eq(r->n_data, 10);
  ck_assert_int_eq(r->meta->page->number, 1);
  ck_assert_int_eq(r->meta->page->size, 10);
  ck_assert_int_eq(r->meta->page->total, 25);
  ck_assert_str_eq(r->data[0]->name, "p00");
  r = list(NULL, page_of(10, 3), NULL, NULL);
  ck_assert_uint_eq(r->n_data, 5);
  ck_assert_str_eq(r->data[0]->name, "p20");
  r = list(NULL, page_of(1000, 0), NULL, NULL);
  ck_assert_uint_eq(r->n_data, 25);
  ck_assert_int_eq(r->meta->page->size, 100);
  r = list(NULL, page_of(7, 9), NULL, NULL);
  ck_assert_uint_eq(r->n_data, 0);
  ck_assert_int_eq(r->meta->page->total, 25);
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCTS_REQUEST__INIT;
  l.page = page_of(0, 0);
  ONEOF(*l.page, size, 0, HANGAR__PRODUCTS__V1__PAGE_QUERY___SIZE_SIZE);
  hg_status_t st = fx_fail("ListApiProducts", &l, "a-viewer", HG_INVALID_ARGUMENT);
  ck_assert_int_eq(fx_violation(&st, "page[size]", "min")->minimum, 1);
  l.page = page_of(10, -2);
  st = fx_fail("ListApiProducts", &l, "a-viewer", HG_INVALID_ARGUMENT);
  fx_violation(&st, "page[number]", "min");
}
END_TEST

/* PR_SCAN_MAX + 1 products of org "a", written straight into the store in one write
 * (creating them through the API would cost a commit each). */
static int put_many_products(store_txn_t *txn, void *arg) {
  hg_arena_t *a = arg;
  for (int i = 0; i <= PR_SCAN_MAX; i++) {
    product_t p = HANGAR__PRODUCTS__V1__API_PRODUCT__INIT;
    product_record_t rec = HANGAR__PRODUCTS__V1__PRODUCT_RECORD__INIT;
    char id[40], name[16];
    snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i);
    snprintf(name, sizeof(name), "p%05d", i);
    p.id = id;
    p.name = name;
    p.created_at = p.updated_at = "2026-01-01T00:00:00.000Z";
    rec.org = "a";
    rec.product = &p;
    int rc = product_save(txn, &rec, a, 0);
    if (rc) return rc;
  }
  return 0;
}

/* A sorted or filtered list reads at most PR_SCAN_MAX records: over a larger org it is 400
 * naming the parameter that asked for the scan; the default order still pages. */
START_TEST(test_list_scan_over_the_cap_names_its_parameter) {
  static const struct {
    const char *sort, *labels, *param;
  } cases[] = {{"name", "env:prod", "sort"}, {NULL, "env:prod", "labels"}};
  ck_assert_int_eq(store_write(fx.store, put_many_products, fx.a), 0);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCTS_REQUEST__INIT;
    l.sort = (char *)(cases[i].sort ? cases[i].sort : "");
    l.labels = (char *)(cases[i].labels ? cases[i].labels : "");
    hg_status_t st = fx_fail("ListApiProducts", &l, "a-viewer", HG_INVALID_ARGUMENT);
    ck_assert_int_eq(fx_violation(&st, cases[i].param, "invalid")->maximum, PR_SCAN_MAX);
  }
  list_resp_t *r = list(NULL, NULL, NULL, NULL);
  ck_assert_int_eq(r->meta->page->total, PR_SCAN_MAX + 1);
  ck_assert_str_eq(r->data[0]->name, "p00000");
  /* Sorting by name alone walks the name index: no scan, no cap. */
  r = list("-name", NULL, NULL, NULL);
  ck_assert_int_eq(r->meta->page->total, PR_SCAN_MAX + 1);
  ck_assert_str_eq(r->data[0]->name, "p10000");
}
END_TEST

START_TEST(test_list_sort_filter_and_labels) {
  static const char *const names[] = {"beta", "Alpha", "gamma", "alpha"};
  static const char *const envs[] = {"prod", "dev", "prod", "prod"};
  for (int i = 0; i < 4; i++) {
    fx_create_product_t req = HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_REQUEST__INIT;
    hg_label_t l[] = {{"env", envs[i]}, {"team", "core"}};
    ONEOF(req, name, (char *)names[i], NAME_SET);
    set_labels(&req.base, "labels", l, i == 2 ? 1 : 2);
    fx_ok("CreateApiProduct", &req, "a-editor");
  }
  list_resp_t *r = list("name desc", NULL, NULL, NULL);
  static const char *const desc[] = {"gamma", "beta", "alpha", "Alpha"};
  for (int i = 0; i < 4; i++) ck_assert_str_eq(r->data[i]->name, desc[i]);
  r = list("name", page_of(2, 2), NULL, NULL);
  ck_assert_uint_eq(r->n_data, 2);
  ck_assert_str_eq(r->data[0]->name, "beta");
  ck_assert_int_eq(r->meta->page->total, 4);
  Hangar__Products__V1__ApiProductFilter f = HANGAR__PRODUCTS__V1__API_PRODUCT_FILTER__INIT;
  Hangar__Products__V1__StringFieldFilter sf = HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER__INIT;
  f.name = &sf;
  ONEOF(sf, contains, "ALPHA", HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___CONTAINS_CONTAINS);
  r = list("name", NULL, &f, NULL);
  ck_assert_uint_eq(r->n_data, 2);
  ck_assert_int_eq(r->meta->page->total, 2);
  sf._contains_case = 0;
  ONEOF(sf, oeq, "beta,gamma", HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___OEQ_OEQ);
  ck_assert_uint_eq(list(NULL, NULL, &f, NULL)->n_data, 2);
  r = list(NULL, NULL, NULL, "env:prod,team");
  ck_assert_uint_eq(r->n_data, 2); /* gamma has no team label */
  ck_assert_str_eq(r->data[0]->name, "beta");
  ck_assert_uint_eq(list(NULL, NULL, NULL, "env:dev")->n_data, 1);
  list_t l = HANGAR__PRODUCTS__V1__LIST_API_PRODUCTS_REQUEST__INIT;
  l.sort = "created_at";
  hg_status_t st = fx_fail("ListApiProducts", &l, "a-viewer", HG_INVALID_ARGUMENT);
  const hg_violation_t *v = fx_violation(&st, "sort", "enum");
  ck_assert_str_eq(v->description, "\"sort\" field must contain any of: [name]");
  ck_assert_str_eq(v->choices[0], "name");
  char values[160] = "a";
  for (int i = 1; i < 51; i++) strcat(values, ",a");
  sf._oeq_case = 0;
  ONEOF(sf, ocontains, values, HANGAR__PRODUCTS__V1__STRING_FIELD_FILTER___OCONTAINS_OCONTAINS);
  l.sort = NULL;
  l.filter = &f;
  st = fx_fail("ListApiProducts", &l, "a-viewer", HG_INVALID_ARGUMENT);
  ck_assert_int_eq(fx_violation(&st, "filter[name][ocontains]", "max_items")->maximum, 50);
}
END_TEST

/* ---- cascade and restart ------------------------------------------------------------- */

static uint64_t table_count(int table) {
  store_txn_t *txn;
  uint64_t n = 0;
  ck_assert_int_eq(store_txn_begin_read(fx.store, &txn), 0);
  ck_assert_int_eq(store_table_count(txn, table, &n), 0);
  store_txn_end(txn);
  return n;
}

/* A product with two documents (one nested), two versions and a specification. */
static product_t *populated_product(const char *name) {
  product_t *p = fx_product(name, "a-editor");
  Hangar__Products__V1__CreateApiProductDocumentRequest d =
      HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_DOCUMENT_REQUEST__INIT;
  d.api_product_id = p->id;
  ONEOF(d, slug, "top", HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_DOCUMENT_REQUEST___SLUG_SLUG);
  ONEOF(d, status, "published",
        HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_DOCUMENT_REQUEST___STATUS_STATUS);
  ONEOF(d, title, "Top", HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_DOCUMENT_REQUEST___TITLE_TITLE);
  document_t *top = fx_ok("CreateApiProductDocument", &d, "a-editor");
  d.slug = "child";
  d.parent_document_id = fx_sv(top->id);
  fx_ok("CreateApiProductDocument", &d, "a-editor");
  Hangar__Products__V1__CreateApiProductVersionRequest v =
      HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST__INIT;
  v.api_product_id = p->id;
  ONEOF(v, name, "v1", HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_REQUEST___NAME_NAME);
  version_t *v1 = fx_ok("CreateApiProductVersion", &v, "a-editor");
  v.name = "v2";
  fx_ok("CreateApiProductVersion", &v, "a-editor");
  Hangar__Products__V1__CreateApiProductVersionSpecRequest s =
      HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_SPEC_REQUEST__INIT;
  s.api_product_id = p->id;
  s.api_product_version_id = v1->id;
  ONEOF(s, name, "oas.json",
        HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_SPEC_REQUEST___NAME_NAME);
  ONEOF(s, content, "eyJvcGVuYXBpIjoiMy4wLjMifQ==", /* {"openapi":"3.0.3"} */
        HANGAR__PRODUCTS__V1__CREATE_API_PRODUCT_VERSION_SPEC_REQUEST___CONTENT_CONTENT);
  fx_ok("CreateApiProductVersionSpec", &s, "a-editor");
  return get_product(p->id, "a-editor");
}

START_TEST(test_delete_cascades_in_one_transaction) {
  product_t *keep = populated_product("keep");
  product_t *p = populated_product("drop");
  ck_assert_int_eq(p->version_count, 2);
  ck_assert_uint_eq(table_count(PR_DOCUMENTS), 4);
  ck_assert_uint_eq(table_count(PR_SPECS), 2);
  delete_t d = HANGAR__PRODUCTS__V1__DELETE_API_PRODUCT_REQUEST__INIT;
  d.id = p->id;
  fx_ok("DeleteApiProduct", &d, "a-editor");
  ck_assert_uint_eq(table_count(PR_PRODUCTS), 1);
  ck_assert_uint_eq(table_count(PR_DOCUMENTS), 2);
  ck_assert_uint_eq(table_count(PR_VERSIONS), 2);
  ck_assert_uint_eq(table_count(PR_SPECS), 1);
  ck_assert_int_eq(get_product(keep->id, "a-editor")->version_count, 2);
}
END_TEST

START_TEST(test_restart_keeps_everything) {
  product_t *p = populated_product("durable");
  Hangar__Products__V1__ListApiProductDocumentsRequest ld =
      HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_DOCUMENTS_REQUEST__INIT;
  ld.api_product_id = p->id;
  ProtobufCMessage *tree = fx_ok("ListApiProductDocumentTree", &ld, "a-viewer");
  Hangar__Products__V1__ListApiProductVersionsRequest lv =
      HANGAR__PRODUCTS__V1__LIST_API_PRODUCT_VERSIONS_REQUEST__INIT;
  lv.api_product_id = p->id;
  ProtobufCMessage *versions = fx_ok("ListApiProductVersions", &lv, "a-viewer");
  fx_restart();
  fx_assert_same(&p->base, &get_product(p->id, "a-viewer")->base);
  fx_assert_same(tree, fx_ok("ListApiProductDocumentTree", &ld, "a-viewer"));
  fx_assert_same(versions, fx_ok("ListApiProductVersions", &lv, "a-viewer"));
  ck_assert_uint_eq(table_count(PR_SPECS), 1);
  product_t *after = fx_product("after restart", "a-editor");
  ck_assert_str_ne(after->id, p->id);
}
END_TEST

int main(void) {
  Suite *s = suite_create("products_service");
  TCase *tc = tcase_create("products");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
  tcase_add_test(tc, test_unauthenticated_and_forbidden_callers);
  tcase_add_test(tc, test_org_is_chosen_from_bindings);
  tcase_add_test(tc, test_other_org_objects_are_not_found);
  tcase_add_test(tc, test_create_answers_the_spec_shape_and_get_repeats_it);
  tcase_add_test(tc, test_create_validation);
  tcase_add_test(tc, test_portal_ids_capped_and_unique);
  tcase_add_test(tc, test_patch_merges_labels_and_clears_description);
  tcase_add_test(tc, test_patch_validation);
  tcase_add_test(tc, test_delete_then_not_found);
  tcase_add_test(tc, test_list_pages_in_creation_order);
  tcase_add_test(tc, test_list_sort_filter_and_labels);
  tcase_add_test(tc, test_list_scan_over_the_cap_names_its_parameter);
  tcase_add_test(tc, test_delete_cascades_in_one_transaction);
  tcase_add_test(tc, test_restart_keeps_everything);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
