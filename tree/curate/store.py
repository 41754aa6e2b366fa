"""Opening and saving records and the questions file: what the curator's form and editors call.

Each save renders its file through :mod:`tree.curate.yamlrt` (comments and layout kept), checks it
the way the loader will, and hands it to :func:`tree.curate.commit.commit`, the one write path
(digest check under the lock, atomic write, history in the same step).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..databank import (
    QUESTIONS_FILE,
    Problem,
    check_against_taxonomy,
    load_databank,
    load_taxonomy,
    parse_instrument_text,
)
from ..schema import CONTROL_CHARS, CONTROL_MESSAGE, SLUG_PATTERN, Taxonomy
from ..yamlio import YamlProblem, parse_yaml
from . import history
from .commit import ANY, Conflict, FileChange, ValidationFailed, check_name, commit, digest, read_current
from .lock import bank_lock
from .validate import validate_changes
from .yamlrt import _plain, normalize_record, render_document, render_record

__all__ = [
    "ANY",
    "Conflict",
    "FileChange",
    "Opened",
    "ValidationFailed",
    "bank_lock",
    "commit",
    "digest",
    "normalize_record",
    "open_file",
    "open_record",
    "render_document",
    "render_record",
    "restore",
    "retire",
    "save_record",
    "save_taxonomy",
    "validate_changes",
]

_SLUG_RE = re.compile(SLUG_PATTERN)
_MAX_ID = 60
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")


def text_problems(record: Mapping[str, Any], file: str) -> list[Problem]:
    """Texts YAML cannot carry as typed (control characters, U+0085, U+2028): located, before rendering.

    Such a character can come from a paste out of a PDF or a spreadsheet; rendering would fail or
    turn it into a line break, so the curator hears which field to retype instead.
    """
    out: list[Problem] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str):
            if _CONTROL.search(value):
                out.append(Problem(file, None, path, CONTROL_MESSAGE))
        elif isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list | tuple):
            for n, v in enumerate(value):
                walk(v, f"{path}[{n}]")

    walk(record, "")
    return out


@dataclass
class Opened:
    """A file as a curator opened it; ``digest`` goes back into the save to detect conflicts."""

    file: str
    text: str
    digest: str



def _record_file(bank: Path, instrument_id: str) -> str:
    """``<id>.yaml``, or ``<id>.yml`` when only that exists (the loader reads both)."""
    name = check_name(f"{instrument_id}.yaml")
    if not (bank / name).exists() and (bank / f"{instrument_id}.yml").is_file():
        return f"{instrument_id}.yml"
    return name


def open_file(bank_path: str | os.PathLike[str], file: str) -> Opened:
    """Open any databank file (e.g. ``_questions.yaml``) for editing."""
    found = read_current(Path(bank_path), check_name(file))
    if found is None:
        raise FileNotFoundError(Path(bank_path) / file)
    return Opened(file, found[0], found[1])


def open_record(bank_path: str | os.PathLike[str], instrument_id: str) -> Opened:
    """Open the file of one instrument (``<id>.yaml``) for editing."""
    return open_file(bank_path, _record_file(Path(bank_path), instrument_id))


def save_record(
    bank_path: str | os.PathLike[str],
    record: Mapping[str, Any],
    *,
    expected_digest: str | None,
    author: str,
    message: str,
    taxonomy: Taxonomy | None = None,
) -> str:
    """Validate, check for a conflicting save, write atomically and record history; returns the new digest.

    ``expected_digest`` is the digest from :func:`open_record` (``None`` = create a new record: the
    file must not exist yet). A record's id cannot change here: the file is always ``<id>.yaml``.
    """
    bank = Path(bank_path)
    with bank_lock(bank):
        name, text = _checked(bank, record, expected_digest, taxonomy)
        # a new record (expected None) that exists was refused above with a clearer message; the
        # digest of an edited one is checked by the write path, under the lock
        commit(bank, {name: FileChange(text, expected_digest)}, author=author, message=message, validate=False)
        return digest(text)


def prepare_record(
    bank_path: str | os.PathLike[str],
    record: Mapping[str, Any],
    *,
    expected_digest: str | None,
    taxonomy: Taxonomy | None = None,
) -> tuple[str, str]:
    """Every check :func:`save_record` makes, without writing: (file name, the text it would write).

    For a change that a second curator must approve first (four eyes): it is validated when it is
    proposed, and again when it is approved.
    """
    bank = Path(bank_path)
    with bank_lock(bank):
        return _checked(bank, record, expected_digest, taxonomy)


def _checked(
    bank: Path, record: Mapping[str, Any], expected_digest: str | None, taxonomy: Taxonomy | None
) -> tuple[str, str]:
    """Validate ``record`` against the schema, the taxonomy and the other files (under the lock)."""
    iid = record.get("id")
    valid_id = isinstance(iid, str) and len(iid.strip()) <= _MAX_ID and bool(_SLUG_RE.match(iid.strip()))
    name = _record_file(bank, iid.strip()) if valid_id else "nieuw.yaml"
    early = text_problems(record, name)
    if early:
        raise ValidationFailed(early)
    found = read_current(bank, name) if valid_id else None
    try:
        text = render_record(record, found[0] if found else None)
    except ValueError as exc:  # data the renderer cannot write as YAML: a located refusal, not a crash
        raise ValidationFailed([Problem(name, None, None, str(exc))]) from None
    pf = parse_instrument_text(name, text)
    problems = list(pf.problems)
    if pf.instrument is not None:
        tax = taxonomy if taxonomy is not None else load_taxonomy(bank)
        problems.extend(check_against_taxonomy(name, pf.instrument, pf.parsed, tax))
        id_line = pf.parsed.line_of(("id",)) if pf.parsed else None
        if expected_digest is None and found is not None:
            problems.append(Problem(name, id_line, "id", f"id '{iid}' bestaat al ({name}) / id already exists"))
        other = load_databank(bank).files.get(pf.instrument.id)
        if other and other != name:
            problems.append(Problem(name, id_line, "id", f"id '{iid}' komt al voor in {other} / duplicate id"))
    if problems:
        raise ValidationFailed(problems)
    return name, text


def retire(
    bank_path: str | os.PathLike[str], instrument_id: str, *, expected_digest: str | None, author: str, message: str
) -> str:
    """Withdraw an instrument (``status: ingetrokken``) instead of deleting it: links and history stay."""
    opened = open_record(bank_path, instrument_id)
    try:
        data = parse_yaml(opened.text).data
    except YamlProblem as p:
        raise ValidationFailed([Problem(opened.file, p.line, p.field, p.message)]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(opened.file, 1, None, "bestand moet velden bevatten / must be a mapping")])
    data["status"] = "ingetrokken"
    return save_record(bank_path, data, expected_digest=expected_digest, author=author, message=message)


def save_taxonomy(
    bank_path: str | os.PathLike[str],
    taxonomy_data: Mapping[str, Any] | Taxonomy,
    *,
    expected_digest: str | None,
    author: str,
    message: str,
) -> str:
    """Save the questions file; returns its new digest.

    Refuses (ValidationFailed) a schema error or removing an option that instruments still use,
    listing them; an option *rename* must go through :func:`commit` together with the migrated
    instruments. ``expected_digest`` is the digest of the questions file when it was opened.
    """
    bank = Path(bank_path)
    if isinstance(taxonomy_data, Taxonomy):
        taxonomy_data = taxonomy_data.model_dump(mode="python", exclude_none=True)
    data = _plain(taxonomy_data, drop_empty=False)
    with bank_lock(bank):
        found = read_current(bank, QUESTIONS_FILE)
        text = render_document(data, found[0] if found else None)
        problems = validate_changes(bank, {QUESTIONS_FILE: text})
        if problems:
            raise ValidationFailed(problems)
        commit(bank, {QUESTIONS_FILE: FileChange(text, expected_digest)}, author=author, message=message,
               validate=False)
        return digest(text)


def restore(bank_path: str | os.PathLike[str], file: str, entry_id: str, *, author: str) -> str | None:
    """Put back the version of ``file`` from history entry ``entry_id``, as a new recorded change.

    Validated against today's databank first (an option removed since then makes it fail with
    :class:`ValidationFailed`), through the one write path.
    """
    bank = Path(bank_path)
    text = history.text_at(bank, file, entry_id)
    when = next((e.time for e in history.log(bank, file) if e.id == entry_id), None)
    stamp = when.strftime("%Y-%m-%d %H:%M") if when else entry_id[:10]
    with bank_lock(bank):
        current = read_current(bank, check_name(file))
        return commit(
            bank,
            {file: FileChange(text, current[1] if current else None)},
            author=author,
            message=f"Teruggezet: {file} naar de versie van {stamp} ({entry_id[:10]}) / restored",
        )
