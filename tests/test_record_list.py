"""The curator's record list (tree/curate/record_list.py): rows, every filter, every sort."""

from __future__ import annotations

import datetime as dt

from tree.curate import record_list as rl

from .conftest import TESTED_NL, record


def _bank(make_bank):
    bank = make_bank(
        record("eenzaam", name="Eenzaamheidsschaal voor ouderen", abbreviation="ESO", doelgroep=["ouderen"],
               cost="gratis", items=6, minutes=5, last_reviewed="2026-01-10", **TESTED_NL),
        record("keuze", name="Geïnformeerde keuze", kind="methode", thema=["armoede-schulden"],
               authors="Müller & De Vries", cost="betaald", quality="methode", last_reviewed="2021-03-01"),
        record("leeg", name="Lege vragenlijst", status="ingetrokken", last_reviewed="2019-05-01"),
        record("half", name="Halve schaal", kind="schaal", quality="praktijk", cost="gratis", items=10,
               last_reviewed="2024-06-30"),
    )
    assert not bank.problems, bank.problems
    return bank


def ids(bank, f=None, sort="name"):
    return list(rl.record_table(bank, "nl", f, sort)["id"])


def test_one_row_per_record_with_the_facts_a_curator_triages_on(make_bank):
    bank = _bank(make_bank)
    table = rl.record_table(bank, "nl")
    assert tuple(table.columns) == rl.COLUMNS
    assert list(table["id"]) == ["eenzaam", "keuze", "half", "leeg"]  # by name
    row = table.set_index("id").loc["leeg"]
    assert row["status"] == "ingetrokken" and row["quality"] == "Nog geen label"
    assert row["last_reviewed"] == dt.date(2019, 5, 1)
    assert row["missing_count"] == 4
    assert row["missing"] == ["Aantal vragen of onderdelen", "Afnametijd (minuten per persoon)", "Kosten",
                              "Kwaliteitslabel"]
    assert row["kind"] == "vragenlijst" and row["doelgroep"] == ["Volwassenen"] and row["thema"] == ["Eenzaamheid"]
    eso = table.set_index("id").loc["eenzaam"]
    assert (eso["quality"], eso["missing_count"], eso["missing"]) == ("Getoetst in Nederland", 0, [])
    assert table.set_index("id").loc["keuze", "missing"] == []  # a method has no items or minutes
    english = rl.record_table(bank, "en").set_index("id").loc["leeg"]
    assert (english["status"], english["quality"], english["doelgroep"]) == ("retired", "No label yet", ["Adults"])
    assert english["missing"][0] == "Number of questions or parts"


def test_search_ignores_case_and_accents_and_needs_every_word(make_bank):
    bank = _bank(make_bank)
    assert ids(bank, rl.ListFilter(text="geinformeerd")) == ["keuze"]
    assert ids(bank, rl.ListFilter(text="MULLER")) == ["keuze"]  # authors
    assert ids(bank, rl.ListFilter(text="eso")) == ["eenzaam"]  # abbreviation
    assert ids(bank, rl.ListFilter(text="schaal")) == ["eenzaam", "half"]
    assert ids(bank, rl.ListFilter(text="schaal ouderen")) == ["eenzaam"]
    assert ids(bank, rl.ListFilter(text="  ")) == ids(bank)


def test_each_filter(make_bank):
    bank = _bank(make_bank)
    assert ids(bank, rl.ListFilter(status=frozenset({"ingetrokken"}))) == ["leeg"]
    assert ids(bank, rl.ListFilter(quality=frozenset({"praktijk", rl.NO_QUALITY}))) == ["half", "leeg"]
    assert ids(bank, rl.ListFilter(doelgroep=frozenset({"ouderen"}))) == ["eenzaam"]  # its own tags, not broader
    assert ids(bank, rl.ListFilter(thema=frozenset({"armoede-schulden", "geen"}))) == ["keuze"]
    assert ids(bank, rl.ListFilter(missing_only=True)) == ["half", "leeg"]
    assert ids(bank, rl.ListFilter(reviewed_before=dt.date(2024, 6, 30))) == ["keuze", "leeg"]
    both = rl.ListFilter(missing_only=True, reviewed_before=dt.date(2025, 1, 1), status=frozenset({"actief"}))
    assert ids(bank, both) == ["half"]
    assert ids(bank, rl.ListFilter(text="niets dergelijks")) == []
    assert rl.record_table(bank, "nl", rl.ListFilter(text="niets")).columns.tolist() == list(rl.COLUMNS)


def test_each_sort(make_bank):
    bank = _bank(make_bank)
    assert ids(bank, sort="reviewed") == ["leeg", "keuze", "half", "eenzaam"]  # oldest check first
    assert ids(bank, sort="missing") == ["leeg", "half", "eenzaam", "keuze"]  # 4, 1, then by name
    assert ids(bank, sort="quality") == ["leeg", "eenzaam", "half", "keuze"]  # no label, then strongest
    assert set(rl.SORTS) == {"name", "reviewed", "missing", "quality"}
