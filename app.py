"""Beslisboom effectmeting — entry point: page setup and navigation.

Every screen is a file in ``pages/`` (so each can be tested on its own with AppTest); this file
only sets the frame they share. A page's file name equals its URL path (``kamer``,
``vergelijken``): on the first session after a start Streamlit may resolve the URL against the
``pages/`` folder before ``st.navigation`` runs, and a name that differs shows "Page not found".
"""

import logging

import streamlit as st

from tree.i18n import t
from ui import state

st.set_page_config(page_title="Beslisboom effectmeting", page_icon=":material/account_tree:", layout="centered")

lang = state.lang()
pages = [
    st.Page("pages/wizard.py", title=t(lang, "nav.wizard"), icon=":material/account_tree:", default=True),
    st.Page("pages/vergelijken.py", title=t(lang, "nav.compare"), icon=":material/compare:", url_path="vergelijken"),
    st.Page("pages/presenter.py", title=t(lang, "nav.presenter"), icon=":material/co_present:", url_path="presenter"),
    st.Page("pages/kamer.py", title=t(lang, "nav.room"), icon=":material/groups:", url_path="kamer"),
    st.Page("pages/curator.py", title=t(lang, "nav.curator"), icon=":material/edit_note:", url_path="curator"),
    st.Page(
        "pages/instrument.py", title=t(lang, "nav.instrument"), icon=":material/description:", url_path="instrument"
    ),
]
# the sidebar links are drawn by ui.frame on every page (see there why), so the built-in list stays hidden
try:
    st.navigation(pages, position="hidden").run()
except Exception:  # st.stop and st.rerun are BaseExceptions and pass through
    # The visitor gets a plain page; the details (with paths) go to the server log only.
    logging.getLogger("beslisboom").exception("page failed: %s", st.context.url if hasattr(st.context, "url") else "")
    st.error(t(lang, "frame.error"))
    st.link_button(t(lang, "frame.error_restart"), "/")
