/* vvp_reconciler.c - the deployment state loop (vvp_reconciler.h). */
#include "resources/vvp_reconciler.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/background.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/uuid.h"
#include "json/json_tree.h"
#include "resources/vvp_kind.h"
#include "resources/vvp_object.h"
#include "resources/vvp_store.h"

#define DEPLOYMENTS "deployments"
#define MIN_STEP_MS 10

struct vvp_reconciler {
  resources_svc_t *svc;
  int64_t step_ms;
  hg_background_t *bg;
  atomic_size_t transitioning; /* deployments the last pass found due a step */
};

/* One deployment due a step, copied out of the pass's read transaction. */
typedef struct step {
  resources_svc_t *svc;
  hg_arena_t *a;
  const char *ns;
  vvp_obj_t o;
} step_t;

static const char *desired_state(json_t *doc) {
  const char *s = json_string_value(json_object_get(json_object_get(doc, "spec"), "state"));
  return s ? s : "CANCELLED";
}

static const char *current_state(json_t *doc) {
  const char *s = json_string_value(json_object_get(json_object_get(doc, "status"), "state"));
  return s ? s : "";
}

/* Writes a new object of kind plural (a job or an event) built from body. */
static int add_object(store_txn_t *txn, step_t *st, const char *plural, json_t *body,
                      const char *id, const char *now) {
  const vvp_kind_t *k = vvp_kind_find(plural);
  json_t *status = json_object_get(body, "status");
  vvp_system_t sys = {st->ns, id, now, now, status};
  json_t *doc = k ? vvp_doc_build(k, body, &sys) : NULL;
  hg_buf_t text = HG_BUF_INIT;
  uint64_t version;
  int rc =
      doc && tc_tree_write(&text, doc) == 0 && hg_buf_putc(&text, '\0') == 0 ? 0 : STORE_ENOMEM;
  vvp_obj_t o = {id, NULL, text.p, 0};
  if (rc == 0)
    rc = vvp_obj_save(txn, st->svc->vvp_base, st->a, st->ns, plural, &o, STORE_PUT_NOOVERWRITE, 0,
                      &version);
  hg_buf_free(&text);
  json_decref(doc);
  return rc;
}

static int add_event(store_txn_t *txn, step_t *st, json_t *dep, const char *job_id,
                     const char *message, const char *now) {
  char id[HG_UUID_LEN];
  if (hg_uuid_v4(id) != 0) return STORE_EIO;
  json_t *body =
      json_pack("{s:{s:s,s:s},s:{s:s}}", "metadata", "deploymentId", vvp_doc_meta(dep, "id"),
                "resourceName", vvp_doc_meta(dep, "name"), "spec", "message", message);
  if (body && job_id)
    json_object_set_new(json_object_get(body, "metadata"), "jobId", json_string(job_id));
  int rc = body ? add_object(txn, st, "events", body, id, now) : STORE_ENOMEM;
  json_decref(body);
  return rc;
}

/* Reaching RUNNING starts a job; the deployment's status names it and when it came to run
 * (DeploymentStatusRunning: jobId, transitionTime; startedAt belongs to the job). */
static int start_job(store_txn_t *txn, step_t *st, json_t *dep, json_t *status, const char *now,
                     char job_id[HG_UUID_LEN]) {
  if (hg_uuid_v4(job_id) != 0) return STORE_EIO;
  json_t *body =
      json_pack("{s:{s:s},s:{s:s},s:{s:s,s:{s:s}}}", "metadata", "deploymentId",
                vvp_doc_meta(dep, "id"), "spec", "deploymentName", vvp_doc_meta(dep, "name"),
                "status", "state", "STARTED", "started", "startedAt", now);
  int rc = body ? add_object(txn, st, "jobs", body, job_id, now) : STORE_ENOMEM;
  json_decref(body);
  if (rc == 0)
    json_object_set_new(status, "running",
                        json_pack("{s:s,s:s}", "jobId", job_id, "transitionTime", now));
  return rc;
}

/* Leaving RUNNING: the job status.running names is cancelled, which leaves it TERMINATED
 * (the swagger's JobStatus states are STARTING STANDBY STARTED TERMINATING FAILED TERMINATED
 * FINISHED; CANCELLED is a deployment state, not a job's). */
static int cancel_job(store_txn_t *txn, step_t *st, json_t *dep, const char *now) {
  const char *job_id = json_string_value(
      json_object_get(json_object_get(json_object_get(dep, "status"), "running"), "jobId"));
  vvp_obj_t job;
  uint64_t version;
  if (!job_id) return 0;
  int rc = vvp_obj_find(txn, st->svc->vvp_base, st->a, st->ns, "jobs", job_id, VVP_FIND_ID, &job);
  if (rc) return rc == STORE_NOTFOUND ? 0 : rc;
  json_t *doc = tc_tree_parse(job.json, strlen(job.json));
  hg_buf_t text = HG_BUF_INIT;
  json_object_set_new(json_object_get(doc, "status"), "state", json_string("TERMINATED"));
  json_object_set_new(json_object_get(doc, "metadata"), "modifiedAt", json_string(now));
  rc = doc && tc_tree_write(&text, doc) == 0 && hg_buf_putc(&text, '\0') == 0 ? 0 : STORE_ENOMEM;
  vvp_obj_t o = {job.id, NULL, text.p, 0};
  if (rc == 0)
    rc = vvp_obj_save(txn, st->svc->vvp_base, st->a, st->ns, "jobs", &o, 0, job.version, &version);
  hg_buf_free(&text);
  json_decref(doc);
  return rc;
}

/* The next status of dep, with its job and event; the new status replaces dep's. */
static int next_status(store_txn_t *txn, step_t *st, json_t *dep, const char *now) {
  const char *want = desired_state(dep), *from = current_state(dep);
  char job_id[HG_UUID_LEN];
  const char *job = NULL;
  json_t *status = json_object();
  int rc = status ? 0 : STORE_ENOMEM;
  if (rc == 0 && strcmp(from, VVP_STATE_TRANSITIONING) != 0) {
    json_object_set_new(status, "state", json_string(VVP_STATE_TRANSITIONING));
    rc = add_event(txn, st, dep, NULL, "STATE_TRANSITION_IS_NEEDED", now);
    if (rc == 0) rc = cancel_job(txn, st, dep, now);
  } else if (rc == 0) {
    json_object_set_new(status, "state", json_string(want));
    if (strcmp(want, "RUNNING") == 0 && (rc = start_job(txn, st, dep, status, now, job_id)) == 0)
      job = job_id;
    if (rc == 0) rc = add_event(txn, st, dep, job, "STATE_TRANSITION_IS_COMPLETED", now);
  }
  if (rc == 0) json_object_set(dep, "status", status);
  json_decref(status);
  return rc;
}

/* One step of one deployment, in the writer's transaction: only if it is still at the
 * version the pass read (a client's write since then wins; the next pass looks again). */
static int step_write(store_txn_t *txn, void *arg) {
  step_t *st = arg;
  uint64_t now_version;
  vvp_obj_t cur;
  int rc =
      vvp_obj_find(txn, st->svc->vvp_base, st->a, st->ns, DEPLOYMENTS, st->o.id, VVP_FIND_ID, &cur);
  if (rc) return rc;
  if (cur.version != st->o.version) return STORE_CONFLICT;
  json_t *dep = tc_tree_parse(cur.json, strlen(cur.json));
  const char *now = hg_now_text(st->a);
  hg_buf_t text = HG_BUF_INIT;
  rc = dep && now ? next_status(txn, st, dep, now) : STORE_ENOMEM;
  if (rc == 0 && (tc_tree_write(&text, dep) != 0 || hg_buf_putc(&text, '\0') != 0))
    rc = STORE_ENOMEM;
  vvp_obj_t o = {cur.id, vvp_doc_meta(dep, "name"), text.p, 0};
  if (rc == 0)
    rc = vvp_obj_save(txn, st->svc->vvp_base, st->a, st->ns, DEPLOYMENTS, &o, 0, cur.version,
                      &now_version);
  hg_buf_free(&text);
  json_decref(dep);
  return rc;
}

/* ---- the pass ----------------------------------------------------------------------------- */

#define MAX_STEPS 256 /* steps per pass; the rest wait for the next one */

typedef struct pass {
  resources_svc_t *svc;
  hg_arena_t *a;
  step_t steps[MAX_STEPS];
  size_t n;
} pass_t;

static int collect(void *arg, const char *ns, const vvp_obj_t *o) {
  pass_t *p = arg;
  json_t *doc = tc_tree_parse(o->json, strlen(o->json));
  int due = doc && strcmp(desired_state(doc), current_state(doc)) != 0;
  json_decref(doc);
  if (!due) return 0;
  p->steps[p->n++] = (step_t){p->svc, p->a, hg_arena_strdup(p->a, ns), *o};
  return p->n == MAX_STEPS;
}

/* hg_pass_fn: one step for every deployment due one, then sleep a step. */
static int64_t run_pass(hg_background_t *bg, void *arg) {
  vvp_reconciler_t *r = arg;
  pass_t *p = calloc(1, sizeof(*p));
  store_txn_t *txn;
  (void)bg;
  if (!p || !(p->a = hg_arena_new())) {
    free(p);
    return r->step_ms;
  }
  p->svc = r->svc;
  if (store_txn_begin_read(r->svc->store, &txn) == 0) {
    vvp_obj_each(txn, r->svc->vvp_base, p->a, DEPLOYMENTS, collect, p);
    store_txn_end(txn);
  }
  atomic_store_explicit(&r->transitioning, p->n, memory_order_relaxed);
  for (size_t i = 0; i < p->n; i++) {
    int rc = p->steps[i].ns ? store_write(r->svc->store, step_write, &p->steps[i]) : STORE_ENOMEM;
    if (rc && rc != STORE_CONFLICT && rc != STORE_NOTFOUND)
      HG_WARN("ververica", NULL, "deployment %s: step failed: %s", p->steps[i].o.id,
              store_strerror(rc));
  }
  hg_arena_free(p->a);
  free(p);
  return r->step_ms;
}

int vvp_reconciler_start(resources_svc_t *svc, int64_t step_ms, const hg_gate_t *gate,
                         vvp_reconciler_t **out) {
  vvp_reconciler_t *r = calloc(1, sizeof(*r));
  if (!r) return -1;
  r->svc = svc;
  r->step_ms = step_ms < MIN_STEP_MS ? MIN_STEP_MS : step_ms;
  if (hg_background_start_gated(run_pass, r, r->step_ms, gate, &r->bg) != 0) {
    free(r);
    return -1;
  }
  *out = r;
  return 0;
}

void vvp_reconciler_stop(vvp_reconciler_t *r) {
  if (!r) return;
  hg_background_stop(r->bg);
  free(r);
}

#define TRANSITIONING "hangar_ververica_deployments_transitioning"

int vvp_reconciler_metrics(void *reconciler, hg_buf_t *out) {
  vvp_reconciler_t *r = reconciler;
  size_t n = atomic_load_explicit(&r->transitioning, memory_order_relaxed);
  int rc = prom_family(out, TRANSITIONING, "gauge",
                       "Ververica deployments whose status differed from their spec at the "
                       "reconciler's last pass (it steps at most 256 per pass).");
  return rc | prom_sample(out, TRANSITIONING, NULL, 0, n) ? -1 : 0;
}
