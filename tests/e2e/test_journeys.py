"""The team leader's journeys in a real browser, asserted as the user sees them."""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import REPORT, App

pytestmark = pytest.mark.e2e

SHARED = "?doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf"
DJG = "De Jong Gierveld Eenzaamheidsschaal (11 items)"  # instruments/djg-11.yaml: name, no abbreviation
NEXT = "Volgende →"


def tab_to(app: App, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies the JS ``predicate(el)``; fail otherwise."""
    for _ in range(limit):
        app.page.keyboard.press("Tab")
        if app.page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({predicate})(el); }})()"):
            return
    pytest.fail(f"Tab never reached an element matching {predicate}")


def checkbox_labelled(text: str) -> str:
    return (
        "el => el.matches('input[type=checkbox]') && "
        f"el.closest('[data-testid=stCheckbox]')?.innerText.trim().startsWith({text!r})"
    )


def button_labelled(text: str) -> str:
    return f"el => el.tagName === 'BUTTON' && el.innerText.trim() === {text!r}"


def test_walk_to_advice_with_keyboard_for_the_first_question(app: App) -> None:
    page = app.page
    app.open("", heading="Welk meetinstrument past bij uw werk?")
    page.get_by_label("Uw onderzoeksvraag (mag ook later)").fill(
        "Voelen de ouderen in onze koffieochtenden zich na een half jaar minder eenzaam?"
    )
    times = [("start→doelgroep", app.act(lambda: page.get_by_role("button", name="Begin met de vragen").click(),
                                         heading="Doelgroep"))]
    expect(app.main()).to_contain_text("Vraag 1 van 5")

    # Question 1 by keyboard only: Tab to "Ouderen", Space ticks it, Tab to "Volgende →", Enter.
    tab_to(app, checkbox_labelled("Ouderen"))
    app.act(lambda: page.keyboard.press("Space"))
    expect(app.option("Ouderen").locator("input")).to_be_checked()
    tab_to(app, button_labelled(NEXT))
    times.append(("doelgroep→thema (keyboard)", app.act(lambda: page.keyboard.press("Enter"),
                                                        heading="Inhoudelijk thema")))

    # The rest with the mouse, clicking the visible label text as a user does.
    walk = [
        ("Eenzaamheid", NEXT, "Wat wilt u meten?"),
        ("Effect bij de cliënt of deelnemer", NEXT, "Type gegevens"),
        ("Cijfers", NEXT, "Zelf doen, uitbesteden of een mix?"),
    ]
    for option, button, heading in walk:
        app.act(lambda option=option: app.option(option).click())
        expect(app.option(option).locator("input")).to_be_checked()
        elapsed = app.act(lambda button=button: page.get_by_role("button", name=button).click(), heading=heading)
        times.append((f"→{heading}", elapsed))
    times.append(("→Uw advies", app.act(lambda: page.get_by_role("button", name="Toon advies →").click(),
                                        heading="Uw advies")))
    REPORT["step_seconds"].extend(times)

    card = app.main().locator("[data-testid='stVerticalBlock']").filter(
        has=page.get_by_role("heading", name=DJG, exact=True)
    ).last
    expect(card).to_be_visible()
    expect(card.get_by_text("✓ Doelgroep: Ouderen").first).to_be_visible()
    expect(card.get_by_text("✓ Inhoudelijk thema: Eenzaamheid").first).to_be_visible()
    expect(app.main()).to_contain_text("minder eenzaam?")  # the research question heads the advice

    expect(page).to_have_url(re.compile(r"doelgroep=ouderen"))
    query = parse_qs(urlparse(page.url).query)
    assert query["doelgroep"] == ["ouderen"]
    assert query["thema"] == ["eenzaamheid"]
    assert query["meten"] == ["effect-client"]
    assert query["gegevens"] == ["cijfers"]


def test_back_keeps_the_answer(app: App) -> None:
    page = app.page
    app.open("?stap=1", heading="Doelgroep")
    app.act(lambda: app.option("Ouderen").click())
    app.act(lambda: page.get_by_role("button", name=NEXT).click(), heading="Inhoudelijk thema")
    expect(app.option("Ouderen")).to_have_count(0)
    app.act(lambda: page.get_by_role("button", name="← Vorige").click(), heading="Doelgroep")
    expect(app.option("Ouderen").locator("input")).to_be_checked()
    expect(app.option("Jongeren").locator("input")).not_to_be_checked()


def test_shared_link_opens_the_advice(app: App) -> None:
    app.open(SHARED, heading="Uw advies")
    answers = app.main().locator("[data-testid='stVerticalBlock']").filter(has_text="Uw antwoorden").last
    for line in (
        "Doelgroep: Ouderen",
        "Inhoudelijk thema: Eenzaamheid",
        "Wat wilt u meten: Effect bij de cliënt of deelnemer",
        "Type gegevens: Cijfers",
        "Zelf doen, uitbesteden of een mix: Zelf doen",
    ):
        expect(answers).to_contain_text(line)
    expect(app.page.get_by_role("heading", name=DJG, exact=True)).to_be_visible()


def test_shared_link_with_unknown_option_shows_a_notice(app: App) -> None:
    app.open("?doelgroep=ouderen,marsmannetjes", heading="Uw advies")
    expect(app.main().get_by_text("'doelgroep=marsmannetjes'")).to_be_visible()
    expect(app.main()).to_contain_text("Doelgroep: Ouderen")
    expect(app.main().get_by_role("heading", level=3).first).to_be_visible()  # instrument cards


def _pdf_text(data: bytes) -> str:
    """The PDF's text as a reader extracts it (the font is embedded, so the bytes hold glyph ids)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_download_contains_the_answers(app: App, tmp_path) -> None:
    app.open(SHARED, heading="Uw advies")
    with app.page.expect_download() as info:
        app.page.get_by_role("button", name="Download advies (PDF)").click()
    download = info.value
    assert download.suggested_filename == "advies-meetinstrument.pdf"
    path = tmp_path / "advies.pdf"
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    for expected in ("Ouderen", "Eenzaamheid", "Cijfers", "De Jong Gierveld"):
        assert expected in text, f"{expected!r} not in the PDF"


def test_compare_two_instruments(app: App) -> None:
    page = app.page
    app.open(SHARED, heading="Uw advies")
    names = app.main().get_by_role("heading", level=3)
    ticks = app.main().get_by_text("Vergelijk", exact=True)
    expect(ticks.nth(1)).to_be_visible()
    first, second = names.nth(0).inner_text().strip(), names.nth(1).inner_text().strip()
    app.act(lambda: ticks.nth(0).click())
    # each tick is its own rerun: wait for the first to show before the second (on a busy CI
    # machine a second click on a half-drawn page could land before the first was counted)
    expect(app.main()).to_contain_text("1 van maximaal 4 gekozen om te vergelijken.", timeout=20_000)
    app.act(lambda: ticks.nth(1).click())
    expect(app.main()).to_contain_text("2 van maximaal 4 gekozen om te vergelijken.", timeout=20_000)
    app.act(lambda: page.get_by_role("button", name="Vergelijk naast elkaar →").click(),
            heading="Instrumenten vergelijken")
    table = app.main().get_by_role("table")
    expect(table).to_be_visible()
    expect(table).to_contain_text(first)
    expect(table).to_contain_text(second)
    assert first != second


def test_switch_to_english(app: App) -> None:
    app.open(SHARED, heading="Uw advies")
    # the switch sits in the page itself, so it is there on a phone too
    app.act(lambda: app.main().get_by_text("English", exact=True).click(), heading="Your advice")
    expect(app.main()).to_contain_text("Target group: Older people")


def test_meetplan_journey_downloads_word_and_pdf(app: App, tmp_path) -> None:
    """From the advice to a meetplan: answer two questions, skip the rest, take the plan away."""
    page = app.page
    app.open(SHARED + "&vraag=Worden+ouderen+minder+eenzaam%3F", heading="Uw advies")
    app.act(lambda: page.get_by_role("button", name="Maak een meetplan").click(),
            heading="Welke instrumenten neemt u mee?")
    app.act(lambda: page.get_by_role("button", name="Volgende →").click(),
            heading="Met hoeveel deelnemers, en wanneer?")
    field = page.get_by_label("Aantal deelnemers")
    field.fill("40")
    app.act(lambda: field.press("Enter"))
    app.act(lambda: page.get_by_role("button", name="Sla de rest over en toon het plan").click(), heading="Uw meetplan")
    expect(app.main().get_by_text("Hoeveel: 40 deelnemers.")).to_be_visible()
    assert "aantal=40" in page.url  # the plan is in the shareable address

    files = {}
    for label, name in (("Download meetplan (Word)", "meetplan.docx"), ("Download meetplan (PDF)", "meetplan.pdf")):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        assert info.value.suggested_filename == name
        path = tmp_path / name
        info.value.save_as(path)
        files[name] = path.read_bytes()

    from docx import Document

    doc = Document(io.BytesIO(files["meetplan.docx"]))
    word = "\n".join(p.text for p in doc.paragraphs)
    pdf = _pdf_text(files["meetplan.pdf"])
    sections = ("1. Onderzoeksvraag", "2. Wat we meten en waarmee", "3. Opzet — wanneer meten we", "4. Wie doen mee",
                "5. Tijd en kosten", "6. Wie doet wat", "7. Privacy", "8. Analyse en uitkomsten lezen",
                "9. Rapportage en tijdpad")
    for text in (word, pdf):
        for section in sections:
            assert section in text, section
        assert "Worden ouderen minder eenzaam?" in text
        assert "Hoeveel: 40 deelnemers." in text
        beyond = {ch for ch in text if ord(ch) > 255}
        assert "—" in beyond, "characters outside latin-1 must print as written"
    assert doc.tables, "the effort table is a real Word table"
