/* document_tree.h - a product's documents as a forest: parent links resolved, siblings in
 * tree order (their stored position), depth and subtree queries, and the nested
 * DocumentTree answer (Accept: application/vnd.konnect.document-tree+json).
 *
 * Built from every document of one product, read in one transaction; O(n log n).
 * Documents nest at most PR_DOC_MAX_DEPTH levels (a bound that keeps the nested answer's
 * recursion in every encoder shallow). A document whose parent is missing counts as top
 * level. Owns nothing; everything lives in the arena. Threads: any. */
#ifndef HANGAR_PRODUCTS_DOCUMENT_TREE_H
#define HANGAR_PRODUCTS_DOCUMENT_TREE_H

#include <stddef.h>

#include "common/arena.h"
#include "products/products.h"

#define PR_DOC_MAX_DEPTH 32

typedef Hangar__Products__V1__DocumentTree doc_tree_t;

typedef struct pr_forest_id {
  const char *id;
  size_t i;
} pr_forest_id_t;

typedef struct pr_forest {
  document_record_t **docs; /* tree order: by position */
  size_t n;
  pr_forest_id_t *by_id; /* every document's index, sorted by id */
  long *parent;          /* per document: its parent's index, -1 at the top level */
  long *first_child;     /* per document: its first child's index, or -1 */
  long *next_sibling;    /* per document: the next child of the same parent, or -1 */
} pr_forest_t;

/* From records[0..n) (document_record_t *, any order). 0 or -1 (allocation). */
int pr_forest_build(void **records, size_t n, hg_arena_t *a, pr_forest_t *out);
/* Index of the document with id, or -1. */
long pr_forest_find(const pr_forest_t *f, const char *id);
/* Levels from the top down to document i (1 at the top level). */
size_t pr_forest_depth(const pr_forest_t *f, size_t i);
/* Levels of the subtree under document i, i included (1 for a leaf). */
size_t pr_forest_height(const pr_forest_t *f, size_t i);
/* Is document i the document `of` or below it? */
int pr_forest_within(const pr_forest_t *f, size_t i, size_t of);
/* The ids of document i and every document below it, into *ids (arena). 0 or -1. */
int pr_forest_subtree(const pr_forest_t *f, size_t i, hg_arena_t *a, const char ***ids, size_t *n);
/* The nested answer: top-level trees in order. 0 or -1. */
int pr_forest_render(const pr_forest_t *f, hg_arena_t *a, doc_tree_t ***roots, size_t *n_roots);

#endif
