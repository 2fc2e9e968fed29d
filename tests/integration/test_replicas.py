"""Several replicas of one upstream (issue 15): two products-svc and two auth-svc, each with
its own data directory (on LMDB replicas share nothing; that is expected), behind one
gateway that gets each service's comma list, and products-svc verifying tokens on either
auth-svc.

- Calls reach both replicas: each replica's own grpc_server_handled_total (its
  --metrics-listen) moves, and by exactly the requests made between them.
- After SIGKILL of one replica every read is answered 200 by the other, the first one after
  the kill included (it is retried on the other replica), and the gateway's
  hangar_upstream_up gauge shows the dead one down; /readyz stays 200 while each upstream
  has a replica serving.
- A write refused by a dead replica before it ran is made on the other one (201), once.
- A write that reached a replica which then died is not repeated (503): it may have run.
- A restarted replica is used again.
- auth-svc down to one replica: tokens nobody has verified yet are still verified.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HangarTest, http_request, module_stack, module_teardown, tail  # noqa: E402

PRODUCTS = "/v2/api-products"
SERVICE = "hangar.products.v1.ApiProducts"
METRICS_LINE = re.compile(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
N = 20


def setUpModule():
    extra = {name: [("--metrics-listen", "127.0.0.1:0")]
             for name in ("products-svc", "products-svc-2")}
    extra["gateway"] = [("--upstream-health-interval-ms", "200")]
    module_stack(log_level="info", replicas={"products-svc": 2, "auth-svc": 2},
                 extra_args=extra)


def tearDownModule():
    module_teardown()


def sample(text, name, labels):
    """The value of the sample name{labels} in a Prometheus page, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', line[len(name):].split("} ")[0]))
        if found == labels:
            return float(line.rsplit(" ", 1)[1])
    return None


def unread_bytes(sock):
    """Bytes waiting unread in the server ends of the connections to unix socket sock
    (ss's Recv-Q): what a stopped server has been sent and not read."""
    out = subprocess.run(["ss", "-x", "-H", "src", sock], capture_output=True, text=True,
                         check=True).stdout
    return sum(int(line.split()[2]) for line in out.splitlines() if line.strip())


class Replicas(HangarTest):
    def handled(self, name, method="ListApiProducts"):
        """name's calls of method answered OK so far (its own /metrics)."""
        found = METRICS_LINE.findall(tail(self.s._p(name + ".stderr"), 200000))
        self.assertTrue(found, "%s logged no metrics address" % name)
        r = http_request("127.0.0.1", int(found[-1]), "GET", "/metrics")
        self.assertEqual(200, r.status, r)
        v = sample(r.raw.decode(), "grpc_server_handled_total",
                   {"grpc_type": "unary", "grpc_service": SERVICE, "grpc_method": method,
                    "grpc_code": "OK"})
        return v or 0.0

    def up(self, upstream, name):
        """The gateway's hangar_upstream_up for the replica process name of upstream."""
        r = self.req("GET", "/metrics")
        self.expect(r, 200)
        target = dict(self.s.procs[name].args)["--listen"]
        return sample(r.raw.decode(), "hangar_upstream_up",
                      {"upstream": upstream, "target": target})

    def list_ok(self, token=None):
        r = self.req("GET", PRODUCTS, token=token or self.admin)
        self.expect(r, 200)
        self.assertIsInstance(r.body.get("data"), list, r)
        return r

    def test_calls_reach_both_replicas(self):
        self.expect(self.req("GET", "/readyz"), 200, {"status": "ready"})
        before = [self.handled("products-svc"), self.handled("products-svc-2")]
        for _ in range(N):
            self.list_ok()
        after = [self.handled("products-svc"), self.handled("products-svc-2")]
        moved = [a - b for a, b in zip(after, before)]
        self.assertGreater(moved[0], 0, "replica 1 got none of %d calls" % N)
        self.assertGreater(moved[1], 0, "replica 2 got none of %d calls" % N)
        self.assertEqual(N, sum(moved), "each request is one call: %r" % moved)
        for upstream, name in (("products", "products-svc"), ("products", "products-svc-2"),
                               ("auth", "auth-svc"), ("auth", "auth-svc-2")):
            self.poll(lambda: self.up(upstream, name) == 1.0, 10.0, "%s up" % name)

    def test_sigkill_one_replica_reads_stay_200_and_it_comes_back(self):
        self.list_ok()
        self.s.kill("products-svc-2", signal.SIGKILL)
        # Every read, the first after the kill included: one that went to the dead replica
        # is repeated on the live one, and then the dead one is skipped.
        for _ in range(N):
            self.list_ok()
        self.poll(lambda: self.up("products", "products-svc-2") == 0.0, 10.0,
                  "the gateway to mark the killed replica down")
        self.assertEqual(1.0, self.up("products", "products-svc"))
        self.expect(self.req("GET", "/readyz"), 200, {"status": "ready"})
        before = self.handled("products-svc")
        for _ in range(N):
            self.list_ok()
        self.assertEqual(N, self.handled("products-svc") - before,
                         "with one replica down, every read goes to the other")
        self.s.restart("products-svc-2")
        self.poll(lambda: self.up("products", "products-svc-2") == 1.0, 10.0,
                  "the restarted replica to be marked up")
        before = self.handled("products-svc-2")
        for _ in range(N):
            self.list_ok()
        self.assertGreater(self.handled("products-svc-2") - before, 0,
                           "the restarted replica is used again")

    def test_write_refused_by_a_dead_replica_is_made_once_on_the_other(self):
        # Checks ten minutes apart: only a refused call can tell the gateway that the
        # replica died, so some of the writes below are sent to it, and must be retried.
        self.s.restart("gateway", upstream_health_interval_ms=600000)
        names = []
        try:
            self.expect(self.req("GET", "/readyz"), 200, {"status": "ready"})
            self.s.kill("products-svc-2", signal.SIGKILL)
            for i in range(4):
                name = "replicated-%s-%d" % (uuid.uuid4().hex[:8], i)
                r = self.req("POST", PRODUCTS, {"name": name}, token=self.admin)
                self.expect(r, 201)
                names.append((r.body["id"], name))
            self.assertEqual(0.0, self.up("products", "products-svc-2"),
                             "a write refused by the dead replica marks it down")
            # Each was made once, on the live replica: every one reads back by id, and a
            # list filtered by its name finds exactly one.
            for pid, name in names:
                self.expect(self.req("GET", "%s/%s" % (PRODUCTS, pid), token=self.admin), 200)
                r = self.req("GET", PRODUCTS + "?filter[name][eq]=" + name, token=self.admin)
                self.expect(r, 200)
                self.assertEqual([pid], [p["id"] for p in r.body["data"]], r)
        finally:
            self.s.restart("products-svc-2")
            self.s.restart("gateway")

    def test_write_that_reached_a_replica_is_not_repeated(self):
        self.s.restart("gateway", upstream_health_interval_ms=600000)
        answers, stopped = {}, False

        def post(key):
            answers[key] = http_request(self.s.host, self.s.port, "POST", PRODUCTS,
                                        {"name": "ambiguous-%s-%s" % (key, uuid.uuid4().hex)},
                                        token=self.admin)
        try:
            # Both replicas up and connected: two writes at once go one to each.
            self.expect(self.req("GET", "/readyz"), 200, {"status": "ready"})
            before = self.handled("products-svc", "CreateApiProduct")
            self.s.kill("products-svc-2", signal.SIGSTOP, wait=False)
            stopped = True
            threads = [threading.Thread(target=post, args=(k,)) for k in "ab"]
            for t in threads:
                t.start()
            self.poll(lambda: answers, 10.0, "the write sent to products-svc to be answered")
            self.expect(next(iter(answers.values())), 201)
            # The other write sits in the stopped replica's socket: it reached the replica,
            # which may run it, so once the replica dies it must not run again elsewhere.
            sock = dict(self.s.procs["products-svc-2"].args)["--listen"][len("unix:"):]
            self.poll(lambda: unread_bytes(sock) > 0, 10.0, "the write to reach products-svc-2")
            self.s.kill("products-svc-2", signal.SIGKILL)
            for t in threads:
                t.join(30)
            self.assertEqual(2, len(answers), answers)
            self.assertEqual([201, 503], sorted(r.status for r in answers.values()), answers)
            self.assertEqual(1, self.handled("products-svc", "CreateApiProduct") - before,
                             "the write that reached products-svc-2 was repeated")
        finally:
            if stopped:
                self.s.kill("products-svc-2", signal.SIGKILL)
                self.s.restart("products-svc-2")
            self.s.restart("gateway")

    def test_auth_down_to_one_replica_still_verifies(self):
        self.s.kill("auth-svc-2", signal.SIGKILL)
        try:
            # Fresh tokens: each needs a Verify, which products-svc sends to whichever
            # auth-svc replica still answers. A verified caller without a role binding is
            # 403 (auth-svc unreachable would be 503, a token it refused 401).
            for i in range(N):
                r = self.req("GET", PRODUCTS, token=self.s.jwt("replica-user-%d" % i))
                self.expect(r, 403)
                self.assertEqual("You do not have permission to perform this action",
                                 r.body["detail"], r)
            self.list_ok()
            self.poll(lambda: self.up("auth", "auth-svc-2") == 0.0, 10.0,
                      "the gateway to mark auth-svc-2 down")
            self.expect(self.req("GET", "/readyz"), 200, {"status": "ready"})
        finally:
            self.s.restart("auth-svc-2")
        self.poll(lambda: self.up("auth", "auth-svc-2") == 1.0, 10.0, "auth-svc-2 up again")


class ZzAllReplicasDown(HangarTest):
    """Sorted last: with every products-svc replica down the upstream is down."""
    allow_5xx = True

    def test_readyz_503_only_when_every_replica_is_down(self):
        self.s.kill("products-svc-2", signal.SIGKILL)
        self.expect(self.req("GET", "/readyz"), 200)
        self.s.kill("products-svc", signal.SIGKILL)
        r = self.poll(lambda: (lambda r: r if r.status == 503 else None)(
            self.req("GET", "/readyz")), 10.0, "readyz 503 with both replicas down")
        self.assertEqual("unavailable", r.body["upstreams"]["products"], r)
        r = self.req("GET", PRODUCTS, token=self.admin)
        self.expect(r, 503)
        self.s.restart("products-svc")
        self.poll(lambda: self.req("GET", "/readyz").status == 200, 15.0,
                  "readyz 200 with one replica back")
        self.expect(self.req("GET", PRODUCTS, token=self.admin), 200)


if __name__ == "__main__":
    harness.main()
