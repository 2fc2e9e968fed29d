/* vvp_object.h - the shape every Ververica-style object shares, on jansson trees:
 * {kind, apiVersion: "v1", metadata: {id, name, namespace, labels, annotations, createdAt,
 * modifiedAt, resourceVersion, ...}, spec, status}.
 *
 * The client owns metadata's name, labels and annotations (and other keys it sends, such as
 * a savepoint's deploymentId) and spec; the system owns id, namespace, the times,
 * resourceVersion and status. vvp_doc_build makes the stored document from what a client
 * sent and what the system keeps, so POST, PUT and PATCH all end in the same shape; checks
 * report each broken attribute as a violation named by its dotted path ("metadata.name").
 * Stored documents hold resourceVersion 0; vvp_doc_answer puts in the record's version.
 * Owns nothing; trees are jansson references as each function says. Threads: any. */
#ifndef HANGAR_VVP_OBJECT_H
#define HANGAR_VVP_OBJECT_H

#include <stdint.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/status.h"
#include "resources/vvp_kind.h"

/* What the system keeps of an object across writes (strings borrowed). */
typedef struct vvp_system {
  const char *ns;
  const char *id;
  const char *created_at;
  const char *modified_at;
  json_t *status; /* borrowed; NULL: the kind's initial status */
} vvp_system_t;

/* Checks a body a client sent for kind k: an object; kind (when sent) k's; apiVersion (when
 * sent) "v1"; metadata an object; labels and annotations objects of strings; a
 * metadata.resourceVersion an integer; the name's rule (when require_name, a missing name
 * too); the kind's schema. Adds one violation per problem to st; returns how many. */
size_t vvp_doc_check(const vvp_kind_t *k, json_t *body, int require_name, hg_status_t *st);

/* The stored document for body (checked) under sys. New reference, NULL when out of memory. */
json_t *vvp_doc_build(const vvp_kind_t *k, json_t *body, const vvp_system_t *sys);

/* metadata.<key> of doc as a string, or NULL (borrowed from doc). */
const char *vvp_doc_meta(json_t *doc, const char *key);
/* *out = metadata.resourceVersion of a body: 0 and *has = 0 when absent. -1 when it is not
 * a non-negative integer. */
int vvp_doc_version(json_t *body, int *has, uint64_t *out);

/* Appends the stored document text json, with metadata.resourceVersion = version, to out.
 * 0, or -1 when json is not a stored document or out of memory. */
int vvp_doc_answer(const char *json, uint64_t version, hg_buf_t *out);
/* The same for a parsed document (doc is changed: its resourceVersion is set). */
int vvp_doc_answer_tree(json_t *doc, uint64_t version, hg_buf_t *out);

/* 1 when the stored document's labels hold every key=value of the selector
 * ("k=v[,k=v...]"; "" selects all), 0 when not, -1 when the selector does not parse. */
int vvp_doc_labels_match(json_t *doc, const char *selector);

#endif
