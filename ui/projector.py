"""Projector styling: big type, high contrast, no sidebar — for a room that reads from afar."""

from __future__ import annotations

import streamlit as st

from .bars import CSS as BARS_CSS

_CSS = """
<style>
[data-testid="stMainBlockContainer"] { max-width: 1600px; padding-top: 1.5rem; }
[data-testid="stMain"] h1 { font-size: 3.4rem; line-height: 1.1; }
[data-testid="stMain"] h2 { font-size: 2.4rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label { font-size: 1.45rem; }
[data-testid="stMain"] [data-testid^="stBaseButton-"] p { font-size: 1.5rem; font-weight: 600; }
[data-testid="stMain"] [data-testid^="stBaseButton-"] { min-height: 3.6rem; padding: 0.4rem 1.4rem; }
.big-count { font-size: 2.6rem; font-weight: 700; }
/* Streamlit shrinks Graphviz text to ~10 px; the tree's own sizes (18/20 pt, see tree.workshop.presenter) were
   chosen for the back of the room, so they win again. */
[data-testid="stGraphVizChart"] svg text[font-size="20.00"] { font-size: 20px !important; }
[data-testid="stGraphVizChart"] svg text[font-size="18.00"] { font-size: 18px !important; }
.room-code { font-size: 4rem; font-weight: 800; letter-spacing: 0.3rem; color: #0B3D2E; }
</style>
"""

_PHONE_CSS = """
<style>
[data-testid="stMain"] :is([data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"]) {
  min-height: 3.2rem;
}
[data-testid="stMain"] :is([data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"]) p {
  font-size: 1.2rem;
}
</style>
"""


def projector() -> None:
    st.html(_CSS + f"<style>{BARS_CSS}</style>")


def phone() -> None:
    """Participants tap on phones: full-width, thumb-sized buttons."""
    st.html(_PHONE_CSS)
