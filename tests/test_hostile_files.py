"""A hostile databank file is one located problem; the rest loads and the wizard serves (issue 14)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tree
from tree.databank import QUESTIONS_FILE, DatabankError, load_databank

from .conftest import ROOT, complete_record, record, write_record

CORPUS = Path(__file__).parent / "hostile"
HOSTILE = sorted(p.name for p in CORPUS.glob("*.yaml") if p.name != "bom.yaml")


def _bank_with(bank_dir: Path, *names: str) -> tree.Databank:
    write_record(bank_dir, record("goed"))
    for name in names:
        shutil.copy(CORPUS / name, bank_dir / name)
    return load_databank(bank_dir)


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_file_is_one_located_problem_and_the_rest_loads(bank_dir, name):
    bank = _bank_with(bank_dir, name)
    assert list(bank.instruments) == ["goed"]
    mine = [p for p in bank.problems if p.file == name]
    assert mine, bank.problems
    assert all(p.file == name for p in bank.problems), bank.problems
    assert all(len(p.message) < 300 for p in mine)


def test_alias_bomb_is_stopped_by_the_node_budget(bank_dir):
    bank = _bank_with(bank_dir, "alias-bomb.yaml")
    assert "aliassen" in bank.problems[0].message


def test_huge_integer_names_its_field(bank_dir):
    bank = _bank_with(bank_dir, "huge-int.yaml")
    p = bank.problems[0]
    assert (p.line, p.field) == (2, "items")


def test_python_tags_are_refused_and_never_run(bank_dir, tmp_path):
    marker = tmp_path / "ran"
    (bank_dir / "tag2.yaml").write_text(f"id: t\nname: !!python/object/apply:os.system ['touch {marker}']\n")
    bank = load_databank(bank_dir)
    assert not marker.exists()
    assert any("niet toegestaan" in p.message for p in bank.problems)


def test_a_bom_is_not_part_of_the_text(bank_dir):
    write_record(bank_dir, record("met-bom"))
    path = bank_dir / "met-bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "met-bom" in load_databank(bank_dir).instruments


def test_a_file_over_the_size_limit_is_refused_without_parsing(bank_dir):
    write_record(bank_dir, record("goed"))
    (bank_dir / "groot.yaml").write_text("id: groot\nsummary: " + "x" * (600 * 1024) + "\n")
    bank = load_databank(bank_dir)
    assert [p.file for p in bank.problems] == ["groot.yaml"]
    assert "te groot" in bank.problems[0].message


# --- symbolic links ---------------------------------------------------------------------------


def test_a_link_out_of_the_folder_is_refused_and_its_content_never_shown(bank_dir, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elders") / "geheim.yaml"
    secret.write_text("id: geheim\nname: GEHEIME-REGEL\n")
    write_record(bank_dir, record("goed"))
    (bank_dir / "geheim.yaml").symlink_to(secret)
    (bank_dir / "passwd.yaml").symlink_to("/etc/passwd")
    bank = load_databank(bank_dir)
    assert list(bank.instruments) == ["goed"]
    assert sorted(p.file for p in bank.problems) == ["geheim.yaml", "passwd.yaml"]
    shown = " ".join(str(p) for p in bank.problems)
    assert "GEHEIME" not in shown and "root:" not in shown
    assert "buiten de databankmap" in shown


def test_a_questions_file_linked_out_is_refused_without_its_lines(bank_dir):
    (bank_dir / QUESTIONS_FILE).unlink()
    (bank_dir / QUESTIONS_FILE).symlink_to("/etc/passwd")
    with pytest.raises(DatabankError) as err:
        load_databank(bank_dir)
    assert "root:" not in str(err.value)
    assert "buiten de databankmap" in str(err.value)


def test_links_that_stay_inside_still_work_and_loops_are_named(bank_dir):
    data = bank_dir / "..data"
    data.mkdir()
    write_record(data, record("binnen"))
    (bank_dir / "binnen.yaml").symlink_to(data / "binnen.yaml")  # how a ConfigMap mount looks
    (bank_dir / "lus.yaml").symlink_to(bank_dir / "lus.yaml")
    (bank_dir / "weg.yaml").symlink_to(bank_dir / "bestaat-niet.yaml")
    bank = load_databank(bank_dir)
    assert list(bank.instruments) == ["binnen"]
    assert sorted(p.file for p in bank.problems) == ["lus.yaml", "weg.yaml"]


def test_validate_survives_the_whole_corpus_and_names_every_file(bank_dir):
    for name in HOSTILE:
        shutil.copy(CORPUS / name, bank_dir / name)
    (bank_dir / "lus.yaml").symlink_to(bank_dir / "lus.yaml")
    (bank_dir / "passwd.yaml").symlink_to("/etc/passwd")
    write_record(bank_dir, complete_record("goed"))
    out = subprocess.run(
        [sys.executable, "-m", "tree", "validate", "--databank", str(bank_dir)],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert out.returncode == 1
    named = {line.split(":", 1)[0] for line in out.stdout.splitlines()}
    assert named == {*HOSTILE, "lus.yaml", "passwd.yaml"}
    assert "root:" not in out.stdout
    assert "1 geldige instrumenten" in out.stderr


def test_the_wizard_serves_with_the_corpus_in_its_databank(bank_dir, monkeypatch):
    from streamlit.testing.v1 import AppTest

    for name in HOSTILE:
        shutil.copy(CORPUS / name, bank_dir / name)
    (bank_dir / "passwd.yaml").symlink_to("/etc/passwd")
    write_record(bank_dir, record("goed", doelgroep=["ouderen"]))
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(bank_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["doelgroep"] = "ouderen"
    at.run()
    assert not at.exception
    assert any("Goed" in s.value for s in at.subheader)
    os.environ.pop("BESLISBOOM_DATABANK", None)
