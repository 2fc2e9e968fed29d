/* json_merge_patch.c - RFC 7386 JSON Merge Patch on jansson trees (json_tree.h).
 *
 * The recursion follows the patch, whose depth the parser that built it has bounded. */
#include "json/json_tree.h"

json_t *tc_merge_patch(json_t *target, json_t *patch) {
  if (!json_is_object(patch)) return json_deep_copy(patch ? patch : json_null());
  json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
  const char *key;
  json_t *v;
  if (!out) return NULL;
  json_object_foreach(patch, key, v) {
    if (json_is_null(v)) {
      json_object_del(out, key);
      continue;
    }
    json_t *merged = tc_merge_patch(json_object_get(out, key), v);
    if (!merged || json_object_set_new(out, key, merged) != 0) {
      json_decref(out);
      return NULL;
    }
  }
  return out;
}
