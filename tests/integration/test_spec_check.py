"""The spec check itself (spec_check.py, run by harness on every answer): it must catch a
wrong type, a missing required key and an additionalProperties violation on every surface,
name the operation, the status and the JSON path, and it must actually have checked answers
of each surface when real requests go through the harness (so it cannot pass vacuously).
"""

import json
import unittest

import harness
import spec_check
from harness import HangarTest

JSON = {"content-type": "application/json"}
PROBLEM = {"content-type": "application/problem+json"}
TREE = {"content-type": "application/vnd.konnect.document-tree+json"}
UUID = "7b0f8a52-5bd6-4c4a-9d55-0f4f8f5bd1a0"
NOW = "2026-12-06T10:00:00.000Z"

PRODUCT = {"id": UUID, "name": "P", "description": None, "portal_ids": [], "portals": [],
           "version_count": 0, "created_at": NOW, "updated_at": NOW, "labels": {},
           "public_labels": {}}
DOC_SUMMARY = {"id": UUID, "parent_document_id": None, "slug": "s", "title": "T",
               "status": "published", "created_at": NOW, "updated_at": NOW}
DOC_TREE = {"id": UUID, "parent_document_id": None, "slug": "s", "title": "T",
            "status": "published", "metadata": {}, "children": [], "created_at": NOW,
            "updated_at": NOW}
PAGE = {"page": {"number": 1, "size": 10, "total": 1}}
DEPLOYMENT = {"kind": "Deployment", "apiVersion": "v1",
              "metadata": {"id": UUID, "name": "d", "namespace": "ns", "labels": {},
                           "annotations": {}, "resourceVersion": 1},
              "spec": {"state": "CANCELLED",
                       "template": {"spec": {"flinkConfiguration": {"a": "1"}}}},
              "status": {"state": "CANCELLED"}}
API_EXCEPTION = {"kind": "ApiException", "apiVersion": "v1", "message": "Not Found",
                 "reason": "NotFound", "statusCode": 404, "context": {}}
SQL_SCRIPT = {"sqlScript": {"name": "namespaces/ns/sqlscripts/s", "displayName": "S",
                            "script": "SELECT 1", "createTime": NOW, "updateTime": NOW}}
CREATED = {"credentials": {"id": "7", "hostname": "127.0.0.1", "port": 3306, "db": "d",
                           "user": "u", "password": "p"},
           "id": "7", "status": "ok", "touch": "1765000000", "url": "mysql/7",
           "expiration": "2026-12-07T10:00:00+00:00"}
KEBOOLA_ERROR = {"status": "error", "error": "User error", "code": 404, "message": "Not found",
                 "exceptionId": "provisioning-0af3", "runId": 12}


def body(doc):
    return json.dumps(doc).encode()


def changed(doc, path, value=..., drop=False):
    """A deep copy of doc with the value at path (a list of keys) replaced or dropped."""
    out = json.loads(json.dumps(doc))
    at = out
    for k in path[:-1]:
        at = at[k]
    if drop:
        del at[path[-1]]
    else:
        at[path[-1]] = value
    return out


class Copies(unittest.TestCase):
    """The repository's spec copies are the shared originals, byte for byte."""

    def test_copies_equal_the_shared_specs(self):
        import os
        if not os.path.isdir(spec_check.SHARED_SPECS):
            self.skipTest("no ../shared/specs beside this clone")
        here = spec_check.SPEC_DIRS[0]
        names = [n for n in os.listdir(here) if n != "README.md"]
        self.assertEqual(len(names), 5)
        for name in names:
            with open(os.path.join(here, name), "rb") as a, \
                    open(os.path.join(spec_check.SHARED_SPECS, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)


class Catches(unittest.TestCase):
    """No processes: answers made up here, each broken in one place."""

    def violation(self, method, path, status, headers, doc):
        with self.assertRaises(spec_check.SpecViolation) as cm:
            spec_check.check(method, path, status, headers, body(doc))
        return str(cm.exception)

    def passes(self, surface, method, path, status, headers, doc):
        self.assertEqual(surface, spec_check.check(method, path, status, headers, body(doc)))

    def test_konnect_product(self):
        path = "/v2/api-products/" + UUID
        self.passes("konnect", "GET", path, 200, JSON, PRODUCT)
        m = self.violation("GET", path, 200, JSON, changed(PRODUCT, ["name"], 5))
        self.assertIn("GET /v2/api-products/{id} (get-api-product) -> 200", m)
        self.assertIn("at $.name:", m)
        m = self.violation("GET", path, 200, JSON, changed(PRODUCT, ["labels"], drop=True))
        self.assertIn("'labels' is a required property", m)
        m = self.violation("GET", path, 200, JSON, changed(PRODUCT, ["bogus"], 1))
        self.assertIn("Additional properties are not allowed ('bogus' was unexpected)", m)
        m = self.violation("GET", path, 200, JSON, changed(PRODUCT, ["labels", "k"], 1))
        self.assertIn("at $.labels.k:", m)
        m = self.violation("GET", path, 200, JSON, changed(PRODUCT, ["id"], "not-a-uuid"))
        self.assertIn("at $.id:", m)

    def test_konnect_nullable(self):
        path = "/v2/api-products/" + UUID
        self.passes("konnect", "GET", path, 200, JSON, changed(PRODUCT, ["description"], "d"))
        m = self.violation("GET", path, 200, JSON, changed(PRODUCT, ["name"], None))
        self.assertIn("at $.name: None is not of type 'string'", m)

    def test_konnect_media_type_picks_the_schema(self):
        path = "/v2/api-products/%s/documents" % UUID
        self.passes("konnect", "GET", path, 200, JSON, {"data": [DOC_SUMMARY], "meta": PAGE})
        self.passes("konnect", "GET", path, 200, TREE, {"data": [DOC_TREE], "meta": PAGE})
        m = self.violation("GET", path, 200, JSON, {"data": [DOC_TREE], "meta": PAGE})
        self.assertIn("[application/json]", m)
        self.assertIn("at $.data[0]:", m)
        m = self.violation("GET", path, 200, TREE, {"data": [DOC_SUMMARY], "meta": PAGE})
        self.assertIn("at $.data[0]:", m)
        m = self.violation("GET", path, 200, {"content-type": "text/plain"}, {})
        self.assertIn("Content-Type 'text/plain' is not one the spec documents", m)

    def test_konnect_undocumented_status_is_problem_json(self):
        path = "/v2/api-products/" + UUID
        problem = {"status": 405, "title": "Method Not Allowed", "instance": "kong:trace:1",
                   "detail": "no"}
        self.passes("konnect", "PUT", path, 405, PROBLEM, problem)
        self.violation("PUT", path, 405, JSON, problem)
        m = self.violation("PUT", path, 405, PROBLEM, changed(problem, ["instance"], drop=True))
        self.assertIn("[problem+json shape]", m)
        self.assertIn("'instance' is a required property", m)
        m = self.violation("DELETE", path, 204, JSON, {})
        self.assertIn("documents no body", m)

    def test_ververica_appmanager(self):
        path = "/api/v1/namespaces/ns/deployments/d"
        self.passes("ververica-appmanager", "GET", path, 200, JSON, DEPLOYMENT)
        m = self.violation("GET", path, 200, JSON, changed(
            DEPLOYMENT, ["spec", "template", "spec", "flinkConfiguration", "a"], 0.5))
        self.assertIn("GET /api/v1/namespaces/{namespace}/deployments/{name} "
                      "(getDeploymentUsingGET) -> 200", m)
        self.assertIn("at $.spec.template.spec.flinkConfiguration.a:", m)
        m = self.violation("GET", path, 200, JSON, changed(DEPLOYMENT, ["metadata", "name"], 1))
        self.assertIn("at $.metadata.name:", m)
        self.passes("ververica-appmanager", "GET", path, 404, JSON, API_EXCEPTION)
        m = self.violation("GET", path, 404, JSON, changed(API_EXCEPTION, ["context"], drop=True))
        self.assertIn("'context' is a required property", m)
        m = self.violation("GET", path, 404, JSON, changed(API_EXCEPTION, ["extra"], 1))
        self.assertIn("GET /api/v1/namespaces/{namespace}/deployments/{name}", m)

    def test_ververica_platform(self):
        path = "/sql/v1beta1/namespaces/ns/sqlscripts/s"
        self.passes("ververica-platform", "GET", path, 200, JSON, SQL_SCRIPT)
        m = self.violation("GET", path, 200, JSON, changed(SQL_SCRIPT, ["sqlScript", "script"],
                                                           ["x"]))
        self.assertIn("(getSqlScriptUsingGET) -> 200", m)
        self.assertIn("at $.sqlScript.script:", m)
        # A verb with its own template is not taken for an object name.
        self.assertEqual("/sql/v1beta1/namespaces/{ns}/connectors/{name}:list-tables",
                         spec_check.load()["platform"].find(
                             "GET", "/sql/v1beta1/namespaces/ns/connectors/c:list-tables")[0])

    def test_keboola(self):
        path = "/provisioning/mysql"
        self.passes("keboola", "POST", path, 201, JSON, CREATED)
        m = self.violation("POST", path, 201, JSON, changed(CREATED, ["touch"], 1765000000))
        self.assertIn("Keboola POST /provisioning/{backend} -> 201", m)
        self.assertIn("at $.touch:", m)
        m = self.violation("POST", path, 201, JSON, changed(CREATED, ["url"], drop=True))
        self.assertIn("'url' is a required property", m)
        m = self.violation("POST", path, 201, JSON, changed(CREATED, ["bogus"], "x"))
        self.assertIn("'bogus' was unexpected", m)
        m = self.violation("POST", path, 201, JSON, changed(CREATED, ["expiration"], None))
        self.assertIn("at $.expiration:", m)
        m = self.violation("POST", path, 201, JSON, changed(CREATED, ["credentials", "id"], 7))
        self.assertIn("at $.credentials.id:", m)
        m = self.violation("POST", path, 201, JSON, changed(CREATED, ["credentials", "db"],
                                                            drop=True))
        self.assertIn("'db' is a required property", m)
        m = self.violation("POST", path, 200, JSON, CREATED)
        self.assertIn("status 200 is not one the blueprint documents", m)
        self.passes("keboola", "GET", path + "/7", 404, JSON, KEBOOLA_ERROR)
        m = self.violation("GET", path + "/7", 404, JSON, changed(KEBOOLA_ERROR, ["runId"], "1"))
        self.assertIn("at $.runId:", m)

    def test_keboola_job(self):
        job = {"id": 5, "runId": "6", "component": "keboola-provisioning-bundle",
               "command": "create", "params": {"backend": "docker", "type": "rstudio",
                                               "input": []},
               "result": {"status": "ok", "url": "docker/7",
                          "credentials": {"id": 7, "port": 8330, "hostname": "h",
                                          "user": "u", "password": "p"}},
               "status": "success", "isFinished": True}
        self.passes("keboola", "GET", "/queue/job/5", 200, JSON, job)
        waiting = changed(changed(job, ["result"], {}), ["status"], "waiting")
        self.passes("keboola", "GET", "/queue/job/5", 200, JSON, waiting)
        m = self.violation("GET", "/queue/job/5", 200, JSON, changed(waiting, ["result"], None))
        self.assertIn("at $.result:", m)
        m = self.violation("GET", "/queue/job/5", 200, JSON,
                           changed(job, ["result", "credentials", "port"], drop=True))
        self.assertIn("Keboola GET /queue/job/{id} -> 200", m)
        self.assertIn("at $.result.credentials: 'port' is a required property", m)
        m = self.violation("GET", "/queue/job/5", 200, JSON, changed(job, ["runId"], 6))
        self.assertIn("at $.runId:", m)

    def test_unknown_paths_are_skipped(self):
        for path in ("/api/v1/projects/p/resources", "/wrappers", "/auth/v1/tokens", "/healthz",
                     "/v2/api-productsX"):
            self.assertIsNone(spec_check.check("GET", path, 200, JSON, b"{}"), path)


class Counts(HangarTest):
    """Answers through the harness of a real stack are checked, surface by surface."""

    def test_every_surface_is_checked(self):
        before = dict(spec_check.COUNTS)
        kpat = self.s.mint_token("kpat", "spec-user", [("orgs/spec-org", "editor")])["token"]
        r = self.req("POST", "/v2/api-products", {"name": "Spec"}, token=kpat)
        self.expect(r, 201)
        self.expect(self.req("GET", "/v2/api-products/" + r.body["id"], token=kpat), 200)
        self.expect(self.req("GET", "/v2/api-products/" + UUID, token=kpat), 404)
        self.expect(self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/spec"},
                             token=self.admin), 200)
        self.expect(self.req("GET", "/api/v1/namespaces/spec/deployments", token=self.admin),
                    200)
        self.expect(self.req("GET", "/api/v1/namespaces/spec/deployments/none",
                             token=self.admin), 404)
        self.expect(self.req("GET", "/sql/v1beta1/namespaces/spec/sqlscripts",
                             token=self.admin), 200)
        storage = self.s.mint_token("storage", "spec-user", [("storage-projects/9", "editor")])
        r = self.req("POST", "/provisioning/snowflake", {"type": "sandbox"},
                     headers={"X-StorageApi-Token": storage["token"]})
        self.expect(r, 201)
        self.expect(self.req("GET", "/provisioning/snowflake/" + r.body["id"],
                             headers={"X-StorageApi-Token": storage["token"]}), 200)
        self.expect(self.req("GET", "/provisioning/snowflake/999999",
                             headers={"X-StorageApi-Token": storage["token"]}), 404)
        self.expect(self.req("GET", "/api/v1/projects/spec/resources", token=self.admin), 200)
        grew = {k: spec_check.COUNTS[k] - before.get(k, 0) for k in spec_check.SURFACES}
        self.assertEqual({"konnect": 3, "ververica-appmanager": 2, "ververica-platform": 2,
                          "keboola": 3}, grew)
        self.assertEqual(3, spec_check.COUNTS["skipped: no public spec"]
                         - before.get("skipped: no public spec", 0),
                         "only the KtrlPlane answer and the two token mints are unchecked")


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


if __name__ == "__main__":
    harness.main()
