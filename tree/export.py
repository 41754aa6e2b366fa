"""The whole databank as open data: JSON (nested) or CSV (one row per instrument).

``active_only`` leaves out retired records (``status: ingetrokken``): the published open data
(:mod:`tree.opendata`) holds what the wizard can recommend, while a curator's export keeps every
record so a sheet round trip loses nothing.
"""

from __future__ import annotations

import csv
import io
import json

from .databank import Databank
from .fields import flatten, leaves
from .safe_text import spreadsheet_cell
from .schema import Instrument

LIST_SEPARATOR = "; "


def to_json(bank: Databank, *, active_only: bool = False) -> str:
    doc = {
        "databank_version": bank.version,
        "questions": bank.taxonomy.model_dump(mode="json", exclude_none=True)["questions"],
        "instruments": [i.model_dump(mode="json", exclude_none=True) for i in _sorted(bank, active_only)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _sorted(bank: Databank, active_only: bool = False) -> list[Instrument]:
    insts = bank.active if active_only else bank.instruments.values()
    return sorted(insts, key=lambda i: i.id)


def instrument_row(inst: Instrument, max_sources: int) -> dict[str, str]:
    """Flatten a record for a spreadsheet: one column per leaf field (``scoring.min``), lists
    joined with '; ', sources as numbered columns."""
    data = flatten(inst.model_dump(mode="json"))
    row: dict[str, str] = {}
    for leaf in leaves():
        if leaf.kind == "sources":
            continue
        value = data.get(leaf.path)
        if value is None:
            row[leaf.path] = ""
        elif isinstance(value, list):
            row[leaf.path] = LIST_SEPARATOR.join(str(v) for v in value)
        elif isinstance(value, bool):
            row[leaf.path] = "ja" if value else "nee"
        else:
            row[leaf.path] = str(value)
    for n in range(max_sources):
        src = inst.sources[n] if n < len(inst.sources) else None
        row[f"source_{n + 1}_title"] = src.title if src else ""
        row[f"source_{n + 1}_url"] = src.url if src else ""
    return row


def rows(bank: Databank, *, active_only: bool = False) -> list[dict[str, str]]:
    insts = _sorted(bank, active_only)
    max_sources = max((len(i.sources) for i in insts), default=1)
    return [instrument_row(i, max_sources) for i in insts]


def to_csv(bank: Databank, *, active_only: bool = False) -> str:
    data = rows(bank, active_only=active_only)
    buf = io.StringIO()
    if data:
        writer = csv.DictWriter(buf, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        # a cell starting with = + - @ would run as a formula when the file is opened in Excel
        writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in data)
    return buf.getvalue()
