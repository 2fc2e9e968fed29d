/* labels_patch.c - Konnect labels configured for products and versions. */
#include "products/labels_patch.h"

#include <string.h>

#include "products/fields.h"

#define KONNECT_MAX_LABELS 50

const hg_labels_cfg_t pr_labels_cfg = {"labels", KONNECT_MAX_LABELS};
const hg_labels_cfg_t pr_public_labels_cfg = {"public_labels", KONNECT_MAX_LABELS};

static const hg_labels_t no_labels = {NULL, 0};

/* The number of entries in map field `field` of m (0 when m has none). */
static size_t map_count(const ProtobufCMessage *m, const char *field) {
  const ProtobufCFieldDescriptor *fd =
      protobuf_c_message_descriptor_get_field_by_name(m->descriptor, field);
  size_t n = 0;
  if (fd && fd->label == PROTOBUF_C_LABEL_REPEATED)
    memcpy(&n, (const char *)m + fd->quantifier_offset, sizeof(n));
  return n;
}

int pr_labels_create(const ProtobufCMessage *req, const hg_labels_cfg_t *cfg, hg_arena_t *a,
                     hg_status_t *st, hg_labels_t *out) {
  hg_labels_t given;
  if (hg_labels_count_check(cfg, map_count(req, cfg->field), a, st) != 0) return 1;
  if (hg_labels_from_map(req, cfg->field, a, &given) != 0 ||
      hg_labels_merge(&no_labels, &given, a, out) != 0)
    return -1;
  return (int)hg_labels_check(cfg, out, 1, a, st);
}

int pr_labels_patch_read(const Google__Protobuf__FieldMask *mask, const hg_labels_cfg_t *cfg,
                         const Google__Protobuf__Struct *s, hg_arena_t *a, hg_status_t *st,
                         pr_labels_patch_t *out) {
  *out = (pr_labels_patch_t){.present = hg_mask_has(mask, cfg->field)};
  if (!out->present) return 0;
  out->clear = s == NULL;
  /* The count first: nothing below (reading, checking, the writer's merge) runs for a
   * patch of more entries than a product may hold. */
  if (hg_labels_count_check(cfg, s ? s->n_fields : 0, a, st) != 0) return 1;
  int broken = hg_labels_from_struct(cfg, s, a, st, &out->set);
  if (broken != 0) return broken;
  return (int)hg_labels_check(cfg, &out->set, 0, a, st);
}

int pr_labels_patch_apply(const pr_labels_patch_t *p, const hg_labels_cfg_t *cfg,
                          ProtobufCMessage *msg, hg_arena_t *a, hg_status_t *st) {
  hg_labels_t cur = no_labels, merged;
  if (!p->present) return 0;
  if (!p->clear && hg_labels_from_map(msg, cfg->field, a, &cur) != 0) return -1;
  if (hg_labels_merge(&cur, &p->set, a, &merged) != 0) return -1;
  if (hg_labels_check(cfg, &merged, 1, a, st) != 0) return 1;
  return hg_labels_to_map(msg, cfg->field, &merged, a);
}
