"""Which room store this app process uses (one setting), shared by every session of the process."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .sqlite_store import SQLiteRoomStore

_ROOT = Path(__file__).resolve().parents[2]
_ENV_DB = "BESLISBOOM_ROOMS_DB"


@functools.cache
def _store_for(path: Path) -> SQLiteRoomStore:
    return SQLiteRoomStore(path)


def default_store() -> SQLiteRoomStore:
    """The app's store: ``$BESLISBOOM_ROOMS_DB`` or ``<repo>/var/rooms.sqlite3``; one instance per path,
    so all sessions of a server process share its per-thread connections and schema check."""
    env = os.environ.get(_ENV_DB)
    path = Path(env).expanduser() if env else _ROOT / "var" / "rooms.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return _store_for(path.resolve())
