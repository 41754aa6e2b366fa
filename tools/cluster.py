"""A real small deployment on loopback: PostgreSQL, N app replicas and HAProxy in front.

Used by the replica tests (tests/cluster) and the load runs (bench/). The load balancer runs
with the very configuration compose.yaml uses (``deploy/haproxy.cfg``); only the addresses
come from the environment. Every replica shares the databank folder (as on one host) and the
cookie secret (so a cookie signed by one replica is good on the other).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tools.appserver import ROOT, ServerError, free_port
from tools.pg import running_postgres

HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"


class HAProxyUnavailable(RuntimeError):
    """No haproxy binary here: run scripts/ensure-services."""


@dataclass
class Replica:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        streamlit = Path(sys.executable).with_name("streamlit")
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(streamlit), "run", "app.py", "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env,
        )
        log.close()

    def wait_healthy(self, timeout: float = 60) -> None:
        _wait_ok(f"{self.base}/_stcore/health", timeout, self.proc, self.log_path)

    def kill(self) -> None:
        """SIGKILL: a crash, not a shutdown; nothing gets to say goodbye to its phones."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Cluster:
    url: str  # the load balancer: where browsers and phones go
    pg_url: str
    replicas: list[Replica]
    folder: Path
    stats_url: str
    haproxy: subprocess.Popen | None = field(default=None, repr=False)

    def up(self) -> list[str]:
        """Names of the replicas HAProxy currently routes to (from its stats CSV)."""
        with urllib.request.urlopen(f"{self.stats_url}/;csv", timeout=5) as r:
            rows = r.read().decode().splitlines()
        return [row.split(",")[1] for row in rows[1:] if row.startswith("replicas,app") and ",UP" in row]

    def wait_routed(self, names: list[str], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while sorted(self.up()) != sorted(names):
            if time.monotonic() > deadline:
                raise ServerError(f"HAProxy routes to {self.up()}, expected {names}")
            time.sleep(0.2)


def _wait_ok(url: str, timeout: float, proc: subprocess.Popen | None, log_path: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            text = log_path.read_text(errors="replace") if log_path and log_path.exists() else ""
            raise ServerError(f"{url}: process exited with {proc.returncode}:\n{text[-4000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                return
        if time.monotonic() > deadline:
            raise ServerError(f"{url} not healthy within {timeout:.0f} s")
        time.sleep(0.2)


@contextlib.contextmanager
def running_cluster(
    replicas: int = 2,
    *,
    env: Mapping[str, str] | None = None,
    pg_url: str | None = None,
    folder: Path | None = None,
) -> Iterator[Cluster]:
    """PostgreSQL (unless ``pg_url`` is given), ``replicas`` app processes and HAProxy; all stopped at the end."""
    if replicas < 1 or replicas > 2:
        raise ValueError("deploy/haproxy.cfg names two replicas (app1, app2)")
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        raise HAProxyUnavailable("haproxy not found: run scripts/ensure-services (installs Debian's haproxy)")
    own_folder = folder is None
    folder = folder or Path(tempfile.mkdtemp(prefix="beslisboom-cluster-"))
    with contextlib.ExitStack() as stack:
        if own_folder:
            stack.callback(shutil.rmtree, folder, True)
        url = pg_url or stack.enter_context(running_postgres())
        shared = {
            **os.environ,
            "BESLISBOOM_DATABASE_URL": url,
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32),
            "BESLISBOOM_TRUST_PROXY": "1",  # behind HAProxy: the client is in X-Forwarded-For
            **(env or {}),
        }
        nodes = [
            Replica(f"app{i}", free_port(), dict(shared), folder / f"app{i}.log") for i in range(1, 3)
        ][:replicas]
        for node in nodes:
            stack.callback(node.stop)
            node.start()
        for node in nodes:
            node.wait_healthy()
        lb_port, stats_port = free_port(), free_port()
        addresses = {f"BB_APP{i}": f"127.0.0.1:{n.port}" for i, n in enumerate(nodes, start=1)}
        addresses.setdefault("BB_APP2", "127.0.0.1:1")  # one replica: the second server is simply down
        lb_env = {**os.environ, "BB_LISTEN": f"127.0.0.1:{lb_port}", "BB_STATS": f"127.0.0.1:{stats_port}", **addresses}
        lb_log = (folder / "haproxy.log").open("ab")
        stack.callback(lb_log.close)
        lb = subprocess.Popen(
            [haproxy, "-db", "-f", str(HAPROXY_CONFIG)], env=lb_env, stdout=lb_log, stderr=subprocess.STDOUT
        )

        def stop_lb() -> None:
            lb.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                lb.wait(timeout=10)
            if lb.poll() is None:
                lb.kill()

        stack.callback(stop_lb)
        cluster = Cluster(
            f"http://127.0.0.1:{lb_port}", url, nodes, folder, f"http://127.0.0.1:{stats_port}", lb
        )
        _wait_ok(f"{cluster.url}/_stcore/health", 30, lb, folder / "haproxy.log")
        cluster.wait_routed([n.name for n in nodes])
        yield cluster
