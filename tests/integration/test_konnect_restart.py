"""products-svc durability: kill -9 after (and during) acknowledged writes, restart, and
every acknowledged product, document, version and specification is there, as answered, with
exact counts; every acknowledged delete stays deleted. Uses its own Stack."""

import base64
import secrets
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import harness
from harness import HangarTest

P = "/v2/api-products"
PR = P + "/%s"
DOCS = PR + "/documents"
DOC = DOCS + "/%s"
VERS = PR + "/product-versions"
VER = VERS + "/%s"
SPECS = VER + "/specifications"
SPEC = SPECS + "/%s"
WORKERS = 8


def setUpModule():
    harness.module_stack()


def tearDownModule():
    harness.module_teardown()


class KonnectRestart(HangarTest):
    def setUp(self):
        super().setUp()
        org = "restart-" + secrets.token_hex(4)
        self.tok = self.s.mint_token("kpat", "u-" + org, [("orgs/" + org, "editor")])["token"]

    def call(self, method, path, body=None, conn=None):
        return self.s.request(method, path, body, token=self.tok, conn=conn)

    def build_product(self, i):
        """One product with a document tree, two versions and a specification; returns what
        each acknowledged write answered, keyed by the path that reads it back."""
        acked, conn = {}, self.s.connection()
        try:
            prod = self.call("POST", P, {"name": "p%03d" % i, "labels": {"n": str(i)}}, conn)
            self.expect(prod, 201)
            pid = prod.body["id"]
            root = self.call("POST", DOCS % pid, {"slug": "root", "title": "Root",
                                                  "status": "published", "content": "# R"}, conn)
            child = self.call("POST", DOCS % pid, {"slug": "child", "title": "Child",
                                                   "status": "unpublished",
                                                   "parent_document_id": root.body["id"]}, conn)
            versions = [self.call("POST", VERS % pid, {"name": "v%d" % k}, conn) for k in (1, 2)]
            for r in [root, child] + versions:
                self.expect(r, 201)
            vid = versions[0].body["id"]
            content = base64.b64encode(b"openapi: 3.0.0\n").decode()
            spec = self.call("POST", SPECS % (pid, vid), {"name": "oas.yaml", "content": content},
                             conn)
            self.expect(spec, 201)
            gone = self.call("DELETE", VER % (pid, versions[1].body["id"]), None, conn)
            self.expect(gone, 204)
            acked[PR % pid] = dict(prod.body, version_count=1)
            acked[DOC % (pid, root.body["id"])] = root.body
            acked[DOC % (pid, child.body["id"])] = child.body
            acked[VER % (pid, vid)] = versions[0].body
            acked[SPEC % (pid, vid, spec.body["id"])] = spec.body
            deleted = [VER % (pid, versions[1].body["id"])]
            return acked, deleted
        finally:
            conn.close()

    def wait_serving(self):
        self.poll(lambda: self.call("GET", P).status == 200, 15.0,
                  lambda: "products to serve again: %r" % (self.call("GET", P),))

    def list_products(self):
        """Every product through 100-item pages; the pages agree on the total."""
        listed, number, total = [], 1, None
        while True:
            r = self.call("GET", P + "?page[size]=100&page[number]=%d" % number)
            self.expect(r, 200)
            total = r.body["meta"]["page"]["total"] if total is None else total
            self.assertEqual(total, r.body["meta"]["page"]["total"], "total moved: %r" % (r,))
            listed += r.body["data"]
            if len(r.body["data"]) < 100:
                break
            number += 1
        self.assertEqual(total, len(listed))
        return listed

    def assert_all_present(self, acked, deleted, exact):
        """Every acknowledged write reads back as answered, every acknowledged delete is
        404; with exact, the products listed are exactly the acknowledged ones (a write cut
        off by the kill may have committed unacknowledged, so otherwise they are a subset)."""
        conn = self.s.connection()
        try:
            for path, body in acked.items():
                self.expect(self.call("GET", path, None, conn), 200, body)
            for path in deleted:
                self.expect(self.call("GET", path, None, conn), 404)
        finally:
            conn.close()
        listed = {p["id"]: p for p in self.list_products()}
        products = {path.rsplit("/", 1)[1]: body for path, body in acked.items()
                    if path.count("/") == 3}
        if exact:
            self.assertEqual(sorted(products), sorted(listed))
        for pid, body in products.items():
            self.assertEqual(body, listed.get(pid), "listed product %s" % pid)

    def test_kill_after_acknowledged_writes(self):
        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(self.build_product, range(40)))
        acked, deleted = {}, []
        for a, d in results:
            acked.update(a)
            deleted += d
        self.s.kill("products-svc", signal.SIGKILL)
        self.allow_5xx = True
        r = self.call("GET", P)  # while it is down: 503 in the surface's own error shape
        self.expect(r, 503, {"status": 503, "title": "Service Unavailable",
                             "instance": r.body.get("instance") if r.is_json else None,
                             "detail": "Service Unavailable"})
        self.assertRegex(r.body["instance"], r"^kong:trace:\d+$")
        self.assertEqual("1", r.headers.get("retry-after"), r)
        self.s.restart("products-svc")
        self.wait_serving()
        self.assert_all_present(acked, deleted, exact=True)

    def test_kill_during_writes(self):
        acked, stop = {}, threading.Event()
        lock = threading.Lock()

        def writer(w):
            conn, i = self.s.connection(timeout=5), 0
            try:
                while not stop.is_set():
                    i += 1
                    try:
                        r = self.call("POST", P, {"name": "w%d-%d" % (w, i)}, conn)
                    except OSError:
                        conn.close()
                        conn = self.s.connection(timeout=5)
                        continue
                    if r.status == 201:
                        with lock:
                            acked[PR % r.body["id"]] = r.body
            finally:
                conn.close()

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WORKERS)]
        for t in threads:
            t.start()
        self.poll(lambda: len(acked) >= 200, 20.0, "200 acknowledged creates")
        self.s.kill("products-svc", signal.SIGKILL)
        self.allow_5xx = True  # writes in flight at the kill answer 503; none was acknowledged
        stop.set()
        for t in threads:
            t.join()
        self.s.restart("products-svc")
        self.wait_serving()
        self.assert_all_present(acked, [], exact=False)


if __name__ == "__main__":
    harness.main()
