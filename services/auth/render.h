/* render.h - how stored records appear on the AuthAdmin API: RFC 3339 UTC timestamps,
 * expires_at as a StringValue (absent = JSON null), and never a token's secret or hash
 * except in the one CreatedToken answer.
 *
 * Every function allocates its result in arena a and returns NULL on allocation failure.
 * Messages share strings and bindings with the record they render.
 * Threads: any. */
#ifndef HANGAR_AUTH_RENDER_H
#define HANGAR_AUTH_RENDER_H

#include <stdint.h>

#include "common/arena.h"
#include "hangar/auth/v1/admin.pb-c.h"
#include "hangar/auth/v1/store.pb-c.h"

/* "2025-01-15T14:20:00Z" */
char *auth_rfc3339(hg_arena_t *a, int64_t unix_seconds);

Hangar__Auth__V1__Token *auth_render_token(hg_arena_t *a, const Hangar__Auth__V1__TokenRecord *rec);
/* The creation answer: rec plus the shown-once secret (borrowed). */
Hangar__Auth__V1__CreatedToken *
auth_render_created(hg_arena_t *a, const Hangar__Auth__V1__TokenRecord *rec, const char *secret);
Hangar__Auth__V1__RoleBinding *auth_render_binding(hg_arena_t *a,
                                                   const Hangar__Auth__V1__RoleBindingRecord *rec);

#endif
