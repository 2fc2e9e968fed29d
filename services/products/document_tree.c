/* document_tree.c - resolving a product's parent links into a forest, and its queries.
 *
 * Sibling order is the stored position (a store-wide counter taken at create and on every
 * move), so sorting by position once and appending each document to its parent's child
 * list yields every sibling list in tree order. Walks up the parent links stop after n
 * steps, so even corrupt links could not loop forever. */
#include "products/document_tree.h"

#include <stdlib.h>
#include <string.h>

#include "common/reflect.h"

static int by_position(const void *x, const void *y) {
  uint64_t a = (*(document_record_t *const *)x)->position;
  uint64_t b = (*(document_record_t *const *)y)->position;
  return (a > b) - (a < b);
}

static int by_id(const void *x, const void *y) {
  return strcmp(((const pr_forest_id_t *)x)->id, ((const pr_forest_id_t *)y)->id);
}

long pr_forest_find(const pr_forest_t *f, const char *id) {
  pr_forest_id_t key = {id, 0};
  const pr_forest_id_t *hit = bsearch(&key, f->by_id, f->n, sizeof(key), by_id);
  return hit ? (long)hit->i : -1;
}

/* Links every document under its parent, siblings in position order. */
static void link(pr_forest_t *f, long *last_child) {
  for (size_t i = 0; i < f->n; i++) f->first_child[i] = f->next_sibling[i] = last_child[i] = -1;
  for (size_t i = 0; i < f->n; i++) {
    const Google__Protobuf__StringValue *p = f->docs[i]->document->parent_document_id;
    long up = p ? pr_forest_find(f, p->value) : -1;
    f->parent[i] = up == (long)i ? -1 : up;
    if (f->parent[i] < 0) continue;
    if (last_child[up] < 0)
      f->first_child[up] = (long)i;
    else
      f->next_sibling[last_child[up]] = (long)i;
    last_child[up] = (long)i;
  }
}

int pr_forest_build(void **records, size_t n, hg_arena_t *a, pr_forest_t *out) {
  size_t slots = n ? n : 1;
  pr_forest_t f = {.n = n};
  long *last_child = hg_arena_alloc(a, slots * sizeof(long));
  f.docs = hg_arena_alloc(a, slots * sizeof(*f.docs));
  f.by_id = hg_arena_alloc(a, slots * sizeof(*f.by_id));
  f.parent = hg_arena_alloc(a, slots * sizeof(long));
  f.first_child = hg_arena_alloc(a, slots * sizeof(long));
  f.next_sibling = hg_arena_alloc(a, slots * sizeof(long));
  if (!last_child || !f.docs || !f.by_id || !f.parent || !f.first_child || !f.next_sibling)
    return -1;
  memcpy(f.docs, records, n * sizeof(*f.docs));
  qsort(f.docs, n, sizeof(*f.docs), by_position);
  for (size_t i = 0; i < n; i++) f.by_id[i] = (pr_forest_id_t){f.docs[i]->document->id, i};
  qsort(f.by_id, n, sizeof(*f.by_id), by_id);
  link(&f, last_child);
  *out = f;
  return 0;
}

size_t pr_forest_depth(const pr_forest_t *f, size_t i) {
  size_t d = 1;
  for (long j = f->parent[i]; j >= 0 && d <= f->n; j = f->parent[j]) d++;
  return d;
}

/* Height, counting at most cap levels (enough to compare with a bound). */
static size_t height_upto(const pr_forest_t *f, size_t i, size_t cap) {
  size_t h = 0;
  if (cap == 0) return 0;
  for (long c = f->first_child[i]; c >= 0; c = f->next_sibling[c]) {
    size_t ch = height_upto(f, (size_t)c, cap - 1);
    if (ch > h) h = ch;
  }
  return h + 1;
}

size_t pr_forest_height(const pr_forest_t *f, size_t i) {
  return height_upto(f, i, PR_DOC_MAX_DEPTH + 1);
}

int pr_forest_within(const pr_forest_t *f, size_t i, size_t of) {
  long j = (long)i;
  for (size_t steps = 0; j >= 0 && steps <= f->n; steps++, j = f->parent[j])
    if (j == (long)of) return 1;
  return 0;
}

int pr_forest_subtree(const pr_forest_t *f, size_t i, hg_arena_t *a, const char ***ids, size_t *n) {
  const char **out = hg_arena_alloc(a, f->n * sizeof(*out));
  long *stack = hg_arena_alloc(a, f->n * sizeof(*stack));
  size_t top = 0, count = 0;
  if (!out || !stack) return -1;
  stack[top++] = (long)i;
  while (top && count < f->n) {
    long j = stack[--top];
    out[count++] = f->docs[j]->document->id;
    for (long c = f->first_child[j]; c >= 0 && top < f->n; c = f->next_sibling[c]) stack[top++] = c;
  }
  *ids = out;
  *n = count;
  return 0;
}

/* ---- the nested answer ---------------------------------------------------------------- */

static doc_tree_t *tree_node(const document_t *d, hg_arena_t *a) {
  doc_tree_t *t = hg_arena_alloc(a, sizeof(*t));
  if (!t) return NULL;
  hangar__products__v1__document_tree__init(t);
  hg_copy_shared_fields(&d->base, &t->base); /* all but children */
  return t;
}

static size_t count_children(const pr_forest_t *f, size_t i) {
  size_t n = 0;
  for (long c = f->first_child[i]; c >= 0; c = f->next_sibling[c]) n++;
  return n;
}

int pr_forest_render(const pr_forest_t *f, hg_arena_t *a, doc_tree_t ***roots, size_t *n_roots) {
  doc_tree_t **nodes = hg_arena_alloc(a, (f->n ? f->n : 1) * sizeof(*nodes));
  doc_tree_t **top = hg_arena_alloc(a, (f->n ? f->n : 1) * sizeof(*top));
  size_t n_top = 0;
  if (!nodes || !top) return -1;
  for (size_t i = 0; i < f->n; i++)
    if (!(nodes[i] = tree_node(f->docs[i]->document, a))) return -1;
  for (size_t i = 0; i < f->n; i++) {
    size_t k = 0, m = count_children(f, i);
    nodes[i]->children = hg_arena_alloc(a, (m ? m : 1) * sizeof(*nodes[i]->children));
    if (!nodes[i]->children) return -1;
    for (long c = f->first_child[i]; c >= 0; c = f->next_sibling[c])
      nodes[i]->children[k++] = nodes[c];
    nodes[i]->n_children = m;
    if (f->parent[i] < 0) top[n_top++] = nodes[i];
  }
  *roots = top;
  *n_roots = n_top;
  return 0;
}
