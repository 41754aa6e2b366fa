"""What every page shares: the databank, the language switch and a clear error page."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st
from streamlit.errors import StreamlitAPIException

from tree import Databank, DatabankError, load_databank, opendata
from tree.curate import sync
from tree.databank import DEFAULT_PATH
from tree.i18n import LANGUAGES, t

from . import routes, state

DATABANK_ENV = "BESLISBOOM_DATABANK"
SYNC_ENV = "BESLISBOOM_SYNC_SECONDS"


def databank() -> Databank:
    """The databank (default: the shipped one; ``BESLISBOOM_DATABANK=DIR`` points elsewhere).

    Re-read only when a file changed: the engine caches by file stat, so a curator's save is
    seen on the next rerun without a restart.
    """
    path = os.environ.get(DATABANK_ENV) or None
    # with a git remote: pull others' changes in the background (BESLISBOOM_SYNC_SECONDS, default 60)
    sync.start_background(path or DEFAULT_PATH, float(os.environ.get(SYNC_ENV, "60")))
    try:
        bank = load_databank(path)
    except DatabankError as err:
        st.error(t(state.lang(), "frame.databank_broken"))
        for p in err.problems:
            st.code(str(p), language=None)
        st.stop()
    # the open data next to the app follows the databank (a dict lookup unless it changed)
    opendata.publish(bank)
    return bank


def navigation() -> None:
    """Sidebar links, drawn by each page itself (why: see :mod:`ui.routes`)."""
    lang = state.lang()
    with st.sidebar:
        for r in routes.ROUTES:
            if not r.in_sidebar:
                continue
            try:
                st.page_link(r.file, label=t(lang, r.title_key), icon=r.icon)
            except StreamlitAPIException:  # a page run on its own (AppTest of one file): no app to link
                return


def setup(*, sidebar: bool = True) -> Databank:
    """Load the databank and draw the shared frame.

    ``sidebar=False`` for the projector and the participants' phones: no sidebar at all (hiding
    one with CSS leaves Streamlit's overlay making the page inert on a phone).
    """
    bank = databank()
    state.ensure(bank)
    if sidebar:
        navigation()
        st.sidebar.caption(t(state.lang(), "frame.about"))
        # small Markdown, not a caption: links in a caption are too pale to read (axe: contrast)
        st.sidebar.markdown(f":small[{open_data_links(state.lang())}]")
    language_switch()
    return bank


def open_data_links(lang: str) -> str:
    """Links to the open data; relative, so they also hold under ``server.baseUrlPath``."""
    base = opendata.URL_PATH
    return t(
        lang,
        "frame.open_data",
        json=f"{base}/{opendata.JSON_FILE}",
        csv=f"{base}/{opendata.CSV_FILE}",
        schema=f"{base}/{opendata.SCHEMA_FILE}",
        version=f"{base}/{opendata.VERSION_FILE}",
    )


def _on_language() -> None:
    st.session_state.lang = st.session_state._lang_choice


def language_switch() -> None:
    lang = state.lang()
    st.session_state._lang_choice = lang
    # in the page itself, not the sidebar: on a phone the sidebar is folded away
    row = st.container(horizontal=True, horizontal_alignment="right")
    row.segmented_control(
        t(lang, "frame.language"),
        options=list(LANGUAGES),
        format_func=lambda code: {"nl": "Nederlands", "en": "English"}[code],
        key="_lang_choice",
        on_change=_on_language,
        required=True,
        label_visibility="collapsed",
    )


def base_url() -> str:
    """scheme://host[:port] of this app as the browser sees it (for links and QR codes)."""
    url = str(getattr(st.context, "url", "") or "")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
