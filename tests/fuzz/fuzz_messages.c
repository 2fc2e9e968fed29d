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

static const ProtobufCMessageDescriptor *types[MAX_TYPES];
static size_t n_types;

static void collect(void) {
  for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++)
    for (unsigned m = 0; m < services[s]->n_methods; m++) {
      const ProtobufCMessageDescriptor *in = services[s]->methods[m].input;
      size_t i = 0;
      while (i < n_types && types[i] != in) i++;
      if (i == n_types && n_types < MAX_TYPES) types[n_types++] = in;
    }
}

const ProtobufCMessageDescriptor *const *fuzz_request_types(void) {
  if (!n_types) collect();
  return types;
}

size_t fuzz_n_request_types(void) {
  if (!n_types) collect();
  return n_types;
}
