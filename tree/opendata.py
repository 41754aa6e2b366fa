"""The databank as open data at stable addresses next to the app.

Researchers and municipalities should be able to read the databank without scraping the wizard.
Streamlit serves one folder of plain files, ``static/`` next to ``app.py``, at ``/app/static/…``
(``server.enableStaticServing`` in ``.streamlit/config.toml``), so the files live in
``static/open-data/``:

- ``instrumenten.json``: every active record with the questions and their options (the same
  document as ``python -m tree export --format json``, without retired records);
- ``instrumenten.csv``: one row per active record, the columns of the curator's sheet;
- ``instrument.schema.json``: the JSON Schema (2020-12) of one record, from the pydantic model
  that loads the databank, so it cannot drift from what the app accepts;
- ``versie.json``: which databank they describe: its digest (``Databank.version``), the number
  of records, when they were made, the git commit of the databank's last change when there is
  one, and the SHA-256 of each file.

When. The app calls :func:`publish` on every page run (a dictionary lookup when nothing changed),
so a start, a pull by git sync or another replica's save regenerates stale files; the one write
path calls :func:`after_commit` right after every save. Neither ever raises: a failure is logged
and the app and the save carry on.

Several writers (threads of one server, replicas sharing the folder through a volume): generation
runs under the databank lock, the one every save takes, plus a lock on the output folder, and
reloads the databank inside them. What is written therefore always describes the databank as it is
on disk, never an older copy a slower replica still holds. Each file is replaced atomically (temp
file + rename), ``versie.json`` last.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from . import export
from .curate.history import _git, _git_prefix
from .curate.lock import bank_lock
from .databank import Databank, load_databank
from .schema import Instrument

#: Bumped when the files' layout changes, so files made by an older release count as stale.
FORMAT = 1
JSON_FILE = "instrumenten.json"
CSV_FILE = "instrumenten.csv"
SCHEMA_FILE = "instrument.schema.json"
VERSION_FILE = "versie.json"
DATA_FILES: tuple[str, ...] = (JSON_FILE, CSV_FILE, SCHEMA_FILE)
#: Where Streamlit serves them from: it only serves ``<folder of app.py>/static``.
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "static" / "open-data"
#: Their address relative to the app's base URL (so it also holds under ``server.baseUrlPath``).
URL_PATH = "app/static/open-data"

log = logging.getLogger("beslisboom.opendata")

#: Output folder → databank folder (both resolved) whose saves regenerate it (see :func:`after_commit`).
_sources: dict[str, str] = {}
#: Output folder as given → (databank folder as given, version) last seen current: the fast path.
_seen: dict[str, tuple[str, str]] = {}


def record_schema() -> dict[str, Any]:
    """JSON Schema of one record in ``instrumenten.json`` (the serialised form of the model)."""
    schema = Instrument.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Instrument (Beslisboom effectmeting)",
        "description": (
            "Eén meetinstrument uit de databank; de lijst staat onder 'instruments' in instrumenten.json. "
            "/ One measurement instrument; instrumenten.json lists them under 'instruments'."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def render(bank: Databank) -> dict[str, str]:
    """The text of every data file for ``bank`` (``versie.json`` is made from these)."""
    return {
        JSON_FILE: export.to_json(bank, active_only=True) + "\n",
        CSV_FILE: export.to_csv(bank, active_only=True),
        SCHEMA_FILE: json.dumps(record_schema(), ensure_ascii=False, indent=2) + "\n",
    }


def _git_commit(bank_path: Path) -> str | None:
    """The commit of the databank folder's last change, when it is a git working copy."""
    if _git_prefix(bank_path) is None:
        return None
    return _git(bank_path, "log", "-1", "--format=%H", "--", ".", check=False).strip() or None


def version_doc(bank: Databank, files: dict[str, str]) -> dict[str, Any]:
    """What ``versie.json`` says: which databank the files describe, and each file's digest."""
    return {
        "format": FORMAT,
        "databank_version": bank.version,
        "instruments": len(bank.active),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(bank.path),
        "files": {
            name: {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "bytes": len(text.encode("utf-8"))}
            for name, text in files.items()
        },
    }


def is_current(bank: Databank, out: Path) -> bool:
    """Do the files in ``out`` describe this databank version, in this release's format?"""
    try:
        doc = json.loads((out / VERSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(doc, dict)
        and doc.get("format") == FORMAT
        and doc.get("databank_version") == bank.version
        and all((out / name).is_file() for name in DATA_FILES)
    )


def _write_atomic(folder: Path, name: str, text: str) -> None:
    """Readers (the web server, another replica) see the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a web server running as another user must read it
        os.replace(tmp, folder / name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_stray_temps(folder: Path) -> None:
    """Temp files of a writer that was killed halfway: never served, never kept."""
    for p in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            p.unlink()


def write(bank_path: str | os.PathLike[str], out: str | os.PathLike[str], *, force: bool = True) -> bool:
    """(Re)generate the files in ``out`` from the databank in ``bank_path``; True when written.

    ``force=False`` leaves files that already describe the current databank alone (several
    replicas noticing the same change write it once). Raises on failure; callers in the app use
    :func:`publish` and :func:`after_commit`, which log instead.
    """
    bank_dir, out_dir = Path(bank_path), Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with bank_lock(bank_dir), bank_lock(out_dir):
        bank = load_databank(bank_dir)  # under the lock: the databank as it is now (cached by file stat)
        if not force and is_current(bank, out_dir):
            return False
        _remove_stray_temps(out_dir)
        files = render(bank)
        for name, text in files.items():
            _write_atomic(out_dir, name, text)
        doc = version_doc(bank, files)
        _write_atomic(out_dir, VERSION_FILE, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        log.info("open data regenerated in %s (databank %s, %d records)", out_dir, bank.version, doc["instruments"])
        return True


def publish(bank: Databank, out: str | os.PathLike[str] | None = None) -> None:
    """Serve ``bank`` as open data in ``out`` (default :data:`DEFAULT_DIR`): regenerate when stale,
    and after every save of it.

    Called on every page run, so the common case is one dictionary lookup. Never raises.
    """
    out = out or DEFAULT_DIR
    key = str(out)
    seen = (str(bank.path), bank.version)
    if _seen.get(key) == seen:
        return
    _seen[key] = seen  # also on failure: retried at the next change or restart, not on every rerun
    try:
        out_dir = Path(out)
        _sources[str(out_dir.resolve())] = str(Path(bank.path).resolve())
        write(bank.path, out_dir, force=False)
    except Exception:
        log.warning("open data could not be regenerated in %s", out, exc_info=True)


def after_commit(bank_path: str | os.PathLike[str]) -> None:
    """Regenerate every output folder that publishes this databank (called by the commit path).

    A failure is logged, never raised: the save it follows has already succeeded.
    """
    try:
        bank_key = str(Path(bank_path).resolve())
        for out, source in list(_sources.items()):
            if source == bank_key:
                write(bank_path, out)
    except Exception:
        log.warning("open data could not be regenerated after a save of %s", bank_path, exc_info=True)


def forget() -> None:
    """Drop what this process publishes (tests)."""
    _sources.clear()
    _seen.clear()
