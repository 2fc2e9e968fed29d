"""Ververica-style deployments reconciled (seed 002, CONTRACTS.md: status.state reaches the
desired spec.state within seconds locally): TRANSITIONING, then the desired state; a Job
while RUNNING; an Event per step. No Flink runs."""

import secrets

import harness
from harness import HangarTest


def setUpModule():
    harness.module_stack(provision_delay_ms=50)


def tearDownModule():
    harness.module_teardown()


class ReconcilerTest(HangarTest):
    def setUp(self):
        super().setUp()
        self.ns = "rec-" + secrets.token_hex(4)
        r = self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + self.ns},
                     token=self.admin)
        self.expect(r, 200)

    def path(self, rest):
        return "/api/v1/namespaces/%s/%s" % (self.ns, rest)

    def get(self, rest):
        return self.expect(self.req("GET", self.path(rest), token=self.admin), 200)

    def wait_state(self, name, state):
        return self.poll(lambda: (lambda d: d if d["status"]["state"] == state else None)(
            self.get("deployments/" + name)), what="%s to be %s" % (name, state))

    def test_running_then_suspended(self):
        r = self.req("POST", self.path("deployments"),
                     {"metadata": {"name": "job-a"}, "spec": {"state": "RUNNING"}},
                     token=self.admin)
        made = self.expect(r, 201)
        self.assertEqual({"state": "TRANSITIONING"}, made["status"])
        dep_id = made["metadata"]["id"]
        running = self.wait_state("job-a", "RUNNING")
        job_id = running["status"]["running"]["jobId"]
        self.assertEqual({"state": "RUNNING",
                          "running": {"jobId": job_id,
                                      "transitionTime": running["status"]["running"]["transitionTime"]}},
                         running["status"])
        self.assertGreater(running["metadata"]["resourceVersion"],
                           made["metadata"]["resourceVersion"])
        self.assertEqual(made["metadata"]["modifiedAt"], running["metadata"]["modifiedAt"])
        job = self.get("jobs/" + job_id)
        self.assertEqual(("Job", dep_id, {"deploymentName": "job-a"}, "STARTED"),
                         (job["kind"], job["metadata"]["deploymentId"], job["spec"],
                          job["status"]["state"]))
        self.assertEqual([job], self.get("jobs?deploymentId=" + dep_id)["items"])
        self.assertEqual([], self.get("jobs?deploymentId=" + job_id)["items"])

        r = self.req("PATCH", self.path("deployments/job-a"), {"spec": {"state": "SUSPENDED"}},
                     token=self.admin)
        self.expect(r, 200)
        suspended = self.wait_state("job-a", "SUSPENDED")
        self.assertEqual({"state": "SUSPENDED"}, suspended["status"])
        self.assertEqual("TERMINATED", self.get("jobs/" + job_id)["status"]["state"],
                         "a cancelled job is TERMINATED: the swagger's JobStatus has no CANCELLED")
        events = self.get("events?deploymentId=" + dep_id)
        self.assertEqual("EventList", events["kind"])
        self.assertEqual(["STATE_TRANSITION_IS_COMPLETED", "STATE_TRANSITION_IS_NEEDED",
                          "STATE_TRANSITION_IS_COMPLETED"],
                         [e["spec"]["message"] for e in events["items"]])
        for e in events["items"]:
            self.assertEqual((dep_id, "job-a", self.ns),
                             (e["metadata"]["deploymentId"], e["metadata"]["resourceName"],
                              e["metadata"]["namespace"]))
        self.assertEqual(job_id, events["items"][0]["metadata"]["jobId"])

    def test_unset_state_settles_cancelled(self):
        r = self.req("POST", self.path("deployments"), {"metadata": {"name": "idle"}},
                     token=self.admin)
        self.expect(r, 201)
        self.assertEqual({"state": "CANCELLED"}, self.wait_state("idle", "CANCELLED")["status"])
        self.assertEqual([], self.get("jobs")["items"])

    def test_restart_resumes(self):
        r = self.req("POST", self.path("deployments"),
                     {"metadata": {"name": "after"}, "spec": {"state": "RUNNING"}},
                     token=self.admin)
        self.expect(r, 201)
        self.s.kill("resources-svc")
        self.s.restart("resources-svc")
        self.poll(lambda: self.s.request("GET", self.path("deployments/after"),
                                   token=self.admin).status == 200, 15.0, "resources-svc again")
        self.wait_state("after", "RUNNING")


if __name__ == "__main__":
    harness.main()
