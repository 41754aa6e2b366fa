"""Start a real PostgreSQL on loopback for the tests, the replica cluster and the load runs.

Not a mock: Debian's PostgreSQL server (installed by ``scripts/ensure-services``) with its own
data directory in a temporary folder, a free port and a Unix socket beside it, stopped again
at the end. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres``
user (the Debian package creates it); as another user it runs as that user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tools.appserver import free_port

#: Where Debian's postgresql package puts the server binaries (only pg_ctl is on PATH).
_BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15")]


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here: run scripts/ensure-services."""


def server_bin(name: str) -> str:
    for folder in _BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    raise PostgresUnavailable(
        f"PostgreSQL's {name} not found: run scripts/ensure-services (installs Debian's postgresql)"
    )


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def running_postgres(*, max_connections: int = 200) -> Iterator[str]:
    """Yields a connection URL (database ``beslisboom``, user ``postgres``, no password: trust on loopback)."""
    initdb, pg_ctl = server_bin("initdb"), server_bin("pg_ctl")
    folder = Path(tempfile.mkdtemp(prefix="beslisboom-pg-"))
    data, sock, log = folder / "data", folder / "sock", folder / "server.log"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    try:
        subprocess.run(
            _as_server_user(
                [initdb, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-instructions", "-D", str(data)]
            ),
            check=True, capture_output=True,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c max_connections={max_connections}"
            " -c fsync=off -c full_page_writes=off"  # test data: speed over crash safety
        )
        subprocess.run(
            _as_server_user([pg_ctl, "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", options, "start"]),
            check=True, capture_output=True,
        )
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        _create_database(url, "beslisboom")
        yield f"postgresql://postgres@127.0.0.1:{port}/beslisboom"
    except subprocess.CalledProcessError as err:
        detail = (err.stderr or b"").decode(errors="replace")
        detail += log.read_text(errors="replace") if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {detail}") from err
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _create_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def fresh_schema_url(url: str, name: str) -> str:
    """A URL whose tables live in their own new schema: each test starts empty, without a new database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{name}"')
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{name}"
