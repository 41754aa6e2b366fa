"""The advice document: what it says (Markdown), that the PDF carries the same, and edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

import tree
from tree.advice import Advice, build_advice
from tree.advice_render import to_docx, to_markdown, to_pdf
from tree.i18n import strings, t
from tree.safe_text import md_doc

from .conftest import TESTED_NL, record

DAY = dt.date(2026, 11, 23)
QUESTION = "Worden ouderen in Noord minder eenzaam door ons maatjesproject?"
OUD_EENZAAM = {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"]}


@pytest.fixture
def bank(make_bank) -> tree.Databank:
    """Five instruments whose ranking and fit are known by construction.

    For ouderen + eenzaamheid the exact matches rank: eenzaam-oud (validated, free),
    tevreden (free), breed-volw (paid), verhalen-methode (name last); jeugdlijst does not fit.
    """
    return make_bank(
        record(
            "eenzaam-oud", name="Eenzaamheidsschaal Oud", name_en="Loneliness Scale Old", abbreviation="ESO",
            summary_en="A test scale.", measures="Ervaren eenzaamheid",
            doelgroep=["ouderen"], thema=["eenzaamheid"], gegevens=["cijfers"],
            items=11, minutes=5, cost="gratis", cost_note="Gratis te downloaden.", **TESTED_NL,
            training_required=False, administered_by="client vult zelf in", url="https://example.org/eso",
            sources=[{"title": "Handleiding ESO", "url": "https://example.org/eso-handleiding"}],
            related=["verhalen-methode"],
        ),
        record(
            "breed-volw", name="Brede Volwassenenlijst", doelgroep=["volwassenen"], thema=["eenzaamheid"],
            cost="betaald", quality="praktijk",
            sources=[{"title": "Bron breed", "url": "https://example.org/breed-bron"}],
        ),
        record(
            "tevreden", name="Tevredenheidspeiling", doelgroep=["ouderen"], meten=["ervaring"], cost="gratis",
        ),
        record(
            "verhalen-methode", name="Verhalenmethode", doelgroep=["iedereen"], thema=["alle-themas"],
            gegevens=["verhalen"], related=["eenzaam-oud"],
        ),
        record("jeugdlijst", name="Jeugdlijst", doelgroep=["jeugd"], thema=["opvoeding"]),
    )


def advise(bank: tree.Databank, answers: dict, **kw) -> tuple[Advice, str]:
    kw.setdefault("today", DAY)
    advice = build_advice(bank, tree.recommend(bank, answers), **kw)
    return advice, to_markdown(bank, advice)


def section(md: str, heading: str) -> str:
    """The Markdown under ``heading`` up to the next heading of the same or a higher level."""
    start = md.index(heading)
    level = len(heading) - len(heading.lstrip("#"))
    nxt = re.search(rf"^#{{1,{level}}} ", md[start + len(heading):], flags=re.M)
    return md[start: start + len(heading) + nxt.start()] if nxt else md[start:]


def pdf_reader(data: bytes):
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader extracts it (the font is embedded: the bytes hold glyph ids)."""
    return "\n".join(page.extract_text() for page in pdf_reader(data).pages)


def pdf_pages(data: bytes) -> int:
    return len(pdf_reader(data).pages)


def pdf_links(data: bytes) -> set[str]:
    return {
        annot.get_object()["/A"]["/URI"]
        for page in pdf_reader(data).pages
        for annot in page.get("/Annots") or []
        if "/A" in annot.get_object()
    }


# --- build_advice ------------------------------------------------------------------------------


def test_default_takes_top_three_exact_matches_in_rank_order(bank):
    advice, _ = advise(bank, OUD_EENZAAM)
    assert [m.instrument.id for m in advice.instruments] == ["eenzaam-oud", "tevreden", "breed-volw"]
    assert all(m.exact for m in advice.instruments)
    assert advice.picked is False
    assert advice.created == DAY
    assert advice.databank_version == bank.version
    assert advice.answers["doelgroep"] == ["ouderen"]
    assert advice.answers["gegevens"] == []


def test_chosen_keeps_user_order_skips_unknown_duplicate_and_withdrawn(make_bank):
    bank = make_bank(record("a"), record("b"), record("weg", status="ingetrokken"))
    rec = tree.recommend(bank, {"doelgroep": ["volwassenen"]})
    advice = build_advice(bank, rec, chosen=["b", "bestaat-niet", "weg", "a", "b"], today=DAY)
    assert [m.instrument.id for m in advice.instruments] == ["b", "a"]
    assert advice.picked is True


def test_chosen_instrument_that_does_not_fit_says_what_it_misses(bank):
    advice, md = advise(bank, OUD_EENZAAM, chosen=["jeugdlijst"])
    assert advice.instruments[0].misses == ("doelgroep", "thema")
    why = section(md, "### 1. Jeugdlijst")
    assert "Past niet bij uw keuze bij Doelgroep: Ouderen" in why
    assert "Past niet bij uw keuze bij Inhoudelijk thema: Eenzaamheid" in why
    assert t("nl", "advice.picked_note") in md


def test_two_bundles_are_taken_when_data_type_is_both(bank):
    answers = {**OUD_EENZAAM, "gegevens": ["beide"]}
    assert len(tree.recommend(bank, answers).bundles) == 2  # one stories method, used at most twice
    advice, md = advise(bank, answers)
    # the best pair is the headline: instruments 1 and 2 of the advice, named in a sentence
    assert [m.instrument.id for m in advice.instruments[:2]] == ["eenzaam-oud", "verhalen-methode"]
    assert advice.headline is not None
    assert "Ons advies voor tellen én vertellen: Eenzaamheidsschaal Oud (ESO) voor de cijfers" in md
    assert md.index("### 1. Eenzaamheidsschaal Oud (ESO)") < md.index("### 2. Verhalenmethode")
    # the pair fits all answers together: the document says so, as the screen does (walk 2, Q1)
    assert "Geen instrument past bij al uw keuzes" not in md
    assert "**Waarom het past:**" in section(md, "### 1. Eenzaamheidsschaal Oud (ESO)")
    assert "Wat past en wat niet" not in section(md, "### 1. Eenzaamheidsschaal Oud (ESO)")
    # the other pair follows as a combination
    assert [tuple(p.instrument.id for p in b.parts) for b in advice.bundles] == [("tevreden", "verhalen-methode")]
    part = section(md, "## Tellen én vertellen")
    assert "**Cijfers:** Tevredenheid" in part and "**Verhalen:** Verhalenmethode" in part


def test_no_bundles_section_without_bundles(bank):
    advice, md = advise(bank, OUD_EENZAAM)
    assert advice.bundles == []
    assert "## Tellen én vertellen" not in md


# --- Markdown content --------------------------------------------------------------------------


def test_markdown_has_header_question_and_answers(bank):
    link = "https://beslisboom.example/?doelgroep=ouderen&thema=eenzaamheid"
    _, md = advise(bank, OUD_EENZAAM, question=QUESTION, link=link)
    assert md.startswith("# Advies meetinstrument\n")
    assert "2026-11-23" in md
    assert bank.version in md
    assert f"<{link}>" in md
    assert f"> {QUESTION}" in md
    assert t("nl", "advice.question_none") not in md
    answers = section(md, "## Uw keuzes")
    assert "- **Doelgroep:** Ouderen\n" in answers
    assert "- **Inhoudelijk thema:** Eenzaamheid\n" in answers
    assert "- **Type gegevens:** geen voorkeur\n" in answers
    assert "- **Wat wilt u meten:** geen voorkeur\n" in answers


def test_markdown_instrument_facts(bank):
    _, md = advise(bank, OUD_EENZAAM)
    eso = section(md, "### 1. Eenzaamheidsschaal Oud (ESO)")
    assert "**Wat het meet:** Ervaren eenzaamheid" in eso
    assert "**Voor wie:** Ouderen" in eso
    assert "**Aantal vragen of onderdelen:** 11" in eso
    assert "**Afnametijd:** 5 minuten" in eso
    assert "**Wie neemt het af:** client vult zelf in" in eso
    assert "**Kosten:** gratis — Gratis te downloaden." in eso
    assert "**Training nodig:** nee" in eso
    assert "**Kwaliteit:** Getoetst in Nederland — Test e.a. (2020): betrouwbaarheid" in eso
    assert "**Waar te krijgen:** <https://example.org/eso>" in eso
    assert "[Handleiding ESO](https://example.org/eso-handleiding)" in eso
    assert "**Laatst gecontroleerd:** 2026-11-23" in eso
    breed = section(md, "### 3. Brede Volwassenenlijst")
    assert "**Aantal vragen of onderdelen:** onbekend" in breed
    assert "**Afnametijd:** onbekend" in breed
    assert "**Kosten:** betaald" in breed
    assert "**Kwaliteit:** Praktijkinstrument, niet getoetst" in breed
    assert "**Training nodig:** onbekend" in breed
    assert "**Waar te krijgen:** onbekend, zie de bronnen" in breed
    assert "https://example.org/breed-bron" in breed


def test_markdown_why_lines_direct_and_via(bank):
    _, md = advise(bank, OUD_EENZAAM)
    eso = section(md, "### 1. Eenzaamheidsschaal Oud (ESO)")
    assert "  - Doelgroep: Ouderen\n" in eso
    assert "  - Inhoudelijk thema: Eenzaamheid\n" in eso
    assert "via" not in eso
    breed = section(md, "### 3. Brede Volwassenenlijst")
    assert "  - Doelgroep: Ouderen — via Volwassenen\n" in breed
    assert "  - Inhoudelijk thema: Eenzaamheid\n" in breed


def test_no_preferences_at_all(bank):
    advice, md = advise(bank, {})
    assert len(advice.instruments) == 3
    assert md.count("- **") > 0
    assert t("nl", "advice.fit_nothing") in md
    assert t("nl", "advice.just_fit_none") in md
    assert section(md, "## Uw keuzes").count("geen voorkeur") == 5


@pytest.mark.parametrize("question", ["", "   \n  "])
def test_empty_question_asks_for_vraagverheldering(bank, question):
    advice, md = advise(bank, OUD_EENZAAM, question=question)
    assert advice.question == ""
    assert t("nl", "advice.question_none") in section(md, "## Uw onderzoeksvraag")
    assert "vraagverheldering" in md
    assert "\n> " not in md


def test_markdown_escapes_formatting_in_names(make_bank):
    bank = make_bank(record("x", name="Schaal_met *sterren* [v2]"))
    _, md = advise(bank, {})
    assert "### 1. Schaal\\_met \\*sterren\\* \\[v2\\]" in md


def test_english_uses_english_labels_and_names(bank):
    _, md = advise(bank, OUD_EENZAAM, lang="en", question="Are older people less lonely?")
    assert md.startswith(f"# {t('en', 'advice.title')}\n")
    assert f"## {t('en', 'advice.question_heading')}" in md
    assert "- **Target group:** Older people\n" in md
    assert "- **Type of data:** no preference\n" in md
    assert "### 1. Loneliness Scale Old (ESO)" in md
    assert "A test scale." in md
    assert "  - Target group: Older people — via Adults\n" in md
    assert "**Time to complete:** 5 minutes" in md
    assert "**Quality:** Tested in the Netherlands — Test e.a. (2020): reliability" in md
    for dutch in ("Doelgroep", "Ouderen", "geen voorkeur", "Verantwoording", "onbekend", "minuten"):
        assert dutch not in md


def test_every_advice_string_exists_in_both_languages():
    nl = {k for k in strings("nl") if k.startswith("advice.")}
    en = {k for k in strings("en") if k.startswith("advice.")}
    assert nl == en
    assert len(nl) > 30  # the section is read, not empty (its labels now come from describe.*)


# --- nothing fits --------------------------------------------------------------------------------


@pytest.fixture
def no_exact_bank(make_bank) -> tree.Databank:
    """Jeugd + eenzaamheid fits nothing; dropping doelgroep gives two, dropping thema one."""
    return make_bank(
        record("jeugd-opvoeding", doelgroep=["jeugd"], thema=["opvoeding"]),
        record("volw-a", doelgroep=["volwassenen"], thema=["eenzaamheid"]),
        record("volw-b", doelgroep=["volwassenen"], thema=["eenzaamheid"]),
    )


def test_near_matches_when_nothing_fits_exactly(no_exact_bank):
    answers = {"doelgroep": ["jeugd"], "thema": ["eenzaamheid"]}
    advice, md = advise(no_exact_bank, answers)
    assert {m.instrument.id for m in advice.instruments} == {"jeugd-opvoeding", "volw-a", "volw-b"}
    assert t("nl", "advice.near_note") in md
    assert 'Tip: laat uw antwoord bij "Doelgroep" los, dan passen er 2 instrumenten.' in md
    assert "Past niet bij uw keuze bij Doelgroep: Kinderen en jeugd" in md
    assert t("nl", "advice.just_near") in md
    assert t("nl", "advice.just_fit", answers="Kinderen en jeugd, Eenzaamheid") not in md


def test_no_instruments_at_all_says_nothing_fits_and_suggests_relaxation(no_exact_bank):
    rec = tree.recommend(no_exact_bank, {"doelgroep": ["jeugd"], "thema": ["eenzaamheid"]})
    rec = dataclasses.replace(rec, near=[])  # e.g. a caller that asked for no near matches
    advice = build_advice(no_exact_bank, rec, today=DAY)
    md = to_markdown(no_exact_bank, advice)
    assert advice.instruments == []
    assert t("nl", "advice.nothing_fits") in md
    assert 'Tip: laat uw antwoord bij "Doelgroep" los, dan passen er 2 instrumenten.' in md
    assert "### 1." not in md
    assert to_pdf(no_exact_bank, advice).startswith(b"%PDF")


def test_empty_databank(make_bank):
    bank = make_bank()
    advice, md = advise(bank, OUD_EENZAAM)
    assert advice.instruments == []
    assert advice.relaxation is None
    assert t("nl", "advice.nothing_fits") in md
    assert t("nl", "advice.relax_none") in md


def test_relaxation_to_one_instrument_uses_singular(make_bank):
    bank = make_bank(record("a", doelgroep=["jeugd"], thema=["opvoeding"]))
    _, md = advise(bank, {"doelgroep": ["jeugd"], "thema": ["eenzaamheid"]})
    assert 'los, dan past er 1 instrument.' in md


# --- Verantwoording ------------------------------------------------------------------------------


def test_justification_names_answers_purpose_and_ranking(bank):
    _, md = advise(bank, OUD_EENZAAM)
    just = section(md, "## Verantwoording")
    assert t("nl", "advice.just_fit", answers="Ouderen, Eenzaamheid") in just
    assert t("nl", "advice.just_purpose") in just
    assert "leren en verantwoorden" in just and "gemeente" in just
    assert t("nl", "advice.just_ranking") in just
    assert "gevalideerd" in just and "gratis" in just
    assert t("nl", "advice.just_ervaring") not in md


def test_justification_warns_that_satisfaction_is_not_an_effect(bank):
    _, md = advise(bank, {**OUD_EENZAAM, "meten": ["ervaring"]})
    just = section(md, "## Verantwoording")
    assert t("nl", "advice.just_ervaring") in just
    assert "geen effect" in just


@pytest.mark.parametrize("data", [[], ["beide"]])
def test_justification_tellen_en_vertellen_when_data_allows(bank, data):
    _, md = advise(bank, {**OUD_EENZAAM, "gegevens": data})
    assert t("nl", "advice.just_tellen") in section(md, "## Verantwoording")


def test_justification_suggests_stories_when_only_numbers_chosen(bank):
    _, md = advise(bank, {**OUD_EENZAAM, "gegevens": ["cijfers"]})
    just = section(md, "## Verantwoording")
    assert t("nl", "advice.just_tellen") not in just
    assert t("nl", "advice.just_tellen_single", chosen="cijfers", other="verhalen") in just


def test_footer_credits_the_original_beslisboom(bank):
    _, md = advise(bank, OUD_EENZAAM)
    assert md.rstrip().endswith(f"*{t('nl', 'advice.footer')}*")
    assert "Movisie" in md and "2015" in md


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_is_a_pdf(bank):
    advice, _ = advise(bank, OUD_EENZAAM, question=QUESTION)
    data = to_pdf(bank, advice)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


def test_pdf_text_links_and_page_numbers(bank):
    link = "https://beslisboom.example/?doelgroep=ouderen"
    question = "Eén jaar minder eenzaam – “echt” … ≥ 3 keer in Łódź, € 5?"
    advice, _ = advise(bank, OUD_EENZAAM, question=question, link=link)
    raw = to_pdf(bank, advice)
    text = pdf_text(raw)
    pages = pdf_pages(raw)
    for part in ("Advies meetinstrument", "Eenzaamheidsschaal Oud", "Brede Volwassenenlijst",
                 "2026-11-23", bank.version, "Uw onderzoeksvraag", question,
                 "Doelgroep: Ouderen — via Volwassenen", f"Pagina {pages} van {pages}"):
        assert part in text, part
    assert "?" not in text.replace(question, "").replace(link, "")  # no character was replaced by a "?"
    assert {link, "https://example.org/eso", "https://example.org/eso-handleiding",
            "https://example.org/breed-bron"} <= pdf_links(raw)


def test_pdf_many_instruments_span_pages_with_numbers(bank):
    shipped = tree.load_databank()
    advice, _ = advise(shipped, {}, chosen=sorted(shipped.instruments)[:8])
    raw = to_pdf(shipped, advice)
    pages = pdf_pages(raw)
    assert pages > 2
    for n, page in enumerate(pdf_reader(raw).pages, start=1):
        assert f"Pagina {n} van {pages}" in page.extract_text()


def test_pdf_english(bank):
    advice, _ = advise(bank, OUD_EENZAAM, lang="en")
    raw = to_pdf(bank, advice)
    text = pdf_text(raw)
    assert "Measurement instrument advice" in text
    assert "Target group: Older people — via Adults" in text
    assert f"Page 1 of {pdf_pages(raw)}" in text
    assert "Pagina" not in text


def test_word_document_has_the_advice_as_headings_and_lists(bank):
    import io

    from docx import Document

    advice, _ = advise(bank, OUD_EENZAAM, question="Minder eenzaam – ≥ 3 keer?")
    doc = Document(io.BytesIO(to_docx(bank, advice)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["Advies meetinstrument", "Uw onderzoeksvraag"]
    assert "1. Eenzaamheidsschaal Oud (ESO)" in headings
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Minder eenzaam – ≥ 3 keer?" in body
    assert doc.core_properties.title == "Advies meetinstrument"


def test_shipped_databank_renders_in_both_languages():
    bank = tree.load_databank()
    answers = {**OUD_EENZAAM, "gegevens": ["beide"]}
    for lang in ("nl", "en"):
        rec = tree.recommend(bank, answers)
        advice = build_advice(bank, rec, lang=lang, today=DAY)
        assert advice.instruments and advice.bundles
        md = to_markdown(bank, advice)
        for m in advice.instruments:
            name = m.instrument.name_en if lang == "en" and m.instrument.name_en else m.instrument.name
            assert md_doc(name) in md
        assert to_pdf(bank, advice).startswith(b"%PDF")


# --- issue 14: the advice is plain text wherever data or a link put text in it ------------------


def test_hostile_texts_never_become_links_images_or_html(make_bank):
    bank = make_bank(
        record(
            "boos",
            name="<script>alert(1)</script> [klik](https://e.vil)",
            summary="![pixel](https://e.vil/t.png) www.e.vil https://e.vil/x",
            doelgroep=["ouderen"],
            thema=["eenzaamheid"],
            url="https://example.org/pad(met)haakjes",
        )
    )
    _, md = advise(bank, OUD_EENZAAM, question="Zie [hier](https://e.vil) <img src=x>")
    unescaped = re.compile(r"(?<!\\)(?:<script|<img|\]\(https://e\.vil|!\[|https://e\.vil/x|www\.e\.vil)")
    assert not unescaped.findall(md), unescaped.findall(md)  # no HTML, links, images or autolinks
    assert "https://example.org/pad%28met%29haakjes" in md  # the record's own link still works


def test_a_huge_question_is_cut_and_the_pdf_stays_small(bank):
    huge = "Waarom https://e.vil " * 5000  # ~100 kB, as in the security review
    advice, _ = advise(bank, OUD_EENZAAM, question=huge)
    assert len(advice.question) <= 500
    pdf = to_pdf(bank, advice)
    assert len(pdf) < 200_000, len(pdf)


def test_a_method_in_the_advice_has_no_minutes_rather_than_unknown_ones():
    # the document uses the card's wording: "n.v.t." for a return calculation, as on screen
    bank = tree.load_databank()
    rec = tree.recommend(bank, {"meten": ["rendement"], "uitvoering": ["uitbesteden"]})
    advice = build_advice(bank, rec, chosen=["mkba"])
    md = to_markdown(bank, advice)
    assert "**Afnametijd:** n.v.t." in md and "**Aantal vragen of onderdelen:** n.v.t." in md
