"""Shared helpers for Hangar's black-box integration tests (not a test itself).

A Stack starts the real processes (auth-svc, resources-svc, products-svc, gateway) from
$HANGAR_BIN_DIR on loopback with a temporary data directory, waits for their ready files, and
always stops them (SIGTERM, then SIGKILL) however the test run ends. Stack(replicas=
{"products-svc": 2}) adds replicas of a service ("products-svc-2": its own socket, data
directory and files), and whoever calls that service gets the comma list of all of them. With
HANGAR_TEST_STORE=etcd (or Stack(store="etcd")) every Stack starts its own etcd member and
the services store there (--store etcd:..., one prefix per service, shared by its
replicas). Every answer goes through check_spec (spec_check.py, Debian's python3-jsonschema
and python3-yaml); the rest is Python 3's standard library.
"""

import atexit
import base64
import ctypes
import hashlib
import hmac
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
import threading
import time
import unittest
from datetime import datetime, timezone

import spec_check

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BIN_DIRS = [os.path.join(HERE, "..", "..", "build", "bin"), "/work/main/build/bin"]

READY_TIMEOUT = 15.0
STOP_GRACE = 4.0
HTTP_TIMEOUT = 15.0

ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

PROCESS_ORDER = ("auth-svc", "resources-svc", "products-svc", "credentials-svc", "gateway")


def bin_dir():
    d = os.environ.get("HANGAR_BIN_DIR")
    if d:
        return os.path.abspath(d)
    for c in DEFAULT_BIN_DIRS:
        if os.path.exists(os.path.join(c, "gateway")):
            return os.path.abspath(c)
    return os.path.abspath(DEFAULT_BIN_DIRS[0])


# --------------------------------------------------------------------------------------------
# Small utilities

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_ts(text):
    """ISO 8601 UTC ('...Z') -> aware datetime. Raises ValueError when malformed."""
    if not isinstance(text, str) or not ISO_RE.match(text):
        raise ValueError("not an ISO 8601 UTC timestamp: %r" % (text,))
    main, frac = text[:-1], ""
    if "." in main:
        main, frac = main.split(".", 1)
    dt = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    if frac:
        dt = dt.replace(microsecond=int((frac + "000000")[:6]))
    return dt


def wait_for(pred, timeout=10.0, interval=0.05, what="condition"):
    """Polls pred() until it returns a truthy value; returns that value. On timeout raises
    AssertionError naming `what` and the last value pred() returned."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            if callable(what):
                what = what()
            raise AssertionError("timed out after %.1fs waiting for %s; last value: %s"
                                 % (timeout, what, _short(last)))
        time.sleep(interval)


def _short(v, n=1500):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def tail(path, n=4000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - n))
            return f.read().decode("utf-8", "replace")
    except OSError as e:
        return "<cannot read %s: %s>" % (path, e)


# --------------------------------------------------------------------------------------------
# HTTP

class Resp:
    """An HTTP answer. Unpacks as (status, headers, body): headers is a dict with lowercased
    names; body is the parsed JSON when the body parses as JSON, else the raw bytes."""

    def __init__(self, status, headers, raw, method="", path="", sent=None):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.method = method
        self.path = path
        self.sent = sent
        self.body = raw
        self.is_json = False
        if raw:
            try:
                self.body = json.loads(raw.decode("utf-8"))
                self.is_json = True
            except (ValueError, UnicodeDecodeError):
                pass

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        sent = ""
        if self.sent is not None:
            sent = " sent=" + _short(self.sent if len(self.sent) < 600 else
                                     self.sent[:600] + b"...", 700)
        body = self.raw.decode("utf-8", "replace") if isinstance(self.raw, bytes) else self.raw
        if len(body) > 2000:
            body = body[:2000] + "...(%d bytes)" % len(self.raw)
        return "<%s %s%s -> HTTP %s headers=%s body=%s>" % (
            self.method, self.path[:300], sent, self.status, self.headers, body)


def _encode_body(body, raw, headers):
    if raw is not None:
        headers.setdefault("Content-Type", "application/json")
        return raw
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
        return json.dumps(body).encode("utf-8")
    return None


def http_request(host, port, method, path, body=None, headers=None, raw=None, token=None,
                 timeout=HTTP_TIMEOUT, conn=None):
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    payload = _encode_body(body, raw, hdrs)
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        h = {k.lower(): v for k, v in r.getheaders()}
        resp = Resp(r.status, h, data, method, path, payload)
        check_spec(resp)
        return resp
    finally:
        if own:
            conn.close()


def check_spec(resp):
    """Holds the answer to its surface's public spec (spec_check.py); a violation raises
    spec_check.SpecViolation with the answer appended."""
    try:
        spec_check.check(resp.method, resp.path, resp.status, resp.headers, resp.raw)
    except spec_check.SpecViolation as e:
        raise spec_check.SpecViolation("%s\n  answer: %r" % (e, resp)) from None


def raw_exchange(host, port, data, timeout=10.0, half_close=False, chunks=None):
    """Sends raw bytes on a fresh TCP connection (tolerating the server closing early) and
    reads until the server closes or one full HTTP response is read. Returns
    (status or None, headers, body bytes, raw bytes)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        try:
            for piece in ([data] if chunks is None else chunks):
                s.sendall(piece)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf = b""
        try:
            while True:
                got = s.recv(65536)
                if not got:
                    break
                buf += got
                st, h, b, complete = parse_http_response(buf)
                if complete:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        st, h, b, complete = parse_http_response(buf)
        sent = data if chunks is None else b"".join(chunks)
        line = re.match(rb"^([A-Z]+) (/\S*) HTTP/1\.[01]\r?\n", sent or b"")
        if complete and line:
            check_spec(Resp(st, h, b, line.group(1).decode(), line.group(2).decode("latin-1"),
                            sent))
        return st, h, b, buf
    finally:
        s.close()


def parse_http_response(buf):
    """(status, headers, body, complete) from raw bytes of one response (Content-Length or
    chunked); status None when no status line arrived."""
    if b"\r\n\r\n" not in buf:
        return None, {}, b"", False
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, {}, b"", False
    h = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    if "content-length" in h:
        n = int(h["content-length"])
        return status, h, rest[:n], len(rest) >= n
    if "chunked" in h.get("transfer-encoding", "").lower():
        body, pos = b"", 0
        while True:
            end = rest.find(b"\r\n", pos)
            if end < 0:
                return status, h, body, False
            size = int(rest[pos:end].split(b";")[0], 16)
            if size == 0:
                return status, h, body, True
            if len(rest) < end + 2 + size:
                return status, h, body, False
            body += rest[end + 2:end + 2 + size]
            pos = end + 2 + size + 2
    return status, h, rest, False


# --------------------------------------------------------------------------------------------
# Processes

_LIVE_STACKS = []
_PR_SET_PDEATHSIG = 1


def _child_setup():
    # Die with the test runner even if it is SIGKILLed (ctest timeout).
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass
    os.setpgrp()


def _stop_all_stacks():
    for st in list(_LIVE_STACKS):
        try:
            st.stop()
        except Exception as e:  # pragma: no cover - best effort at exit
            sys.stderr.write("harness: stop failed: %s\n" % e)


atexit.register(_stop_all_stacks)


def _on_term(signum, frame):
    _stop_all_stacks()
    raise SystemExit(128 + signum)


if threading.current_thread() is threading.main_thread():
    try:
        signal.signal(signal.SIGTERM, _on_term)
        signal.signal(signal.SIGHUP, _on_term)
    except (ValueError, OSError):
        pass


# The member's limits on one request, as scripts/etcd-local's (a 1 MiB record, the gateway's
# largest body, and its change-log copy outgrow etcd's default 1.5 MiB); the services are
# told them in their store spec (ETCD_LIMITS), so they fill a Txn up to them.
ETCD_MAX_TXN_OPS = 4096
ETCD_MAX_REQUEST_BYTES = 10 << 20
ETCD_LIMITS = "max-txn-ops=%d&max-request-bytes=%d" % (ETCD_MAX_TXN_OPS, ETCD_MAX_REQUEST_BYTES)


class EtcdMember:
    """One etcd member (Debian's etcd-server) on two free loopback ports, its data under
    dir, for a Stack on the etcd engine (HANGAR_TEST_STORE=etcd). Dies with the runner."""

    def __init__(self, dir):
        def free_port():
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]
        self.client = "127.0.0.1:%d" % free_port()
        peer = "http://127.0.0.1:%d" % free_port()
        self.log = os.path.join(dir, "etcd.log")
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                ["/usr/bin/etcd", "--name", "it", "--data-dir", os.path.join(dir, "etcd"),
                 "--listen-client-urls", "http://" + self.client,
                 "--advertise-client-urls", "http://" + self.client,
                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                 "--initial-cluster", "it=" + peer, "--max-txn-ops", str(ETCD_MAX_TXN_OPS),
                 "--max-request-bytes", str(ETCD_MAX_REQUEST_BYTES)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=_child_setup)
        deadline = time.monotonic() + 30
        while not self._healthy():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise StackError("etcd did not start\n" + tail(self.log))
            time.sleep(0.05)

    def _healthy(self):
        try:
            c = http.client.HTTPConnection(self.client, timeout=1)
            c.request("GET", "/health")
            return b'"health":"true"' in c.getresponse().read()
        except OSError:
            return False

    def stop(self):
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()


def store_engine():
    """The engine the services store on: "etcd" when HANGAR_TEST_STORE says so (each Stack
    then starts its own etcd member and gives every service --store etcd:...), else LMDB."""
    return "etcd" if os.environ.get("HANGAR_TEST_STORE") == "etcd" else "lmdb"


class StackError(RuntimeError):
    pass


class Proc:
    def __init__(self, name, args, binary=None):
        self.name = name
        self.binary = binary or name
        self.args = args          # list of (flag, value)
        self.popen = None
        self.expected_down = False
        self.starts = 0


class Stack:
    """The processes on loopback. Use as a context manager, or start()/stop()."""

    def __init__(self, provision_delay_ms=200, auth_cache_ttl=1, log_level="warn",
                 mysql_dsn="", job_delay_ms=200, extra_args=None, env=None, replicas=None,
                 store=None):
        """extra_args: {process name: [(flag, value), ...]} appended to its defaults.
        env: {variable: value} added to every process's environment (as it is at each
        start, so a test may change os.environ before a restart).
        replicas: {service: count}: count processes of that service, the first named as
        usual and the others "<service>-2", "<service>-3"... (extra_args by those names).
        store: "etcd" or "lmdb"; None: store_engine() (HANGAR_TEST_STORE)."""
        self.bin_dir = bin_dir()
        self.replicas = dict(replicas or {})
        self.order = []  # PROCESS_ORDER, each service followed by its extra replicas
        for name in PROCESS_ORDER:
            self.order += [name] + ["%s-%d" % (name, i)
                                    for i in range(2, self.replicas.get(name, 1) + 1)]
        self.extra_args = extra_args or {}
        self.env = dict(env or {})
        self.admin_token = "adm-" + secrets.token_hex(16)
        self.jwt_secret = "sec-" + secrets.token_hex(16)
        self.provision_delay_ms = provision_delay_ms
        self.mysql_dsn = mysql_dsn
        self.job_delay_ms = job_delay_ms
        self.auth_cache_ttl = auth_cache_ttl
        self.log_level = log_level
        self.tmp = None
        self.procs = {}
        self.host = "127.0.0.1"
        self.port = None
        self._started = False
        self.store = store or store_engine()
        self.etcd = None  # an EtcdMember when self.store == "etcd"

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def _p(self, *parts):
        return os.path.join(self.tmp, *parts)

    def _default_args(self, name):
        return self._base_args(name) + list(self.extra_args.get(name, ()))

    def _binary(self, name):
        """The executable of a process: a replica "products-svc-2" runs products-svc."""
        m = re.match(r"^(.*-svc)-(\d+)$", name)
        return m.group(1) if m else name

    def _addresses(self, service, sock):
        """The comma list of service's replicas' sockets (sock is the first one's)."""
        stem = sock[:-len(".sock")]
        socks = [sock] + ["%s-%d.sock" % (stem, i)
                          for i in range(2, self.replicas.get(service, 1) + 1)]
        return ",".join("unix:" + self._p(s) for s in socks)

    def _replica_args(self, name):
        """A replica's arguments: its service's, with its own socket, data directory and
        ready file ("products-2.sock", "products-2", "products-2.ready")."""
        base, n = re.match(r"^(.*)-(\d+)$", name).groups()
        stem = base[:-len("-svc")]
        own = {stem + ".sock": "%s-%s.sock" % (stem, n), stem + ".ready": "%s-%s.ready" % (stem, n)}
        out = []
        for flag, val in self._base_args(base):
            if flag in ("--listen", "--ready-file"):
                for old, new in own.items():
                    val = val.replace(self._p(old), self._p(new))
            elif flag == "--data-dir":
                val = self._p("%s-%s" % (stem, n))
            out.append((flag, val))
        return out

    def _base_args(self, name):
        t = self._p
        if self._binary(name) != name:
            return self._replica_args(name)
        if name == "auth-svc":
            return [("--listen", "unix:" + t("auth.sock")), ("--data-dir", t("auth")),
                    ("--admin-token", self.admin_token), ("--jwt-secret", self.jwt_secret),
                    ("--ready-file", t("auth.ready")), ("--log-level", self.log_level)]
        if name == "resources-svc":
            return [("--listen", "unix:" + t("resources.sock")), ("--data-dir", t("resources")),
                    ("--auth", self._addresses("auth-svc", "auth.sock")),
                    ("--provision-delay-ms", str(self.provision_delay_ms)),
                    ("--auth-cache-ttl-seconds", str(self.auth_cache_ttl)),
                    ("--ready-file", t("resources.ready")), ("--log-level", self.log_level)]
        if name == "products-svc":
            return [("--listen", "unix:" + t("products.sock")), ("--data-dir", t("products")),
                    ("--auth", self._addresses("auth-svc", "auth.sock")),
                    ("--auth-cache-ttl-seconds", str(self.auth_cache_ttl)),
                    ("--ready-file", t("products.ready")), ("--log-level", self.log_level)]
        if name == "credentials-svc":
            return [("--listen", "unix:" + t("credentials.sock")),
                    ("--data-dir", t("credentials")), ("--auth", self._addresses("auth-svc", "auth.sock")),
                    ("--mysql-dsn", self.mysql_dsn), ("--job-delay-ms", str(self.job_delay_ms)),
                    ("--auth-cache-ttl-seconds", str(self.auth_cache_ttl)),
                    ("--ready-file", t("credentials.ready")), ("--log-level", self.log_level)]
        if name == "gateway":
            return [("--listen", "127.0.0.1:0"),
                    ("--resources", self._addresses("resources-svc", "resources.sock")),
                    ("--products", self._addresses("products-svc", "products.sock")),
                    ("--credentials", self._addresses("credentials-svc", "credentials.sock")),
                    ("--auth", self._addresses("auth-svc", "auth.sock")), ("--ready-file", t("gateway.ready")),
                    ("--log-level", self.log_level)]
        raise KeyError(name)

    def start(self):
        missing = [n for n in PROCESS_ORDER
                   if not os.access(os.path.join(self.bin_dir, n), os.X_OK)]
        unknown = set(self.replicas) - set(PROCESS_ORDER[:-1])
        if unknown:
            raise StackError("replicas of unknown services: %s" % ", ".join(sorted(unknown)))
        if missing:
            raise StackError("binaries missing in %s: %s (set HANGAR_BIN_DIR)"
                             % (self.bin_dir, ", ".join(missing)))
        self.tmp = tempfile.mkdtemp(prefix="hgit-", dir="/tmp")
        for d in ("auth", "resources", "products", "credentials"):
            os.makedirs(self._p(d), exist_ok=True)
        for name in self.order:
            if self._binary(name) != name:
                os.makedirs(dict(self._base_args(name))["--data-dir"], exist_ok=True)
        _LIVE_STACKS.append(self)
        self._started = True
        try:
            if self.store == "etcd":
                self.etcd = EtcdMember(self.tmp)
            for name in self.order:
                self.procs[name] = Proc(name, self._default_args(name), self._binary(name))
                self._spawn(name)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name):
        p = self.procs[name]
        ready = dict(p.args)["--ready-file"]
        try:
            os.unlink(ready)
        except FileNotFoundError:
            pass
        argv = [os.path.join(self.bin_dir, p.binary)]
        for flag, val in p.args:
            argv += [flag, val]
        if self.etcd and p.binary != "gateway":
            # One prefix per service under this stack's: its replicas share it, a restart
            # finds it again.
            argv += ["--store", "etcd:%s/%s/%s?%s" % (self.etcd.client,
                                                     os.path.basename(self.tmp), p.binary,
                                                     ETCD_LIMITS)]
        err = open(self._p(name + ".stderr"), "ab")
        err.write(("\n=== start #%d: %s\n" % (p.starts + 1, " ".join(argv))).encode())
        err.flush()
        out = open(self._p(name + ".stdout"), "ab")
        p.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   preexec_fn=_child_setup, close_fds=True,
                                   env=dict(os.environ, **self.env))
        err.close()
        out.close()
        p.starts += 1
        p.expected_down = False
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            rc = p.popen.poll()
            if rc is not None:
                raise StackError("%s exited with %s before writing its ready file\n%s"
                                 % (name, rc, self.describe(name)))
            try:
                with open(ready) as f:
                    text = f.read().strip()
                if text:
                    break
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise StackError("%s did not write %s within %.0fs\n%s"
                                 % (name, ready, READY_TIMEOUT, self.describe(name)))
            time.sleep(0.02)
        if name == "gateway":
            m = re.match(r"^(?:http://)?([0-9.]+|\[[0-9a-f:]+\]|localhost):(\d+)$", text)
            if not m:
                raise StackError("gateway ready file holds %r, expected 127.0.0.1:PORT" % text)
            self.host, self.port = m.group(1), int(m.group(2))
        return text

    def describe(self, name):
        p = self.procs.get(name)
        rc = p.popen.poll() if p and p.popen else None
        return "--- %s (pid %s, exit %s) stderr tail:\n%s" % (
            name, p.popen.pid if p and p.popen else "-", rc, tail(self._p(name + ".stderr")))

    def stop(self):
        if not self._started:
            return
        self._started = False
        for name in reversed(self.order):
            p = self.procs.get(name)
            if p and p.popen and p.popen.poll() is None:
                try:
                    p.popen.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE
        for name in reversed(self.order):
            p = self.procs.get(name)
            if not (p and p.popen):
                continue
            was_running = not p.expected_down
            try:
                rc = p.popen.wait(max(0.1, deadline - time.monotonic()))
                if rc != 0 and was_running:
                    sys.stderr.write("harness: WARNING %s exited with %s on SIGTERM\n%s\n"
                                     % (name, rc, self.describe(name)))
            except subprocess.TimeoutExpired:
                sys.stderr.write("harness: WARNING %s ignored SIGTERM for %.0fs; SIGKILL\n%s\n"
                                 % (name, STOP_GRACE, self.describe(name)))
                p.popen.kill()
                p.popen.wait()
        if self.etcd:
            self.etcd.stop()
            self.etcd = None
        if self in _LIVE_STACKS:
            _LIVE_STACKS.remove(self)
        if os.environ.get("HANGAR_KEEP_TMP"):
            sys.stderr.write("harness: kept %s\n" % self.tmp)
        elif self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def kill(self, name, sig=signal.SIGKILL, wait=True, timeout=10.0):
        """Sends sig to the process; with wait, waits for it to exit and returns the code."""
        p = self.procs[name]
        p.expected_down = True
        if p.popen.poll() is None:
            p.popen.send_signal(sig)
        if wait:
            try:
                return p.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                p.popen.kill()
                p.popen.wait()
                raise AssertionError("%s did not exit within %.0fs of signal %s\n%s"
                                     % (name, timeout, sig, self.describe(name)))
        return None

    def restart(self, name, **overrides):
        """Stops the process if running (SIGTERM) and starts it again. Keyword overrides
        replace flags: restart('resources-svc', provision_delay_ms=3000)."""
        p = self.procs[name]
        if p.popen.poll() is None:
            self.kill(name, signal.SIGTERM)
        args = self._default_args(name)
        for k, v in overrides.items():
            flag = "--" + k.replace("_", "-")
            args = [(f, val) for f, val in args if f != flag] + [(flag, str(v))]
        p.args = args
        return self._spawn(name)

    def dead_unexpectedly(self):
        out = []
        for name in self.order:
            p = self.procs.get(name)
            if p and p.popen and not p.expected_down and p.popen.poll() is not None:
                out.append(name)
        return out

    # -- HTTP -----------------------------------------------------------------------------
    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def request(self, method, path, body=None, headers=None, raw=None, token=None,
                timeout=HTTP_TIMEOUT, conn=None):
        return http_request(self.host, self.port, method, path, body=body, headers=headers,
                            raw=raw, token=token, timeout=timeout, conn=conn)

    def connection(self, timeout=HTTP_TIMEOUT):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def raw(self, data, **kw):
        return raw_exchange(self.host, self.port, data, **kw)

    # -- credentials ----------------------------------------------------------------------
    def jwt(self, sub="alice", exp=..., nbf=None, iat=..., alg="HS256", secret=None,
            claims=None, header=None):
        """HS256 JWT signed with the stack's secret. exp/iat default to now+3600/now; pass
        None to leave a claim out (sub=None too). alg 'none' gives an unsigned token."""
        now = int(time.time())
        payload = {"jti": secrets.token_hex(8)}
        if sub is not None:
            payload["sub"] = sub
        if exp is ...:
            exp = now + 3600
        if exp is not None:
            payload["exp"] = exp
        if iat is ...:
            iat = now
        if iat is not None:
            payload["iat"] = iat
        if nbf is not None:
            payload["nbf"] = nbf
        payload.update(claims or {})
        hdr = {"alg": alg, "typ": "JWT"}
        hdr.update(header or {})
        signing = (b64url(json.dumps(hdr, separators=(",", ":")).encode()) + "." +
                   b64url(json.dumps(payload, separators=(",", ":")).encode()))
        key = (secret if secret is not None else self.jwt_secret).encode()
        if alg == "none":
            sig = b""
        elif alg == "HS256":
            sig = hmac.new(key, signing.encode(), hashlib.sha256).digest()
        elif alg == "HS384":
            sig = hmac.new(key, signing.encode(), hashlib.sha384).digest()
        elif alg == "HS512":
            sig = hmac.new(key, signing.encode(), hashlib.sha512).digest()
        else:
            sig = b"not-a-signature"
        return signing + "." + b64url(sig)

    def mint_token(self, kind, subject, bindings=(), ttl=None):
        """POST /auth/v1/tokens as admin; returns the created body (with 'token')."""
        body = {"kind": kind, "subject": subject,
                "bindings": [b if isinstance(b, dict) else {"scope": b[0], "role": b[1]}
                             for b in bindings]}
        if ttl is not None:
            body["ttl_seconds"] = ttl
        r = self.request("POST", "/auth/v1/tokens", body, token=self.admin_token)
        if r.status != 201 or not isinstance(r.body, dict) or "token" not in r.body:
            raise AssertionError("mint_token failed: %r" % (r,))
        return r.body

    def bind(self, subject, scope, role):
        """POST /auth/v1/role-bindings as admin; returns the created binding."""
        r = self.request("POST", "/auth/v1/role-bindings",
                         {"subject": subject, "scope": scope, "role": role},
                         token=self.admin_token)
        if r.status != 201 or not isinstance(r.body, dict) or "id" not in r.body:
            raise AssertionError("bind failed: %r" % (r,))
        return r.body


# --------------------------------------------------------------------------------------------
# unittest glue

_ACTIVE = []


def module_stack(**kw):
    """For setUpModule: starts a Stack, remembers it for HangarTest, returns it."""
    st = Stack(**kw)
    st.start()
    _ACTIVE.append(st)
    return st


def module_teardown():
    sys.stderr.write("harness: answers held to their public spec: %s\n" % (
        ", ".join("%s %d" % kv for kv in sorted(spec_check.COUNTS.items())) or "none"))
    while _ACTIVE:
        st = _ACTIVE.pop()
        logs = {n: tail(st._p(n + ".stderr"), 3000) for n in st.order} if st.tmp else {}
        st.stop()
        if os.environ.get("HANGAR_SHOW_LOGS"):
            for n, t in logs.items():
                sys.stderr.write("--- %s stderr:\n%s\n" % (n, t))


class HangarTest(unittest.TestCase):
    """Every answer of self.req() with status >= 500 fails the test in tearDown unless the
    test set self.allow_5xx (a black-box invariant: bad input never yields a 5xx). Every
    answer on a surface with a public spec is held to it (check_spec); a violation fails the
    test even when a helper thread swallowed the exception."""
    maxDiff = 4000
    allow_5xx = False

    def setUp(self):
        self._seen_5xx = []
        self._spec_mark = len(spec_check.VIOLATIONS)

    @property
    def s(self):
        return _ACTIVE[-1]

    @property
    def admin(self):
        return self.s.admin_token

    def req(self, method, path, body=None, headers=None, raw=None, token=None, **kw):
        r = self.s.request(method, path, body=body, headers=headers, raw=raw, token=token, **kw)
        if r.status >= 500 and hasattr(self, "_seen_5xx"):
            self._seen_5xx.append(r)
        return r

    def tearDown(self):
        if not _ACTIVE:
            return
        st = _ACTIVE[-1]
        dead = st.dead_unexpectedly()
        if dead:
            info = "\n".join(st.describe(n) for n in dead)
            for n in dead:  # keep the rest of the module running
                try:
                    st.restart(n)
                except Exception as e:
                    info += "\n(restart of %s failed: %s)" % (n, e)
            self.fail("process(es) died during this test: %s\n%s" % (", ".join(dead), info))
        for n in st.order:  # a test that killed a process must leave it running
            p = st.procs.get(n)
            if p and p.popen.poll() is not None:
                st.restart(n)
        # A violation a helper thread swallowed still fails the test that caused it.
        violations = spec_check.VIOLATIONS[getattr(self, "_spec_mark", 0):]
        if violations:
            self.fail("%d answer(s) violate their public spec, first: %s"
                      % (len(violations), violations[0]))
        seen = getattr(self, "_seen_5xx", [])
        if seen and not self.allow_5xx:
            self.fail("%d answer(s) with a 5xx status, first: %r" % (len(seen), seen[0]))

    # -- assertions -----------------------------------------------------------------------
    def expect(self, r, status, body=..., msg=""):
        """Asserts the status (int or tuple of ints) and, if given, the whole JSON body."""
        ok = r.status in status if isinstance(status, tuple) else r.status == status
        if not ok:
            self.fail("expected HTTP %s, got %r %s" % (status, r, msg))
        if body is not ...:
            if not r.is_json:
                self.fail("expected JSON body %s, got %r %s" % (_short(body), r, msg))
            self.assertEqual(body, r.body, "whole body mismatch for %r %s" % (r, msg))
        return r.body

    def expect_json_ct(self, r):
        ct = r.headers.get("content-type", "")
        self.assertTrue(ct.split(";")[0].strip().lower() == "application/json",
                        "Content-Type should be application/json: %r" % (r,))

    def expect_error(self, r, status, error=None, field=None, details=None, exact_keys=None,
                     msg=""):
        """Error body {"error": "...", "details": "..."}: error equals `error` when given;
        `field` must be named (whole word) in details; details=True: details required."""
        self.expect(r, status, msg=msg)
        self.assertTrue(r.is_json and isinstance(r.body, dict),
                        "error body must be a JSON object: %r %s" % (r, msg))
        self.assertIsInstance(r.body.get("error"), str, "error must be a string: %r" % (r,))
        self.assertTrue(r.body["error"], "error must be non-empty: %r" % (r,))
        if error is not None:
            self.assertEqual(error, r.body["error"], "error text: %r" % (r,))
        if field is not None or details:
            d = r.body.get("details")
            self.assertIsInstance(d, str, "details must be a string: %r" % (r,))
            self.assertTrue(d.strip(), "details must be non-empty: %r" % (r,))
            if field is not None:
                pat = r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(field)
                self.assertRegex(d, pat, "details must name the field %r: %r" % (field, r))
        if exact_keys is not None:
            self.assertEqual(set(exact_keys), set(r.body), "error body keys: %r" % (r,))
        return r.body

    def expect_ts(self, value, what="timestamp"):
        self.assertIsInstance(value, str, "%s must be a string" % what)
        self.assertRegex(value, ISO_RE, "%s must be ISO 8601 UTC" % what)
        return parse_ts(value)

    def poll(self, pred, timeout=10.0, what="condition", interval=0.05):
        return wait_for(pred, timeout=timeout, what=what, interval=interval)


def main():
    unittest.main(verbosity=2)
