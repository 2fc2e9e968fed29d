/* fuzz_json.c - JSON -> protobuf transcoding (common/json) of every request message.
 *
 * Input: one byte choosing the message (fuzz.h), then the JSON body. Properties: decoding
 * never crashes, leaks or reads out of bounds, whatever the body; and a body that decodes
 * round-trips: its message, encoded as JSON and decoded again, is the same message (equal
 * protobuf encodings). update_mask is left out: the decoder fills it from the body's keys
 * and refuses it as a key, while the encoder writes every field, so it differs by design. */
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "fuzz.h"
#include "json/transcode.h"

/* Clears msg's update_mask, the one field a round trip may change (transcode.h). */
static void drop_update_mask(ProtobufCMessage *msg) {
  const ProtobufCFieldDescriptor *f =
      protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "update_mask");
  if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && f->label != PROTOBUF_C_LABEL_REPEATED)
    *(ProtobufCMessage **)((char *)msg + f->offset) = NULL;
}

/* Removes the top-level "update_mask":null (which tc_encode writes for the cleared mask)
 * from the JSON object text j: the scan skips strings and nested values, so a Struct key of
 * that name stays. */
static void cut_update_mask(hg_buf_t *j) {
  static const char key[] = "\"update_mask\":null";
  int depth = 0, in_string = 0;
  for (size_t i = 0; i < j->n; i++) {
    char c = j->p[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = 0;
    } else if (depth == 1 && strncmp(j->p + i, key, sizeof(key) - 1) == 0) {
      size_t from = i, to = i + sizeof(key) - 1;
      if (j->p[to] == ',')
        to++;
      else if (j->p[from - 1] == ',')
        from--;
      memmove(j->p + from, j->p + to, j->n - to + 1);
      j->n -= to - from;
      return;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
}

/* The protobuf encoding of msg in a new buffer (free with hg_buf_free). */
static hg_buf_t packed(const ProtobufCMessage *msg) {
  hg_buf_t b = HG_BUF_INIT;
  size_t n = protobuf_c_message_get_packed_size(msg);
  FUZZ_CHECK(hg_buf_reserve(&b, n + 1) == 0);
  b.n = protobuf_c_message_pack(msg, (uint8_t *)b.p);
  FUZZ_CHECK(b.n == n);
  return b;
}

static void round_trip(ProtobufCMessage *msg, hg_arena_t *a) {
  hg_buf_t json = HG_BUF_INIT;
  tc_error_t err;
  drop_update_mask(msg);
  FUZZ_CHECK(tc_encode(msg, &json) == 0);
  cut_update_mask(&json);
  ProtobufCMessage *again = tc_message_new(msg->descriptor, a);
  FUZZ_CHECK(again != NULL);
  int rc = tc_decode(again, json.p, json.n, NULL, a, &err);
  if (rc != 0) fprintf(stderr, "re-decode of %s failed: %s at %s\n", json.p, err.reason, err.field);
  FUZZ_CHECK(rc == 0);
  drop_update_mask(again);
  hg_buf_t x = packed(msg), y = packed(again);
  if (!hg_str_eq((hg_str_t){x.p, x.n}, (hg_str_t){y.p, y.n}))
    fprintf(stderr, "round trip changed the message; its JSON: %s\n", json.p);
  FUZZ_CHECK(hg_str_eq((hg_str_t){x.p, x.n}, (hg_str_t){y.p, y.n}));
  hg_buf_free(&x);
  hg_buf_free(&y);
  hg_buf_free(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const ProtobufCMessageDescriptor *d = fuzz_request_types()[data[0] % fuzz_n_request_types()];
  hg_arena_t *a = hg_arena_new();
  FUZZ_CHECK(a != NULL);
  ProtobufCMessage *msg = tc_message_new(d, a);
  tc_error_t errs[4];
  size_t n_errs;
  FUZZ_CHECK(msg != NULL);
  int rc = tc_decode_all(msg, (const char *)data + 1, size - 1, NULL, a, errs, 4, &n_errs);
  FUZZ_CHECK((rc == 0) == (n_errs == 0));
  if (rc == 0) round_trip(msg, a);
  hg_arena_free(a);
  return 0;
}
