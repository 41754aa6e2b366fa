"""Refine filters, the curator dashboard and the schema-built form (issue 13: seeded bugs survived)."""

from __future__ import annotations

import datetime as dt

import tree
from tree import refine as rf
from tree.curate import dashboard, formspec
from tree.fields import leaf

from .conftest import TESTED_NL, record


def _matches(make_bank, *recs):
    bank = make_bank(*recs)
    return bank, tree.recommend(bank, {}).matches


def test_refine_each_filter(make_bank):
    _, ms = _matches(
        make_bank,
        record("gratis", cost="gratis", minutes=10, easy_read=True, **TESTED_NL),
        record("voorwaarden", cost="gratis-voorwaarden", minutes=40, quality="getoetst-buitenland",
               quality_basis={"reference": "X (2019)", "year": 2019, "tested": ["normen"]}),
        record("licentie", cost="licentie", minutes=5, quality="praktijk"),
        record("onbekend"),
    )

    def ids(r):
        kept, hidden = rf.apply(ms, r)
        return sorted(m.instrument.id for m in kept), hidden

    assert ids(rf.Refinement()) == (["gratis", "licentie", "onbekend", "voorwaarden"], 0)
    assert ids(rf.Refinement(free_only=True)) == (["gratis", "voorwaarden"], 2)
    assert ids(rf.Refinement(max_minutes=10)) == (["gratis", "licentie"], 2)  # unknown minutes never fit
    assert ids(rf.Refinement(quality="getoetst-nl")) == (["gratis"], 3)
    assert ids(rf.Refinement(quality="getoetst")) == (["gratis", "voorwaarden"], 2)
    assert ids(rf.Refinement(easy_read_only=True)) == (["gratis"], 3)
    assert not rf.Refinement().active and rf.Refinement(quality="getoetst").active


def test_dashboard_missing_facts_depend_on_the_kind(make_bank):
    bank = make_bank(
        record("lijst", kind="vragenlijst", items=5, cost="gratis", quality="praktijk"),
        record("methode", kind="methode", cost="gratis", quality="methode"),
        record("leeg", kind="methode"),
    )
    missing = {m.instrument.id: m.fields for m in dashboard.missing_recommended(bank)}
    assert missing == {"lijst": ("minutes",), "leeg": ("cost", "quality")}


def test_dashboard_stale_records_oldest_first(make_bank):
    bank = make_bank(
        record("oud", last_reviewed=dt.date(2020, 1, 1)),
        record("ouder", last_reviewed=dt.date(2019, 5, 1)),
        record("vers", last_reviewed=dt.date(2026, 1, 1)),
    )
    assert [i.id for i in dashboard.stale(bank, dt.date(2026, 12, 4))] == ["ouder", "oud"]
    assert dashboard.review_cutoff(dt.date(2028, 2, 29)) == dt.date(2026, 2, 28)


def test_form_fields_come_from_the_schema():
    specs = {s.path: s for s in formspec.field_specs()}
    assert specs["doelgroep"].kind == "options" and specs["related"].kind == "ids"
    assert specs["cost"].kind == "choice" and "gratis-voorwaarden" in specs["cost"].choices
    assert specs["quality_basis.tested"].kind == "multichoice"
    assert specs["scoring.min"].kind == "number" and specs["items"].kind == "int"
    assert specs["summary"].kind == "longtext" and specs["name"].kind == "text"
    assert specs["status"].default == "actief" and leaf("last_reviewed").kind == "date"


def test_clean_record_leaves_unknowns_out_and_rebuilds_groups():
    raw = {
        "id": " abc ", "name": "Naam", "items": None, "cost": "", "status": "actief", "languages": ["nl", " "],
        "sources": [{"title": "Bron", "url": "https://example.org"}, {"title": "", "url": ""}],
        "quality_basis.reference": "X (2020)", "quality_basis.year": 2020, "quality_basis.tested": ["normen"],
        "scoring.min": None, "scoring.interpretation.nl": "", "kleur": "blauw",
    }
    out = formspec.clean_record(raw)
    assert out["id"] == "abc" and "items" not in out and "cost" not in out and "status" not in out
    assert out["languages"] == ["nl"] and out["sources"] == [{"title": "Bron", "url": "https://example.org"}]
    assert out["quality_basis"] == {"reference": "X (2020)", "year": 2020, "tested": ["normen"]}
    assert "scoring" not in out  # a group with only empty fields is left out
    assert out["kleur"] == "blauw"  # unknown fields are kept, so validation names them


def test_form_labels_are_words_and_say_required_plainly():
    spec = leaf
    assert formspec.widget_label(spec("summary"), "nl") == "Samenvatting (verplicht)"
    assert formspec.widget_label(spec("summary"), "en") == "Summary (required)"
    assert formspec.widget_label(spec("name_en"), "nl") == "Naam (Engels)"
    assert formspec.widget_label(spec("sources"), "nl") == "Bronnen (verplicht)"  # no stray Markdown '*'
    # a group's leaf is needed only once the group is used: a plain label, the help says when
    assert formspec.widget_label(spec("quality_basis.year"), "nl") == "Onderbouwing: jaar van de studie"
    assert formspec.field_help(spec("quality_basis.year"), "nl") == (
        "Jaar van die studie of review. Verplicht zodra een ander veld van deze groep is ingevuld."
    )
    # Dutch help is the schema's description itself; English has its own
    assert formspec.field_help(spec("cost_note"), "nl") == spec("cost_note").description
    assert formspec.field_help(spec("cost_note"), "en") == "Note on cost or licence."
    for s in formspec.field_specs():
        for lang in ("nl", "en"):
            label = formspec.widget_label(s, lang)
            assert label != s.path and not any(c in label for c in "*_`"), (s.path, lang, label)


def test_fixed_choices_read_as_words_in_both_languages():
    from tree.i18n import strings

    assert formspec.choice_label("quality", "getoetst-nl", "nl") == "Getoetst in Nederland"
    assert formspec.choice_label("status", "ingetrokken", "en") == "retired"
    assert formspec.choice_label("scoring.direction", "hoger-is-beter", "nl") == "hoger is beter"
    assert formspec.choice_label("quality_basis.tested", "responsiviteit", "nl") == "gevoeligheid voor verandering"
    # every value of every field with words (a new status or label value cannot show as an id)
    for s in formspec.field_specs():
        for value in s.choices:
            key = formspec.choice_key(s.path, value)
            if key is not None:
                assert key in strings("nl") and key in strings("en"), (s.path, value)
    assert all(formspec.choice_key(s.path, s.choices[0]) for s in formspec.field_specs() if s.choices)


def test_coverage_cells_band_every_pair(make_bank):
    bank = make_bank(
        record("een", doelgroep=["ouderen"], thema=["eenzaamheid"]),
        record("twee", doelgroep=["ouderen"], thema=["eenzaamheid", "armoede-schulden"]),
    )
    cells = dashboard.coverage_cells(bank, "nl")
    assert len(cells) == len(bank.taxonomy.option_ids("doelgroep")) * len(bank.taxonomy.option_ids("thema"))
    assert list(cells.columns) == ["doelgroep", "thema", "n", "band"]
    by_pair = {(r.doelgroep, r.thema): (r.n, r.band) for r in cells.itertuples()}
    assert by_pair[("Ouderen", "Eenzaamheid")] == (2, "ok")
    assert by_pair[("Ouderen", "Armoede en schulden")] == (1, "thin")
    assert by_pair[("Jongeren", "Eenzaamheid")] == (0, "none")
    # in the taxonomy's order
    assert cells["doelgroep"].iloc[0] == "Kinderen en jeugd" and cells["thema"].iloc[0] == "Eenzaamheid"
