"""Beslisboom effectmeting — entry point: page setup and navigation.

Every screen is a file in ``pages/`` (so each can be tested on its own with AppTest), declared
once in :mod:`ui.routes` (which also explains why a page file is named after its URL path); this
file only sets the frame they share.
"""

import logging

import streamlit as st

from tree.i18n import t
from ui import routes, state

lang = state.lang()
pages = [
    st.Page(r.file, title=t(lang, r.title_key), icon=r.icon, url_path=r.url_path, default=r is routes.WIZARD)
    if r.url_path
    else st.Page(r.file, title=t(lang, r.title_key), icon=r.icon, default=r is routes.WIZARD)
    for r in routes.ROUTES
]
# the sidebar links are drawn by ui.frame on every page (see there why), so the built-in list stays hidden
page = st.navigation(pages, position="hidden")
route = routes.by_url_path(page.url_path)
frame_config = {"page_title": "Beslisboom effectmeting", "page_icon": ":material/account_tree:"}
st.set_page_config(**frame_config, **({"layout": route.layout} if route.layout else {}))
try:
    page.run()
except Exception:  # st.stop and st.rerun are BaseExceptions and pass through
    # The visitor gets a plain page; the details (with paths) go to the server log only.
    logging.getLogger("beslisboom").exception("page failed: %s", st.context.url if hasattr(st.context, "url") else "")
    st.error(t(lang, "frame.error"))
    st.link_button(t(lang, "frame.error_restart"), "/")
