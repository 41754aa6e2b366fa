"""A curator signs in, finds a record in the list with the keyboard, edits it, and the wizard shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import App

pytestmark = pytest.mark.e2e

NEW_SUMMARY = "Deze samenvatting is zojuist door een curator aangepast."
LINK = "?doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf"
DESK = {"width": 1400, "height": 1400}


def _signed_in_desk(browser, base: str):
    """A browser context of its own at desk width, with anna signed in."""
    context = browser.new_context(viewport=DESK)
    page = context.new_page()
    page.set_default_timeout(20_000)
    curator = App(page, base)
    curator.sign_in_as_curator()
    return context, page, curator


def test_curator_edit_shows_in_wizard(browser, curator_server) -> None:
    base, _bank = curator_server
    context, page, curator = _signed_in_desk(browser, base)
    expect(page.get_by_text("Ingelogd als anna")).to_be_visible()
    # the desk uses the width: at 1400 px the content is far wider than the 736 px reading column
    assert page.get_by_test_id("stMainBlockContainer").bounding_box()["width"] > 1000

    page.get_by_role("tab", name="Instrumenten").click()
    search = page.get_by_role("searchbox", name="Zoeken")
    search.fill("Eenzaamheidsschaal")
    curator.act(lambda: search.press("Enter"))  # 170+ records: the list is searched, not scrolled
    expect(page.get_by_text("3 van ", exact=False)).to_be_visible()
    # keyboard only: Tab from the search box reaches the list; arrows to the first row, Shift+Space
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.dataset?.testid") == "data-grid-canvas":
            break
    else:
        pytest.fail("Tab never reached the record list")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    curator.act(lambda: page.keyboard.press("Shift+Space"))
    expect(page.get_by_text("Gekozen: De Jong Gierveld Eenzaamheidsschaal (11 items) (djg-11)")).to_be_visible()
    curator.act(lambda: page.get_by_role("button", name="Openen").click())
    summary = page.get_by_role("textbox", name="Samenvatting (verplicht)", exact=True)
    expect(summary).to_be_visible()
    summary.fill(NEW_SUMMARY)
    curator.act(lambda: summary.press("Control+Enter"))  # commit the text area like a user tabbing away
    curator.act(lambda: page.get_by_role("button", name="Opslaan", exact=True).click())
    expect(page.get_by_text("Opgeslagen: djg-11")).to_be_visible()

    # a team leader, in another browser session, opens a shared link: the new text is there
    other = browser.new_context(viewport={"width": 1280, "height": 1200})
    wizard = App(other.new_page(), base)
    wizard.open(LINK, heading="Uw advies")
    expect(wizard.main().get_by_text(NEW_SUMMARY)).to_be_visible()
    other.close()
    context.close()


def test_switching_language_keeps_every_choice_in_the_form_and_the_list(browser, curator_server) -> None:
    """The browser holds a choice widget's value as the words it showed: after a switch to
    English those words match no option. The form must keep the record's values, not drop them."""
    base, bank = curator_server
    context, page, curator = _signed_in_desk(browser, base)
    page.get_by_role("tab", name="Instrumenten").click()
    search = page.get_by_role("searchbox", name="Zoeken")
    curator.act(lambda: page.get_by_role("combobox", name="Sorteren op").click())
    curator.act(lambda: page.get_by_role("option", name="Meeste ontbrekende gegevens eerst").click())
    search.fill("djg-6")
    curator.act(lambda: search.press("Enter"))  # one row left: it is the chosen one
    curator.act(lambda: page.get_by_role("button", name="Openen").click())
    expect(page.get_by_role("textbox", name="Samenvatting (verplicht)", exact=True)).to_be_visible()
    before = (bank / "djg-6.yaml").read_text(encoding="utf-8")

    curator.act(lambda: page.get_by_text("English", exact=True).click(), heading="Curator workspace")
    page.get_by_role("tab", name="Instruments").click()
    groups = page.get_by_test_id("stMultiSelect").filter(has_text="Target groups (required)")
    expect(groups.get_by_text("Older people", exact=True)).to_be_visible()  # English words, same choice
    expect(page.get_by_role("combobox", name="Kind (required)")).to_have_value("scale")
    expect(page.get_by_role("combobox", name="Sort by")).to_have_value("Most missing facts first")  # the list too
    curator.act(lambda: page.get_by_role("button", name="Save", exact=True).click())
    expect(page.get_by_text("Saved: djg-6")).to_be_visible()
    assert (bank / "djg-6.yaml").read_text(encoding="utf-8") == before
    context.close()
