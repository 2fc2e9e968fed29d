/* fuzz_answers.c - the services' answers as the gateway receives them: wire bytes of every
 * rpc's output message, written to JSON straight from the bytes (tc_encode_wire, the path
 * every answer takes) and, where that declines, decoded through rpc_codec_decode's guards.
 *
 * Input: one byte choosing the message (fuzz_answer_types()), then the wire bytes.
 * Properties (fuzz_check_wire_json): what the wire writer writes is byte for byte what
 * decoding and tc_encode write; bytes that do not decode are never written; a canonical
 * encoding of a type it takes is always written. */
#include "common/arena.h"
#include "fuzz.h"
#include "rpc/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const ProtobufCMessageDescriptor *d = fuzz_answer_types()[data[0] % fuzz_n_answer_types()];
  hg_arena_t *a = hg_arena_new();
  void *msg;
  FUZZ_CHECK(a != NULL);
  int decoded = rpc_codec_decode(RPC_PBC(d), size > 1 ? data + 1 : NULL, size - 1, a, &msg) == 0;
  fuzz_check_wire_json(d, data + 1, size - 1, decoded ? msg : NULL);
  hg_arena_free(a);
  return 0;
}
