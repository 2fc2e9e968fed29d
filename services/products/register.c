/* register.c - products_register: the ApiProducts service is bound whole, from the method
 * tables of its four parts (products, documents, versions, specifications). */
#include "products/call.h"

#define MAX_METHODS 32

int products_register(rpc_server_t *s, products_svc_t *svc) {
  const pr_methods_t *const parts[] = {&pr_product_methods, &pr_document_methods,
                                       &pr_version_methods, &pr_spec_methods};
  rpc_binding_t all[MAX_METHODS];
  size_t n = 0;
  for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
    for (size_t i = 0; i < parts[p]->n; i++) {
      if (n == MAX_METHODS) return -1;
      all[n++] = parts[p]->bindings[i];
    }
  rpc_server_set_data(s, svc);
  return rpc_server_add_service(s, &hangar__products__v1__api_products__descriptor, all, n);
}
