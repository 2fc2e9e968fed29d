/* rpc_status.c - hg_status_t <-> google.rpc.Status, the grpc-status-details-bin trailer.
 *
 * grpc-message alone carries only a sentence; the gateway needs the machine-readable parts
 * (ErrorInfo.reason, the free-text detail, BadRequest field violations) to render each REST
 * dialect's exact error body, so they travel as Any-wrapped googleapis messages, the way
 * every gRPC ecosystem reads them. A violation's extras (minimum, maximum, choices), which
 * BadRequest has no field for, ride in one more Any (hangar.rpc.v1.ViolationExtras) that
 * names each violation by its index, so a peer that ignores it still reads a plain
 * BadRequest. Unknown Any types are ignored on the way in. */
#include <string.h>

#include "rpc/rpc_internal.h"
#include "google/protobuf/any.pb-c.h"
#include "google/rpc/error_details.pb-c.h"
#include "google/rpc/status.pb-c.h"
#include "hangar/rpc/v1/violations.pb-c.h"

#define TYPE_PREFIX "type.googleapis.com/"
#define ERROR_INFO "google.rpc.ErrorInfo"
#define BAD_REQUEST "google.rpc.BadRequest"
#define EXTRAS "hangar.rpc.v1.ViolationExtras"
#define DETAIL_KEY "details"

/* protobuf-c structs hold char *; packing only reads them. */
static char *or_empty(const char *s) { return (char *)(s ? s : ""); }
static const char *or_null(const char *s) { return s && s[0] ? s : NULL; }

static int pack_any(const ProtobufCMessage *m, const char *type_url, hg_arena_t *a,
                    Google__Protobuf__Any *any) {
  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t *p = hg_arena_alloc(a, n ? n : 1);
  if (!p) return -1;
  protobuf_c_message_pack(m, p);
  google__protobuf__any__init(any);
  any->type_url = (char *)type_url;
  any->value.data = p;
  any->value.len = n;
  return 0;
}

static int pack_error_info(const hg_status_t *st, hg_arena_t *a, Google__Protobuf__Any *any) {
  Google__Rpc__ErrorInfo info = GOOGLE__RPC__ERROR_INFO__INIT;
  Google__Rpc__ErrorInfo__MetadataEntry e = GOOGLE__RPC__ERROR_INFO__METADATA_ENTRY__INIT;
  Google__Rpc__ErrorInfo__MetadataEntry *ep = &e;
  info.reason = or_empty(st->reason);
  if (st->detail) {
    e.key = DETAIL_KEY;
    e.value = (char *)st->detail;
    info.n_metadata = 1;
    info.metadata = &ep;
  }
  return pack_any(&info.base, TYPE_PREFIX ERROR_INFO, a, any);
}

static size_t n_violations(const hg_status_t *st) {
  return st->n_violations < HG_MAX_VIOLATIONS ? st->n_violations : HG_MAX_VIOLATIONS;
}

static int pack_bad_request(const hg_status_t *st, hg_arena_t *a, Google__Protobuf__Any *any) {
  Google__Rpc__BadRequest__FieldViolation fv[HG_MAX_VIOLATIONS], *fvp[HG_MAX_VIOLATIONS];
  Google__Rpc__BadRequest br = GOOGLE__RPC__BAD_REQUEST__INIT;
  size_t n = n_violations(st);
  for (size_t i = 0; i < n; i++) {
    google__rpc__bad_request__field_violation__init(&fv[i]);
    fv[i].field = or_empty(st->violations[i].field);
    fv[i].description = or_empty(st->violations[i].description);
    fv[i].reason = or_empty(st->violations[i].rule);
    fvp[i] = &fv[i];
  }
  br.n_field_violations = n;
  br.field_violations = fvp;
  return pack_any(&br.base, TYPE_PREFIX BAD_REQUEST, a, any);
}

typedef Hangar__Rpc__V1__ViolationExtras extras_t;
typedef Hangar__Rpc__V1__ViolationExtras__Extra extra_t;

static size_t count_choices(const char *const *choices) {
  size_t n = 0;
  while (choices && choices[n]) n++;
  return n;
}

static void fill_extra(const hg_violation_t *v, uint32_t index, extra_t *e) {
  hangar__rpc__v1__violation_extras__extra__init(e);
  e->index = index;
  if (v->has_minimum) {
    e->_minimum_case = HANGAR__RPC__V1__VIOLATION_EXTRAS__EXTRA___MINIMUM_MINIMUM;
    e->minimum = v->minimum;
  }
  if (v->has_maximum) {
    e->_maximum_case = HANGAR__RPC__V1__VIOLATION_EXTRAS__EXTRA___MAXIMUM_MAXIMUM;
    e->maximum = v->maximum;
  }
  e->n_choices = count_choices(v->choices);
  e->choices = (char **)v->choices; /* packing only reads them */
}

static int has_any_extras(const hg_status_t *st) {
  for (size_t i = 0; i < n_violations(st); i++)
    if (hg_violation_has_extras(&st->violations[i])) return 1;
  return 0;
}

static int pack_extras(const hg_status_t *st, hg_arena_t *a, Google__Protobuf__Any *any) {
  extra_t e[HG_MAX_VIOLATIONS], *ep[HG_MAX_VIOLATIONS];
  extras_t x = HANGAR__RPC__V1__VIOLATION_EXTRAS__INIT;
  for (size_t i = 0; i < n_violations(st); i++) {
    if (!hg_violation_has_extras(&st->violations[i])) continue;
    fill_extra(&st->violations[i], (uint32_t)i, &e[x.n_extras]);
    ep[x.n_extras] = &e[x.n_extras];
    x.n_extras++;
  }
  x.extras = ep;
  return pack_any(&x.base, TYPE_PREFIX EXTRAS, a, any);
}

int rpc__status_pack(const hg_status_t *st, hg_arena_t *a, grpc_slice *out) {
  Google__Rpc__Status s = GOOGLE__RPC__STATUS__INIT;
  Google__Protobuf__Any any[3];
  Google__Protobuf__Any *anys[3] = {&any[0], &any[1], &any[2]};
  s.code = (int32_t)st->code;
  s.message = or_empty(st->message);
  s.details = anys;
  if ((st->reason || st->detail) && pack_error_info(st, a, &any[s.n_details++]) != 0) return -1;
  if (st->n_violations > 0 && pack_bad_request(st, a, &any[s.n_details++]) != 0) return -1;
  if (has_any_extras(st) && pack_extras(st, a, &any[s.n_details++]) != 0) return -1;
  *out = grpc_slice_malloc(google__rpc__status__get_packed_size(&s));
  google__rpc__status__pack(&s, GRPC_SLICE_START_PTR(*out));
  return 0;
}

/* The message name of an Any, whatever host its type URL names. */
static const char *any_type(const Google__Protobuf__Any *any) {
  const char *slash = strrchr(any->type_url, '/');
  return slash ? slash + 1 : any->type_url;
}

static int unpack_error_info(const Google__Protobuf__Any *any, ProtobufCAllocator *al,
                             hg_status_t *st) {
  Google__Rpc__ErrorInfo *info =
      google__rpc__error_info__unpack(al, any->value.len, any->value.data);
  if (!info) return -1;
  st->reason = or_null(info->reason);
  for (size_t i = 0; i < info->n_metadata; i++)
    if (strcmp(info->metadata[i]->key, DETAIL_KEY) == 0) st->detail = info->metadata[i]->value;
  return 0;
}

static int unpack_bad_request(const Google__Protobuf__Any *any, ProtobufCAllocator *al,
                              hg_status_t *st) {
  Google__Rpc__BadRequest *br =
      google__rpc__bad_request__unpack(al, any->value.len, any->value.data);
  if (!br) return -1;
  for (size_t i = 0; i < br->n_field_violations && st->n_violations < HG_MAX_VIOLATIONS; i++) {
    const Google__Rpc__BadRequest__FieldViolation *fv = br->field_violations[i];
    st->violations[st->n_violations++] = (hg_violation_t){
        .field = fv->field, .description = fv->description, .rule = or_null(fv->reason)};
  }
  return 0;
}

/* NULL-terminated copy of a repeated string field, in the arena; NULL when empty. */
static const char *const *choices_of(const extra_t *e, hg_arena_t *a, int *oom) {
  if (e->n_choices == 0) return NULL;
  const char **c = hg_arena_alloc(a, (e->n_choices + 1) * sizeof(*c));
  if (!c) {
    *oom = 1;
    return NULL;
  }
  for (size_t i = 0; i < e->n_choices; i++) c[i] = e->choices[i];
  return c;
}

/* Extras attach by index once every violation has arrived, whatever the order of the Anys;
 * indexes count from base (the violations st already held); one naming no violation is
 * ignored. */
static int apply_extras(const extras_t *x, size_t base, hg_arena_t *a, hg_status_t *st) {
  int oom = 0;
  for (size_t i = 0; x && i < x->n_extras; i++) {
    const extra_t *e = x->extras[i];
    if (base + e->index >= st->n_violations) continue;
    hg_violation_t *v = &st->violations[base + e->index];
    if (e->_minimum_case == HANGAR__RPC__V1__VIOLATION_EXTRAS__EXTRA___MINIMUM_MINIMUM)
      hg_violation_minimum(v, e->minimum);
    if (e->_maximum_case == HANGAR__RPC__V1__VIOLATION_EXTRAS__EXTRA___MAXIMUM_MAXIMUM)
      hg_violation_maximum(v, e->maximum);
    v->choices = choices_of(e, a, &oom);
  }
  return oom ? -1 : 0;
}

int rpc__status_unpack(const uint8_t *p, size_t n, hg_arena_t *a, hg_status_t *st) {
  ProtobufCAllocator al = hg_arena_pbc_allocator(a);
  Google__Rpc__Status *s = google__rpc__status__unpack(&al, n, p);
  hg_status_t tmp = *st;
  size_t base = st->n_violations;
  extras_t *x = NULL;
  if (!s) return -1;
  for (size_t i = 0; i < s->n_details; i++) {
    const Google__Protobuf__Any *any = s->details[i];
    const char *type = any_type(any);
    int rc = 0;
    if (strcmp(type, ERROR_INFO) == 0)
      rc = unpack_error_info(any, &al, &tmp);
    else if (strcmp(type, BAD_REQUEST) == 0)
      rc = unpack_bad_request(any, &al, &tmp);
    else if (strcmp(type, EXTRAS) == 0)
      rc = (x = hangar__rpc__v1__violation_extras__unpack(&al, any->value.len, any->value.data))
               ? 0
               : -1;
    if (rc != 0) return -1;
  }
  if (apply_extras(x, base, a, &tmp) != 0) return -1;
  if (!tmp.message && s->message[0]) tmp.message = s->message;
  *st = tmp;
  return 0;
}
