"""docker-compose.yml, deploy/prometheus.yml and the README's process table agree: every
service listens for metrics on its port, Prometheus scrapes every process (the gateway on its
HTTP port, each service on its metrics port) and nothing else, its container mounts the
scrape configuration, and the README lists the same ports. No container engine runs here,
so this reads the files (Debian's python3-yaml, which docker-compose depends on)."""

import os
import re
import unittest

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SERVICES = {"auth": "auth-svc", "resources": "resources-svc", "products": "products-svc",
            "credentials": "credentials-svc"}


def load(*path):
    with open(os.path.join(ROOT, *path)) as f:
        return f.read()


def flag(command, name):
    """The value after flag name in a compose command list."""
    i = command.index(name)
    return command[i + 1]


class ComposePrometheusTest(unittest.TestCase):
    def setUp(self):
        self.compose = yaml.safe_load(load("docker-compose.yml"))["services"]
        self.prometheus = yaml.safe_load(load("deploy", "prometheus.yml"))

    def metrics_ports(self):
        """{process: port} from the compose commands; the gateway's is its HTTP port."""
        ports = {"gateway": int(flag(self.compose["gateway"]["command"], "--listen")
                                .rsplit(":", 1)[1])}
        for svc, process in SERVICES.items():
            addr = flag(self.compose[svc]["command"], "--metrics-listen")
            host, _, port = addr.rpartition(":")
            self.assertEqual("0.0.0.0", host, "%s must listen on every interface" % svc)
            ports[process] = int(port)
        return ports

    def test_prometheus_scrapes_every_process(self):
        ports = self.metrics_ports()
        want = {"gateway:%d" % ports["gateway"]}
        want |= {"%s:%d" % (svc, ports[p]) for svc, p in SERVICES.items()}
        jobs = self.prometheus["scrape_configs"]
        got = [t for job in jobs for sc in job["static_configs"] for t in sc["targets"]]
        self.assertEqual(sorted(want), sorted(got))
        self.assertEqual(len(jobs), len({job["job_name"] for job in jobs}))
        self.assertTrue(all(job.get("metrics_path", "/metrics") == "/metrics" for job in jobs))

    def test_prometheus_service_mounts_the_configuration(self):
        prom = self.compose["prometheus"]
        self.assertTrue(prom["image"].startswith("prom/prometheus:"), prom["image"])
        mounts = [v.split(":")[:2] for v in prom["volumes"]]
        self.assertIn(["./deploy/prometheus.yml", "/etc/prometheus/prometheus.yml"], mounts)
        self.assertIn("--config.file=/etc/prometheus/prometheus.yml", prom["command"])
        for svc in ["gateway"] + list(SERVICES):
            self.assertIn(svc, prom["depends_on"])

    def test_readme_lists_the_same_ports(self):
        rows = dict(re.findall(r"^\| `([a-z-]+)` \| [^|]+ \| `:(\d+)`", load("README.md"), re.M))
        self.assertEqual({p: str(n) for p, n in self.metrics_ports().items()}, rows)

    def test_make_run_serves_metrics_on_the_same_ports(self):
        script = load("scripts", "run-local")
        for process in SERVICES.values():
            port = self.metrics_ports()[process]
            self.assertRegex(script, r"start %s [^\n]*(\\\n[^\n]*)*--metrics-listen 127\.0\.0\.1:%d"
                             % (re.escape(process), port))


if __name__ == "__main__":
    unittest.main(verbosity=2)
