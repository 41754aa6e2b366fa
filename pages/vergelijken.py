"""Two to four instruments side by side, in one table."""

import streamlit as st

from tree import describe as d
from tree.i18n import t
from ui import frame, routes, state
from ui.compare_table import CSS, compare_html

bank = frame.setup()
lang = state.lang()
chosen = [i for i in state.ss.get("compare", []) if i in bank.instruments]
st.title(t(lang, "compare.title"))
if len(chosen) < 2:
    st.info(t(lang, "compare.too_few", max=state.MAX_COMPARE))
else:
    # HTML, not st.table: on a phone each fact stacks with one line per instrument
    st.html(CSS + compare_html(d.compare_table(bank, chosen, lang), caption=t(lang, "compare.title")))
if st.button(t(lang, "compare.back"), type="primary", key="compare_back"):
    st.switch_page(routes.WIZARD.file, query_params=state.params(vergelijk=",".join(chosen) or None))
