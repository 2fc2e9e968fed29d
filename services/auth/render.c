/* render.c - stored records to AuthAdmin messages. */
#include "auth/render.h"

#include "common/clock.h"
#include "google/protobuf/wrappers.pb-c.h"

/* The project's one wire format for time (common/clock.h), so every surface agrees. */
char *auth_rfc3339(hg_arena_t *a, int64_t unix_seconds) {
  char text[HG_RFC3339_LEN];
  hg_time_rfc3339(unix_seconds * 1000, text);
  return hg_arena_strdup(a, text);
}

/* expires_at: NULL (JSON null) when the token never expires. *ok is cleared on failure. */
static Google__Protobuf__StringValue *render_expiry(hg_arena_t *a, int64_t expires_at, int *ok) {
  if (expires_at == 0) return NULL;
  Google__Protobuf__StringValue *v = hg_arena_alloc(a, sizeof(*v));
  char *text = auth_rfc3339(a, expires_at);
  if (!v || !text) {
    *ok = 0;
    return NULL;
  }
  google__protobuf__string_value__init(v);
  v->value = text;
  return v;
}

/* The fields a Token and a CreatedToken both render from the token record t_rec (the two
 * messages are distinct types with the same field names, so this is a macro, written once
 * so that the list item and the creation answer cannot drift apart). ok is cleared when an
 * allocation fails. */
#define RENDER_TOKEN_FIELDS(t, a, t_rec, ok)                                                       \
  do {                                                                                             \
    (t)->id = (t_rec)->id;                                                                         \
    (t)->kind = (t_rec)->kind;                                                                     \
    (t)->subject = (t_rec)->subject;                                                               \
    (t)->n_bindings = (t_rec)->n_bindings;                                                         \
    (t)->bindings = (t_rec)->bindings;                                                             \
    (t)->created_at = auth_rfc3339((a), (t_rec)->created_at);                                      \
    (t)->expires_at = render_expiry((a), (t_rec)->expires_at, &(ok));                              \
    (ok) = (ok) && (t)->created_at;                                                                \
  } while (0)

Hangar__Auth__V1__Token *auth_render_token(hg_arena_t *a,
                                           const Hangar__Auth__V1__TokenRecord *rec) {
  Hangar__Auth__V1__Token *t = hg_arena_alloc(a, sizeof(*t));
  int ok = t != NULL;
  if (!ok) return NULL;
  hangar__auth__v1__token__init(t);
  RENDER_TOKEN_FIELDS(t, a, rec, ok);
  return ok ? t : NULL;
}

Hangar__Auth__V1__CreatedToken *
auth_render_created(hg_arena_t *a, const Hangar__Auth__V1__TokenRecord *rec, const char *secret) {
  Hangar__Auth__V1__CreatedToken *t = hg_arena_alloc(a, sizeof(*t));
  char *shown = hg_arena_strdup(a, secret);
  int ok = t && shown;
  if (!ok) return NULL;
  hangar__auth__v1__created_token__init(t);
  t->token = shown;
  RENDER_TOKEN_FIELDS(t, a, rec, ok);
  return ok ? t : NULL;
}

Hangar__Auth__V1__RoleBinding *auth_render_binding(hg_arena_t *a,
                                                   const Hangar__Auth__V1__RoleBindingRecord *rec) {
  Hangar__Auth__V1__RoleBinding *b = hg_arena_alloc(a, sizeof(*b));
  if (!b) return NULL;
  hangar__auth__v1__role_binding__init(b);
  b->id = rec->id;
  b->subject = rec->subject;
  b->scope = rec->scope;
  b->role = rec->role;
  b->created_at = auth_rfc3339(a, rec->created_at);
  return b->created_at ? b : NULL;
}
