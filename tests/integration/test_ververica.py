"""Ververica-style API (seed 002 + CONTRACTS.md "Ververica"), black box over HTTP: the
Platform's namespaces and the AppManager's objects, with whole-body assertions on every
answer and every ApiException / ApiValidationException."""

import json
import os
import re
import secrets
import signal
import threading
import unittest

import harness
from harness import HangarTest

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
JSON = {"Content-Type": "application/json"}
YAML = {"Content-Type": "application/yaml", "Accept": "application/yaml"}


def setUpModule():
    # Deployments stay TRANSITIONING here (each simulated step takes an hour), so every
    # answer is deterministic; test_ververica_reconciler.py runs the steps.
    harness.module_stack(provision_delay_ms=3600000)


def tearDownModule():
    harness.module_teardown()


def api_exception(status, message, reason):
    return {"kind": "ApiException", "apiVersion": "v1", "message": message, "reason": reason,
            "statusCode": status, "context": {}}


def validation(*errors, message="Validation failed"):
    return {"kind": "ApiValidationException", "apiVersion": "v1", "message": message,
            "statusCode": 400,
            "errors": [{"attribute": a, "message": m} for a, m in errors]}


DNS_RULE = "must be at most 63 characters of [-0-9a-z], not starting or ending with '-'"
WIDE_RULE = "must be at most 250 characters of [0-9a-zA-Z_-]"
UNAUTHENTICATED = api_exception(401, "Full authentication is required to access this resource",
                                "Unauthorized")
DENIED = api_exception(403, "Access is denied", "Forbidden")


def uniq(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(4))


def deployment(name, labels=None, spec=None):
    return {"kind": "Deployment", "apiVersion": "v1",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": spec if spec is not None else {"state": "CANCELLED"}}


class VervericaTest(HangarTest):
    def ns(self, name=None):
        """A fresh namespace (created as admin); returns its short name."""
        name = name or uniq("ns")
        r = self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + name},
                     token=self.admin)
        self.expect(r, 200)
        return name

    def objects(self, ns, plural):
        return "/api/v1/namespaces/%s/%s" % (ns, plural)

    def restart_resources(self):
        """Restarts resources-svc and waits until the gateway reaches it again (its channel
        backs off while the service is down)."""
        self.s.restart("resources-svc")
        self.poll(lambda: self.s.request("GET", "/namespaces/v1/namespaces",
                                         token=self.admin).status == 200,
                  15.0, "resources-svc to serve again")

    def create(self, ns, plural, body, token=None):
        r = self.req("POST", self.objects(ns, plural), body, token=token or self.admin)
        return self.expect(r, 201)

    def expect_list(self, r, kind, items, msg=""):
        """A <Kind>List of exactly items; its metadata.resourceVersion (where a watch of the
        list starts) is an integer no older than any item's."""
        body = self.expect(r, 200, msg=msg)
        rv = body.get("metadata", {}).get("resourceVersion")
        self.assertIsInstance(rv, int, "list metadata.resourceVersion: %r %s" % (r, msg))
        for item in items:
            self.assertGreaterEqual(rv, item["metadata"]["resourceVersion"], msg)
        self.assertEqual({"kind": kind, "apiVersion": "v1", "items": items,
                          "metadata": {"resourceVersion": rv}}, body, msg)
        return body

    def expect_object(self, got, kind, ns, name, labels, spec, status, rv=None, annotations=None,
                      extra_meta=None):
        """The whole object, with the server's id, times and version checked for form."""
        meta = got["metadata"]
        self.assertRegex(meta["id"], UUID_RE)
        self.expect_ts(meta["createdAt"])
        self.expect_ts(meta["modifiedAt"])
        self.assertIsInstance(meta["resourceVersion"], int)
        if rv is not None:
            self.assertEqual(rv, meta["resourceVersion"])
        want_meta = {"id": meta["id"]}
        if name is not None:
            want_meta["name"] = name
        want_meta["namespace"] = ns
        if labels is not None:
            want_meta["labels"] = labels
        want_meta.update({"annotations": annotations or {}, "createdAt": meta["createdAt"],
                          "modifiedAt": meta["modifiedAt"],
                          "resourceVersion": meta["resourceVersion"]})
        want_meta.update(extra_meta or {})
        self.assertEqual({"kind": kind, "apiVersion": "v1", "metadata": want_meta, "spec": spec,
                          "status": status}, got)
        self.assertEqual(list(want_meta), list(meta), "metadata key order")
        return got


class NamespacesTest(VervericaTest):
    def test_create_get_list_delete(self):
        name = uniq("team")
        r = self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + name},
                     token=self.admin)
        body = self.expect(r, 200)
        created = body["namespace"]["createTime"]
        self.expect_ts(created)
        ns = {"name": "namespaces/" + name, "createTime": created,
              "lifecyclePhase": "LIFECYCLE_PHASE_ACTIVE", "roleBindings": []}
        self.assertEqual({"namespace": ns}, body)
        self.expect(self.req("GET", "/namespaces/v1/namespaces/" + name, token=self.admin), 200,
                    {"namespace": ns})
        listed = self.expect(self.req("GET", "/namespaces/v1/namespaces", token=self.admin), 200)
        self.assertEqual(["namespaces"], list(listed))
        self.assertIn(ns, listed["namespaces"])
        r = self.req("DELETE", "/namespaces/v1/namespaces/" + name, token=self.admin)
        ns["lifecyclePhase"] = "LIFECYCLE_PHASE_TERMINATING"
        self.expect(r, 200, {"namespace": ns})
        self.expect(self.req("GET", "/namespaces/v1/namespaces/" + name, token=self.admin), 404,
                    api_exception(404, "Namespace '%s' not found" % name, "NotFound"))

    def test_duplicate_is_409(self):
        name = self.ns()
        r = self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + name},
                     token=self.admin)
        self.expect(r, 409, api_exception(409, "Namespace '%s' already exists" % name,
                                          "AlreadyExists"))

    def test_bad_names_are_400(self):
        rule = ("must be namespaces/<name>, the name at most 63 characters of [-0-9a-z], "
                "not starting or ending with '-'")
        for name in ["team", "namespaces/", "namespaces/Team", "namespaces/-a",
                     "namespaces/" + "a" * 64, "namespaces/a_b"]:
            r = self.req("POST", "/namespaces/v1/namespaces", {"name": name}, token=self.admin)
            self.expect(r, 400, validation(("name", rule)), msg=name)
        r = self.req("POST", "/namespaces/v1/namespaces", {}, token=self.admin)
        self.expect(r, 400, validation(("name", rule)))

    def test_only_the_admin_creates_and_deletes(self):
        name = self.ns()
        tok = self.s.mint_token("apitoken", uniq("owner"), [("namespaces/" + name, "owner")])
        r = self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + uniq("x")},
                     token=tok["token"])
        self.expect(r, 403, DENIED)
        self.expect(self.req("DELETE", "/namespaces/v1/namespaces/" + name, token=tok["token"]),
                    403, DENIED)
        self.expect(self.req("POST", "/namespaces/v1/namespaces", {"name": "namespaces/x"}), 401,
                    UNAUTHENTICATED)

    def test_list_shows_a_caller_its_own(self):
        mine, other = self.ns(), self.ns()
        tok = self.s.mint_token("apitoken", uniq("v"), [("namespaces/" + mine, "viewer")])
        body = self.expect(self.req("GET", "/namespaces/v1/namespaces", token=tok["token"]), 200)
        self.assertEqual(["namespaces/" + mine], [n["name"] for n in body["namespaces"]])
        self.expect(self.req("GET", "/namespaces/v1/namespaces/" + other, token=tok["token"]), 403,
                    DENIED)

    def test_delete_only_when_empty(self):
        name = self.ns()
        self.create(name, "deployments", deployment("d1"))
        r = self.req("DELETE", "/namespaces/v1/namespaces/" + name, token=self.admin)
        self.expect(r, 409, api_exception(409, "Namespace '%s' is not empty" % name, "Conflict"))
        self.expect(self.req("GET", self.objects(name, "deployments/d1"), token=self.admin), 200)
        self.expect(self.req("DELETE", self.objects(name, "deployments/d1"), token=self.admin), 200)
        self.expect(self.req("DELETE", "/namespaces/v1/namespaces/" + name, token=self.admin), 200)
        self.expect(self.req("DELETE", "/namespaces/v1/namespaces/" + name, token=self.admin), 404,
                    api_exception(404, "Namespace '%s' not found" % name, "NotFound"))

    def test_objects_only_in_an_existing_namespace(self):
        name = uniq("missing")
        missing = api_exception(404, "Namespace '%s' not found" % name, "NotFound")
        for method, path, body in [
                ("POST", "deployments", deployment("d")),
                ("GET", "deployments", None),
                ("GET", "deployments/d", None),
                ("PUT", "deployments/d", deployment("d")),
                ("PATCH", "deployments/d", {"spec": {}}),
                ("DELETE", "deployments/d", None),
                ("GET", "deployment-defaults", None)]:
            r = self.req(method, self.objects(name, path), body, token=self.admin)
            self.expect(r, 404, missing, msg="%s %s" % (method, path))
        # Nothing was created as a side effect.
        self.expect(self.req("GET", "/namespaces/v1/namespaces/" + name, token=self.admin), 404)


class ObjectsTest(VervericaTest):
    def test_create_then_get_by_name_and_id(self):
        ns = self.ns()
        spec = {"state": "CANCELLED", "template": {"spec": {"parallelism": 2,
                                                            "flinkConfiguration": {"a": "1"}}}}
        body = deployment("top-speed", {"env": "prod"}, spec)
        body["status"] = {"state": "RUNNING"}  # owned by the system: ignored
        got = self.create(ns, "deployments", body)
        self.expect_object(got, "Deployment", ns, "top-speed", {"env": "prod"}, spec,
                           {"state": "TRANSITIONING"})
        self.assertEqual(got["metadata"]["createdAt"], got["metadata"]["modifiedAt"])
        for key in ["top-speed", got["metadata"]["id"]]:
            r = self.req("GET", self.objects(ns, "deployments/" + key), token=self.admin)
            self.assertEqual(got["metadata"]["id"], self.expect(r, 200)["metadata"]["id"])
            self.assertEqual(got["spec"], r.body["spec"])
            self.assertEqual(got["metadata"], r.body["metadata"])

    def test_duplicate_name_is_409(self):
        ns = self.ns()
        self.create(ns, "deployments", deployment("dup"))
        r = self.req("POST", self.objects(ns, "deployments"), deployment("dup"), token=self.admin)
        self.expect(r, 409, api_exception(409, "Deployment with name 'dup' already exists",
                                          "AlreadyExists"))

    def test_same_name_in_two_namespaces(self):
        a, b = self.ns(), self.ns()
        x = self.create(a, "deployments", deployment("same"))
        y = self.create(b, "deployments", deployment("same"))
        self.assertNotEqual(x["metadata"]["id"], y["metadata"]["id"])
        # The admin looking up A's object in B by id: 404.
        r = self.req("GET", self.objects(b, "deployments/" + x["metadata"]["id"]),
                     token=self.admin)
        self.expect(r, 404, api_exception(404, "Deployment '%s' not found" % x["metadata"]["id"],
                                          "NotFound"))

    def test_list_and_label_selector(self):
        ns = self.ns()
        self.expect_list(self.req("GET", self.objects(ns, "deployments"), token=self.admin),
                         "DeploymentList", [])
        a = self.create(ns, "deployments", deployment("a", {"env": "prod", "tier": "web"}))
        b = self.create(ns, "deployments", deployment("b", {"env": "prod"}))
        self.create(ns, "deployments", deployment("c", {"env": "dev"}))
        for query, want in [("labelSelector=env%3Dprod", [a, b]),
                            ("labelSelector=env=prod", [a, b]),
                            ("labelSelector=env%3Dprod,tier%3Dweb", [a]),
                            ("labelSelector=env%3Dstaging", [])]:
            r = self.req("GET", self.objects(ns, "deployments") + "?" + query, token=self.admin)
            self.expect_list(r, "DeploymentList", want, msg=query)
        r = self.req("GET", self.objects(ns, "deployments") + "?labelSelector=nope",
                     token=self.admin)
        self.expect(r, 400, validation(("labelSelector", "must be key=value[,key=value...]")))

    def test_put_is_an_upsert(self):
        ns = self.ns()
        body = deployment("up", {"a": "1", "b": "2"},
                          {"state": "CANCELLED", "template": {"spec": {"flinkConfiguration":
                                                                       {"x": "1", "y": "2"}}}})
        r = self.req("PUT", self.objects(ns, "deployments/up"), body, token=self.admin)
        first = self.expect(r, 201)
        self.expect_object(first, "Deployment", ns, "up", {"a": "1", "b": "2"}, body["spec"],
                           {"state": "TRANSITIONING"})
        repl = deployment("up", {"c": "3"},
                          {"state": "CANCELLED", "template": {"spec": {"flinkConfiguration":
                                                                       {"z": "3"}}}})
        r = self.req("PUT", self.objects(ns, "deployments/up"), repl, token=self.admin)
        second = self.expect(r, 200)
        self.expect_object(second, "Deployment", ns, "up", {"c": "3"}, repl["spec"],
                           {"state": "TRANSITIONING"})
        self.assertEqual(first["metadata"]["id"], second["metadata"]["id"])
        self.assertEqual(first["metadata"]["createdAt"], second["metadata"]["createdAt"])
        self.assertGreater(second["metadata"]["resourceVersion"],
                           first["metadata"]["resourceVersion"])
        # The name may be left out (the path's), but may not differ from it.
        r = self.req("PUT", self.objects(ns, "deployments/up"), {"spec": {}}, token=self.admin)
        self.expect(r, 200)
        r = self.req("PUT", self.objects(ns, "deployments/up"), deployment("other"),
                     token=self.admin)
        self.expect(r, 400, validation(("metadata.name", "must be the name in the path")))

    def test_patch_is_a_merge_patch(self):
        ns = self.ns()
        spec = {"state": "CANCELLED",
                "template": {"spec": {"parallelism": 1,
                                      "flinkConfiguration": {"foo": "1", "keep": "k"},
                                      "args": ["a", "b"]}}}
        made = self.create(ns, "deployments", deployment("p", {"a": "1", "b": "2"}, spec))
        patch = {"metadata": {"labels": {"b": None, "c": "3"}},
                 "spec": {"template": {"spec": {"flinkConfiguration": {"foo": None, "bar": "baz"},
                                                "args": ["c"]}}},
                 "status": {"state": "FAILED"}}
        for ct in ["application/json", "application/merge-patch+json"]:
            r = self.req("PATCH", self.objects(ns, "deployments/p"), patch, token=self.admin,
                         headers={"Content-Type": ct})
            got = self.expect(r, 200, msg=ct)
            self.expect_object(got, "Deployment", ns, "p", {"a": "1", "c": "3"},
                               {"state": "CANCELLED",
                                "template": {"spec": {"parallelism": 1,
                                                      "flinkConfiguration": {"keep": "k",
                                                                             "bar": "baz"},
                                                      "args": ["c"]}}},
                               {"state": "TRANSITIONING"})
            self.assertEqual(made["metadata"]["createdAt"], got["metadata"]["createdAt"])
        # By id too.
        r = self.req("PATCH", self.objects(ns, "deployments/" + made["metadata"]["id"]),
                     {"metadata": {"annotations": {"n": "v"}}}, token=self.admin)
        self.assertEqual({"n": "v"}, self.expect(r, 200)["metadata"]["annotations"])
        r = self.req("PATCH", self.objects(ns, "deployments/p"),
                     {"metadata": {"name": "renamed"}}, token=self.admin)
        self.expect(r, 400, validation(("metadata.name", "cannot be changed")))
        r = self.req("PATCH", self.objects(ns, "deployments/absent"), {}, token=self.admin)
        self.expect(r, 404, api_exception(404, "Deployment 'absent' not found", "NotFound"))
        r = self.req("PATCH", self.objects(ns, "deployments/p"), {"spec": {"state": "FLYING"}},
                     token=self.admin)
        self.expect(r, 400, validation(("spec.state", "must be one of the allowed values")))

    def test_resource_version(self):
        ns = self.ns()
        v1 = self.create(ns, "deployments", deployment("rv"))["metadata"]["resourceVersion"]
        path = self.objects(ns, "deployments/rv")
        r = self.req("PATCH", path, {"metadata": {"resourceVersion": v1}, "spec": {"x": 1}},
                     token=self.admin)
        v2 = self.expect(r, 200)["metadata"]["resourceVersion"]
        self.assertGreater(v2, v1)
        stale = api_exception(409, "The resourceVersion %d is stale: the object is at "
                                   "resourceVersion %d" % (v1, v2), "Conflict")
        before = self.expect(self.req("GET", path, token=self.admin), 200)
        r = self.req("PATCH", path, {"metadata": {"resourceVersion": v1}, "spec": {"x": 2}},
                     token=self.admin)
        self.expect(r, 409, stale)
        body = deployment("rv")
        body["metadata"]["resourceVersion"] = v1
        self.expect(self.req("PUT", path, body, token=self.admin), 409, stale)
        self.expect(self.req("GET", path, token=self.admin), 200, before)
        # Without a resourceVersion a PATCH always applies.
        r = self.req("PATCH", path, {"spec": {"x": 3}}, token=self.admin)
        v3 = self.expect(r, 200)["metadata"]["resourceVersion"]
        self.assertGreater(v3, v2)
        r = self.req("PATCH", path, {"metadata": {"resourceVersion": "1"}}, token=self.admin)
        self.expect(r, 400, validation(("metadata.resourceVersion",
                                        "must be a non-negative integer")))

    def test_delete_answers_the_object(self):
        ns = self.ns()
        made = self.create(ns, "deployments", deployment("gone"))
        r = self.req("DELETE", self.objects(ns, "deployments/gone"), token=self.admin)
        self.expect(r, 200, made)
        missing = api_exception(404, "Deployment 'gone' not found", "NotFound")
        self.expect(self.req("GET", self.objects(ns, "deployments/gone"), token=self.admin), 404,
                    missing)
        self.expect(self.req("DELETE", self.objects(ns, "deployments/gone"), token=self.admin),
                    404, missing)

    def test_deployment_defaults_exist_in_every_namespace(self):
        ns = self.ns()
        path = self.objects(ns, "deployment-defaults")
        got = self.expect(self.req("GET", path, token=self.admin), 200)
        self.expect_object(got, "DeploymentDefaults", ns, "default", {}, {}, {})
        r = self.req("PATCH", path, {"spec": {"template": {"spec": {"parallelism": 4}}}},
                     token=self.admin)
        patched = self.expect(r, 200)
        self.expect_object(patched, "DeploymentDefaults", ns, "default", {},
                           {"template": {"spec": {"parallelism": 4}}}, {})
        self.assertEqual(got["metadata"]["id"], patched["metadata"]["id"])
        self.expect(self.req("GET", path, token=self.admin), 200, patched)
        r = self.req("POST", path, {}, token=self.admin)
        self.expect(r, 405, api_exception(405, "Method Not Allowed", "MethodNotAllowed"))
        self.assertEqual("GET, HEAD, PATCH", r.headers.get("allow"))

    def test_verbs_a_kind_lacks_are_405(self):
        ns = self.ns()
        for method, path in [("PUT", "secret-values/x"), ("PATCH", "deployment-targets/x"),
                             ("POST", "jobs"), ("DELETE", "jobs/x"), ("POST", "events"),
                             ("PUT", "savepoints/x"), ("PATCH", "savepoints/x")]:
            r = self.req(method, self.objects(ns, path), {}, token=self.admin)
            self.expect(r, 405, api_exception(405, "Method Not Allowed", "MethodNotAllowed"),
                        msg="%s %s" % (method, path))
            self.assertTrue(r.headers.get("allow"), r)
        r = self.req("PUT", self.objects(ns, "secret-values/x"), {}, token=self.admin)
        self.assertEqual("GET, HEAD, PATCH, DELETE", r.headers["allow"])
        long = "x" * 300
        for path in [self.objects(ns, "deployments/" + long), self.objects(long, "deployments"),
                     "/namespaces/v1/namespaces/" + long,
                     "/apitokens/v1/namespaces/%s/apitokens/%s" % (ns, long),
                     "/sql/v1beta1/namespaces/%s/sqlscripts/%s" % (ns, long)]:
            r = self.req("GET", path, token=self.admin)
            self.expect(r, 404, msg=path[:80])
            self.assertEqual("ApiException", r.body["kind"], r)
        r = self.req("GET", self.objects(ns, "widgets"), token=self.admin)
        self.expect(r, 404)
        self.assertEqual("ApiException", r.body["kind"])

    def test_every_kind_round_trips(self):
        ns = self.ns()
        cases = [("deployments", "Deployment", {"state": "SUSPENDED"}, {"state": "TRANSITIONING"}),
                 ("deployment-targets", "DeploymentTarget",
                  {"kubernetes": {"namespace": "flink"}}, {}),
                 ("secret-values", "SecretValue", {"kind": "PLAIN", "value": "s3cr3t"}, {}),
                 ("sessionclusters", "SessionCluster", {"state": "STOPPED"}, {})]
        for plural, kind, spec, status in cases:
            body = {"metadata": {"name": "obj-1", "labels": {"k": "v"}}, "spec": spec}
            got = self.create(ns, plural, body)
            self.expect_object(got, kind, ns, "obj-1", {"k": "v"}, spec, status)
            self.expect(self.req("GET", self.objects(ns, plural + "/obj-1"), token=self.admin),
                        200, got)
            self.expect_list(self.req("GET", self.objects(ns, plural), token=self.admin),
                             kind + "List", [got])
        for plural, kind in [("events", "EventList"), ("jobs", "JobList")]:
            self.expect_list(self.req("GET", self.objects(ns, plural), token=self.admin), kind, [])

    def test_savepoints_are_addressed_by_id(self):
        ns = self.ns()
        dep = self.create(ns, "deployments", deployment("with-sp"))
        dep_id = dep["metadata"]["id"]
        body = {"metadata": {"deploymentId": dep_id, "name": "ignored", "labels": {"x": "y"}},
                "spec": {"savepointLocation": "s3://bucket/sp-1"}}
        sp = self.create(ns, "savepoints", body)
        self.expect_object(sp, "Savepoint", ns, None, None, {"savepointLocation": "s3://bucket/sp-1"},
                           {"state": "COMPLETED"}, extra_meta={"deploymentId": dep_id})
        sp_id = sp["metadata"]["id"]
        self.expect(self.req("GET", self.objects(ns, "savepoints/" + sp_id), token=self.admin),
                    200, sp)
        other = self.create(ns, "savepoints", {"spec": {"savepointLocation": "s3://b/2"}})
        for query, want in [("", [sp, other]), ("?deploymentId=" + dep_id, [sp]),
                            ("?deploymentId=" + other["metadata"]["id"], [])]:
            r = self.req("GET", self.objects(ns, "savepoints") + query, token=self.admin)
            self.expect_list(r, "SavepointList", want, msg=query)
        # The swagger's savepoint delete returns nothing (the other kinds' return the object).
        r = self.req("DELETE", self.objects(ns, "savepoints/" + sp_id), token=self.admin)
        self.assertEqual((204, b""), (r.status, r.raw), "%r" % (r,))
        self.expect(self.req("GET", self.objects(ns, "savepoints/" + sp_id), token=self.admin),
                    404, api_exception(404, "Savepoint '%s' not found" % sp_id, "NotFound"))


class NamesTest(VervericaTest):
    def test_dns_names(self):
        ns = self.ns()
        for plural in ["deployments", "sessionclusters"]:
            for good in ["a", "0-start-digit", "x" * 63]:
                self.create(ns, plural, {"metadata": {"name": good}, "spec": {}})
            for bad in ["x" * 64, "Upper", "-lead", "trail-", "under_score", "dot.ted", ""]:
                r = self.req("POST", self.objects(ns, plural), {"metadata": {"name": bad}},
                             token=self.admin)
                self.expect(r, 400, validation(("metadata.name", DNS_RULE)), msg=bad)

    def test_wide_names(self):
        ns = self.ns()
        for plural in ["deployment-targets", "secret-values"]:
            for good in ["Resource_Name_01", "resource-name-01", "-edge-", "y" * 250]:
                self.create(ns, plural, {"metadata": {"name": good}, "spec": {}})
            for bad in ["y" * 251, "dot.ted", "sp ace", ""]:
                r = self.req("POST", self.objects(ns, plural), {"metadata": {"name": bad}},
                             token=self.admin)
                self.expect(r, 400, validation(("metadata.name", WIDE_RULE)), msg=bad)

    def test_missing_name(self):
        ns = self.ns()
        for body in [{}, {"metadata": {}}, {"metadata": {"name": None}}, {"spec": {}}]:
            r = self.req("POST", self.objects(ns, "deployments"), body, token=self.admin)
            self.expect(r, 400, validation(("metadata.name", "must not be empty")), msg=body)

    def test_shape_errors(self):
        ns = self.ns()
        path = self.objects(ns, "deployments")
        cases = [({"kind": "Job", "metadata": {"name": "a"}}, [("kind", "must be the path's kind")]),
                 ({"apiVersion": "v2", "metadata": {"name": "a"}}, [("apiVersion", "must be v1")]),
                 ({"metadata": {"name": "a"}, "spec": []}, [("spec", "must be an object")]),
                 ({"metadata": 5}, [("metadata", "must be an object")]),
                 ({"metadata": {"name": "a", "labels": {"k": 1}}},
                  [("metadata.labels", "must be an object of strings")]),
                 ({"metadata": {"name": "a"}, "spec": {"template": {"spec": {"parallelism": "2"}}}},
                  [("spec.template.spec.parallelism", "must be an integer")])]
        for body, errors in cases:
            r = self.req("POST", path, body, token=self.admin)
            self.expect(r, 400, validation(*errors), msg=body)


class ContentTypesTest(VervericaTest):
    def test_json_is_the_default(self):
        ns = self.ns()
        made = self.create(ns, "deployments", deployment("j"))
        for accept in [None, "*/*", "application/json"]:
            headers = {"Accept": accept} if accept else {}
            r = self.req("GET", self.objects(ns, "deployments/j"), token=self.admin,
                         headers=headers)
            self.expect(r, 200, made, msg=accept)
            self.expect_json_ct(r)

    def test_yaml_in_and_out(self):
        ns = self.ns()
        text = ("kind: Deployment\n"
                "apiVersion: v1\n"
                "metadata:\n"
                "  name: from-yaml\n"
                "  labels:\n"
                "    flink: \"1.17\"\n"
                "spec:\n"
                "  state: CANCELLED\n"
                "  template:\n"
                "    spec:\n"
                "      parallelism: 2\n"
                "      flinkConfiguration:\n"
                "        ratio: 0.5\n"
                "        enabled: true\n"
                "        version: '1.17'\n"
                "        empty: ~\n")
        r = self.req("POST", self.objects(ns, "deployments"), raw=text.encode(),
                     headers={"Content-Type": "application/yaml"}, token=self.admin)
        got = self.expect(r, 201)
        # flinkConfiguration is the swagger's object of strings: scalars arrive as their text
        # (as the platform's Jackson reads a Map<String, String>), a null entry is dropped.
        spec = {"state": "CANCELLED",
                "template": {"spec": {"parallelism": 2,
                                      "flinkConfiguration": {"ratio": "0.5", "enabled": "true",
                                                             "version": "1.17"}}}}
        self.expect_object(got, "Deployment", ns, "from-yaml", {"flink": "1.17"}, spec,
                           {"state": "TRANSITIONING"})
        meta = got["metadata"]
        r = self.req("GET", self.objects(ns, "deployments/from-yaml"), token=self.admin,
                     headers={"Accept": "application/yaml"})
        self.expect(r, 200)
        self.assertEqual("application/yaml", r.headers["content-type"])
        want = ("kind: Deployment\n"
                "apiVersion: v1\n"
                "metadata:\n"
                "  id: %s\n"
                "  name: from-yaml\n"
                "  namespace: %s\n"
                "  labels:\n"
                "    flink: \"1.17\"\n"
                "  annotations: {}\n"
                "  createdAt: %s\n"
                "  modifiedAt: %s\n"
                "  resourceVersion: %d\n"
                "spec:\n"
                "  state: CANCELLED\n"
                "  template:\n"
                "    spec:\n"
                "      parallelism: 2\n"
                "      flinkConfiguration:\n"
                "        ratio: \"0.5\"\n"
                "        enabled: \"true\"\n"
                "        version: \"1.17\"\n"
                "status:\n"
                "  state: TRANSITIONING\n"
                % (meta["id"], ns, meta["createdAt"], meta["modifiedAt"],
                   meta["resourceVersion"]))
        self.assertEqual(want, r.raw.decode())
        r = self.req("GET", self.objects(ns, "deployments"), token=self.admin,
                     headers={"Accept": "application/yaml"})
        self.assertTrue(r.raw.decode().startswith("kind: DeploymentList\napiVersion: v1\nitems:\n"
                                                  "- kind: Deployment\n"), r.raw)
        self.assertRegex(r.raw.decode(), r"\nmetadata:\n  resourceVersion: [0-9]+\n$")
        r = self.req("POST", self.objects(ns, "deployments"),
                     deployment("nested", spec={"template": {"spec": {
                         "flinkConfiguration": {"a": {"b": "c"}}}}}), token=self.admin)
        self.expect(r, 400, validation(("spec.template.spec.flinkConfiguration",
                                        "must be an object of strings")))

    def test_seed_yaml_patch_example(self):
        ns = self.ns()
        self.create(ns, "deployments", deployment(
            "seed", spec={"state": "CANCELLED",
                          "template": {"spec": {"flinkConfiguration": {"foo": "x", "k": "v"}}}}))
        patch = ("spec:\n"
                 "  template:\n"
                 "    spec:\n"
                 "      flinkConfiguration:\n"
                 "        foo: null\n"
                 "        bar: baz\n")
        r = self.req("PATCH", self.objects(ns, "deployments/seed"), raw=patch.encode(),
                     headers={"Content-Type": "application/yaml"}, token=self.admin)
        got = self.expect(r, 200)
        self.assertEqual({"k": "v", "bar": "baz"},
                         got["spec"]["template"]["spec"]["flinkConfiguration"])

    def test_yaml_errors_are_yaml_when_asked(self):
        ns = self.ns()
        r = self.req("GET", self.objects(ns, "deployments/none"), token=self.admin,
                     headers={"Accept": "application/yaml"})
        self.expect(r, 404)
        self.assertEqual("application/yaml", r.headers["content-type"])
        self.assertEqual("kind: ApiException\napiVersion: v1\nmessage: Deployment 'none' not "
                         "found\nreason: NotFound\nstatusCode: 404\ncontext: {}\n",
                         r.raw.decode())

    def test_validation_error_in_yaml(self):
        """The seed's ApiValidationException, asked for as YAML."""
        ns = self.ns()
        r = self.req("POST", self.objects(ns, "deployments"), raw=b"metadata:\n  name: Bad\n",
                     headers=YAML, token=self.admin)
        self.expect(r, 400)
        self.assertEqual("application/yaml", r.headers["content-type"])
        self.assertEqual("kind: ApiValidationException\n"
                         "apiVersion: v1\n"
                         "message: Validation failed\n"
                         "statusCode: 400\n"
                         "errors:\n"
                         "- attribute: metadata.name\n"
                         "  message: must be at most 63 characters of [-0-9a-z], not starting or "
                         "ending with '-'\n", r.raw.decode())

    def test_malformed_bodies_are_400(self):
        ns = self.ns()
        path = self.objects(ns, "deployments")
        for raw, ct, message in [
                (b"{bad", "application/json", "malformed JSON"),
                (b"[1, 2]", "application/json", "the body must be a JSON object"),
                (b"\"text\"", "application/json", "the body must be a JSON object"),
                (b"a: [1, 2\nb: c", "application/yaml", None),
                (b"- 1\n- 2\n", "application/yaml", "the body must be a JSON object"),
                (b"a: &x 1\nb: *x\n", "application/yaml", "YAML aliases are not supported")]:
            r = self.req("POST", path, raw=raw, headers={"Content-Type": ct}, token=self.admin)
            body = self.expect(r, 400, msg=raw)
            self.assertEqual({"kind", "apiVersion", "message", "reason", "statusCode", "context"},
                             set(body), r)
            self.assertEqual(("ApiException", "BadRequest", 400, {}),
                             (body["kind"], body["reason"], body["statusCode"], body["context"]))
            if message:
                self.assertEqual(message, body["message"], r)
        r = self.req("POST", path, raw=b"name=x",
                     headers={"Content-Type": "application/x-www-form-urlencoded"},
                     token=self.admin)
        self.expect(r, 415, api_exception(415, "the body must be sent as JSON (application/json)",
                                          "UnsupportedMediaType"))


class AccessTest(VervericaTest):
    def test_roles_on_a_namespace(self):
        a, b = self.ns(), self.ns()
        made = self.create(a, "deployments", deployment("acc"))
        viewer = self.s.mint_token("apitoken", uniq("v"), [("namespaces/" + a, "viewer")])["token"]
        editor = self.s.mint_token("apitoken", uniq("e"), [("namespaces/" + a, "editor")])["token"]
        path = self.objects(a, "deployments/acc")
        self.expect(self.req("GET", path, token=viewer), 200, made)
        self.expect(self.req("GET", self.objects(a, "deployments"), token=viewer), 200)
        for method, p, body in [("POST", self.objects(a, "deployments"), deployment("v")),
                                ("PUT", path, deployment("acc")),
                                ("PATCH", path, {"spec": {}}),
                                ("DELETE", path, None)]:
            self.expect(self.req(method, p, body, token=viewer), 403, DENIED, msg=method)
        # A token of namespace A in namespace B.
        for tok in [viewer, editor]:
            self.expect(self.req("GET", self.objects(b, "deployments"), token=tok), 403, DENIED)
            self.expect(self.req("POST", self.objects(b, "deployments"), deployment("x"),
                                 token=tok), 403, DENIED)
        self.expect(self.req("PATCH", path, {"spec": {"x": 1}}, token=editor), 200)
        jwt = self.s.jwt(sub=uniq("jwt-user"))
        self.s.bind(self.s_jwt_sub(jwt), "namespaces/" + a, "viewer")
        self.expect(self.req("GET", path, token=jwt), 200)
        self.expect(self.req("DELETE", path, token=jwt), 403, DENIED)

    def s_jwt_sub(self, jwt):
        import base64
        import json
        part = jwt.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["sub"]

    def test_authentication(self):
        ns = self.ns()
        path = self.objects(ns, "deployments")
        self.expect(self.req("GET", path), 401, UNAUTHENTICATED)
        self.expect(self.req("GET", path, headers={"Authorization": "Basic eDp5"}), 401,
                    UNAUTHENTICATED)
        r = self.req("GET", path, token="not-a-token")
        self.expect(r, 401)
        self.assertEqual(("ApiException", "Unauthorized", 401),
                         (r.body["kind"], r.body["reason"], r.body["statusCode"]))
        # Authentication comes before the body is looked at.
        r = self.req("POST", path, raw=b"{bad", headers=JSON)
        self.expect(r, 401, UNAUTHENTICATED)


class ApiTokensTest(VervericaTest):
    def tokens(self, ns, rest=""):
        return "/apitokens/v1/namespaces/%s/apitokens%s" % (ns, rest)

    def test_create_use_list_revoke(self):
        ns, other = self.ns(), self.ns()
        owner = self.s.mint_token("apitoken", uniq("owner"), [("namespaces/" + ns, "owner")])
        name = "namespaces/%s/apitokens/ci" % ns
        r = self.req("POST", self.tokens(ns), {"name": name, "role": "viewer"},
                     token=owner["token"])
        body = self.expect(r, 200)
        tok = body["apiToken"]
        self.expect_ts(tok["createTime"])
        self.assertIsInstance(tok["secret"], str)
        self.assertTrue(tok["secret"])
        self.assertEqual({"apiToken": {"name": name, "role": "viewer", "secret": tok["secret"],
                                       "createTime": tok["createTime"]}}, body)
        shown = {"name": name, "role": "viewer", "createTime": tok["createTime"]}
        # The secret works as a Bearer token in that namespace, with that role.
        made = self.create(ns, "deployments", deployment("seen"))
        self.expect(self.req("GET", self.objects(ns, "deployments/seen"), token=tok["secret"]),
                    200, made)
        self.expect(self.req("POST", self.objects(ns, "deployments"), deployment("no"),
                             token=tok["secret"]), 403, DENIED)
        self.expect(self.req("GET", self.objects(other, "deployments"), token=tok["secret"]),
                    403, DENIED)
        # Never shown again.
        self.expect(self.req("GET", self.tokens(ns), token=owner["token"]), 200,
                    {"apiTokens": [shown]})
        self.expect(self.req("GET", self.tokens(ns, "/ci"), token=self.admin), 200,
                    {"apiToken": shown})
        self.expect(self.req("GET", self.tokens(other), token=self.admin), 200, {"apiTokens": []})
        r = self.req("POST", self.tokens(ns), {"name": name, "role": "owner"}, token=self.admin)
        self.expect(r, 409, api_exception(409, "API token '%s' already exists" % name,
                                          "AlreadyExists"))
        # Revoked: gone, and refused everywhere within the verifiers' cache TTL.
        self.expect(self.req("DELETE", self.tokens(ns, "/ci"), token=owner["token"]), 200, {})
        missing = api_exception(404, "API token 'ci' not found", "NotFound")
        self.expect(self.req("GET", self.tokens(ns, "/ci"), token=self.admin), 404, missing)
        self.expect(self.req("DELETE", self.tokens(ns, "/ci"), token=self.admin), 404, missing)
        self.poll(lambda: self.req("GET", self.objects(ns, "deployments"),
                                   token=tok["secret"]).status == 401,
                  timeout=60, what="the revoked token to be refused")
        r = self.req("GET", self.objects(ns, "deployments"), token=tok["secret"])
        self.expect(r, 401, api_exception(401, "Invalid API token", "Unauthorized"))

    def test_validation_and_access(self):
        ns = self.ns()
        rule = ("must be namespaces/<namespace>/apitokens/<name>, the name at most 63 characters "
                "of [-0-9a-z], not starting or ending with '-'")
        for body, errors in [
                ({"name": "namespaces/other/apitokens/x", "role": "viewer"}, [("name", rule)]),
                ({"name": "namespaces/%s/apitokens/Bad" % ns, "role": "viewer"},
                 [("name", rule)]),
                ({"name": "namespaces/%s/apitokens/x" % ns, "role": "admin"},
                 [("role", "must be one of viewer, editor, owner")]),
                ({}, [("name", rule), ("role", "must be one of viewer, editor, owner")])]:
            r = self.req("POST", self.tokens(ns), body, token=self.admin)
            self.expect(r, 400, validation(*errors), msg=body)
        editor = self.s.mint_token("apitoken", uniq("ed"), [("namespaces/" + ns, "editor")])
        body = {"name": "namespaces/%s/apitokens/x" % ns, "role": "viewer"}
        self.expect(self.req("POST", self.tokens(ns), body, token=editor["token"]), 403, DENIED)
        self.expect(self.req("GET", self.tokens(ns), token=editor["token"]), 403, DENIED)
        self.expect(self.req("GET", self.tokens(ns)), 401, UNAUTHENTICATED)
        r = self.req("PUT", self.tokens(ns, "/x"), body, token=self.admin)
        self.expect(r, 405, api_exception(405, "Method Not Allowed", "MethodNotAllowed"))


class SqlObjectsTest(VervericaTest):
    def sql(self, ns, rest):
        return "/sql/v1beta1/namespaces/%s/%s" % (ns, rest)

    def test_sqlscript_crud(self):
        ns = self.ns()
        name = "namespaces/%s/sqlscripts/daily" % ns
        body = {"name": name, "displayName": "Daily", "description": "d", "script": "SELECT 1"}
        r = self.req("POST", self.sql(ns, "sqlscripts"), body, token=self.admin)
        got = self.expect(r, 200)["sqlScript"]
        self.expect_ts(got["createTime"])
        want = dict(body, createTime=got["createTime"], updateTime=got["updateTime"])
        self.assertEqual(want, got)
        self.assertEqual(list(want), list(got))
        self.expect(self.req("GET", self.sql(ns, "sqlscripts/daily"), token=self.admin), 200,
                    {"sqlScript": want})
        self.expect(self.req("GET", self.sql(ns, "sqlscripts"), token=self.admin), 200,
                    {"sqlScripts": [want]})
        r = self.req("POST", self.sql(ns, "sqlscripts"), body, token=self.admin)
        self.expect(r, 409, api_exception(409, "sqlScript 'daily' already exists",
                                          "AlreadyExists"))
        # PUT replaces and keeps createTime.
        r = self.req("PUT", self.sql(ns, "sqlscripts/daily"), {"script": "SELECT 2"},
                     token=self.admin)
        put = self.expect(r, 200)["sqlScript"]
        self.assertEqual({"name": name, "script": "SELECT 2", "createTime": got["createTime"],
                          "updateTime": put["updateTime"]}, put)
        r = self.req("PUT", self.sql(ns, "sqlscripts/other"),
                     {"name": name, "script": "x"}, token=self.admin)
        self.expect(r, 400, validation(("name", "must be the name in the path")))
        self.expect(self.req("DELETE", self.sql(ns, "sqlscripts/daily"), token=self.admin), 200,
                    {})
        missing = api_exception(404, "sqlScript 'daily' not found", "NotFound")
        self.expect(self.req("GET", self.sql(ns, "sqlscripts/daily"), token=self.admin), 404,
                    missing)
        self.expect(self.req("DELETE", self.sql(ns, "sqlscripts/daily"), token=self.admin), 404,
                    missing)

    def test_every_collection(self):
        ns = self.ns()
        for base, coll, one, many, deleted in [
                ("/sql/v1beta1", "udfartifacts", "udfArtifact", "udfArtifacts",
                 {"referencedClasses": []}),
                ("/sql/v1beta1", "connectors", "connector", "connectors", {"affectedTables": []}),
                ("/sql/v1beta1", "formats", "format", "formats", {"affectedTables": []}),
                ("/sql/v1beta1", "catalog-connectors", "catalogConnector", "catalogConnectors", {}),
                ("/catalog/v1beta2", "catalogs", "catalog", "catalogs", {})]:
            path = "%s/namespaces/%s/%s" % (base, ns, coll)
            body = {"name": "namespaces/%s/%s/x1" % (ns, coll), "type": "t"}
            got = self.expect(self.req("POST", path, body, token=self.admin), 200, msg=coll)[one]
            self.assertEqual(body["name"], got["name"])
            self.expect(self.req("GET", path, token=self.admin), 200, {many: [got]})
            self.expect(self.req("GET", path + "/x1", token=self.admin), 200, {one: got})
            self.expect(self.req("DELETE", path + "/x1", token=self.admin), 200, deleted)
            r = self.req("POST", path, {"name": "x1"}, token=self.admin)
            self.expect(r, 400)
            self.assertEqual(["name"], [e["attribute"] for e in r.body["errors"]])

    def test_no_sql_runs(self):
        ns = self.ns()
        not_run = api_exception(501, "Not implemented: Hangar stores SQL objects and catalogs "
                                     "but runs no SQL", "NotImplemented")
        for method, path in [("POST", self.sql(ns, "sqlscripts:execute")),
                             ("POST", self.sql(ns, "sqlscripts:validate")),
                             ("GET", self.sql(ns, "connectors/kafka:list-tables")),
                             ("GET", "/catalog/v1beta2/namespaces/%s/catalogs/c:listDatabases"
                              % ns)]:
            self.allow_5xx = True
            r = self.req(method, path, {"statement": "SELECT 1"} if method == "POST" else None,
                         token=self.admin)
            self.expect(r, 501, not_run, msg=path)

    def test_access_and_namespace(self):
        ns = self.ns()
        viewer = self.s.mint_token("apitoken", uniq("v"), [("namespaces/" + ns, "viewer")])
        body = {"name": "namespaces/%s/sqlscripts/s" % ns, "script": "x"}
        self.expect(self.req("POST", self.sql(ns, "sqlscripts"), body, token=viewer["token"]),
                    403, DENIED)
        self.expect(self.req("GET", self.sql(ns, "sqlscripts"), token=viewer["token"]), 200,
                    {"sqlScripts": []})
        self.expect(self.req("POST", self.sql(ns, "sqlscripts"), body, token=self.admin), 200)
        r = self.req("DELETE", "/namespaces/v1/namespaces/" + ns, token=self.admin)
        self.expect(r, 409)
        missing = uniq("gone")
        r = self.req("GET", self.sql(missing, "sqlscripts"), token=self.admin)
        self.expect(r, 404, api_exception(404, "Namespace '%s' not found" % missing, "NotFound"))


SWAGGER_UI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "gateway",
                          "swagger-ui", "node_modules", "swagger-ui-dist")


class SwaggerTest(VervericaTest):
    def spec(self, path, title):
        r = self.req("GET", path)
        body = self.expect(r, 200)
        self.expect_json_ct(r)
        self.assertEqual(("2.0", title), (body["swagger"], body["info"]["title"]))
        self.assertNotIn("host", body)
        return body

    def test_specs_list_what_is_served(self):
        app = self.spec("/api/swagger.json", "Application Manager API")
        plat = self.spec("/swagger.json", "Ververica Platform API")
        self.assertEqual(14, len(app["paths"]))
        self.assertIn("/namespaces/v1/namespaces", plat["paths"])
        self.assertIn("/sql/v1beta1/namespaces/{ns}/sqlscripts", plat["paths"])
        self.assertNotIn("/api/v1/status", app["paths"])
        # Every operation either spec lists is routed: without a token each is 401, never a
        # 404 or 405 from the router.
        for spec in (app, plat):
            for path, ops in spec["paths"].items():
                concrete = re.sub(r"\{[^}]+\}", "x", path)
                for method in ops:
                    if method == "parameters":
                        continue
                    body = {} if method in ("post", "put", "patch") else None
                    r = self.req(method.upper(), concrete, body)
                    self.expect(r, 401, UNAUTHENTICATED, msg="%s %s" % (method, path))
        # Referenced definitions are all there.
        text = json.dumps(app)
        for ref in set(re.findall(r"#/definitions/([\w.]+)", text)):
            self.assertIn(ref, app["definitions"])

    def test_swagger_ui(self):
        r = self.req("GET", "/swagger")
        self.expect(r, 200)
        self.assertEqual("text/html; charset=utf-8", r.headers["content-type"])
        page = r.raw.decode()
        for needle in ['src="/swagger/swagger-ui-bundle.js"', 'href="/swagger/swagger-ui.css"',
                       '{url: "/api/swagger.json", name: "Application Manager"}',
                       '{url: "/swagger.json", name: "Ververica Platform"}']:
            self.assertIn(needle, page)
        for name, ctype in [("swagger-ui-bundle.js", "application/javascript; charset=utf-8"),
                            ("swagger-ui-standalone-preset.js",
                             "application/javascript; charset=utf-8"),
                            ("swagger-ui.css", "text/css; charset=utf-8"),
                            ("favicon-32x32.png", "image/png")]:
            r = self.req("GET", "/swagger/" + name)
            self.expect(r, 200, msg=name)
            self.assertEqual(ctype, r.headers["content-type"], name)
            with open(os.path.join(SWAGGER_UI, name), "rb") as f:
                self.assertEqual(f.read(), r.raw, name)
        for name in ["nope.js", "package.json", ".hidden.js", "README.md"]:
            r = self.req("GET", "/swagger/" + name)
            self.expect(r, 404, api_exception(404, "Not Found", "NotFound"), msg=name)
        r = self.req("GET", "/swagger/..%2F..%2Fetc%2Fpasswd")
        self.assertIn(r.status, (400, 404), r)


class RestartTest(VervericaTest):
    def test_acknowledged_writes_survive_sigkill(self):
        ns = self.ns()
        seen = {}
        for i in range(20):
            got = self.create(ns, "deployments", deployment("k-%d" % i, {"i": str(i)}))
            seen[got["metadata"]["name"]] = got
        r = self.req("PATCH", self.objects(ns, "deployments/k-0"), {"spec": {"p": 1}},
                     token=self.admin)
        seen["k-0"] = self.expect(r, 200)
        self.s.kill("resources-svc", signal.SIGKILL)
        self.restart_resources()
        lst = self.expect(self.req("GET", self.objects(ns, "deployments"), token=self.admin), 200)
        self.assertEqual(sorted(seen), sorted(o["metadata"]["name"] for o in lst["items"]))
        for o in lst["items"]:
            before = seen[o["metadata"]["name"]]
            self.assertGreaterEqual(o["metadata"]["resourceVersion"],
                                    before["metadata"]["resourceVersion"])
            self.assertEqual(before["spec"], o["spec"])
        r = self.req("PATCH", self.objects(ns, "deployments/k-1"), {"spec": {"q": 1}},
                     token=self.admin)
        newest = max(o["metadata"]["resourceVersion"] for o in lst["items"])
        self.assertGreater(self.expect(r, 200)["metadata"]["resourceVersion"], newest)

    def test_sigkill_under_write_load(self):
        """Writers create and patch while resources-svc is SIGKILLed: every write that was
        acknowledged is there after the restart, at a resourceVersion at least as high."""
        self.allow_5xx = True  # writes in flight at the kill answer 503
        ns = self.ns()
        acked, lock, stop = {}, threading.Lock(), threading.Event()

        def writer(w):
            for i in range(10000):
                if stop.is_set():
                    return
                name = "w%d-%d" % (w, i)
                r = self.s.request("POST", self.objects(ns, "deployments"),
                                   deployment(name, {"w": str(w)}), token=self.admin)
                if r.status != 201:
                    continue
                with lock:
                    acked[name] = r.body
                r = self.s.request("PATCH", self.objects(ns, "deployments/" + name),
                                   {"spec": {"i": i}}, token=self.admin)
                if r.status == 200:
                    with lock:
                        acked[name] = r.body

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        try:
            self.poll(lambda: len(acked) >= 40, timeout=30, what="40 acknowledged creates")
            self.s.kill("resources-svc", signal.SIGKILL)
            with lock:
                before_kill = dict(acked)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.restart_resources()
        lst = self.expect(self.req("GET", self.objects(ns, "deployments"), token=self.admin), 200)
        have = {o["metadata"]["name"]: o for o in lst["items"]}
        self.assertGreaterEqual(len(acked), len(before_kill))
        for name, got in acked.items():
            self.assertIn(name, have, "acknowledged %s lost" % name)
            self.assertGreaterEqual(have[name]["metadata"]["resourceVersion"],
                                    got["metadata"]["resourceVersion"], name)
            # A PATCH in flight at the kill may have committed without its answer arriving:
            # the object is then newer than what was acknowledged, never older.
            if have[name]["metadata"]["resourceVersion"] == got["metadata"]["resourceVersion"]:
                self.assertEqual(got, have[name], name)
            else:
                self.assertEqual("CANCELLED", have[name]["spec"]["state"], name)
                self.assertIn("i", have[name]["spec"], name)


if __name__ == "__main__":
    harness.main()
