"""One writer at a time per databank: threads of one app, and processes on one host (flock)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

try:  # advisory lock across processes (two `streamlit run` on one databank); not on Windows
    import fcntl
except ImportError:  # pragma: no cover - platform dependent
    fcntl = None  # type: ignore[assignment]


_locks_guard = threading.Lock()
_locks: dict[str, threading.RLock] = {}
_held = threading.local()


@contextlib.contextmanager
def bank_lock(bank: Path) -> Iterator[None]:
    """Serialise check-then-write per databank: threads of one app, and processes via flock on the folder.

    Without it two saves could both pass the digest check and the second would silently win.
    Re-entrant within a thread (save_record → write) so the flock is taken once.
    """
    key = str(bank.resolve())
    with _locks_guard:
        lock = _locks.setdefault(key, threading.RLock())
    with lock:
        depth: dict[str, int] = getattr(_held, "depth", None) or {}
        _held.depth = depth
        fd = None
        if depth.get(key, 0) == 0 and fcntl is not None:
            with contextlib.suppress(OSError):
                fd = os.open(key, os.O_RDONLY)
                fcntl.flock(fd, fcntl.LOCK_EX)
        depth[key] = depth.get(key, 0) + 1
        try:
            yield
        finally:
            depth[key] -= 1
            if fd is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


