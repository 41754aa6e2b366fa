"""The curator workspace: sign in, then keep the databank correct."""

import streamlit as st

from tree.i18n import t
from ui import curator_auth, curator_edit, curator_inbox, curator_list, curator_views, frame, state

# a desk, not a reading column: the record list and the coverage matrix need the width; the
# sign-in form stays a narrow column. Set once per run, here only (app.py leaves this page's
# layout alone: two layout messages in one run race in the browser).
st.set_page_config(layout="wide" if curator_auth.signed_in() else "centered")
bank = frame.setup()
user = curator_auth.require()  # stops here for anyone not signed in
bank = curator_views.open_workspace(bank)  # finish an interrupted save; pull what others pushed
lang = state.lang()
st.title(t(lang, "curator.title"))
curator_auth.signed_in_bar(user)
# a stateful tab bar (key): the inbox can send a curator to the editor with a report beside it
overview, inbox, instruments, options, sheets = st.tabs(
    [t(lang, "curator.tab_overview"), t(lang, "inbox.tab"), t(lang, "curator.tab_instruments"),
     t(lang, "curator.tab_options"), t(lang, "curator.tab_sheets")],
    key="curator_tab", on_change="rerun",
)
with overview:
    curator_views.overview(bank)
with inbox:
    curator_inbox.inbox(bank, user)
with instruments:
    curator_list.record_list(bank)  # search, filter, sort; open a record ...
    curator_edit.editor(bank, user)  # ... in the form below
with options:
    curator_views.options(bank, user)
with sheets:
    curator_views.spreadsheets(bank, user)
