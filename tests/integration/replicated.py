"""scripts/run-replicated under test (not a test itself): Cluster starts it on free loopback
ports in a temp dir, with a log file per process, and always stops it (SIGTERM to the
supervisor, then SIGKILL to anything a pid file still names) however the test ends. It
knows where the supervisor keeps each process's pid, reads the supervisor's log, the etcd
members' state and a replica's own counters. Used by test_etcd_cluster.py (on etcd) and
test_supervisor.py (on LMDB, no etcd).
"""

import base64
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
START_TIMEOUT = 120.0
METRICS_LINE = re.compile(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")


def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Cluster:
    """scripts/run-replicated on free ports in a temp dir; stopped however the test ends.
    store: "etcd" or "lmdb" (run-replicated's --store)."""

    def __init__(self, store="etcd"):
        self.store = store
        self.replicas = 2
        self.tmp = tempfile.mkdtemp(prefix="hgcl-", dir="/tmp")
        self.run = os.path.join(self.tmp, "run")
        self.logs = os.path.join(self.tmp, "logs")
        self.admin = "adm-" + secrets.token_hex(16)
        ports = free_ports(6)
        self.etcd_clients = ports[:3]
        self.env = dict(os.environ, HANGAR_ADMIN_TOKEN=self.admin,
                        HANGAR_JWT_SECRET="sec-" + secrets.token_hex(16),
                        HANGAR_ETCD_CLIENT_PORTS=",".join(map(str, ports[:3])),
                        HANGAR_ETCD_PEER_PORTS=",".join(map(str, ports[3:])))
        self.env.pop("HANGAR_MYSQL_DSN", None)
        self.popen = None
        self.host, self.port = "127.0.0.1", None

    def launch(self, http_port=0):
        """Starts the supervisor (http_port 0: a free one for the gateway)."""
        self.ready = os.path.join(self.run, "replicated.ready")
        with open(os.path.join(self.tmp, "supervisor.log"), "ab") as out:
            self.popen = subprocess.Popen(
                [os.path.join(SCRIPTS, "run-replicated"), "--bin-dir", harness.bin_dir(),
                 "--data-dir", os.path.join(self.tmp, "data"), "--run-dir", self.run,
                 "--store", self.store, "--replicas", str(self.replicas), "--http-port", str(http_port),
                 "--metrics-base", "0", "--log-level", "info", "--log-dir", self.logs,
                 "--ready-file", self.ready],
                stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=self.env,
                preexec_fn=harness._child_setup)

    def start(self):
        """launch(), then waits until everything serves."""
        self.launch()
        deadline = time.monotonic() + START_TIMEOUT
        while not (os.path.exists(self.ready) and os.path.getsize(self.ready)):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the replicated stack did not start\n" + self.describe())
            time.sleep(0.1)
        self.gateway_port()

    def gateway_port(self):
        """The port the gateway's ready file names (a restarted gateway may have a new one
        when started on port 0)."""
        with open(os.path.join(self.run, "gateway.ready")) as f:
            self.port = int(f.read().strip().rsplit(":", 1)[1])
        return self.port

    def stop(self):
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                sys.stderr.write("replicated: the supervisor ignored SIGTERM\n" + self.describe())
                self.popen.kill()
                self.popen.wait()
        # Whatever it left behind (it removes the pid file of each process it stopped).
        for name in os.listdir(self.run) if os.path.isdir(self.run) else ():
            if name.endswith(".pid"):
                try:
                    os.kill(self.pid(name[:-4]), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        if os.environ.get("HANGAR_KEEP_TMP"):
            sys.stderr.write("replicated: kept %s\n" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def describe(self):
        text = "--- supervisor:\n" + harness.tail(os.path.join(self.tmp, "supervisor.log"))
        for name in sorted(os.listdir(self.logs)) if os.path.isdir(self.logs) else ():
            text += "\n--- %s:\n%s" % (name, harness.tail(os.path.join(self.logs, name), 1500))
        return text

    def supervisor_log(self):
        return harness.tail(os.path.join(self.tmp, "supervisor.log"), 200000)

    def log(self, name):
        """name's own log (every start of it, appended)."""
        return harness.tail(os.path.join(self.logs, name + ".log"), 200000)

    def pid(self, name):
        with open(os.path.join(self.run, name + ".pid")) as f:
            return int(f.read())

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if "X-StorageApi-Token" not in h:
            h["Authorization"] = "Bearer " + self.admin
        return harness.http_request(self.host, self.port, method, path, body=body, headers=h)

    # -- etcd -----------------------------------------------------------------------------
    def etcd_status(self, port):
        """etcd's maintenance Status (its JSON gateway): member_id and leader, or None."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("POST", "/v3/maintenance/status", body=b"{}")
            r = conn.getresponse()
            body = json.loads(r.read())
            conn.close()
            return body if r.status == 200 else None
        except (OSError, ValueError):
            return None

    def etcd_leader(self):
        """The number (1..3) of the member that leads now."""
        for n, port in enumerate(self.etcd_clients, 1):
            st = self.etcd_status(port)
            if st and st.get("leader") and st["header"]["member_id"] == st["leader"]:
                return n
        return None

    def etcd_get(self, key):
        """key's value (text) as any member serves it now, or None (absent, or no member
        answered). etcd's JSON gateway: keys and values travel base64."""
        body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
        for port in self.etcd_clients:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("POST", "/v3/kv/range", body=body)
                r = conn.getresponse()
                answer = json.loads(r.read())
                conn.close()
            except (OSError, ValueError):
                continue
            if r.status != 200:
                continue
            kvs = answer.get("kvs") or []
            return base64.b64decode(kvs[0]["value"]).decode() if kvs else None
        return None

    def replica_of(self, leader_id, service):
        """The replica of service ("resources-svc-2") whose process is leader_id, an
        election's "<host>:<pid>" (storage/etcd_leader_gate.c); None when none is."""
        if not leader_id or ":" not in leader_id:
            return None
        pid = int(leader_id.rsplit(":", 1)[1])
        for n in range(1, self.replicas + 1):
            name = "%s-%d" % (service, n)
            try:
                if self.pid(name) == pid:
                    return name
            except (OSError, ValueError):
                pass
        return None

    def etcd_healthy(self, n):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.etcd_clients[n - 1], timeout=2)
            conn.request("GET", "/health")
            ok = json.loads(conn.getresponse().read()).get("health") == "true"
            conn.close()
            return ok
        except (OSError, ValueError):
            return False

    # -- a replica's own counters ---------------------------------------------------------
    def handled(self, name):
        """name's unary calls answered so far (its own /metrics, at the port its last start
        logged)."""
        found = METRICS_LINE.findall(self.log(name))
        if not found:
            return None
        try:
            r = harness.http_request("127.0.0.1", int(found[-1]), "GET", "/metrics")
        except OSError:
            return None
        total = 0.0
        for line in r.raw.decode().splitlines():
            if line.startswith("grpc_server_handled_total{") and \
                    'grpc_service="grpc.health.v1.Health"' not in line:
                total += float(line.rsplit(" ", 1)[1])
        return total
