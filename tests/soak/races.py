"""Concurrency races through the gateway: PUT/DELETE/re-create of one KtrlPlane resource
against the reconciler; deleting a Konnect product while documents, versions and
specifications are created under it (nothing of it readable afterwards, no orphan records in
the store: checked with mdb_dump); duplicate slug and specification creates; version_count
under concurrent version creates and deletes; concurrent document moves (no cycle, the tree
holds every document); deleting a wrapper while resources are created in it.

Usage: HANGAR_BIN_DIR=build/bin python3 tests/soak/races.py   (about a minute)"""
import base64
import os
import shutil
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402  (HANGAR_BIN_DIR selects the binaries, as for the integration tests)

problems = []


def problem(m):
    problems.append(m)
    print("PROBLEM:", m[:400], flush=True)


def hammer(st, fns, seconds, threads):
    stop = time.monotonic() + seconds
    out = {}
    lock = threading.Lock()

    def run(k):
        conn = st.connection(timeout=30)
        while time.monotonic() < stop:
            name, fn = random.choice(fns)
            try:
                r = fn(conn)
            except Exception as e:
                conn.close()
                conn = st.connection(timeout=30)
                r = None
            key = (name, r.status if r is not None else "exc")
            with lock:
                out[key] = out.get(key, 0) + 1
            if r is not None and r.status >= 500:
                problem("%s: %r" % (name, r))
        conn.close()
    with ThreadPoolExecutor(threads) as ex:
        list(ex.map(run, range(threads)))
    return out


def ktrl_race(st):
    tok = st.admin_token
    P = "/api/v1/projects/race/resources"
    ids = ["a", "b", "c"]
    fns = []
    for rid in ids:
        fns += [
            ("create", lambda c, rid=rid: st.request("POST", P, {"id": rid, "name": "n", "type": "Konnektr.Flow"}, token=tok, conn=c)),
            ("put", lambda c, rid=rid: st.request("PUT", P + "/" + rid, {"name": "p%d" % random.randrange(1000), "settings_json": {"k": random.random()}}, token=tok, conn=c)),
            ("put", lambda c, rid=rid: st.request("PUT", P + "/" + rid, {"sku": "pro"}, token=tok, conn=c)),
            ("delete", lambda c, rid=rid: st.request("DELETE", P + "/" + rid, token=tok, conn=c)),
            ("get", lambda c, rid=rid: st.request("GET", P + "/" + rid, token=tok, conn=c)),
        ]
    out = hammer(st, fns, 20, 12)
    print("ktrl race:", sorted(out.items()))
    # settle
    deadline = time.monotonic() + 10
    while True:
        r = st.request("GET", P + "?limit=100", token=tok)
        pending = [x for x in r.body["resources"] if x["status"] not in ("running", "error")]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if pending:
        problem("ktrl race: stuck %s" % pending)
    if r.body["total"] != len(r.body["resources"]):
        problem("ktrl race: total %d != %d" % (r.body["total"], len(r.body["resources"])))
    for x in r.body["resources"]:
        if x["status"] == "error":
            problem("ktrl race: error status %r" % x)
        if x["status"] == "running" and not x.get("access_url"):
            problem("running without access_url %r" % x)
        g = st.request("GET", P + "/" + x["resource_id"], token=tok)
        if g.body != x:
            problem("ktrl race get != list: %r %r" % (g.body, x))
    # every id must be creatable (if gone) / 409 (if present)
    present = {x["resource_id"] for x in r.body["resources"]}
    for rid in ids:
        c = st.request("POST", P, {"id": rid, "name": "n", "type": "Konnektr.Flow"}, token=tok)
        if c.status != (409 if rid in present else 201):
            problem("ktrl race recreate %s: %r (present=%s)" % (rid, c, rid in present))


def konnect_race(st):
    kt = st.mint_token("kpat", "race", [("orgs/race", "editor")])["token"]
    P = "/v2/api-products"
    stats = {}
    orphans_checked = 0
    t_end = time.monotonic() + 25
    rounds = 0
    while time.monotonic() < t_end:
        rounds += 1
        pid = st.request("POST", P, {"name": "r"}, token=kt).body["id"]
        v = st.request("POST", P + "/%s/product-versions" % pid, {"name": "v0"}, token=kt).body["id"]
        made = {"docs": [], "vers": [], "specs": []}
        lock = threading.Lock()

        def creator(k):
            c = st.connection(timeout=30)
            for i in range(15):
                what = random.randrange(4)
                if what == 0:
                    r = st.request("POST", P + "/%s/documents" % pid, {"slug": "s%d" % random.randrange(20), "title": "t", "status": "published"}, token=kt, conn=c)
                    kind = "docs"
                elif what == 1:
                    r = st.request("POST", P + "/%s/product-versions" % pid, {"name": "v"}, token=kt, conn=c)
                    kind = "vers"
                elif what == 2:
                    r = st.request("POST", P + "/%s/product-versions/%s/specifications" % (pid, v),
                                   {"name": "a.json", "content": base64.b64encode(b"{}").decode()}, token=kt, conn=c)
                    kind = "specs"
                else:
                    r = st.request("PATCH", P + "/%s" % pid, {"name": "x%d" % i}, token=kt, conn=c)
                    kind = "patch"
                with lock:
                    stats[(kind, r.status)] = stats.get((kind, r.status), 0) + 1
                    if r.status == 201:
                        made[kind].append(r.body["id"])
                if r.status >= 500:
                    problem("konnect race %r" % r)
            c.close()

        def deleter():
            time.sleep(random.uniform(0, 0.05))
            r = st.request("DELETE", P + "/" + pid, token=kt)
            stats[("delete", r.status)] = stats.get(("delete", r.status), 0) + 1

        ts = [threading.Thread(target=creator, args=(k,)) for k in range(6)] + [threading.Thread(target=deleter)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        g = st.request("GET", P + "/" + pid, token=kt)
        if g.status != 404:
            problem("product survived delete %r" % g)
        for d in made["docs"]:
            r = st.request("GET", P + "/%s/documents/%s" % (pid, d), token=kt)
            if r.status != 404:
                problem("orphan document readable %r" % r)
        for d in made["vers"]:
            r = st.request("GET", P + "/%s/product-versions/%s" % (pid, d), token=kt)
            if r.status != 404:
                problem("orphan version readable %r" % r)
        for d in made["specs"]:
            r = st.request("GET", P + "/%s/product-versions/%s/specifications/%s" % (pid, v, d), token=kt)
            if r.status != 404:
                problem("orphan spec readable %r" % r)
    print("konnect race rounds", rounds, sorted(stats.items()))
    # slug duplicate creates on one product
    pid = st.request("POST", P, {"name": "dup"}, token=kt).body["id"]
    res = []
    def dup(k):
        return st.request("POST", P + "/%s/documents" % pid, {"slug": "same", "title": "t", "status": "published"}, token=kt).status
    with ThreadPoolExecutor(16) as ex:
        res = list(ex.map(dup, range(64)))
    if res.count(201) != 1 or res.count(409) != 63:
        problem("duplicate slug creates: %s" % sorted(set(res)))
    # spec one-per-version duplicate creates
    vid = st.request("POST", P + "/%s/product-versions" % pid, {"name": "v"}, token=kt).body["id"]
    def dspec(k):
        return st.request("POST", P + "/%s/product-versions/%s/specifications" % (pid, vid),
                          {"name": "a.json", "content": base64.b64encode(b"{}").decode()}, token=kt).status
    with ThreadPoolExecutor(16) as ex:
        res = list(ex.map(dspec, range(32)))
    if res.count(201) != 1:
        problem("duplicate spec creates: %s" % res)
    # version_count under concurrent create/delete
    def vcd(k):
        r = st.request("POST", P + "/%s/product-versions" % pid, {"name": "v%d" % k}, token=kt)
        if k % 2 == 0 and r.status == 201:
            st.request("DELETE", P + "/%s/product-versions/%s" % (pid, r.body["id"]), token=kt)
    with ThreadPoolExecutor(16) as ex:
        list(ex.map(vcd, range(100)))
    g = st.request("GET", P + "/" + pid, token=kt).body
    l = st.request("GET", P + "/%s/product-versions?page[size]=100" % pid, token=kt).body
    if g["version_count"] != len(l["data"]) or l["meta"]["page"]["total"] != len(l["data"]) or len(l["data"]) != 51:
        problem("version_count %d, listed %d, total %d (expect 51)" % (g["version_count"], len(l["data"]), l["meta"]["page"]["total"]))
    # document move races: concurrently reparent documents to make a cycle
    docs = [st.request("POST", P + "/%s/documents" % pid, {"slug": "m%d" % i, "title": "t", "status": "published"}, token=kt).body["id"] for i in range(6)]
    def mv(k):
        a, b = random.sample(docs, 2)
        return st.request("PATCH", P + "/%s/documents/%s" % (pid, a), {"parent_document_id": b}, token=kt).status
    with ThreadPoolExecutor(12) as ex:
        codes = list(ex.map(mv, range(300)))
    tree = st.request("GET", P + "/%s/documents?page[size]=100" % pid, token=kt,
                      headers={"Accept": "application/vnd.konnect.document-tree+json"})
    if tree.status != 200:
        problem("tree after move race %r" % tree)
    lst = st.request("GET", P + "/%s/documents?page[size]=100" % pid, token=kt).body["data"]
    parent = {d["id"]: d["parent_document_id"] for d in lst}
    for d in docs:
        seen, x = set(), d
        while x is not None:
            if x in seen:
                problem("document cycle through %s" % x)
                break
            seen.add(x)
            x = parent.get(x)
    def count_tree(nodes):
        return sum(1 + count_tree(n.get("children", [])) for n in nodes)
    if tree.status == 200 and count_tree(tree.body["data"]) != len(lst):
        problem("tree has %d nodes, list %d" % (count_tree(tree.body["data"]), len(lst)))
    print("moves:", {c: codes.count(c) for c in set(codes)})


def wrapper_race(st):
    wt = st.mint_token("apikey", "wr", [("wrappers", "editor")])["token"]
    stats = {}
    for rnd in range(60):
        wid = st.request("POST", "/wrappers", {"name": "w"}, token=wt).body["id"]
        made = []
        lock = threading.Lock()

        def creator(k):
            time.sleep(random.uniform(0, 0.03))
            for i in range(5):
                r = st.request("POST", "/resources", {"wrapper_id": wid, "name": "n%d" % random.randrange(8), "type": "t"}, token=wt)
                with lock:
                    stats[("create", r.status)] = stats.get(("create", r.status), 0) + 1
                    if r.status == 200:
                        made.append(r.body["id"])

        def deleter():
            for i in range(10):
                r = st.request("DELETE", "/wrappers/" + wid, token=wt)
                stats[("wdel", r.status)] = stats.get(("wdel", r.status), 0) + 1
                if r.status == 200:
                    return
        ts = [threading.Thread(target=creator, args=(k,)) for k in range(6)] + [threading.Thread(target=deleter)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        g = st.request("GET", "/wrappers/" + wid, token=wt)
        items = st.request("GET", "/resources?wrapper_id=%s&limit=50" % wid, token=wt).body
        names = [x["name"] for x in items]
        if len(names) != len(set(names)):
            problem("dup names %s" % names)
        if g.status == 404 and (items or made):
            for rid in made:
                r = st.request("GET", "/resources/" + rid, token=wt)
                if r.status == 200:
                    problem("resource of deleted wrapper exists %r" % r.body)
        if g.status == 200 and len(items) != len(made):
            problem("wrapper list %d vs made %d" % (len(items), len(made)))
    print("wrapper race:", sorted(stats.items()))


def orphan_scan(datadir):
    """mdb_dump the products store; every document/version/spec's product must exist."""
    def dump(db):
        out = subprocess.run(["mdb_dump", "-p", "-s", db, datadir], capture_output=True, text=True)
        keys = []
        lines = out.stdout.split("HEADER=END\n", 1)[-1].splitlines()
        for i in range(0, len(lines) - 1, 2):
            if lines[i] == "DATA=END":
                break
            keys.append(lines[i].strip())
        return keys
    def dec(k):
        out, i = b"", 0
        while i < len(k):
            if k[i] == "\\":
                if k[i + 1] == "\\":
                    out += b"\\"; i += 2
                else:
                    out += bytes([int(k[i + 1:i + 3], 16)]); i += 3
            else:
                out += k[i].encode(); i += 1
        return out
    prods = {dec(k).split(b"\0")[1] for k in dump("t/products")}
    orph = 0
    for t in ("t/documents", "t/versions", "t/specifications"):
        for k in dump(t):
            if dec(k).split(b"\0")[0] not in prods:
                orph += 1
    print("orphan scan: %d products, %d orphans" % (len(prods), orph))
    if orph:
        problem("%d orphan records in the products store" % orph)


def main():
    st = harness.Stack(provision_delay_ms=5)
    st.start()
    try:
        ktrl_race(st)
        konnect_race(st)
        wrapper_race(st)
        if st.dead_unexpectedly():
            problem("died %s" % st.dead_unexpectedly())
        for n in harness.PROCESS_ORDER:
            for line in harness.tail(st._p(n + ".stderr"), 400000).splitlines():
                if "ERROR" in line or "Sanitizer" in line or "runtime error" in line:
                    problem("%s: %s" % (n, line))
        if shutil.which("mdb_dump"):
            st.kill("products-svc", 15)
            orphan_scan(st._p("products"))
            st.restart("products-svc")
        else:
            print("orphan scan skipped: no mdb_dump (lmdb-utils)")
    finally:
        st.stop()
    print("PROBLEMS", len(problems))
    for p in problems[:30]:
        print(" -", p[:300])
    sys.exit(1 if problems else 0)


main()
