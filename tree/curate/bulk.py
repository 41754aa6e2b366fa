"""Spreadsheet round trip: export the databank to Excel, edit many records, import them back.

Curators often check a whole column at once (all costs, all review dates), which is faster in a
spreadsheet than record by record. The columns are exactly those of the open-data CSV
(:func:`tree.export.rows`), so one format serves both. An import is always previewed first:
every row is validated by the same schema and taxonomy checks the loader uses, so a row that
previews as valid loads as valid (:mod:`tree.curate.imports`). Nothing is written until
:func:`tree.curate.imports.apply_import`, and then in a single commit with one history entry.

This module is the sheet itself: writing the workbook, reading CSV and Excel, and turning a row
back into a record, with the column types taken from the schema (:mod:`tree.fields`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..databank import Databank
from ..export import rows
from ..fields import defaults, leaves, unflatten
from ..safe_text import unguard_cell
from ..schema import Instrument, Taxonomy

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
