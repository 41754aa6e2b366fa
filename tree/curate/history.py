"""Who changed what in the databank, and when; and going back to an earlier version.

Two back ends, chosen per databank folder:

- **git** when the folder is inside a git work tree and ``git`` is on PATH: each change is one
  commit of exactly the changed files, authored by the curator. The commit is built with a
  temporary index (``GIT_INDEX_FILE``), so whatever someone happens to have staged in the real
  index is never committed along, and no hooks or editor can block a save from the app.
- **``<bank>/_history.jsonl``** otherwise (a plain folder, e.g. a deployment without git): one JSON
  line per change with the full new text of each file, appended, never rewritten. The leading
  underscore and the ``.jsonl`` suffix keep the loader from taking it for an instrument.

If a git commit fails (e.g. the folder is git-ignored), the change is recorded in the jsonl file
instead: the file is already written, so its history must not be lost. :func:`log` reads both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..safe_files import UnsafeFile, read_inside

__all__ = ["HISTORY_FILE", "Entry", "HistoryError", "has_entry", "log", "preflight", "record", "text_at"]

HISTORY_FILE = "_history.jsonl"
_log = logging.getLogger(__name__)
_SEP, _END = "\x1f", "\x1e"
_GIT_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")  # sha1 or sha256 repositories
_JSONL_ID = re.compile(r"^[0-9a-f]{32}$")  # uuid4().hex
#: The commit's entry id, as a trailer in a git commit message: how recovery finds an entry.
TRAILER = "Beslisboom-Entry"
_MAX_HISTORY_BYTES = 512 * 1024 * 1024


@dataclass
class Entry:
    """One recorded change of a file: ``id`` is a commit sha (git) or a uuid4 hex (jsonl)."""

    id: str
    time: dt.datetime
    author: str
    message: str


class HistoryError(Exception):
    """An entry id that is not in the history."""


# --- git -----------------------------------------------------------------------------------------


def _git(bank: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    full_env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    proc = subprocess.run(
        ["git", *args], cwd=bank, env=full_env, capture_output=True, text=True, encoding="utf-8", check=False
    )
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, ["git", *args], proc.stdout, proc.stderr)
    return proc.stdout if proc.returncode == 0 else ""


def _git_prefix(bank: Path) -> str | None:
    """The bank's path inside its git work tree ("" at the top), or None when git does not apply.

    ``--show-prefix`` avoids comparing resolved paths (symlinked /tmp, Windows drive letters).
    """
    if shutil.which("git") is None or not bank.is_dir():
        return None
    try:
        if not _git(bank, "rev-parse", "--show-toplevel").strip():
            return None
        return _git(bank, "rev-parse", "--show-prefix").strip()
    except (subprocess.CalledProcessError, OSError):
        return None


def _identity(author: str) -> tuple[str, str]:
    """(name, email) for git. ``Jan <jan@x.nl>`` and ``jan@x.nl`` keep their email; a plain name
    gets ``<slug>@curator.local`` so the commit is still attributable and valid."""
    author = author.strip()
    m = re.match(r"^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$", author)
    if m:
        return (m.group(1) or m.group(2)), m.group(2)
    if "@" in author and " " not in author:
        return author, author
    slug = re.sub(r"[^a-z0-9]+", "-", author.lower()).strip("-") or "curator"
    return author, f"{slug}@curator.local"


def _git_record(
    bank: Path, prefix: str, files: Mapping[str, str | None], author: str, message: str, entry_id: str
) -> str:
    paths = [prefix + name for name in files]
    name, email = _identity(author)
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    if _git(bank, "var", "GIT_COMMITTER_IDENT", check=False) == "":
        env |= {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}  # no identity configured here
    top = Path(_git(bank, "rev-parse", "--show-toplevel").strip())
    head = _git(bank, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
    with tempfile.TemporaryDirectory() as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if head:
            _git(top, "read-tree", head, env=index)
        _git(top, "add", "-A", "--", *paths, env=index)
        tree = _git(top, "write-tree", env=index).strip()
    args = ["commit-tree", tree, "-m", f"{message}\n\n{TRAILER}: {entry_id}"]
    if head:
        args[2:2] = ["-p", head]
    sha = _git(top, *args, env=env).strip()
    _git(top, "update-ref", "-m", f"commit: {message.splitlines()[0] if message else ''}", "HEAD", sha, head or "")
    # The real index still has the old blobs for these paths; reset just them so `git status`
    # stays clean there. Other staged work is left as it was.
    _git(top, "reset", "-q", "--", *paths, check=False)
    return sha


def _git_log(bank: Path, prefix: str, file: str) -> list[Entry]:
    fmt = _SEP.join(["%H", "%aI", "%an", "%B"]) + _END
    try:
        out = _git(bank, "log", f"--format={fmt}", "--", f":(top){prefix}{file}")
    except subprocess.CalledProcessError:
        return []  # e.g. no commits yet
    entries = []
    for chunk in out.split(_END):
        parts = chunk.strip("\n").split(_SEP)
        if len(parts) == 4:
            sha, when, name, body = parts
            body = re.sub(rf"\n*{TRAILER}: [0-9a-f]+\s*$", "", body.strip())
            entries.append(Entry(sha, dt.datetime.fromisoformat(when).astimezone(dt.UTC), name, body.strip()))
    return entries


# --- jsonl ---------------------------------------------------------------------------------------


def _jsonl_entries(bank: Path) -> list[dict]:
    """All entries, oldest first; a torn last line (crash while appending) is skipped.

    Read through :func:`tree.safe_files.read_inside`: a ``_history.jsonl`` planted as a link out
    of the databank is never read.
    """
    if not (bank / HISTORY_FILE).exists() and not (bank / HISTORY_FILE).is_symlink():
        return []
    try:
        raw = read_inside(bank, HISTORY_FILE, _MAX_HISTORY_BYTES)
    except UnsafeFile as exc:
        raise HistoryError(f"{HISTORY_FILE}: {exc}") from None
    out = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            item = json.loads(line)
            if isinstance(item, dict) and isinstance(item.get("files"), dict):
                out.append(item)
    return out


def _jsonl_record(bank: Path, files: Mapping[str, str | None], author: str, message: str, entry_id: str) -> str:
    entry = {
        "id": entry_id,
        "time": dt.datetime.now(dt.UTC).isoformat(),
        "author": author,
        "message": message,
        "files": dict(files),
    }
    # never through a link: a planted _history.jsonl symlink must not make saves append elsewhere
    try:
        fd = os.open(bank / HISTORY_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise HistoryError(f"{HISTORY_FILE} is geen gewoon bestand / is not a regular file: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise HistoryError(f"{HISTORY_FILE} is geen gewoon bestand / is not a regular file")
        os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry["id"]


# --- public API ----------------------------------------------------------------------------------


def record(
    bank_path: str | os.PathLike[str],
    files: Mapping[str, str | None],
    author: str,
    message: str,
    *,
    entry_id: str | None = None,
) -> str:
    """Record one change (file name → full new text, None = deleted); returns the entry id.

    Called by :func:`tree.curate.commit.commit` after the files are written, with the entry id of
    its journal, so a recovery can ask :func:`has_entry` whether this step already happened.
    """
    bank = Path(bank_path)
    entry_id = entry_id or uuid.uuid4().hex
    message = message.strip() or f"{author}: {', '.join(files)}"
    prefix = _git_prefix(bank)
    if prefix is not None:
        try:
            return _git_record(bank, prefix, files, author, message, entry_id)
        except (subprocess.CalledProcessError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            _log.warning("git commit failed, recording in %s instead: %s", HISTORY_FILE, detail)
    return _jsonl_record(bank, files, author, message, entry_id)


def preflight(bank_path: str | os.PathLike[str]) -> None:
    """Refuse a commit up front when its history could not be written where it belongs.

    A ``_history.jsonl`` that is a link (possibly out of the databank) or not a regular file would
    make the change land without its entry; better to refuse it before anything is written.
    """
    path = Path(bank_path) / HISTORY_FILE
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise HistoryError(
            f"{HISTORY_FILE} is een koppeling of geen gewoon bestand; er is niets opgeslagen / "
            "is a link or not a regular file; nothing was saved"
        )


def has_entry(bank_path: str | os.PathLike[str], entry_id: str, files: list[str]) -> bool:
    """Is the change with this entry id already recorded (as a git commit or a jsonl line)?"""
    bank = Path(bank_path)
    prefix = _git_prefix(bank)
    if prefix is not None:
        out = _git(
            bank, "log", "-n", "200", "--format=%H", f"--grep={TRAILER}: {entry_id}", "--fixed-strings",
            check=False,
        )
        if out.strip():
            return True
    try:
        return any(e.get("id") == entry_id for e in _jsonl_entries(bank))
    except HistoryError:
        return False


def log(bank_path: str | os.PathLike[str], file: str) -> list[Entry]:
    """Every recorded change of ``file``, newest first."""
    bank = Path(bank_path)
    prefix = _git_prefix(bank)
    entries = _git_log(bank, prefix, file) if prefix is not None else []
    jsonl = [
        Entry(e["id"], dt.datetime.fromisoformat(e["time"]), str(e.get("author", "")), str(e.get("message", "")))
        for e in reversed(_jsonl_entries(bank))
        if file in e["files"]
    ]
    if entries and jsonl:  # only after a failed git commit: interleave by time
        return sorted(entries + jsonl, key=lambda e: e.time, reverse=True)
    return entries or jsonl


def text_at(bank_path: str | os.PathLike[str], file: str, entry_id: str) -> str | None:
    """The text of ``file`` as of entry ``entry_id`` (None: the file did not exist / was deleted)."""
    bank = Path(bank_path)
    if _JSONL_ID.match(entry_id):
        for e in _jsonl_entries(bank):
            if e["id"] == entry_id:
                if file not in e["files"]:
                    break
                return e["files"][file]
        raise HistoryError(f"{entry_id} staat niet in de geschiedenis van {file} / not in the history")
    prefix = _git_prefix(bank)
    if prefix is None or not _GIT_ID.match(entry_id):
        raise HistoryError(f"{entry_id} staat niet in de geschiedenis van {file} / not in the history")
    exists = subprocess.run(
        ["git", "cat-file", "-e", f"{entry_id}^{{commit}}"], cwd=bank, capture_output=True, check=False
    )
    if exists.returncode != 0:
        raise HistoryError(f"{entry_id} staat niet in de geschiedenis / not in the history")
    proc = subprocess.run(
        ["git", "cat-file", "blob", f"{entry_id}:{prefix}{file}"], cwd=bank, capture_output=True, check=False
    )
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8")
