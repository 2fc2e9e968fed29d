/* vvp_object.c - building, checking and answering Ververica-style objects (vvp_object.h).
 *
 * Key order is part of the answer (clients diff YAML), so a document is always rebuilt in
 * one order: kind, apiVersion, metadata (system keys first, then the client's others in
 * the order sent), spec, status. */
#include "resources/vvp_object.h"

#include <stdio.h>
#include <string.h>

#include "json/json_tree.h"

/* metadata keys the system writes; a client's values for them are ignored. */
static const char *const system_keys[] = {
    "id",        "name",       "namespace",       "labels", "annotations",
    "createdAt", "modifiedAt", "resourceVersion", NULL};

static int is_system_key(const char *k) {
  for (const char *const *s = system_keys; *s; s++)
    if (strcmp(*s, k) == 0) return 1;
  return 0;
}

static void violation(hg_status_t *st, const char *field, const char *message) {
  hg_status_violation(st, field, "invalid", message);
}

/* The value at a dotted path, or NULL. */
static json_t *at(json_t *doc, const char *path) {
  char part[128];
  json_t *v = doc;
  while (v && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof(part) || !json_is_object(v)) return NULL;
    memcpy(part, path, n);
    part[n] = '\0';
    v = json_object_get(v, part);
    path += n + (path[n] == '.');
  }
  return v;
}

static int string_map(json_t *v) {
  const char *k;
  json_t *x;
  if (!json_is_object(v)) return 0;
  json_object_foreach(v, k, x) {
    if (!json_is_string(x)) return 0;
  }
  return 1;
}

static const struct {
  vvp_type_t type;
  json_type json;
  const char *message;
} type_words[] = {
    {VVP_T_STRING, JSON_STRING, "must be a string"},
    {VVP_T_OBJECT, JSON_OBJECT, "must be an object"},
    {VVP_T_INTEGER, JSON_INTEGER, "must be an integer"},
};

/* An object whose values are scalars: what a Map<String, String> reads. */
static int scalar_map(json_t *v) {
  const char *k;
  json_t *x;
  if (!json_is_object(v)) return 0;
  json_object_foreach(v, k, x) {
    if (json_is_object(x) || json_is_array(x)) return 0;
  }
  return 1;
}

static int type_ok(vvp_type_t t, json_t *v) {
  if (t == VVP_T_BOOLEAN) return json_is_boolean(v);
  if (t == VVP_T_STRING_MAP) return scalar_map(v);
  for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
    if (type_words[i].type == t) return json_typeof(v) == type_words[i].json;
  return 0;
}

static const char *type_message(vvp_type_t t) {
  if (t == VVP_T_STRING_MAP) return "must be an object of strings";
  for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
    if (type_words[i].type == t) return type_words[i].message;
  return "must be a boolean";
}

static void check_schema(const vvp_kind_t *k, json_t *body, hg_status_t *st) {
  for (const vvp_attr_t *a = k->schema; a && a->path; a++) {
    json_t *v = at(body, a->path);
    if (!v || json_is_null(v)) continue;
    if (!type_ok(a->type, v)) {
      violation(st, a->path, type_message(a->type));
      continue;
    }
    int ok = !a->choices;
    for (const char *const *c = a->choices; c && *c && !ok; c++)
      ok = strcmp(*c, json_string_value(v)) == 0;
    if (!ok) {
      hg_violation_t *viol =
          hg_status_violation(st, a->path, "enum", "must be one of the allowed values");
      hg_violation_choices(viol, a->choices);
    }
  }
}

static void check_name(const vvp_kind_t *k, json_t *meta, int require, hg_status_t *st) {
  json_t *name = json_object_get(meta, "name");
  if (k->naming != VVP_BY_NAME) return;
  if (!name || json_is_null(name)) {
    if (require) violation(st, "metadata.name", "must not be empty");
    return;
  }
  const char *s = json_string_value(name);
  if (!s || !hg_name_matches(k->name_rule, s, json_string_length(name)))
    violation(st, "metadata.name",
              k->name_rule->max == 63
                  ? "must be at most 63 characters of [-0-9a-z], not starting or ending with '-'"
                  : "must be at most 250 characters of [0-9a-zA-Z_-]");
}

size_t vvp_doc_check(const vvp_kind_t *k, json_t *body, int require_name, hg_status_t *st) {
  size_t before = st->n_violations;
  if (!json_is_object(body)) {
    violation(st, "", "the body must be an object");
    return st->n_violations - before;
  }
  json_t *kind = json_object_get(body, "kind"), *api = json_object_get(body, "apiVersion");
  json_t *meta = json_object_get(body, "metadata");
  if (kind && !json_is_null(kind) &&
      !(json_is_string(kind) && strcmp(json_string_value(kind), k->kind) == 0))
    violation(st, "kind", "must be the path's kind");
  if (api && !json_is_null(api) &&
      !(json_is_string(api) && strcmp(json_string_value(api), "v1") == 0))
    violation(st, "apiVersion", "must be v1");
  if (meta && !json_is_null(meta) && !json_is_object(meta)) {
    violation(st, "metadata", "must be an object");
    return st->n_violations - before;
  }
  json_t *labels = json_object_get(meta, "labels"), *notes = json_object_get(meta, "annotations");
  if (labels && !json_is_null(labels) && !string_map(labels))
    violation(st, "metadata.labels", "must be an object of strings");
  if (notes && !json_is_null(notes) && !string_map(notes))
    violation(st, "metadata.annotations", "must be an object of strings");
  int has;
  uint64_t rv;
  if (vvp_doc_version(body, &has, &rv) != 0)
    violation(st, "metadata.resourceVersion", "must be a non-negative integer");
  check_name(k, meta, require_name, st);
  check_schema(k, body, st);
  return st->n_violations - before;
}

/* A copy of the object at key of from, or an empty object when absent or null. */
static json_t *object_or_empty(json_t *from, const char *key) {
  json_t *v = json_object_get(from, key);
  return json_is_object(v) ? json_deep_copy(v) : json_object();
}

static int set_str(json_t *o, const char *key, const char *v) {
  return v ? json_object_set_new(o, key, json_string(v)) : 0;
}

static json_t *build_meta(const vvp_kind_t *k, json_t *meta, const vvp_system_t *sys) {
  json_t *m = json_object();
  int rc = m ? 0 : -1;
  rc |= set_str(m, "id", sys->id);
  if (k->naming != VVP_BY_ID) {
    json_t *name = json_object_get(meta, "name");
    rc |= set_str(m, "name", json_is_string(name) ? json_string_value(name) : VVP_DEFAULTS_NAME);
  }
  rc |= set_str(m, "namespace", sys->ns);
  if (k->naming != VVP_BY_ID)
    rc |= json_object_set_new(m, "labels", object_or_empty(meta, "labels"));
  rc |= json_object_set_new(m, "annotations", object_or_empty(meta, "annotations"));
  rc |= set_str(m, "createdAt", sys->created_at);
  rc |= set_str(m, "modifiedAt", sys->modified_at);
  rc |= json_object_set_new(m, "resourceVersion", json_integer(0));
  const char *key;
  json_t *v;
  json_object_foreach(meta, key, v) {
    if (!is_system_key(key) && !json_is_null(v)) rc |= json_object_set(m, key, v);
  }
  if (rc == 0) return m;
  json_decref(m);
  return NULL;
}

/* A checked string map as strings only: a number or boolean becomes its JSON text, a null
 * entry goes. 0, or -1 out of memory. */
static int strings_only(json_t *map) {
  const char *key;
  json_t *v;
  void *tmp;
  int rc = 0;
  json_object_foreach_safe(map, tmp, key, v) {
    if (json_is_null(v)) {
      json_object_del(map, key);
    } else if (!json_is_string(v)) {
      hg_buf_t text = HG_BUF_INIT;
      rc |= tc_tree_write(&text, v) == 0
                ? json_object_set_new(map, key, json_stringn(text.p, text.n))
                : -1;
      hg_buf_free(&text);
    }
  }
  return rc;
}

/* The kind's string maps in doc, as strings only. 0, or -1 out of memory. */
static int normalize(const vvp_kind_t *k, json_t *doc) {
  int rc = 0;
  for (const vvp_attr_t *a = k->schema; a && a->path; a++) {
    json_t *v = a->type == VVP_T_STRING_MAP ? at(doc, a->path) : NULL;
    if (json_is_object(v)) rc |= strings_only(v);
  }
  return rc;
}

json_t *vvp_doc_build(const vvp_kind_t *k, json_t *body, const vvp_system_t *sys) {
  json_t *doc = json_object(), *meta = json_object_get(body, "metadata");
  json_t *status =
      sys->status ? json_deep_copy(sys->status) : tc_tree_parse(k->status, strlen(k->status));
  int rc = doc && status ? 0 : -1;
  rc |= set_str(doc, "kind", k->kind);
  rc |= set_str(doc, "apiVersion", "v1");
  rc |=
      json_object_set_new(doc, "metadata", build_meta(k, json_is_object(meta) ? meta : NULL, sys));
  rc |= json_object_set_new(doc, "spec", object_or_empty(body, "spec"));
  rc |= json_object_set_new(doc, "status", status);
  if (rc == 0) rc = normalize(k, doc);
  if (rc == 0) return doc;
  json_decref(doc);
  return NULL;
}

const char *vvp_doc_meta(json_t *doc, const char *key) {
  return json_string_value(json_object_get(json_object_get(doc, "metadata"), key));
}

int vvp_doc_version(json_t *body, int *has, uint64_t *out) {
  json_t *v = json_object_get(json_object_get(body, "metadata"), "resourceVersion");
  *has = 0;
  *out = 0;
  if (!v || json_is_null(v)) return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0) return -1;
  *has = 1;
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

int vvp_doc_answer_tree(json_t *doc, uint64_t version, hg_buf_t *out) {
  json_t *meta = json_object_get(doc, "metadata");
  if (!json_is_object(meta) ||
      json_object_set_new(meta, "resourceVersion", json_integer((json_int_t)version)) != 0)
    return -1;
  return tc_tree_write(out, doc) == 0 ? 0 : -1;
}

int vvp_doc_answer(const char *json, uint64_t version, hg_buf_t *out) {
  json_t *doc = tc_tree_parse(json, strlen(json));
  int rc = doc ? vvp_doc_answer_tree(doc, version, out) : -1;
  json_decref(doc);
  return rc;
}

/* One "key=value" term of a selector, s[0..n). */
static int term_matches(json_t *labels, const char *s, size_t n) {
  const char *eq = memchr(s, '=', n);
  char key[256];
  if (!eq || eq == s || (size_t)(eq - s) >= sizeof(key)) return -1;
  memcpy(key, s, (size_t)(eq - s));
  key[eq - s] = '\0';
  const char *want = eq + 1;
  size_t wn = n - (size_t)(want - s);
  if (wn && *want == '=') want++, wn--; /* "k==v" is equality too */
  json_t *v = json_object_get(labels, key);
  return json_is_string(v) && json_string_length(v) == wn &&
         memcmp(json_string_value(v), want, wn) == 0;
}

int vvp_doc_labels_match(json_t *doc, const char *selector) {
  json_t *labels = json_object_get(json_object_get(doc, "metadata"), "labels");
  int all = 1;
  for (const char *p = selector; p && *p;) {
    size_t n = strcspn(p, ",");
    if (n) {
      int m = term_matches(labels, p, n);
      if (m < 0) return -1;
      all &= m;
    }
    p += n + (p[n] == ',');
  }
  return all;
}
