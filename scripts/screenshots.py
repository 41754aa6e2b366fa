"""Screenshots of the main screens at desktop and phone width, for a human to look at.

    .venv/bin/python scripts/screenshots.py                 # starts the app on a free port
    .venv/bin/python scripts/screenshots.py --url http://localhost:8501

Writes ``<screen>-<width>.png`` (start, question, results, compare at 1280 and 375 px) into
``artifacts/screenshots/``, plus a workshop: the presenter on a 1920×1080 projector (exactly one
screenful, as the room sees it) with a room open and a phone (390 px) that voted, and the phone
at the advice. ``--desk`` shoots the curator workspace instead (``desk-*.png`` at 1400 px): it starts
its own app with a throwaway curator account on a copy of the databank, signs in, and shoots the
overview, the record list (plain, filtered, keyboard-chosen row), an open record and its English
labels. Streamlit scrolls inside an inner container, so a full-page shot
would only show one screenful; the viewport is made tall instead (``--height``).
Uses Debian's chromium (Playwright cannot download its own browser here).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tree  # noqa: E402
from tools.appserver import CHROMIUM_ARGS, running_app  # noqa: E402  (one way to start the app)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ANSWERS = "doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf"
#: (file name, path and query, heading that shows the screen is drawn)
SCREENS = [
    ("start", "/", "Welk meetinstrument past bij uw werk?"),
    ("question", "/?doelgroep=ouderen&stap=2", "Inhoudelijk thema"),
    ("results", f"/?{ANSWERS}", "Uw advies"),
    ("results-beide", "/?doelgroep=ouderen&thema=eenzaamheid&gegevens=beide", "Uw advies"),
    ("results-en", f"/?{ANSWERS}&lang=en", "Your advice"),
    ("detail", "/instrument?id=djg-11", "De Jong Gierveld Eenzaamheidsschaal (11 items)"),
    ("compare", f"/vergelijken?{ANSWERS}&vergelijk=djg-11,djg-6", "Instrumenten vergelijken"),
    ("meetplan-question", "/meetplan?doelgroep=ouderen&thema=eenzaamheid&gegevens=beide",
     "Welke instrumenten neemt u mee?"),
    ("meetplan", "/meetplan?doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=beide&uitvoering=mix"
     "&plan=ucla-loneliness,storytelling&aantal=40&van=2027-03-01&tot=2027-09-01&doel=beide&lezers=team,gemeente",
     "Uw meetplan"),
    ("meetplan-en", "/meetplan?doelgroep=ouderen&thema=eenzaamheid&gegevens=beide&lang=en"
     "&plan=ucla-loneliness,storytelling&aantal=40", "Your measurement plan"),
]
WIDTHS = (1280, 375)

_SETTLED = """(heading) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  return [...document.querySelectorAll("[data-testid='stMain'] :is(h1, h2)")]
    .some(h => h.textContent.trim() === heading);
}"""


def shoot(base: str, out: Path, height: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("chromium is not installed: run scripts/ensure-chromium")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            for name, path, heading in SCREENS:
                context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
                page = context.new_page()
                page.goto(base.rstrip("/") + path)
                page.wait_for_function(_SETTLED, arg=heading, polling=100, timeout=30_000)
                page.wait_for_timeout(500)  # let images, icons and the progress bar finish drawing
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target))
                written.append(target)
                context.close()
        written += shoot_workshop(browser, base, out)
        browser.close()
    return written


def shoot_workshop(browser: Browser, base: str, out: Path) -> list[Path]:
    """A facilitator opens a room, one phone joins and votes; both are shot at their real size."""
    base = base.rstrip("/")
    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="nl-NL")
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", has_touch=True)
    presenter, phone = projector.new_page(), phone_context.new_page()
    written = []

    def settle(page: Page, heading: str) -> None:
        page.wait_for_function(_SETTLED, arg=heading, polling=100, timeout=30_000)
        page.wait_for_timeout(700)

    def shot(page: Page, name: str) -> None:
        target = out / f"{name}.png"
        page.screenshot(path=str(target))
        written.append(target)

    presenter.goto(f"{base}/presenter")
    settle(presenter, "Beslisboom effectmeting — workshop")
    presenter.get_by_role("button", name="Open een kamer").click()
    presenter.locator(".room-code").wait_for()
    settle(presenter, "Beslisboom effectmeting — workshop")
    code = presenter.locator(".room-code").inner_text().strip()
    shot(presenter, "presenter-room-1920")
    phone.goto(f"{base}/kamer?code={code}")
    settle(phone, "Doe mee met de workshop")
    phone.get_by_role("button", name="Doe mee").click()
    phone.get_by_text("Even wachten").wait_for()
    presenter.get_by_role("button", name="Volgende →").click()
    settle(presenter, "Doelgroep")
    phone.get_by_role("button", name="Ouderen", exact=True).click()
    phone.get_by_role("button", name="✓ Ouderen").wait_for()
    presenter.get_by_text("De zaal — gestemd: 1 van 1").wait_for(timeout=10_000)
    presenter.wait_for_timeout(4000)  # the live chart redraws every 2 s
    shot(presenter, "presenter-question-1920")
    shot(phone, "phone-question-390")
    presenter.get_by_role("button", name="Volg de zaal (meeste stemmen)").click()
    n = tree.count_fitting(tree.load_databank(), {"doelgroep": ["ouderen"]})
    presenter.get_by_text(f"Nog {n} instrumenten passen").wait_for()
    for heading in ("Inhoudelijk thema", "Wat wilt u meten?", "Type gegevens", "Zelf doen, uitbesteden of een mix?"):
        presenter.get_by_role("button", name="Volgende →").click()
        settle(presenter, heading)
    presenter.get_by_role("button", name="Volgende →").click()
    settle(presenter, "Advies")
    shot(presenter, "presenter-advice-1920")
    phone.get_by_role("heading", name="Advies").wait_for(timeout=10_000)
    phone.wait_for_timeout(700)
    shot(phone, "phone-advice-390")
    projector.close()
    phone_context.close()
    return written


DESK_WIDTH = 1400


def shoot_desk(base: str, out: Path, height: int) -> list[Path]:
    """A curator signs in and works through the desk; each step is shot at 1400 px."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("chromium is not installed: run scripts/ensure-chromium")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    title = "Werkplaats voor curatoren"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": DESK_WIDTH, "height": height}, locale="nl-NL")
        page = context.new_page()

        def settle(heading: str = title) -> None:
            page.wait_for_timeout(400)  # let a rerun begin before asking whether it has ended
            page.wait_for_function(_SETTLED, arg=heading, polling=100, timeout=30_000)
            page.wait_for_timeout(700)

        def shot(name: str) -> None:
            target = out / f"desk-{name}-{DESK_WIDTH}.png"
            page.screenshot(path=str(target))
            written.append(target)

        page.goto(base.rstrip("/") + "/curator")
        settle()
        shot("sign-in")
        page.get_by_label("Naam").fill("anna")
        page.get_by_label("Wachtwoord").fill("geheim")
        page.get_by_role("button", name="Inloggen").click()
        page.get_by_text("Ingelogd als anna").wait_for()
        settle()
        shot("overview")
        top = "e => e.scrollIntoView({block: 'start'})"
        page.get_by_role("heading", name="Ontbrekende aanbevolen gegevens").evaluate(top)
        page.wait_for_timeout(500)
        shot("overview-missing")
        page.get_by_role("tab", name="Instrumenten").click()
        settle()
        shot("list")
        page.get_by_text("Alleen met ontbrekende gegevens", exact=True).click()
        settle()
        page.get_by_test_id("stSelectbox").filter(has_text="Sorteren op").click()
        page.get_by_role("option", name="Meeste ontbrekende gegevens eerst").click()
        settle()
        # choose a row with the keyboard: into the grid, down one row, Shift+Space
        page.get_by_test_id("data-grid-canvas").focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Shift+Space")
        page.get_by_text("Gekozen:").wait_for()
        settle()
        shot("list-filtered")
        page.get_by_role("button", name="Openen").click()
        page.get_by_role("button", name="Opslaan", exact=True).wait_for()
        settle()
        page.get_by_text(re.compile(r"^Id: ")).evaluate(top)
        page.wait_for_timeout(500)
        shot("editor")
        page.get_by_text("Bronnen (verplicht)", exact=True).evaluate(top)
        page.wait_for_timeout(500)
        shot("editor-sources")
        page.get_by_text("English", exact=True).click()
        settle("Curator workspace")
        page.get_by_role("tab", name="Instruments").click()
        page.get_by_text(re.compile(r"^Id: ")).evaluate(top)
        page.wait_for_timeout(500)
        shot("editor-en")
        context.close()
        browser.close()
    return written


@contextlib.contextmanager
def desk_app():
    """The app with a throwaway curator account (anna / geheim) on a copy of the databank."""
    from tree.curate.auth import hash_password

    with tempfile.TemporaryDirectory() as folder:
        bank = Path(folder) / "instruments"
        shutil.copytree(tree.databank.DEFAULT_PATH, bank)
        env = {
            "BESLISBOOM_DATABANK": str(bank),
            "BESLISBOOM_CURATORS": "anna:" + hash_password("geheim", iterations=1000),
            "BESLISBOOM_ROOMS_DB": str(Path(folder) / "rooms.sqlite3"),
        }
        with running_app(env=env) as (base, _pid):
            yield base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app; without it the app is started on a free port")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "screenshots")
    parser.add_argument("--height", type=int, default=2400, help="viewport height in px (default 2400)")
    parser.add_argument("--desk", action="store_true", help="only the curator desk (its own app; --url is ignored)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        if args.desk:
            paths = shoot_desk(stack.enter_context(desk_app()), args.out, args.height)
        else:
            paths = shoot(args.url or stack.enter_context(running_app())[0], args.out, args.height)
        for path in paths:
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
