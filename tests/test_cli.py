from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from tree.cli import main

from .conftest import ROOT, complete_record, record, write_record


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_ok_and_problems(capsys, make_bank, bank_dir):
    make_bank(complete_record("a"))
    code, out, _ = run(capsys, "validate", "--databank", str(bank_dir))
    assert code == 0 and out == ""
    write_record(bank_dir, complete_record("b", items="veel"))
    code, out, _ = run(capsys, "validate", "--databank", str(bank_dir))
    assert code == 1
    (line,) = out.splitlines()
    file, lineno, field, message = line.split(":", 3)
    assert (file, field.strip()) == ("b.yaml", "items")
    assert int(lineno) > 0 and "geheel getal" in message


def test_recommend_text_and_json(capsys, make_bank, bank_dir):
    make_bank(record("a", doelgroep=["ouderen"]), record("b", doelgroep=["jeugd"]))
    code, out, _ = run(
        capsys,
        "recommend",
        "--databank",
        str(bank_dir),
        "--doelgroep",
        "ouderen,jeugd",
        "--thema",
        "eenzaamheid",
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert {m["id"] for m in data["matches"]} == {"a", "b"}
    assert data["answers"]["doelgroep"] == ["jeugd", "ouderen"]
    code, out, err = run(capsys, "recommend", "--databank", str(bank_dir), "--doelgroep", "ouderen,onzin")
    assert "1 passend" in out and "onzin" in err


def test_recommend_suggests_relaxation(capsys, make_bank, bank_dir):
    make_bank(record("a", doelgroep=["ouderen"]))
    _, out, _ = run(
        capsys, "recommend", "--databank", str(bank_dir), "--doelgroep", "ouderen", "--uitvoering", "uitbesteden"
    )
    assert "0 passend" in out and "laat 'uitvoering' los" in out


def test_coverage_flags_thin_options(capsys, make_bank, bank_dir):
    make_bank(record("a"), record("b"))
    _, out, _ = run(capsys, "coverage", "--databank", str(bank_dir))
    rows = {tuple(line.split()[:2]): line for line in out.splitlines()[1:]}
    assert "minder dan 2" not in rows[("thema", "eenzaamheid")]
    assert "minder dan 2" in rows[("thema", "armoede-schulden")]


def test_export_json_and_csv(capsys, make_bank, bank_dir):
    make_bank(record("a", languages=["nl", "en"]), record("b"))
    _, out, _ = run(capsys, "export", "--databank", str(bank_dir), "--format", "json")
    data = json.loads(out)
    assert [i["id"] for i in data["instruments"]] == ["a", "b"]
    assert len(data["questions"]) == 5
    _, out, _ = run(capsys, "export", "--databank", str(bank_dir), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["languages"] == "nl; en"
    assert rows[0]["source_1_url"] == "https://example.org/bron"


def test_broken_questions_file_exit_2(capsys, bank_dir):
    (bank_dir / "_questions.yaml").write_text("questions: []\n")
    code, _, err = run(capsys, "validate", "--databank", str(bank_dir))
    assert code == 2 and "_questions.yaml" in err


def test_module_entry_point_runs():
    res = subprocess.run(
        [sys.executable, "-m", "tree", "recommend", "--doelgroep", "ouderen", "--thema", "eenzaamheid", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["exact_count"] > 0


def test_hash_password_prints_a_verifiable_hash(capsys, monkeypatch):
    import io as _io

    from tree.curate.auth import verify_password

    monkeypatch.setattr(sys, "stdin", _io.StringIO("geheim\n"))
    code, out, _ = run(capsys, "hash-password", "anna", "--stdin")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("anna = "))
    assert verify_password("geheim", line.split('"')[1])
    monkeypatch.setattr(sys, "stdin", _io.StringIO("\n"))
    assert run(capsys, "hash-password", "anna", "--stdin")[0] == 1


def test_csv_export_neutralises_formula_cells_and_import_reads_them_back(make_bank):
    import csv as _csv
    import io as _io

    from tree.curate.bulk import read_sheet
    from tree.export import to_csv

    bank = make_bank(record("a", name="=HYPERLINK(\"http://e.vil\")", summary="+31 20 123", measures="@SUM(A1)"))
    rows = list(_csv.DictReader(_io.StringIO(to_csv(bank))))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://e.vil\")"
    assert rows[0]["summary"].startswith("'+") and rows[0]["measures"].startswith("'@")
    back = read_sheet(to_csv(bank).encode(), "export.csv")
    assert back[0]["name"] == "=HYPERLINK(\"http://e.vil\")"


def test_excel_export_keeps_formula_like_text_as_text(make_bank):
    import io as _io

    from openpyxl import load_workbook

    from tree.curate.bulk import to_excel

    bank = make_bank(record("a", name="=1+1"))
    ws = load_workbook(_io.BytesIO(to_excel(bank))).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("name") + 1)
    assert cell.value == "=1+1" and cell.data_type == "s"
