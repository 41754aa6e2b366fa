"""Which database this app process uses (one setting), shared by every session of the process.

``BESLISBOOM_DATABASE_URL=postgresql://…`` → PostgreSQL, shared by every replica behind the load
balancer. Without it: SQLite at ``BESLISBOOM_ROOMS_DB`` (default ``<repo>/var/rooms.sqlite3``), so
``make run`` needs no server. Workshop rooms and what visitors send in (:mod:`tree.feedback`)
live in this one database, each under its own versioned schema.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ..sqldb import ENV_SQLITE, ENV_URL, Database, DatabaseUnavailable, PostgresDatabase, stored_version
from .sql_store import SCHEMA, PostgresRoomStore, SQLiteRoomStore, SQLRoomStore

_ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def _sqlite_store(path: Path) -> SQLiteRoomStore:
    return SQLiteRoomStore(path)


@functools.cache
def _postgres_store(url: str) -> PostgresRoomStore:
    return PostgresRoomStore(url)


def default_database() -> Database:
    """The process's database handle (its connections), shared with the room store."""
    return default_store().db


def sqlite_path() -> Path:
    env = os.environ.get(ENV_SQLITE)
    return (Path(env).expanduser() if env else _ROOT / "var" / "rooms.sqlite3").resolve()


def default_store() -> SQLRoomStore:
    """The app's store; one instance per setting, so all sessions of a server process share its
    connections (a pool on PostgreSQL, one per thread on SQLite) and its schema check."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise DatabaseUnavailable(f"{ENV_URL} moet met postgresql:// beginnen / must start with postgresql://")
        return _postgres_store(url)
    path = sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return _sqlite_store(path)


def check_store(*, upgrade: bool = False) -> list[str]:
    """Problems with the configured store, one line each; empty when it is reachable and current.

    Used by ``python -m tree check-config`` before a deployment takes traffic. With ``upgrade``
    the missing migrations run first (as the app does on first use).
    """
    try:
        store = default_store()
        if isinstance(store.db, PostgresDatabase):
            store.db.probe()
        if upgrade:
            store.migrate()
        version = stored_version(store.db, SCHEMA.component)
    except DatabaseUnavailable as err:
        return [str(err)]
    except Exception as err:
        first = str(err).splitlines()[0] if str(err) else ""
        return [f"room store / opslag sessies: {type(err).__name__}: {first}"]
    where = store.db.describe()
    if version is None:
        return [f"{where}: tabellen voor sessies ontbreken / room tables missing (start the app once or use --upgrade)"]
    if version < SCHEMA.version:
        return [f"{where}: schema versie {version}, verwacht {SCHEMA.version} / schema not migrated"]
    return []
