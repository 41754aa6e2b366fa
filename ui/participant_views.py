"""A participant's phone: join a room, answer the question on the projector, see the advice."""

from __future__ import annotations

import json

import streamlit as st
import streamlit.components.v1 as components

from tree import BRANCHES, Databank, Match, recommend
from tree import describe as d
from tree.i18n import t
from tree.safe_text import md_inline
from tree.workshop import backend, rooms
from tree.workshop import guard as room_guard
from tree.workshop import presenter as pr

from . import cards, state
from .client import client_id
from .frame import base_url, databank

ss = st.session_state


def _join(code: str) -> None:
    store = backend.default_store()
    try:
        known = _device_token(code)  # this phone joined this room before (another tab)
        if known:
            ss.p_code, ss.p_token = store.rejoin(code, known).code, known
        else:
            ss.p_token = room_guard.join(store, code, client_id())
            ss.p_code = store.get(code).code
        ss.pop("p_error", None)
        ss.pop("p_wait", None)
    except room_guard.Throttled as err:
        ss.p_error, ss.p_wait = err.key, err.seconds
        return
    except rooms.RoomError as err:
        ss.p_error = err.key
        return
    _remember_device()


def _remember_device() -> None:
    """The token in the address (a reload) and in a cookie (another tab on this phone).

    A phone that scans the QR code again, or opens the link in a second tab, starts a new
    session without the token in its address; the cookie lets it come back as the same
    participant, so it never counts twice. Streamlit has no API to set a cookie, so a
    zero-height component (same origin) writes it; it lives as long as a room does.
    """
    st.query_params.from_dict({"code": ss.p_code, "deelnemer": ss.p_token})
    name, value = rooms.device_cookie(ss.p_code), ss.p_token
    ss.p_set_cookie = f"{name}={value}; path=/; max-age={int(rooms.DEFAULT_TTL.total_seconds())}; SameSite=Lax"


def _device_token(code: str) -> str | None:
    try:
        cookies = st.context.cookies or {}
    except Exception:  # no browser context (tests)
        return None
    token = cookies.get(rooms.device_cookie(rooms.normalise_code(code)))
    return token if token and rooms.is_token(token) else None


def _rejoin() -> None:
    """A new session of a phone that was here before: the same participant again.

    ``?code=…&deelnemer=…`` after a reload, or only ``?code=…`` plus this room's cookie when the
    phone opens a second tab or scans the QR code again.
    """
    if "p_token" in ss or ss.get("_p_checked"):
        return
    ss._p_checked = True
    code, token = st.query_params.get("code"), st.query_params.get("deelnemer")
    if not code:
        return
    token = token if token and rooms.is_token(token) else _device_token(code)
    if not token:
        return
    try:
        room = backend.default_store().rejoin(code, token)
    except rooms.RoomError:
        if "deelnemer" in st.query_params:
            del st.query_params["deelnemer"]  # an old or foreign token: join like anyone else
        return
    ss.p_code, ss.p_token = room.code, token
    _remember_device()


def join_form(lang: str) -> None:
    st.title(t(lang, "workshop.join_title"))
    st.write(t(lang, "workshop.join_help"))
    if "p_code_input" not in ss:
        ss.p_code_input = st.query_params.get("code", "")
    st.text_input(t(lang, "workshop.code"), key="p_code_input", max_chars=12, placeholder="ABCD-EFGH")
    if st.button(t(lang, "workshop.join"), type="primary", key="p_join", width="stretch"):
        _join(ss.p_code_input)
        if "p_token" in ss:
            st.rerun()
    if "p_error" in ss:
        st.error(t(lang, f"workshop.error_{ss.p_error}", n=ss.get("p_wait", 0)))


def _vote(qid: str, option: str) -> None:
    try:
        backend.default_store().vote(ss.p_code, ss.p_token, qid, option, taxonomy=databank().taxonomy)
    except rooms.RoomError as err:
        ss.p_error = err.key
        return
    ss.pop("p_error", None)


def _leave() -> None:
    for key in ("p_token", "p_code"):
        ss.pop(key, None)
    if "deelnemer" in st.query_params:
        del st.query_params["deelnemer"]


@st.fragment(run_every="2s")
def live(bank: Databank) -> None:
    """Everything a joined phone shows, redrawn every two seconds and on every tap.

    It is one fragment on purpose: a vote and a poll are both fragment runs, so after joining
    the phone never does a full-app rerun. Full reruns reset Streamlit's poll timers, and with
    a poll that called ``st.rerun(scope="app")`` on every step, phones under load stopped
    polling or lost their question header (Streamlit 1.67; see bench/load_room.py).
    """
    lang = state.lang()
    try:
        room = backend.default_store().get(ss.p_code)
    except rooms.RoomError as err:
        st.error(t(lang, f"workshop.error_{err.key}"))
        if st.button(t(lang, "workshop.rejoin"), key="p_rejoin"):
            _leave()
            st.rerun(scope="app")  # back to the join form, which is outside this fragment
        return
    if "p_error" in ss:
        st.warning(t(lang, f"workshop.error_{ss.pop('p_error')}"))
    if room.question is None and room.step < len(BRANCHES) + 1:
        st.header(t(lang, "workshop.wait"))
        return
    if room.question is None:
        advice(bank, room, lang)
        return
    qid = room.question
    q = bank.taxonomy.question(qid)
    st.header(md_inline(q.label.get(lang)))
    mine = backend.default_store().my_votes(room.code, ss.p_token).get(qid)
    for opt in q.options:
        label = ("✓ " if mine == opt.id else "") + md_inline(opt.label.get(lang))
        st.button(label, key=f"v:{qid}:{opt.id}", on_click=_vote, args=(qid, opt.id), width="stretch",
                  type="primary" if mine == opt.id else "secondary")
    none_label = ("✓ " if mine == "" else "") + t(lang, "common.no_preference")
    st.button(none_label, key=f"v:{qid}:", on_click=_vote, args=(qid, ""), width="stretch",
              type="primary" if mine == "" else "secondary")
    if mine is not None:
        st.success(t(lang, "workshop.voted"))


def advice(bank: Databank, room: rooms.Room, lang: str) -> None:
    """The room's advice: what the room chose, a link to take it home, the best five cards."""
    st.header(t(lang, "workshop.advice"))
    rec = recommend(bank, room.answers, limit=5)
    if any(rec.answers.values()):
        chosen = d.answers_text(bank, rec.answers, lang)
        lines = "\n".join(f"- **{md_inline(q)}:** {md_inline(a)}" for q, a in chosen)
        st.markdown(t(lang, "workshop.room_chose") + "\n" + lines)
    else:
        st.info(t(lang, "workshop.room_chose_nothing"))
    # the wizard's own link: there the participant can read every card, compare and download the PDF
    st.link_button(t(lang, "workshop.take_home"), pr.walk_link(base_url(), rec.answers, lang=lang), width="stretch")
    if rec.headline is not None:  # tellen én vertellen: the specific pair first, as in the wizard
        st.subheader(t(lang, "results.headline_title"))
        for m in rec.headline.parts:
            cards.card(bank, m, rec.answers, lang, key="room-headline", actions=False, bundle=rec.headline)
    matches: list[Match] = rec.matches or rec.near
    if not rec.matches:
        st.info(t(lang, "results.none_exact"))
    for m in matches:
        cards.card(bank, m, rec.answers, lang, key="room", actions=False)


def page(bank: Databank) -> None:
    lang = state.lang()
    _rejoin()
    if "p_token" not in ss:
        join_form(lang)
        return
    st.caption(t(lang, "workshop.in_room", code=rooms.format_code(ss.p_code)))
    if "p_set_cookie" in ss:
        components.html(f"<script>document.cookie = {json.dumps(ss.p_set_cookie)};</script>", height=0)
    live(bank)
