/* vvp_store.c - how namespaces and objects are keyed, grouped and framed. */
#include "resources/vvp_store.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "storage/record.h"

#define ALL_GROUP "all"
/* Longer than any name a rule admits (250), so such a key names nothing; checked before it
 * reaches the store, whose key limit would call it invalid rather than absent. */
#define KEY_MAX 255

static const store_index_def_t object_indexes[] = {
    [VVP_I_NAME] = {.name = "name", .flags = STORE_INDEX_UNIQUE},
};
static const store_table_def_t vvp_tables[VVP_N_TABLES] = {
    [VVP_T_NAMESPACES] = {.name = "vvp_namespaces", .grouped = 1},
    [VVP_T_OBJECTS] = {.name = "vvp_objects",
                       .watched = 1,
                       .grouped = 1,
                       .indexes = object_indexes,
                       .n_indexes = 1},
};
const store_schema_t vvp_schema = {.tables = vvp_tables, .n_tables = VVP_N_TABLES};

typedef Hangar__Resources__V1__NamespaceRecord ns_record_t;
typedef Hangar__Resources__V1__ObjectRecord obj_record_t;
typedef Hangar__Resources__V1__ObjectBody obj_body_t;

static const record_type_t ns_type = {&hangar__resources__v1__namespace_record__descriptor,
                                      offsetof(ns_record_t, namespace_), NULL, NULL};
static const record_type_t obj_type = {&hangar__resources__v1__object_record__descriptor,
                                       offsetof(obj_record_t, object), NULL, NULL};

static store_val_t str_val(const char *s) { return (store_val_t){s, strlen(s)}; }
static const store_val_t all_group = {ALL_GROUP, sizeof(ALL_GROUP) - 1};

/* "<a>/<b>[/<c>]" in a; the store's key limits refuse what is too long. */
static const char *join(hg_arena_t *a, const char *x, const char *y, const char *z) {
  return z ? hg_arena_sprintf(a, "%s/%s/%s", x, y, z) : hg_arena_sprintf(a, "%s/%s", x, y);
}

static int put_record(store_txn_t *txn, int table, store_val_t key, const ProtobufCMessage *msg,
                      const store_keys_t *keys, unsigned flags, uint64_t expect) {
  hg_buf_t buf = HG_BUF_INIT;
  int rc = record_pack(msg, &buf);
  if (rc == 0) rc = store_put_if(txn, table, key, (store_val_t){buf.p, buf.n}, keys, flags, expect);
  hg_buf_free(&buf);
  return rc;
}

/* ---- namespaces ------------------------------------------------------------------------ */

int vvp_ns_load(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, vvp_namespace_t **out) {
  if (strlen(ns) > KEY_MAX) return STORE_NOTFOUND;
  return record_load(txn, base + VVP_T_NAMESPACES, str_val(ns), &ns_type, a, out);
}

int vvp_ns_insert(store_txn_t *txn, int base, const char *ns, const vvp_namespace_t *n) {
  ns_record_t rec = HANGAR__RESOURCES__V1__NAMESPACE_RECORD__INIT;
  rec.namespace_ = (vvp_namespace_t *)n; /* packing only reads it */
  store_keys_t keys = {.group = all_group};
  return put_record(txn, base + VVP_T_NAMESPACES, str_val(ns), &rec.base, &keys,
                    STORE_PUT_NOOVERWRITE, 0);
}

int vvp_ns_delete(store_txn_t *txn, int base, const char *ns) {
  return store_del(txn, base + VVP_T_NAMESPACES, str_val(ns));
}

int vvp_ns_all(store_txn_t *txn, int base, hg_arena_t *a, vvp_namespace_t ***items, size_t *n) {
  uint64_t count = 0;
  int rc = store_group_count(txn, base + VVP_T_NAMESPACES, all_group, &count);
  if (rc) return rc;
  vvp_namespace_t **v = hg_arena_alloc(a, (count ? count : 1) * sizeof(*v));
  if (!v) return STORE_ENOMEM;
  record_page_t pg = {.type = &ns_type, .a = a, .items = (void **)v};
  rc = store_group_scan(txn, base + VVP_T_NAMESPACES, all_group, 0, (size_t)count, record_collect,
                        &pg);
  if ((rc = record_page_end(&pg, rc, n)) == 0) *items = v;
  return rc;
}

typedef struct holds {
  size_t prefix_n;
  const char *except; /* "<plural>/" or NULL */
} holds_t;

static int holds_one(void *arg, store_val_t key, store_val_t val) {
  (void)val;
  const holds_t *h = arg;
  const char *rest = (const char *)key.p + h->prefix_n;
  size_t n = key.n - h->prefix_n, en = h->except ? strlen(h->except) : 0;
  return h->except && n > en && memcmp(rest, h->except, en) == 0 ? 0 : 1;
}

int vvp_ns_holds(store_txn_t *txn, int base, const char *ns, const char *except, int *out) {
  char prefix[512], skip[128];
  int pn = snprintf(prefix, sizeof(prefix), "%s/", ns);
  if (pn < 0 || (size_t)pn >= sizeof(prefix)) return STORE_EINVAL;
  if (except && snprintf(skip, sizeof(skip), "%s/", except) >= (int)sizeof(skip))
    return STORE_EINVAL;
  holds_t h = {(size_t)pn, except ? skip : NULL};
  int rc =
      store_scan(txn, base + VVP_T_OBJECTS, (store_val_t){prefix, (size_t)pn}, 0, holds_one, &h);
  if (rc < 0) return rc;
  *out = rc == 1;
  return 0;
}

/* ---- objects --------------------------------------------------------------------------- */

static int obj_from(store_txn_t *txn, int table, hg_arena_t *a, store_val_t key, store_val_t val,
                    vvp_obj_t *out) {
  ProtobufCMessage *rec;
  int rc = record_decode(&obj_type, val, a, &rec);
  if (rc) return rc;
  obj_record_t *r = (obj_record_t *)rec;
  const char *slash = memrchr(key.p, '/', key.n);
  if (!slash) return STORE_EINVAL;
  const char *id =
      hg_arena_strndup(a, slash + 1, key.n - (size_t)(slash + 1 - (const char *)key.p));
  if (!id) return STORE_ENOMEM;
  out->id = id;
  out->json = r->object->json;
  out->name = NULL;
  return store_get_version(txn, table, key, &out->version);
}

int vvp_obj_decode(store_val_t val, hg_arena_t *a, const char **json) {
  ProtobufCMessage *rec;
  int rc = record_decode(&obj_type, val, a, &rec);
  if (rc == 0) *json = ((obj_record_t *)rec)->object->json;
  return rc;
}

int vvp_obj_find(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                 const char *key, unsigned how, vvp_obj_t *out) {
  if (strlen(ns) > KEY_MAX || strlen(key) > KEY_MAX) return STORE_NOTFOUND;
  const char *k = join(a, ns, plural, key);
  store_val_t pkey = {0}, val;
  if (!k) return STORE_ENOMEM;
  int rc = STORE_NOTFOUND;
  if (how & VVP_FIND_ID) rc = store_get(txn, base + VVP_T_OBJECTS, pkey = str_val(k), &val);
  if (rc == STORE_NOTFOUND && (how & VVP_FIND_NAME))
    rc = store_get_by_index(txn, base + VVP_T_OBJECTS, VVP_I_NAME, str_val(k), &pkey, &val);
  if (rc) return rc;
  return obj_from(txn, base + VVP_T_OBJECTS, a, pkey, val, out);
}

int vvp_obj_save(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                 const vvp_obj_t *o, unsigned flags, uint64_t expect_version, uint64_t *version) {
  obj_record_t rec = HANGAR__RESOURCES__V1__OBJECT_RECORD__INIT;
  obj_body_t body = HANGAR__RESOURCES__V1__OBJECT_BODY__INIT;
  body.json = (char *)o->json; /* packing only reads it */
  rec.object = &body;
  const char *key = join(a, ns, plural, o->id), *group = join(a, ns, plural, NULL);
  const char *name = o->name ? join(a, ns, plural, o->name) : NULL;
  if (!key || !group || (o->name && !name)) return STORE_ENOMEM;
  store_keys_t keys = {.group = str_val(group)};
  if (name) keys.index[VVP_I_NAME] = str_val(name);
  int rc =
      put_record(txn, base + VVP_T_OBJECTS, str_val(key), &rec.base, &keys, flags, expect_version);
  return rc ? rc : store_get_version(txn, base + VVP_T_OBJECTS, str_val(key), version);
}

int vvp_obj_delete(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                   const char *id, uint64_t expect_version) {
  const char *key = join(a, ns, plural, id);
  if (!key) return STORE_ENOMEM;
  return store_del_if(txn, base + VVP_T_OBJECTS, str_val(key), expect_version);
}

typedef struct collect {
  store_txn_t *txn;
  int table;
  hg_arena_t *a;
  vvp_obj_t *items;
  size_t n;
  int rc;
} collect_t;

static int collect_one(void *arg, store_val_t key, store_val_t val) {
  collect_t *c = arg;
  c->rc = obj_from(c->txn, c->table, c->a, key, val, &c->items[c->n]);
  if (c->rc) return 1;
  c->n++;
  return 0;
}

int vvp_obj_all(store_txn_t *txn, int base, hg_arena_t *a, const char *ns, const char *plural,
                vvp_obj_t **items, size_t *n) {
  const char *group = join(a, ns, plural, NULL);
  uint64_t count = 0;
  if (!group) return STORE_ENOMEM;
  int rc = store_group_count(txn, base + VVP_T_OBJECTS, str_val(group), &count);
  if (rc) return rc;
  collect_t c = {txn, base + VVP_T_OBJECTS,
                 a,   hg_arena_alloc(a, (count ? count : 1) * sizeof(vvp_obj_t)),
                 0,   0};
  if (!c.items) return STORE_ENOMEM;
  rc = store_group_scan(txn, base + VVP_T_OBJECTS, str_val(group), 0, (size_t)count, collect_one,
                        &c);
  if (c.rc) return c.rc;
  if (rc) return rc;
  *items = c.items;
  *n = c.n;
  return 0;
}

int vvp_obj_each(store_txn_t *txn, int base, hg_arena_t *a, const char *plural, vvp_obj_fn fn,
                 void *arg) {
  vvp_namespace_t **nss;
  size_t n_ns;
  int rc = vvp_ns_all(txn, base, a, &nss, &n_ns);
  for (size_t i = 0; rc == 0 && i < n_ns; i++) {
    const char *ns = strchr(nss[i]->name, '/') ? strchr(nss[i]->name, '/') + 1 : nss[i]->name;
    vvp_obj_t *objs;
    size_t n;
    rc = vvp_obj_all(txn, base, a, ns, plural, &objs, &n);
    for (size_t j = 0; rc == 0 && j < n; j++) rc = fn(arg, ns, &objs[j]);
  }
  return rc;
}
