"""Edits that survive any deployment: the databank folder as a git working copy with a remote.

On Streamlit Community Cloud, or in a container that is rebuilt, the disk is not kept: a week of
curation would be gone. When the databank folder is a git working copy whose branch tracks a
remote, every commit of :func:`tree.curate.commit.commit` is pushed at once, and changes pushed
by others (another replica, another host, a curator with a text editor) are pulled on an interval
and when a curator opens the workspace.

- A push rejected because someone else pushed first: fetch and rebase our commits on theirs,
  then push again. Edits to different records both land.
- A real conflict (both changed the same file): the rebase is aborted, our commit is kept under
  ``refs/beslisboom/conflicts/…`` (nothing is lost), the working copy takes their version, and
  :class:`~tree.curate.commit.Conflict` carries both texts to the side-by-side screen, where the
  curator keeps theirs or saves theirs-plus-mine as a new change.
- The remote cannot be reached: the commit stays local and counts as pending; every later commit
  and every pull tries again. The dashboard shows the pending count and the last error.

Switched on with ``BESLISBOOM_GIT_SYNC=1``. Without it, or without a remote, nothing here runs:
saves are committed locally as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import Conflict
from .history import _git, _git_prefix
from .lock import bank_lock

_STATE = "beslisboom-sync.json"


@dataclass
class SyncState:
    remote: str | None = None  # the upstream, e.g. origin/main; None: no remote, sync is off
    pending: int = 0  # our commits not yet on the remote
    last_push: str | None = None  # ISO times (UTC)
    last_pull: str | None = None
    last_error: str | None = None
    conflict_file: str | None = None  # the last real conflict: their version is in the databank,
    conflict_ref: str | None = None  # ours is kept under this ref until a curator resolves it


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _git_dir(bank: Path) -> Path:
    return Path(_git(bank, "rev-parse", "--absolute-git-dir").strip())


#: Sync is switched on per deployment: a developer's own checkout (which also holds the shipped
#: databank) must never be pushed or pulled behind their back.
ENV = "BESLISBOOM_GIT_SYNC"


def upstream(bank_path: str | os.PathLike[str]) -> str | None:
    """The remote branch this working copy tracks, or None (switched off, no git, no remote)."""
    bank = Path(bank_path)
    if os.environ.get(ENV) != "1" or _git_prefix(bank) is None:
        return None
    out = _git(bank, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False).strip()
    return out or None


def _load(bank: Path) -> SyncState:
    try:
        data = json.loads((_git_dir(bank) / _STATE).read_text(encoding="utf-8"))
        return SyncState(**{k: data.get(k) for k in SyncState.__dataclass_fields__})
    except (OSError, ValueError, TypeError, subprocess.CalledProcessError):
        return SyncState()


def _save(bank: Path, state: SyncState) -> None:
    path = _git_dir(bank) / _STATE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(tmp, path)


def state(bank_path: str | os.PathLike[str]) -> SyncState:
    """What the dashboard shows: the remote, pending commits, last push and pull, last error."""
    bank = Path(bank_path)
    up = upstream(bank)
    if up is None:
        return SyncState()
    s = _load(bank)
    s.remote = up
    s.pending = _ahead(bank, up)
    return s


def _ahead(bank: Path, up: str) -> int:
    out = _git(bank, "rev-list", "--count", f"{up}..HEAD", check=False).strip()
    return int(out) if out.isdigit() else 0


def _remote_name(up: str) -> str:
    return up.split("/", 1)[0]


def _fetch(bank: Path, up: str) -> str | None:
    """Fetch the remote; the error text when it cannot be reached (kept in the sync state), else None."""
    try:
        _git(bank, "fetch", "--quiet", _remote_name(up))
    except subprocess.CalledProcessError as exc:
        return (exc.stderr or str(exc)).strip()[:300]
    return None


def _rebase(bank: Path, up: str) -> None:
    """Put our pending commits on top of theirs; on a real conflict keep ours aside and take theirs."""
    proc = subprocess.run(
        ["git", "rebase", "--quiet", up],
        cwd=bank, capture_output=True, text=True, env={**os.environ, "GIT_EDITOR": "true", "LC_ALL": "C"},
        check=False,
    )
    if proc.returncode == 0:
        return
    conflicted = _git(bank, "diff", "--name-only", "--diff-filter=U", check=False).split()
    _git(bank, "rebase", "--abort", check=False)
    mine_commit = _git(bank, "rev-parse", "HEAD").strip()
    ref = f"refs/beslisboom/conflicts/{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{mine_commit[:10]}"
    _git(bank, "update-ref", ref, mine_commit)  # nothing is lost: our version stays reachable
    prefix = _git(bank, "rev-parse", "--show-prefix").strip()
    top = Path(_git(bank, "rev-parse", "--show-toplevel").strip())
    name = conflicted[0][len(prefix):] if conflicted and conflicted[0].startswith(prefix) else (
        conflicted[0] if conflicted else "?"
    )
    mine = _git(top, "show", f"{mine_commit}:{prefix}{name}", check=False)
    _git(bank, "reset", "--hard", "--quiet", up)  # the working copy takes their version
    theirs = (bank / name).read_text(encoding="utf-8") if (bank / name).is_file() else ""
    s = _load(bank)
    s.conflict_file, s.conflict_ref = name, ref
    _save(bank, s)
    raise Conflict(name, theirs, mine)


def push(bank_path: str | os.PathLike[str]) -> SyncState:
    """Push pending commits; on rejection fetch, rebase and push again. Never raises for an
    unreachable remote (the commits stay pending, the error is kept); raises :class:`Conflict`
    for a real conflict, after keeping our version aside."""
    bank = Path(bank_path)
    up = upstream(bank)
    if up is None:
        return SyncState()
    with bank_lock(bank):
        s = _load(bank)
        for _ in range(3):  # someone may push again between our fetch and our push
            if _ahead(bank, up) == 0:
                break
            branch = up.split("/", 1)[1]
            proc = subprocess.run(
                ["git", "push", "--quiet", _remote_name(up), f"HEAD:{branch}"],
                cwd=bank, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, check=False,
            )
            if proc.returncode == 0:
                _git(bank, "fetch", "--quiet", _remote_name(up), check=False)  # update the tracking ref
                s.last_push, s.last_error = _now(), None
                break
            if "rejected" in proc.stderr or "fetch first" in proc.stderr or "non-fast-forward" in proc.stderr:
                s.last_error = _fetch(bank, up)
                if s.last_error:
                    break
                _rebase(bank, up)  # a real conflict raises, with our version kept aside
                continue
            s.last_error = proc.stderr.strip()[:300] or "push failed"
            break
        _save(bank, s)
        s.remote, s.pending = up, _ahead(bank, up)
        return s


def pull(bank_path: str | os.PathLike[str]) -> SyncState:
    """Take in what others pushed (and push what is still pending). Safe to call often."""
    bank = Path(bank_path)
    up = upstream(bank)
    if up is None:
        return SyncState()
    with bank_lock(bank):
        s = _load(bank)
        s.last_error = _fetch(bank, up)
        if s.last_error:
            _save(bank, s)
            s.remote, s.pending = up, _ahead(bank, up)
            return s
        if _ahead(bank, up) == 0:
            _git(bank, "merge", "--ff-only", "--quiet", up, check=False)
        else:
            _rebase(bank, up)  # our pending commits on top of theirs (Conflict on a real clash)
        s.last_pull, s.last_error = _now(), None
        _save(bank, s)
    if _ahead(bank, up):
        return push(bank)
    s.remote, s.pending = up, 0
    return s


_last_pull: dict[str, float] = {}


def pull_every(bank_path: str | os.PathLike[str], seconds: float, clock=None) -> bool:
    """Pull when the last pull of this process is older than ``seconds``; True when it pulled.

    Errors are kept in the sync state (the dashboard shows them), never raised to a visitor.
    """
    import time

    now = (clock or time.monotonic)()
    key = str(Path(bank_path).resolve())
    if now - _last_pull.get(key, float("-inf")) < seconds:
        return False
    _last_pull[key] = now
    with contextlib.suppress(Conflict, subprocess.CalledProcessError, OSError):
        pull(bank_path)  # a conflict or an error is kept in the sync state: the dashboard shows it
    return True


def conflict_texts(bank_path: str | os.PathLike[str]) -> tuple[str, str, str] | None:
    """(file, theirs, mine) of the last unresolved conflict, for the side-by-side screen."""
    bank = Path(bank_path)
    s = _load(bank)
    if not s.conflict_file or not s.conflict_ref:
        return None
    prefix = _git(bank, "rev-parse", "--show-prefix").strip()
    top = Path(_git(bank, "rev-parse", "--show-toplevel").strip())
    mine = _git(top, "show", f"{s.conflict_ref}:{prefix}{s.conflict_file}", check=False)
    path = bank / s.conflict_file
    theirs = path.read_text(encoding="utf-8") if path.is_file() else ""
    return s.conflict_file, theirs, mine


def resolve_conflict(bank_path: str | os.PathLike[str]) -> None:
    """The curator has dealt with the last conflict (kept theirs, or saved a merge as a new change)."""
    bank = Path(bank_path)
    with bank_lock(bank):
        s = _load(bank)
        s.conflict_file = s.conflict_ref = None
        _save(bank, s)


_threads: dict[str, object | None] = {}


def start_background(bank_path: str | os.PathLike[str], seconds: float) -> bool:
    """Pull in a daemon thread every ``seconds`` (once per databank and process); True if started.

    A visitor's rerun never waits for the network: the wizard just reads the files, and the next
    rerun after a pull sees the new ones (the loader's cache is keyed on the files' stat).
    """
    import threading

    bank = Path(bank_path)
    key = str(bank.resolve())
    if key in _threads:  # decided once per process: this runs on every rerun of every page
        return False
    if seconds <= 0 or upstream(bank) is None:
        _threads[key] = None  # sync off or no remote: never ask git again in this process
        return False

    def loop() -> None:
        import time

        while True:
            time.sleep(seconds)
            with contextlib.suppress(Exception):  # kept in the sync state; the loop must survive
                pull(bank)

    thread = threading.Thread(target=loop, name=f"beslisboom-sync:{bank.name}", daemon=True)
    _threads[key] = thread
    thread.start()
    return True
