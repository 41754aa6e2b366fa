"""A curator signs in, edits an instrument's summary, saves, and the wizard shows it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tools.appserver import ServerError, running_app
from tree.curate.auth import hash_password
from tree.databank import DEFAULT_PATH

from .conftest import App, chromium_path

pytestmark = pytest.mark.e2e

NEW_SUMMARY = "Deze samenvatting is zojuist door een curator aangepast."
LINK = "?doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf"


@pytest.fixture(scope="module")
def curator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second app with a writable copy of the databank and one curator account."""
    chromium_path()
    folder = tmp_path_factory.mktemp("bank") / "instruments"
    shutil.copytree(DEFAULT_PATH, folder)
    env = {
        "BESLISBOOM_DATABANK": str(folder),
        "BESLISBOOM_CURATORS": "anna:" + hash_password("geheim", iterations=1000),
    }
    try:
        with running_app(env=env, log_path=folder.parent / "streamlit.log") as (base, _pid):
            yield base
    except ServerError as err:
        pytest.fail(str(err))


def test_curator_edit_shows_in_wizard(browser, curator_server) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(20_000)
    curator = App(page, curator_server)
    curator.open("curator", heading="Werkplaats voor curatoren")
    page.get_by_label("Naam").fill("anna")
    page.get_by_label("Wachtwoord").fill("geheim")
    curator.act(lambda: page.get_by_role("button", name="Inloggen").click(), heading="Werkplaats voor curatoren")
    expect(page.get_by_text("Ingelogd als anna")).to_be_visible()

    page.get_by_role("tab", name="Instrumenten").click()
    page.get_by_test_id("stSelectbox").filter(has_text="Kies een instrument").click()
    page.keyboard.type("Eenzaamheidsschaal (11")  # 170+ records: the list is searched, not scrolled
    curator.act(lambda: page.get_by_role("option", name="De Jong Gierveld Eenzaamheidsschaal (11 items)").click())
    curator.act(lambda: page.get_by_role("button", name="Openen").click())
    summary = page.get_by_role("textbox", name="summary *", exact=True)
    expect(summary).to_be_visible()
    summary.fill(NEW_SUMMARY)
    curator.act(lambda: summary.press("Control+Enter"))  # commit the text area like a user tabbing away
    curator.act(lambda: page.get_by_role("button", name="Opslaan", exact=True).click())
    expect(page.get_by_text("Opgeslagen: djg-11")).to_be_visible()

    # a team leader, in another browser session, opens a shared link: the new text is there
    other = browser.new_context(viewport={"width": 1280, "height": 1200})
    wizard = App(other.new_page(), curator_server)
    wizard.open(LINK, heading="Uw advies")
    expect(wizard.main().get_by_text(NEW_SUMMARY)).to_be_visible()
    other.close()
    context.close()
