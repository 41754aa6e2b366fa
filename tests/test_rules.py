"""Each editorial rule fires on a record that breaks it, and only then (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest

from tree import Instrument, rules

from .conftest import TESTED_NL, record


def inst(**fields) -> Instrument:
    base = dict(
        name_en="Test", summary_en="A test.", measures="Iets", measures_en="Something",
        quality="praktijk", items=5, minutes=5, uitvoering=["mix"], last_reviewed=dt.date(2026, 12, 4),
    )
    base.update(fields)
    return Instrument.model_validate({k: v for k, v in record("x", **base).items() if v is not None})


def fields_of(i: Instrument) -> list[str]:
    return [p.field for p in rules.check(i)]


def test_a_complete_record_breaks_no_rule():
    assert rules.check(inst()) == []


@pytest.mark.parametrize(
    ("fields", "broken"),
    [
        ({"cost_note": "Gratis."}, "cost_note_en"),
        ({"summary_en": None}, "summary_en"),
        ({"measures": None, "measures_en": None}, "measures"),
        ({"quality": None}, "quality"),
        ({"kind": "methode", **TESTED_NL}, "quality"),
        ({"uitvoering": ["zelf"], "cost": "licentie"}, "uitvoering"),
        ({"uitvoering": ["zelf"], "cost": "gratis", "training_required": True}, "uitvoering"),
        ({"uitvoering": ["zelf"], "kind": "monitor", "quality": "methode"}, "uitvoering"),
        ({"measures": "Tevredenheid met de hulp", "meten": ["effect-client"]}, "meten"),
        ({"name": "Cliënttevredenheidsonderzoek", "meten": ["effect-client"]}, "meten"),
        ({"kind": "monitor", "meten": ["effect-omgeving"], "quality": "methode"}, "interval_years"),
        ({"interval_years": 2}, "interval_years"),
        ({"minutes": None}, "curator_note"),
        ({"scoring": {"min": 10, "max": 0}}, "scoring.max"),
    ],
)
def test_each_rule_fires(fields, broken):
    assert broken in fields_of(inst(**fields))


def test_rules_that_must_not_fire():
    # satisfaction with life is an outcome, not satisfaction with a service
    assert fields_of(inst(name="Satisfaction With Life Scale", measures="Tevredenheid met het leven")) == []
    # a monitor repeated over time may claim an effect in the area
    ok = inst(kind="monitor", meten=["effect-omgeving"], quality="methode", interval_years=4)
    assert fields_of(ok) == []
    # zelf says who carries it out: an unknown or a paid cost leaves that open
    assert fields_of(inst(uitvoering=["zelf"], cost=None)) == []
    assert fields_of(inst(uitvoering=["zelf"], cost="betaald", cost_note="Per formulier.",
                          cost_note_en="Per form.")) == []
    # zelf with a free-with-conditions cost is fine
    assert fields_of(inst(uitvoering=["zelf"], cost="gratis-voorwaarden", cost_note="Met bronvermelding.",
                          cost_note_en="With citation.")) == []
    # items or minutes unknown is fine when the curator says what was searched
    assert fields_of(inst(minutes=None, curator_note="Gezocht bij NJi en QIT: geen afnameduur.")) == []
    # retired records are held to nothing
    assert rules.check(inst(status="ingetrokken", quality=None)) == []
