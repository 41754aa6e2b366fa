"""Screenshots of the main screens at desktop and phone width, for a human to look at.

    .venv/bin/python scripts/screenshots.py                 # starts the app on a free port
    .venv/bin/python scripts/screenshots.py --url http://localhost:8501

Writes ``<screen>-<width>.png`` (start, question, results, compare at 1280 and 375 px) into
``artifacts/screenshots/``. Streamlit scrolls inside an inner container, so a full-page shot
would only show one screenful; the viewport is made tall instead (``--height``).
Uses Debian's chromium (Playwright cannot download its own browser here).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.e2e.server import CHROMIUM_ARGS, running_app  # noqa: E402  (one way to start the app)

ANSWERS = "doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf"
#: (file name, path and query, heading that shows the screen is drawn)
SCREENS = [
    ("start", "/", "Welk meetinstrument past bij uw werk?"),
    ("question", "/?doelgroep=ouderen&stap=2", "Inhoudelijk thema"),
    ("results", f"/?{ANSWERS}", "Uw advies"),
    ("compare", f"/vergelijken?{ANSWERS}&vergelijk=djg-11,djg-6", "Instrumenten vergelijken"),
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
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running app; without it the app is started on a free port")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "screenshots")
    parser.add_argument("--height", type=int, default=2400, help="viewport height in px (default 2400)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        base = args.url or stack.enter_context(running_app())[0]
        for path in shoot(base, args.out, args.height):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
