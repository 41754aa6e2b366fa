"""The facilitator's screens: the question, the tree, the funnel, the room's votes."""

from __future__ import annotations

import streamlit as st

from tree import BRANCHES, Databank, count_fitting, recommend
from tree import describe as d
from tree.i18n import t
from tree.safe_text import md, md_inline
from tree.workshop import backend, rooms
from tree.workshop import guard as room_guard
from tree.workshop import presenter as pr

from . import state
from .bars import bars
from .client import client_id
from .frame import base_url, databank

ss = st.session_state
ROOM_KEY = "room_code"
HOST_KEY = "room_host_key"


def _forget_room() -> None:
    for key in (ROOM_KEY, HOST_KEY):
        ss.pop(key, None)


def _room() -> rooms.Room | None:
    code = ss.get(ROOM_KEY)
    if not code:
        return None
    try:
        return backend.default_store().get(code)
    except rooms.RoomError:
        _forget_room()
        return None


def restore_room() -> None:
    """After a reload (a new session) take the room back from the address bar, if its key fits.

    A facilitator who presses F5 mid-workshop keeps the room and every phone in it; a participant
    who types the public code into ``/presenter`` gets nothing, because the key is not on screen.
    """
    if ROOM_KEY in ss or ss.get("_room_checked"):
        return
    ss._room_checked = True
    code, key = st.query_params.get("kamer"), st.query_params.get("sleutel")
    if not code or not key:
        return
    try:
        room = backend.default_store().resume(code, key)
    except rooms.RoomError as err:
        ss.room_notice = err.key
        return
    ss[ROOM_KEY], ss[HOST_KEY] = room.code, room.host_key


def room_params() -> dict[str, str]:
    """The room's part of the presenter's address (so a reload keeps the room), or nothing."""
    if ss.get(ROOM_KEY) and ss.get(HOST_KEY):
        return {"kamer": ss[ROOM_KEY], "sleutel": ss[HOST_KEY]}
    return {}


def _sync_room() -> None:
    """Push the presenter's step and chosen answers to the room, so phones follow."""
    room = _room()
    if room is None:
        return
    store = backend.default_store()
    for qid in BRANCHES:
        if room.answers.get(qid, []) != state.answers()[qid]:
            store.follow(room.code, qid, state.answers()[qid], taxonomy=databank().taxonomy)
    if room.step != ss.step:
        store.set_step(room.code, ss.step)


def _go(step: int) -> None:
    state.go(step)
    _sync_room()


def _reset() -> None:
    code, key = ss.get(ROOM_KEY), ss.get(HOST_KEY)
    state.reset()
    ss._room_checked = True
    if code:
        ss[ROOM_KEY], ss[HOST_KEY] = code, key
        try:
            backend.default_store().reset(code)
        except rooms.RoomError:
            _forget_room()


def header(bank: Databank) -> None:
    lang = state.lang()
    step = ss.step
    labels = [t(lang, "workshop.start")] + [d.question_label(bank, q, lang) for q in BRANCHES]
    labels.append(t(lang, "workshop.advice"))
    trail = " → ".join(f"**{md_inline(x)}**" if n == step else md_inline(x) for n, x in enumerate(labels))
    st.caption(trail)


def opening(bank: Databank) -> None:
    lang = state.lang()
    st.title(t(lang, "workshop.title"))
    st.markdown(t(lang, "workshop.intro"))
    st.html(f'<div class="big-count">{t(lang, "workshop.in_databank", n=len(bank.active))}</div>')


def _on_pick(qid: str) -> None:
    value = ss.get(f"pp:{qid}")
    chosen = value if isinstance(value, list) else ([value] if value else [])
    state.set_answer(qid, chosen)
    _sync_room()


def question(bank: Databank, step: int) -> None:
    lang = state.lang()
    qid = BRANCHES[step - 1]
    q = bank.taxonomy.question(qid)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.title(md_inline(q.label.get(lang)))
        st.markdown(md(q.help.get(lang)))
        key = f"pp:{qid}"
        chosen = state.answers()[qid]
        ss[key] = chosen if q.multiple else (chosen[0] if chosen else None)
        st.pills(
            q.label.get(lang), [o.id for o in q.options], selection_mode="multi" if q.multiple else "single",
            key=key, format_func=lambda oid: md_inline(d.option_label(bank, qid, oid, lang)), on_change=_on_pick,
            args=(qid,), label_visibility="collapsed", width="stretch", wrap=True,
        )
        n = count_fitting(bank, state.answers())
        st.html(f'<div class="big-count">{t(lang, "workshop.still_fitting_n", n=n)}</div>')
    with right:
        room = _room()
        if room is not None:
            with st.container():  # its own slot, so a poll that draws more or fewer rows never overwrites the funnel
                live_votes(bank, room.code, qid)
        funnel_chart(bank, lang)
    # the tree runs left to right over five questions: it needs the full width to stay readable
    # the pills above list every option; the tree shows a few, so it stays one screen wide and readable
    st.graphviz_chart(pr.tree_dot(bank, state.answers(), step, lang, max_options=4), width="stretch")


def funnel_chart(bank: Databank, lang: str) -> None:
    steps = pr.funnel(bank, state.answers(), lang)
    title = t(lang, "workshop.funnel")
    st.markdown(f"**{title}**")
    rows = [(s.label, s.count) for s in steps]
    st.html(bars(rows, maximum=steps[0].count, label=title, highlight_top=False, compact=True))


@st.fragment(run_every="1s")
def live_votes(bank: Databank, code: str, qid: str) -> None:
    """The room's answers, refreshed every second without redrawing the page.

    Every second, not two: the projector is one session (cheap), and its poll sets the vote →
    projector latency; at 2 s the p95 sat at ~2 s even on an idle server (bench/load_ws.py).
    """
    lang = state.lang()
    store = backend.default_store()
    try:
        tally = store.tally(code, qid)
        people = store.participants(code)
    except rooms.RoomError as err:
        st.warning(str(err))
        return
    heading = t(lang, "workshop.room_votes", n=sum(tally.values()), people=people)
    st.markdown(f"**{heading}**")
    if not tally:
        st.caption(t(lang, "workshop.no_votes"))
        return
    # the tree's order (not the count's), so rows do not jump around while the room votes
    options = [(o.id, o.label.get(lang)) for o in bank.taxonomy.question(qid).options]
    rows = [(label, tally[oid]) for oid, label in [*options, ("", t(lang, "common.no_preference"))] if oid in tally]
    st.html(bars(rows, label=heading))
    top = max(tally.values())
    winners = [k for k, v in tally.items() if v == top and k]
    if winners and st.button(t(lang, "workshop.follow_room"), key=f"follow:{qid}"):
        q = bank.taxonomy.question(qid)
        state.set_answer(qid, winners if q.multiple else winners[:1])
        _sync_room()
        st.rerun()


def results(bank: Databank) -> None:
    lang = state.lang()
    st.title(t(lang, "workshop.advice"))
    rec = recommend(bank, state.answers(), limit=5)
    left, right = st.columns([3, 2], gap="large")
    with left:
        if rec.exact_count:
            st.markdown(t(lang, "workshop.exact", n=rec.exact_count))
            for m in rec.matches:
                name = md_inline(d.name_with_abbreviation(m.instrument, lang))
                st.markdown(f"- **{name}** — {d.kind_label(m.instrument, lang)}")
        else:
            st.markdown(t(lang, "results.none_exact"))
            for m in rec.near:
                st.markdown(f"- **{md_inline(d.name_with_abbreviation(m.instrument, lang))}**")
    with right:
        funnel_chart(bank, lang)
        walk_qr(lang)


def walk_qr(lang: str) -> None:
    link = pr.walk_link(base_url(), state.answers(), lang=lang)
    st.image(pr.qr_png(link), width=220)
    st.caption(t(lang, "workshop.scan_walk"))
    st.code(link, language=None, wrap_lines=True)


def navigation(bank: Databank) -> None:
    lang = state.lang()
    step = ss.step
    with st.container(horizontal=True):
        st.button(
            t(lang, "wizard.back"), key="p_back", on_click=_go, args=(step - 1,), disabled=step == state.START,
            shortcut="PageUp",
        )
        # PageDown/PageUp: what a presentation clicker sends
        st.button(
            t(lang, "workshop.next"), key="p_next", type="primary", on_click=_go, args=(step + 1,),
            disabled=step == state.RESULTS, shortcut="PageDown",
        )
        st.button(t(lang, "workshop.reset"), key="p_reset", on_click=_reset, type="tertiary")


def _open_room() -> None:
    cap = ss.get("room_cap") if ss.get("room_cap_on") else None
    try:
        room = room_guard.create(backend.default_store(), client_id(), max_participants=cap)
    except room_guard.Throttled as err:
        ss.room_throttled = err.seconds
        return
    ss[ROOM_KEY], ss[HOST_KEY] = room.code, room.host_key
    ss.pop("room_notice", None)
    ss.pop("room_throttled", None)
    _sync_room()


def room_panel(bank: Databank) -> None:
    lang = state.lang()
    room = _room()
    left, right = st.columns([3, 2], gap="large")
    with left:
        if room is None:
            if "room_notice" in ss:  # a reloaded address whose room has ended or is not this browser's
                st.warning(t(lang, f"workshop.resume_{ss.room_notice}"))
            st.markdown(t(lang, "workshop.room_help"))
            with st.container(horizontal=True, vertical_alignment="bottom"):
                capped = st.checkbox(t(lang, "workshop.cap_on"), key="room_cap_on")
                st.number_input(
                    t(lang, "workshop.cap"), min_value=2, max_value=2000, value=60, step=10, key="room_cap",
                    disabled=not capped, width=180,
                )
            st.button(t(lang, "workshop.open_room"), key="open_room", on_click=_open_room)
            if "room_throttled" in ss:
                st.error(t(lang, "workshop.error_throttled", n=ss.room_throttled))
            return
        st.markdown(t(lang, "workshop.join_at", url=f"{base_url()}/kamer"))
        st.html(f'<div class="room-code">{rooms.format_code(room.code)}</div>')
        st.caption(t(lang, "workshop.room_expires", time=room.expires.astimezone().strftime("%H:%M")))
        if room.max_participants:
            st.caption(t(lang, "workshop.cap_shown", n=room.max_participants))
    with right:
        st.image(pr.qr_png(pr.room_link(base_url(), room.code)), width=220)
        if ss.step not in (state.START, state.RESULTS):
            walk_qr(lang)
