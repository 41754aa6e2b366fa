"""The one write path: every change to the databank is a :func:`commit`.

A record save, a taxonomy edit, an option rename with its migration, an import and a restore all
hand this function the files to write together with the digests those files must still have.
Under the databank lock it

1. finishes a commit that an earlier process did not (see :func:`recover`);
2. checks every digest (someone else's save → :class:`Conflict`, nothing written);
3. validates the end state with the loader's own checks (→ :class:`ValidationFailed`);
4. writes each new text to a synced temp file next to its target;
5. writes a journal (``_pending.json``: the entry id, who, why and every new text), atomically;
6. renames the temp files into place;
7. records the change in the history (git commit or ``_history.jsonl``) under the journal's id;
8. removes the journal;
9. pushes to the remote (:mod:`.sync`) and regenerates the published open data (:mod:`tree.opendata`).

The journal is the commit point. A kill before it leaves the old files and no history entry
(only stray temp files, which recovery removes). A kill after it is rolled forward by the next
commit or :func:`recover`: the journal holds every new text, and the history is asked whether
the entry already exists, so the change lands once, with its entry, never half and never twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import opendata
from ..safe_files import UnsafeFile, read_inside
from . import history, sync
from .errors import Conflict, ValidationFailed
from .lock import bank_lock

JOURNAL = "_pending.json"
_TEMP_PREFIX = "."
_TEMP_SUFFIX = ".tmp"
#: ``expected`` value meaning "do not check this file" (only for callers that re-read it under the lock).
ANY = "*"


@dataclass(frozen=True)
class FileChange:
    """One file of a commit: its new text (None deletes it) and the digest it must still have.

    ``expected=None`` means the file must not exist yet (a new record); :data:`ANY` skips the check.
    """

    text: str | None
    expected: str | None


def digest(text: str) -> str:
    """SHA-1 of the UTF-8 text: the same digest the loader computes per file (``Databank.version``)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    """File names come from the UI: refuse anything that could leave the databank folder."""
    if (
        not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or "\0" in name
        or len(name.encode("utf-8")) > 200
        or any(ord(c) < 32 or c in "\x7f\x85\u2028\u2029" for c in name)
    ):
        raise ValueError(f"ongeldige bestandsnaam / invalid file name: {name[:80]!r}")
    return name


def read_current(bank: Path, name: str) -> tuple[str, str] | None:
    """(text, digest) of a databank file as it is now, or None when it does not exist."""
    if not (bank / name).exists() and not (bank / name).is_symlink():
        return None
    try:
        raw = read_inside(bank, name, 16 * 1024 * 1024)
    except UnsafeFile:
        return ("", "unsafe")  # a link out of the folder: never equal to any expected digest
    return raw.decode("utf-8", errors="replace"), hashlib.sha1(raw).hexdigest()


# --- atomic file operations ------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make renames durable (POSIX); harmless where directories cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prepare(folder: Path, name: str, text: str) -> str:
    """Write ``text`` to a synced temp file next to ``name``; returns its path."""
    target = folder / name
    tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115
        dir=folder, prefix=f"{_TEMP_PREFIX}{name[:100]}.", suffix=_TEMP_SUFFIX, delete=False
    )
    try:
        with tmp:
            tmp.write(text.encode("utf-8"))
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            mode = target.stat().st_mode & 0o7777
        except (FileNotFoundError, OSError):
            mode = 0o644  # NamedTemporaryFile makes 0600; other readers (git, web server) need to read it
        os.chmod(tmp.name, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    return tmp.name


def _replace(bank: Path, name: str, text: str | None) -> None:
    """Put one file in its new state (idempotent: used again by recovery)."""
    target = bank / name
    if text is None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(target)
        return
    current = read_current(bank, name)
    if current is not None and current[0] == text and not target.is_symlink():
        return
    tmp = _prepare(bank, name, text)
    try:
        os.replace(tmp, target)  # replaces a planted symlink itself, never the file it points at
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_journal(bank: Path, entry: dict) -> None:
    tmp = _prepare(bank, JOURNAL, json.dumps(entry, ensure_ascii=False))
    try:
        os.replace(tmp, bank / JOURNAL)  # the commit point: the whole journal appears at once
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(bank)


def _remove_stray_temps(bank: Path) -> None:
    """Temp files of a commit that was killed before its journal: they never became the databank."""
    with os.scandir(bank) as it:
        for e in it:
            if e.name.startswith(_TEMP_PREFIX) and e.name.endswith(_TEMP_SUFFIX) and e.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(e.path)


# --- recovery -------------------------------------------------------------------------------


def recover(bank_path: str | os.PathLike[str]) -> str | None:
    """Finish an interrupted commit, if there is one; returns its entry id.

    Safe to call at any time (it takes the lock); the curator workspace calls it when it opens,
    and every commit calls it first.
    """
    bank = Path(bank_path)
    with bank_lock(bank):
        return _recover_locked(bank)


def _recover_locked(bank: Path) -> str | None:
    journal = bank / JOURNAL
    if journal.is_symlink():  # planted: never read or follow it
        journal.unlink()
    if not journal.exists():
        _remove_stray_temps(bank)
        return None
    try:
        entry = json.loads(read_inside(bank, JOURNAL, 64 * 1024 * 1024).decode("utf-8"))
        files = {check_name(k): v for k, v in entry["files"].items()}
        entry_id = str(entry["id"])
    except (ValueError, KeyError, TypeError, UnsafeFile):
        # a torn journal can only come from a kill while writing it, before its rename: impossible,
        # as it is renamed into place whole; a damaged one is set aside for a person to look at
        os.replace(journal, bank / f"_pending-damaged-{uuid.uuid4().hex[:8]}.json")
        _remove_stray_temps(bank)
        return None
    if not history.has_entry(bank, entry_id, list(files)):
        for name, text in files.items():
            _replace(bank, name, text)
        _fsync_dir(bank)
        history.record(bank, files, entry["author"], entry["message"], entry_id=entry_id)
    os.remove(journal)
    _fsync_dir(bank)
    _remove_stray_temps(bank)
    return entry_id


# --- the one write path -----------------------------------------------------------------------


def commit(
    bank_path: str | os.PathLike[str],
    changes: Mapping[str, FileChange],
    *,
    author: str,
    message: str,
    validate: bool = True,
) -> str | None:
    """Write ``changes`` as one recorded change; returns the history entry id (None: nothing changed).

    Raises :class:`Conflict` when a file no longer has its expected digest and
    :class:`ValidationFailed` when the end state would not load cleanly; in both cases nothing is
    written. ``validate=False`` is for callers that validated under the same lock themselves.
    """
    from .validate import validate_changes  # validation reads the databank, which imports nothing of ours

    bank = Path(bank_path)
    if not author or not author.strip():
        raise ValueError("auteur ontbreekt / author is required")
    for name in changes:
        check_name(name)
    with bank_lock(bank):
        _recover_locked(bank)
        for name, change in changes.items():
            if change.expected == ANY:
                continue
            current = read_current(bank, name)
            now = current[1] if current else None
            if now != change.expected:
                raise Conflict(name, current[0] if current else "", change.text or "")
        if validate:
            problems = validate_changes(bank, {n: c.text for n, c in changes.items()})
            if problems:
                raise ValidationFailed(problems)
        effective: dict[str, str | None] = {}
        for name, change in changes.items():
            current = read_current(bank, name)
            if (current is None and change.text is None) or (current is not None and current[0] == change.text):
                continue  # no-op: no rewrite, no empty history entry
            effective[name] = change.text
        if not effective:
            return None
        history.preflight(bank)
        entry_id = uuid.uuid4().hex
        message = message.strip() or f"{author}: {', '.join(effective)}"
        temps: dict[str, str] = {}
        try:
            for name, text in effective.items():
                if text is not None:
                    temps[name] = _prepare(bank, name, text)
            _write_journal(
                bank,
                {
                    "id": entry_id,
                    "author": author,
                    "message": message,
                    "time": dt.datetime.now(dt.UTC).isoformat(),
                    "files": effective,
                },
            )
            for name, text in effective.items():  # the commit point has passed: from here on, roll forward
                if text is None:
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(bank / name)
                else:
                    os.replace(temps.pop(name), bank / name)
        finally:
            for tmp in temps.values():
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        _fsync_dir(bank)
        history.record(bank, effective, author, message, entry_id=entry_id)
        os.remove(bank / JOURNAL)
        _fsync_dir(bank)
        # with a remote: push now (a rejected push is rebased; an unreachable remote stays pending;
        # a real conflict raises Conflict with both texts, ours kept aside)
        sync.push(bank)
        opendata.after_commit(bank)  # the published open data follows every save; it never raises
        return entry_id
