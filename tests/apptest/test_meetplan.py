"""The meetplan flow as a team leader walks it: from the advice, five skippable questions, the plan."""

from __future__ import annotations

from tests.conftest import ROOT

from .conftest import open_app, texts

PAGE = str(ROOT / "pages" / "meetplan.py")
WIZARD = str(ROOT / "pages" / "wizard.py")
ADVICE = {"doelgroep": "ouderen", "thema": "eenzaamheid", "meten": "effect-client", "gegevens": "beide",
          "uitvoering": "mix", "vraag": "Worden ouderen minder eenzaam?"}


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def test_results_offer_the_meetplan_as_the_next_step():
    at = open_app(**ADVICE)  # the whole app: the button switches page
    assert "Volgende stap — maak een meetplan" in texts(at)
    at.button(key="plan_go").click().run()
    assert not at.exception, at.exception
    assert "Welke instrumenten neemt u mee?" in texts(at)
    assert at.multiselect(key="mp_instruments").value  # pre-filled from the advice


def test_walk_the_questions_and_get_every_section():
    at = open_app(PAGE, **ADVICE)
    shown = texts(at)
    assert "Welke instrumenten neemt u mee?" in shown
    # pre-filled from the advice's headline: a numbers instrument and a stories method
    picked = at.multiselect(key="mp_instruments").value
    assert len(picked) == 2
    click(at, "mp_next:0")
    assert "Met hoeveel deelnemers, en wanneer?" in texts(at)
    at.number_input(key="mp_n").set_value(24).run()
    click(at, "mp_next:1")
    at.radio(key="mp_purpose").set_value("beide").run()
    click(at, "mp_next:2")
    assert at.radio(key="mp_carrier").value == "mix"  # from the fifth answer
    click(at, "mp_next:3")
    at.checkbox(key="mp_reader:gemeente").check().run()
    click(at, "mp_next:4")
    shown = texts(at)
    assert "Uw meetplan" in shown
    for heading in ("1. Onderzoeksvraag", "2. Wat we meten en waarmee", "5. Tijd en kosten", "7. Privacy",
                    "9. Rapportage en tijdpad"):
        assert heading in shown, heading
    assert "Hoeveel: 24 deelnemers." in shown
    # the effort table is the stacking HTML table (no sideways scrolling on a phone), escaped
    (effort,) = [h.proto.body for h in at.get("html") if 'data-label="Minuten per keer"' in h.proto.body]
    assert 'class="cmp"' in effort and "Totaal" in effort
    assert "| Minuten per keer |" not in shown
    assert "U meet om te leren én om verantwoording af te leggen" in shown
    # the plan's answers are in the address, so a colleague opens the same plan
    assert at.query_params["aantal"] == "24" and at.query_params["doel"] == "beide"
    assert at.query_params["lezers"] == "gemeente" and at.query_params["plan"] == ",".join(picked)


def test_skipping_gives_a_plan_that_names_what_is_open():
    at = open_app(PAGE, **ADVICE)
    click(at, "mp_skip:0")
    shown = texts(at)
    assert "Uw meetplan" in shown
    assert "Hoeveel deelnemers: nog in te vullen." in shown
    assert "Waarvoor meet u: om te leren, om verantwoording af te leggen, of allebei? Dat is nog in te vullen." in shown


def test_a_shared_link_opens_the_same_plan_in_english():
    at = open_app(PAGE, **ADVICE, lang="en", plan="djg-11,msc", aantal="30", van="2027-03-01", tot="2027-09-01",
                  doel="leren", wie="zelf", lezers="team")
    shown = texts(at)
    assert "Your measurement plan" in shown
    assert "How many: 30 participants." in shown
    assert "Baseline, at the start: 1 March 2027" in shown
    assert "You do it yourselves." in shown


def test_bad_plan_values_in_a_link_are_named_not_fatal():
    at = open_app(PAGE, **ADVICE, aantal="veel", plan="bestaat-niet")
    shown = texts(at)
    assert "Deze waarden uit de link zijn niet gebruikt: aantal=veel." in shown
    assert "Niet (meer) in de databank, dus weggelaten: bestaat-niet." in shown


def test_a_numbers_only_plan_is_not_told_to_add_a_stories_method():
    numbers = open_app(PAGE, **{**ADVICE, "gegevens": "cijfers"})
    assert "Tellen én vertellen: kies een vragenlijst" not in texts(numbers)
    both = open_app(PAGE, **{**ADVICE, "gegevens": "beide"})
    assert "Tellen én vertellen: kies een vragenlijst" in texts(both)
