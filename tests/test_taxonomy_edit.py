"""Answer options: add, rename (a migration of every instrument in one change), remove (only when unused)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

import tree
from tree.curate import history, store, taxonomy_edit
from tree.curate.taxonomy_edit import OptionInUse
from tree.databank import QUESTIONS_FILE
from tree.links import parse_params

from .conftest import record, write_record

NEW_OPTION = {
    "id": "alleen-wonen",
    "label": {"nl": "Alleen wonen", "en": "Living alone"},
    "explanation": {"nl": "Mensen die alleen wonen.", "en": "People who live alone."},
    "broader": "alle-themas",
}


@pytest.fixture
def write_calls(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    real = store.commit

    def spy(bank_path, changes, *, author, message, **kw):
        calls.append({"files": sorted(changes), "author": author, "message": message})
        return real(bank_path, changes, author=author, message=message, **kw)

    monkeypatch.setattr(store, "commit", spy)
    return calls


@pytest.fixture
def bank(bank_dir: Path, make_bank) -> tree.Databank:
    """a (active) and b (retired) use thema/eenzaamheid; c does not. a.yaml carries a comment."""
    path = write_record(bank_dir, record("a", thema=["eenzaamheid", "armoede-schulden"]))
    path.write_text("# gecontroleerd door Anna\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return make_bank(record("b", status="ingetrokken"), record("c", thema=["armoede-schulden"]))


def questions_text(bank_dir: Path) -> str:
    return (bank_dir / QUESTIONS_FILE).read_text(encoding="utf-8")


def diff_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --- usage ------------------------------------------------------------------------------


def test_usage_includes_retired_instruments(bank):
    assert "b" not in {i.id for i in bank.active}
    assert taxonomy_edit.usage(bank, "thema", "eenzaamheid") == ["a", "b"]
    assert taxonomy_edit.usage(bank, "thema", "armoede-schulden") == ["a", "c"]
    assert taxonomy_edit.usage(bank, "thema", "veiligheid") == []


# --- add ----------------------------------------------------------------------------------


def test_add_option_saves_with_comments_and_layout_kept(bank, bank_dir):
    data, text = taxonomy_edit.load_questions(bank_dir)
    new = taxonomy_edit.add_option(data, "thema", NEW_OPTION)
    assert "alleen-wonen" not in [o["id"] for o in data["questions"][1]["options"]]  # input untouched
    taxonomy_edit.save_questions(bank_dir, new, expected_digest=store.digest(text), author="anna", message="nieuw")
    after = questions_text(bank_dir)
    assert after.startswith("# De vijf vragen")
    # only the new option's lines were added: the blank line before "- id: meten" stays
    assert all(line.startswith("+") for line in diff_lines(text, after))
    assert "\n\n  - id: meten\n" in after
    loaded = tree.load_databank(bank_dir)
    assert loaded.problems == []
    assert loaded.taxonomy.option("thema", "alleen-wonen").broader == "alle-themas"
    assert loaded.taxonomy.option_ids("thema")[-1] == "alleen-wonen"


def test_add_option_after_and_on_plain_data(bank):
    plain = bank.taxonomy.model_dump(mode="json", exclude_none=True)
    new = taxonomy_edit.add_option(plain, "thema", NEW_OPTION, after="eenzaamheid")
    ids = [o["id"] for o in new["questions"][1]["options"]]
    assert ids[ids.index("eenzaamheid") + 1] == "alleen-wonen"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"id": "Alleen Wonen"}, "kleine letters"),
        ({"id": "eenzaamheid"}, "bestaat al"),
        ({"broader": "bestaat-niet"}, "bestaat-niet"),
        ({"label": {"nl": "Alleen"}}, "label.en"),
    ],
)
def test_add_option_refused(bank, change, words):
    data, _ = taxonomy_edit.load_questions(bank.path)
    with pytest.raises(ValueError, match=words):
        taxonomy_edit.add_option(data, "thema", NEW_OPTION | change)


def test_save_questions_detects_a_later_save(bank, bank_dir):
    data, text = taxonomy_edit.load_questions(bank_dir)
    new = taxonomy_edit.add_option(data, "thema", NEW_OPTION)
    (bank_dir / QUESTIONS_FILE).write_text(text + "# iemand anders\n", encoding="utf-8")
    with pytest.raises(store.Conflict):
        taxonomy_edit.save_questions(bank_dir, new, expected_digest=store.digest(text), author="x", message="m")


# --- rename -------------------------------------------------------------------------------


def test_rename_migrates_every_instrument_in_one_change(bank, bank_dir, write_calls):
    before_q = questions_text(bank_dir)
    changed = taxonomy_edit.rename_option(bank, "thema", "eenzaamheid", "alleen-zijn", author="anna")
    assert changed == ["a", "b"]
    assert write_calls == [
        {
            "files": [QUESTIONS_FILE, "a.yaml", "b.yaml"],
            "author": "anna",
            "message": "Optie hernoemd: thema/eenzaamheid → alleen-zijn (2 instrumenten)",
        }
    ]
    # one history entry holds all three files; c was not touched
    entries = {f: history.log(bank_dir, f) for f in (QUESTIONS_FILE, "a.yaml", "b.yaml", "c.yaml")}
    assert len({e[0].id for f, e in entries.items() if f != "c.yaml"}) == 1
    assert entries["c.yaml"] == []
    after = tree.load_databank(bank_dir)
    assert after.problems == []
    assert after.instruments["a"].thema == ["alleen-zijn", "armoede-schulden"]
    assert after.instruments["b"].thema == ["alleen-zijn"]
    assert after.instruments["b"].status == "ingetrokken"
    assert "eenzaamheid" not in after.taxonomy.option_ids("thema")
    assert after.taxonomy.option("thema", "alleen-zijn").label.nl == "Eenzaamheid"
    # comments survive in both kinds of file; the questions file changed only on the id line
    assert (bank_dir / "a.yaml").read_text(encoding="utf-8").startswith("# gecontroleerd door Anna\n")
    assert diff_lines(before_q, questions_text(bank_dir)) == [
        "-      - id: eenzaamheid",
        "+      - id: alleen-zijn",
        "+        formerly: [eenzaamheid]",
    ]
    # a link shared before the rename still lands on the option, in the engine and in the link parser
    assert after.taxonomy.current_id("thema", "eenzaamheid") == "alleen-zijn"
    assert tree.recommend(after, {"thema": ["eenzaamheid"]}).answers["thema"] == ["alleen-zijn"]
    assert parse_params({"thema": "eenzaamheid"}, after.taxonomy).answers["thema"] == ["alleen-zijn"]


def test_rename_updates_broader_and_combines_references(make_bank, bank_dir):
    bank = make_bank(record("a", gegevens=["cijfers"]))
    assert taxonomy_edit.rename_option(bank, "thema", "alle-themas", "alle-onderwerpen", author="x") == []
    assert taxonomy_edit.rename_option(tree.load_databank(bank_dir), "gegevens", "cijfers", "getallen", author="x") == [
        "a"
    ]
    after = tree.load_databank(bank_dir)
    assert after.problems == []
    assert after.taxonomy.option("thema", "eenzaamheid").broader == "alle-onderwerpen"
    assert after.taxonomy.option("gegevens", "beide").combines == ["getallen", "verhalen"]
    assert after.instruments["a"].gegevens == ["getallen"]


def test_renaming_back_and_forth_keeps_every_old_link_and_refuses_ambiguity(make_bank, bank_dir):
    taxonomy_edit.rename_option(make_bank(record("a")), "thema", "eenzaamheid", "alleen-zijn", author="x")
    taxonomy_edit.rename_option(tree.load_databank(bank_dir), "thema", "alleen-zijn", "isolement", author="x")
    bank = tree.load_databank(bank_dir)
    assert bank.taxonomy.option("thema", "isolement").formerly == ["eenzaamheid", "alleen-zijn"]
    assert {bank.taxonomy.current_id("thema", x) for x in ("eenzaamheid", "alleen-zijn", "isolement")} == {"isolement"}
    # another option may not take a former id: an old link would not know where to go
    with pytest.raises(ValueError, match="eerder de id"):
        taxonomy_edit.rename_option(bank, "thema", "armoede-schulden", "eenzaamheid", author="x")
    # the option itself may take its old id back; it leaves the list and the one it drops goes on
    taxonomy_edit.rename_option(bank, "thema", "isolement", "eenzaamheid", author="x")
    bank = tree.load_databank(bank_dir)
    assert bank.problems == []
    assert bank.taxonomy.option("thema", "eenzaamheid").formerly == ["alleen-zijn", "isolement"]


def test_an_instrument_file_with_a_former_id_is_told_the_new_one(make_bank, bank_dir):
    taxonomy_edit.rename_option(make_bank(record("a")), "thema", "eenzaamheid", "alleen-zijn", author="x")
    write_record(bank_dir, record("laat", thema=["eenzaamheid"]))  # e.g. pasted from an old export
    problems = tree.load_databank(bank_dir).problems
    assert [(p.file, p.field) for p in problems] == [("laat.yaml", "thema")]
    assert "heet nu 'alleen-zijn'" in problems[0].message


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("eenzaamheid", "armoede-schulden", "bestaat al"),
        ("eenzaamheid", "Alleen Zijn", "kleine letters"),
        ("bestaat-niet", "iets", "onbekende optie"),
    ],
)
def test_rename_refused_writes_nothing(bank, bank_dir, write_calls, old, new, words):
    before = {p.name: p.read_text(encoding="utf-8") for p in bank_dir.iterdir()}
    with pytest.raises(ValueError, match=words):
        taxonomy_edit.rename_option(bank, "thema", old, new, author="x")
    assert write_calls == []
    assert {p.name: p.read_text(encoding="utf-8") for p in bank_dir.iterdir()} == before


def test_rename_refused_when_a_broken_file_uses_the_option(bank, bank_dir):
    broken = record("kapot")
    del broken["summary"]
    write_record(bank_dir, broken)
    bank = tree.load_databank(bank_dir)
    assert "kapot" in taxonomy_edit.usage(bank, "thema", "eenzaamheid")
    before = questions_text(bank_dir)
    with pytest.raises(store.ValidationFailed) as info:
        taxonomy_edit.rename_option(bank, "thema", "eenzaamheid", "alleen-zijn", author="x")
    assert {(p.file, p.field) for p in info.value.problems} == {("kapot.yaml", "summary")}
    assert questions_text(bank_dir) == before


# --- remove -------------------------------------------------------------------------------


def test_remove_refused_while_instruments_use_it(bank, bank_dir):
    before = questions_text(bank_dir)
    with pytest.raises(OptionInUse) as info:
        taxonomy_edit.remove_option(bank, "thema", "eenzaamheid", author="x")
    assert info.value.instruments == ["a", "b"]
    assert (info.value.qid, info.value.oid) == ("thema", "eenzaamheid")
    assert "a, b" in str(info.value)
    assert questions_text(bank_dir) == before


def test_remove_refused_while_other_options_name_it(bank):
    with pytest.raises(OptionInUse) as info:
        taxonomy_edit.remove_option(bank, "gegevens", "verhalen", author="x")
    assert info.value.options == ["beide"]
    with pytest.raises(OptionInUse) as info:
        taxonomy_edit.remove_option(bank, "thema", "alle-themas", author="x")
    assert "eenzaamheid" in info.value.options


def test_remove_unused_option(bank, bank_dir, write_calls):
    before = questions_text(bank_dir)
    taxonomy_edit.remove_option(bank, "thema", "veiligheid", author="anna")
    assert write_calls[0]["files"] == [QUESTIONS_FILE]
    assert write_calls[0]["message"] == "Optie verwijderd: thema/veiligheid"
    removed = diff_lines(before, questions_text(bank_dir))
    assert removed[0] == "-      - id: veiligheid"
    assert all(line.startswith("-") for line in removed)
    after = tree.load_databank(bank_dir)
    assert after.problems == []
    assert "veiligheid" not in after.taxonomy.option_ids("thema")


def test_add_then_remove_last_option_restores_the_file(bank, bank_dir):
    data, text = taxonomy_edit.load_questions(bank_dir)
    new = taxonomy_edit.add_option(data, "thema", NEW_OPTION)
    taxonomy_edit.save_questions(bank_dir, new, expected_digest=store.digest(text), author="x", message="m")
    taxonomy_edit.remove_option(tree.load_databank(bank_dir), "thema", "alleen-wonen", author="x")
    assert questions_text(bank_dir) == text


def test_edit_option_texts_and_broader(bank_dir):
    from tree import load_databank
    from tree.curate.taxonomy_edit import edit_option, load_questions, save_questions

    data, text = load_questions(bank_dir)
    edit_option(
        data, "doelgroep", "mantelzorgers", label={"nl": "Mantelzorgers en naasten", "en": "Carers"},
        explanation={"nl": "Uitleg.", "en": "Explanation."}, broader=None,
    )
    save_questions(bank_dir, data, expected_digest=store.digest(text), author="anna", message="test")
    option = load_databank(bank_dir).taxonomy.option("doelgroep", "mantelzorgers")
    assert option.label.nl == "Mantelzorgers en naasten"
    assert option.broader is None
    assert "# De vijf vragen" in (bank_dir / "_questions.yaml").read_text()  # comments kept


def test_edit_option_refuses_a_broader_cycle(bank_dir):
    from tree.curate.taxonomy_edit import edit_option, load_questions

    data, _ = load_questions(bank_dir)
    with pytest.raises(ValueError, match="kring"):
        edit_option(data, "doelgroep", "volwassenen", label={"nl": "V", "en": "A"},
                    explanation={"nl": "x", "en": "y"}, broader="ouderen")


def test_edit_question_help(bank_dir):
    from tree import load_databank
    from tree.curate.taxonomy_edit import edit_question, load_questions, save_questions

    data, text = load_questions(bank_dir)
    edit_question(data, "thema", label={"nl": "Thema", "en": "Theme"}, help={"nl": "Kies.", "en": "Choose."})
    save_questions(bank_dir, data, expected_digest=store.digest(text), author="anna", message="test")
    assert load_databank(bank_dir).taxonomy.question("thema").help.nl == "Kies."
