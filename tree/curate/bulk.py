"""Spreadsheet round trip: export the databank to Excel, edit many records, import them back.

Curators often check a whole column at once (all costs, all review dates), which is faster in a
spreadsheet than record by record. The columns are exactly those of the open-data CSV
(:func:`tree.export.rows`), so one format serves both. An import is always previewed first:
every row is rendered to the YAML the databank would hold and validated by the same functions
the loader uses, so a row that previews as valid loads as valid. Nothing is written until
:func:`apply_import`, and then in a single change with one history entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from ..databank import Databank, Problem, check_against_taxonomy, validation_problems
from ..export import rows
from ..fields import defaults, leaves, unflatten
from ..safe_text import unguard_cell
from ..schema import SLUG_PATTERN, Instrument, Taxonomy
from ..yamlio import YamlProblem, parse_yaml
from . import store

SHEET_INSTRUMENTS = "instrumenten"
SHEET_QUESTIONS = "vragen"

# column types, from the schema (tree.fields): one column per leaf field
LIST_FIELDS: tuple[str, ...] = tuple(x.path for x in leaves() if x.kind in ("options", "ids", "list", "multichoice"))
BOOL_FIELDS: tuple[str, ...] = tuple(x.path for x in leaves() if x.kind == "bool")
INT_FIELDS: tuple[str, ...] = tuple(x.path for x in leaves() if x.kind == "int")
NUMBER_FIELDS: tuple[str, ...] = tuple(x.path for x in leaves() if x.kind == "number")
DATE_FIELDS: tuple[str, ...] = tuple(x.path for x in leaves() if x.kind == "date")

_TRUE = {"ja", "true", "yes", "waar", "j", "y", "1"}
_FALSE = {"nee", "false", "no", "onwaar", "n", "0"}
_SOURCE_COLUMN = re.compile(r"^source_(\d+)_(title|url)$")
_SOURCE_LOC = re.compile(r"^sources\[(\d+)\]\.(title|url)$")
_MAX_WIDTH = 60


# --- export -----------------------------------------------------------------------------


def _header(data: list[dict[str, str]]) -> list[str]:
    if data:
        return list(data[0])
    # An empty databank still gets a usable template to fill in.
    return [x.path for x in leaves() if x.kind != "sources"] + ["source_1_title", "source_1_url"]


def _excel_value(column: str, value: str) -> Any:
    """Numbers and dates as real Excel cells (sortable); everything else stays text."""
    if value == "":
        return None
    if column in INT_FIELDS and value.isdigit():
        return int(value)
    if column in DATE_FIELDS:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _set_cell(ws: Any, row: int, col: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would otherwise store text starting with '=' as a formula
    return cell


def _fit_columns(ws: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = max(8, min(width + 2, _MAX_WIDTH))


def _write_sheet(ws: Any, header: list[str], body: Iterable[list[Any]]) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    widths = [len(h) for h in header]
    for col, name in enumerate(header, start=1):
        _set_cell(ws, 1, col, name).font = bold
    for r, values in enumerate(body, start=2):
        for col, value in enumerate(values, start=1):
            _set_cell(ws, r, col, value)
            shown = "YYYY-MM-DD" if isinstance(value, dt.date) else str(value if value is not None else "")
            widths[col - 1] = max(widths[col - 1], len(shown))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    _fit_columns(ws, widths)


def _question_rows(taxonomy: Taxonomy) -> list[list[Any]]:
    return [
        [q.id, o.id, o.label.nl, o.label.en, o.broader, ", ".join(o.combines or []) or None]
        for q in taxonomy.questions
        for o in q.options
    ]


def to_excel(bank: Databank) -> bytes:
    """The databank as an .xlsx workbook: sheet "instrumenten" to edit, sheet "vragen" to look up ids.

    The instrument columns are :func:`tree.export.rows`, so the workbook, the CSV download and
    :func:`read_sheet`/:func:`row_to_record` agree on one format.
    """
    from openpyxl import Workbook

    data = rows(bank)
    header = _header(data)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_INSTRUMENTS
    _write_sheet(ws, header, ([_excel_value(c, r.get(c, "")) for c in header] for r in data))
    _write_sheet(
        wb.create_sheet(SHEET_QUESTIONS),
        ["vraag", "optie", "label_nl", "label_en", "broader", "combines"],
        _question_rows(bank.taxonomy),
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reading a sheet ----------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    """An Excel cell as the text the CSV would hold (dates ISO, whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_dicts(table: list[list[str]]) -> list[dict[str, str]]:
    """Header row + body → dicts. Blank rows stay (as all-empty dicts) so row numbers stay true."""
    while table and not any(c.strip() for c in table[-1]):
        table.pop()
    if not table:
        return []
    header = [h.strip() for h in table[0]]
    named = [h for h in header if h]
    dup = sorted({h for h in named if named.count(h) > 1})
    if dup:
        raise ValueError(f"kolom staat er twee keer in / duplicate column: {', '.join(dup)}")
    out = []
    for line in table[1:]:
        row: dict[str, str] = {}
        for n, value in enumerate(line):
            key = header[n] if n < len(header) and header[n] else f"kolom {n + 1}"
            if key in row and not value.strip():
                continue
            row[key] = unguard_cell(value)
        for h in named:
            row.setdefault(h, "")
        out.append(row)
    return out


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"CSV is geen UTF-8 (byte {exc.start}); sla op als 'CSV UTF-8' / CSV is not UTF-8, save as 'CSV UTF-8'"
        ) from None
    first = text.split("\n", 1)[0]
    # The header holds only field names, so counting is a reliable sniff (csv.Sniffer is not
    # on long quoted summaries); Dutch Excel writes ';', most other tools ','.
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise ValueError(f"geen leesbaar Excel-bestand / not a readable .xlsx file: {exc}") from None
    try:
        ws = wb[SHEET_INSTRUMENTS] if SHEET_INSTRUMENTS in wb.sheetnames else wb.worksheets[0]
        return [[_cell_text(v) for v in line] for line in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_sheet(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of an uploaded .csv or .xlsx as {column: text}; raises ValueError for other files.

    The list index + 2 is the row number a curator sees in the spreadsheet (row 1 is the header).
    """
    name = filename.lower()
    if name.endswith(".csv"):
        return _to_dicts(_read_csv(data))
    if name.endswith(".xlsx"):
        return _to_dicts(_read_xlsx(data))
    raise ValueError(f"alleen .csv of .xlsx / only .csv or .xlsx files: {filename}")


# --- row → record --------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return str(value).strip()  # left as text: validation says "moet true of false zijn"


def _to_int(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(text.split(".")[0])
    return text  # validation says "moet een geheel getal zijn"


def _to_number(value: Any) -> Any:
    """A score bound: a whole number stays an int (so a round trip writes ``0``, not ``0.0``)."""
    converted = _to_int(value)
    if isinstance(converted, int) and not isinstance(converted, bool):
        return converted
    if isinstance(value, float):
        return value
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return str(value).strip()


def _to_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00(:00)?)?", text) else text
    except ValueError:
        return text  # e.g. 2026-02-30: validation says "moet een datum JJJJ-MM-DD zijn"


def _to_list(value: Any) -> list[str]:
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else _cell_text(value)


def row_to_record(row: Mapping[str, Any]) -> dict:
    """Inverse of :func:`tree.export.instrument_row`: one spreadsheet row → a record dict.

    An empty cell means the field is absent. Values that cannot be converted stay as text so
    validation reports them with the loader's message instead of this function guessing.
    Unknown columns are kept for the same reason (validation: "onbekend veld"). ``status: actief``
    is the default and left out, so an import does not add it to every file.
    """
    record: dict[str, Any] = {}
    sources: dict[int, dict[str, str]] = {}
    for column, value in row.items():
        column = column.strip()
        if _is_empty(value):
            continue
        src = _SOURCE_COLUMN.match(column)
        if src:
            sources.setdefault(int(src.group(1)), {})[src.group(2)] = _text(value)
        elif column in LIST_FIELDS:
            record[column] = _to_list(value)
        elif column in BOOL_FIELDS:
            record[column] = _to_bool(value)
        elif column in INT_FIELDS:
            record[column] = _to_int(value)
        elif column in NUMBER_FIELDS:
            record[column] = _to_number(value)
        elif column in DATE_FIELDS:
            record[column] = _to_date(value)
        else:
            record[column] = _text(value)
    for name, default in defaults().items():
        if record.get(name) == default:
            del record[name]  # the default (status: actief), left out of files as Instrument.to_record does
    record = unflatten(record)
    if sources:
        # A half-filled pair keeps its empty half, so validation names the missing title or url.
        record["sources"] = [{"title": s.get("title", ""), "url": s.get("url", "")} for _, s in sorted(sources.items())]
    order = {name: n for n, name in enumerate(Instrument.model_fields)}
    return dict(sorted(record.items(), key=lambda kv: order.get(kv[0], len(order))))


# --- preview and apply -----------------------------------------------------------------------


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
