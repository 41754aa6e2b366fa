"""Spreadsheet round trip: export → edit → preview → apply, with row-level problems."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import tree
from tree import export
from tree.curate import bulk, imports, store
from tree.databank import DEFAULT_PATH

from .conftest import record, write_record


@pytest.fixture
def shipped_bank(bank_dir: Path) -> tree.Databank:
    """A tmp copy of the shipped databank: real records (long texts, many sources, booleans)."""
    for f in DEFAULT_PATH.glob("*.yaml"):
        shutil.copy(f, bank_dir / f.name)
    write_record(
        bank_dir,
        record(
            "oud-instrument",
            status="ingetrokken",
            summary="=Begint met een isgelijkteken; en bevat een puntkomma.",
            training_required=False,
            easy_read=True,
            languages=["nl", "en"],
            items=12,
            year=2001,
        ),
    )
    bank = tree.load_databank(bank_dir)
    assert bank.problems == []
    return bank


@pytest.fixture
def write_calls(monkeypatch) -> list[dict]:
    """Record every store.commit call (and still write), to count changes."""
    calls: list[dict] = []
    real = store.commit

    def spy(bank_path, changes, *, author, message, **kw):
        calls.append({"changes": {n: c.text for n, c in changes.items()}, "author": author, "message": message})
        return real(bank_path, changes, author=author, message=message, **kw)

    monkeypatch.setattr(store, "commit", spy)
    return calls


def sheet_from_records(*recs: dict) -> list[dict[str, str]]:
    """Rows as a curator's sheet holds them: the export columns of these records."""
    insts = [tree.Instrument.model_validate(_as_model_input(r)) for r in recs]
    n = max(len(i.sources) for i in insts)
    return [export.instrument_row(i, n) for i in insts]


def _as_model_input(rec: dict) -> dict:
    out = dict(rec)
    if isinstance(out.get("last_reviewed"), str):
        out["last_reviewed"] = dt.date.fromisoformat(out["last_reviewed"])
    return out


# --- round trips ------------------------------------------------------------------------


def test_excel_round_trip_of_shipped_records_is_unchanged(shipped_bank):
    data = bulk.to_excel(shipped_bank)
    sheet = bulk.read_sheet(data, "databank.xlsx")
    assert len(sheet) == len(shipped_bank.instruments)
    results = imports.preview_import(shipped_bank, sheet)
    assert {r.status for r in results} == {"unchanged"}, [(r.id, r.status, r.problems, r.changes) for r in results]
    assert sorted(r.id for r in results) == sorted(shipped_bank.instruments)
    assert all(r.problems == [] for r in results)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_round_trip_with_bom_is_unchanged(shipped_bank, delimiter):
    rows = export.rows(shipped_bank)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    sheet = bulk.read_sheet(buf.getvalue().encode("utf-8-sig"), "databank.CSV")
    assert list(sheet[0]) == list(rows[0])  # no BOM left on the first column name
    results = imports.preview_import(shipped_bank, sheet)
    assert len(results) == len(shipped_bank.instruments)
    assert {r.status for r in results} == {"unchanged"}, [(r.id, r.problems, r.changes) for r in results if r.changes]


def test_open_data_csv_reads_back_identically(shipped_bank):
    sheet = bulk.read_sheet(export.to_csv(shipped_bank).encode("utf-8"), "x.csv")
    assert sheet == export.rows(shipped_bank)


def test_excel_workbook_layout(shipped_bank):
    wb = load_workbook(io.BytesIO(bulk.to_excel(shipped_bank)))
    assert wb.sheetnames == ["instrumenten", "vragen"]
    ws = wb["instrumenten"]
    header = [c.value for c in ws[1]]
    assert header == list(export.rows(shipped_bank)[0])
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert 8 <= ws.column_dimensions["A"].width <= 60
    summary = ws.cell(row=1, column=header.index("summary") + 1).column_letter
    assert ws.column_dimensions[summary].width == 60  # summary: long texts are capped, not 400 wide
    # text starting with '=' is stored as text, not as a formula
    summaries = [c.value for c in ws[summary]]
    assert "=Begint met een isgelijkteken; en bevat een puntkomma." in summaries
    assert all(c.data_type != "f" for c in ws[summary])
    vragen = wb["vragen"]
    ids = {(r[0], r[1]) for r in vragen.iter_rows(min_row=2, values_only=True)}
    assert ("thema", "eenzaamheid") in ids
    assert ("gegevens", "beide") in ids
    assert len(ids) == sum(len(q.options) for q in shipped_bank.taxonomy.questions)


def test_excel_of_empty_bank_is_a_template(make_bank):
    wb = load_workbook(io.BytesIO(bulk.to_excel(make_bank())))
    header = [c.value for c in wb["instrumenten"][1]]
    assert header[:2] == ["id", "name"]
    assert header[-2:] == ["source_1_title", "source_1_url"]


# --- reading sheets ---------------------------------------------------------------------


def test_read_csv_semicolon_bom_keeps_row_numbers_over_blank_lines():
    data = "\ufeffid;name\na;Een\n\n;\nb;Bee\n".encode()
    sheet = bulk.read_sheet(data, "x.csv")
    assert sheet == [
        {"id": "a", "name": "Een"},
        {"id": "", "name": ""},
        {"id": "", "name": ""},
        {"id": "b", "name": "Bee"},
    ]
    assert sheet[3]["id"] == "b"  # sheet index + 2 == row 5, the row a spreadsheet shows


def test_read_sheet_refuses_other_files_and_bad_encoding():
    with pytest.raises(ValueError, match="xlsx"):
        bulk.read_sheet(b"x", "x.ods")
    with pytest.raises(ValueError, match="UTF-8"):
        bulk.read_sheet("id,name\na,Caf\u00e9\n".encode("cp1252"), "x.csv")
    with pytest.raises(ValueError, match="duplicate column"):
        bulk.read_sheet(b"id,name,id\na,b,c\n", "x.csv")


def test_read_xlsx_converts_excel_cells():
    wb = Workbook()
    ws = wb.active
    ws.title = "Blad1"
    ws.append(["id", "items", "last_reviewed", "easy_read", "name"])
    ws.append(["a", 12.0, dt.datetime(2026, 1, 5), True, 1984])
    buf = io.BytesIO()
    wb.save(buf)
    assert bulk.read_sheet(buf.getvalue(), "x.xlsx") == [
        {"id": "a", "items": "12", "last_reviewed": "2026-01-05", "easy_read": "ja", "name": "1984"}
    ]


# --- row → record -----------------------------------------------------------------------


def test_row_to_record_is_inverse_of_instrument_row(shipped_bank):
    most = max(len(i.sources) for i in shipped_bank.instruments.values())
    for inst in shipped_bank.instruments.values():
        row = export.instrument_row(inst, most)
        assert tree.Instrument.model_validate(bulk.row_to_record(row)) == inst


def test_row_to_record_conversions():
    rec = bulk.row_to_record(
        {
            "id": " a ",
            "thema": "eenzaamheid;  armoede-schulden ; ",
            "items": "12",
            "minutes": 7.0,
            "year": "",
            "training_required": "misschien",
            "easy_read": "TRUE",
            "scoring.min": "0",
            "scoring.max": "2,5",
            "quality_basis.tested": "betrouwbaarheid; normen",
            "last_reviewed": dt.datetime(2026, 3, 1, 0, 0),
            "source_2_title": "Tweede",
            "source_2_url": "https://example.org/2",
            "source_1_title": "Eerste",
            "source_1_url": "https://example.org/1",
            "source_3_title": "",
            "source_3_url": "",
            "kleur": "blauw",
        }
    )
    assert rec == {
        "id": "a",
        "thema": ["eenzaamheid", "armoede-schulden"],
        "items": 12,
        "minutes": 7,
        "training_required": "misschien",  # left for validation to report
        "easy_read": True,
        "quality_basis": {"tested": ["betrouwbaarheid", "normen"]},
        "scoring": {"min": 0, "max": 2.5},
        "sources": [
            {"title": "Eerste", "url": "https://example.org/1"},
            {"title": "Tweede", "url": "https://example.org/2"},
        ],
        "last_reviewed": dt.date(2026, 3, 1),
        "kleur": "blauw",
    }
    assert list(rec)[-1] == "kleur"  # schema order, unknown columns last
    assert bulk.row_to_record({"last_reviewed": "2026-03-01"})["last_reviewed"] == dt.date(2026, 3, 1)
    assert bulk.row_to_record({"last_reviewed": "1-3-2026"})["last_reviewed"] == "1-3-2026"


# --- preview and apply ------------------------------------------------------------------


@pytest.fixture
def mixed(make_bank):
    """A bank with a and b, and a sheet: a unchanged, b changed, c added, two invalid rows."""
    bank = make_bank(record("a"), record("b", minutes=10))
    missing = record("e")
    del missing["summary"]
    sheet = sheet_from_records(
        record("a"),
        record("b", minutes=12, thema=["eenzaamheid", "armoede-schulden"]),
        record("c", related=["a"]),
        record("d"),
        record("e"),
    )
    sheet[3]["thema"] = "eenzaamheid; bestaat-niet"
    sheet[4]["summary"] = ""
    return bank, sheet


def test_preview_statuses_rows_and_diff(mixed):
    bank, sheet = mixed
    results = imports.preview_import(bank, sheet)
    assert [(r.row, r.id, r.status) for r in results] == [
        (2, "a", "unchanged"),
        (3, "b", "changed"),
        (4, "c", "added"),
        (5, "d", "invalid"),
        (6, "e", "invalid"),
    ]
    b = results[1]
    assert set(b.changes) == {"thema", "minutes"}
    assert b.changes["minutes"] == (10, 12)
    assert b.changes["thema"] == (["eenzaamheid"], ["eenzaamheid", "armoede-schulden"])
    (bad_option,) = results[3].problems
    assert (bad_option.line, bad_option.field) == (5, "thema")
    assert "rij 5" in str(bad_option)
    assert "bestaat-niet" in bad_option.message
    (missing,) = results[4].problems
    assert (missing.line, missing.field) == (6, "summary")
    assert "verplicht" in missing.message
    # preview wrote nothing
    assert sorted(p.name for p in bank.path.glob("*.yaml")) == ["_questions.yaml", "a.yaml", "b.yaml"]


def test_apply_writes_only_valid_rows_in_one_change(mixed, write_calls):
    bank, sheet = mixed
    results = imports.preview_import(bank, sheet)
    with pytest.raises(ValueError, match="5, 6"):
        imports.apply_import(bank, results, author="curator")
    assert write_calls == []
    written = imports.apply_import(bank, [r for r in results if r.valid], author="curator")
    assert written == 2
    assert len(write_calls) == 1
    call = write_calls[0]
    assert sorted(call["changes"]) == ["b.yaml", "c.yaml"]
    assert call["message"] == "Import: 1 toegevoegd, 1 gewijzigd"
    assert call["author"] == "curator"
    after = tree.load_databank(bank.path)
    assert after.problems == []
    assert set(after.instruments) == {"a", "b", "c"}
    assert after.instruments["b"].minutes == 12
    assert after.instruments["c"].related == ["a"]
    # a second preview of the same sheet now finds nothing to do for the valid rows
    again = imports.preview_import(after, sheet)
    assert [r.status for r in again[:3]] == ["unchanged"] * 3


def test_apply_nothing_to_do_writes_nothing(make_bank, write_calls):
    bank = make_bank(record("a"))
    results = imports.preview_import(bank, sheet_from_records(record("a")))
    assert imports.apply_import(bank, results, author="x") == 0
    assert write_calls == []


def test_apply_refuses_when_file_changed_after_preview(bank_dir, make_bank, write_calls):
    bank = make_bank(record("a"))
    results = imports.preview_import(bank, sheet_from_records(record("a", minutes=3)))
    assert results[0].status == "changed"
    write_record(bank_dir, record("a", minutes=4))
    with pytest.raises(ValueError, match=r"a\.yaml"):
        imports.apply_import(bank, results, author="x")
    # the digest check happens under the lock, inside the one write path: nothing was written
    assert "minutes: 4" in (bank_dir / "a.yaml").read_text(encoding="utf-8")


def test_duplicate_id_in_sheet_is_invalid_in_both_rows(make_bank):
    bank = make_bank()
    sheet = sheet_from_records(record("x"), record("y"), record("x", minutes=5))
    results = imports.preview_import(bank, sheet)
    assert [(r.row, r.status) for r in results] == [(2, "invalid"), (3, "added"), (4, "invalid")]
    assert "rij 4" in results[0].problems[0].message
    assert "rij 2" in results[2].problems[0].message


def test_unknown_column_and_bad_values_are_reported_per_column(make_bank):
    bank = make_bank()
    row = sheet_from_records(record("x"))[0]
    row.update(kleur="blauw", easy_read="misschien", items="twaalf", source_1_url="geen-url")
    (result,) = imports.preview_import(bank, [row])
    assert result.status == "invalid"
    fields = {p.field for p in result.problems}
    assert fields == {"kleur", "easy_read", "items", "source_1_url"}
    assert {p.line for p in result.problems} == {2}


def test_missing_or_bad_id(make_bank):
    bank = make_bank()
    rows = sheet_from_records(record("x"), record("y"))
    rows[0]["id"] = ""
    rows[1]["id"] = "Met Hoofdletters"
    results = imports.preview_import(bank, rows)
    assert [(r.status, r.problems[0].field) for r in results] == [("invalid", "id"), ("invalid", "id")]


def test_retired_record_round_trips_and_unknown_related_is_a_warning(make_bank):
    bank = make_bank(record("a", status="ingetrokken"))
    rows = sheet_from_records(record("a", status="ingetrokken"), record("b", related=["bestaat-niet"]))
    a, b = imports.preview_import(bank, rows)
    assert a.status == "unchanged"
    assert b.status == "added"
    assert [p.field for p in b.problems] == ["related"]


def test_changed_row_keeps_comments_in_the_file(bank_dir, make_bank):
    path = write_record(bank_dir, record("a", minutes=10))
    path.write_text("# bron gecontroleerd door Anna\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    bank = make_bank()
    results = imports.preview_import(bank, sheet_from_records(record("a", minutes=11)))
    assert results[0].status == "changed"
    imports.apply_import(bank, results, author="x")
    text = path.read_text(encoding="utf-8")
    assert "# bron gecontroleerd door Anna" in text
    assert "minutes: 11" in text


def test_bad_ids_and_control_characters_are_row_messages_not_errors(make_bank):
    bank = make_bank(record("a"))
    rows = sheet_from_records(record("a"), record("b"))
    rows[0]["id"] = "x" * 300
    rows[1]["summary"] = "Een\x85twee"
    results = imports.preview_import(bank, rows)
    assert [r.status for r in results] == ["invalid", "invalid"]
    assert [(p.line, p.field) for p in results[0].problems] == [(2, "id")]
    assert [(p.line, p.field) for p in results[1].problems] == [(3, "summary")]
    assert "stuurteken" in results[1].problems[0].message


def test_preview_renders_nothing_and_apply_writes_the_file_as_the_loader_reads_it(bank_dir, make_bank):
    bank = make_bank(record("a"))
    results = imports.preview_import(bank, sheet_from_records(record("nieuw", minutes=9)))
    assert results[0].status == "added" and results[0].text is None  # rendering waits for apply
    assert imports.apply_import(bank, results, author="x") == 1
    assert tree.load_databank(bank_dir).instruments["nieuw"].minutes == 9
