"""From practice: a visitor reports a fault and shares an experience; nothing shows before approval."""

from __future__ import annotations

from tests.conftest import ROOT
from tree.feedback.backend import default_store

from .conftest import open_app, texts

DETAIL = str(ROOT / "pages" / "instrument.py")
WIZARD = str(ROOT / "pages" / "wizard.py")
LINK = {"doelgroep": "ouderen", "thema": "eenzaamheid", "meten": "effect-client", "gegevens": "cijfers",
        "uitvoering": "zelf"}


def submit(at, form_button_label: str):
    button = next(b for b in at.button if b.label == form_button_label)
    button.click().run()
    assert not at.exception, at.exception
    return at


def test_an_experience_is_kept_for_a_curator_and_shown_only_after_approval():
    at = open_app(DETAIL, id="djg-11")
    at.text_input(key="detail:e:whom").input("ouderen in de huiskamer")
    at.number_input(key="detail:e:n").set_value(40)
    at.number_input(key="detail:e:min").set_value(9)
    at.text_area(key="detail:e:story").input("Het gesprek over de antwoorden was waardevol.")
    submit(at, "Deel ervaring")
    assert "Dank u! Een curator bekijkt het; pas daarna is het zichtbaar." in texts(at)

    store = default_store()
    (item,) = store.items(kind="ervaring")
    assert (item.instrument, item.fields["minutes"], item.status) == ("djg-11", 9, "nieuw")
    assert "Uit de praktijk" not in texts(open_app(WIZARD, **LINK))  # not public yet

    store.decide(item.id, "goedkeuren", "anna")
    shown = texts(open_app(WIZARD, **LINK))
    assert "**Uit de praktijk:** gebruikt door 1 organisatie · in de praktijk 9 minuten (mediaan)" in shown
    assert "Het gesprek over de antwoorden was waardevol." in shown


def test_a_fault_report_with_a_phone_number_is_refused_with_a_clear_message():
    at = open_app(DETAIL, id="djg-11")
    at.text_area(key="detail:r:should").input("Bel mij op 06-12345678")
    submit(at, "Verstuur melding")
    assert "Wat het moet zijn: haal het e-mailadres of telefoonnummer weg" in texts(at)
    assert default_store().items() == []


def test_propose_an_instrument_from_the_results_page():
    at = open_app(WIZARD, **LINK)
    at.text_input(key="results:name").input("Buurtbarometer")
    at.text_area(key="results:what").input("Hoe bewoners hun buurt ervaren")
    submit(at, "Verstuur voorstel")
    (item,) = default_store().items(kind="voorstel")
    assert item.fields["name"] == "Buurtbarometer" and item.instrument is None
