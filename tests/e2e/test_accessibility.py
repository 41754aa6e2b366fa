"""axe-core on the start page, a question page, a results page, the comparison and the curator desk.

Rule for who owns a violation (decided per node, from axe's target selector): the selector is
resolved in the page and the node counts as the **app's own content** when it lies inside the
main area (``[data-testid=stMain]``) or the sidebar's user content
(``[data-testid=stSidebarUserContent]``): that is what our pages, ``ui/``, the locale texts and
the theme in ``.streamlit/config.toml`` draw. Every other node — the header and toolbar,
``stDecoration``, the sidebar collapse/expand buttons, the page navigation Streamlit builds from
``st.navigation``, and document-level targets such as ``html`` — is **Streamlit's own chrome**.

Violations with impact ``serious`` or ``critical`` on app-owned nodes fail the test. Those on
Streamlit-owned nodes are collected, printed in the run's summary and written to
``artifacts/axe-streamlit.json``; they are Streamlit's to fix, not ours. Requires
``node_modules/axe-core`` (``npm ci``, run by ``make test``).
"""

from __future__ import annotations

import json

import pytest

from .conftest import ARTIFACTS, REPORT, ROOT, App

pytestmark = pytest.mark.e2e

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAILING = {"serious", "critical"}
APP_OWNED = "[data-testid='stMain'], [data-testid='stSidebarUserContent']"

PAGES = [
    ("start", "", "Welk meetinstrument past bij uw werk?"),
    ("question", "?stap=2", "Inhoudelijk thema"),
    ("results", "?doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf",
     "Uw advies"),
    ("compare", "vergelijken?doelgroep=ouderen&thema=eenzaamheid&vergelijk=djg-11,djg-6", "Instrumenten vergelijken"),
]

#: Per node: is the element its target selector names inside the app's own content?
_OWNED = """([targets, owned]) => targets.map(target => {
  // axe gives a list of selectors for nodes inside iframes / shadow roots: follow them.
  let root = document, el = null;
  for (const sel of target) {
    el = root.querySelector(sel);
    if (!el) return false;
    root = el.shadowRoot || (el.contentDocument ?? el);
  }
  return el.closest(owned) !== null;
})"""


@pytest.fixture(scope="module")
def axe_streamlit():
    found: list[dict] = []
    yield found
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-streamlit.json").write_text(json.dumps(found, indent=2, ensure_ascii=False), encoding="utf-8")


def own_serious_violations(app: App, name: str, axe_streamlit: list[dict]) -> list[str]:
    """Run axe on the page as it is now; return the app's own serious findings, file the rest."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (make test does)", pytrace=False)
    app.page.add_script_tag(path=str(AXE))
    result = app.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    own: list[str] = []
    for v in result["violations"]:
        targets = [n["target"] for n in v["nodes"]]
        owned = app.page.evaluate(_OWNED, [targets, APP_OWNED])
        for node, is_app in zip(v["nodes"], owned, strict=True):
            entry = {
                "page": name, "id": v["id"], "impact": node.get("impact") or v["impact"], "help": v["help"],
                "targets": [" ".join(t) if isinstance(t, list) else t for t in node["target"]],
                "html": node["html"][:200], "summary": node.get("failureSummary", ""),
            }
            if not is_app:
                axe_streamlit.append(entry)
                REPORT["axe_streamlit"].append(entry)
            elif entry["impact"] in FAILING:
                own.append(
                    f"{entry['id']} ({entry['impact']}) {entry['targets']}: {entry['html']}\n  {entry['summary']}"
                )
    return own


@pytest.mark.parametrize(("name", "query", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_violations_in_app_content(app: App, axe_streamlit: list[dict], name, query, heading) -> None:
    app.open(query, heading=heading)
    own = own_serious_violations(app, name, axe_streamlit)
    assert not own, f"axe: serious violations in the app's own content on {name}:\n" + "\n".join(own)


def test_no_serious_violations_on_the_curator_desk(browser, curator_server, axe_streamlit: list[dict]) -> None:
    """The overview (heat map, tables), the record list with its filters, and an open record's form."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="nl-NL")
    context.set_default_timeout(20_000)
    app = App(context.new_page(), curator_server[0])
    app.sign_in_as_curator()
    found = {"curator-overview": own_serious_violations(app, "curator-overview", axe_streamlit)}
    page = app.page
    page.get_by_role("tab", name="Instrumenten").click()
    search = page.get_by_role("searchbox", name="Zoeken")
    search.fill("djg-11")
    app.act(lambda: search.press("Enter"))
    app.act(lambda: page.get_by_role("button", name="Openen").click())
    page.get_by_role("button", name="Opslaan", exact=True).wait_for()
    found["curator-desk"] = own_serious_violations(app, "curator-desk", axe_streamlit)
    context.close()
    problems = [f"{name}: {v}" for name, vs in found.items() for v in vs]
    assert not problems, "axe: serious violations in the app's own content:\n" + "\n".join(problems)
