/* main.c - products-svc: the service frame (common/service.h), its store and its methods. */
#include "common/log.h"
#include "products/product_store.h"
#include "products/products.h"
#include "common/service.h"
#include "storage/store_call.h"
#include "storage/store_service.h"

int main(int argc, char **argv) {
  static const hg_service_defaults_t defaults = {"127.0.0.1:7103", "var/products",
                                                 &hangar_descriptors};
  hg_service_t frame;
  products_svc_t svc = {0};
  int rc = hg_service_configure(&frame, "products-svc", HG_SERVICE_VERIFIES_TOKENS, &defaults, NULL,
                                0, argc, argv);
  if (rc) return rc > 0 ? 0 : 2;
  if (store_open_service(&frame, &products_schema, NULL, &svc.store) != 0) return 1;
  if (pr_name_index_fill(svc.store) != 0) {
    HG_ERROR("products-svc", NULL, "cannot fill the name index in %s", frame.store_spec);
    store_close(svc.store);
    return 1;
  }
  rc = hg_service_open(&frame, &svc);
  if (rc == 0) {
    svc.authz = frame.authz;
    store_call_bind_health(frame.server, svc.store);
    rc = products_register(frame.server, &svc) ||
         hg_service_add_metrics(&frame, store_metrics, svc.store) || hg_service_run(&frame);
  }
  hg_service_close(&frame);
  store_close(svc.store);
  return rc ? 1 : 0;
}
