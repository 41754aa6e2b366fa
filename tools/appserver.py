"""Start the app under ``streamlit run`` on a free port and stop it again.

Shared by the browser tests, the screenshot script and the load test, so all of them start the
app the same way: ``subprocess.Popen`` (its PID is the server's), poll ``/_stcore/health``,
terminate by PID.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(env: Mapping[str, str] | None = None, log_path: Path | None = None) -> Iterator[tuple[str, int]]:
    """Yields (base URL, server PID); ``env`` is added to this process's environment."""
    port = free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    log = log_path.open("wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [str(streamlit), "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    base = f"http://localhost:{port}"

    def log_text() -> str:
        return log_path.read_text(errors="replace") if log_path else ""

    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise ServerError(f"streamlit exited with {proc.returncode}:\n{log_text()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    break
            if time.monotonic() > deadline:
                raise ServerError(f"streamlit did not become healthy within 60 s:\n{log_text()}")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if log_path:
            log.close()
