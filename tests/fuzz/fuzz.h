/* fuzz.h - what every fuzz target shares: the libFuzzer entry point it defines, the check
 * that turns a broken property into a crash, and the table of request messages.
 *
 * A target is built two ways (tests/fuzz/CMakeLists.txt): with clang and libFuzzer for
 * `make fuzz`, and with replay.c as its main() in the gcc builds, where `make test` feeds it
 * every file of its corpus once. The same source runs in both, so a fixed crash stays fixed.
 * Threads: libFuzzer and replay.c call a target from one thread. */
#ifndef HANGAR_FUZZ_H
#define HANGAR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <protobuf-c/protobuf-c.h>

/* Runs the code under test on data[0..size); returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code under test must keep. A broken one aborts, which libFuzzer reports as
 * a crash with the input that broke it, and which fails the corpus replay of `make test`. */
#define FUZZ_CHECK(cond)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond);                  \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* The input message of every rpc of every service the gateway fronts, each type once, in
 * service then method order: fuzz_request_types()[i] for i < fuzz_n_request_types(). Targets pick one by their input's first byte, so a corpus file
 * keeps meaning the same message while the services keep their methods. */
const ProtobufCMessageDescriptor *const *fuzz_request_types(void);
size_t fuzz_n_request_types(void);

/* The output message of every rpc, the same way: what the services answer the gateway. */
const ProtobufCMessageDescriptor *const *fuzz_answer_types(void);
size_t fuzz_n_answer_types(void);

/* tc_encode_wire (the gateway's answer path) against decoding + tc_encode on wire bytes
 * p[0..n) of type d, which decoded to msg (NULL: they do not decode): whatever it writes is
 * byte for byte tc_encode's rendering of msg; bytes that do not decode are left to decoding;
 * a canonical encoding of a type it takes, with no unknown fields, is always written.
 * Aborts (FUZZ_CHECK) on a broken property. wire_check.c. */
void fuzz_check_wire_json(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                          const ProtobufCMessage *msg);

#endif
