/* fuzz_messages.c - the request messages the transcoding and wire targets choose from,
 * collected from the services' descriptors so a new rpc is fuzzed without a new row. */
#include "fuzz.h"

#include "grpc/health/v1/health.pb-c.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/auth/v1/apitokens.pb-c.h"
#include "hangar/credentials/v1/provisioning.pb-c.h"
#include "hangar/products/v1/products.pb-c.h"
#include "hangar/resources/v1/ktrlplane.pb-c.h"
#include "hangar/resources/v1/ververica.pb-c.h"
#include "hangar/resources/v1/wrappers.pb-c.h"
#include "hangar/rpc/v1/admission.pb-c.h"

/* Every service a request reaches. New ones go last: a corpus file's first byte keeps
 * choosing the message it chose. */
static const ProtobufCServiceDescriptor *const services[] = {
    &hangar__auth__v1__auth_admin__descriptor,
    &hangar__resources__v1__ktrl_plane__descriptor,
    &hangar__resources__v1__wrappers__descriptor,
    &hangar__products__v1__api_products__descriptor,
    &hangar__rpc__v1__admission__descriptor,
    &grpc__health__v1__health__descriptor,
    &hangar__credentials__v1__provisioning__descriptor,
    &hangar__resources__v1__ververica__descriptor,
    &hangar__auth__v1__api_tokens__descriptor,
};

#define MAX_TYPES 128

/* The distinct input (or output) types of every method, in service then method order. */
typedef struct type_list {
  const ProtobufCMessageDescriptor *types[MAX_TYPES];
  size_t n;
} type_list_t;

static void collect(type_list_t *l, int outputs) {
  for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++)
    for (unsigned m = 0; m < services[s]->n_methods; m++) {
      const ProtobufCMessageDescriptor *t =
          outputs ? services[s]->methods[m].output : services[s]->methods[m].input;
      size_t i = 0;
      while (i < l->n && l->types[i] != t) i++;
      if (i == l->n && l->n < MAX_TYPES) l->types[l->n++] = t;
    }
}

static type_list_t requests, answers;

const ProtobufCMessageDescriptor *const *fuzz_request_types(void) {
  if (!requests.n) collect(&requests, 0);
  return requests.types;
}

size_t fuzz_n_request_types(void) {
  if (!requests.n) collect(&requests, 0);
  return requests.n;
}

const ProtobufCMessageDescriptor *const *fuzz_answer_types(void) {
  if (!answers.n) collect(&answers, 1);
  return answers.types;
}

size_t fuzz_n_answer_types(void) {
  if (!answers.n) collect(&answers, 1);
  return answers.n;
}
