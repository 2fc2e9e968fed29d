/* vvp_kind.h - the Ververica-style API's kinds as data: one row per AppManager kind.
 *
 * A row says how the kind is addressed (by a name under one of the seed's two name rules,
 * by metadata.id only, or as the one object of its namespace), which verbs its swagger
 * path allows, which list filters it takes, the status a new object starts with, and its
 * schema: the attributes the service checks beyond the shape every object shares. Adding a
 * kind is a row here (and its route rows in gateway/routes/ververica.c); no handler knows a
 * kind by name except the reconciler, which drives deployments.
 * Owns: static tables. Threads: any. */
#ifndef HANGAR_VVP_KIND_H
#define HANGAR_VVP_KIND_H

#include <stddef.h>

#include "common/names.h"

typedef enum {
  VVP_BY_NAME = 0, /* metadata.name is the key (unique per namespace), metadata.id works too */
  VVP_BY_ID,       /* addressed by metadata.id only: no name, no labels (savepoints, jobs) */
  VVP_SINGLETON,   /* one object per namespace, made with the namespace (deployment-defaults) */
} vvp_naming_t;

typedef enum {
  VVP_CREATE = 1u << 0,
  VVP_GET = 1u << 1,
  VVP_LIST = 1u << 2,
  VVP_PUT = 1u << 3,
  VVP_PATCH = 1u << 4,
  VVP_DELETE = 1u << 5,
  /* DELETE answers 204 with no body: the swagger's delete returns nothing (savepoints), where
   * the other kinds' return the deleted object. */
  VVP_DELETE_EMPTY = 1u << 6,
} vvp_verb_t;

/* List query parameters a kind takes (the swagger's, per list path). */
typedef enum {
  VVP_BY_LABELS = 1u << 0,         /* labelSelector */
  VVP_BY_DEPLOYMENT = 1u << 1,     /* deploymentId = metadata.deploymentId */
  VVP_BY_JOB = 1u << 2,            /* jobId = metadata.jobId */
  VVP_BY_SESSION_CLUSTER = 1u << 3 /* sessionClusterId = metadata.sessionClusterId */
} vvp_filter_t;

/* One attribute of a kind's schema: where (dotted), what JSON type, and for strings the
 * allowed values (NULL-terminated; NULL = any). An absent attribute is not checked.
 * VVP_T_STRING_MAP is the swagger's object of strings (flinkConfiguration): scalar values
 * are taken as the platform's Jackson takes them into a Map<String, String> (a number or
 * boolean becomes its text) and a null entry is dropped; a nested object or array is
 * refused. */
typedef enum {
  VVP_T_STRING = 0,
  VVP_T_OBJECT,
  VVP_T_INTEGER,
  VVP_T_BOOLEAN,
  VVP_T_STRING_MAP
} vvp_type_t;
typedef struct vvp_attr {
  const char *path;
  vvp_type_t type;
  const char *const *choices;
} vvp_attr_t;

typedef struct vvp_kind {
  const char *plural; /* "deployments" */
  const char *kind;   /* "Deployment"; its list is "<kind>List" */
  vvp_naming_t naming;
  const hg_name_rule_t *name_rule; /* VVP_BY_NAME kinds */
  unsigned verbs;                  /* vvp_verb_t */
  unsigned filters;                /* vvp_filter_t */
  const char *status;              /* a new object's status, JSON object text */
  const vvp_attr_t *schema;        /* terminated by a NULL path */
} vvp_kind_t;

/* The kind whose plural is plural; NULL when there is none. */
const vvp_kind_t *vvp_kind_find(const char *plural);

/* Deployment states (spec.state) and where a reconciled deployment stands (status.state). */
#define VVP_STATE_TRANSITIONING "TRANSITIONING"
#define VVP_DEFAULTS_NAME "default" /* the name of a namespace's deployment-defaults */

#endif
