/* vvp_kind.c - the AppManager kinds (seed 002; verbs from the 2.6.1 swagger's paths). */
#include "resources/vvp_kind.h"

#include <string.h>

/* deployment-targets and secret-values: up to 250 of [0-9a-zA-Z_-]. */
static const hg_name_rule_t wide_names = {250, HG_NAME_LOWER | HG_NAME_UPPER | HG_NAME_DIGIT |
                                                   HG_NAME_HYPHEN | HG_NAME_UNDERSCORE};
/* Every other named kind: up to 63 of [-0-9a-z], no hyphen at either end. */
static const hg_name_rule_t dns_names = {63, HG_NAME_LOWER | HG_NAME_DIGIT | HG_NAME_HYPHEN |
                                                 HG_NAME_NO_EDGE_HYPHEN};

static const char *const deployment_states[] = {"RUNNING", "SUSPENDED", "CANCELLED", NULL};
static const char *const session_states[] = {"RUNNING", "STOPPED", NULL};
static const char *const restore_strategies[] = {"LATEST_SAVEPOINT", "LATEST_STATE", "NONE", NULL};
static const char *const upgrade_strategies[] = {"NONE", "STATELESS", "STATEFUL", NULL};
static const char *const secret_kinds[] = {"PLAIN", NULL};

static const vvp_attr_t deployment_schema[] = {
    {"spec", VVP_T_OBJECT, NULL},
    {"spec.state", VVP_T_STRING, deployment_states},
    {"spec.deploymentTargetName", VVP_T_STRING, NULL},
    {"spec.restoreStrategy", VVP_T_OBJECT, NULL},
    {"spec.restoreStrategy.kind", VVP_T_STRING, restore_strategies},
    {"spec.upgradeStrategy", VVP_T_OBJECT, NULL},
    {"spec.upgradeStrategy.kind", VVP_T_STRING, upgrade_strategies},
    {"spec.maxJobCreationAttempts", VVP_T_INTEGER, NULL},
    {"spec.template", VVP_T_OBJECT, NULL},
    {"spec.template.spec", VVP_T_OBJECT, NULL},
    {"spec.template.spec.parallelism", VVP_T_INTEGER, NULL},
    {"spec.template.spec.flinkConfiguration", VVP_T_STRING_MAP, NULL},
    {NULL, 0, NULL},
};
static const vvp_attr_t target_schema[] = {
    {"spec", VVP_T_OBJECT, NULL},
    {"spec.kubernetes", VVP_T_OBJECT, NULL},
    {"spec.kubernetes.namespace", VVP_T_STRING, NULL},
    {NULL, 0, NULL},
};
static const vvp_attr_t defaults_schema[] = {
    {"spec", VVP_T_OBJECT, NULL},
    {"spec.template", VVP_T_OBJECT, NULL},
    {"spec.template.spec", VVP_T_OBJECT, NULL},
    {"spec.template.spec.flinkConfiguration", VVP_T_STRING_MAP, NULL},
    {NULL, 0, NULL},
};
static const vvp_attr_t savepoint_schema[] = {
    {"spec", VVP_T_OBJECT, NULL},
    {"spec.savepointLocation", VVP_T_STRING, NULL},
    {"metadata.deploymentId", VVP_T_STRING, NULL},
    {"metadata.jobId", VVP_T_STRING, NULL},
    {NULL, 0, NULL},
};
static const vvp_attr_t secret_schema[] = {
    {"spec", VVP_T_OBJECT, NULL},
    {"spec.kind", VVP_T_STRING, secret_kinds},
    {"spec.value", VVP_T_STRING, NULL},
    {NULL, 0, NULL},
};
static const vvp_attr_t session_schema[] = {
    {"spec", VVP_T_OBJECT, NULL},
    {"spec.state", VVP_T_STRING, session_states},
    {"spec.deploymentTargetName", VVP_T_STRING, NULL},
    {"spec.flinkConfiguration", VVP_T_STRING_MAP, NULL},
    {NULL, 0, NULL},
};
static const vvp_attr_t no_schema[] = {{NULL, 0, NULL}};

#define READ (VVP_GET | VVP_LIST)

static const vvp_kind_t kinds[] = {
    {"deployments", "Deployment", VVP_BY_NAME, &dns_names,
     READ | VVP_CREATE | VVP_PUT | VVP_PATCH | VVP_DELETE, VVP_BY_LABELS,
     "{\"state\":\"" VVP_STATE_TRANSITIONING "\"}", deployment_schema},
    {"deployment-targets", "DeploymentTarget", VVP_BY_NAME, &wide_names,
     READ | VVP_CREATE | VVP_PUT | VVP_DELETE, 0, "{}", target_schema},
    {"deployment-defaults", "DeploymentDefaults", VVP_SINGLETON, &dns_names, VVP_GET | VVP_PATCH, 0,
     "{}", defaults_schema},
    {"savepoints", "Savepoint", VVP_BY_ID, NULL, READ | VVP_CREATE | VVP_DELETE | VVP_DELETE_EMPTY,
     VVP_BY_DEPLOYMENT | VVP_BY_JOB, "{\"state\":\"COMPLETED\"}", savepoint_schema},
    {"secret-values", "SecretValue", VVP_BY_NAME, &wide_names,
     READ | VVP_CREATE | VVP_PATCH | VVP_DELETE, 0, "{}", secret_schema},
    {"sessionclusters", "SessionCluster", VVP_BY_NAME, &dns_names,
     READ | VVP_CREATE | VVP_PUT | VVP_PATCH | VVP_DELETE, 0, "{}", session_schema},
    {"events", "Event", VVP_BY_ID, NULL, VVP_LIST,
     VVP_BY_DEPLOYMENT | VVP_BY_JOB | VVP_BY_SESSION_CLUSTER, "{}", no_schema},
    {"jobs", "Job", VVP_BY_ID, NULL, READ, VVP_BY_DEPLOYMENT, "{}", no_schema},
};

const vvp_kind_t *vvp_kind_find(const char *plural) {
  for (size_t i = 0; plural && i < sizeof(kinds) / sizeof(kinds[0]); i++)
    if (strcmp(kinds[i].plural, plural) == 0) return &kinds[i];
  return NULL;
}
