"""The curator workspace: sign in, then keep the databank correct."""

import streamlit as st

from tree.i18n import t
from ui import curator_auth, curator_edit, curator_views, frame, state

bank = frame.setup()
user = curator_auth.require()  # stops here for anyone not signed in
bank = curator_views.open_workspace(bank)  # finish an interrupted save; pull what others pushed
lang = state.lang()
st.title(t(lang, "curator.title"))
curator_auth.signed_in_bar(user)
overview, instruments, options, sheets = st.tabs(
    [t(lang, "curator.tab_overview"), t(lang, "curator.tab_instruments"), t(lang, "curator.tab_options"),
     t(lang, "curator.tab_sheets")]
)
with overview:
    curator_views.overview(bank)
with instruments:
    curator_edit.editor(bank, user)
with options:
    curator_views.options(bank, user)
with sheets:
    curator_views.spreadsheets(bank, user)
