"""Real-browser fixtures: one `streamlit run` per session and Debian's chromium.

Playwright cannot download its own browser on these machines, so the tests drive the system
``chromium`` (installed by ``scripts/ensure-chromium``). Without it the browser tests are
skipped, unless ``BESLISBOOM_REQUIRE_BROWSER=1`` (as in ``make test``): then they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tools.appserver import CHROMIUM_ARGS, ROOT, ServerError, running_app

ARTIFACTS = ROOT / "artifacts"
DESKTOP = {"width": 1280, "height": 1000}
#: Generous for a cold first run; a warm wizard step renders in well under a second.
TIMEOUT_MS = 20_000
#: How long ``App.act`` waits to see the rerun start before it falls back to "idle".
RERUN_SEEN_MS = 8_000

#: Filled by the tests, printed at the end of the run (see pytest_terminal_summary).
REPORT: dict[str, list] = {"step_seconds": [], "axe_streamlit": [], "rerun_missed": []}


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path:
        return path
    message = "chromium is not installed: run scripts/ensure-chromium (it installs Debian's chromium package)"
    if os.environ.get("BESLISBOOM_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under `streamlit run` on the shipped databank; yields its base URL."""
    chromium_path()  # no browser: skip (or fail) before paying for a server
    folder = tmp_path_factory.mktemp("streamlit")
    env = {"BESLISBOOM_ROOMS_DB": str(folder / "rooms.sqlite3")}  # workshop rooms stay out of the repo
    try:
        with running_app(env=env, log_path=folder / "streamlit.log") as (base, _pid):
            yield base
    except ServerError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="session")
def curator_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A second app with a writable copy of the databank and one curator (anna / geheim);
    yields its base URL and the databank folder."""
    from tree.curate.auth import hash_password
    from tree.databank import DEFAULT_PATH

    chromium_path()
    folder = tmp_path_factory.mktemp("bank") / "instruments"
    shutil.copytree(DEFAULT_PATH, folder)
    env = {
        "BESLISBOOM_DATABANK": str(folder),
        "BESLISBOOM_CURATORS": "anna:" + hash_password("geheim", iterations=1000),
        "BESLISBOOM_ROOMS_DB": str(folder.parent / "rooms.sqlite3"),
    }
    try:
        with running_app(env=env, log_path=folder.parent / "streamlit.log") as (base, _pid):
            yield base, folder
    except ServerError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (its own Streamlit session) at desktop width."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


#: Arms a watcher on the app's script state: ``window.__ran`` turns true once a rerun starts.
_ARM = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  window.__ran = false;
  if (!app.__watch) {
    // Look at every record, not the current value: a fast rerun can go running -> notRunning
    // before the observer's callback runs. 'rerunRequested' counts too: the browser sets it
    // itself when a widget changes, before the server answers, so React cannot batch it away
    // with the run (a missed very fast rerun used to cost the full RERUN_SEEN_MS wait).
    const busy = v => v === 'running' || v === 'rerunRequested';
    app.__watch = new MutationObserver(records => {
      if (records.some(r => busy(r.oldValue) || busy(r.target.getAttribute(r.attributeName)))) {
        window.__ran = true;
      }
    });
    app.__watch.observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  }
}"""

#: True when the app is idle (and, when asked, a rerun happened and ``heading`` is shown).
_SETTLED = """([needRun, heading]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (needRun && !window.__ran) return false;
  if (heading === null) return true;
  return [...document.querySelectorAll("[data-testid='stMain'] :is(h1, h2)")]
    .some(h => h.textContent.trim() === heading && h.closest("[data-stale='true']") === null);
}"""


class App:
    """The app in one browser tab, with Streamlit's e2e waits built in.

    ``act`` runs a user action and waits until the rerun it starts has finished (and the
    expected heading is on screen); it returns the click-to-render time in seconds.
    """

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base

    def open(self, query: str = "", heading: str | None = None) -> None:
        self.page.goto(f"{self.base}/{query}")
        self.page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
        self.page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
        if heading is not None:
            self.page.wait_for_function(_SETTLED, arg=[False, heading], polling="raf")

    def act(self, action, heading: str | None = None) -> float:
        self.page.evaluate(_ARM)
        start = time.perf_counter()
        action()
        try:
            self.page.wait_for_function(_SETTLED, arg=[True, heading], polling="raf", timeout=RERUN_SEEN_MS)
        except PlaywrightTimeoutError:
            REPORT["rerun_missed"].append(self.page.url)
            # React may batch a very fast rerun so that 'running' never reaches the DOM: then
            # settle for "idle (and the heading shown)"; the test's own assertions do the rest.
            self.page.wait_for_function(_SETTLED, arg=[False, heading], polling="raf")
        return time.perf_counter() - start

    def main(self):
        return self.page.get_by_test_id("stMain")

    def sign_in_as_curator(self) -> None:
        """Open the curator workspace and sign in as anna (see ``curator_server``)."""
        self.open("curator", heading="Werkplaats voor curatoren")
        self.page.get_by_label("Naam").fill("anna")
        self.page.get_by_label("Wachtwoord").fill("geheim")
        self.act(lambda: self.page.get_by_role("button", name="Inloggen").click(), heading="Werkplaats voor curatoren")

    def option(self, label: str):
        """The checkbox or radio option for ``label``; its text also shows the live count
        ("Ouderen · 48 instrumenten")."""
        text = re.compile(rf"^{re.escape(label)} · \d+ instrument")
        return self.main().locator("label").filter(has=self.page.get_by_text(text))


@pytest.fixture
def app(page, server) -> App:
    return App(page, server)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    steps = REPORT["step_seconds"]
    axe = REPORT["axe_streamlit"]
    missed = REPORT["rerun_missed"]
    if not steps and not axe and not missed:
        return
    tr = terminalreporter
    tr.section("e2e report")
    tr.write_line(f"actions whose rerun was not seen (each waited {RERUN_SEEN_MS} ms): {len(missed)}")
    if steps:
        ordered = sorted(s for _, s in steps)
        p50 = statistics.median(ordered)
        tr.write_line(
            "wizard step click-to-render: p50 {:.0f} ms, max {:.0f} ms over {} steps ({})".format(
                p50 * 1000, ordered[-1] * 1000, len(ordered),
                ", ".join(f"{name} {s * 1000:.0f}" for name, s in steps),
            )
        )
    if axe:
        tr.write_line(f"axe: {len(axe)} violation(s) inside Streamlit's own chrome (not failed; see artifacts/):")
        for v in axe:
            tr.write_line(f"  [{v['page']}] {v['id']} ({v['impact']}): {', '.join(v['targets'])}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "e2e-timings.json").write_text(json.dumps(steps, indent=2), encoding="utf-8")
