/* routes/auth.c - auth-svc's admin API (tokens and role bindings) at /auth/v1/...
 *
 * Not one of the five documented surfaces: it is Hangar's own, so it borrows the
 * KtrlPlane error dialect ({"error","details"}). Creates answer 201, deletes 204 (no
 * body); lists filter by ?subject=. auth-svc checks the admin token itself. */
#include "gateway/route.h"

#include "hangar/auth/v1/admin.pb-c.h"

#define AA (&hangar__auth__v1__auth_admin__descriptor)
#define D GW_DIALECT_KTRLPLANE

static const gw_route_t routes[] = {
    {.method = GW_POST,
     .path = "/auth/v1/tokens",
     .service = AA,
     .rpc = "CreateToken",
     .upstream = "auth",
     .body = GW_BODY_ALL,
     .success = 201,
     .dialect = D},
    {.method = GW_GET,
     .path = "/auth/v1/tokens",
     .service = AA,
     .rpc = "ListTokens",
     .upstream = "auth",
     .body = GW_BODY_NONE,
     .success = 200,
     .dialect = D},
    {.method = GW_DELETE,
     .path = "/auth/v1/tokens/{id}",
     .service = AA,
     .rpc = "DeleteToken",
     .upstream = "auth",
     .body = GW_BODY_NONE,
     .success = 204,
     .dialect = D},
    {.method = GW_POST,
     .path = "/auth/v1/role-bindings",
     .service = AA,
     .rpc = "CreateRoleBinding",
     .upstream = "auth",
     .body = GW_BODY_ALL,
     .success = 201,
     .dialect = D},
    {.method = GW_GET,
     .path = "/auth/v1/role-bindings",
     .service = AA,
     .rpc = "ListRoleBindings",
     .upstream = "auth",
     .body = GW_BODY_NONE,
     .success = 200,
     .dialect = D},
    {.method = GW_DELETE,
     .path = "/auth/v1/role-bindings/{id}",
     .service = AA,
     .rpc = "DeleteRoleBinding",
     .upstream = "auth",
     .body = GW_BODY_NONE,
     .success = 204,
     .dialect = D},
};

const gw_route_table_t gw_routes_auth = {
    .surface = "auth", .routes = routes, .n = sizeof(routes) / sizeof(routes[0])};
