"""Checks over the SHIPPED databank in ``instruments/``: its truth rules and its coverage.

These tests read the real files, not fixtures, so a curator who breaks a rule hears about it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

import tree
from tree import describe, rules
from tree.coverage import MIN_PER_OPTION, option_coverage
from tree.databank import DEFAULT_PATH
from tree.docs import update
from tree.schema import Instrument

README = DEFAULT_PATH / "README.md"
HTTP = re.compile(r"^https?://\S+$")
MIN_ACTIVE = 60


@pytest.fixture(scope="module")
def bank() -> tree.Databank:
    tree.clear_cache()
    return tree.load_databank()


def instrument_files() -> list[Path]:
    return sorted(p for p in DEFAULT_PATH.glob("*.yaml") if not p.name.startswith("_"))


def test_every_shipped_file_validates(bank):
    assert bank.problems == [], "\n".join(str(p) for p in bank.problems)
    stems = {p.stem for p in instrument_files()}
    assert stems == set(bank.instruments), stems ^ set(bank.instruments)
    assert not list(DEFAULT_PATH.glob("*.yml")), "use the .yaml extension"


def test_at_least_sixty_active_instruments(bank):
    assert len(bank.active) >= MIN_ACTIVE


def test_every_option_has_two_direct_instruments(bank):
    rows = option_coverage(bank)
    expected = {(q.id, o.id) for q in bank.taxonomy.questions for o in q.options}
    assert {(r.question, r.option) for r in rows} == expected
    thin = [f"{r.question}={r.option} ({r.direct})" for r in rows if r.direct < 2]
    assert MIN_PER_OPTION >= 2, "the coverage warning must not be weaker than the rule"
    assert not thin, f"options with fewer than 2 instruments: {thin}"


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def test_summaries_are_at_most_four_sentences(bank):
    for inst in bank.instruments.values():
        sentences = [s for s in SENTENCE_END.split(inst.summary.strip()) if s]
        assert 1 <= len(sentences) <= 4, (inst.id, len(sentences))


def test_sources_and_urls_are_http(bank):
    for inst in bank.instruments.values():
        assert len(inst.sources) >= 1, inst.id
        for src in inst.sources:
            assert HTTP.match(src.url), (inst.id, src.url)
            assert src.title.strip(), inst.id
        if inst.url is not None:
            assert HTTP.match(inst.url), (inst.id, inst.url)


@pytest.mark.parametrize("attr", ["name", "abbreviation"])
def test_names_and_abbreviations_unique(bank, attr):
    seen: dict[str, str] = {}
    for inst in bank.instruments.values():
        value = getattr(inst, attr)
        if value is None:
            continue
        key = value.strip().casefold()
        assert key not in seen, f"{attr} {value!r} in {inst.id} and {seen[key]}"
        seen[key] = inst.id


def test_every_active_record_keeps_the_domain_rules(bank):
    """tree.rules over the shipped databank: twins, quality labels, zelf, monitors, satisfaction."""
    broken = {i.id: [f"{p.field}: {p.message}" for p in rules.check(i)] for i in bank.active}
    assert {k: v for k, v in broken.items() if v} == {}


def test_satisfaction_instruments_say_on_their_card_that_it_is_no_effect(bank):
    for inst in bank.active:
        if "ervaring" in inst.meten:
            assert any("geen effect" in c for c in describe.caveats(inst, "nl")), inst.id
            assert any("not an effect" in c for c in describe.caveats(inst, "en")), inst.id


def test_monitors_and_screenings_carry_their_caveat(bank):
    for inst in bank.active:
        cav = " ".join(describe.caveats(inst, "nl"))
        if inst.kind == "monitor" and "effect-omgeving" in inst.meten:
            assert "niet dat die verandering door één activiteit komt" in cav, inst.id
        if inst.kind in ("screening", "gespreksinstrument") and "effect-client" in inst.meten:
            assert "alleen verandering zien als u het herhaalt" in cav, inst.id


def test_pss10_names_the_ten_item_version(bank):
    pss = bank.instruments["pss-10"]
    assert "Williamson" in (pss.authors or "") and pss.year == 1988


@pytest.mark.parametrize("path", instrument_files(), ids=lambda p: p.name)
def test_c_and_python_loaders_agree(path):
    text = path.read_text(encoding="utf-8")
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML built without libyaml")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader)


def test_readme_field_reference_is_current():
    assert README.is_file()
    assert update(README, check=True), "run: python -m tree docs"
    text = README.read_text(encoding="utf-8")
    for name in Instrument.model_fields:
        assert f"`{name}`" in text, name


def test_last_reviewed_not_in_future(bank):
    today = dt.date.today()
    for inst in bank.instruments.values():
        assert inst.last_reviewed <= today, (inst.id, inst.last_reviewed)
