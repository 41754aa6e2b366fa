"""Every page of the app, declared once: file, URL path, title and icon.

app.py builds ``st.navigation`` from this list, each page draws its sidebar links from it, and
``st.switch_page`` targets come from it.

**The first-session workaround, in this one place.** On the first session after a server start,
Streamlit 1.67 sometimes resolves the URL against the ``pages/`` folder (its older multipage
mode) before ``st.navigation`` in app.py runs. So

- every page file is named after its URL path (``kamer.py`` for ``/kamer``): a first visitor of
  ``/kamer`` otherwise got a "Page not found" modal that blocked every tap on a phone;
- every page draws its own sidebar links (:func:`ui.frame.navigation`), which look the same in
  either mode, and the built-in page list stays hidden.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    file: str  # relative to the app root, as st.Page and st.switch_page want it
    url_path: str | None  # None: the default page at "/"
    title_key: str  # locale key of its title
    icon: str
    in_sidebar: bool = True
    # "centered" or "wide", set by app.py once per run; None: the page sets its own layout (exactly
    # once per run too — two layout messages in one run race in the browser, and the narrow one
    # sometimes won)
    layout: str | None = "centered"


WIZARD = Route("pages/wizard.py", None, "nav.wizard", ":material/account_tree:")
COMPARE = Route("pages/vergelijken.py", "vergelijken", "nav.compare", ":material/compare:")
PRESENTER = Route("pages/presenter.py", "presenter", "nav.presenter", ":material/co_present:")
ROOM = Route("pages/kamer.py", "kamer", "nav.room", ":material/groups:", in_sidebar=False)
CURATOR = Route("pages/curator.py", "curator", "nav.curator", ":material/edit_note:", layout=None)
INSTRUMENT = Route("pages/instrument.py", "instrument", "nav.instrument", ":material/description:", in_sidebar=False)
MEETPLAN = Route("pages/meetplan.py", "meetplan", "nav.meetplan", ":material/event_note:", in_sidebar=False)

ROUTES: tuple[Route, ...] = (WIZARD, COMPARE, PRESENTER, ROOM, CURATOR, INSTRUMENT, MEETPLAN)


def by_url_path(url_path: str) -> Route:
    """The route st.navigation chose ("" is the default page)."""
    for route in ROUTES:
        if (route.url_path or "") == url_path:
            return route
    return WIZARD
