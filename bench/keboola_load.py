#!/usr/bin/python3
"""Keboola provisioning figures against a running gateway (bench/keboola.sh starts one).

  keboola_load.py URL ADMIN_TOKEN N CONCURRENCY [MARIADB_RUN_DIR]

Mints N storage tokens, then with CONCURRENCY clients: each token creates mysql credentials
(a real database and user, durable), then snowflake credentials (records only, durable);
then times docker jobs from POST to success; with MARIADB_RUN_DIR, stops that private
MariaDB and shows what a client sees. Python standard library only."""
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse


def request(url, method, path, body=None, headers=None):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    h = {"Content-Type": "application/json"} if data else {}
    h.update(headers or {})
    c.request(method, path, data, h)
    r = c.getresponse()
    raw = r.read()
    c.close()
    return r.status, (json.loads(raw) if raw else None)


def mint(url, admin, n):
    tokens = []
    for i in range(n):
        st, b = request(url, "POST", "/auth/v1/tokens",
                        {"kind": "storage", "subject": "bench-%d" % i,
                         "bindings": [{"scope": "storage-projects/bench", "role": "editor"}]},
                        {"Authorization": "Bearer " + admin})
        assert st == 201, (st, b)
        tokens.append(b["token"])
    return tokens


def creates(url, tokens, backend, concurrency):
    lat, errors, lock = [], [], threading.Lock()
    work = list(tokens)

    def client():
        while True:
            with lock:
                if not work:
                    return
                tok = work.pop()
            t0 = time.monotonic()
            st, b = request(url, "POST", "/provisioning/" + backend, {"type": "sandbox"},
                            {"X-StorageApi-Token": tok})
            dt = time.monotonic() - t0
            with lock:
                (lat if st == 201 else errors).append(dt if st == 201 else (st, b))

    t0 = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    lat.sort()
    print("%-10s %4d creates, %d clients: %7.1f creates/s, p50 %6.1f ms, p99 %6.1f ms, %d errors"
          % (backend, len(lat), concurrency, len(lat) / wall, 1000 * statistics.median(lat),
             1000 * lat[int(0.99 * (len(lat) - 1))], len(errors)))
    if errors:
        print("  first error:", errors[0])


def job_times(url, tokens, n):
    times = []
    for tok in tokens[:n]:
        h = {"X-StorageApi-Token": tok}
        t0 = time.monotonic()
        st, ref = request(url, "POST", "/provisioning/async/docker", {"type": "rstudio"}, h)
        assert st == 202, (st, ref)
        path = urllib.parse.urlparse(ref["url"]).path
        while True:
            st, job = request(url, "GET", path, headers=h)
            if job["status"] in ("success", "error"):
                break
            time.sleep(0.01)
        times.append(time.monotonic() - t0)
    print("docker job, POST to success: median %.0f ms, max %.0f ms over %d jobs"
          " (--job-delay-ms 500 of it is the records-only driver's simulated start)"
          % (1000 * statistics.median(times), 1000 * max(times), len(times)))


def mariadb_down(url, token, run_dir):
    subprocess.check_call(["scripts/mariadb-local", "stop", run_dir])
    for label in ("first call", "second call"):
        t0 = time.monotonic()
        st, b = request(url, "POST", "/provisioning/mysql", {"type": "transformations"},
                        {"X-StorageApi-Token": token})
        print("MariaDB down, %s: HTTP %d after %.0f ms: %s"
              % (label, st, 1000 * (time.monotonic() - t0), json.dumps(b)))


def main():
    url, admin, n, conc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    tokens = mint(url, admin, n)
    creates(url, tokens, "mysql", conc)
    creates(url, tokens, "snowflake", conc)
    job_times(url, tokens, 5)
    if len(sys.argv) > 5:
        mariadb_down(url, tokens[0], sys.argv[5])


if __name__ == "__main__":
    main()
