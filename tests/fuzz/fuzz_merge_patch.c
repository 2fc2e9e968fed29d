/* fuzz_merge_patch.c - RFC 7386 merge patch (common/json/json_merge_patch.c) over a stored
 * document and a client's patch: two JSON texts separated by a 0xff byte (never in UTF-8).
 * Properties, from the RFC: applying a patch twice gives what applying it once gave; and in
 * the result, a key the patch set to null is gone while a key it set to anything else but an
 * object holds exactly that value. */
#include <string.h>

#include "fuzz.h"
#include "json/json_tree.h"

#define MAX_BYTES (64 * 1024)

/* The RFC's per-key promise for an object patch, recursively for nested object patches. */
static void check_applied(json_t *patch, json_t *result) {
  if (!json_is_object(patch)) return;
  FUZZ_CHECK(json_is_object(result));
  const char *key;
  json_t *value;
  json_object_foreach(patch, key, value) {
    json_t *got = json_object_get(result, key);
    if (json_is_null(value))
      FUZZ_CHECK(got == NULL);
    else if (json_is_object(value))
      check_applied(value, got);
    else
      FUZZ_CHECK(got && json_equal(got, value));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_BYTES) return 0;
  const uint8_t *sep = memchr(data, 0xff, size);
  if (!sep) return 0;
  json_t *target = tc_tree_parse((const char *)data, (size_t)(sep - data));
  json_t *patch = tc_tree_parse((const char *)sep + 1, size - (size_t)(sep - data) - 1);
  if (target && patch) {
    json_t *once = tc_merge_patch(target, patch);
    FUZZ_CHECK(once != NULL);
    json_t *twice = tc_merge_patch(once, patch);
    FUZZ_CHECK(twice != NULL && json_equal(once, twice));
    check_applied(patch, once);
    json_decref(once);
    json_decref(twice);
  }
  json_decref(target);
  json_decref(patch);
  return 0;
}
