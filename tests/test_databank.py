"""Loader: every problem kind names the file, the field and (where YAML gives one) the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import tree
from tree import databank as db_module
from tree.databank import DatabankError, load_databank

from .conftest import record, write_record


def only_problem(bank: tree.Databank) -> tree.Problem:
    assert len(bank.problems) == 1, bank.problems
    return bank.problems[0]


def test_valid_records_load(make_bank):
    bank = make_bank(record("a"), record("b"))
    assert set(bank.instruments) == {"a", "b"}
    assert bank.problems == []
    assert bank.files == {"a": "a.yaml", "b": "b.yaml"}


def test_syntax_error_names_file_and_line_and_others_still_load(bank_dir, make_bank):
    (bank_dir / "kapot.yaml").write_text("id: kapot\nname: [niet gesloten\nsummary: x\n", encoding="utf-8")
    bank = make_bank(record("goed"))
    assert list(bank.instruments) == ["goed"]
    p = only_problem(bank)
    assert p.file == "kapot.yaml"
    assert p.line in (2, 3)
    assert "syntax" in p.message


def test_unknown_field(bank_dir, make_bank):
    write_record(bank_dir, record("a", kleur="blauw"))
    p = only_problem(make_bank())
    assert (p.file, p.field) == ("a.yaml", "kleur")
    assert "onbekend veld" in p.message
    assert (bank_dir / "a.yaml").read_text().splitlines()[p.line - 1] == "kleur: blauw"


def test_missing_required_field(bank_dir, make_bank):
    rec = record("a")
    del rec["summary"]
    write_record(bank_dir, rec)
    bank = make_bank()
    p = only_problem(bank)
    assert (p.file, p.field) == ("a.yaml", "summary")
    assert "verplicht" in p.message
    assert bank.instruments == {}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("items", "12", "geheel getal"),
        ("easy_read", "ja", "true of false"),
        ("cost", "duur", "gratis"),
        ("doelgroep", "ouderen", "lijst"),
        ("last_reviewed", "gisteren", "datum"),
        ("url", "www.example.org", "http"),
    ],
)
def test_wrong_types(bank_dir, make_bank, field, value, words):
    write_record(bank_dir, record("a", **{field: value}))
    p = only_problem(make_bank())
    assert p.file == "a.yaml"
    assert p.field == field
    assert words in p.message
    assert p.line is not None


def test_nested_field_is_located(bank_dir, make_bank):
    write_record(
        bank_dir, record("a", sources=[{"title": "ok", "url": "https://x.nl"}, {"title": "mis", "url": "ftp://x"}])
    )
    p = only_problem(make_bank())
    assert p.field == "sources[1].url"
    text = (bank_dir / "a.yaml").read_text().splitlines()
    assert "ftp://x" in text[p.line - 1]


def test_unknown_option_id(bank_dir, make_bank):
    write_record(bank_dir, record("a", thema=["eenzaamheid", "ruimtevaart"]))
    bank = make_bank()
    p = only_problem(bank)
    assert (p.file, p.field) == ("a.yaml", "thema")
    assert "ruimtevaart" in p.message
    assert "ruimtevaart" in (bank_dir / "a.yaml").read_text().splitlines()[p.line - 1]
    assert "a" not in bank.instruments


def test_duplicate_id_and_file_name_mismatch(bank_dir, make_bank):
    write_record(bank_dir, record("a"))
    write_record(bank_dir, record("a"), name="b.yaml")
    bank = make_bank()
    assert list(bank.instruments) == ["a"]
    messages = [p.message for p in bank.problems if (p.file, p.field) == ("b.yaml", "id")]
    assert any("bestandsnaam" in m for m in messages)


def test_duplicate_id_across_files(bank_dir, make_bank):
    write_record(bank_dir, record("a"))
    write_record(bank_dir, record("a"), name="a.yml")
    bank = make_bank()
    assert list(bank.instruments) == ["a"]
    assert any("duplicate id" in p.message and p.field == "id" for p in bank.problems)


def test_non_utf8_file(bank_dir, make_bank):
    (bank_dir / "latin.yaml").write_bytes("id: latin\nname: Caf\xe9\n".encode("latin-1"))
    p = only_problem(make_bank(record("goed")))
    assert p.file == "latin.yaml"
    assert p.line == 2
    assert "UTF-8" in p.message


@pytest.mark.parametrize("content", ["", "   \n\n", "# alleen commentaar\n"])
def test_empty_file(bank_dir, make_bank, content):
    (bank_dir / "leeg.yaml").write_text(content, encoding="utf-8")
    p = only_problem(make_bank())
    assert p.file == "leeg.yaml"
    assert "leeg" in p.message


def test_top_level_list_is_refused(bank_dir, make_bank):
    (bank_dir / "lijst.yaml").write_text("- a\n- b\n", encoding="utf-8")
    assert "mapping" in only_problem(make_bank()).message


def test_duplicate_key(bank_dir, make_bank):
    path = write_record(bank_dir, record("a"))
    path.write_text(path.read_text() + "name: Tweede naam\n", encoding="utf-8")
    p = only_problem(make_bank())
    assert (p.field, p.file) == ("name", "a.yaml")
    assert "twee keer" in p.message


def test_python_tags_are_refused_and_never_executed(bank_dir, make_bank, tmp_path):
    marker = tmp_path / "pwned"
    (bank_dir / "boos.yaml").write_text(
        f"id: boos\nname: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8"
    )
    p = only_problem(make_bank())
    assert not marker.exists()
    assert p.file == "boos.yaml"
    assert p.line == 2
    assert "niet toegestaan" in p.message


def test_dangling_related_is_reported_but_record_kept(bank_dir, make_bank):
    write_record(bank_dir, record("a", related=["bestaat-niet"]))
    bank = make_bank()
    assert "a" in bank.instruments
    p = only_problem(bank)
    assert (p.field, p.file) == ("related", "a.yaml")


def test_problem_str_format():
    assert str(tree.Problem("a.yaml", 3, "items", "fout")) == "a.yaml:3: items: fout"
    assert str(tree.Problem("a.yaml", None, None, "fout")) == "a.yaml:: -: fout"


def test_broken_questions_file_raises_with_location(bank_dir):
    (bank_dir / "_questions.yaml").write_text("questions: [\n", encoding="utf-8")
    with pytest.raises(DatabankError) as exc:
        load_databank(bank_dir)
    assert exc.value.problems[0].file == "_questions.yaml"


def test_missing_folder_raises(tmp_path):
    with pytest.raises(DatabankError):
        load_databank(tmp_path / "nergens")


def test_unchanged_databank_is_not_reparsed(make_bank, bank_dir, monkeypatch):
    first = make_bank(record("a"), record("b"))
    calls = []
    real = db_module.parse_instrument_text
    monkeypatch.setattr(db_module, "parse_instrument_text", lambda *a: calls.append(a) or real(*a))
    assert load_databank(bank_dir) is first
    assert calls == []
    # one changed file: only that one is parsed again
    path = bank_dir / "a.yaml"
    path.write_text(path.read_text().replace("Een testrecord.", "Gewijzigd."), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    second = load_databank(bank_dir)
    assert second is not first
    assert second.instruments["a"].summary == "Gewijzigd."
    assert [c[0] for c in calls] == ["a.yaml"]
    assert second.version != first.version


def test_version_depends_on_content_only(tmp_path, bank_dir, make_bank):
    bank = make_bank(record("a"))
    v1 = bank.version
    tree.clear_cache()
    Path(bank_dir / "a.yaml").touch()
    assert load_databank(bank_dir).version == v1


def test_retired_instruments_are_loaded_but_not_active(make_bank):
    bank = make_bank(record("a"), record("b", status="ingetrokken"))
    assert set(bank.instruments) == {"a", "b"}
    assert [i.id for i in bank.active] == ["a"]


@pytest.mark.parametrize(
    ("formerly", "other_formerly"),
    [(["armoede-schulden"], None), (["oud"], ["oud"])],  # a current id; the same old id on two options
)
def test_a_former_option_id_must_point_one_way(bank_dir, formerly, other_formerly):
    """An old link's id must lead to exactly one option, or it would land on a guess."""
    import yaml

    path = bank_dir / "_questions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    thema = next(q for q in data["questions"] if q["id"] == "thema")
    options = {o["id"]: o for o in thema["options"]}
    options["eenzaamheid"]["formerly"] = formerly
    if other_formerly:
        options["participatie"]["formerly"] = other_formerly
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DatabankError) as exc:
        load_databank(bank_dir)
    assert exc.value.problems[0].file == "_questions.yaml"
    assert "vroegere id" in exc.value.problems[0].message
