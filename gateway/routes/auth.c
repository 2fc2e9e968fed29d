/* routes/auth.c - auth-svc's admin API (tokens and role bindings) at /auth/v1/...
 *
 * Not one of the five documented surfaces: it is Hangar's own, so it borrows the
 * KtrlPlane error dialect ({"error","details"}). Creates answer 201, deletes 204 (no
 * body); lists filter by ?subject=. auth-svc checks the admin token itself. */
#include "gateway/route.h"

#include "hangar/auth/v1/admin.pb-c.h"

#define GW_ROUTE_DEFAULTS                                                                          \
  .service = &hangar__auth__v1__auth_admin__descriptor, .upstream = "auth",                        \
  .dialect = GW_DIALECT_KTRLPLANE

static const gw_route_t routes[] = {
    GW_ROUTE(GW_POST, "/auth/v1/tokens", "CreateToken", GW_BODY_ALL, 201),
    GW_ROUTE(GW_GET, "/auth/v1/tokens", "ListTokens", GW_BODY_NONE, 200),
    GW_ROUTE(GW_GET, "/auth/v1/tokens/{id}", "GetToken", GW_BODY_NONE, 200),
    GW_ROUTE(GW_DELETE, "/auth/v1/tokens/{id}", "DeleteToken", GW_BODY_NONE, 204),
    GW_ROUTE(GW_POST, "/auth/v1/role-bindings", "CreateRoleBinding", GW_BODY_ALL, 201),
    GW_ROUTE(GW_GET, "/auth/v1/role-bindings", "ListRoleBindings", GW_BODY_NONE, 200),
    GW_ROUTE(GW_DELETE, "/auth/v1/role-bindings/{id}", "DeleteRoleBinding", GW_BODY_NONE, 204),
};

const gw_route_table_t gw_routes_auth = GW_ROUTE_TABLE("auth", routes, NULL, GW_DIALECT_KTRLPLANE);
