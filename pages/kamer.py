"""A workshop participant on a phone: join with the code, tap an answer, see the advice."""

import streamlit as st

from ui import frame, participant_views, projector

# collapsed: on a phone an open sidebar is a modal overlay that blocks every tap
st.set_page_config(initial_sidebar_state="collapsed")
bank = frame.setup(sidebar=False)
projector.phone()
participant_views.page(bank)
