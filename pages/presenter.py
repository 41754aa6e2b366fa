"""Workshop mode for the facilitator: the tree on a projector, one question per screen."""

import streamlit as st

from ui import frame, presenter_views, projector, state

bank = frame.setup()
projector.projector()
step = state.ss.step
presenter_views.header(bank)
if step == state.START:
    presenter_views.opening(bank)
elif step < state.RESULTS:
    presenter_views.question(bank, step)
else:
    presenter_views.results(bank)
presenter_views.navigation(bank)
state.sync_url()
st.divider()
presenter_views.room_panel(bank)
