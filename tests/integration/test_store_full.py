"""Storage full (issue 11, item 2): services started with --map-size 1M fill up through the
gateway. A write to a full store is 507 in each surface's error shape, reads and deletes go
on working, /readyz names the full service, the reconciler backs off instead of spinning,
and once deletes have made room the service writes again and is ready."""

import re

import harness
from harness import HangarTest

SMALL = [("--map-size", "1M")]
KP = "/api/v1/projects/full-proj/resources"
PRODUCTS = "/v2/api-products"
FILL_MAX = 2000  # far more creates than 1 MiB holds: the loop ends at the first 507


def setUpModule():
    # The change log (watch) keeps copies of recent writes in the same 1 MiB: a short
    # retention leaves the store's room to its records, as this test counts it.
    harness.module_stack(extra_args={"resources-svc": SMALL + [("--watch-retention", "8")],
                                     "products-svc": SMALL})


def tearDownModule():
    harness.module_teardown()


def product(i):
    labels = {"k%02d" % n: "v%04d" % i + "x" * 55 for n in range(50)}
    return {"name": "p%05d" % i, "labels": labels}


def resource(i):
    return {"id": "r%05d" % i, "name": "resource %d" % i, "type": "Konnektr.Graph",
            "settings_json": {"blob": "x" * 6000, "n": i}}


class StoreFullTest(HangarTest):
    allow_5xx = True  # 507 is the point

    def fill(self, path, make):
        """Creates until the first refusal; returns (ids created, the refusal)."""
        ids = []
        for i in range(FILL_MAX):
            r = self.req("POST", path, make(i), token=self.admin)
            if r.status != 201:
                return ids, r
            ids.append(r.body["id"] if "id" in r.body else r.body["resource_id"])
        self.fail("%d creates never filled a 1 MiB store" % FILL_MAX)

    def ready_names(self):
        r = self.req("GET", "/readyz")
        return r.status, sorted((r.body or {}).get("upstreams", {}))

    def test_konnect_full_is_507_reads_and_deletes_work_then_recovers(self):
        ids, r = self.fill(PRODUCTS, product)
        self.assertGreater(len(ids), 10)
        self.expect(r, 507)
        self.assertEqual("application/problem+json", r.headers.get("content-type"))
        self.assertEqual({"status": 507, "title": "Insufficient Storage",
                          "instance": r.body.get("instance"), "detail": "Insufficient Storage"},
                         r.body)
        self.assertRegex(r.body["instance"], r"^kong:trace:\d+$")
        self.assertNotIn("retry-after", r.headers)
        status, names = self.ready_names()
        self.assertEqual(503, status)
        self.assertIn("products", names)
        # Reads are unaffected.
        got = self.expect(self.req("GET", PRODUCTS + "/" + ids[0], token=self.admin), 200)
        self.assertEqual("p00000", got["name"])
        page = self.expect(self.req("GET", PRODUCTS + "?page[size]=1", token=self.admin), 200)
        self.assertEqual(len(ids), page["meta"]["page"]["total"])
        # Deletes commit in the reserve, and make room.
        for pid in ids[: len(ids) // 3]:
            self.expect(self.req("DELETE", PRODUCTS + "/" + pid, token=self.admin), 204)
        r = self.req("POST", PRODUCTS, product(FILL_MAX), token=self.admin)
        self.expect(r, 201)
        self.poll(lambda: self.ready_names() == (200, []), what="/readyz 200 again")

    def test_resources_full_is_507_in_both_dialects_and_recovers(self):
        ids, r = self.fill(KP, resource)
        self.assertGreater(len(ids), 10)
        self.expect(r, 507, {"error": "Storage full"})
        w = self.req("POST", "/wrappers", {"name": "w-full"}, token=self.admin)
        self.expect(w, 507, {"detail": "Insufficient Storage"})
        status, names = self.ready_names()
        self.assertEqual(503, status)
        self.assertIn("resources", names)
        got = self.expect(self.req("GET", KP + "/" + ids[0], token=self.admin), 200)
        self.assertEqual("resource 0", got["name"])
        self.expect(self.req("GET", "/wrappers", token=self.admin), 200)
        # KtrlPlane deletes are accepted while full, and the reconciler removes them.
        gone = ids[: len(ids) // 2]
        for rid in gone:
            self.expect(self.req("DELETE", KP + "/" + rid, token=self.admin), 202)
        self.poll(lambda: all(self.req("GET", KP + "/" + rid, token=self.admin).status == 404
                              for rid in gone), timeout=20, what="deleted resources gone")
        self.expect(self.req("POST", KP, resource(FILL_MAX), token=self.admin), 201)
        self.expect(self.req("POST", "/wrappers", {"name": "w-after"}, token=self.admin), 200)
        self.poll(lambda: self.ready_names() == (200, []), what="/readyz 200 again")
        # While full the reconciler's failing passes backed off: a handful, not a spin.
        with open(self.s._p("resources-svc.stderr")) as f:
            passes = len(re.findall(r"writes failing; next pass in", f.read()))
        self.assertLess(passes, 30)


if __name__ == "__main__":
    harness.main()
