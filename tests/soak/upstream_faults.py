"""Upstream faults while requests flow through the gateway, each on its own stack:

  outage   auth-svc SIGKILLed for SECONDS (default 20) under steady traffic on every surface:
           503 in each surface's dialect meanwhile, /readyz 503 naming auth, and every surface
           served again within 3 s of the restart, nothing else restarted (gRPC's default
           reconnect backoff, up to 120 s, once kept services failing long after).
  hang     resources-svc SIGSTOPped for 8 s with --upstream-deadline-ms 3000: its routes 504
           within the deadline, the other surfaces and /healthz unaffected, /readyz 503 with
           resources deadline_exceeded, everything 200 again after SIGCONT.
  authhang auth-svc SIGSTOPped while 8 clients send unknown tokens: callers whose token is
           cached keep being served quickly (a Verify waiting on a hung auth-svc once held
           every CQ thread of the service).
  emfile   the gateway out of descriptors (prlimit) with connections waiting: no busy loop,
           and it serves again once descriptors are free.
  shutdown the gateway SIGTERMed with requests waiting on a stopped upstream (plain calls,
           /readyz, and bodies it refuses while it asks Admit): every client still connected
           gets an answer, and a refused body keeps the gateway's own 400/422.

Usage: HANGAR_BIN_DIR=build/bin python3 tests/soak/upstream_faults.py [case ...] (about 90 s)
Exit status 1 on any failed expectation."""
import os
import resource
import secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402  (HANGAR_BIN_DIR selects the binaries, as for the integration tests)

problems = []


def problem(m):
    problems.append(m)
    print("PROBLEM:", m[:400], flush=True)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Poller:
    """Threads polling routes every 0.1 s; log of (t0, name, status, latency, body)."""

    def __init__(self, st, routes, per_route=1):
        self.st, self.routes, self.log = st, routes, []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,))
                        for n in routes for _ in range(per_route)]

    def run(self, name):
        method, path, tok = self.routes[name]
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                r = self.st.request(method, path, token=tok, timeout=60)
                item = (t0, name, r.status, time.monotonic() - t0, r.body)
            except Exception as e:
                item = (t0, name, repr(e), time.monotonic() - t0, None)
            self.log.append(item)
            time.sleep(0.1)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()

    def of(self, name, since=0.0, until=float("inf")):
        return [x for x in self.log if x[1] == name and since <= x[0] < until]


def routes_for(st):
    kt = st.mint_token("kpat", "k-" + secrets.token_hex(3), [("orgs/f", "editor")])["token"]
    wt = st.mint_token("apikey", "w-" + secrets.token_hex(3),
                       [("wrappers", "editor"), ("projects/pf", "editor")])["token"]
    return {"auth": ("GET", "/auth/v1/tokens", st.admin_token),
            "ktrlplane": ("GET", "/api/v1/projects/pf/resources", wt),
            "wrappers": ("GET", "/wrappers", wt),
            "konnect": ("GET", "/v2/api-products", kt)}


DIALECT_503 = {
    "auth": lambda b: isinstance(b, dict) and "error" in b,
    "ktrlplane": lambda b: isinstance(b, dict) and "error" in b,
    "wrappers": lambda b: b == {"detail": "Service Unavailable"},
    "konnect": lambda b: isinstance(b, dict) and b.get("title") == "Service Unavailable",
}


def case_outage(seconds):
    with harness.Stack(auth_cache_ttl=1) as st:
        routes = routes_for(st)
        with Poller(st, routes) as p:
            time.sleep(1)
            st.kill("auth-svc", signal.SIGKILL)
            time.sleep(seconds)
            r = st.request("GET", "/readyz")
            if r.status != 503 or r.body.get("upstreams", {}).get("auth") == "serving":
                problem("outage: readyz %r" % (r,))
            st.restart("auth-svc")
            back = time.monotonic()
            time.sleep(5)
        for name in routes:
            for x in p.of(name):
                if x[2] not in (200, 503):
                    problem("outage %s: %r" % (name, x[:4]))
                elif x[2] == 503 and not DIALECT_503[name](x[4]):
                    problem("outage %s: 503 not in the dialect: %r" % (name, x[4]))
            first = next((x[0] - back for x in p.of(name, since=back) if x[2] == 200), None)
            print("outage %-9s first 200 %s after the restart" % (name, "never" if first is None
                                                                  else "%.2fs" % first))
            if first is None or first > 3.0:
                problem("outage %s: not served within 3 s of auth-svc's restart (%s)"
                        % (name, first))


def case_hang():
    with harness.Stack(auth_cache_ttl=30) as st:
        st.restart("gateway", upstream_deadline_ms=3000)
        routes = routes_for(st)
        routes["healthz"] = ("GET", "/healthz", None)
        for m, path, tok in routes.values():
            st.request(m, path, token=tok)  # warm the verifier caches
        pid = st.procs["resources-svc"].popen.pid
        with Poller(st, routes, per_route=2) as p:
            time.sleep(1)
            os.kill(pid, signal.SIGSTOP)
            t0 = time.monotonic()
            time.sleep(4)
            r = st.request("GET", "/readyz", timeout=5)
            if r.status != 503 or r.body.get("upstreams", {}).get("resources") != "deadline_exceeded":
                problem("hang: readyz %r" % (r,))
            time.sleep(4)
            os.kill(pid, signal.SIGCONT)
            t1 = time.monotonic()
            time.sleep(2)
        for name in routes:
            during = p.of(name, t0, t1)
            codes = sorted({x[2] for x in during}, key=str)
            worst = max([x[3] for x in during] or [0])
            print("hang %-9s during the stop: %s, slowest %.2fs" % (name, codes, worst))
            if name in ("ktrlplane", "wrappers"):
                if any(x[2] not in (200, 504) for x in during) or worst > 3.5:
                    problem("hang %s: %s slowest %.2fs" % (name, codes, worst))
            elif codes != [200] or worst > 1.0:
                problem("hang %s (not stopped) suffered: %s slowest %.2fs" % (name, codes, worst))
            after = p.of(name, t1 + 0.5)
            if not after or any(x[2] != 200 for x in after):
                problem("hang %s: not 200 after SIGCONT" % name)


def case_authhang():
    with harness.Stack(auth_cache_ttl=60) as st:
        routes = routes_for(st)
        for m, path, tok in routes.values():
            st.request(m, path, token=tok)
        stop = threading.Event()

        def flood():
            conn = st.connection(timeout=30)
            while not stop.is_set():
                try:
                    st.request("GET", "/api/v1/projects/pf/resources",
                               token="unknown-" + secrets.token_hex(8), conn=conn)
                except Exception:
                    conn = st.connection(timeout=30)

        del routes["auth"]
        pid = st.procs["auth-svc"].popen.pid
        os.kill(pid, signal.SIGSTOP)
        flooders = [threading.Thread(target=flood) for _ in range(8)]
        try:
            with Poller(st, routes) as p:
                for t in flooders:
                    t.start()
                time.sleep(12)
                stop.set()
        finally:
            os.kill(pid, signal.SIGCONT)
            for t in flooders:
                t.join()
        for name in routes:
            lat = sorted(x[3] for x in p.of(name))
            codes = {x[2] for x in p.of(name)}
            print("authhang %-9s cached token: n=%d p50 %.3fs max %.2fs %s"
                  % (name, len(lat), lat[len(lat) // 2], lat[-1], codes))
            if codes != {200} or lat[len(lat) // 2] > 0.2 or lat[-1] > 3.0:
                problem("authhang %s: cached callers stalled (p50 %.2fs, max %.2fs, %s)"
                        % (name, lat[len(lat) // 2], lat[-1], codes))


def case_emfile():
    with harness.Stack() as st:
        pid = st.procs["gateway"].popen.pid
        limits = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        in_use = len(os.listdir("/proc/%d/fd" % pid))
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (in_use + 30, limits[1]))
        socks = [socket.create_connection((st.host, st.port), timeout=5) for _ in range(100)]
        time.sleep(0.5)
        c0 = cpu_seconds(pid)
        time.sleep(3)
        used = (cpu_seconds(pid) - c0) / 3
        print("emfile: gateway CPU %.0f%% while out of descriptors" % (100 * used))
        if used > 0.2:
            problem("emfile: gateway busy at %.0f%% CPU while out of descriptors" % (100 * used))
        for s in socks:
            s.close()
        resource.prlimit(pid, resource.RLIMIT_NOFILE, limits)
        time.sleep(0.3)
        r = st.request("GET", "/healthz", timeout=3)
        if r.status != 200:
            problem("emfile: healthz afterwards %r" % (r,))


def case_shutdown():
    with harness.Stack(auth_cache_ttl=30) as st:
        tok = st.admin_token.encode()
        wt = st.mint_token("apikey", "sd", [("wrappers", "editor")])["token"].encode()
        st.request("GET", "/api/v1/projects/p/resources", token=st.admin_token)
        kinds = [(b"GET /api/v1/projects/p/resources HTTP/1.1\r\nAuthorization: Bearer %s\r\n\r\n"
                  % tok, (503,)),
                 (b"GET /readyz HTTP/1.1\r\n\r\n", (503,)),
                 (b"POST /api/v1/projects/p/resources HTTP/1.1\r\nAuthorization: Bearer %s\r\n"
                  b"Content-Length: 5\r\n\r\n{bad}" % tok, (400,)),
                 (b"POST /wrappers HTTP/1.1\r\nAuthorization: Bearer %s\r\n"
                  b"Content-Length: 5\r\n\r\n{bad}" % wt, (422,))]
        rs = st.procs["resources-svc"].popen.pid
        os.kill(rs, signal.SIGSTOP)
        time.sleep(0.2)  # stopped for sure before the first request
        socks = []
        try:
            for i in range(400):
                s = socket.create_connection((st.host, st.port), timeout=10)
                s.sendall(kinds[i % 4][0])
                socks.append((s, kinds[i % 4][1]))
            time.sleep(1.5)
            for s, _ in socks[::2]:  # half of the clients go away (RST)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                s.close()
            t = time.monotonic()
            st.kill("gateway", signal.SIGTERM, timeout=15)
            print("shutdown: gateway exited in %.2fs" % (time.monotonic() - t))
            got, wrong = {}, {}
            for s, want in socks[1::2]:
                buf = b""
                ready = select.select([s], [], [], 2)[0]
                while ready:
                    d = s.recv(65536)
                    if not d:
                        break
                    buf += d
                    if harness.parse_http_response(buf)[3]:
                        break
                status = harness.parse_http_response(buf)[0]
                got[status] = got.get(status, 0) + 1
                if status not in want:
                    wrong.setdefault(status, (want, buf[-120:]))
            print("shutdown: answers", got)
            for status, (want, sample) in wrong.items():
                problem("shutdown: %d clients answered %s, want %s: %r"
                        % (got[status], status, want, sample))
        finally:
            os.kill(rs, signal.SIGCONT)
            for s, _ in socks:
                s.close()
        err = harness.tail(st._p("gateway.stderr"), 200000)
        if "Sanitizer" in err or "runtime error" in err:
            problem("shutdown: sanitizer report in the gateway's stderr")


CASES = {"outage": lambda: case_outage(float(os.environ.get("SECONDS", "20"))),
         "hang": case_hang, "authhang": case_authhang, "emfile": case_emfile,
         "shutdown": case_shutdown}


def main():
    for name in sys.argv[1:] or list(CASES):
        t = time.monotonic()
        CASES[name]()
        print("== %s done in %.1fs" % (name, time.monotonic() - t), flush=True)
    print("PROBLEMS: %d" % len(problems))
    for p in problems[:40]:
        print(" -", p[:300])
    sys.exit(1 if problems else 0)


main()
