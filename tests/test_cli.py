from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from tree.cli import main

from .conftest import ROOT, record, write_record


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_ok_and_problems(capsys, make_bank, bank_dir):
    make_bank(record("a"))
    code, out, _ = run(capsys, "validate", "--databank", str(bank_dir))
    assert code == 0 and out == ""
    write_record(bank_dir, record("b", items="veel"))
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

    from tree.auth import verify_password

    monkeypatch.setattr(sys, "stdin", _io.StringIO("geheim\n"))
    code, out, _ = run(capsys, "hash-password", "anna", "--stdin")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("anna = "))
    assert verify_password("geheim", line.split('"')[1])
    monkeypatch.setattr(sys, "stdin", _io.StringIO("\n"))
    assert run(capsys, "hash-password", "anna", "--stdin")[0] == 1
