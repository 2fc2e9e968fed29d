#!/usr/bin/python3
"""konnect_load.py - creates COUNT API products through the gateway as fast as it will take
them (CONCURRENCY keep-alive connections, one thread each), for bench/konnect-list.sh.

Usage: konnect_load.py URL TOKEN COUNT [CONCURRENCY]
Prints "<count> products in <s> s (<rate>/s)"; exits 1 on the first answer that is not 201.
Python 3 standard library only.
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def worker(host, port, token, names, failures):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    for name in names:
        conn.request("POST", "/v2/api-products", json.dumps({"name": name}), headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 201:
            failures.append("%s -> %d %s" % (name, r.status, body[:200]))
            break
    conn.close()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    url, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conc = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    u = urlsplit(url)
    names = ["product %07d" % i for i in range(count)]
    failures = []
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(u.hostname, u.port, token,
                                                     names[i::conc], failures))
               for i in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    if failures:
        sys.exit("konnect_load.py: " + failures[0])
    print("%d products in %.1f s (%.0f/s)" % (count, dt, count / dt))


if __name__ == "__main__":
    main()
