"""docker-compose.yml's etcd profile (issue 15) is the replicated stack it says it is, and the
default stack is untouched by it. No container engine runs here, so this reads the file
(Debian's python3-yaml, which docker-compose depends on); ctest's compose/config-etcd has
docker-compose itself parse it with the profile on.

- Without a profile, `up` starts exactly the default stack (the services below, none on
  etcd), as before the profile existed.
- Profile etcd: three etcd members whose settings form one cluster (each member's name and
  peer address in the initial cluster, each advertising its own service name), with the
  same limits scripts/etcd-local gives `make run`'s members; two replicas of every service,
  each on --store etcd:<the three members>?<those limits> (the spec's parameters say what
  the members take), on its service's usual ports, with no volume
  (all state in etcd), depending on the members; services' --auth lists both auth-svc
  replicas; a gateway that lists every replica of every upstream at its --listen port,
  published on a port of its own.
"""

import os
import re
import subprocess
import unittest
import urllib.parse

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DEFAULT_STACK = {"auth", "resources", "products", "mariadb", "credentials", "gateway",
                 "prometheus"}
SERVICES = {"auth": "auth-svc", "resources": "resources-svc", "products": "products-svc",
            "credentials": "credentials-svc"}
MEMBERS = ("etcd1", "etcd2", "etcd3")


def flag(command, name):
    return command[command.index(name) + 1]


def local_limits():
    """The request limits of `make run`'s members, from scripts/etcd-local's store spec (the
    parameters after '?'), in their order."""
    spec = subprocess.run([os.path.join(ROOT, "scripts", "etcd-local"), "spec"], check=True,
                          capture_output=True, text=True).stdout.strip()
    limits = dict(urllib.parse.parse_qsl(spec.partition("?")[2], strict_parsing=True))
    if list(limits) != ["max-txn-ops", "max-request-bytes"]:
        raise AssertionError("scripts/etcd-local spec: %r" % spec)
    return limits


class ComposeEtcdTest(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(ROOT, "docker-compose.yml")) as f:
            self.services = yaml.safe_load(f)["services"]
        self.etcd = {n: s for n, s in self.services.items() if "etcd" in s.get("profiles", ())}

    def test_default_stack_is_unchanged(self):
        default = {n for n, s in self.services.items() if not s.get("profiles")}
        self.assertEqual(DEFAULT_STACK, default)
        for name in default:
            self.assertNotIn("--store", self.services[name].get("command", []), name)

    def test_three_members_form_one_cluster(self):
        members = {n: s for n, s in self.etcd.items() if n.startswith("etcd")}
        self.assertEqual(set(MEMBERS), set(members))
        clusters = set()
        for name, s in members.items():
            env = s["environment"]
            self.assertTrue(s["image"].startswith("gcr.io/etcd-development/etcd:v3.4"), s)
            self.assertEqual(name, env["ETCD_NAME"])
            self.assertEqual("http://%s:2379" % name, env["ETCD_ADVERTISE_CLIENT_URLS"])
            self.assertEqual("http://%s:2380" % name, env["ETCD_INITIAL_ADVERTISE_PEER_URLS"])
            self.assertIn("%s=http://%s:2380" % (name, name),
                          env["ETCD_INITIAL_CLUSTER"].split(","))
            clusters.add(env["ETCD_INITIAL_CLUSTER"])
            self.assertEqual("new", env["ETCD_INITIAL_CLUSTER_STATE"])
            self.assertEqual(["%s-data:%s" % (name, env["ETCD_DATA_DIR"])], s["volumes"])
            self.assertEqual("unless-stopped", s["restart"])
        self.assertEqual(1, len(clusters), "one initial cluster for all: %s" % clusters)
        self.assertEqual(3, len(clusters.pop().split(",")))

    def test_members_have_the_limits_of_make_run(self):
        with open(os.path.join(ROOT, "scripts", "etcd-local")) as f:
            local = "\n".join(line for line in f if not line.lstrip().startswith("#"))
        for setting in ("auto-compaction-mode", "auto-compaction-retention"):
            m = re.search(r"--%s (\S+)" % setting, local)
            self.assertTrue(m, "scripts/etcd-local sets --%s" % setting)
            env = "ETCD_" + setting.upper().replace("-", "_")
            for name in MEMBERS:
                self.assertEqual(m.group(1), str(self.etcd[name]["environment"][env]),
                                 "%s %s" % (name, env))
        # the request limits: as `make run`'s, and in the replicas' store spec
        limits = local_limits()
        for setting in ("max-txn-ops", "max-request-bytes"):
            self.assertIn('--%s "$%s"' % (setting, setting.replace("-", "_")), local)
            env = "ETCD_" + setting.upper().replace("-", "_")
            for name in MEMBERS:
                self.assertEqual(limits[setting], str(self.etcd[name]["environment"][env]),
                                 "%s %s" % (name, env))

    def test_two_replicas_of_every_service_on_the_members(self):
        store = "etcd:%s?%s" % (",".join("%s:2379" % m for m in MEMBERS),
                                urllib.parse.urlencode(local_limits()))
        auth = None
        for short, exe in SERVICES.items():
            plain = self.services[short]["command"]
            for n in (1, 2):
                name = "%s-%d" % (short, n)
                s = self.etcd.get(name)
                self.assertIsNotNone(s, "%s in profile etcd" % name)
                cmd = s["command"]
                self.assertEqual(exe, cmd[0])
                self.assertEqual(store, flag(cmd, "--store"), name)
                self.assertNotIn("--data-dir", cmd, name)
                self.assertNotIn("volumes", s, "%s keeps its state in etcd" % name)
                self.assertEqual(flag(plain, "--listen"), flag(cmd, "--listen"), name)
                self.assertEqual(flag(plain, "--metrics-listen"),
                                 flag(cmd, "--metrics-listen"), name)
                self.assertTrue(set(MEMBERS) <= set(s["depends_on"]), name)
                self.assertEqual("unless-stopped", s["restart"])
                if short != "auth":
                    auth = auth or flag(cmd, "--auth")
                    self.assertEqual(auth, flag(cmd, "--auth"), name)
        port = flag(self.services["auth"]["command"], "--listen").rsplit(":", 1)[1]
        self.assertEqual("auth-1:%s,auth-2:%s" % (port, port), auth)
        for name in ("auth-1", "auth-2"):
            env = self.etcd[name]["environment"]
            self.assertIn("HANGAR_ADMIN_TOKEN", env)
            self.assertIn("HANGAR_JWT_SECRET", env)
        for name in ("credentials-1", "credentials-2"):
            self.assertIn("HANGAR_MYSQL_DSN", self.etcd[name]["environment"])
            self.assertIn("mariadb", self.etcd[name]["depends_on"])

    def test_gateway_lists_every_replica(self):
        gw = self.etcd["gateway-etcd"]
        cmd = gw["command"]
        for short in SERVICES:
            port = flag(self.services[short]["command"], "--listen").rsplit(":", 1)[1]
            self.assertEqual("%s-1:%s,%s-2:%s" % (short, port, short, port),
                             flag(cmd, "--" + short), short)
            self.assertTrue({"%s-1" % short, "%s-2" % short} <= set(gw["depends_on"]))
        plain_ports = {p.split(":")[0] for p in self.services["gateway"]["ports"]}
        ports = [p.split(":") for p in gw["ports"]]
        self.assertEqual(1, len(ports))
        self.assertEqual(flag(cmd, "--listen").rsplit(":", 1)[1], ports[0][-1])
        self.assertNotIn(ports[0][0], plain_ports, "both gateways can be published at once")


if __name__ == "__main__":
    unittest.main(verbosity=2)
