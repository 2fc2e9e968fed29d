"""Watch across replicas (issue 15): 1,000 KtrlPlane writes followed through the gateway by
a `?watch=true&resourceVersion=N` stream while two replicas of resources-svc share one etcd
member, and the replica serving the stream is SIGKILLed and restarted, twice. A Ververica
secret-values watch runs alongside, under a write of its own for every third KtrlPlane one.

- The writes (creates, updates, deletes mixed; one writer per surface, so each surface's
  writes have one order) go round-robin over both replicas, which the replicas' own
  grpc_server_handled_total shows. The reconciler never acts (a ten-minute provisioning
  time), so every event is one of the test's writes.
- Which replica serves a stream: the one whose grpc_server_started_total for the watch
  method is ahead of its grpc_server_handled_total (its own --metrics-listen). The gateway
  opens each watch on one healthy replica (round-robin) and ends the answer when that
  replica dies; the client then reconnects with Last-Event-ID, as a documented client
  (EventSource) does. The gateway must open that on the live replica even when it picks
  the dead one first: a reconnect answered 503 while both replicas were up, or one was
  killed and the other up, fails the test (EventSource would stop for good).
- The first kill is of the replica serving the KtrlPlane watch, the second (once the
  gateway uses both replicas again) of the one serving the Ververica watch, so each watch
  has at least one reconnect. Both happen while the writes run.
- Each watch must see every acknowledged write exactly once, in the order the writes were
  made (which is revision order: each writer waits for its acknowledgement), with ids that
  only increase. A write answered 503 (it reached the killed replica, which may have made
  it) may be seen at most once, in its place; its object is written no more. No event that
  is not a write. Each event's object is what the write answered (for a KtrlPlane delete:
  what GET answered after it), which is what GET answers at that version; a DELETED carries
  the object's last state at the delete's version; and replaying each stream gives exactly
  what the lists answer at the end.

Plain build only (ctest label etcd), like test_etcd_cluster.py: Debian's etcd-server.
"""

import http.client
import json
import os
import random
import secrets
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import HangarTest  # noqa: E402
from replicated import free_ports  # noqa: E402

KTRL = "/api/v1/projects/%s/resources"
VVP = "/api/v1/namespaces/%s/secret-values"
KTRL_WRITES = 1000
REPLICAS = ("resources-svc", "resources-svc-2")
WATCH_METHODS = {"ktrl": "WatchResources", "vvp": "WatchObjects"}
WRITE_METHODS = ("CreateResource", "UpdateResource", "DeleteResource", "CreateObject",
                 "PatchObject", "DeleteObject")
READ_TIMEOUT = 30.0  # a live stream writes a heartbeat every 5 s
END_TIMEOUT = 120.0  # bounds a hung run only: a passing one ends long before


def clean_503(r):
    """A 503 in the dialect of the route (KtrlPlane's {"error"}, Ververica's ApiException)."""
    if r.status != 503 or not r.is_json or not isinstance(r.body, dict):
        return False
    if r.path.startswith("/api/v1/namespaces/"):
        return r.body.get("kind") == "ApiException" and r.body.get("statusCode") == 503
    return isinstance(r.body.get("error"), str) and set(r.body) <= {"error", "details"}


# --------------------------------------------------------------------------------------------
# The client: an EventSource over http.client

class Follower(threading.Thread):
    """Follows one watch until it sees the event `done(ev)` says is the last: the first
    request names resourceVersion=N, every reconnect sends Last-Event-ID (the last id seen,
    or N) as EventSource does; a stream that ends or breaks is reconnected, a 503 kept in
    `refused` (the test allows none) and retried. events: [(id, data)]."""

    def __init__(self, st, path, start_rv, done):
        super().__init__(daemon=True)
        self.st, self.path, self.last, self.done = st, path, start_rv, done
        self.events, self.reconnects, self.refused, self.error = [], 0, [], None
        self.finished = False

    def run(self):
        try:
            first = True
            while not self.finished:
                self.follow_once(first)
                first = False
        except BaseException as e:  # reported by the test
            self.error = e

    def follow_once(self, first):
        hdrs = {"Authorization": "Bearer " + self.st.admin_token}
        path = self.path + "?watch=true"
        if first:
            path += "&resourceVersion=%d" % self.last
        else:
            hdrs["Last-Event-ID"] = str(self.last)
        conn = http.client.HTTPConnection(self.st.host, self.st.port, timeout=READ_TIMEOUT)
        try:
            conn.request("GET", path, headers=hdrs)
            resp = conn.getresponse()
            if resp.status != 200:
                r = harness.Resp(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                                 resp.read(), "GET", path)
                if not clean_503(r):
                    raise AssertionError("watch answered %r" % (r,))
                self.refused.append(r)
                time.sleep(0.05)
                return
            if resp.getheader("content-type") != "text/event-stream":
                raise AssertionError("watch content type %r" % resp.getheader("content-type"))
            self.read_events(resp)
        except (EOFError, ConnectionError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        if not self.finished:
            self.reconnects += 1

    def read_events(self, resp):
        ev_id, data = None, None
        while True:
            line = resp.readline()
            if not line:
                raise EOFError("the stream ended")
            line = line.decode("utf-8").rstrip("\n")
            if line.startswith(":"):
                continue
            if line:
                key, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if key == "id":
                    ev_id = int(value)
                elif key == "data":
                    data = json.loads(value)
                continue
            if data is None:
                continue
            self.events.append((ev_id, data))
            self.last = ev_id
            if self.done(data):
                self.finished = True
                return
            ev_id, data = None, None


# --------------------------------------------------------------------------------------------
# The writers: each records every write it made and what it must show up as in the watch

class Write:
    """One write: its op, its object, the tag its event carries, its answer ("acked" or
    "doubt": 503, it may have been made) and the event it must be (acked writes)."""

    def __init__(self, op, key, tag):
        self.op, self.key, self.tag = op, key, tag
        self.outcome, self.want = None, None


class Writer(threading.Thread):
    """Writes to one surface until `count` writes are made (None: until told to stop),
    the mix drawn from a seeded generator: a create while fewer than 4 objects are live,
    else 20% creates, 60% updates, 20% deletes. An object whose write was answered 503 is
    written no more. pace: another writer; this one then makes a write for every third of
    that one's, so that both run through the same kills."""

    def __init__(self, test, count=None, seed=15, pace=None):
        super().__init__(daemon=True)
        self.t, self.st, self.count, self.pace = test, test.st, count, pace
        self.rng = random.Random(seed)
        self.log, self.live, self.error = [], [], None
        self.stop = threading.Event()
        self.n = 0
        self.turns = threading.Semaphore(0)  # writes another writer paced by this one may make

    def run(self):
        try:
            while not self.stop.is_set() and (self.count is None or self.n < self.count):
                if self.pace and not self.pace.turns.acquire(timeout=0.1):
                    continue
                roll = self.rng.random()
                if len(self.live) < 4 or roll < 0.2:
                    self.create()
                elif roll < 0.8:
                    self.update(self.rng.choice(self.live))
                else:
                    key = self.rng.choice(self.live)
                    self.live.remove(key)
                    self.delete(key)
                self.n += 1
                if self.n % 3 == 0:
                    self.turns.release()
        except BaseException as e:  # reported by the test
            self.error = e

    def request(self, method, path, body=None):
        return self.st.request(method, path, body, token=self.st.admin_token)

    def settle(self, w, r, ok_status):
        """Records w's answer; False when it is in doubt (the object then leaves the mix)."""
        self.log.append(w)
        if r.status == ok_status:
            w.outcome = "acked"
            return True
        if not clean_503(r):
            raise AssertionError("write answered %r" % (r,))
        w.outcome = "doubt"
        if w.key in self.live:
            self.live.remove(w.key)
        return False

    def read(self, path):
        """GET, repeated while 503 (a read is safe to repeat)."""
        for _ in range(200):
            r = self.request("GET", path)
            if r.status != 503:
                return r
            time.sleep(0.05)
        raise AssertionError("GET %s: 503 for 10 s" % path)


class KtrlWriter(Writer):
    """KtrlPlane: a create is ADDED (status creating), an update MODIFIED (updating), both
    tagged by a name no other write uses; a delete is MODIFIED to status deleting (the
    reconciler never removes it), tagged by its object."""

    def __init__(self, test, project, count):
        super().__init__(test, count)
        self.project = project

    def create(self):
        rid = "r%d" % self.n
        w = Write("create", rid, "w-%d" % self.n)
        r = self.request("POST", KTRL % self.project,
                         {"id": rid, "name": w.tag, "type": "Konnektr.Graph"})
        if self.settle(w, r, 201):
            w.want = {"type": "ADDED", "object": r.body}
            self.live.append(rid)

    def update(self, rid):
        w = Write("update", rid, "w-%d" % self.n)
        r = self.request("PUT", (KTRL % self.project) + "/" + rid, {"name": w.tag})
        if self.settle(w, r, 200):
            w.want = {"type": "MODIFIED", "object": r.body}

    def delete(self, rid):
        w = Write("delete", rid, ("deleting", rid))
        r = self.request("DELETE", (KTRL % self.project) + "/" + rid)
        if self.settle(w, r, 202):
            got = self.read((KTRL % self.project) + "/" + rid)
            self.t.expect(got, 200)
            self.t.assertEqual("deleting", got.body["status"], got)
            w.want = {"type": "MODIFIED", "object": got.body}

    @staticmethod
    def tag_of(ev):
        obj = ev["object"]
        return ("deleting", obj["resource_id"]) if obj["status"] == "deleting" else obj["name"]


class VvpWriter(Writer):
    """Ververica secret-values: a create is ADDED, a patch MODIFIED, each tagged by a value
    no other write uses and at the version its answer names; a delete is DELETED with the
    last state at the delete's own version, tagged by its object."""

    def __init__(self, test, ns, pace):
        super().__init__(test, None, seed=16, pace=pace)
        self.ns = ns

    def create(self):
        name = "s%d" % self.n
        w = Write("create", name, "v-%d" % self.n)
        r = self.request("POST", VVP % self.ns,
                         {"metadata": {"name": name}, "spec": {"kind": "PLAIN", "value": w.tag}})
        if self.settle(w, r, 201):
            w.want = {"type": "ADDED", "object": r.body}
            self.live.append(name)

    def update(self, name):
        w = Write("update", name, "v-%d" % self.n)
        r = self.request("PATCH", (VVP % self.ns) + "/" + name, {"spec": {"value": w.tag}})
        if self.settle(w, r, 200):
            w.want = {"type": "MODIFIED", "object": r.body}

    def delete(self, name):
        w = Write("delete", name, ("deleted", name))
        r = self.request("DELETE", (VVP % self.ns) + "/" + name)
        if self.settle(w, r, 200):
            # The last state; the event shows it at the delete's version (checked there).
            w.want = {"type": "DELETED", "object": r.body}

    @staticmethod
    def tag_of(ev):
        obj = ev["object"]
        return ("deleted", obj["metadata"]["name"]) if ev["type"] == "DELETED" else \
            obj["spec"]["value"]


# --------------------------------------------------------------------------------------------

METRICS = {}  # replica -> the port of its own /metrics (the same after a restart)


def setUpModule():
    METRICS.update(zip(REPLICAS, free_ports(len(REPLICAS))))
    extra = {name: [("--metrics-listen", "127.0.0.1:%d" % port)]
             for name, port in METRICS.items()}
    extra["gateway"] = [("--upstream-health-interval-ms", "200")]
    harness.module_stack(store="etcd", replicas={"resources-svc": 2},
                         provision_delay_ms=600000, extra_args=extra)


def tearDownModule():
    harness.module_teardown()


class WatchAcrossReplicas(HangarTest):
    allow_5xx = True  # writes in flight to a killed replica answer 503 (checked clean)

    @property
    def st(self):
        return self.s

    # -- a replica's own counters -----------------------------------------------------------
    def counters(self, name):
        """{(method, "started"|"handled"): n} from name's /metrics; {} while it is down."""
        try:
            r = harness.http_request("127.0.0.1", METRICS[name], "GET", "/metrics",
                                     timeout=5)
        except OSError:
            return {}
        out = {}
        for line in r.raw.decode().splitlines():
            for kind in ("started", "handled"):
                if line.startswith("grpc_server_%s_total{" % kind) and \
                        "grpc.health.v1" not in line:
                    method = line.split('grpc_method="', 1)[1].split('"', 1)[0]
                    key = (method, kind)
                    out[key] = out.get(key, 0) + float(line.rsplit(" ", 1)[1])
        return out

    def serving(self, surface):
        """The replicas holding an open stream of surface's watch."""
        m = WATCH_METHODS[surface]
        return [n for n in REPLICAS
                if (lambda c: c.get((m, "started"), 0) > c.get((m, "handled"), 0))(
                    self.counters(n))]

    def writes_answered(self, name):
        """The writes name answered since it started."""
        c = self.counters(name)
        return sum(v for (m, kind), v in c.items() if kind == "handled" and m in WRITE_METHODS)

    def replicas_up(self):
        """Whether the gateway uses every resources-svc replica (hangar_upstream_up 1): what
        an operator waits for before taking the next one down."""
        r = self.st.request("GET", "/metrics")
        self.expect(r, 200)
        up = [line for line in r.raw.decode().splitlines()
              if line.startswith('hangar_upstream_up{upstream="resources",')]
        return len(up) == len(REPLICAS) and all(line.endswith(" 1") for line in up)

    def kill_serving(self, surface, writer):
        """Once every replica is up, SIGKILLs the one serving surface's watch and starts it
        again; its name, and how many writes writer had made when it died."""
        self.poll(self.replicas_up, 20.0, "the gateway to use every replica")
        name = self.poll(lambda: (lambda s: s[0] if len(s) == 1 else None)(self.serving(surface)),
                         20.0, "one replica serving the %s watch" % surface)
        written = writer.n
        self.st.kill(name, signal.SIGKILL)
        self.st.restart(name)
        return name, written

    # -- the streams against the writes -------------------------------------------------
    def check_stream(self, label, follower, writer, sentinel):
        """Every acknowledged write exactly once, in write order, as it was answered; a
        write in doubt at most once, in its place; nothing else; ids increasing."""
        events = follower.events
        ids = [i for i, _ in events]
        self.assertEqual(sorted(set(ids)), ids, "%s: ids must strictly increase" % label)
        self.assertEqual(sentinel, events[-1][1], "%s: the stream ends at the sentinel" % label)
        index = {w.tag: n for n, w in enumerate(writer.log)}
        seen = []
        for ev_id, ev in events[:-1]:
            tag = writer.tag_of(ev)
            self.assertIn(tag, index, "%s: event %d is no write of the test: %r"
                          % (label, ev_id, ev))
            seen.append((index[tag], ev_id, ev))
        order = [n for n, _, _ in seen]
        self.assertEqual(sorted(set(order)), order,
                         "%s: each write at most once, in the order made" % label)
        made = set(order)
        missed = [w.tag for w in writer.log if w.outcome == "acked" and index[w.tag] not in made]
        self.assertEqual([], missed, "%s: acknowledged writes never seen" % label)
        for n, ev_id, ev in seen:
            w = writer.log[n]
            if w.outcome == "doubt":
                continue
            want = w.want
            if "metadata" in want["object"]:  # Ververica: the version is the event's id
                if w.op == "delete":
                    self.assertGreater(ev_id, want["object"]["metadata"]["resourceVersion"])
                else:
                    self.assertEqual(want["object"]["metadata"]["resourceVersion"], ev_id)
                obj = dict(want["object"], metadata=dict(want["object"]["metadata"],
                                                         resourceVersion=ev_id))
                want = {"type": want["type"], "object": obj}
            self.assertEqual(want, ev, "%s: event %d of write %s" % (label, ev_id, w.tag))
        return sum(1 for w in writer.log if w.outcome == "doubt"), len(seen)

    def replay(self, events, key):
        """What the stream says exists now: {key: object} after every event."""
        state = {}
        for _, ev in events:
            k = key(ev["object"])
            if ev["type"] == "DELETED":
                self.assertIn(k, state, "DELETED of an object never added: %r" % ev)
                del state[k]
            else:
                self.assertEqual(ev["type"] == "ADDED", k not in state, ev)
                state[k] = ev["object"]
        return state

    def ktrl_list(self, project):
        """Every resource of project, page by page."""
        out = []
        while True:
            r = self.st.request("GET", KTRL % project + "?limit=100&offset=%d" % len(out),
                                token=self.st.admin_token)
            out += self.expect(r, 200)["resources"]
            if len(out) >= r.body["total"]:
                return out

    def sentinel(self, method, path, body, ok):
        """The last write of a surface, after the kills: made until acknowledged (a 409
        after a 503 means the 503'd attempt was made)."""
        for _ in range(100):
            r = self.st.request(method, path, body, token=self.st.admin_token)
            if r.status == ok:
                return r.body
            self.assertTrue(clean_503(r), r)
            time.sleep(0.05)
        self.fail("the sentinel write was never acknowledged")

    def test_thousand_writes_each_seen_once_in_order_across_replica_kills(self):
        st = self.st
        project, ns = "wr-" + secrets.token_hex(3), "wrns-" + secrets.token_hex(3)
        self.expect(st.request("POST", "/namespaces/v1/namespaces",
                               {"name": "namespaces/" + ns}, token=st.admin_token), 200)
        r = st.request("GET", KTRL % project, token=st.admin_token)
        self.expect(r, 200)
        ktrl_rv = int(r.headers["x-resource-version"])
        r = st.request("GET", VVP % ns, token=st.admin_token)
        vvp_rv = self.expect(r, 200)["metadata"]["resourceVersion"]

        ktrl_follow = Follower(st, KTRL % project, ktrl_rv,
                               lambda ev: ev["object"].get("resource_id") == "end")
        vvp_follow = Follower(st, VVP % ns, vvp_rv,
                              lambda ev: ev["object"]["metadata"]["name"] == "end")
        ktrl_write = KtrlWriter(self, project, KTRL_WRITES)
        vvp_write = VvpWriter(self, ns, pace=ktrl_write)
        try:
            for f in (ktrl_follow, vvp_follow):
                f.start()
            for s in ("ktrl", "vvp"):  # both streams open before the first write
                self.poll(lambda: self.serving(s), 20.0, "the %s watch to open" % s)
            ktrl_write.start()
            vvp_write.start()

            def progress(part):
                self.poll(lambda: ktrl_write.n >= KTRL_WRITES * part / 3 or
                          not ktrl_write.is_alive(), END_TIMEOUT, "writes to progress")
            progress(1)
            spread = {n: self.writes_answered(n) for n in REPLICAS}
            kills = [self.kill_serving("ktrl", ktrl_write)]
            progress(2)
            kills.append(self.kill_serving("vvp", ktrl_write))
            ktrl_write.join(END_TIMEOUT)
            vvp_write.stop.set()
            vvp_write.join(END_TIMEOUT)
            for w in (ktrl_write, vvp_write):
                self.assertFalse(w.is_alive(), "a writer did not finish")
                self.assertIsNone(w.error)
            self.assertEqual(KTRL_WRITES, ktrl_write.n)
            self.assertLess(max(n for _, n in kills), KTRL_WRITES,
                            "the kills happened while the writes ran")

            ktrl_end = self.sentinel("POST", KTRL % project,
                                     {"id": "end", "name": "end", "type": "Konnektr.Graph"}, 201)
            vvp_end = self.sentinel("POST", VVP % ns, {"metadata": {"name": "end"},
                                                       "spec": {"kind": "PLAIN", "value": "end"}},
                                    201)
            for f in (ktrl_follow, vvp_follow):
                f.join(END_TIMEOUT)
                self.assertIsNone(f.error)
                self.assertFalse(f.is_alive(), "a watch did not reach its last write (%d events)"
                                 % len(f.events))
        finally:
            ktrl_write.stop.set()
            vvp_write.stop.set()
            for f in (ktrl_follow, vvp_follow):
                f.finished = True

        # The writes reached both replicas before the first kill.
        self.assertTrue(all(v > 0 for v in spread.values()), spread)
        # Each watch's replica was killed under it, and it came back through the other; no
        # reconnect was refused while a replica could serve it (a watch is a read: the
        # gateway opens it on another replica when the one it picked cannot take it).
        self.assertGreaterEqual(ktrl_follow.reconnects, 1)
        self.assertGreaterEqual(vvp_follow.reconnects, 1)
        self.assertEqual([], ktrl_follow.refused + vvp_follow.refused)

        ktrl_doubt, ktrl_seen = self.check_stream("ktrlplane", ktrl_follow, ktrl_write,
                                                  {"type": "ADDED", "object": ktrl_end})
        vvp_end_ev = {"type": "ADDED", "object": vvp_end}
        vvp_doubt, vvp_seen = self.check_stream("ververica", vvp_follow, vvp_write, vvp_end_ev)

        # Replaying each stream gives what the lists answer now.
        got = self.ktrl_list(project)
        self.assertEqual({o["resource_id"]: o for o in got},
                         self.replay(ktrl_follow.events, lambda o: o["resource_id"]))
        got = self.expect(st.request("GET", VVP % ns, token=st.admin_token), 200)["items"]
        self.assertEqual({o["metadata"]["name"]: o for o in got},
                         self.replay(vvp_follow.events, lambda o: o["metadata"]["name"]))
        sys.stderr.write(
            "watch across replicas: killed %s; ktrlplane %d writes (%d in doubt), %d events, "
            "%d reconnects (%d refused); ververica %d writes (%d in doubt), %d events, "
            "%d reconnects (%d refused); writes each replica answered before the first kill "
            "%s\n"
            % (", ".join("%s at write %d" % k for k in kills), len(ktrl_write.log), ktrl_doubt, ktrl_seen,
               ktrl_follow.reconnects, len(ktrl_follow.refused), len(vvp_write.log), vvp_doubt,
               vvp_seen, vvp_follow.reconnects, len(vvp_follow.refused), spread))


if __name__ == "__main__":
    harness.main()
