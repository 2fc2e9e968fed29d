/* fuzz_yaml.c - YAML in and out (common/json/json_yaml.c, libyaml) over a YAML body a client
 * sends. Property: whatever YAML reads as JSON survives the trip out and back: JSON -> YAML
 * -> JSON gives the same JSON text again, so an answer in YAML says what the JSON one says. */
#include <string.h>

#include "common/buf.h"
#include "fuzz.h"
#include "json/json_yaml.h"

#define MAX_BYTES (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_BYTES) return 0;
  hg_buf_t json = HG_BUF_INIT, yaml = HG_BUF_INIT, again = HG_BUF_INIT;
  tc_error_t err;
  if (tc_yaml_to_json((const char *)data, size, 64, &json, &err) == 0) {
    FUZZ_CHECK(tc_json_to_yaml(json.p ? json.p : "", json.n, &yaml) == 0);
    FUZZ_CHECK(tc_yaml_to_json(yaml.p ? yaml.p : "", yaml.n, 0, &again, &err) == 0);
    FUZZ_CHECK(again.n == json.n && (json.n == 0 || memcmp(again.p, json.p, json.n) == 0));
  }
  hg_buf_free(&json);
  hg_buf_free(&yaml);
  hg_buf_free(&again);
  return 0;
}
