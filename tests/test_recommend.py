from __future__ import annotations

import pytest

from tree import recommend
from tree.recommend import Fit, count_fitting

from .conftest import TESTED_NL, record


def ids(matches):
    return [m.instrument.id for m in matches]


@pytest.fixture
def bank(make_bank):
    return make_bank(
        record(
            "djg",
            name="DJG",
            doelgroep=["volwassenen", "ouderen"],
            thema=["eenzaamheid"],
            **TESTED_NL,
            cost="gratis",
            minutes=10,
            related=["verhalen-ouderen"],
        ),
        record(
            "ouderen-cijfers",
            doelgroep=["ouderen"],
            thema=["eenzaamheid", "welbevinden"],
            cost="licentie",
            uitvoering=["mix"],
        ),
        record("jeugd-lijst", doelgroep=["jeugd"], thema=["opvoeding"], meten=["effect-client"]),
        record(
            "verhalen-ouderen", doelgroep=["ouderen"], thema=["eenzaamheid"], gegevens=["verhalen"], related=["djg"]
        ),
        record(
            "groepsgesprek",
            doelgroep=["iedereen"],
            thema=["alle-themas"],
            gegevens=["verhalen"],
            meten=["ervaring", "proces"],
        ),
        record("allebei", doelgroep=["ouderen"], thema=["eenzaamheid"], gegevens=["cijfers", "verhalen"]),
        record("oud", doelgroep=["ouderen"], thema=["eenzaamheid"], status="ingetrokken"),
    )


def test_exact_match_with_explanation(bank):
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "gegevens": ["cijfers"]})
    assert ids(rec.matches) == ["djg", "allebei", "ouderen-cijfers"]
    djg = rec.matches[0]
    assert djg.exact
    assert djg.fits == (
        Fit("doelgroep", "ouderen", "ouderen"),
        Fit("thema", "eenzaamheid", "eenzaamheid"),
        Fit("gegevens", "cijfers", "cijfers"),
    )
    assert rec.exact_count == 3


def test_broader_option_matches_and_says_via(bank):
    rec = recommend(bank, {"doelgroep": ["mantelzorgers"], "meten": ["ervaring"]})
    assert ids(rec.matches) == ["groepsgesprek"]
    fit = rec.matches[0].fits[0]
    assert (fit.chosen, fit.via, fit.direct) == ("mantelzorgers", "iedereen", False)


def test_direct_fit_is_preferred_over_broader_in_explanation(make_bank):
    bank = make_bank(record("a", doelgroep=["volwassenen", "ouderen"]))
    fit = recommend(bank, {"doelgroep": ["ouderen"]}).matches[0].fits[0]
    assert fit.via == "ouderen"


def test_narrower_does_not_match_broader_choice(bank):
    # an instrument for ouderen does not fit every adult
    rec = recommend(bank, {"doelgroep": ["volwassenen"], "thema": ["eenzaamheid"]})
    assert "ouderen-cijfers" not in ids(rec.matches)
    assert "djg" in ids(rec.matches)


def test_or_within_question_and_across_questions(bank):
    rec = recommend(bank, {"doelgroep": ["jeugd", "ouderen"], "thema": ["opvoeding"]})
    assert set(ids(rec.matches)) == {"jeugd-lijst", "groepsgesprek"}
    rec = recommend(bank, {"doelgroep": ["jeugd"], "thema": ["eenzaamheid"]})
    assert "jeugd-lijst" not in ids(rec.matches)


def test_no_preference_means_no_filter(bank):
    everything = recommend(bank, {})
    assert everything.exact_count == 6  # the retired one is never shown
    assert recommend(bank, {"doelgroep": [], "thema": []}).exact_count == 6
    assert "oud" not in ids(everything.matches)


def test_retired_never_shown_even_as_near_match(bank):
    rec = recommend(bank, {"doelgroep": ["jeugd"], "thema": ["eenzaamheid"], "meten": ["rendement"]})
    assert "oud" not in ids(rec.matches) + ids(rec.near)


def test_near_matches_and_relaxation_when_nothing_fits(bank):
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "uitvoering": ["uitbesteden"]})
    assert rec.exact_count == 0 and rec.matches == []
    assert rec.near_misses == 1
    assert all(m.misses == ("uitvoering",) for m in rec.near)
    assert ids(rec.near)[0] == "djg"  # ranked: validated, free first
    best = rec.best_relaxation
    assert best.question == "uitvoering"
    assert best.exact_count == len(rec.near)


def test_near_matches_with_two_misses(bank):
    rec = recommend(bank, {"doelgroep": ["jeugd"], "meten": ["rendement"], "uitvoering": ["uitbesteden"]})
    assert rec.exact_count == 0
    assert rec.near_misses == 2
    assert "jeugd-lijst" in ids(rec.near)


def test_near_matches_exclude_exact_ones(bank):
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"]})
    assert not set(ids(rec.matches)) & set(ids(rec.near))


def test_beide_gives_instruments_with_both_and_bundles(bank):
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "gegevens": ["beide"]})
    assert ids(rec.matches) == ["allebei"]
    assert rec.bundles, "numbers + stories bundles expected"
    first = rec.bundles[0]
    assert [p.instrument.id for p in first.parts] == ["djg", "verhalen-ouderen"]  # named in related
    assert first.related
    for b in rec.bundles:
        numbers, stories = b.parts
        assert "cijfers" in numbers.instrument.gegevens and "verhalen" not in numbers.instrument.gegevens
        assert stories.instrument.gegevens == ["verhalen"]


def test_no_bundles_without_beide(bank):
    assert recommend(bank, {"gegevens": ["cijfers"]}).bundles == []


def test_ranking_validated_then_free_then_minutes(make_bank):
    bank = make_bank(
        record("c", cost="gratis", minutes=5),
        record("a", **TESTED_NL, cost="licentie", minutes=50),
        record("b", cost="gratis", minutes=2),
        record("d", cost="betaald"),
    )
    assert ids(recommend(bank, {}).matches) == ["a", "b", "c", "d"]


def test_limit(bank):
    rec = recommend(bank, {}, limit=2)
    assert len(rec.matches) == 2 and rec.exact_count == 6


def test_unknown_ids_are_ignored_and_reported(bank):
    rec = recommend(bank, {"doelgroep": ["ouderen", "marsmannetjes"], "kleur": ["rood"]})
    assert ("doelgroep", "marsmannetjes") in rec.ignored
    assert ("kleur", "rood") in rec.ignored
    assert rec.answers["doelgroep"] == ["ouderen"]


def test_single_answer_question_keeps_one(bank):
    rec = recommend(bank, {"gegevens": ["cijfers", "verhalen"]})
    assert rec.answers["gegevens"] == ["cijfers"]


def test_count_fitting_equals_exact_count(bank):
    answers = {"doelgroep": ["ouderen"], "gegevens": ["verhalen"]}
    assert count_fitting(bank, answers) == recommend(bank, answers).exact_count == 3


def test_direct_fits_rank_before_fits_through_broader_options(make_bank):
    bank = make_bank(
        record("generiek", doelgroep=["iedereen"], thema=["alle-themas"], **TESTED_NL, cost="gratis"),
        record("half", doelgroep=["iedereen"], thema=["eenzaamheid"], **TESTED_NL),
        record("specifiek", doelgroep=["ouderen"], thema=["eenzaamheid"]),
    )
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"]})
    assert ids(rec.matches) == ["specifiek", "half", "generiek"]
    assert ids(recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"]}, limit=2).matches) == [
        "specifiek",
        "half",
    ]
    # without answers there is nothing to be specific about: plain rank order
    assert ids(recommend(bank, {}).matches) == ["generiek", "half", "specifiek"]


def test_bundles_vary_each_instrument_at_most_twice(make_bank):
    numbers = [record(f"n{i}", gegevens=["cijfers"], **TESTED_NL) for i in range(3)]
    stories = [record(f"s{i}", gegevens=["verhalen"]) for i in range(3)]
    rec = recommend(make_bank(*numbers, *stories), {"gegevens": ["beide"]}, bundle_limit=5)
    used = [p.instrument.id for b in rec.bundles for p in b.parts]
    assert len(rec.bundles) == 5
    assert max(used.count(i) for i in set(used)) == 2


def test_usage_from_practice_is_the_last_tie_breaker(make_bank):
    bank = make_bank(
        record("alfa", name="Alfa", doelgroep=["ouderen"], minutes=5),
        record("beta", name="Beta", doelgroep=["ouderen"], minutes=5),
        record("gamma", name="Gamma", doelgroep=["ouderen"], minutes=3),  # fewer minutes beats any usage
    )
    answers = {"doelgroep": ["ouderen"]}
    assert ids(recommend(bank, answers).matches) == ["gamma", "alfa", "beta"]
    used = recommend(bank, answers, usage={"beta": 4, "alfa": 1}).matches
    assert ids(used) == ["gamma", "beta", "alfa"]


def test_the_tip_leads_to_instruments_for_this_group_and_theme_not_to_more_frameworks(make_bank):
    # Walk question 1: dropping "zelf doen" gave three generic frameworks and won on count, while
    # dropping the type of data gave the two loneliness scales that answer the question.
    frameworks = [record(f"kader-{n}", doelgroep=["iedereen"], thema=["alle-themas"], gegevens=["cijfers", "verhalen"],
                         uitvoering=["mix"]) for n in range(3)]
    bank = make_bank(
        *frameworks,
        record("schaal-a", doelgroep=["ouderen"], thema=["eenzaamheid"], gegevens=["cijfers"], uitvoering=["zelf"]),
        record("schaal-b", doelgroep=["ouderen"], thema=["eenzaamheid"], gegevens=["cijfers"], uitvoering=["zelf"]),
    )
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "gegevens": ["beide"],
                           "uitvoering": ["zelf"]})
    assert rec.exact_count == 0
    by_question = {r.question: r for r in rec.relaxations}
    assert (by_question["uitvoering"].exact_count, by_question["uitvoering"].specific_count) == (3, 0)
    assert (by_question["gegevens"].exact_count, by_question["gegevens"].specific_count) == (2, 2)
    assert rec.best_relaxation.question == "gegevens"


def test_the_tip_keeps_what_was_asked_when_a_practical_answer_can_go(make_bank):
    # dropping "cliëntervaring" would find effect measures: that answers another question
    bank = make_bank(
        record("effect-1", doelgroep=["ouderen"], thema=["eenzaamheid"], meten=["effect-client"], uitvoering=["zelf"]),
        record("effect-2", doelgroep=["ouderen"], thema=["eenzaamheid"], meten=["effect-client"], uitvoering=["zelf"]),
        record("ervaring", doelgroep=["ouderen"], thema=["eenzaamheid"], meten=["ervaring"], uitvoering=["mix"]),
    )
    rec = recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "meten": ["ervaring"],
                           "uitvoering": ["zelf"]})
    assert [r.question for r in rec.relaxations][:2] == ["uitvoering", "meten"]


def test_a_bundle_leads_over_a_conversation_tool_that_measures_nothing(make_bank):
    # Walk question 4: "Mijn Positieve Gezondheid" fits every answer directly and yields numbers and
    # stories, but its developer says it is no measuring instrument (label 'methode')
    bank = make_bank(
        record("spinnenweb", doelgroep=["jongeren"], thema=["participatie"], gegevens=["cijfers", "verhalen"],
               kind="gespreksinstrument", quality="methode"),
        record("schaal", doelgroep=["jongeren"], thema=["participatie"], gegevens=["cijfers"], **TESTED_NL),
        record("verhalen", doelgroep=["iedereen"], thema=["alle-themas"], gegevens=["verhalen"], kind="methode",
               quality="methode"),
    )
    answers = {"doelgroep": ["jongeren"], "thema": ["participatie"], "gegevens": ["beide"]}
    rec = recommend(bank, answers)
    assert ids(rec.matches)[0] == "spinnenweb"
    assert rec.headline is not None and [p.instrument.id for p in rec.headline.parts] == ["schaal", "verhalen"]
    # a measuring instrument that fits everything directly and yields both still leads on its own
    bank = make_bank(
        record("meetlijst", doelgroep=["jongeren"], thema=["participatie"], gegevens=["cijfers", "verhalen"],
               **TESTED_NL),
        record("schaal", doelgroep=["jongeren"], thema=["participatie"], gegevens=["cijfers"], **TESTED_NL),
        record("verhalen", doelgroep=["iedereen"], thema=["alle-themas"], gegevens=["verhalen"], kind="methode",
               quality="methode"),
    )
    assert recommend(bank, answers).headline is None


def test_a_do_it_yourself_instrument_fits_mix_as_well_as_a_mix_one(make_bank):
    # Walk 2, question 2: under "Mix" a tested scale a team does itself fell below an untested paid
    # tool tagged "mix", because "mix via zelf" counted as a broader, less specific fit
    bank = make_bank(
        record("ster", doelgroep=["volwassenen"], thema=["armoede-schulden"], uitvoering=["mix"], cost="betaald"),
        record("schaal", doelgroep=["volwassenen"], thema=["armoede-schulden"], uitvoering=["zelf"], **TESTED_NL,
               cost="gratis"),
    )
    rec = recommend(bank, {"doelgroep": ["volwassenen"], "thema": ["armoede-schulden"], "uitvoering": ["mix"]})
    assert ids(rec.matches) == ["schaal", "ster"]


def test_near_matches_that_miss_only_a_practical_answer_come_first(make_bank):
    # Walk 2, question 5: a parenting self-efficacy scale that misses only "zelf doen" came last,
    # behind instruments for another theme
    bank = make_bank(
        record("depressie", doelgroep=["ouders"], thema=["welbevinden"], uitvoering=["zelf"], **TESTED_NL,
               cost="gratis"),
        record("competentie", doelgroep=["ouders"], thema=["opvoeding"], uitvoering=["mix"]),
    )
    rec = recommend(bank, {"doelgroep": ["ouders"], "thema": ["opvoeding"], "uitvoering": ["zelf"]})
    assert rec.exact_count == 0 and rec.near_misses == 1
    assert ids(rec.near) == ["competentie", "depressie"]
    assert rec.near[0].misses == ("uitvoering",) and rec.near[1].misses == ("thema",)
