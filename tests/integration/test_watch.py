"""Watch (issue 15): `?watch=true&resourceVersion=N` on the KtrlPlane list streams the
project's changes as text/event-stream, and the same changes come to internal clients over
gRPC (KtrlPlane/WatchResources, a server stream). Black box over HTTP and gRPC.

Covered: the list's X-Resource-Version header is where a watch starts; each event body is
what GET answered for the object at that version (whole-body comparisons), DELETED carries
the last state; the stream's headers (text/event-stream, chunked, no Content-Length); a
watch outlives the gateway's upstream deadline; a malformed resourceVersion is 400 and one
older than the change log keeps is 410, both in KtrlPlane's dialect; Last-Event-ID resumes;
and 1,000 writes followed across a restart of resources-svc, each seen exactly once and in
revision order, the client reconnecting with the last resourceVersion it saw."""

import http.client
import json
import os
import secrets
import threading
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

import harness
from harness import HangarTest

BASE = "/api/v1/projects/%s/resources"
RES = BASE + "/%s"
UPSTREAM_DEADLINE_MS = 1500


def setUpModule():
    # A short upstream deadline: a watch must outlive it.
    harness.module_stack(extra_args={"gateway": [("--upstream-deadline-ms",
                                                   str(UPSTREAM_DEADLINE_MS))]})


def tearDownModule():
    harness.module_teardown()


def uniq(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(3))


class Watch:
    """One SSE watch over its own HTTP connection. status/headers are the answer's; events()
    yields (id, data) per event, skipping comments (the gateway's heartbeats)."""

    def __init__(self, st, path, token, headers=None, timeout=20.0):
        self.conn = http.client.HTTPConnection(st.host, st.port, timeout=timeout)
        hdrs = {"Authorization": "Bearer " + token}
        hdrs.update(headers or {})
        self.conn.request("GET", path, headers=hdrs)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.body = None
        if self.status != 200:
            raw = self.resp.read()
            self.body = json.loads(raw) if raw else None

    def next(self):
        """The next event as (id, data); EOFError when the stream ended."""
        ev_id, data = None, None
        while True:
            line = self.resp.readline()
            if not line:
                raise EOFError("the stream ended")
            line = line.decode("utf-8").rstrip("\n")
            if line == "":
                if data is not None:
                    return ev_id, data
                continue
            if line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "id":
                ev_id = value
            elif key == "data":
                data = json.loads(value)

    def close(self):
        self.conn.close()


class WatchBase(HangarTest):
    def watch(self, project, rv=None, headers=None, st=None):
        path = BASE % project + "?watch=true"
        if rv is not None:
            path += "&resourceVersion=" + str(rv)
        w = Watch(st or self.s, path, (st or self.s).admin_token, headers)
        self.addCleanup(w.close)
        return w

    def list_rv(self, project, st=None):
        r = (st or self.s).request("GET", BASE % project, token=(st or self.s).admin_token)
        self.expect(r, 200)
        rv = r.headers.get("x-resource-version")
        self.assertRegex(rv or "", r"^[0-9]+$", "X-Resource-Version: %r" % (r,))
        return int(rv)

    def create(self, project, rid, st=None):
        st = st or self.s
        r = st.request("POST", BASE % project,
                       {"id": rid, "name": "R " + rid, "type": "Konnektr.Graph"},
                       token=st.admin_token)
        self.expect(r, 201)
        return r.body

    def get(self, project, rid):
        r = self.req("GET", RES % (project, rid), token=self.admin)
        self.expect(r, 200)
        return r.body


class TestWatchSSE(WatchBase):
    def test_events_equal_get_and_deleted_carries_last_state(self):
        p = uniq("wp")
        rv = self.list_rv(p)
        w = self.watch(p, rv)
        self.assertEqual(200, w.status, w.body)
        made = self.create(p, "r1")
        ev_id, ev = w.next()
        self.assertEqual({"type": "ADDED", "object": made}, ev)
        self.assertGreater(int(ev_id), rv)
        # the reconciler makes it running: the event is what GET answers now
        _, ev = w.next()
        self.assertEqual("MODIFIED", ev["type"])
        self.poll(lambda: self.get(p, "r1")["status"] == "running", what="running")
        self.assertEqual({"type": "MODIFIED", "object": self.get(p, "r1")}, ev)
        r = self.req("DELETE", RES % (p, "r1"), token=self.admin)
        self.expect(r, 202)
        _, deleting = w.next()
        self.assertEqual("MODIFIED", deleting["type"])
        self.assertEqual("deleting", deleting["object"]["status"])
        last_id, gone = w.next()
        self.assertEqual({"type": "DELETED", "object": deleting["object"]}, gone)
        r = self.req("GET", RES % (p, "r1"), token=self.admin)
        self.expect(r, 404)
        # the list now starts where the DELETED left off
        self.assertEqual(int(last_id), self.list_rv(p))

    def test_stream_headers(self):
        w = self.watch(uniq("wp"))
        self.assertEqual(200, w.status)
        self.assertEqual("text/event-stream", w.headers.get("content-type"))
        self.assertNotIn("content-length", w.headers)
        self.assertEqual("chunked", w.headers.get("transfer-encoding"))
        self.assertEqual("no-cache", w.headers.get("cache-control"))
        self.assertRegex(w.headers.get("x-request-id", ""), r"^[0-9a-f]{32}$")

    def test_watch_sees_only_its_project(self):
        p, other = uniq("wp"), uniq("wq")
        w = self.watch(p, self.list_rv(p))
        self.create(other, "x1")
        made = self.create(p, "y1")
        _, ev = w.next()
        self.assertEqual({"type": "ADDED", "object": made}, ev)

    def test_watch_outlives_the_upstream_deadline(self):
        p = uniq("wp")
        w = self.watch(p, self.list_rv(p))
        self.assertEqual(200, w.status)
        # Nothing happens in p for longer than the gateway's upstream deadline; a unary call
        # would have been cut off by now. The change after it still arrives.
        time.sleep(UPSTREAM_DEADLINE_MS / 1000.0 * 2)
        made = self.create(p, "late")
        _, ev = w.next()
        self.assertEqual({"type": "ADDED", "object": made}, ev)

    def test_last_event_id_resumes_after_it(self):
        p = uniq("wp")
        w = self.watch(p, self.list_rv(p))
        first = self.create(p, "a")
        second_made = None
        first_id, ev = w.next()
        self.assertEqual(first, ev["object"])
        w.close()
        second_made = self.create(p, "b")
        # What EventSource does on reconnecting: no query version, Last-Event-ID instead.
        w2 = self.watch(p, headers={"Last-Event-ID": first_id})
        seen = []
        while True:
            _, ev = w2.next()
            seen.append(ev)
            if ev["object"]["resource_id"] == "b":
                break
        # the reconciler may have moved "a" on meanwhile; "b" is there exactly as created
        self.assertEqual({"type": "ADDED", "object": second_made}, seen[-1])
        self.assertTrue(all(e["object"]["resource_id"] == "a" for e in seen[:-1]), seen)

    def test_bad_resource_version_is_400_in_dialect(self):
        for bad in ("abc", "-1", "1.5", "99999999999999999999999"):
            w = self.watch(uniq("wp"), bad)
            self.assertEqual(400, w.status, bad)
            self.assertEqual({"error": "Invalid query parameter",
                              "details": "resourceVersion: must be a number"}, w.body, bad)
            self.assertEqual("application/json", w.headers.get("content-type"))

    def test_watch_needs_a_reader_of_the_project(self):
        w = Watch(self.s, BASE % uniq("wp") + "?watch=true", "not-a-token")
        self.addCleanup(w.close)
        self.assertEqual(401, w.status)
        self.assertEqual("Invalid token", w.body["error"])

    def test_watch_false_is_the_plain_list(self):
        p = uniq("wp")
        r = self.req("GET", BASE % p + "?watch=false", token=self.admin)
        self.expect(r, 200, {"resources": [], "total": 0, "limit": 50, "offset": 0})


NS = "/api/v1/namespaces/%s/%s"


class TestVervericaWatch(WatchBase):
    """The Ververica-style lists: metadata.resourceVersion says where a watch starts; events
    are the objects as GET answers them, errors ApiException/ApiValidationException."""

    def namespace(self, st=None):
        st = st or self.s
        name = uniq("wns")
        r = st.request("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + name},
                       token=st.admin_token)
        self.expect(r, 200)
        return name

    def vvp_list_rv(self, ns, plural, st=None):
        st = st or self.s
        r = st.request("GET", NS % (ns, plural), token=st.admin_token)
        self.expect(r, 200)
        rv = r.body["metadata"]["resourceVersion"]
        self.assertIsInstance(rv, int)
        return rv

    def vvp_watch(self, ns, plural, rv=None, st=None, query=""):
        st = st or self.s
        path = NS % (ns, plural) + "?watch=true" + query
        if rv is not None:
            path += "&resourceVersion=" + str(rv)
        w = Watch(st, path, st.admin_token)
        self.addCleanup(w.close)
        return w

    def test_secret_value_events_equal_get_and_deleted_carries_last_state(self):
        ns = self.namespace()
        rv = self.vvp_list_rv(ns, "secret-values")
        w = self.vvp_watch(ns, "secret-values", rv)
        self.assertEqual(200, w.status, w.body)
        self.assertEqual("text/event-stream", w.headers.get("content-type"))
        self.assertNotIn("content-length", w.headers)
        r = self.req("POST", NS % (ns, "secret-values"),
                     {"metadata": {"name": "s1"}, "spec": {"kind": "PLAIN", "value": "v1"}},
                     token=self.admin)
        made = self.expect(r, 201)
        ev_id, ev = w.next()
        self.assertEqual({"type": "ADDED", "object": made}, ev)
        self.assertEqual(int(ev_id), made["metadata"]["resourceVersion"])
        r = self.req("PATCH", NS % (ns, "secret-values/s1"), {"spec": {"value": "v2"}},
                     token=self.admin)
        patched = self.expect(r, 200)
        _, ev = w.next()
        got = self.expect(self.req("GET", NS % (ns, "secret-values/s1"), token=self.admin), 200)
        self.assertEqual({"type": "MODIFIED", "object": got}, ev)
        self.assertEqual(patched, got)
        r = self.req("DELETE", NS % (ns, "secret-values/s1"), token=self.admin)
        self.expect(r, 200)
        gone_id, gone = w.next()
        # its last state, at the delete's own resourceVersion (as Kubernetes reports it)
        last = dict(got, metadata=dict(got["metadata"], resourceVersion=int(gone_id)))
        self.assertEqual({"type": "DELETED", "object": last}, gone)
        self.assertGreater(int(gone_id), got["metadata"]["resourceVersion"])
        self.assertEqual(int(gone_id), self.vvp_list_rv(ns, "secret-values"))

    def test_watch_shows_its_kind_namespace_and_labels_only(self):
        ns, other = self.namespace(), self.namespace()
        w = self.vvp_watch(ns, "deployments", self.vvp_list_rv(ns, "deployments"),
                           query="&labelSelector=team%3Da")
        self.assertEqual(200, w.status, w.body)
        for where, name, team in [(other, "t1", "a"), (ns, "t2", "b"), (ns, "t3", "a")]:
            body = {"kind": "Deployment", "apiVersion": "v1",
                    "metadata": {"name": name, "labels": {"team": team}},
                    "spec": {"state": "CANCELLED"}}
            r = self.req("POST", NS % (where, "deployments"), body, token=self.admin)
            made = self.expect(r, 201)
        r = self.req("POST", NS % (ns, "secret-values"),
                     {"metadata": {"name": "s1"}, "spec": {"kind": "PLAIN", "value": "v"}},
                     token=self.admin)
        self.expect(r, 201)
        _, ev = w.next()
        self.assertEqual({"type": "ADDED", "object": made}, ev)

    def test_errors_in_the_dialect(self):
        ns = self.namespace()
        w = self.vvp_watch(ns, "deployments", "abc")
        self.assertEqual(400, w.status)
        self.assertEqual({"kind": "ApiValidationException", "apiVersion": "v1",
                          "message": "Validation failed", "statusCode": 400,
                          "errors": [{"attribute": "resourceVersion",
                                      "message": "must be a number"}]}, w.body)
        w = self.vvp_watch(uniq("nope"), "deployments")
        self.assertEqual(404, w.status)
        self.assertEqual("NotFound", w.body["reason"])
        self.assertEqual("ApiException", w.body["kind"])


class TestWatchGrpc(WatchBase):
    """KtrlPlane/WatchResources for internal clients, with Debian's python3-grpcio and the
    message types built from the descriptor set the build generates."""

    @classmethod
    def setUpClass(cls):
        path = os.path.join(harness.bin_dir(), "..", "proto", "gen", "descriptors",
                            "hangar_resources_v1_ktrlplane.pb")
        fds = descriptor_pb2.FileDescriptorSet()
        with open(path, "rb") as f:
            fds.ParseFromString(f.read())
        pool = descriptor_pool.DescriptorPool()
        for fd in fds.file:
            pool.Add(fd)
        factory = message_factory.MessageFactory(pool)
        cls.Req = factory.GetPrototype(
            pool.FindMessageTypeByName("hangar.resources.v1.WatchResourcesRequest"))
        cls.Event = factory.GetPrototype(
            pool.FindMessageTypeByName("hangar.resources.v1.ResourceEvent"))

    def open(self, project, rv=""):
        ch = grpc.insecure_channel("unix:" + self.s._p("resources.sock"))
        self.addCleanup(ch.close)
        call = ch.unary_stream("/hangar.resources.v1.KtrlPlane/WatchResources",
                               request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=self.Event.FromString)
        it = call(self.Req(project_id=project, resourceVersion=rv),
                  metadata=[("authorization", "Bearer " + self.admin)], timeout=30)
        self.addCleanup(it.cancel)
        return it

    def test_grpc_watch_bookmark_then_events(self):
        p = uniq("gp")
        rv = self.list_rv(p)
        it = self.open(p, str(rv))
        first = next(it)
        self.assertEqual("BOOKMARK", first.type)
        self.assertEqual(str(rv), first.resourceVersion)
        self.assertFalse(first.HasField("object"))
        made = self.create(p, "g1")
        ev = next(it)
        self.assertEqual("ADDED", ev.type)
        self.assertGreater(int(ev.resourceVersion), rv)
        got = {"resource_id": ev.object.resource_id, "project_id": ev.object.project_id,
               "name": ev.object.name, "type": ev.object.type, "sku": ev.object.sku,
               "status": ev.object.status, "created_at": ev.object.created_at,
               "updated_at": ev.object.updated_at,
               "settings_json": json.loads(ev.object.settings_json.json or "{}")}
        self.assertEqual(made, got)

    def test_grpc_watch_without_version_starts_now(self):
        p = uniq("gp")
        self.create(p, "before")
        it = self.open(p)
        first = next(it)
        self.assertEqual("BOOKMARK", first.type)
        self.assertRegex(first.resourceVersion, r"^[1-9][0-9]*$")
        made = self.create(p, "after")
        ev = next(it)
        while ev.object.resource_id == "before":  # its reconciler transition, after now
            ev = next(it)
        self.assertEqual(("ADDED", made["resource_id"]), (ev.type, ev.object.resource_id))

    def test_grpc_bad_version_is_invalid_argument(self):
        it = self.open(uniq("gp"), "x1")
        with self.assertRaises(grpc.RpcError) as cm:
            next(it)
        self.assertEqual(grpc.StatusCode.INVALID_ARGUMENT, cm.exception.code())


class TestWatchAcrossRestart(WatchBase):
    """1,000 writes followed across a restart of resources-svc, on a stack of its own
    whose reconciler never acts during the test (a long provisioning time), so that every
    event is one of the test's writes."""

    WRITES = 1000

    @classmethod
    def setUpClass(cls):
        cls.st = harness.Stack(provision_delay_ms=600000)
        cls.st.start()

    @classmethod
    def tearDownClass(cls):
        cls.st.stop()

    def write(self, p, i):
        """PUT name w-<i> until acknowledged (503 while resources-svc restarts)."""
        for _ in range(200):
            r = self.st.request("PUT", RES % (p, "r%d" % (i % 10)), {"name": "w-%d" % i},
                                token=self.st.admin_token)
            if r.status == 200:
                return
            self.assertEqual(503, r.status, r)
            time.sleep(0.05)
        self.fail("write %d never acknowledged" % i)

    def follow(self, p, rv, wanted, seen, ids, ready):
        """Reads events into seen until `wanted` names arrived, reconnecting (as a Kubernetes
        client does) from the last id it saw whenever the stream ends."""
        last = rv
        while len(seen) < wanted:
            w = Watch(self.st, BASE % p + "?watch=true&resourceVersion=%d" % last,
                      self.st.admin_token)
            try:
                if w.status == 503:
                    time.sleep(0.05)
                    continue
                self.assertEqual(200, w.status, w.body)
                while len(seen) < wanted:
                    if len(seen) == self.WRITES // 4 and not ready.is_set():
                        ready.set()  # main thread restarts the service now
                        self.resume.wait(60)
                    ev_id, ev = w.next()
                    ids.append(int(ev_id))
                    seen.append(ev)
                    last = int(ev_id)
            except (EOFError, ConnectionError, http.client.HTTPException):
                self.reconnects += 1
            finally:
                w.close()

    def test_thousand_writes_each_seen_once_in_order_across_restart(self):
        p = uniq("rp")
        for i in range(10):
            self.create(p, "r%d" % i, st=self.st)
        rv = self.list_rv(p, st=self.st)
        seen, ids = [], []
        ready, self.resume, self.reconnects = threading.Event(), threading.Event(), 0
        errors = []

        def reader():
            try:
                self.follow(p, rv, self.WRITES, seen, ids, ready)
            except BaseException as e:  # reported by the main thread
                errors.append(e)
                ready.set()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        for i in range(self.WRITES // 2):
            self.write(p, i)
        # The reader has stopped reading at a quarter: the service restarts while its watch
        # is open and behind; what it has not read yet comes back from the change log.
        self.assertTrue(ready.wait(60), "the reader never reached a quarter")
        self.assertEqual([], errors)
        self.st.restart("resources-svc")
        self.resume.set()
        for i in range(self.WRITES // 2, self.WRITES):
            self.write(p, i)
        t.join(120)
        self.assertFalse(t.is_alive(), "the reader did not see every write (%d)" % len(seen))
        self.assertEqual([], errors)
        self.assertGreaterEqual(self.reconnects, 1, "the restart did not end the stream")
        self.assertEqual(["w-%d" % i for i in range(self.WRITES)],
                         [e["object"]["name"] for e in seen])
        self.assertEqual(["MODIFIED"] * self.WRITES, [e["type"] for e in seen])
        self.assertEqual(sorted(set(ids)), ids, "revisions must strictly increase")
        # the last event is what GET answers for its object
        last = seen[-1]["object"]
        r = self.st.request("GET", RES % (p, last["resource_id"]), token=self.st.admin_token)
        self.expect(r, 200, last)

    def test_version_older_than_retention_is_410(self):
        p = uniq("gone")
        ns = uniq("gns")
        r = self.st.request("POST", "/namespaces/v1/namespaces", {"name": "namespaces/" + ns},
                            token=self.st.admin_token)
        self.expect(r, 200)
        self.create(p, "g0", st=self.st)
        old = self.list_rv(p, st=self.st)
        self.st.restart("resources-svc", watch_retention=5)
        try:
            for i in range(8):
                r = self.st.request("PUT", RES % (p, "g0"), {"name": "n%d" % i},
                                    token=self.st.admin_token)
                self.expect(r, 200)
            w = self.watch(p, old, st=self.st)
            self.assertEqual(410, w.status, w.body)
            self.assertEqual("application/json", w.headers.get("content-type"))
            self.assertEqual({"error": "Resource version too old: list again for a current one"},
                             w.body)
            # a version the log still holds is served: the last two writes follow it
            now = self.list_rv(p, st=self.st)
            w = self.watch(p, now - 2, st=self.st)
            self.assertEqual(200, w.status, w.body)
            self.assertEqual(["n6", "n7"], [w.next()[1]["object"]["name"] for _ in range(2)])
            # the same on the Ververica surface, in its dialect
            w = Watch(self.st, NS % (ns, "deployments") + "?watch=true&resourceVersion=%d"
                      % old, self.st.admin_token)
            self.addCleanup(w.close)
            self.assertEqual(410, w.status, w.body)
            self.assertEqual({"kind": "ApiException", "apiVersion": "v1",
                              "message": "The resourceVersion is too old: list again for a "
                                         "current one",
                              "reason": "Expired", "statusCode": 410, "context": {}}, w.body)
        finally:
            self.st.restart("resources-svc")


if __name__ == "__main__":
    harness.main()
