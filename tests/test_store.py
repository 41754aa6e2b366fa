"""tree.curate.store: validated, conflict-safe, atomic writes that keep a curator's comments and layout."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

import tree
from tree.curate import store
from tree.databank import DEFAULT_PATH, QUESTIONS_FILE
from tree.yamlio import load_plain, parse_yaml

from .conftest import record

WHO = {"author": "Jan Jansen", "message": "test"}


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --- rendering ----------------------------------------------------------------------------


def test_render_schema_order_plain_date_and_no_empty_fields():
    rec = record("abc", status="actief", items=None, cost_note="", languages=[], year=2001)
    rec = {k: rec[k] for k in reversed(list(rec))}  # form gives any order
    text = store.render_record(rec)
    assert "last_reviewed: 2026-11-23\n" in text  # a real YAML date, unquoted
    for gone in ("status", "items", "cost_note", "languages"):
        assert f"{gone}:" not in text
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    order = list(tree.Instrument.model_fields)
    assert keys == sorted(keys, key=order.index)
    data = parse_yaml(text).data
    assert data == yaml.load(text, Loader=yaml.SafeLoader)
    assert data["last_reviewed"] == dt.date(2026, 11, 23)
    assert data["year"] == 2001


@pytest.mark.parametrize(
    "value",
    ["yes", "no", "on", "12", "1.5", "2026-01-01", "null", "~", "a: b", "#hash", "- dash", "x\ny\n", "  "[:1] + "lead"],
)
def test_render_keeps_text_text_for_both_loaders(value):
    text = store.render_record(record("abc", measures=value))
    assert parse_yaml(text).data["measures"] == value.strip()
    assert yaml.load(text, Loader=yaml.SafeLoader)["measures"] == value.strip()


def test_long_text_is_folded_and_reads_back_exactly():
    long = " ".join(["woord"] * 80) + " einde."
    text = store.render_record(record("abc", summary=long))
    assert "summary: >-\n" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert parse_yaml(text).data["summary"] == long


def test_every_shipped_record_renders_unchanged_through_the_round_trip():
    for path in sorted(DEFAULT_PATH.glob("*.yaml")):
        if path.name == QUESTIONS_FILE:
            continue
        src = path.read_text(encoding="utf-8")
        assert store.render_record(load_plain(src), src) == src, path.name


COMMENTED = """\
# Bijgehouden door het team eenzaamheid.
id: abc
name: Abc  # officiële naam
summary: Een testrecord.
kind: vragenlijst
doelgroep: [volwassenen]
thema: [eenzaamheid]
meten: [effect-client]
gegevens: [cijfers]
uitvoering: [zelf]
items: 12  # volgens de handleiding
# bronnen gecontroleerd in november
sources:
  - title: Bron
    url: https://example.org/bron
last_reviewed: 2026-11-23
"""


def test_edit_keeps_comments_and_file_key_order():
    data = load_plain(COMMENTED)
    data["summary"] = "Een ander record."
    data["minutes"] = 5  # new key: schema order, after items
    del data["items"]  # removed key: its eol comment goes, the comment line below stays
    data["doelgroep"] = ["volwassenen", "ouderen"]
    text = store.render_record(data, COMMENTED)
    assert text.startswith("# Bijgehouden door het team eenzaamheid.\n")
    assert "name: Abc  # officiële naam\n" in text
    assert "doelgroep: [volwassenen, ouderen]\n" in text
    assert "volgens de handleiding" not in text and "items" not in text
    assert "minutes: 5\n# bronnen gecontroleerd in november\nsources:\n" in text
    assert parse_yaml(text).data == store.normalize_record(data)


def test_file_key_order_is_kept_even_if_not_schema_order():
    src = COMMENTED.replace("kind: vragenlijst\n", "").replace("name: Abc", "kind: vragenlijst\nname: Abc")
    data = load_plain(src)
    data["name"] = "Abc 2"
    text = store.render_record(data, src)
    assert text.index("kind:") < text.index("name:")


# --- save, edit, retire ---------------------------------------------------------------------


def test_create_edit_retire_round_trip(bank_dir):
    d1 = store.save_record(bank_dir, record("abc"), expected_digest=None, **WHO)
    opened = store.open_record(bank_dir, "abc")
    assert opened.file == "abc.yaml" and opened.digest == d1 == store.digest(opened.text)
    assert tree.load_databank(bank_dir).instruments["abc"].summary == "Een testrecord."

    d2 = store.save_record(bank_dir, record("abc", summary="Nieuw."), expected_digest=d1, **WHO)
    assert tree.load_databank(bank_dir).instruments["abc"].summary == "Nieuw."

    store.retire(bank_dir, "abc", expected_digest=d2, **WHO)
    bank = tree.load_databank(bank_dir)
    assert bank.instruments["abc"].status == "ingetrokken"
    assert "abc" not in {i.id for i in bank.active}
    assert not bank.problems


def test_loader_sees_a_save_without_clearing_the_cache(bank_dir, make_bank):
    bank = make_bank(record("abc"))
    assert bank.instruments["abc"].summary == "Een testrecord."
    d = store.open_record(bank_dir, "abc").digest
    store.save_record(bank_dir, record("abc", summary="Pas nu."), expected_digest=d, **WHO)  # same size? no matter
    assert tree.load_databank(bank_dir).instruments["abc"].summary == "Pas nu."
    # same length text, same second: the new inode still invalidates the stat cache
    d = store.open_record(bank_dir, "abc").digest
    store.save_record(bank_dir, record("abc", summary="Pas nl."), expected_digest=d, **WHO)
    assert tree.load_databank(bank_dir).instruments["abc"].summary == "Pas nl."


def test_save_keeps_comment_in_file(bank_dir):
    (bank_dir / "abc.yaml").write_text(COMMENTED, encoding="utf-8")
    opened = store.open_record(bank_dir, "abc")
    data = load_plain(opened.text)
    data["summary"] = "Bijgewerkt."
    store.save_record(bank_dir, data, expected_digest=opened.digest, **WHO)
    text = (bank_dir / "abc.yaml").read_text(encoding="utf-8")
    assert "# Bijgehouden door het team eenzaamheid." in text
    assert "items: 12  # volgens de handleiding" in text
    assert "summary: Bijgewerkt.\n" in text


@pytest.mark.parametrize(
    ("rec", "field", "words"),
    [
        (record("abc", colour="blauw"), "colour", "unknown field"),
        (record("abc", items="12"), "items", "whole number"),
        (record("abc", thema=["ruimtevaart"]), "thema", "ruimtevaart"),
        (record("abc", last_reviewed="gisteren"), "last_reviewed", "date"),
        (record("abc", sources=[{"title": "Bron", "url": "ftp://x"}]), "sources[0].url", "http"),
    ],
)
def test_invalid_record_is_never_written(bank_dir, rec, field, words):
    before = _files(bank_dir)
    with pytest.raises(store.ValidationFailed) as info:
        store.save_record(bank_dir, rec, expected_digest=None, **WHO)
    assert _files(bank_dir) == before
    assert any(p.field == field and words in p.message for p in info.value.problems), info.value.problems
    assert field in str(info.value)


def test_duplicate_id_on_create_is_refused(bank_dir):
    store.save_record(bank_dir, record("abc"), expected_digest=None, **WHO)
    original = (bank_dir / "abc.yaml").read_bytes()
    with pytest.raises(store.ValidationFailed) as info:
        store.save_record(bank_dir, record("abc", summary="Overschreven."), expected_digest=None, **WHO)
    assert info.value.problems[0].field == "id"
    assert "abc" in info.value.problems[0].message
    assert (bank_dir / "abc.yaml").read_bytes() == original


def test_conflict_when_someone_else_saved_in_between(bank_dir):
    store.save_record(bank_dir, record("abc"), expected_digest=None, **WHO)
    mine = store.open_record(bank_dir, "abc")
    theirs = store.open_record(bank_dir, "abc")
    store.save_record(
        bank_dir, record("abc", summary="Van Piet."), expected_digest=theirs.digest, author="Piet", message="p"
    )
    on_disk = (bank_dir / "abc.yaml").read_text(encoding="utf-8")
    with pytest.raises(store.Conflict) as info:
        store.save_record(bank_dir, record("abc", summary="Van Jan."), expected_digest=mine.digest, **WHO)
    assert info.value.file == "abc.yaml"
    assert info.value.theirs == on_disk and "Van Piet." in info.value.theirs
    assert "Van Jan." in info.value.mine
    assert (bank_dir / "abc.yaml").read_text(encoding="utf-8") == on_disk


# --- atomic writes --------------------------------------------------------------------------


@pytest.mark.parametrize("fail_at", ["replace", "fsync"])
def test_crash_during_write_leaves_old_file_and_no_temp(bank_dir, monkeypatch, fail_at):
    store.save_record(bank_dir, record("abc"), expected_digest=None, **WHO)
    store.save_record(bank_dir, record("def"), expected_digest=None, **WHO)
    old_abc, old_def = (bank_dir / "abc.yaml").read_bytes(), (bank_dir / "def.yaml").read_bytes()
    before = _files(bank_dir)

    def crash(*args, **kwargs):
        raise OSError("disk vol")

    monkeypatch.setattr(os, fail_at, crash)
    new_abc = store.render_record(record("abc", summary="Nieuw."))
    new_def = store.render_record(record("def", summary="Nieuw."))
    with pytest.raises(OSError, match="disk vol"):
        store.commit(bank_dir, {"abc.yaml": store.FileChange(new_abc, store.ANY),
                                "def.yaml": store.FileChange(new_def, store.ANY)}, **WHO)
    monkeypatch.undo()
    assert (bank_dir / "abc.yaml").read_bytes() == old_abc
    assert (bank_dir / "def.yaml").read_bytes() == old_def
    assert _files(bank_dir) == before  # no temp file left behind


def test_commit_multi_file_change_and_delete(bank_dir):
    store.save_record(bank_dir, record("abc"), expected_digest=None, **WHO)
    store.commit(
        bank_dir,
        {
            "abc.yaml": store.FileChange(None, store.ANY),
            "def.yaml": store.FileChange(store.render_record(record("def")), None),
        },
        author="Kim", message="import",
    )
    bank = tree.load_databank(bank_dir)
    assert set(bank.instruments) == {"def"}
    assert (bank_dir / "def.yaml").stat().st_mode & 0o044  # readable by others, not the 0600 of a temp file


def test_commit_validates_too(bank_dir):
    with pytest.raises(store.ValidationFailed):
        wrong = store.render_record(record("xyz"))  # id != file name
        store.commit(bank_dir, {"abc.yaml": store.FileChange(wrong, None)}, **WHO)
    assert not (bank_dir / "abc.yaml").exists()


# --- taxonomy -----------------------------------------------------------------------------


def _taxonomy(bank_dir: Path) -> dict:
    return load_plain((bank_dir / QUESTIONS_FILE).read_text(encoding="utf-8"))


def _without_option(data: dict, qid: str, oid: str) -> dict:
    for q in data["questions"]:
        if q["id"] == qid:
            q["options"] = [o for o in q["options"] if o["id"] != oid]
            for o in q["options"]:
                if o.get("broader") == oid:
                    del o["broader"]
    return data


def test_taxonomy_save_refuses_removing_an_option_in_use(bank_dir, make_bank):
    make_bank(record("abc", thema=["eenzaamheid"]), record("def", thema=["eenzaamheid", "welbevinden"]))
    opened = store.open_file(bank_dir, QUESTIONS_FILE)
    with pytest.raises(store.ValidationFailed) as info:
        store.save_taxonomy(
            bank_dir, _without_option(_taxonomy(bank_dir), "thema", "eenzaamheid"), expected_digest=opened.digest, **WHO
        )
    (problem,) = info.value.problems
    assert problem.field == "thema" and "eenzaamheid" in problem.message and "abc, def" in problem.message
    assert (bank_dir / QUESTIONS_FILE).read_text(encoding="utf-8") == opened.text


def test_taxonomy_save_keeps_comments_and_layout(bank_dir, make_bank):
    make_bank(record("abc"))
    opened = store.open_file(bank_dir, QUESTIONS_FILE)
    data = _taxonomy(bank_dir)
    data["questions"][1]["label"]["en"] = "Subject"
    new = store.save_taxonomy(bank_dir, data, expected_digest=opened.digest, **WHO)
    text = (bank_dir / QUESTIONS_FILE).read_text(encoding="utf-8")
    assert new == store.digest(text)
    assert text.startswith(opened.text.split("questions:")[0])  # the header comments
    changed = [(a, b) for a, b in zip(opened.text.splitlines(), text.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and "Subject" in changed[0][1]
    assert tree.load_databank(bank_dir).taxonomy.question("thema").label.en == "Subject"


def test_taxonomy_save_detects_conflict(bank_dir):
    opened = store.open_file(bank_dir, QUESTIONS_FILE)
    data = _taxonomy(bank_dir)
    data["questions"][0]["label"]["en"] = "Group"
    store.save_taxonomy(bank_dir, data, expected_digest=opened.digest, **WHO)
    data["questions"][0]["label"]["en"] = "Groups"
    with pytest.raises(store.Conflict):
        store.save_taxonomy(bank_dir, data, expected_digest=opened.digest, **WHO)


def test_taxonomy_append_option_only_adds_lines(bank_dir):
    opened = store.open_file(bank_dir, QUESTIONS_FILE)
    data = _taxonomy(bank_dir)
    new = {"id": "nieuw", "label": {"nl": "Nieuw", "en": "New"}, "explanation": {"nl": "Uitleg.", "en": "Expl."}}
    data["questions"][1]["options"].append(new)
    store.save_taxonomy(bank_dir, data, expected_digest=opened.digest, **WHO)
    text = (bank_dir / QUESTIONS_FILE).read_text(encoding="utf-8")
    old_lines, new_lines = opened.text.splitlines(), text.splitlines()
    assert len(new_lines) > len(old_lines)
    it = iter(new_lines)
    assert all(line in it for line in old_lines)  # every old line (blank lines too) still there, in order
    assert tree.load_databank(bank_dir).taxonomy.option("thema", "nieuw").label.en == "New"
