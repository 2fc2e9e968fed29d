"""Hostile clients against the gateway: malformed HTTP and a mutation fuzzer, pipelining with
errors in the middle, 2,000 idle sockets, slowloris headers and bodies, clients vanishing
mid-request and mid-response, huge headers and query strings, deeply nested JSON and
markdown, 1 MiB bodies at a high rate. After every case the gateway must still answer
/healthz and a proxied list quickly, no answer may be a 5xx (a 501 for an unknown method is
libevent's own), no process may die or log a sanitizer report, and with ROUNDS=n the
gateway's RSS after the last round must stay near the RSS after the first.

Usage: HANGAR_BIN_DIR=build/bin [ROUNDS=3] python3 tests/soak/hostile_clients.py [scenario ...]
Scenarios: malformed pipeline idle slowloris disconnect bigheaders nested bigbodies
(default: all; each is bounded, about 25 s at most)."""
import json
import os
import random
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402  (HANGAR_BIN_DIR selects the binaries, as for the integration tests)

_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(_hard, 20000), _hard))
problems = []


def problem(m):
    problems.append(m)
    print("PROBLEM:", m[:500], flush=True)


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1])


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class Ctx:
    def __init__(self, st):
        self.st = st
        self.host, self.port = st.host, st.port
        self.gw = st.procs["gateway"].popen.pid

    def sock(self, timeout=10):
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        return s

    def healthy(self, what, limit=2.0):
        t = time.monotonic()
        try:
            r = self.st.request("GET", "/healthz", timeout=limit + 3)
            dt = time.monotonic() - t
            if r.status != 200:
                problem("%s: healthz %r" % (what, r))
            elif dt > limit:
                problem("%s: healthz took %.2fs" % (what, dt))
            r = self.st.request("GET", "/api/v1/projects/p1/resources", token=self.st.admin_token,
                                timeout=limit + 3)
            if r.status != 200:
                problem("%s: list %r" % (what, r))
        except Exception as e:
            problem("%s: healthz failed %r after %.2fs" % (what, e, time.monotonic() - t))
        if self.st.procs["gateway"].popen.poll() is not None:
            problem("%s: GATEWAY DIED" % what)
            raise SystemExit(1)

    def raw(self, data, timeout=5, **kw):
        return harness.raw_exchange(self.host, self.port, data, timeout=timeout, **kw)


# ------------------------------------------------------------------ scenarios
MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\n: novalue\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
    b" GET /healthz HTTP/1.1\r\n\r\n",
    b"GET /healthz\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /he%00althz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/v1/projects/%ff%fe/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n\r\n",
    b"GET http://evil/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET //// HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz?%%% HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n{}\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n{}\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=" + b"a" * 70000 + b"\r\n{}\r\n0\r\n\r\n",
    b"POST /wrappers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + b"X-Trailer: " + b"t" * 100000 + b"\r\n\r\n",
    b"POST /wrappers HTTP/1.0\r\nHost: x\r\n\r\n{\"name\":\"x\"}",
    b"DELETE /wrappers/0123456789abcdef01234567 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    b"PATCH /resources/0123456789abcdef01234567 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
    b"FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"CONNECT x:80 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + b"\xff" * 50 + b"\r\n\r\n",
    b"GET /api/v1/projects/p/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
    b"GET /api/v1/projects/p/resources HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"a" * 60000 + b"\r\n\r\n",
    b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\n" + b"X-A: b\r\n" * 20000 + b"\r\n",
    b"\r\n\r\n\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(200),
    os.urandom(5000),
    b"GET /healthz HTTP/1.1\nHost: x\n\n",
    b"GET /healthz HTTP/1.1\rHost: x\r\r",
]


def s_malformed(c):
    for i, m in enumerate(MALFORMED):
        try:
            st, h, b, raw = c.raw(m, timeout=5)
            if st is not None and st >= 500 and st != 501:
                problem("malformed #%d: %d %r" % (i, st, raw[:300]))
        except Exception as e:
            problem("malformed #%d: %r" % (i, e))
        c.healthy("malformed #%d" % i)
    # random fuzz of a valid request
    base = (b"POST /api/v1/projects/p1/resources?limit=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + c.st.admin_token.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n"
            + b'{"id":"abc","name":"n","type":"Konnektr.Graph","sku":"free"}')
    t_end = time.monotonic() + 20
    n = 0
    while time.monotonic() < t_end:
        b = bytearray(base)
        for _ in range(random.randint(1, 8)):
            p = random.randrange(len(b))
            op = random.random()
            if op < 0.4:
                b[p] = random.randrange(256)
            elif op < 0.7:
                del b[p:p + random.randint(1, 10)]
            else:
                b[p:p] = random.choice([b"\r\n", b"\x00", b"%", b"{", b"\xff", b":", b" ", b"9" * 20])
        try:
            st, h, body, raw = c.raw(bytes(b), timeout=3, half_close=random.random() < 0.5)
            if st is not None and st >= 500 and st != 501:
                problem("fuzz 5xx %d %r -> %r" % (st, bytes(b)[:400], raw[:300]))
        except Exception as e:
            pass
        n += 1
    print("fuzzed", n)
    c.healthy("fuzz")


def s_pipeline(c):
    good = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    auth = b"Authorization: Bearer " + c.st.admin_token.encode() + b"\r\n"
    cases = [
        good + b"BROKEN\r\n\r\n" + good,
        good + b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"name\":1}" + good,
        good * 50,
        (b"POST /api/v1/projects/pp/resources HTTP/1.1\r\nHost: x\r\n" + auth +
         b"Content-Length: 5\r\n\r\n{bad}" + good) * 20,
        (b"GET /api/v1/projects/pp/resources HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n") * 100,
        good + b"GET /healthz HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n" + good,
        (b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 1100000\r\n\r\n" + b"x" * 1100000) + good,
        (b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n" + b"x" * 3000000) + good,
    ]
    for i, data in enumerate(cases):
        s = c.sock()
        try:
            s.settimeout(2)
            try:
                s.sendall(data)
            except OSError:
                pass
            buf = b""
            t = time.monotonic()
            try:
                while time.monotonic() - t < 8:
                    got = s.recv(1 << 20)
                    if not got:
                        break
                    buf += got
            except (socket.timeout, ConnectionResetError):
                pass
            import re
            codes = [int(x) for x in re.findall(rb"HTTP/1\.1 (\d\d\d) ", buf)]
            print("pipeline #%d: %d answers %s" % (i, len(codes), sorted(set(codes))))
            if any(x >= 500 for x in codes):
                problem("pipeline #%d 5xx: %s" % (i, codes))
        finally:
            s.close()
        c.healthy("pipeline #%d" % i)


def s_idle(c, n=2000):
    socks = []
    r0 = rss(c.gw)
    for i in range(n):
        try:
            socks.append(c.sock())
        except OSError as e:
            problem("idle connect %d: %r" % (i, e))
            break
    time.sleep(0.5)
    print("idle: %d open, gateway fds %d, rss %d->%d kB" % (len(socks), fds(c.gw), r0, rss(c.gw)))
    c.healthy("idle %d" % n)
    # half of them send a partial request
    for s in socks[: n // 2]:
        try:
            s.send(b"GET /healthz HTTP/1.1\r\nHo")
        except OSError:
            pass
    c.healthy("idle partial")
    for s in socks:
        s.close()
    time.sleep(0.5)
    c.healthy("idle closed")
    print("idle after close: fds %d" % fds(c.gw))


DEADLINE_MS = 10000


def s_slowloris(c, n=300, seconds=25):
    """n connections that each send one header byte every 5 s (< the 15 s per-read timeout),
    and n/3 trickling a body: every one must be closed at its absolute deadline (10 s), the
    ones that sent anything with a 408 first."""
    socks = []
    for i in range(n):
        s = c.sock()
        s.send(b"GET /healthz HTTP/1.1\r\n")
        socks.append(s)
    bodies = []
    for i in range(n // 3):
        s = c.sock()
        s.send(b"POST /wrappers HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
        bodies.append(s)
    t_end = time.monotonic() + seconds
    alive_checks = 0
    while time.monotonic() < t_end:
        for s in socks:
            try:
                s.send(b"X")
            except OSError:
                pass
        for s in bodies:
            try:
                s.send(b" ")
            except OSError:
                pass
        c.healthy("slowloris")
        alive_checks += 1
        time.sleep(5)
    open_ = timed_out = 0
    for s in socks + bodies:
        s.setblocking(False)
        got = b""
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                got += d
        except BlockingIOError:
            open_ += 1
        except OSError:
            pass
        timed_out += got.startswith(b"HTTP/1.1 408 ")
    print("slowloris: %d of %d connections still open after %ds of trickling (1 byte / 5 s), "
          "%d answered 408" % (open_, len(socks) + len(bodies), seconds, timed_out))
    if open_:
        problem("slowloris: %d trickling connections held open past the %d ms deadline"
                % (open_, DEADLINE_MS))
    if timed_out != len(socks) + len(bodies):
        problem("slowloris: %d of %d closed connections had no 408"
                % (len(socks) + len(bodies) - timed_out, len(socks) + len(bodies)))
    for s in socks + bodies:
        s.close()


def s_disconnect(c, seconds=15):
    """clients that vanish mid-request and mid-response, many threads."""
    tok = c.st.admin_token.encode()
    stop = time.monotonic() + seconds
    cnt = [0]

    def worker(w):
        while time.monotonic() < stop:
            kind = random.randrange(6)
            try:
                s = c.sock(timeout=3)
                if kind == 0:   # mid-headers
                    s.send(b"GET /api/v1/projects/p/resources HTTP/1.1\r\nAuthor")
                elif kind == 1:  # mid-body
                    s.send(b"POST /api/v1/projects/pd/resources HTTP/1.1\r\nAuthorization: Bearer " + tok +
                           b"\r\nContent-Length: 100\r\n\r\n{\"id\":")
                elif kind == 2:  # full request, close before answer (upstream in flight)
                    s.send(b"POST /api/v1/projects/pd/resources HTTP/1.1\r\nAuthorization: Bearer " + tok +
                           b"\r\nContent-Type: application/json\r\nContent-Length: 52\r\n\r\n" +
                           (b'{"id":"d%05d","name":"n","type":"Konnektr.Graph"}' % random.randrange(99999))[:52])
                elif kind == 3:  # big list answer, read a bit then RST
                    s.send(b"GET /api/v1/projects/p1/resources?limit=100 HTTP/1.1\r\nAuthorization: Bearer " + tok + b"\r\n\r\n")
                    s.recv(10)
                elif kind == 4:  # pipelined many then close
                    s.send((b"GET /api/v1/projects/p1/resources HTTP/1.1\r\nAuthorization: Bearer " + tok + b"\r\n\r\n") * 30)
                else:  # metrics, RST
                    s.send(b"GET /metrics HTTP/1.1\r\n\r\n")
                if random.random() < 0.5:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.close()
                cnt[0] += 1
            except OSError:
                pass

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in ts:
        t.start()
    while time.monotonic() < stop:
        c.healthy("disconnect", limit=3)
        time.sleep(1)
    for t in ts:
        t.join()
    print("disconnect: %d connections" % cnt[0])
    c.healthy("after disconnect")


def s_bigheaders(c):
    tok = c.st.admin_token
    cases = {
        "huge header 63k": {"X-Big": "a" * 63000},
        "huge header 70k": {"X-Big": "a" * 70000},
        "many headers": {("X-H%d" % i): "v" for i in range(3000)},
        "huge request id": {"X-Request-Id": "a" * 60000},
    }
    for name, h in cases.items():
        try:
            r = c.st.request("GET", "/api/v1/projects/p1/resources", headers=h, token=tok, timeout=10)
            print(name, r.status)
            if r.status >= 500:
                problem("%s: %r" % (name, r))
        except Exception as e:
            print(name, "exc", e)
        c.healthy(name)
    # many query params
    for q in ["&".join("a%d=%d" % (i, i) for i in range(5000)),
              "&".join("limit=%d" % i for i in range(5000)),
              "&".join("filter[name][eq]=%d" % i for i in range(3000)),
              "page[size]=" + "9" * 10000,
              "labels=" + ",".join("k%d:v" % i for i in range(5000)),
              "sort=" + ",".join("name desc" for i in range(3000)).replace(" ", "%20"),
              "&" * 20000, "=" * 20000, "%" * 20000,
              "filter" + "[a]" * 5000 + "=1"]:
        for path in ["/api/v1/projects/p1/resources", "/v2/api-products", "/resources", "/wrappers"]:
            try:
                kt = c.st.mint_token("kpat", "q", [("orgs/q", "viewer"), ("wrappers", "viewer")])["token"] if not hasattr(c, "kt") else c.kt
                c.kt = kt
                r = c.st.request("GET", path + "?" + q, token=tok if path.startswith("/api") else kt, timeout=20)
                if r.status >= 500:
                    problem("query %s %r: %r" % (path, q[:40], r))
            except Exception as e:
                problem("query %s %r: %r" % (path, q[:40], e))
        c.healthy("query " + q[:20])


def s_nested(c):
    tok = c.st.admin_token
    kt = c.st.mint_token("kpat", "n", [("orgs/n", "editor"), ("wrappers", "editor")])["token"]
    for depth in (63, 64, 65, 1000, 100000, 500000):
        for body in [b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth,
                     b"[" * depth, b'{"settings_json":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"]:
            if len(body) > 1048576:
                continue
            for path, t in [("/api/v1/projects/p1/resources", tok), ("/v2/api-products", kt),
                            ("/wrappers", kt), ("/resources", kt), ("/auth/v1/tokens", tok)]:
                try:
                    r = c.st.request("POST", path, raw=body, token=t, timeout=20)
                    if r.status >= 500 or r.status < 400:
                        problem("nested %d %s: %r" % (depth, path, r))
                except Exception as e:
                    problem("nested %d %s: %r" % (depth, path, e))
        c.healthy("nested %d" % depth)
    # nested settings_json just under the limit: stored and re-read
    body = {"id": "nest-ok", "name": "n", "type": "Konnektr.Graph"}
    raw = json.dumps(body)[:-1] + ',"settings_json":' + '{"a":' * 62 + "1" + "}" * 62 + "}"
    r = c.st.request("POST", "/api/v1/projects/pn/resources", raw=raw.encode(), token=tok)
    print("nested 63 settings:", r.status)
    if r.status >= 500:
        problem("nested settings %r" % r)
    # markdown nesting
    md = ">" * 5000 + " x"
    r = c.st.request("POST", "/v2/api-products", {"name": "n"}, token=kt)
    pid = r.body["id"]
    for content in [md, "- " * 20000 + "x", "[" * 100000, "*" * 200000, "`" * 200000,
                    "<" * 200000, "\t" * 200000, "1. " * 50000,
                    "\n".join("  " * i + "- x" for i in range(3000))]:
        r = c.st.request("POST", "/v2/api-products/%s/documents" % pid,
                         {"slug": "s%d" % random.randrange(10**9), "title": "t", "status": "published",
                          "content": content}, token=kt, timeout=30)
        if r.status >= 500:
            problem("markdown %r: %r" % (content[:20], r))
        if r.status == 201:
            g = c.st.request("GET", "/v2/api-products/%s/documents/%s" % (pid, r.body["id"]), token=kt, timeout=30)
            if g.status != 200:
                problem("markdown get %r" % g)
    c.healthy("markdown")


def s_bigbodies(c, seconds=20, threads=8):
    tok = c.st.admin_token
    body = b'{"id":"big","name":"n","type":"Konnektr.Graph","settings_json":{"a":"' + b"x" * (1048576 - 120) + b'"}}'
    over = b"x" * (1048576 + 10)
    stop = time.monotonic() + seconds
    stats = {}
    lock = threading.Lock()

    def worker(w):
        conn = None
        i = 0
        while time.monotonic() < stop:
            i += 1
            try:
                if conn is None:
                    conn = c.st.connection(timeout=20)
                k = i % 4
                if k == 0:
                    r = c.st.request("POST", "/api/v1/projects/pb%d/resources" % w,
                                     raw=body.replace(b'"big"', b'"b%d"' % i), token=tok, conn=conn)
                elif k == 1:
                    r = c.st.request("POST", "/wrappers", raw=over, token=tok, conn=conn)
                elif k == 2:
                    r = c.st.request("POST", "/v2/api-products", raw=body[:-2] + b"}", token=tok, conn=conn)
                else:
                    r = c.st.request("POST", "/api/v1/projects/pb/resources", raw=b"[" + b"1," * 500000 + b"1]", token=tok, conn=conn)
                with lock:
                    stats[r.status] = stats.get(r.status, 0) + 1
                if r.status >= 500:
                    problem("bigbody %d: %r" % (k, r))
                if r.headers.get("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as e:
                with lock:
                    stats[repr(type(e))] = stats.get(repr(type(e)), 0) + 1
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    while time.monotonic() < stop:
        c.healthy("bigbodies", limit=5)
        time.sleep(2)
    for t in ts:
        t.join()
    print("bigbodies:", stats)


SCEN = {"malformed": s_malformed, "pipeline": s_pipeline, "idle": s_idle, "slowloris": s_slowloris,
        "disconnect": s_disconnect, "bigheaders": s_bigheaders, "nested": s_nested,
        "bigbodies": s_bigbodies}


def main():
    names = sys.argv[1:] or list(SCEN)
    # Thousands of sockets come from one address here: lift the per-address cap, and give
    # headers and bodies a 10 s deadline so slowloris sees connections closed within its run.
    gateway = [("--max-connections-per-ip", "20000"), ("--max-connections", "20000"),
               ("--header-timeout-ms", str(DEADLINE_MS)), ("--body-timeout-ms", str(DEADLINE_MS))]
    st = harness.Stack(provision_delay_ms=50, log_level="warn", extra_args={"gateway": gateway})
    st.start()
    try:
        c = Ctx(st)
        for i in range(20):
            st.request("POST", "/api/v1/projects/p1/resources",
                       {"id": "r%d" % i, "name": "n" * 200, "type": "Konnektr.Graph",
                        "settings_json": {"x": "y" * 3000}}, token=st.admin_token)
        c.healthy("start")
        base = rss(c.gw)
        print("gateway rss start %d kB fds %d" % (base, fds(c.gw)))
        rounds = int(os.environ.get("ROUNDS", "1"))
        after = []
        for rnd in range(rounds):
            for n in names:
                t = time.monotonic()
                SCEN[n](c)
                print("== %s done in %.1fs; gateway rss %d kB fds %d" % (n, time.monotonic() - t, rss(c.gw), fds(c.gw)), flush=True)
            after.append(rss(c.gw))
        if rounds > 1 and after[-1] > 1.5 * after[0] + 20000:
            problem("gateway RSS grew from %d kB (round 1) to %d kB (round %d)" % (after[0], after[-1], rounds))
        if fds(c.gw) > 40:
            problem("gateway holds %d descriptors after every client left" % fds(c.gw))
        for n in harness.PROCESS_ORDER:
            t = harness.tail(st._p(n + ".stderr"), 400000)
            for line in t.splitlines():
                if ("ERROR" in line or "Sanitizer" in line or "runtime error" in line):
                    problem("%s stderr: %s" % (n, line))
    finally:
        st.stop()
    print("PROBLEMS: %d" % len(problems))
    for p in problems[:50]:
        print(" -", p[:300])
    sys.exit(1 if problems else 0)


main()
