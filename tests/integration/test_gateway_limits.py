"""Gateway limits (issue 11, item 5), each bounded to a few seconds: a request whose headers
or body trickle in past their absolute deadline gets 408 in its surface's dialect and its
connection closes (slowloris), an idle connection is closed at the header deadline, a client
over --max-connections-per-ip is cut off, an upstream reply over --max-response-bytes is 502,
and a request over --max-in-flight is 503 with Retry-After."""

import json
import signal
import socket
import threading
import http.client
import time

import harness
from harness import HangarTest

HEADER_MS = BODY_MS = 1500
PER_IP = 8
GATEWAY = [("--header-timeout-ms", str(HEADER_MS)), ("--body-timeout-ms", str(BODY_MS)),
           ("--max-connections-per-ip", str(PER_IP)), ("--max-response-bytes", "2K"),
           ("--max-in-flight", "1"), ("--upstream-deadline-ms", "3000")]
BOUND_S = 8  # every wait below ends well within this, or the test fails


def setUpModule():
    harness.module_stack(extra_args={"gateway": GATEWAY})


def tearDownModule():
    harness.module_teardown()


def read_all(sock):
    """Everything the server sends until it closes (bounded by the socket's timeout)."""
    buf = b""
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                return buf, True
            buf += got
    except ConnectionResetError:
        return buf, True
    except socket.timeout:
        return buf, False


class GatewayLimitsTest(HangarTest):
    allow_5xx = True

    def connect(self):
        s = socket.create_connection((self.s.host, self.s.port), timeout=BOUND_S)
        self.addCleanup(s.close)
        return s

    def answer(self, sock):
        buf, closed = read_all(sock)
        self.assertTrue(closed, "the connection stayed open past its deadline")
        st, h, body, complete = harness.parse_http_response(buf)
        return st, h, body

    def test_slowloris_headers_get_408_in_dialect_and_close(self):
        s = self.connect()
        s.sendall(b"GET /api/v1/projects/p1/resources HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        # One header byte every 100 ms: every read is fresh, only the absolute deadline ends it.
        try:
            while time.monotonic() - t0 < BOUND_S:
                s.sendall(b"X")
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        st, h, body = self.answer(s)
        self.assertEqual(408, st)
        self.assertEqual({"error": "Request Timeout"}, json.loads(body))
        self.assertEqual("close", h.get("connection"))
        self.assertLess(time.monotonic() - t0, BOUND_S - 1)

    def test_slow_body_gets_408_in_its_surfaces_dialect(self):
        s = self.connect()
        s.sendall(b"POST /v2/api-products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 100\r\n\r\n{\"name\":")
        st, h, body = self.answer(s)
        self.assertEqual(408, st)
        self.assertEqual("application/problem+json", h.get("content-type"))
        doc = json.loads(body)
        self.assertEqual(408, doc["status"])
        self.assertEqual("Request Timeout", doc["detail"])

    def test_idle_connection_is_closed_silently(self):
        s = self.connect()
        buf, closed = read_all(s)
        self.assertTrue(closed)
        self.assertEqual(b"", buf)

    def test_keep_alive_resets_the_deadline_per_request(self):
        conn = self.s.connection(timeout=BOUND_S)
        for _ in range(3):
            r = harness.http_request(self.s.host, self.s.port, "GET", "/healthz", conn=conn)
            self.assertEqual(200, r.status)
            time.sleep(HEADER_MS / 1000 * 0.6)
        conn.close()

    def test_connections_over_the_per_ip_cap_are_closed(self):
        held = [self.connect() for _ in range(PER_IP)]
        time.sleep(0.2)  # let the gateway count them
        extra = self.connect()
        extra.settimeout(HEADER_MS / 1000 / 2)
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf, closed = read_all(extra)
        self.assertTrue(closed, "the connection over the cap was served or left open")
        self.assertEqual(b"", buf)
        for s in held:
            s.close()

        def served():
            # The gateway learns of the closes asynchronously: until then a new connection
            # is still over the cap and is closed without an answer.
            try:
                return self.req("GET", "/healthz").status == 200
            except (ConnectionError, http.client.HTTPException):
                return False

        self.poll(served, what="served again")

    def test_reply_over_the_response_cap_is_502(self):
        ids = [self.expect(self.req("POST", "/v2/api-products", {"name": "p%02d" % i},
                                    token=self.admin), 201)["id"] for i in range(12)]
        self.expect(self.req("GET", "/v2/api-products/" + ids[0], token=self.admin), 200)
        page = self.req("GET", "/v2/api-products?page[size]=12", token=self.admin)
        self.expect(page, 502)
        self.assertEqual("application/problem+json", page.headers.get("content-type"))
        self.assertEqual(502, page.body["status"])

    def test_request_over_max_in_flight_is_503_with_retry_after(self):
        self.s.kill("products-svc", signal.SIGSTOP, wait=False)
        try:
            def hold():
                # With a cap of 1 the held request is itself refused when one of the polls
                # below is in flight as it arrives: send it again until it is admitted.
                for _ in range(100):
                    if self.req("GET", "/v2/api-products", token=self.admin).status != 503:
                        return

            held = threading.Thread(target=hold)
            held.start()

            def over_cap():
                # 200 until the held request is in flight upstream; from then on, 503
                r = self.req("GET", "/api/v1/projects/p1/resources", token=self.admin)
                return r if r.status != 200 else None

            r = self.poll(over_cap, what="the held request to fill the gateway")
            self.expect(r, 503, {"error": "Service unavailable"})
            self.assertEqual("1", r.headers.get("retry-after"))
        finally:
            self.s.kill("products-svc", signal.SIGCONT, wait=False)
            self.s.procs["products-svc"].expected_down = False
        held.join(BOUND_S)
        self.expect(self.req("GET", "/api/v1/projects/p1/resources", token=self.admin), 200)


if __name__ == "__main__":
    harness.main()
