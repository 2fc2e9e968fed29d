"""JSON logs and W3C trace propagation (issue 14, item 5): a stack started with
HANGAR_LOG_FORMAT=json (at debug, so that every per-request line is written) answers requests
sent with and without a traceparent, and then

- every line every process wrote to stderr is one JSON object with the common fields;
- the gateway's access line names the route template (not the path), the status, the
  latency and the caller's subject, never its token;
- the service's per-call line for the same request carries the same trace id, with the
  gateway's span as its parent (and auth-svc's line for the token check, the service's): a
  client's valid traceparent is continued, a missing or invalid one starts a new trace at
  the gateway; the client's tracestate travels with a continued trace to every hop's line.
gRPC core's own lines (GRPC_VERBOSITY=debug here) are among them, as JSON too."""

import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile

import harness
from harness import HangarTest

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
COMMON = ("time", "level", "process", "module", "request_id", "trace_id", "span_id", "msg")
PER_REQUEST = ("route", "status", "latency_ms", "subject", "parent_id", "tracestate")
TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"


def setUpModule():
    # gRPC's own lines too (GRPC_VERBOSITY): they are written as JSON lines as well.
    harness.module_stack(log_level="debug",
                         env={"HANGAR_LOG_FORMAT": "json", "GRPC_VERBOSITY": "debug"})


def tearDownModule():
    harness.module_teardown()


def stderr_lines(stack, name):
    """(line number, text) of each line the process wrote, the harness's own lines left out."""
    out = []
    with open(stack._p(name + ".stderr"), encoding="utf-8", errors="strict") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("=== start #") or line == "\n":
                continue  # the harness's argv line and the blank line before it
            out.append((n, line))
    return out


def records(stack, name):
    return [json.loads(line) for _, line in stderr_lines(stack, name)]


class LogsAndTracesTest(HangarTest):
    allow_5xx = False

    def setUp(self):
        super().setUp()
        self.org = "org-" + secrets.token_hex(4)
        self.subject = "logs-" + secrets.token_hex(4)
        self.token = self.s.mint_token("kpat", self.subject, [("orgs/" + self.org, "editor")])
        self.token = self.token["token"]

    def send(self, method, path, body=None, headers=None, token=None):
        """The request with a fresh X-Request-Id; returns (response, request id)."""
        rid = "it-" + secrets.token_hex(8)
        h = {"X-Request-Id": rid}
        h.update(headers or {})
        return self.req(method, path, body, headers=h, token=token), rid

    def line_of(self, name, rid, route_key=True):
        """The one per-request line process `name` wrote for request rid."""
        def find():
            found = [r for r in records(self.s, name)
                     if r.get("request_id") == rid and (not route_key or "route" in r)]
            return found or None
        found = self.poll(find, what="%s's line for request %s" % (name, rid))
        self.assertEqual(1, len(found), found)
        return found[0]

    def check_hop(self, rid, service, route, rpc, subject):
        """The gateway's access line and the service's per-call line of one request: the same
        trace, the service's parent being the gateway's span."""
        gw = self.line_of("gateway", rid)
        svc = self.line_of(service, rid)
        self.assertEqual(route, gw["route"])
        self.assertEqual(subject, gw["subject"])
        self.assertEqual(subject, svc["subject"])
        self.assertEqual(rpc, svc["route"])
        self.assertEqual(gw["trace_id"], svc["trace_id"])
        self.assertRegex(gw["trace_id"], HEX32)
        self.assertRegex(gw["span_id"], HEX16)
        self.assertRegex(svc["span_id"], HEX16)
        self.assertEqual(gw["span_id"], svc["parent_id"])
        self.assertNotEqual(gw["span_id"], svc["span_id"])
        self.assertEqual("gateway", gw["process"])
        self.assertEqual(service, svc["process"])
        return gw, svc

    def test_client_traceparent_is_continued(self):
        trace, parent = secrets.token_hex(16), secrets.token_hex(8)
        r, rid = self.send("GET", "/v2/api-products", token=self.token,
                           headers={"traceparent": "00-%s-%s-01" % (trace, parent),
                                    "tracestate": " rojo=00f067aa0ba902b7 ,, congo=t61rcWkgMzE"})
        self.expect(r, 200)
        gw, svc = self.check_hop(rid, "products-svc", "/v2/api-products",
                                 "/hangar.products.v1.ApiProducts/ListApiProducts", self.subject)
        self.assertEqual(trace, gw["trace_id"])
        self.assertEqual(parent, gw["parent_id"])
        # The tracestate travelled with the trace (as gRPC metadata, in its plain form: no
        # spaces or empty members) and is on both lines.
        self.assertEqual(TRACESTATE, gw["tracestate"])
        self.assertEqual(TRACESTATE, svc["tracestate"])
        self.assertEqual("GET", gw["method"])
        self.assertEqual(200, gw["status"])
        self.assertEqual(0, svc["status"])  # gRPC OK
        for line in (gw, svc):
            self.assertIsInstance(line["latency_ms"], (int, float))
            self.assertGreaterEqual(line["latency_ms"], 0)
        self.assertNotIn("traceresponse", r.headers)
        # The token is new, so products-svc asked auth-svc about it: in the same trace, with
        # products-svc's span as the parent.
        verify = self.line_of("auth-svc", rid)
        self.assertEqual("/hangar.auth.v1.TokenVerifier/Verify", verify["route"])
        self.assertEqual(trace, verify["trace_id"])
        self.assertEqual(svc["span_id"], verify["parent_id"])
        self.assertEqual(TRACESTATE, verify["tracestate"])
        self.assertIsNone(verify["subject"])  # the caller is a service, not a principal

    def test_route_template_not_raw_path(self):
        r, _ = self.send("POST", "/v2/api-products", {"name": "p-" + secrets.token_hex(3)},
                         token=self.token)
        pid = self.expect(r, 201)["id"]
        r, rid = self.send("GET", "/v2/api-products/" + pid, token=self.token)
        self.expect(r, 200)
        gw, _ = self.check_hop(rid, "products-svc", "/v2/api-products/{id}",
                               "/hangar.products.v1.ApiProducts/GetApiProduct", self.subject)
        self.assertNotIn(pid, json.dumps(gw))
        self.assertIsNone(gw["parent_id"])  # no traceparent: the gateway started the trace
        self.assertIsNone(gw["tracestate"])

    def test_no_traceparent_starts_a_trace(self):
        seen = set()
        for _ in range(2):
            r, rid = self.send("GET", "/api/v1/projects/p1/resources",
                               token=self.s.jwt(sub=self.subject))
            self.expect(r, 403)  # a valid JWT without a binding: authenticated, refused
            gw, svc = self.check_hop(rid, "resources-svc",
                                     "/api/v1/projects/{project_id}/resources",
                                     "/hangar.resources.v1.KtrlPlane/ListResources", self.subject)
            self.assertIsNone(gw["parent_id"])
            self.assertEqual(403, gw["status"])
            self.assertEqual(7, svc["status"])  # PERMISSION_DENIED
            seen.add(gw["trace_id"])
        self.assertEqual(2, len(seen), "each request starts its own trace")

    def test_invalid_traceparent_is_ignored(self):
        trace, parent = secrets.token_hex(16), secrets.token_hex(8)
        for bad in ("00-%s-%s-01" % ("0" * 32, parent),        # all-zero trace id
                    "00-%s-%s-01" % (trace, "0" * 16),          # all-zero parent id
                    "00-%s-%s-01" % (trace.upper(), parent),    # uppercase hex
                    "ff-%s-%s-01" % (trace, parent),            # version ff
                    "00-%s-%s-01-extra" % (trace, parent),      # 00 with more fields
                    "00-%s-%s" % (trace, parent)):              # no flags
            r, rid = self.send("GET", "/auth/v1/tokens", token=self.admin,
                               headers={"traceparent": bad, "tracestate": "rojo=1"})
            self.expect(r, 200)
            gw, svc = self.check_hop(rid, "auth-svc", "/auth/v1/tokens",
                                     "/hangar.auth.v1.AuthAdmin/ListTokens", "admin")
            self.assertNotEqual(trace, gw["trace_id"], bad)
            self.assertNotIn(gw["trace_id"], ("0" * 32, trace.upper()), bad)
            self.assertIsNone(gw["parent_id"], bad)
            # A tracestate without a valid traceparent is not passed on.
            self.assertIsNone(gw["tracestate"], bad)
            self.assertIsNone(svc["tracestate"], bad)

    def test_traceparent_sent_twice_is_invalid(self):
        trace = secrets.token_hex(16)
        tp = "00-%s-%s-01" % (trace, secrets.token_hex(8))
        conn = self.s.connection()
        try:
            rid = "it-" + secrets.token_hex(8)
            conn.putrequest("GET", "/v2/api-products")
            for k, v in (("Authorization", "Bearer " + self.token), ("X-Request-Id", rid),
                         ("traceparent", tp), ("traceparent", tp)):
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(200, resp.status)
        finally:
            conn.close()
        gw, _ = self.check_hop(rid, "products-svc", "/v2/api-products",
                               "/hangar.products.v1.ApiProducts/ListApiProducts", self.subject)
        self.assertNotEqual(trace, gw["trace_id"])

    def test_unauthenticated_and_unrouted_lines(self):
        r, rid = self.send("GET", "/v2/api-products",
                           headers={"Authorization": "Bearer kpat_" + secrets.token_hex(16)})
        self.expect(r, 401)
        gw = self.line_of("gateway", rid)
        self.assertIsNone(gw["subject"])
        self.assertEqual(401, gw["status"])
        self.assertIsNone(self.line_of("products-svc", rid)["subject"])
        r, rid = self.send("GET", "/no/such/" + secrets.token_hex(4))
        self.expect(r, 404)
        gw = self.line_of("gateway", rid)
        self.assertIsNone(gw["route"])
        self.assertEqual(404, gw["status"])
        r, rid = self.send("DELETE", "/v2/api-products", token=self.token)
        self.expect(r, 405)
        self.assertEqual("/v2/api-products", self.line_of("gateway", rid)["route"])

    def test_flag_wins_over_environment(self):
        """A gateway of its own: HANGAR_LOG_FORMAT=json, then the same with --log-format text."""
        for extra, json_lines in (([], True), (["--log-format", "text"], False)):
            tmp = tempfile.mkdtemp(prefix="hgit-fmt-", dir="/tmp")
            try:
                ready, err_path = os.path.join(tmp, "ready"), os.path.join(tmp, "stderr")
                argv = [os.path.join(self.s.bin_dir, "gateway"), "--listen", "127.0.0.1:0",
                        "--ready-file", ready] + extra
                env = dict(os.environ, HANGAR_LOG_FORMAT="json")
                with open(err_path, "wb") as err:
                    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err, env=env)
                try:
                    self.poll(lambda: os.path.exists(ready) and os.path.getsize(ready) > 0,
                              what="the gateway's ready file")
                finally:
                    p.terminate()
                    self.assertEqual(0, p.wait(10))
                with open(err_path) as f:
                    lines = [ln for ln in f if ln.strip()]
                self.assertGreaterEqual(len(lines), 2, lines)  # listening, stopping
                for ln in lines:
                    self.assertEqual(json_lines, ln.startswith("{"), ln)
                    if json_lines:
                        self.assertEqual("gateway", json.loads(ln)["process"])
            finally:
                shutil.rmtree(tmp, ignore_errors=True)

    def test_zz_every_stderr_line_is_json(self):
        """Runs last (by name): after the requests above, every line of every process."""
        self.expect(self.req("GET", "/readyz"), 200)
        per_request = {}
        for name in harness.PROCESS_ORDER:
            lines = stderr_lines(self.s, name)
            self.assertGreater(len(lines), 0, name)
            for n, text in lines:
                where = "%s.stderr line %d: %s" % (name, n, text[:300])
                try:
                    rec = json.loads(text)
                except ValueError as e:
                    self.fail("not JSON (%s) %s" % (e, where))
                self.assertIsInstance(rec, dict, where)
                for key in COMMON:
                    self.assertIn(key, rec, where)
                self.assertRegex(rec["time"], TIME, where)
                self.assertIn(rec["level"], ("debug", "info", "warn", "error"), where)
                self.assertEqual(name, rec["process"], where)
                self.assertIsInstance(rec["module"], str, where)
                self.assertIsInstance(rec["msg"], str, where)
                for key in ("request_id", "trace_id", "span_id"):
                    self.assertIsInstance(rec[key], (str, type(None)), where)
                if rec["trace_id"] is not None:
                    self.assertRegex(rec["trace_id"], HEX32, where)
                if "route" in rec:
                    per_request[name] = per_request.get(name, 0) + 1
                    for key in PER_REQUEST:
                        self.assertIn(key, rec, where)
                    self.assertIsInstance(rec["status"], int, where)
                    self.assertIsInstance(rec["latency_ms"], (int, float), where)
                    self.assertIsNotNone(rec["trace_id"], where)
                    self.assertIsNotNone(rec["request_id"], where)
        for name in harness.PROCESS_ORDER:
            self.assertGreater(per_request.get(name, 0), 0, "%s wrote no per-request line" % name)
            self.assertTrue([r for r in records(self.s, name) if r["module"] == "grpc"], name)
        self.assertEqual(0, os.path.getsize(self.s._p("gateway.stdout")))


if __name__ == "__main__":
    harness.main()
