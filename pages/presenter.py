"""Workshop mode for the facilitator: the tree on a projector, one question per screen."""

import streamlit as st

from ui import frame, presenter_views, projector, state

# collapsed: on a phone an open sidebar is a modal overlay that blocks every tap
st.set_page_config(initial_sidebar_state="collapsed")
bank = frame.setup(sidebar=False)
projector.projector()
presenter_views.restore_room()
step = state.ss.step
presenter_views.header(bank)
# at the top: a click never scrolls the page, so the next question's title is on screen at once
presenter_views.navigation(bank)
if step == state.START:
    presenter_views.opening(bank)
elif step < state.RESULTS:
    presenter_views.question(bank, step)
else:
    presenter_views.results(bank)
state.sync_url(**presenter_views.room_params())
st.divider()
presenter_views.room_panel(bank)
