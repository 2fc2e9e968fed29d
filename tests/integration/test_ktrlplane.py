"""KtrlPlane Resources API (seed 000 + CONTRACTS.md), black box over HTTP."""

import json
import math
import secrets
import threading
import time
import unittest

import harness
from harness import HangarTest, parse_ts

BASE = "/api/v1/projects/%s/resources"
RES = BASE + "/%s"

RESOURCE_KEYS = {"resource_id", "project_id", "name", "type", "sku", "status",
                 "settings_json", "created_at", "updated_at"}


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


def uniq(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(3))


class KtrlBase(HangarTest):
    def user(self, project, role="editor", subject=None):
        """A JWT for a fresh subject bound to `role` on projects/<project>."""
        subject = subject or uniq("user")
        self.s.bind(subject, "projects/" + project, role)
        return self.s.jwt(subject)

    def create(self, project, rid, token=None, name=None, type_="Konnektr.Graph", **extra):
        body = {"id": rid, "name": name or ("Resource " + rid), "type": type_}
        body.update(extra)
        r = self.req("POST", BASE % project, body, token=token or self.admin)
        self.expect(r, 201, msg="creating %s/%s" % (project, rid))
        return r.body

    def get(self, project, rid, token=None):
        return self.req("GET", RES % (project, rid), token=token or self.admin)

    def wait_status(self, project, rid, status="running", timeout=10.0, token=None):
        def check():
            r = self.get(project, rid, token)
            return r.body if r.status == 200 and r.body.get("status") == status else None
        return self.poll(check, timeout, lambda: "%s/%s to reach %r (last GET: %r)"
                         % (project, rid, status, self.get(project, rid, token)))

    def wait_gone(self, project, rid, timeout=10.0, token=None):
        def check():
            r = self.get(project, rid, token)
            return r if r.status == 404 else None
        return self.poll(check, timeout, "%s/%s to be gone" % (project, rid))

    def listing(self, project, query="", token=None):
        r = self.req("GET", (BASE % project) + query, token=token or self.admin)
        self.expect(r, 200)
        return r.body

    def assert_resource_shape(self, body, creating=False):
        keys = set(body)
        self.assertTrue(RESOURCE_KEYS <= keys, "missing keys %s in %s"
                        % (RESOURCE_KEYS - keys, body))
        self.assertTrue(keys <= RESOURCE_KEYS | {"access_url", "error_message"},
                        "unexpected keys %s in %s"
                        % (keys - RESOURCE_KEYS - {"access_url", "error_message"}, body))
        c = self.expect_ts(body["created_at"], "created_at")
        u = self.expect_ts(body["updated_at"], "updated_at")
        self.assertLessEqual(c, u, "updated_at before created_at: %s" % body)
        if creating:
            self.assertNotIn("access_url", body, "no access_url while creating: %s" % body)
            self.assertNotIn("error_message", body, "no error_message while creating: %s" % body)
        if body.get("status") == "running":
            self.assertIsInstance(body.get("access_url"), str, "running needs access_url")
            self.assertTrue(body["access_url"], "access_url must be non-empty: %s" % body)
            self.assertNotIn("error_message", body)
        return c, u

    def wait_next_second(self, ts_text):
        """Timestamps may have 1 s resolution: make sure the wall clock is past ts + 1 s so a
        write now must produce a later updated_at."""
        t = parse_ts(ts_text).timestamp() + 1.05
        while time.time() < t:
            time.sleep(0.05)


def without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


# ============================================================================================
class SeedExamples(KtrlBase):
    """Every example of the seed, replayed in order against project proj-abc123."""

    def test_seed_replay(self):
        proj = "proj-abc123"
        alice = self.user(proj, "editor", subject="seed-alice")

        # --- List (empty first) -----------------------------------------------------------
        r = self.req("GET", "/api/v1/projects/proj-abc123/resources", token=alice)
        self.expect(r, 200, {"resources": [], "total": 0, "limit": 50, "offset": 0})
        self.expect_json_ct(r)

        # The list/get examples show res-graph-xyz789: make it exist.
        list_settings = {"database_name": "production-twins", "enable_analytics": True,
                         "backup_retention_days": 30}
        r = self.req("POST", BASE % proj, {
            "id": "res-graph-xyz789", "name": "Production Graph DB", "type": "Konnektr.Graph",
            "sku": "pro", "settings_json": list_settings}, token=alice)
        self.expect(r, 201)
        self.expect_json_ct(r)
        self.assert_resource_shape(r.body, creating=True)
        self.assertEqual({"resource_id": "res-graph-xyz789", "project_id": proj,
                          "name": "Production Graph DB", "type": "Konnektr.Graph",
                          "sku": "pro", "status": "creating", "settings_json": list_settings},
                         without(r.body, "created_at", "updated_at"), r)
        self.assertEqual(r.body["created_at"], r.body["updated_at"], r)
        xyz_created = r.body["created_at"]

        running = self.wait_status(proj, "res-graph-xyz789", token=alice)
        self.assert_resource_shape(running)
        self.assertEqual(xyz_created, running["created_at"])

        # List example
        r = self.req("GET", "/api/v1/projects/proj-abc123/resources", token=alice)
        self.expect(r, 200)
        self.assertEqual({"resources", "total", "limit", "offset"}, set(r.body), r)
        self.assertEqual((1, 50, 0), (r.body["total"], r.body["limit"], r.body["offset"]), r)
        self.assertEqual([running], r.body["resources"], r)
        item = r.body["resources"][0]
        self.assertEqual({"resource_id": "res-graph-xyz789", "project_id": "proj-abc123",
                          "name": "Production Graph DB", "type": "Konnektr.Graph", "sku": "pro",
                          "status": "running", "settings_json": list_settings},
                         without(item, "created_at", "updated_at", "access_url"))

        # --- Create example (verbatim body) ----------------------------------------------
        seed_create = b'''{
    "id": "my-graph-db",
    "name": "Customer Analytics Graph",
    "type": "Konnektr.Graph",
    "sku": "pro",
    "settings_json": {
      "database_name": "customer-analytics",
      "enable_analytics": true,
      "backup_retention_days": 30,
      "max_concurrent_connections": 100
    }
  }'''
        before = time.time()
        r = self.req("POST", "/api/v1/projects/proj-abc123/resources", raw=seed_create,
                     token=alice)
        self.expect(r, 201)
        self.expect_json_ct(r)
        created = r.body
        self.assertEqual({
            "resource_id": "my-graph-db", "project_id": "proj-abc123",
            "name": "Customer Analytics Graph", "type": "Konnektr.Graph", "sku": "pro",
            "status": "creating",
            "settings_json": {"database_name": "customer-analytics", "enable_analytics": True,
                              "backup_retention_days": 30, "max_concurrent_connections": 100},
        }, without(created, "created_at", "updated_at"), r)
        self.assertEqual(RESOURCE_KEYS, set(created), "create answer keys: %r" % r)
        c, u = self.assert_resource_shape(created, creating=True)
        self.assertEqual(created["created_at"], created["updated_at"])
        self.assertLess(abs(c.timestamp() - before), 5.0, "created_at far from now: %s" % c)
        raw = json.loads(r.raw)
        self.assertIs(type(raw["settings_json"]["backup_retention_days"]), int,
                      "integers must come back as integers: %r" % r)

        got = self.wait_status(proj, "my-graph-db", token=alice)
        self.assert_resource_shape(got)
        self.assertEqual(without(created, "status", "updated_at"),
                         without(got, "status", "updated_at", "access_url"))

        # --- Get example -------------------------------------------------------------------
        r = self.req("GET", "/api/v1/projects/proj-abc123/resources/res-graph-xyz789",
                     token=alice)
        self.expect(r, 200, running)
        self.expect_json_ct(r)

        # --- Update example (verbatim body) ------------------------------------------------
        self.wait_next_second(running["updated_at"])
        seed_update = b'''{
    "name": "Updated Graph Database",
    "settings_json": {
      "database_name": "production-twins",
      "enable_analytics": true,
      "backup_retention_days": 60,
      "max_concurrent_connections": 300,
      "enable_audit_logging": true
    }
  }'''
        new_settings = {"database_name": "production-twins", "enable_analytics": True,
                        "backup_retention_days": 60, "max_concurrent_connections": 300,
                        "enable_audit_logging": True}
        r = self.req("PUT", "/api/v1/projects/proj-abc123/resources/res-graph-xyz789",
                     raw=seed_update, token=alice)
        self.expect(r, 200)
        self.expect_json_ct(r)
        self.assertEqual({"resource_id": "res-graph-xyz789", "project_id": "proj-abc123",
                          "name": "Updated Graph Database", "type": "Konnektr.Graph",
                          "sku": "pro", "status": "updating", "settings_json": new_settings,
                          "created_at": xyz_created},
                         without(r.body, "updated_at", "access_url"), r)
        self.assert_resource_shape(r.body)
        self.assertGreater(parse_ts(r.body["updated_at"]), parse_ts(running["updated_at"]),
                           "updated_at must change on PUT: %r" % r)
        updating = r.body

        after = self.wait_status(proj, "res-graph-xyz789", token=alice)
        self.assert_resource_shape(after)
        self.assertEqual(without(updating, "status", "updated_at", "access_url"),
                         without(after, "status", "updated_at", "access_url"))
        self.assertGreaterEqual(parse_ts(after["updated_at"]), parse_ts(updating["updated_at"]))

        # list now holds both, in creation order
        lst = self.listing(proj, token=alice)
        self.assertEqual(2, lst["total"], lst)
        self.assertEqual(["res-graph-xyz789", "my-graph-db"],
                         [x["resource_id"] for x in lst["resources"]], lst)

        # --- Delete example ----------------------------------------------------------------
        r = self.req("DELETE", "/api/v1/projects/proj-abc123/resources/res-graph-xyz789",
                     token=alice)
        self.expect(r, 202, {"message": "Resource deletion initiated",
                             "resource_id": "res-graph-xyz789", "status": "deleting"})
        self.expect_json_ct(r)
        gone = self.wait_gone(proj, "res-graph-xyz789", token=alice)
        self.expect(gone, 404, {"error": "Resource not found"})
        self.expect_json_ct(gone)
        lst = self.listing(proj, token=alice)
        self.assertEqual(1, lst["total"], lst)
        self.assertEqual(["my-graph-db"], [x["resource_id"] for x in lst["resources"]])

        # the id can be reused once the resource is gone
        r = self.req("POST", BASE % proj, {"id": "res-graph-xyz789", "name": "Again",
                                           "type": "Konnektr.Flow"}, token=alice)
        self.expect(r, 201)
        self.assertEqual(("Again", "Konnektr.Flow", "free", {}, "creating"),
                         (r.body["name"], r.body["type"], r.body["sku"],
                          r.body["settings_json"], r.body["status"]), r)


# ============================================================================================
class Lifecycle(KtrlBase):
    def test_defaults_and_all_types(self):
        proj = uniq("proj-types")
        for i, t in enumerate(["Konnektr.Graph", "Konnektr.Flow", "Konnektr.Assembler",
                               "Konnektr.Compass"]):
            rid = "t%d" % i
            r = self.req("POST", BASE % proj, {"id": rid, "name": "N" + rid, "type": t},
                         token=self.admin)
            self.expect(r, 201)
            self.assertEqual({"resource_id": rid, "project_id": proj, "name": "N" + rid,
                              "type": t, "sku": "free", "status": "creating",
                              "settings_json": {}},
                             without(r.body, "created_at", "updated_at"), r)
        for sku in ("free", "pro", "enterprise"):
            b = self.create(proj, "sku-" + sku, sku=sku)
            self.assertEqual(sku, b["sku"])
        # boundary-valid ids and names
        for rid in ("a", "a" * 63, "x-1-y", "z9"):
            self.create(proj, rid)
        self.create(proj, "longname", name="n" * 200)
        got = self.get(proj, "longname")
        self.assertEqual("n" * 200, got.body["name"], got)
        for i in range(4):
            self.wait_status(proj, "t%d" % i)

    def test_update_semantics(self):
        proj = uniq("proj-upd")
        self.create(proj, "u1", name="One", sku="enterprise",
                    settings_json={"a": 1, "b": {"c": 2}})
        base = self.wait_status(proj, "u1")

        # settings_json replaced whole (not merged); sku and name stay
        self.wait_next_second(base["updated_at"])
        r = self.req("PUT", RES % (proj, "u1"), {"settings_json": {"z": [1, 2]}},
                     token=self.admin)
        self.expect(r, 200)
        self.assertEqual({"resource_id": "u1", "project_id": proj, "name": "One",
                          "type": "Konnektr.Graph", "sku": "enterprise", "status": "updating",
                          "settings_json": {"z": [1, 2]}, "created_at": base["created_at"]},
                         without(r.body, "updated_at", "access_url"), r)
        self.assertGreater(parse_ts(r.body["updated_at"]), parse_ts(base["updated_at"]))
        s2 = self.wait_status(proj, "u1")
        self.assertEqual({"z": [1, 2]}, s2["settings_json"])

        # only the name: sku and settings stay
        r = self.req("PUT", RES % (proj, "u1"), {"name": "Renamed"}, token=self.admin)
        self.expect(r, 200)
        self.assertEqual(("Renamed", "enterprise", {"z": [1, 2]}, "Konnektr.Graph"),
                         (r.body["name"], r.body["sku"], r.body["settings_json"],
                          r.body["type"]), r)
        self.wait_status(proj, "u1")

        # only sku
        r = self.req("PUT", RES % (proj, "u1"), {"sku": "free"}, token=self.admin)
        self.expect(r, 200)
        self.assertEqual(("Renamed", "free", {"z": [1, 2]}),
                         (r.body["name"], r.body["sku"], r.body["settings_json"]), r)
        final = self.wait_status(proj, "u1")
        self.assertEqual(("Renamed", "free", {"z": [1, 2]}),
                         (final["name"], final["sku"], final["settings_json"]), final)

    def test_put_without_updatable_fields_changes_nothing(self):
        """A PUT naming none of name/sku/settings_json (an empty body or `{}`) is no update:
        the resource comes back as it stands, still running, updated_at untouched. (Bodies
        naming the path's ids are 400: test_path_params_in_body_rejected.)"""
        proj = uniq("proj-noop")
        self.create(proj, "same", name="Same", sku="pro", settings_json={"k": 1})
        before = self.wait_status(proj, "same")
        self.wait_next_second(before["updated_at"])
        for raw in (b"", b"{}", b" { } "):
            r = self.req("PUT", RES % (proj, "same"), raw=raw, token=self.admin)
            self.expect(r, 200, before, msg="PUT %r" % raw)
        self.expect(self.get(proj, "same"), 200, before)
        self.expect(self.get(proj, "other"), 404, {"error": "Resource not found"})

    def test_put_invalid_changes_nothing(self):
        proj = uniq("proj-badput")
        self.create(proj, "keep", name="Keep", sku="pro", settings_json={"k": "v"})
        before = self.wait_status(proj, "keep")
        cases = [
            ({"name": 5}, "name"),
            ({"name": ""}, "name"),
            ({"name": "n" * 201}, "name"),
            ({"sku": "gold"}, "sku"),
            ({"sku": 1}, "sku"),
            ({"settings_json": [1, 2]}, "settings_json"),
            ({"settings_json": "str"}, "settings_json"),
            ({"settings_json": 7}, "settings_json"),
            ({"bogus": 1}, "bogus"),
            ({"type": "Konnektr.Flow", "name": "X"}, "type"),
            ({"status": "running"}, "status"),
        ]
        for body, field in cases:
            r = self.req("PUT", RES % (proj, "keep"), body, token=self.admin)
            self.expect_error(r, 400, field=field, exact_keys={"error", "details"})
        for raw in (b'{"name": "x"', b"not json", b"[1]", b'"str"', b"{\"name\": \"a\",}"):
            r = self.req("PUT", RES % (proj, "keep"), raw=raw, token=self.admin)
            self.expect_error(r, 400, details=True, exact_keys={"error", "details"})
        after = self.get(proj, "keep")
        self.expect(after, 200, before)

    def test_missing_resource(self):
        proj = uniq("proj-missing")
        self.create(proj, "present")
        nf = {"error": "Resource not found"}
        self.expect(self.get(proj, "absent"), 404, nf)
        self.expect(self.req("PUT", RES % (proj, "absent"), {"name": "x"}, token=self.admin),
                    404, nf)
        self.expect(self.req("DELETE", RES % (proj, "absent"), token=self.admin), 404, nf)
        # a resource id from another project is not visible here
        self.expect(self.get(uniq("proj-other"), "present"), 404, nf)
        # the PUT must not have created anything
        self.expect(self.get(proj, "absent"), 404, nf)
        self.assertEqual(1, self.listing(proj)["total"])

    def test_delete_flow(self):
        proj = uniq("proj-del")
        self.create(proj, "d1")
        self.create(proj, "d2")
        self.wait_status(proj, "d1")
        r = self.req("DELETE", RES % (proj, "d1"), token=self.admin)
        self.expect(r, 202, {"message": "Resource deletion initiated", "resource_id": "d1",
                             "status": "deleting"})
        # while deleting, GET shows "deleting" or already 404; a PUT must not resurrect it
        g = self.get(proj, "d1")
        if g.status == 200:
            self.assertEqual("deleting", g.body["status"], g)
            r = self.req("PUT", RES % (proj, "d1"), {"name": "resurrect"}, token=self.admin)
            self.expect_error(r, (404, 409))
            r = self.req("POST", BASE % proj, {"id": "d1", "name": "again",
                                               "type": "Konnektr.Graph"}, token=self.admin)
            self.expect_error(r, 409, error="Resource already exists")
        else:
            self.expect(g, 404, {"error": "Resource not found"})
        self.expect(self.wait_gone(proj, "d1"), 404, {"error": "Resource not found"})
        lst = self.listing(proj)
        self.assertEqual((1, ["d2"]), (lst["total"], [x["resource_id"] for x in lst["resources"]]),
                         lst)
        # deleting a resource that is still creating works too
        r = self.req("DELETE", RES % (proj, "d2"), token=self.admin)
        self.expect(r, 202, {"message": "Resource deletion initiated", "resource_id": "d2",
                             "status": "deleting"})
        self.wait_gone(proj, "d2")
        self.assertEqual({"resources": [], "total": 0, "limit": 50, "offset": 0},
                         self.listing(proj))


# ============================================================================================
class Listing(KtrlBase):
    def test_pagination_and_order(self):
        proj = uniq("proj-page")
        ids = ["zeta", "alpha", "mid", "beta9", "omega", "a1"]  # creation order != key order
        for rid in ids:
            self.create(proj, rid)
        lst = self.listing(proj)
        self.assertEqual(ids, [x["resource_id"] for x in lst["resources"]], lst)
        self.assertEqual((6, 50, 0), (lst["total"], lst["limit"], lst["offset"]))
        for x in lst["resources"]:
            self.assert_resource_shape(x)
            self.assertEqual(proj, x["project_id"])

        def page(q):
            b = self.listing(proj, q)
            return [x["resource_id"] for x in b["resources"]], b["total"], b["limit"], b["offset"]

        self.assertEqual((ids[:2], 6, 2, 0), page("?limit=2"))
        self.assertEqual((ids[2:4], 6, 2, 2), page("?limit=2&offset=2"))
        self.assertEqual((ids[4:], 6, 2, 4), page("?limit=2&offset=4"))
        self.assertEqual((ids[5:], 6, 50, 5), page("?offset=5"))
        self.assertEqual(([], 6, 50, 6), page("?offset=6"))
        self.assertEqual(([], 6, 10, 1000), page("?limit=10&offset=1000"))
        self.assertEqual((ids, 6, 100, 0), page("?limit=1000"))
        self.assertEqual((ids, 6, 100, 0), page("?limit=100"))
        self.assertEqual((ids[1:4], 6, 3, 1), page("?offset=1&limit=3"))

    def test_bad_pagination_params(self):
        proj = uniq("proj-badpage")
        self.create(proj, "one")
        for q, field in [("limit=-1", "limit"), ("limit=abc", "limit"), ("limit=1.5", "limit"),
                         ("limit=", "limit"), ("offset=-1", "offset"), ("offset=x", "offset"),
                         ("limit=10&offset=-5", "offset")]:
            r = self.req("GET", (BASE % proj) + "?" + q, token=self.admin)
            self.expect_error(r, 400, field=field, exact_keys={"error", "details"})
        # out of int64 range: a 400 naming limit, or clamped to the maximum
        r = self.req("GET", (BASE % proj) + "?limit=99999999999999999999999", token=self.admin)
        if r.status == 200:
            self.assertEqual(100, r.body["limit"], r)
        else:
            self.expect_error(r, 400, field="limit", exact_keys={"error", "details"})

    def test_empty_project(self):
        self.assertEqual({"resources": [], "total": 0, "limit": 50, "offset": 0},
                         self.listing(uniq("proj-empty")))

    def test_projects_are_separate(self):
        pa, pb = uniq("proj-sepa"), uniq("proj-sepb")
        self.create(pa, "same", name="in A")
        r = self.req("POST", BASE % pb, {"id": "same", "name": "in B", "type": "Konnektr.Flow"},
                     token=self.admin)
        self.expect(r, 201)
        self.assertEqual("in A", self.get(pa, "same").body["name"])
        self.assertEqual("in B", self.get(pb, "same").body["name"])
        self.assertEqual(["in A"], [x["name"] for x in self.listing(pa)["resources"]])
        self.assertEqual(["in B"], [x["name"] for x in self.listing(pb)["resources"]])


# ============================================================================================
class Validation(KtrlBase):
    def test_create_validation(self):
        proj = uniq("proj-val")
        ok = {"id": "good", "name": "Good", "type": "Konnektr.Graph"}

        def w(**kw):
            b = dict(ok)
            for k, v in kw.items():
                if v is ...:
                    b.pop(k, None)
                else:
                    b[k] = v
            return b

        cases = [
            (w(type="Konnektr.Nope"), "type"),
            (w(type="konnektr.graph"), "type"),
            (w(type=...), "type"),
            (w(type=""), "type"),
            (w(sku="gold"), "sku"),
            (w(sku="Pro"), "sku"),
            (w(sku=""), "sku"),
            (w(id=...), "id"),
            (w(id=""), "id"),
            (w(id="My_Res"), "id"),
            (w(id="Upper"), "id"),
            (w(id="-a"), "id"),
            (w(id="a-"), "id"),
            (w(id="1abc"), "id"),
            (w(id="a.b"), "id"),
            (w(id="a b"), "id"),
            (w(id="a" * 64), "id"),
            (w(id=7), "id"),
            (w(name=...), "name"),
            (w(name=""), "name"),
            (w(name="n" * 201), "name"),
            (w(name=5), "name"),
            (w(name=None), "name"),
            (w(name=["x"]), "name"),
            (w(unknown_field=1), "unknown_field"),
            (w(status="running"), "status"),
            (w(settings_json=[1, 2]), "settings_json"),
            (w(settings_json="{}"), "settings_json"),
            (w(settings_json=3), "settings_json"),
            (w(settings_json=True), "settings_json"),
            (w(sku=3), "sku"),
        ]
        for body, field in cases:
            r = self.req("POST", BASE % proj, body, token=self.admin)
            self.expect_error(r, 400, field=field, exact_keys={"error", "details"})
        for raw in (b"", b"{", b"not json", b"[]", b'"x"', b"null", b'{"id": "good",}',
                    b'{"id":"good","name":"Good","type":"Konnektr.Graph"} trailing'):
            r = self.req("POST", BASE % proj, raw=raw, token=self.admin)
            self.expect_error(r, 400, details=True, exact_keys={"error", "details"})
        # nothing was created by any of them
        self.assertEqual({"resources": [], "total": 0, "limit": 50, "offset": 0},
                         self.listing(proj))
        self.expect(self.get(proj, "good"), 404, {"error": "Resource not found"})
        # and the well-formed body still works
        self.create(proj, "good")

    def test_path_params_in_body_rejected(self):
        """project_id / resource_id are not request-body fields (seed's CreateResourceRequest
        and UpdateResourceRequest): sent in the body they are unknown fields, not silently
        overridden by the path, and nothing changes."""
        proj = uniq("proj-pbody")
        for extra in ({"project_id": proj}, {"project_id": "other-project"},
                      {"resource_id": "pb"}):
            body = {"id": "pb", "name": "n", "type": "Konnektr.Graph"}
            body.update(extra)
            r = self.req("POST", BASE % proj, body, token=self.admin)
            field = next(iter(extra))
            self.expect(r, 400, {"error": "Invalid request body",
                                 "details": '%s: unknown field "%s"' % (field, field)})
        self.assertEqual({"resources": [], "total": 0, "limit": 50, "offset": 0},
                         self.listing(proj))
        self.create(proj, "pb", name="Keep")
        before = self.wait_status(proj, "pb")
        for body, field in (({"resource_id": "other"}, "resource_id"),
                            ({"resource_id": "pb"}, "resource_id"),
                            ({"project_id": proj, "name": "X"}, "project_id")):
            r = self.req("PUT", RES % (proj, "pb"), body, token=self.admin)
            self.expect(r, 400, {"error": "Invalid request body",
                                 "details": '%s: unknown field "%s"' % (field, field)})
        self.expect(self.get(proj, "pb"), 200, before)

    def test_duplicate_id(self):
        proj = uniq("proj-dup")
        orig = self.create(proj, "dup", name="Original", sku="pro", settings_json={"v": 1})
        r = self.req("POST", BASE % proj, {"id": "dup", "name": "Second", "type": "Konnektr.Flow",
                                           "settings_json": {"v": 2}}, token=self.admin)
        self.expect_error(r, 409, error="Resource already exists", details=True,
                          exact_keys={"error", "details"})
        g = self.get(proj, "dup")
        self.expect(g, 200)
        self.assertEqual(without(orig, "status", "updated_at"),
                         without(g.body, "status", "updated_at", "access_url"), g)
        self.assertEqual(1, self.listing(proj)["total"])
        # same id in another project is fine
        self.create(uniq("proj-dup2"), "dup")

    def test_settings_json_verbatim(self):
        proj = uniq("proj-verb")
        raw_settings = (b'{"big": 9007199254740991, "neg_big": -9007199254740991, '
                        b'"ratio": 0.8, "neg": -12.5, "tiny": 1e-7, "zero": 0, "int": 30, '
                        b'"t": true, "f": false, "nil": null, "empty_obj": {}, "empty_arr": [], '
                        b'"nested": {"a": [1, [2, [3, {"b": [true, null, "x"]}]]], '
                        b'"c": {"d": {"e": -1}}}, '
                        b'"str": "h\\u00e9llo \\ud83d\\ude00 \\"quoted\\" \\\\ \\n", '
                        b'"utf8": "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", '
                        b'"\xc3\xa9t\xc3\xa9 key": "k", "": "empty key"}')
        expected = json.loads(raw_settings)
        self.assertEqual("h\u00e9llo \U0001F600 \"quoted\" \\ \n", expected["str"])
        body = (b'{"id": "verb", "name": "V", "type": "Konnektr.Assembler", "settings_json": '
                + raw_settings + b'}')
        r = self.req("POST", BASE % proj, raw=body, token=self.admin)
        self.expect(r, 201)
        self.check_settings(r, expected)
        self.check_settings(self.get(proj, "verb"), expected)
        self.wait_status(proj, "verb")
        self.check_settings(self.get(proj, "verb"), expected)
        lst = self.req("GET", BASE % proj, token=self.admin)
        self.assertEqual(expected, json.loads(lst.raw)["resources"][0]["settings_json"])
        self.assertIs(int, type(json.loads(lst.raw)["resources"][0]["settings_json"]["big"]))
        # and through PUT
        r = self.req("PUT", RES % (proj, "verb"),
                     raw=b'{"settings_json": ' + raw_settings + b'}', token=self.admin)
        self.expect(r, 200)
        self.check_settings(r, expected)
        self.wait_status(proj, "verb")
        self.check_settings(self.get(proj, "verb"), expected)

    def check_settings(self, r, expected):
        self.expect(r, (200, 201))
        got = json.loads(r.raw)["settings_json"]
        self.assertEqual(expected, got, "settings_json must round-trip: %r" % r)
        for k in ("big", "neg_big", "zero", "int"):
            self.assertIs(int, type(got[k]), "%s must stay an integer: %r in %r"
                          % (k, got[k], r))
        self.assertEqual(9007199254740991, got["big"])
        self.assertIs(int, type(got["nested"]["c"]["d"]["e"]), r)
        self.assertIs(float, type(got["ratio"]), r)

    def test_settings_json_text_exact(self):
        """The answer's settings_json is the sent object's compact text as Python's json
        module writes it: a real keeps its point or exponent (1.0, 1E5 -> 100000.0), an
        integer every digit (2^53 + 1, both ends of int64), strings their characters."""
        proj = uniq("proj-text")
        r = self.req("POST", BASE % proj, raw=b'{"id": "issue", "name": "I", "type": '
                     b'"Konnektr.Graph", "settings_json": {"f1":1.0,"y":100.0,"f6":1E5}}',
                     token=self.admin)
        self.expect(r, 201)
        self.assertEqual('{"f1":1.0,"y":100.0,"f6":100000.0}', self.settings_text(r), r)
        sent = (b'{"f1": 1.0, "y": 100.0, "f6": 1E5, "neg0": -0.0, "tenth": 0.1, '
                b'"huge": 1e300, "denorm": 5e-324, "odd": 9007199254740993, '
                b'"min64": -9223372036854775808, "max64": 9223372036854775807, '
                b'"nested": {"z": [1.5, 2, {"w": 3.0}], "a": null, "t": true}, '
                b'"esc": "q\\"b\\\\s\\n\\u0001\\u00e9\\ud83d\\ude00/\xe2\x82\xac", "": {}}')
        expected = json.dumps(json.loads(sent), separators=(",", ":"), ensure_ascii=False)
        body = (b'{"id": "text", "name": "T", "type": "Konnektr.Graph", "settings_json": '
                + sent + b"}")
        r = self.req("POST", BASE % proj, raw=body, token=self.admin)
        self.expect(r, 201)
        self.check_settings_text(r, expected)
        self.check_settings_text(self.get(proj, "text"), expected)
        r = self.req("PUT", RES % (proj, "text"), raw=b'{"settings_json": ' + sent + b"}",
                     token=self.admin)
        self.expect(r, 200)
        self.check_settings_text(r, expected)
        self.wait_status(proj, "text")
        self.check_settings_text(self.get(proj, "text"), expected)

    def settings_text(self, r):
        """settings_json exactly as the answer spells it."""
        text = r.raw.decode("utf-8")
        start = text.index('"settings_json":') + len('"settings_json":')
        end = json.JSONDecoder().raw_decode(text, start)[1]
        return text[start:end]

    def check_settings_text(self, r, expected):
        self.expect(r, (200, 201))
        self.assertEqual(expected, self.settings_text(r), r)
        got = json.loads(r.raw)["settings_json"]
        for k in ("f1", "y", "f6", "neg0", "tenth", "huge", "denorm"):
            self.assertIs(float, type(got[k]), "%s must stay a float: %r" % (k, r))
        self.assertEqual(-1.0, math.copysign(1.0, got["neg0"]), r)
        self.assertEqual((9007199254740993, -2 ** 63, 2 ** 63 - 1),
                         (got["odd"], got["min64"], got["max64"]), r)
        for k in ("odd", "min64", "max64"):
            self.assertIs(int, type(got[k]), "%s must stay an integer: %r" % (k, r))
        z = got["nested"]["z"]
        self.assertEqual((float, int, float), (type(z[0]), type(z[1]), type(z[2]["w"])), r)
        self.assertEqual("q\"b\\s\n\u0001\u00e9\U0001F600/\u20ac", got["esc"], r)


# ============================================================================================
class Edges(KtrlBase):
    def test_name_length_counts_characters(self):
        proj = uniq("proj-chars")
        for rid, name in (("e200", "\u00e9" * 200), ("emoji200", "\U0001F600" * 200),
                          ("mixed", "Caf\u00e9 \u2603 \U0001F680")):
            r = self.req("POST", BASE % proj, {"id": rid, "name": name,
                                               "type": "Konnektr.Graph"}, token=self.admin)
            self.expect(r, 201, msg="a %d-character name" % len(name))
            self.assertEqual(name, r.body["name"])
            self.assertEqual(name, self.get(proj, rid).body["name"])
        r = self.req("POST", BASE % proj, {"id": "e201", "name": "\u00e9" * 201,
                                           "type": "Konnektr.Graph"}, token=self.admin)
        self.expect_error(r, 400, field="name")

    def test_nul_in_strings(self):
        proj = uniq("proj-nul")
        for rid, body in (("nul-name", {"name": "a\u0000b"}),
                          ("nul-val", {"name": "n", "settings_json": {"k": "a\u0000b"}}),
                          ("nul-key", {"name": "n", "settings_json": {"a\u0000b": 1}})):
            b = {"id": rid, "type": "Konnektr.Graph"}
            b.update(body)
            r = self.req("POST", BASE % proj, b, token=self.admin)
            if r.status == 400:
                self.expect_error(r, 400, details=True)
                self.expect(self.get(proj, rid), 404)
                continue
            self.expect(r, 201)
            g = self.get(proj, rid)
            self.assertEqual((b["name"], b.get("settings_json", {})),
                             (g.body["name"], g.body["settings_json"]),
                             "NUL must round-trip or be refused, never truncate: %r" % g)

    def test_extreme_numbers(self):
        proj = uniq("proj-num")
        vals = {"max": 1.7976931348623157e308, "min": -1.7976931348623157e308,
                "denorm": 5e-324, "third": 1 / 3, "pi": 3.141592653589793, "neg0": -0.0,
                "e": 1.5e300, "m2_53": -9007199254740992, "p2_53": 9007199254740992,
                "dec": 0.1, "exp": 1e21, "small_exp": 1.23e-10}
        r = self.req("POST", BASE % proj, {"id": "num", "name": "n", "type": "Konnektr.Graph",
                                           "settings_json": vals}, token=self.admin)
        self.expect(r, 201)
        got = json.loads(r.raw)["settings_json"]
        self.assertEqual(vals, got, "doubles must round-trip exactly: %r" % r)
        got = json.loads(self.get(proj, "num").raw)["settings_json"]
        self.assertEqual(vals, got)
        for bad in (b"1e400", b"-1e400", b"NaN", b"Infinity", b"012", b"+1", b".5", b"0x10"):
            raw = (b'{"id": "badnum", "name": "n", "type": "Konnektr.Graph", '
                   b'"settings_json": {"v": ' + bad + b'}}')
            r = self.req("POST", BASE % proj, raw=raw, token=self.admin)
            self.expect_error(r, 400, details=True, msg="number %r" % bad)
        self.expect(self.get(proj, "badnum"), 404)

    def test_percent_encoded_path(self):
        proj = uniq("proj-pct")
        made = self.create(proj, "my-res")
        r = self.req("GET", (BASE % proj) + "/%6Dy-res", token=self.admin)
        self.expect(r, 200)
        self.assertEqual(made["created_at"], r.body["created_at"], r)
        r = self.req("GET", "/api/v1/projects/%s/resources/my-res" %
                     "".join("%%%02X" % ord(c) for c in proj), token=self.admin)
        self.expect(r, 200)
        self.assertEqual(proj, r.body["project_id"], r)

    def test_ids_valid_edge(self):
        proj = uniq("proj-ids")
        for rid in ("a--b", "a0", "z-9", "a" + "-" * 61 + "b"):
            self.create(proj, rid)
        self.assertEqual(4, self.listing(proj)["total"])

    def test_query_string_variants(self):
        proj = uniq("proj-q")
        for rid in ("q1", "q2", "q3"):
            self.create(proj, rid)
        b = self.listing(proj, "?unknown=1&limit=2")
        self.assertEqual((["q1", "q2"], 3, 2), ([x["resource_id"] for x in b["resources"]],
                                                b["total"], b["limit"]))
        r = self.req("GET", (BASE % proj) + "?limit=0", token=self.admin)
        if r.status == 200:
            self.assertEqual(3, r.body["total"], r)
            self.assertLessEqual(len(r.body["resources"]), 3, r)
        else:
            self.expect_error(r, 400, field="limit")
        # GET one resource ignores a query string
        r = self.req("GET", RES % (proj, "q1") + "?x=1", token=self.admin)
        self.expect(r, 200)
        self.assertEqual("q1", r.body["resource_id"])

    def test_duplicate_create_race(self):
        proj = uniq("proj-race")
        results = []
        lock = threading.Lock()
        go = threading.Event()

        def worker(n):
            go.wait(5)
            r = self.s.request("POST", BASE % proj, {"id": "contested", "name": "by %d" % n,
                                                     "type": "Konnektr.Graph"},
                               token=self.admin)
            with lock:
                results.append(r)
        ths = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in ths:
            t.start()
        go.set()
        for t in ths:
            t.join(30)
        codes = sorted(r.status for r in results)
        self.assertEqual([201] + [409] * 7, codes, results)
        winner = [r for r in results if r.status == 201][0]
        g = self.get(proj, "contested")
        self.assertEqual(winner.body["name"], g.body["name"], g)
        self.assertEqual(1, self.listing(proj)["total"])

    def test_concurrent_updates(self):
        proj = uniq("proj-cupd")
        self.create(proj, "cu")
        self.wait_status(proj, "cu")
        results = []
        lock = threading.Lock()

        def worker(n):
            r = self.s.request("PUT", RES % (proj, "cu"), {"name": "name-%d" % n,
                                                           "settings_json": {"n": n}},
                               token=self.admin)
            with lock:
                results.append(r)
        ths = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(30)
        for r in results:
            self.expect(r, (200, 409))
        self.assertTrue(any(r.status == 200 for r in results), results)
        final = self.wait_status(proj, "cu")
        n = final["settings_json"]["n"]
        self.assertEqual("name-%d" % n, final["name"], "name and settings from different "
                                                       "writes: %s" % final)


# ============================================================================================
class AdmissionFirst(KtrlBase):
    """Who may call is answered before what the request says: a request the gateway cannot
    transcode still hears 401/403/404 when the caller may not make the call at all."""

    def test_no_token_with_malformed_json_is_401(self):
        proj = uniq("proj-adm")
        for raw in (b"{", b"not json", b'{"zzz": 1}', b'{"id": 5}'):
            r = self.req("POST", BASE % proj, raw=raw)
            self.expect(r, 401, {"error": "Authorization header required"})
        r = self.req("PUT", RES % (proj, "x"), raw=b"{")
        self.expect(r, 401, {"error": "Authorization header required"})
        r = self.req("GET", (BASE % proj) + "?limit=abc")
        self.expect(r, 401, {"error": "Authorization header required"})
        r = self.req("POST", BASE % proj, raw=b"{", headers={"Authorization": "Basic abc"})
        self.expect(r, 401, {"error": "Bearer token required"})

    def test_viewer_with_invalid_body_is_403(self):
        proj = uniq("proj-adm")
        viewer = self.user(proj, "viewer")
        for raw in (b"{", b'{"zzz": 1}', b'{"id": "x", "name": 5, "type": "Konnektr.Graph"}'):
            r = self.req("POST", BASE % proj, raw=raw, token=viewer)
            self.expect(r, 403, {"error": "Insufficient permissions to create resource"})
        self.create(proj, "kept")
        r = self.req("PUT", RES % (proj, "kept"), raw=b'{"name": 5}', token=viewer)
        self.expect(r, 403, {"error": "Insufficient permissions to update resource"})

    def test_stranger_with_invalid_body_is_404(self):
        proj = uniq("proj-adm")
        self.create(proj, "kept")
        stranger = self.user(uniq("proj-elsewhere"), "owner")
        r = self.req("PUT", RES % (proj, "kept"), raw=b"{", token=stranger)
        self.expect(r, 404, {"error": "Resource not found"})

    def test_admitted_caller_hears_the_body_error(self):
        proj = uniq("proj-adm")
        editor = self.user(proj, "editor")
        for token in (editor, self.admin):
            r = self.req("POST", BASE % proj, {"zzz": 1}, token=token)
            self.expect(r, 400, {"error": "Invalid request body",
                                 "details": 'zzz: unknown field "zzz"'})
        self.assertEqual(0, self.listing(proj)["total"])


if __name__ == "__main__":
    harness.main()
