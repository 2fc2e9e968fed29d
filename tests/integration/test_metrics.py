"""Prometheus metrics on every process: each service started with --metrics-listen on an
ephemeral port serves GET /metrics, and the gateway its own.

Calls are made the way clients make them (through the gateway, and straight to each
service's socket with grpc-raw: a public health check, a protected method without a token,
an unknown method); the services are scraped before and after, and the counters must have
moved by exactly the calls made, under go-grpc-prometheus's names and labels. Every
exposition must parse: one TYPE per family, every sample in a declared family, histogram
buckets ascending by le with non-decreasing counts, +Inf equal to _count. The store gauges
must be present and positive, and resources-svc must show its reconciler's backlog. The
README's PromQL queries select families, labels and values the processes serve.
"""

import os
import re
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HangarTest, http_request, module_stack,  # noqa: E402
                     module_teardown, tail)

SERVICES = {  # name: (socket, a method its admission refuses without a token)
    "auth-svc": ("auth.sock", "/hangar.auth.v1.AuthAdmin/ListTokens"),
    "resources-svc": ("resources.sock", "/hangar.resources.v1.KtrlPlane/ListResources"),
    "products-svc": ("products.sock", "/hangar.products.v1.ApiProducts/ListApiProducts"),
    "credentials-svc": ("credentials.sock", "/hangar.credentials.v1.Provisioning/GetJob"),
}
# Every service's --map-size, which each must report as its map size (credentials-svc once
# opened its store with the default whatever it was given).
MAP_SIZE = "96M"
HEALTH = "/grpc.health.v1.Health/Check"
UNKNOWN = "/hangar.nope.v1.Nope/Missing"
OK, UNIMPLEMENTED, UNAUTHENTICATED = 0, 12, 16
PROVISION_DELAY_MS = 600000  # long: a created resource stays pending for the whole test

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")
# In the README's PromQL: "by (labels) (rate(name{matchers}[range]))".
AGGREGATED_RATE = re.compile(r"by \(([^)]*)\)\s*\(rate\(([a-zA-Z_:][a-zA-Z0-9_:]*)"
                             r"(?:\{([^}]*)\})?\[\d+[smh]\]\)\)")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
METRICS_LINE = re.compile(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            raise AssertionError("bad labels at %d: %r" % (pos, text))
        value = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(2))
        if m.group(1) in labels:
            raise AssertionError("label %s twice: %r" % (m.group(1), text))
        labels[m.group(1)] = value
        pos = m.end()
    return labels


class Exposition:
    """One /metrics page: types by family and samples keyed by (name, sorted labels)."""

    def __init__(self, text):
        self.text = text
        self.types = {}
        self.samples = {}
        for line in text.split("\n"):
            if not line:
                continue
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ", 3)
                if name in self.types:
                    raise AssertionError("second TYPE line for %s" % name)
                self.types[name] = kind
                continue
            if line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                raise AssertionError("not a sample line: %r" % line)
            name, labels = m.group(1), parse_labels(m.group(2) or "")
            key = (name, tuple(sorted(labels.items())))
            if key in self.samples:
                raise AssertionError("sample twice: %r" % line)
            self.samples[key] = float(m.group(3))
            if self.family(name) not in self.types:
                raise AssertionError("sample outside a declared family: %r" % line)

    def family(self, name):
        for suffix in ("_bucket", "_sum", "_count"):
            base = name[:-len(suffix)]
            if name.endswith(suffix) and self.types.get(base) == "histogram":
                return base
        return name

    def get(self, name, **labels):
        """The value of the sample with exactly these labels, or None."""
        return self.samples.get((name, tuple(sorted(labels.items()))))

    def label_sets(self, name):
        return [dict(k[1]) for k in self.samples if k[0] == name]

    def check_histograms(self, test):
        """Every histogram series: buckets ascending, counts non-decreasing, +Inf == _count."""
        n = 0
        for fam, kind in self.types.items():
            if kind != "histogram":
                continue
            series = {}
            for (name, labels), v in self.samples.items():
                if name != fam + "_bucket":
                    continue
                rest = tuple(kv for kv in labels if kv[0] != "le")
                le = dict(labels)["le"]
                series.setdefault(rest, []).append((float("inf") if le == "+Inf" else float(le), v))
            for rest, buckets in series.items():
                buckets.sort()
                counts = [c for _, c in buckets]
                test.assertEqual(sorted(counts), counts, "%s%s buckets decrease" % (fam, rest))
                test.assertEqual(float("inf"), buckets[-1][0], "%s%s has no +Inf" % (fam, rest))
                count = self.samples.get((fam + "_count", rest))
                total = self.samples.get((fam + "_sum", rest))
                test.assertEqual(buckets[-1][1], count, "%s%s: +Inf != _count" % (fam, rest))
                test.assertIsNotNone(total, "%s%s has no _sum" % (fam, rest))
                test.assertGreaterEqual(total, 0)
                n += 1
        return n


def grpc_labels(service, method, **more):
    labels = {"grpc_type": "unary", "grpc_service": service, "grpc_method": method}
    labels.update(more)
    return labels


def split(path):
    service, _, method = path[1:].rpartition("/")
    return service, method


def setUpModule():
    extra = {name: [("--metrics-listen", "127.0.0.1:0"), ("--map-size", MAP_SIZE)]
             for name in SERVICES}
    module_stack(log_level="info", provision_delay_ms=PROVISION_DELAY_MS, extra_args=extra)


def tearDownModule():
    module_teardown()


class MetricsTest(HangarTest):
    def port(self, name):
        text = tail(self.s._p(name + ".stderr"), 200000)
        found = METRICS_LINE.findall(text)
        self.assertTrue(found, "%s logged no metrics address:\n%s" % (name, text[-2000:]))
        return int(found[-1])

    def scrape(self, name):
        r = http_request("127.0.0.1", self.port(name), "GET", "/metrics")
        self.assertEqual(200, r.status, r)
        self.assertEqual("text/plain; version=0.0.4; charset=utf-8", r.headers["content-type"])
        return Exposition(r.raw.decode("utf-8"))

    def gateway_scrape(self):
        r = self.req("GET", "/metrics")
        self.assertEqual(200, r.status, r)
        return Exposition(r.raw.decode("utf-8"))

    def raw_call(self, name, method, auth=None):
        argv = [os.path.join(self.s.bin_dir, "grpc-raw"), "unix:" + self.s._p(SERVICES[name][0]),
                method]
        if auth is not None:
            argv.append(auth)
        p = subprocess.run(argv, input=b"", capture_output=True, timeout=30)
        self.assertEqual(0, p.returncode, p.stderr)
        return int(p.stdout.decode().split(" ", 1)[0])

    def delta(self, before, after, name, **labels):
        return (after.get(name, **labels) or 0) - (before.get(name, **labels) or 0)

    def assert_counted(self, before, after, path, code, times):
        service, method = split(path)
        labels = grpc_labels(service, method)
        self.assertEqual(times, self.delta(before, after, "grpc_server_started_total", **labels),
                         "started %s" % path)
        self.assertEqual(times, self.delta(before, after, "grpc_server_handled_total",
                                           grpc_code=code, **labels), "handled %s %s" % (path, code))
        self.assertEqual(times, self.delta(before, after, "grpc_server_handling_seconds_count",
                                           **labels), "histogram count %s" % path)

    # -- tests ----------------------------------------------------------------------------

    def test_ok_refused_and_unknown_calls_counted_exactly(self):
        before = {n: self.scrape(n) for n in SERVICES}
        for name, (_, protected) in SERVICES.items():
            self.assertEqual(OK, self.raw_call(name, HEALTH))
            self.assertEqual(OK, self.raw_call(name, HEALTH))
            self.assertEqual(UNAUTHENTICATED, self.raw_call(name, protected))
            self.assertEqual(UNIMPLEMENTED, self.raw_call(name, UNKNOWN))
        after = {n: self.scrape(n) for n in SERVICES}
        for name, (_, protected) in SERVICES.items():
            with self.subTest(service=name):
                b, a = before[name], after[name]
                self.assert_counted(b, a, HEALTH, "OK", 2)
                self.assert_counted(b, a, protected, "Unauthenticated", 1)
                self.assert_counted(b, a, UNKNOWN, "Unimplemented", 1)
                service, method = split(protected)
                self.assertEqual(0, self.delta(b, a, "grpc_server_handled_total", grpc_code="OK",
                                               **grpc_labels(service, method)))
                self.assertEqual(["OK"], [l["grpc_code"] for l in a.label_sets(
                    "grpc_server_handled_total") if l["grpc_method"] == "Check"])
                self.assertEqual("counter", a.types["grpc_server_started_total"])
                self.assertEqual("counter", a.types["grpc_server_handled_total"])
                self.assertEqual("histogram", a.types["grpc_server_handling_seconds"])
                self.assertGreater(a.check_histograms(self), 3)

    def test_gateway_calls_reach_service_counters(self):
        path = "/api/v1/projects/proj-metrics/resources"
        create = "/hangar.resources.v1.KtrlPlane/CreateResource"
        before, gw_before = self.scrape("resources-svc"), self.gateway_scrape()
        body = {"id": "metered", "name": "Metered", "type": "Konnektr.Graph"}
        self.expect(self.req("POST", path, body, token=self.admin), 201)
        outsider = self.s.jwt(sub="metrics-outsider")
        body["id"] = "refused"
        self.expect(self.req("POST", path, body, token=outsider), 403)
        after, gw_after = self.scrape("resources-svc"), self.gateway_scrape()
        service, method = split(create)
        labels = grpc_labels(service, method)
        self.assertEqual(2, self.delta(before, after, "grpc_server_started_total", **labels))
        self.assertEqual(1, self.delta(before, after, "grpc_server_handled_total",
                                       grpc_code="OK", **labels))
        self.assertEqual(1, self.delta(before, after, "grpc_server_handled_total",
                                       grpc_code="PermissionDenied", **labels))
        # the one write committed in one batch of one
        self.assertEqual(1, self.delta(before, after, "hangar_store_commit_batch_writes_count"))
        self.assertEqual(1, self.delta(before, after, "hangar_store_commit_batch_writes_sum"))
        self.assertEqual(1, self.delta(before, after,
                                       "hangar_store_commit_duration_seconds_count"))
        route = {"route": "/api/v1/projects/{project_id}/resources", "method": "POST"}
        self.assertEqual(1, self.delta(gw_before, gw_after, "hangar_http_requests_total",
                                       code="201", **route))
        self.assertEqual(1, self.delta(gw_before, gw_after, "hangar_http_requests_total",
                                       code="403", **route))
        self.assertEqual(2, self.delta(gw_before, gw_after,
                                       "hangar_http_request_duration_seconds_count", **route))
        self.assertGreater(gw_after.check_histograms(self), 10)
        # the resource waits out its provisioning delay: pending, not yet due
        self.assertEqual(1, after.get("hangar_reconciler_pending_resources"))
        self.assertEqual(0, after.get("hangar_reconciler_queue_depth"))
        self.assertEqual(0, after.get("hangar_reconciler_queue_oldest_age_seconds"))
        self.assertEqual(0, after.get("hangar_ververica_deployments_transitioning"))

    def test_store_gauges_present_and_positive(self):
        for name in SERVICES:
            with self.subTest(service=name):
                e = self.scrape(name)
                used = e.get("hangar_store_used_bytes")
                size = e.get("hangar_store_map_size_bytes")
                self.assertEqual("gauge", e.types.get("hangar_store_used_bytes"))
                self.assertGreater(used or 0, 0)
                self.assertGreater(size or 0, 0)
                self.assertEqual(96 << 20, size)
                self.assertLessEqual(used, size)
                self.assertEqual(0, e.get("hangar_store_write_queue_depth"))
                for fam in ("hangar_store_commit_duration_seconds",
                            "hangar_store_commit_batch_writes"):
                    self.assertEqual("histogram", e.types.get(fam))
                    self.assertIsNotNone(e.get(fam + "_count"))
                e.check_histograms(self)

    def test_listener_answers_only_get_metrics_and_never_blocks_grpc(self):
        port = self.port("products-svc")
        self.assertEqual(404, http_request("127.0.0.1", port, "GET", "/").status)
        self.assertEqual(404, http_request("127.0.0.1", port, "GET", "/healthz").status)
        r = http_request("127.0.0.1", port, "POST", "/metrics", raw=b"")
        self.assertEqual(405, r.status)
        self.assertEqual("GET", r.headers.get("allow"))
        # a client that connects and sends nothing holds the metrics thread, not gRPC
        silent = socket.create_connection(("127.0.0.1", port))
        try:
            self.assertEqual(OK, self.raw_call("products-svc", HEALTH))
            self.expect(self.req("GET", "/v2/api-products", token=self.admin), 200)
        finally:
            silent.close()
        self.assertEqual(200, http_request("127.0.0.1", port, "GET", "/metrics").status)

    def test_readme_queries_name_what_is_served(self):
        """The README's PromQL (p99 per route and per method, the failed share) selects
        families the processes serve, aggregates by labels those families carry, and
        matches label values that occur: each query returns series, not nothing."""
        with open(README) as f:
            readme = f.read()
        start = readme.index("\n## Metrics\n")
        section = readme[start:readme.index("\n## ", start + 1)]
        queries = "\n".join(re.findall(r"```promql\n(.*?)```", section, re.S))
        self.expect(self.req("GET", "/v2/api-products", token=self.admin), 200)
        labels = {}  # sample name -> {label: {values}}
        for page in [self.gateway_scrape()] + [self.scrape(name) for name in SERVICES]:
            for name, pairs in page.samples:
                for k, v in pairs:
                    labels.setdefault(name, {}).setdefault(k, set()).add(v)
        found = AGGREGATED_RATE.findall(queries)
        self.assertEqual(queries.count("rate("), len(found), queries)
        names = set()
        for by, name, matchers in found:
            self.assertIn(name, labels, "the README queries %s, which nothing serves" % name)
            names.add(name)
            for label in (x.strip() for x in by.split(",")):
                self.assertIn(label, set(labels[name]), "%s has no label %s" % (name, label))
            for label, _, value in MATCHER.findall(matchers):
                self.assertIn(value, labels[name].get(label, ()),
                              "%s{%s=%r} matches no series" % (name, label, value))
        # the p99 per route (the gateway) and per gRPC method (the services) are among them
        self.assertIn("hangar_http_request_duration_seconds_bucket", names)
        self.assertIn("grpc_server_handling_seconds_bucket", names)
        self.assertIn("route", labels["hangar_http_request_duration_seconds_bucket"])

    def test_metrics_off_without_the_setting(self):
        gateway_log = tail(self.s._p("gateway.stderr"), 200000)
        self.assertNotRegex(gateway_log, METRICS_LINE)
        self.s.restart("auth-svc", metrics_listen="")
        text = tail(self.s._p("auth-svc.stderr"), 200000)
        last_start = text.rsplit("=== start", 1)[-1]
        self.assertNotRegex(last_start, METRICS_LINE)
        self.s.restart("auth-svc")  # back on an ephemeral port for the other tests
        self.assertGreater(self.port("auth-svc"), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
