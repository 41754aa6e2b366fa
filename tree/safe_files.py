"""Reading a file of the databank folder without being led out of it.

The databank folder is data a curator (or a sync from elsewhere) controls, not code. A symbolic
link in it could point at a system file, and every visitor, ``validate`` and the dashboard would
then show that file's lines; a link loop or a device file could hang a read. So every read goes
through :func:`read_inside`: the resolved path must stay in the folder, it must be a regular
file, and it is read up to a size limit. Links that stay inside (as Kubernetes ConfigMap mounts
make them) keep working.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnsafeFile(Exception):
    """The file is refused; the message says why, never what the file holds."""


def resolve_inside(folder: Path, name: str) -> Path:
    root = folder.resolve()
    try:
        real = (folder / name).resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link, a link loop (RuntimeError on 3.11)
        raise UnsafeFile(
            "bestand of koppeling is niet te lezen (lus of verwijst naar niets) / unreadable link or loop"
        ) from None
    if real != root and root not in real.parents:
        raise UnsafeFile(
            "koppeling wijst buiten de databankmap en wordt niet gevolgd / symlink points outside the databank"
        )
    return real


def read_inside(folder: Path, name: str, limit: int) -> bytes:
    """The bytes of ``folder/name``, refusing links out, non-regular files and files over ``limit``."""
    real = resolve_inside(folder, name)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UnsafeFile(f"bestand is niet te openen / cannot open: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("geen gewoon bestand / not a regular file")
        if info.st_size > limit:
            raise UnsafeFile(f"bestand is te groot / file too large (> {limit // 1024} kB)")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # grew while we read
            raise UnsafeFile(f"bestand is te groot / file too large (> {limit // 1024} kB)")
        return data
    finally:
        os.close(fd)
