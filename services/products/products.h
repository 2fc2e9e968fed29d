/* products.h - products-svc's shared state, message types and the one registration call.
 *
 * products-svc owns the products store (var/products) and serves the Konnect API Products
 * v2 surface (products, documents, product versions, specifications) over gRPC as the
 * service hangar.products.v1.ApiProducts.
 * Threads: handlers run on rpc CQ threads, writes and their replies on the store's writer
 * thread; a products_svc_t is read-only once registered. */
#ifndef HANGAR_PRODUCTS_H
#define HANGAR_PRODUCTS_H

#include "common/authz.h"
#include "hangar/products/v1/products.pb-c.h"
#include "hangar/products/v1/store.pb-c.h"
#include "rpc/rpc.h"
#include "storage/store.h"

typedef Hangar__Products__V1__ApiProduct product_t;
typedef Hangar__Products__V1__ApiProductDocument document_t;
typedef Hangar__Products__V1__ApiProductVersion version_t;
typedef Hangar__Products__V1__ApiProductVersionSpec spec_t;
typedef Hangar__Products__V1__ProductRecord product_record_t;
typedef Hangar__Products__V1__DocumentRecord document_record_t;
typedef Hangar__Products__V1__VersionRecord version_record_t;
typedef Hangar__Products__V1__SpecRecord spec_record_t;
typedef Hangar__Products__V1__PageQuery page_query_t;
typedef Hangar__Products__V1__ListMeta list_meta_t;

typedef struct products_svc {
  store_t *store; /* tables from products_schema */
  authz_t *authz; /* verifies callers through auth-svc */
} products_svc_t;

/* Binds every ApiProducts method to s and makes svc the server's data. svc is borrowed
 * until rpc_server_destroy(s). 0 or -1. Before rpc_server_start() only. */
int products_register(rpc_server_t *s, products_svc_t *svc);

#endif
