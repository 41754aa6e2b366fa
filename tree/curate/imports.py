"""Importing a sheet: a row-by-row preview (what would change, what is wrong, where), then one commit.

The preview checks each row as data, with the loader's own schema and taxonomy checks, and does
not render YAML (the slow part); the file texts are rendered when the curator applies the import,
only for the rows written, keeping the comments and layout of each existing file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from ..databank import Databank, Problem, check_against_taxonomy, validation_problems
from ..fields import leaves
from ..schema import SLUG_PATTERN, Instrument
from ..yamlio import YamlProblem, parse_yaml
from . import store
from .bulk import _SOURCE_LOC, _is_empty, row_to_record


@dataclass
class RowResult:
    row: int  # spreadsheet row number (header is row 1), so a curator finds the row
    id: str | None
    status: Literal["added", "changed", "unchanged", "invalid"]
    problems: list[Problem] = field(default_factory=list)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field → (old, new), changed rows
    record: dict | None = None
    file: str | None = None  # file name the row is written to
    text: str | None = None  # rendered YAML for that file (what apply_import writes)
    base_digest: str | None = None  # digest of the file as previewed; apply refuses if it changed since

    @property
    def valid(self) -> bool:
        return self.status != "invalid"


def _column_of(field_name: str | None) -> str | None:
    """A validation location as the spreadsheet column holding it (sources[0].url → source_1_url)."""
    if not field_name:
        return field_name
    m = _SOURCE_LOC.match(field_name)
    if m:
        return f"source_{int(m.group(1)) + 1}_{m.group(2)}"
    paths = {x.path for x in leaves()}
    parts = re.split(r"[.\[]", field_name)
    for end in range(len(parts), 0, -1):  # the deepest column that exists: scoring.min, then scoring
        if ".".join(parts[:end]) in paths:
            return ".".join(parts[:end])
    return parts[0]


def _row_problem(row: int, field_name: str | None, message: str) -> Problem:
    # file names the row, line is the sheet row number: both point the curator at the cell.
    return Problem(f"rij {row}", row, field_name, message)


def _existing(bank: Databank, iid: str) -> tuple[str, str | None, dict | None]:
    """(file name, current text, current record) for an id; a broken file still counts as existing."""
    name = bank.files.get(iid)
    if name is None:
        for suffix in (".yaml", ".yml"):
            if (bank.path / f"{iid}{suffix}").is_file():
                name = f"{iid}{suffix}"
                break
    if name is None:
        return f"{iid}.yaml", None, None
    path = bank.path / name
    text = path.read_text(encoding="utf-8") if path.is_file() else None
    if iid in bank.instruments:
        return name, text, bank.instruments[iid].to_record()
    try:
        data = parse_yaml(text).data if text is not None else None
    except YamlProblem:
        data = None
    return name, text, data if isinstance(data, dict) else {}


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    order = list(Instrument.model_fields)
    keys = sorted(set(old) | set(new), key=lambda k: order.index(k) if k in order else len(order))
    return {k: (old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)}


def _preview_row(bank: Databank, number: int, record: dict) -> RowResult:
    raw_id = record.get("id")
    iid = raw_id if isinstance(raw_id, str) and len(raw_id) <= 60 and re.fullmatch(SLUG_PATTERN, raw_id) else None
    if raw_id is None:
        return RowResult(number, None, "invalid", [_row_problem(number, "id", "verplicht veld ontbreekt / required")])
    if iid is None:
        msg = (
            "alleen kleine letters, cijfers en streepjes, hoogstens 60 tekens / "
            "only lowercase letters, digits and hyphens, at most 60 characters"
        )
        return RowResult(number, str(raw_id)[:60], "invalid", [_row_problem(number, "id", msg)], record=record)
    file_name, previous_text, old = _existing(bank, iid)
    early = store.text_problems(record, file_name)
    if early:
        problems = [_row_problem(number, _column_of(p.field), p.message) for p in early]
        return RowResult(number, iid, "invalid", problems, record=record, file=file_name)
    # Validate the data itself: the same schema and taxonomy checks the loader runs on a file, but
    # without rendering YAML (the slow part: ~15 ms a row); the text is rendered at apply time,
    # only for the rows that are written.
    data = store.normalize_record(record)
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as err:
        found = validation_problems(file_name, err, None)
        problems = [_row_problem(number, _column_of(p.field), p.message) for p in found]
        return RowResult(number, iid, "invalid", problems, record=record, file=file_name)
    problems = check_against_taxonomy(file_name, instrument, None, bank.taxonomy)
    if problems:
        problems = [_row_problem(number, _column_of(p.field), p.message) for p in problems]
        return RowResult(number, iid, "invalid", problems, record=record, file=file_name)
    new = instrument.to_record()
    if old is None:
        status: Literal["added", "changed", "unchanged"] = "added"
        changes: dict[str, tuple[Any, Any]] = {}
    else:
        changes = _diff(old, new)
        status = "changed" if changes else "unchanged"
    base = store.digest(previous_text) if previous_text is not None else None
    return RowResult(number, iid, status, [], changes, new, file_name, None, base)


def preview_import(bank: Databank, sheet_rows: list[Mapping[str, Any]]) -> list[RowResult]:
    """What importing these rows would do, row by row; writes nothing.

    Each row is rendered with :func:`tree.curate.store.render_record` and checked with the loader's own
    :func:`~tree.databank.parse_instrument_text` and :func:`~tree.databank.check_against_taxonomy`.
    Problems carry the sheet row (``line``) and the column (``field``). An id used by two rows is
    invalid in both: which one the curator meant is not ours to guess. Blank rows are skipped.
    A ``related`` id that is neither in the databank nor in the sheet is reported as a warning on
    an otherwise valid row, as the loader does (it does not block the import).
    """
    results: list[RowResult] = []
    for n, row in enumerate(sheet_rows, start=2):
        if all(_is_empty(v) for v in row.values()):
            continue
        results.append(_preview_row(bank, n, row_to_record(row)))
    rows_by_id: dict[str, list[int]] = {}
    for r in results:
        if r.id is not None:
            rows_by_id.setdefault(r.id, []).append(r.row)
    for r in results:
        others = [n for n in rows_by_id.get(r.id or "", []) if n != r.row]
        if others:
            r.status = "invalid"
            r.problems.append(
                _row_problem(
                    r.row, "id", f"id '{r.id}' staat ook in rij {', '.join(map(str, others))} / duplicate id in sheet"
                )
            )
    known = set(bank.instruments) | {r.id for r in results if r.valid and r.id}
    for r in results:
        if r.valid and r.record:
            for rel in r.record.get("related", []):
                if rel not in known:
                    r.problems.append(
                        _row_problem(r.row, "related", f"onbekend instrument '{rel}' / unknown instrument")
                    )
    return results


def apply_import(bank: Databank, results: list[RowResult], *, author: str) -> int:
    """Write the added and changed rows in one change (one history entry); returns how many.

    Refuses the whole import when an invalid row is among ``results``: the caller selects the
    rows to import, and a partial write of a batch the curator thinks is complete is worse than
    none. Unchanged rows are skipped.
    """
    invalid = [r.row for r in results if r.status == "invalid"]
    if invalid:
        raise ValueError(f"ongeldige rijen geselecteerd / invalid rows selected: {', '.join(map(str, invalid))}")
    todo = [r for r in results if r.status in ("added", "changed")]
    if not todo:
        return 0
    changes: dict[str, store.FileChange] = {}
    for r in todo:
        if r.file is None or r.record is None:
            raise ValueError(f"rij {r.row} heeft geen voorbeeld; gebruik preview_import / row was not previewed")
        if r.text is None:  # rendered now, keeping the comments and layout of the file as previewed
            previous = _existing(bank, r.id or "")[1]
            r.text = store.render_record(r.record, previous)
        # the digest each file had at the preview: checked under the lock by the one write path
        changes[r.file] = store.FileChange(r.text, r.base_digest)
    added = sum(r.status == "added" for r in todo)
    changed = len(todo) - added
    try:
        store.commit(bank.path, changes, author=author, message=f"Import: {added} toegevoegd, {changed} gewijzigd")
    except store.Conflict as err:
        raise ValueError(
            f"{err.file} is gewijzigd sinds het voorbeeld; bekijk de import opnieuw / "
            "file changed since the preview, preview again"
        ) from None
    return len(todo)
