"""The walk's state: kept under our own session keys and mirrored in the URL.

Widgets come and go as the user moves between steps and pages, and Streamlit forgets a widget's
value once it is not drawn, so the answers live under their own keys (Streamlit's guidance) and
in the query string, so that back/next, a page switch and a reload all keep every answer.
"""

from __future__ import annotations

import streamlit as st

from tree import BRANCHES, Databank
from tree.i18n import DEFAULT_LANGUAGE
from tree.links import parse_params, to_params
from tree.nudges import RESULTS_STEP, START_STEP

START, RESULTS = START_STEP, RESULTS_STEP  # declared once, in tree.nudges
MAX_COMPARE = 4

ss = st.session_state


def ensure(bank: Databank) -> None:
    """On a session's first run, take the state from the link (if any)."""
    if ss.get("_ready"):
        return
    link = parse_params(st.query_params.to_dict(), bank.taxonomy)
    ss.answers = link.answers
    ss.vraag = link.extras.get("vraag", "")
    ss.lang = link.extras.get("lang", DEFAULT_LANGUAGE)
    step = link.step
    if step is not None and START <= step <= RESULTS:
        ss.step = step
    else:
        if step is not None:
            link.unknown.append(("stap", str(step)))
        ss.step = RESULTS if link.has_answers else START
    wanted = link.ids("vergelijk")
    ss.compare = [i for i in wanted if i in bank.instruments][:MAX_COMPARE]
    ss.link_notice = link.unknown + [("vergelijk", i) for i in wanted if i not in bank.instruments]
    ss._ready = True


def lang() -> str:
    return ss.get("lang", DEFAULT_LANGUAGE)


def answers() -> dict[str, list[str]]:
    return ss.answers


def set_answer(qid: str, oids: list[str]) -> None:
    ss.answers = {**ss.answers, qid: list(oids)}


def go(step: int) -> None:
    ss.step = max(START, min(RESULTS, step))


def params(**extra: str | None) -> dict[str, str]:
    """The current state as query parameters (the shareable link)."""
    return to_params(
        ss.answers,
        vraag=ss.get("vraag") or None,
        lang=ss.lang if ss.lang != DEFAULT_LANGUAGE else None,
        **extra,
    )


def sync_url(**extra: str | None) -> None:
    """Mirror the state in the address bar, so a reload or a copied link restores it.

    ``extra``: a page's own parameters (the presenter's room), kept next to the walk's.
    """
    step = ss.get("step", START)
    wanted = params(
        stap=None if step == RESULTS else str(step),
        vergelijk=",".join(ss.get("compare", [])) or None,
        **extra,
    )
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def reset() -> None:
    keep_lang = ss.get("lang", DEFAULT_LANGUAGE)
    for key in list(ss.keys()):
        del ss[key]
    ss._ready = True
    ss.answers = {q: [] for q in BRANCHES}
    ss.vraag = ""
    ss.lang = keep_lang
    ss.step = START
    ss.compare = []
    ss.link_notice = []
