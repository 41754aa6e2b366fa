"""The meetplan: what it says follows from the databank's facts and the team's answers, never a guess."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

import tree
from tree.meetplan import PlanAnswers, build_plan, default_carrier, default_instruments, from_params, to_params
from tree.meetplan.document import blocks, date_text, to_docx, to_markdown, to_pdf
from tree.meetplan.guidance import TOPICS, guidance
from tree.meetplan.plan import role_of

from .conftest import TESTED_NL, record

DAY = dt.date(2026, 12, 4)
START, END = dt.date(2027, 3, 1), dt.date(2027, 9, 1)
OUD_EENZAAM = {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "meten": ["effect-client"]}
SECTIONS_NL = [
    "1. Onderzoeksvraag", "2. Wat we meten en waarmee", "3. Opzet — wanneer meten we", "4. Wie doen mee",
    "5. Tijd en kosten", "6. Wie doet wat", "7. Privacy", "8. Analyse en uitkomsten lezen", "9. Rapportage en tijdpad",
]
SECTIONS_EN = [
    "1. Research question", "2. What we measure, and with what", "3. Design — when we measure",
    "4. Who takes part", "5. Time and costs", "6. Who does what", "7. Privacy",
    "8. Analysis and reading the results", "9. Reporting and timeline",
]


@pytest.fixture
def bank(make_bank) -> tree.Databank:
    return make_bank(
        record(
            "eenzaam-oud", name="Eenzaamheidsschaal Oud", name_en="Loneliness Scale Old", abbreviation="ESO",
            doelgroep=["ouderen"], thema=["eenzaamheid"], items=11, minutes=5, cost="gratis", **TESTED_NL,
            url="https://example.org/eso", related=["verhalen-methode"],
            scoring={"min": 0, "max": 11, "direction": "hoger-is-slechter",
                     "interpretation": {"nl": "3 of meer: eenzaam (≥ 3).", "en": "3 or more: lonely (≥ 3)."},
                     "reference": "Handleiding ESO (2008)"},
        ),
        record("zonder-tijd", name="Lijst Zonder Tijd", doelgroep=["ouderen"], thema=["eenzaamheid"], items=20),
        record("tevreden", name="Tevredenheidspeiling", doelgroep=["ouderen"], meten=["ervaring"], minutes=3),
        record(
            "verhalen-methode", name="Verhalenmethode", kind="methode", doelgroep=["iedereen"],
            thema=["alle-themas"], gegevens=["verhalen"], related=["eenzaam-oud"],
        ),
        record(
            "buurtmonitor", name="Buurtmonitor", kind="monitor", doelgroep=["buurtbewoners"],
            thema=["sociale-cohesie"], meten=["effect-omgeving"], interval_years=2,
        ),
        record("re-aim-test", name="Raamwerk", kind="raamwerk", doelgroep=["iedereen"], thema=["alle-themas"],
               meten=["proces"], gegevens=["cijfers", "verhalen"]),
    )


def plan_for(bank, ids, *, answers=OUD_EENZAAM, lang="nl", **choices):
    rec = tree.recommend(bank, answers)
    return build_plan(bank, rec, PlanAnswers(instruments=tuple(ids), **choices), lang=lang, today=DAY,
                      question="Worden ouderen minder eenzaam?")


# --- effort ------------------------------------------------------------------------------------


def test_effort_is_minutes_times_respondents_times_moments_rounded_up_to_half_hours(bank):
    plan = plan_for(bank, ["eenzaam-oud", "tevreden"], participants=40)
    scale, survey = plan.items
    assert (scale.effort.minutes, scale.effort.respondents, scale.effort.moments) == (5, 40, 2)
    assert scale.effort.total_minutes == 400 and scale.effort.hours == 7.0  # 6 h 40 min → 7
    assert survey.effort.total_minutes == 120 and survey.effort.hours == 2.0  # asked once, afterwards
    assert plan.total_hours == 9.0
    md = to_markdown(bank, plan)
    assert "| Eenzaamheidsschaal Oud (ESO) | 5 | 40 | 2 | 7 uur |" in md
    assert "| Totaal |  |  |  | 9 uur |" in md


def test_unknown_minutes_stay_unknown_and_are_named(bank):
    plan = plan_for(bank, ["eenzaam-oud", "zonder-tijd"], participants=10)
    assert plan.items[1].effort.hours is None and plan.total_hours is None
    md = to_markdown(bank, plan)
    assert "| Lijst Zonder Tijd | onbekend | 10 | 2 | onbekend |" in md
    assert "| Totaal |  |  |  | onbekend |" in md
    assert "de databank weet de invultijd van Lijst Zonder Tijd niet" in md
    assert "Eenzaamheidsschaal Oud (ESO) niet" not in md  # only the instrument that lacks it


def test_a_skipped_participant_count_is_open_not_guessed(bank):
    plan = plan_for(bank, ["eenzaam-oud"])
    assert plan.total_hours is None
    md = to_markdown(bank, plan)
    assert "| Eenzaamheidsschaal Oud (ESO) | 5 | nog in te vullen | 2 | onbekend |" in md
    assert "het aantal deelnemers is nog in te vullen" in md
    assert "Hoeveel deelnemers: nog in te vullen." in md


def test_a_monitor_costs_the_team_no_administration_time(bank):
    plan = plan_for(bank, ["buurtmonitor"], answers={}, participants=300)
    (item,) = plan.items
    assert item.role == "monitor" and not item.effort.applies and plan.total_hours == 0
    assert "| Buurtmonitor | n.v.t. | n.v.t. | n.v.t. | n.v.t. |" in to_markdown(bank, plan)


# --- design per kind ---------------------------------------------------------------------------


def test_roles_follow_kind_and_tags(bank):
    roles = {iid: role_of(bank.instruments[iid]) for iid in bank.instruments}
    assert roles == {"eenzaam-oud": "effect", "zonder-tijd": "effect", "tevreden": "ervaring",
                     "verhalen-methode": "verhalen", "buurtmonitor": "monitor", "re-aim-test": "raamwerk"}


def test_effect_gets_baseline_and_follow_up_on_the_teams_dates(bank):
    plan = plan_for(bank, ["eenzaam-oud"], start=START, end=END)
    assert [(m.kind, m.date) for m in plan.items[0].moments] == [("voor", START), ("na", END)]
    md = to_markdown(bank, plan)
    assert "- Voormeting, bij de start: 1 maart 2027" in md
    assert "- Nameting, aan het eind: 1 september 2027" in md
    assert "Meet bij dezelfde deelnemers vóór en na" in md
    assert "geen bewijs dat uw activiteit de oorzaak is" in md  # what the design cannot claim
    assert "| Bij de start (1 maart 2027) | Voormeting: Eenzaamheidsschaal Oud (ESO). |" in md


def test_design_text_per_kind(bank):
    md = to_markdown(bank, plan_for(bank, ["tevreden", "buurtmonitor", "re-aim-test", "verhalen-methode"]))
    assert "Vraag één keer, na afloop. Tevredenheid is geen effect." in md
    assert "De monitor meet om de 2 jaar." in md
    assert "Een raamwerk heeft geen eigen meetmoment" in md
    assert "Verzamel de verhalen aan het eind" in md
    assert "De data van de metingen volgen uit de start- en einddatum" in md  # dates skipped: said so
    assert "Voormeting" not in md  # none of these asks for a baseline


def test_dates_print_in_the_plans_language():
    assert date_text(dt.date(2027, 3, 1), "nl") == "1 maart 2027"
    assert date_text(dt.date(2027, 12, 24), "en") == "24 December 2027"


# --- what the plan recommends --------------------------------------------------------------------


def test_a_numbers_only_plan_suggests_its_related_stories_method(bank):
    plan = plan_for(bank, ["eenzaam-oud"])
    assert plan.stories_hint is not None and plan.stories_hint.id == "verhalen-methode"
    assert "Overweeg bijvoorbeeld Verhalenmethode." in to_markdown(bank, plan)
    with_stories = plan_for(bank, ["eenzaam-oud", "verhalen-methode"])
    assert with_stories.stories_hint is None and "Overweeg" not in to_markdown(bank, with_stories)


def test_defaults_come_from_the_advice(bank):
    rec = tree.recommend(bank, {**OUD_EENZAAM, "gegevens": ["beide"]})
    assert rec.headline is not None
    assert default_instruments(rec) == [m.instrument.id for m in rec.headline.parts]
    assert default_instruments(rec, ["tevreden", "tevreden", "eenzaam-oud"]) == ["tevreden", "eenzaam-oud"]
    # no headline: an instrument for this group and theme, not a generic method
    assert default_instruments(tree.recommend(bank, OUD_EENZAAM)) == ["eenzaam-oud"]
    assert default_carrier({"uitvoering": ["zelf"]}) == "zelf"
    assert default_carrier({"uitvoering": ["zelf", "mix"]}) is None


def test_unknown_and_withdrawn_instruments_are_dropped_and_named(bank):
    plan = plan_for(bank, ["bestaat-niet", "eenzaam-oud"])
    assert [i.instrument.id for i in plan.items] == ["eenzaam-oud"] and plan.dropped == ["bestaat-niet"]
    assert "Niet (meer) in de databank, dus weggelaten: bestaat-niet." in to_markdown(bank, plan)


# --- analysis ----------------------------------------------------------------------------------


def test_scoring_facts_or_a_pointer_to_the_manual(bank):
    md = to_markdown(bank, plan_for(bank, ["eenzaam-oud", "zonder-tijd"]))
    assert "- **Scores:** van 0 tot 11; een hogere score is slechter" in md
    assert "- **Zo leest u de score:** 3 of meer: eenzaam (≥ 3)." in md
    assert "- **Bron van de scoring:** Handleiding ESO (2008)" in md
    assert "De databank heeft (nog) geen scoringsregels voor dit instrument. Kijk in de handleiding." in md


# --- every section, both languages, every format -------------------------------------------------


@pytest.mark.parametrize("lang,sections", [("nl", SECTIONS_NL), ("en", SECTIONS_EN)])
def test_every_section_is_present_in_order(bank, lang, sections):
    plan = plan_for(bank, ["eenzaam-oud", "verhalen-methode"], lang=lang, participants=12, start=START, end=END,
                    purpose="beide", carrier="mix", readers=("team", "gemeente"))
    headings = [b.text for b in blocks(bank, plan) if b.kind == "h2"]
    assert headings == sections


def test_privacy_section_cites_its_sources_and_says_it_is_not_legal_advice(bank):
    md = to_markdown(bank, plan_for(bank, ["eenzaam-oud"]))
    privacy = md[md.index("## 7. Privacy"):md.index("## 8.")]
    assert "Dit is geen juridisch advies" in privacy
    assert "autoriteitpersoonsgegevens.nl" in privacy
    assert privacy.count("**Bron:**") >= 6


def test_every_guidance_topic_has_both_languages_and_a_source():
    for topic in TOPICS:
        for lang in ("nl", "en"):
            g = guidance(topic, lang)
            assert len(g.text) > 80 and g.sources and all(url.startswith("https://") or url.startswith("http://")
                                                          for _, url in g.sources)


def test_purpose_roles_and_readers_shape_the_text(bank):
    md = to_markdown(bank, plan_for(bank, ["eenzaam-oud"], purpose="verantwoorden", carrier="uitbesteden",
                                    readers=("team", "gemeente", "deelnemers")))
    assert "U meet vooral om verantwoording af te leggen" in md
    assert "U besteedt het uit" in md
    assert "bespreken in het team en met de gemeente en de deelnemers" in md
    open_md = to_markdown(bank, plan_for(bank, ["eenzaam-oud"]))
    assert "Dat is nog in te vullen." in open_md and "Wie het verslag leest, is nog in te vullen." in open_md


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_pdf_and_word_carry_every_section_and_characters_beyond_latin1(bank):
    from docx import Document

    plan = plan_for(bank, ["eenzaam-oud", "verhalen-methode"], participants=12, start=START, end=END)
    text = _pdf_text(to_pdf(bank, plan))
    for heading in SECTIONS_NL:
        assert heading in text, heading
    assert "≥ 3" in text and "Tijd en kosten" in text and "×" in text
    non_latin1 = {ch for ch in text if ord(ch) > 255}
    assert {"—", "≥", "•"} <= non_latin1  # printed, not turned into "?"

    doc = Document(io.BytesIO(to_docx(bank, plan)))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == SECTIONS_NL
    assert len(doc.tables) == 2  # effort and timeline, as real Word tables the team can edit
    assert doc.tables[0].rows[1].cells[0].text == "Eenzaamheidsschaal Oud (ESO)"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "3 of meer: eenzaam (≥ 3)." in body


# --- the plan in a link ------------------------------------------------------------------------


def test_plan_answers_round_trip_through_a_link():
    answers = PlanAnswers(("eenzaam-oud", "msc"), 40, START, END, "beide", "mix", ("team", "gemeente"))
    params = to_params(answers)
    assert params == {"plan": "eenzaam-oud,msc", "aantal": "40", "van": "2027-03-01", "tot": "2027-09-01",
                      "doel": "beide", "wie": "mix", "lezers": "team,gemeente"}
    assert from_params(params) == (answers, [])
    assert to_params(PlanAnswers()) == {}


def test_bad_link_values_are_dropped_and_reported():
    answers, ignored = from_params({"aantal": "veel", "van": "2027-13-01", "doel": "winst", "wie": "iedereen",
                                    "lezers": "team,<script>", "plan": "ok-id,Niet Goed"})
    assert answers == PlanAnswers(instruments=("ok-id",), readers=("team",))
    assert {key for key, _ in ignored} == {"aantal", "van", "doel", "wie"}
    reversed_period, ignored = from_params({"van": "2027-09-01", "tot": "2027-03-01"})
    assert reversed_period.end is None and ignored == [("tot", "2027-03-01")]
    huge, _ = from_params({"aantal": "9" * 50})
    assert huge.participants is None


def test_shipped_databank_makes_a_plan_for_every_headline():
    bank = tree.load_databank()
    rec = tree.recommend(bank, {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"], "gegevens": ["beide"]})
    plan = build_plan(bank, rec, PlanAnswers(tuple(default_instruments(rec)), participants=30), today=DAY)
    md = to_markdown(bank, plan)
    assert all(h in md for h in SECTIONS_NL)
    assert not re.search(r"\{[a-z_]+\}", md)  # no unfilled placeholder


def test_stories_are_collected_at_the_end_and_close_the_timeline(bank):
    plan = plan_for(bank, ["eenzaam-oud", "verhalen-methode"], start=START, end=END)
    md = to_markdown(bank, plan)
    assert "- Verhalen verzamelen, aan het eind: 1 september 2027" in md
    assert ("| Aan het eind (1 september 2027) | Nameting: Eenzaamheidsschaal Oud (ESO). "
            "Verhalen verzamelen: Verhalenmethode. |") in md
    # together they answer "cijfers én verhalen": neither part is listed as missing it
    both = plan_for(bank, ["eenzaam-oud", "verhalen-methode"], answers={**OUD_EENZAAM, "gegevens": ["beide"]})
    assert "Past niet bij uw keuze bij Type gegevens" not in to_markdown(bank, both)
    alone = plan_for(bank, ["eenzaam-oud"], answers={**OUD_EENZAAM, "gegevens": ["beide"]})
    assert "Past niet bij uw keuze bij Type gegevens" in to_markdown(bank, alone)


def test_a_method_that_yields_numbers_and_stories_is_planned_as_sessions_not_minutes(make_bank):
    bank = make_bank(
        record("actieonderzoek", name="Actieonderzoek", kind="methode", doelgroep=["buurtbewoners"],
               thema=["sociale-cohesie"], meten=["effect-omgeving"], gegevens=["cijfers", "verhalen"]),
        record("lijst", name="Buurtlijst", doelgroep=["buurtbewoners"], thema=["sociale-cohesie"],
               meten=["effect-omgeving"], minutes=10),
    )
    rec = tree.recommend(bank, {})
    plan = build_plan(bank, rec, PlanAnswers(("actieonderzoek", "lijst"), participants=30), today=DAY)
    method, _ = plan.items
    assert (method.role, method.effort.applies) == ("methode", False)
    assert [m.kind for m in method.moments] == ["tijdens", "na"]
    assert plan.total_hours == 10.0  # only what the databank can count: 10 min × 30 × 2
    md = to_markdown(bank, plan)
    assert "Een methode, geen vragenlijst: plan de gesprekken of bijeenkomsten" in md
    assert "Voor Actieonderzoek geeft de databank geen invultijd per deelnemer" in md
    assert "| Actieonderzoek | n.v.t. | n.v.t. | n.v.t. | n.v.t. |" in md


def test_a_return_calculation_plan_makes_no_effect_claims_and_adds_no_hours(make_bank):
    bank = make_bank(record("mkba-test", name="Rendementsrekening", kind="economische-evaluatie",
                            meten=["rendement"], doelgroep=["volwassenen"], thema=["participatie"]))
    rec = tree.recommend(bank, {})
    md = to_markdown(bank, build_plan(bank, rec, PlanAnswers(("mkba-test",), participants=300), today=DAY))
    assert "Wat deze opzet kan laten zien" not in md and "Voormeting" not in md
    assert "| Totaal |  |  |  | n.v.t. |" in md
    assert "Een rendementsberekening zet de uitkomsten en de kosten" in md


def test_one_hour_is_singular_in_english(bank):
    rec = tree.recommend(bank, OUD_EENZAAM)
    plan = build_plan(bank, rec, PlanAnswers(("tevreden",), participants=20), lang="en", today=DAY)
    assert plan.total_hours == 1.0
    md = to_markdown(bank, plan)
    assert "| 1 hour |" in md and "1 hours" not in md


def test_a_return_calculation_is_no_follow_up_and_needs_no_questionnaires(make_bank):
    # walk 2, Q9: an MKBA plan said "Vragenlijsten klaarzetten" and "Nameting en afsluiting: MKBA"
    bank = make_bank(record("mkba-x", name="Kosten-batenanalyse", kind="economische-evaluatie", quality="methode",
                            meten=["rendement"], gegevens=["cijfers"], uitvoering=["uitbesteden"]))
    plan = plan_for(bank, ["mkba-x"], answers={"meten": ["rendement"]}, start=START, end=END)
    md = to_markdown(bank, plan)
    assert "Nameting" not in md and "Vragenlijsten en formulieren klaarzetten" not in md
    assert "Afsluiting, met de uitkomsten en de kosten: Kosten-batenanalyse." in md
    assert "Materiaal en afspraken klaarzetten" in md


def test_the_readers_are_not_run_into_the_list_of_sources(bank):
    plan = plan_for(bank, ["eenzaam-oud"], readers=("team", "gemeente"))
    md = to_markdown(bank, plan)
    part = md[md.index("9. Rapportage"):]
    before = part[: part.index("- Het team:")]
    assert before.rstrip().endswith("**Wie krijgt wat:**")  # a paragraph between the sources and the readers
