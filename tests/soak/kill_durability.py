"""Acknowledged writes survive SIGKILL: mixed concurrent writes through the gateway (KtrlPlane
creates/updates/deletes, wrappers and their resources, Konnect products/documents/versions/
specifications, tokens and role bindings) while a service is SIGKILLed and restarted; then
every 2xx-acknowledged write must read back, lists must agree with their totals, slug and
name uniqueness must still hold, version_count must be exact, and a deleted slug must be
reusable. Writes whose answer was lost (connection reset, 5xx) may or may not have landed.

Usage: HANGAR_BIN_DIR=build/bin python3 tests/soak/kill_durability.py \
           [resources-svc|products-svc|auth-svc|all] [seconds (<= 55)] [kills]
Exit status 1 when anything acknowledged was lost or inconsistent."""
import base64
import json
import os
import random
import secrets
import signal
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402  (HANGAR_BIN_DIR selects the binaries, as for the integration tests)

TARGET = sys.argv[1] if len(sys.argv) > 1 else "all"
SECONDS = min(55.0, float(sys.argv[2])) if len(sys.argv) > 2 else 30.0
KILLS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
problems = []
plock = threading.Lock()


def problem(msg):
    with plock:
        problems.append(msg)
    print("PROBLEM:", msg[:600], flush=True)


class Client:
    def __init__(self, st, token):
        self.st, self.token, self.conn = st, token, None

    def req(self, method, path, body=None, token=None):
        """Resp, or None when the outcome is unknown (transport error)."""
        for _ in range(1):
            try:
                if self.conn is None:
                    self.conn = self.st.connection(timeout=10)
                return self.st.request(method, path, body, token=token or self.token,
                                       conn=self.conn)
            except (OSError, http.client.HTTPException):
                try:
                    self.conn.close()
                except Exception:
                    pass
                self.conn = None
                return None


def acked(r, *codes):
    return r is not None and r.status in codes


def definite_fail(r):
    """A 4xx means the write did not happen (nothing written)."""
    return r is not None and 400 <= r.status < 500


# ------------------------------------------------------------------ ktrlplane
class Ktrl:
    def __init__(self, st, w, stop):
        self.c = Client(st, st.admin_token)
        self.proj = "proj-%d-%s" % (w, secrets.token_hex(2))
        self.w, self.stop = w, stop
        self.model = {}   # id -> ("present", name) | ("deleted",) | ("unknown", set of states)
        self.n = 0

    def run(self):
        P = "/api/v1/projects/%s/resources" % self.proj
        while not self.stop.is_set():
            live = [k for k, v in self.model.items() if v[0] == "present"]
            op = random.random()
            if op < 0.5 or not live:
                self.n += 1
                rid = "r%d-%d" % (self.w, self.n)
                name = "n-" + secrets.token_hex(3)
                r = self.c.req("POST", P, {"id": rid, "name": name, "type": "Konnektr.Graph"})
                if acked(r, 201):
                    self.model[rid] = ("present", name)
                elif definite_fail(r):
                    problem("ktrl create refused %r" % r)
                else:
                    self.model[rid] = ("unknown", {("absent",), ("present", name)})
            elif op < 0.8:
                rid = random.choice(live)
                name = "u-" + secrets.token_hex(3)
                r = self.c.req("PUT", P + "/" + rid, {"name": name})
                if acked(r, 200):
                    self.model[rid] = ("present", name)
                elif r is not None and r.status == 409:
                    pass
                elif definite_fail(r):
                    problem("ktrl update refused %r" % r)
                else:
                    self.model[rid] = ("unknown", {self.model[rid], ("present", name)})
            else:
                rid = random.choice(live)
                r = self.c.req("DELETE", P + "/" + rid)
                if acked(r, 202):
                    self.model[rid] = ("deleted",)
                elif definite_fail(r):
                    problem("ktrl delete refused %r" % r)
                else:
                    self.model[rid] = ("unknown", {self.model[rid], ("deleted",)})

    def verify(self, st):
        P = "/api/v1/projects/%s/resources" % self.proj
        c = Client(st, st.admin_token)
        # wait for the reconciler to settle
        deadline = time.monotonic() + 30
        while True:
            items, total, off, moved = [], None, 0, False
            while True:
                r = c.req("GET", P + "?limit=100&offset=%d" % off)
                if not acked(r, 200):
                    problem("ktrl list %r" % r)
                    return
                total = r.body["total"] if total is None else total
                moved |= r.body["total"] != total
                items += r.body["resources"]
                if len(r.body["resources"]) < 100:
                    break
                off += 100
            busy = [i for i in items if i["status"] not in ("running",)]
            if (not busy and not moved) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        if total != len(items):
            problem("ktrl %s: total %d != %d items" % (self.proj, total, len(items)))
        if busy:
            problem("ktrl %s: not settled after 30s: %s" % (self.proj, [(i["resource_id"], i["status"]) for i in busy][:10]))
        listed = {i["resource_id"]: i for i in items}
        if len(listed) != len(items):
            problem("ktrl duplicates in list %s" % self.proj)
        for rid, m in self.model.items():
            got = listed.get(rid)
            state = ("absent",) if got is None else ("present", got["name"])
            if m[0] == "present":
                ok = state == m
            elif m[0] == "deleted":
                ok = got is None
            else:
                ok = state in m[1] or (got is None and ("deleted",) in m[1])
            if not ok:
                problem("ktrl %s/%s: model %r, store %r" % (self.proj, rid, m, got))
            g = c.req("GET", P + "/" + rid)
            if g is None or (got is None and g.status != 404) or (got and (g.status != 200 or g.body != got)):
                problem("ktrl get/list disagree %s: %r vs %r" % (rid, g, got))
        for rid in listed:
            if rid not in self.model:
                problem("ktrl unexpected resource %s" % rid)
        # duplicate create of a present one is 409
        for rid, m in list(self.model.items())[:5]:
            if m[0] == "present":
                r = c.req("POST", P, {"id": rid, "name": "x", "type": "Konnektr.Graph"})
                if not acked(r, 409):
                    problem("ktrl duplicate create %r" % r)
        return len(self.model)


# ------------------------------------------------------------------ wrappers
class Wrappers:
    def __init__(self, st, w, stop, token):
        self.c = Client(st, token)
        self.token = token
        self.w, self.stop = w, stop
        self.wrappers = {}  # wid -> name (acked)
        self.res = {}       # rid -> (wid, name) acked present, or ("deleted",), ("unknown", {...})
        self.uncertain_wrappers = 0

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            op = random.random()
            live = [k for k, v in self.res.items() if v[0] != "deleted" and v[0] != "unknown"]
            if op < 0.1 or not self.wrappers:
                r = self.c.req("POST", "/wrappers", {"name": "w%d-%d" % (self.w, n)})
                if acked(r, 200):
                    self.wrappers[r.body["id"]] = r.body["name"]
                elif definite_fail(r):
                    problem("wrapper create refused %r" % r)
                else:
                    self.uncertain_wrappers += 1
            elif op < 0.6 or not live:
                wid = random.choice(list(self.wrappers))
                name = "res-%d-%d" % (self.w, n)
                r = self.c.req("POST", "/resources", {"wrapper_id": wid, "name": name, "type": "t"})
                if acked(r, 200):
                    self.res[r.body["id"]] = (wid, name)
                elif definite_fail(r):
                    problem("resource create refused %r" % r)
                else:
                    self.res["?%d" % n] = ("unknown", {(wid, name)})
            elif op < 0.8:
                rid = random.choice(live)
                wid, name = self.res[rid]
                nn = name + "x"
                r = self.c.req("PATCH", "/resources/" + rid, {"name": nn})
                if acked(r, 200):
                    self.res[rid] = (wid, nn)
                elif definite_fail(r):
                    problem("resource patch refused %r" % r)
                else:
                    self.res[rid] = ("unknown", {(wid, name), (wid, nn)})
            else:
                rid = random.choice(live)
                old = self.res[rid]
                r = self.c.req("DELETE", "/resources/" + rid)
                if acked(r, 200):
                    self.res[rid] = ("deleted",)
                elif definite_fail(r):
                    problem("resource delete refused %r" % r)
                else:
                    self.res[rid] = ("unknown", {old, ("deleted",)})

    def list_all(self, c, q):
        out, skip = [], 0
        while True:
            r = c.req("GET", "/resources?%sskip=%d&limit=50" % (q, skip))
            if not acked(r, 200):
                problem("wrapper list %r" % r)
                return out
            out += r.body
            if len(r.body) < 50:
                return out
            skip += 50

    def verify(self, st):
        c = Client(st, self.token)
        byw = {}
        for wid in self.wrappers:
            g = c.req("GET", "/wrappers/" + wid)
            if not acked(g, 200):
                problem("wrapper lost %s %r" % (wid, g))
            items = self.list_all(c, "wrapper_id=%s&" % wid)
            ids = [i["id"] for i in items]
            if len(set(ids)) != len(ids):
                problem("dup in wrapper list")
            names = [i["name"] for i in items]
            if len(set(names)) != len(names):
                problem("duplicate names in wrapper %s: %s" % (wid, names))
            byw[wid] = {i["id"]: i for i in items}
        seen = {}
        for d in byw.values():
            seen.update(d)
        for rid, m in self.res.items():
            if rid.startswith("?"):
                continue
            got = seen.get(rid)
            g = c.req("GET", "/resources/" + rid)
            if m[0] == "deleted":
                if got is not None or not acked(g, 404):
                    problem("wrapper resource %s deleted but present %r" % (rid, g))
            elif m[0] == "unknown":
                st_ = ("deleted",) if got is None else (got["wrapper_id"], got["name"])
                if st_ not in m[1]:
                    problem("wrapper resource %s: %r not in %r" % (rid, st_, m[1]))
            else:
                if got is None or (got["wrapper_id"], got["name"]) != m:
                    problem("wrapper resource %s: model %r, listed %r, get %r" % (rid, m, got, g))
            if got is not None and (not acked(g, 200) or g.body != got):
                problem("wrapper resource get/list disagree %s" % rid)
        # uniqueness still enforced: recreate an existing name
        for rid, m in list(self.res.items())[:20]:
            if m[0] not in ("deleted", "unknown") and not rid.startswith("?"):
                r = c.req("POST", "/resources", {"wrapper_id": m[0], "name": m[1], "type": "t"})
                if not acked(r, 400):
                    problem("wrapper name uniqueness lost: %r" % r)
        return byw


# ------------------------------------------------------------------ konnect
P = "/v2/api-products"


class Konnect:
    def __init__(self, st, w, stop, token):
        self.c = Client(st, token)
        self.token = token
        self.w, self.stop = w, stop
        self.products = {}   # pid -> {"docs": {did: slug}, "vers": set(), "uncertain": bool, "deleted": bool, "specs": {vid: sid}}

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            live = [p for p, v in self.products.items() if not v["deleted"]]
            op = random.random()
            if op < 0.1 or not live:
                r = self.c.req("POST", P, {"name": "p%d-%d" % (self.w, n)})
                if acked(r, 201):
                    self.products[r.body["id"]] = {"docs": {}, "vers": set(), "uncertain": False,
                                                   "deleted": False, "specs": {},
                                                   "body": r.body, "gone_docs": set(), "gone_vers": set()}
                elif definite_fail(r):
                    problem("product create refused %r" % r)
                continue
            pid = random.choice(live)
            p = self.products[pid]
            if op < 0.35:
                slug = "s%d" % n
                r = self.c.req("POST", P + "/%s/documents" % pid,
                               {"slug": slug, "title": "T", "status": "published", "content": "# x"})
                if acked(r, 201):
                    p["docs"][r.body["id"]] = slug
                elif definite_fail(r):
                    problem("doc create refused %r" % r)
                else:
                    p["uncertain"] = True
            elif op < 0.55:
                r = self.c.req("POST", P + "/%s/product-versions" % pid, {"name": "v%d" % n})
                if acked(r, 201):
                    p["vers"].add(r.body["id"])
                elif definite_fail(r):
                    problem("version create refused %r" % r)
                else:
                    p["uncertain"] = True
            elif op < 0.65 and p["vers"]:
                vid = random.choice(sorted(p["vers"]))
                if vid in p["specs"]:
                    continue
                r = self.c.req("POST", P + "/%s/product-versions/%s/specifications" % (pid, vid),
                               {"name": "a.yaml", "content": base64.b64encode(b"a: 1\n").decode()})
                if acked(r, 201):
                    p["specs"][vid] = r.body["id"]
                elif r is not None and r.status == 409:
                    p["specs"][vid] = "?"
                elif definite_fail(r):
                    problem("spec create refused %r" % r)
                else:
                    p["uncertain"] = True
            elif op < 0.75 and p["vers"]:
                vid = random.choice(sorted(p["vers"]))
                r = self.c.req("DELETE", P + "/%s/product-versions/%s" % (pid, vid))
                if acked(r, 204):
                    p["vers"].discard(vid)
                    p["gone_vers"].add(vid)
                    p["specs"].pop(vid, None)
                elif definite_fail(r):
                    problem("version delete refused %r" % r)
                else:
                    p["uncertain"] = True
            elif op < 0.85 and p["docs"]:
                did = random.choice(sorted(p["docs"]))
                r = self.c.req("DELETE", P + "/%s/documents/%s" % (pid, did))
                if acked(r, 204):
                    p["gone_docs"].add(p["docs"].pop(did))
                elif definite_fail(r):
                    problem("doc delete refused %r" % r)
                else:
                    p["uncertain"] = True
            elif op < 0.88:
                r = self.c.req("DELETE", P + "/%s" % pid)
                if acked(r, 204):
                    p["deleted"] = True
                elif definite_fail(r):
                    problem("product delete refused %r" % r)
                else:
                    p["uncertain"] = True

    def verify(self, st):
        c = Client(st, self.token)
        # total == items
        items, num, total = [], 1, None
        while True:
            r = c.req("GET", P + "?page[size]=100&page[number]=%d" % num)
            if not acked(r, 200):
                problem("product list %r" % r)
                break
            total = r.body["meta"]["page"]["total"]
            items += r.body["data"]
            if len(r.body["data"]) < 100:
                break
            num += 1
        if total != len(items):
            problem("konnect product total %s != %d" % (total, len(items)))
        listed = {i["id"]: i for i in items}
        for pid, p in self.products.items():
            g = c.req("GET", P + "/" + pid)
            if p["deleted"]:
                if not acked(g, 404) or pid in listed:
                    problem("deleted product present %s %r" % (pid, g))
                for did in p["docs"]:
                    d = c.req("GET", P + "/%s/documents/%s" % (pid, did))
                    if not acked(d, 404):
                        problem("orphan doc readable %r" % d)
                continue
            if not acked(g, 200):
                if p["uncertain"] and acked(g, 404):
                    continue
                problem("product lost %s %r" % (pid, g))
                continue
            # versions
            vl = c.req("GET", P + "/%s/product-versions?page[size]=100" % pid)
            vids = {v["id"] for v in vl.body["data"]} if acked(vl, 200) else set()
            if acked(vl, 200) and vl.body["meta"]["page"]["total"] != len(vl.body["data"]):
                problem("version total mismatch %s" % pid)
            if g.body["version_count"] != len(vids):
                problem("version_count %d != %d listed (%s)" % (g.body["version_count"], len(vids), pid))
            if not p["uncertain"]:
                if vids != p["vers"]:
                    problem("versions differ %s: model %s store %s" % (pid, sorted(p["vers"]), sorted(vids)))
            else:
                if not p["vers"] <= vids:
                    problem("acked versions lost %s: %s" % (pid, p["vers"] - vids))
                if vids & p["gone_vers"]:
                    problem("deleted versions back %s" % (vids & p["gone_vers"]))
            for vid, sid in p["specs"].items():
                if sid != "?" and vid in vids:
                    s = c.req("GET", P + "/%s/product-versions/%s/specifications/%s" % (pid, vid, sid))
                    if not acked(s, 200):
                        problem("spec lost %r" % s)
            dl = c.req("GET", P + "/%s/documents?page[size]=100" % pid)
            docs = {d["id"]: d["slug"] for d in dl.body["data"]} if acked(dl, 200) else {}
            if acked(dl, 200) and dl.body["meta"]["page"]["total"] != len(dl.body["data"]):
                problem("doc total mismatch %s" % pid)
            for did, slug in p["docs"].items():
                if docs.get(did) != slug:
                    problem("doc lost %s/%s" % (pid, did))
            if not p["uncertain"] and set(docs) != set(p["docs"]):
                problem("docs differ %s" % pid)
            # slug uniqueness
            for slug in list(docs.values())[:3]:
                r = c.req("POST", P + "/%s/documents" % pid, {"slug": slug, "title": "T", "status": "published"})
                if not acked(r, 409):
                    problem("slug uniqueness lost %r" % r)
            # deleted slugs reusable
            for slug in list(p["gone_docs"])[:3]:
                if slug in docs.values():
                    continue
                r = c.req("POST", P + "/%s/documents" % pid, {"slug": slug, "title": "T", "status": "published"})
                if not acked(r, 201):
                    problem("deleted slug not reusable %r" % r)
                else:
                    p["docs"][r.body["id"]] = slug
                    p["gone_docs"].discard(slug)
        for pid in listed:
            if pid not in self.products:
                pass  # unacked create that committed: allowed


# ------------------------------------------------------------------ auth
class Auth:
    def __init__(self, st, w, stop):
        self.c = Client(st, st.admin_token)
        self.w, self.stop = w, stop
        self.tokens = {}  # id -> (token, subject)
        self.bindings = {}
        self.revoked = set()

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            op = random.random()
            if op < 0.6:
                sub = "sub-%d-%d" % (self.w, n)
                r = self.c.req("POST", "/auth/v1/tokens", {"kind": "apikey", "subject": sub,
                                                           "bindings": [{"scope": "projects/pa%d" % self.w, "role": "viewer"}]})
                if acked(r, 201):
                    self.tokens[r.body["id"]] = (r.body["token"], sub)
                elif definite_fail(r):
                    problem("token create refused %r" % r)
            elif op < 0.85:
                r = self.c.req("POST", "/auth/v1/role-bindings", {"subject": "b-%d-%d" % (self.w, n),
                                                                  "scope": "wrappers", "role": "viewer"})
                if acked(r, 201):
                    self.bindings[r.body["id"]] = r.body
                elif definite_fail(r):
                    problem("binding create refused %r" % r)
            elif self.tokens:
                tid = random.choice(sorted(set(self.tokens) - self.revoked) or [None])
                if tid is None:
                    continue
                r = self.c.req("DELETE", "/auth/v1/tokens/" + tid)
                if acked(r, 204):
                    self.revoked.add(tid)
                elif r is not None and r.status == 404:
                    problem("revoke 404 for a live token %s" % tid)

    def verify(self, st):
        c = Client(st, st.admin_token)
        r = c.req("GET", "/auth/v1/tokens")
        listed = {t["id"] for t in r.body["tokens"]} if acked(r, 200) else set()
        for tid, (tok, sub) in self.tokens.items():
            u = c.req("GET", "/api/v1/projects/pa%d/resources" % self.w, token=tok)
            if tid in self.revoked:
                if acked(u, 200):
                    problem("revoked token still works (may be cache) %s" % tid)
                if tid in listed:
                    problem("revoked token listed %s" % tid)
            else:
                if not acked(u, 200):
                    problem("acked token does not work %s %r" % (tid, u))
                if tid not in listed:
                    problem("acked token not listed %s" % tid)
        r = c.req("GET", "/auth/v1/role-bindings")
        lb = {b["id"] for b in r.body["role_bindings"]} if acked(r, 200) else set()
        for bid in self.bindings:
            if bid not in lb:
                problem("binding lost %s" % bid)


def main():
    random.seed()
    st = harness.Stack(provision_delay_ms=30, auth_cache_ttl=1, log_level="warn")
    st.start()
    try:
        wtok = st.mint_token("apikey", "wr", [("wrappers", "editor")])["token"]
        ktok = st.mint_token("kpat", "k", [("orgs/chaos", "editor")])["token"]
        stop = threading.Event()
        workers = []
        for w in range(3):
            workers.append(Ktrl(st, w, stop))
            workers.append(Wrappers(st, w, stop, wtok))
            workers.append(Konnect(st, w, stop, ktok))
        for w in range(2):
            workers.append(Auth(st, w, stop))
        threads = [threading.Thread(target=x.run) for x in workers]
        for t in threads:
            t.start()
        targets = ["resources-svc", "products-svc", "auth-svc"] if TARGET == "all" else [TARGET]
        t_end = time.monotonic() + SECONDS
        gap = SECONDS / (KILLS + 1)
        k = 0
        while time.monotonic() < t_end and k < KILLS:
            time.sleep(gap * random.uniform(0.6, 1.2))
            tgt = targets[k % len(targets)]
            print("kill -9", tgt, flush=True)
            st.kill(tgt, signal.SIGKILL)
            time.sleep(random.uniform(0.1, 1.0))
            st.restart(tgt)
            k += 1
        time.sleep(max(0, t_end - time.monotonic()))
        stop.set()
        for t in threads:
            t.join(30)
        dead = st.dead_unexpectedly()
        if dead:
            problem("died: %s" % dead)
        time.sleep(1.5)  # revocations reach every verifier cache (ttl 1 s)
        for x in workers:
            x.verify(st)
        # one more kill of each, then re-verify (recovery of what was verified)
        for tgt in targets:
            st.kill(tgt, signal.SIGKILL)
            st.restart(tgt)
        time.sleep(1.5)
        for x in workers:
            x.verify(st)
        stats = {type(x).__name__ + str(x.w): (len(getattr(x, "model", getattr(x, "res", getattr(x, "products", getattr(x, "tokens", {})))))) for x in workers}
        print("stats", stats)
        for n in harness.PROCESS_ORDER:
            t = harness.tail(st._p(n + ".stderr"), 200000)
            for line in t.splitlines():
                if "ERROR" in line or "AddressSanitizer" in line or "runtime error" in line or "LeakSanitizer" in line:
                    problem("%s stderr: %s" % (n, line))
    finally:
        st.stop()
    print("PROBLEMS: %d" % len(problems))
    for p in problems[:40]:
        print(" -", p[:400])
    sys.exit(1 if problems else 0)


main()
