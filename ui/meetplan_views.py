"""The meetplan step: a few questions, one at a time and skippable, then the plan to take away.

Thin on purpose: the questions ask and store; :mod:`tree.meetplan` builds the plan and its files.
The answers live under our own session key and in the address (``plan``, ``aantal``, ``van``,
``tot``, ``doel``, ``wie``, ``lezers``), so a reload or a shared link opens the same plan.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tree import Databank, describe, document, recommend
from tree.document import Block
from tree.i18n import t
from tree.meetplan import CARRIERS, PURPOSES, READERS, build_plan, default_carrier, default_instruments
from tree.meetplan import answers as plan_answers
from tree.meetplan import document as plan_doc
from tree.safe_text import md_inline

from . import routes, state
from .compare_table import CSS, compare_html

ss = st.session_state
STEPS = ("instruments", "group", "purpose", "carrier", "readers")
PLAN_STEP = len(STEPS)  # the plan itself comes after the questions


def _ensure(bank: Databank, rec) -> None:
    """On the first run: the plan's answers from the link, else from the advice (and the fifth answer)."""
    if "plan" in ss:
        return
    answers, ignored = plan_answers.from_params(st.query_params.to_dict())
    if not answers.instruments:
        answers = answers.with_(instruments=tuple(default_instruments(rec, ss.get("compare", []))))
    if answers.carrier is None:
        answers = answers.with_(carrier=default_carrier(state.answers()))
    ss.plan = answers
    ss.plan_notice = ignored
    # a link with plan answers opens the plan; a fresh start asks the questions
    ss.mp_step = PLAN_STEP if any(k in st.query_params for k in plan_answers.PARAMS) else 0


def _set(**changes: object) -> None:
    ss.plan = ss.plan.with_(**changes)


def _go(step: int) -> None:
    ss.mp_step = max(0, min(PLAN_STEP, step))


def _sync_url() -> None:
    wanted = state.params(**plan_answers.to_params(ss.plan))
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _candidates(bank: Databank, rec) -> list[str]:
    """What the team can pick from: the advice's instruments first, then the whole databank."""
    ordered = [m.instrument.id for m in (*rec.matches, *rec.near)]
    ordered += [p.instrument.id for b in rec.bundles for p in b.parts]
    ordered += sorted((i.id for i in bank.active), key=lambda iid: bank.instruments[iid].name.lower())
    return [i for i in dict.fromkeys([*ss.plan.instruments, *ordered]) if i in bank.instruments]


def _nav(lang: str, step: int) -> None:
    with st.container(horizontal=True):
        if step > 0:
            st.button(t(lang, "meetplan.back"), key=f"mp_back:{step}", on_click=_go, args=(step - 1,))
        last = step == PLAN_STEP - 1
        st.button(t(lang, "meetplan.to_plan" if last else "meetplan.next"), key=f"mp_next:{step}", type="primary",
                  on_click=_go, args=(step + 1,))
    if step < PLAN_STEP - 1:
        st.button(t(lang, "meetplan.skip_to_plan"), key=f"mp_skip:{step}", type="tertiary", on_click=_go,
                  args=(PLAN_STEP,), help=t(lang, "meetplan.skip_help"))


def _q_instruments(bank: Databank, rec, lang: str) -> None:
    st.header(t(lang, "meetplan.q_instruments"))
    st.markdown(t(lang, "meetplan.h_instruments"))
    data = state.answers().get("gegevens", [])
    if not data or "beide" in data:  # a numbers-only plan is not told to add stories here
        st.markdown(t(lang, "meetplan.h_instruments_tellen"))
    options = _candidates(bank, rec)

    def label(iid: str) -> str:
        inst = bank.instruments[iid]
        return f"{describe.name_with_abbreviation(inst, lang)} · {describe.kind_label(inst, lang)}"

    ss["mp_instruments"] = list(ss.plan.instruments)
    st.multiselect(
        t(lang, "meetplan.q_instruments"), options, key="mp_instruments", format_func=label,
        max_selections=plan_answers.MAX_INSTRUMENTS, label_visibility="collapsed",
        on_change=lambda: _set(instruments=tuple(ss.mp_instruments)),
        placeholder=t(lang, "meetplan.pick_placeholder"),
    )


def _q_group(lang: str) -> None:
    st.header(t(lang, "meetplan.q_group"))
    st.markdown(t(lang, "meetplan.h_group"))
    ss["mp_n"] = ss.plan.participants
    st.number_input(
        t(lang, "meetplan.participants"), min_value=1, max_value=plan_answers.MAX_PARTICIPANTS, step=1,
        key="mp_n", placeholder=t(lang, "meetplan.not_known"),
        on_change=lambda: _set(participants=int(ss.mp_n) if ss.mp_n else None),
    )
    left, right = st.columns(2)
    ss["mp_start"], ss["mp_end"] = ss.plan.start, ss.plan.end
    left.date_input(t(lang, "meetplan.start"), key="mp_start", value=ss.plan.start, format="DD-MM-YYYY",
                    on_change=lambda: _set(start=ss.mp_start))
    right.date_input(t(lang, "meetplan.end"), key="mp_end", value=ss.plan.end, format="DD-MM-YYYY",
                     min_value=ss.plan.start, on_change=lambda: _set(end=ss.mp_end))
    if not ss.plan.period_ok:
        st.warning(t(lang, "meetplan.period_wrong"))


def _choice(lang: str, key: str, values: tuple[str, ...], current: str | None, field: str) -> None:
    labels = {"": t(lang, "meetplan.not_known"), **{v: t(lang, f"meetplan.{key}_{v}") for v in values}}
    ss[f"mp_{key}"] = current or ""
    st.radio(
        t(lang, f"meetplan.q_{key}"), ["", *values], key=f"mp_{key}", format_func=labels.get,
        label_visibility="collapsed", on_change=lambda: _set(**{field: ss[f"mp_{key}"] or None}),
    )


def _q_purpose(lang: str) -> None:
    st.header(t(lang, "meetplan.q_purpose"))
    st.markdown(t(lang, "meetplan.h_purpose"))
    _choice(lang, "purpose", PURPOSES, ss.plan.purpose, "purpose")


def _q_carrier(bank: Databank, lang: str) -> None:
    st.header(t(lang, "meetplan.q_carrier"))
    st.markdown(t(lang, "meetplan.h_carrier"))
    labels = {"": t(lang, "meetplan.not_known"), **{c: describe.option_label(bank, "uitvoering", c, lang)
                                                      for c in CARRIERS}}
    ss["mp_carrier"] = ss.plan.carrier or ""
    st.radio(
        t(lang, "meetplan.q_carrier"), ["", *CARRIERS], key="mp_carrier", format_func=labels.get,
        label_visibility="collapsed", on_change=lambda: _set(carrier=ss.mp_carrier or None),
    )


def _q_readers(lang: str) -> None:
    st.header(t(lang, "meetplan.q_readers"))
    st.markdown(t(lang, "meetplan.h_readers"))
    for reader in READERS:
        key = f"mp_reader:{reader}"
        ss[key] = reader in ss.plan.readers

        def toggle(reader: str = reader, key: str = key) -> None:
            chosen = set(ss.plan.readers) | {reader} if ss[key] else set(ss.plan.readers) - {reader}
            _set(readers=tuple(r for r in READERS if r in chosen))

        st.checkbox(t(lang, f"meetplan.reader_{reader}"), key=key, on_change=toggle)


def _the_plan(bank: Databank, rec, lang: str) -> None:
    base = str(st.context.url or "").split("?")[0] if hasattr(st.context, "url") else ""
    from urllib.parse import urlencode

    link = f"{base}?{urlencode(state.params(**plan_answers.to_params(ss.plan)), safe=',')}"
    plan = build_plan(bank, rec, ss.plan, question=ss.get("vraag", ""), lang=lang, link=link, today=dt.date.today())
    st.title(t(lang, "meetplan.plan_title"))
    st.markdown(t(lang, "meetplan.plan_intro"))
    left, mid, right = st.columns(3)
    left.download_button(
        t(lang, "meetplan.download_docx"), data=lambda: plan_doc.to_docx(bank, plan), file_name="meetplan.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", type="primary",
        key="mp_dl_docx", width="stretch",
    )
    mid.download_button(
        t(lang, "meetplan.download_pdf"), data=lambda: plan_doc.to_pdf(bank, plan), file_name="meetplan.pdf",
        mime="application/pdf", key="mp_dl_pdf", width="stretch",
    )
    right.download_button(
        t(lang, "meetplan.download_md"), data=lambda: plan_doc.to_markdown(bank, plan), file_name="meetplan.md",
        mime="text/markdown", key="mp_dl_md", width="stretch",
    )
    st.write(t(lang, "meetplan.share_help"))
    st.code(link, language=None, wrap_lines=True)
    with st.container(horizontal=True):
        st.button(t(lang, "meetplan.edit"), key="mp_edit", on_click=_go, args=(0,))
        if st.button(t(lang, "meetplan.back_to_advice"), key="mp_advice"):
            st.switch_page(routes.WIZARD.file, query_params=state.params())
    with st.container(border=True):
        _show(plan_doc.blocks(bank, plan))


def _show(blocks: list[Block]) -> None:
    """The plan on screen: text as Markdown (its blocks are escaped in tree.document, so data
    cannot become links or HTML); each table as the compare table's HTML, which stacks into one
    block per row on a phone instead of scrolling sideways (the files keep real tables)."""
    run: list[Block] = []
    for b in [*blocks, None]:
        if b is not None and b.kind != "table":
            run.append(b)
            continue
        if run:
            st.markdown(document.to_markdown(run))
            run = []
        if b is not None and b.rows:
            header, *rows = b.rows
            frame = pd.DataFrame([list(r[1:]) for r in rows], columns=list(header[1:]),
                                 index=[r[0] for r in rows])
            st.html(CSS + compare_html(frame, caption=header[0]))


def page(bank: Databank) -> None:
    lang = state.lang()
    rec = recommend(bank, state.answers())
    _ensure(bank, rec)
    if ss.get("plan_notice"):
        shown = ", ".join(f"{k}={md_inline(v)}" for k, v in ss.plan_notice)
        st.info(t(lang, "meetplan.link_notice", values=shown))
    step = ss.get("mp_step", 0)
    if step >= PLAN_STEP:
        _the_plan(bank, rec, lang)
    else:
        st.caption(t(lang, "meetplan.kicker"))
        st.progress((step + 1) / len(STEPS), text=t(lang, "meetplan.progress", n=step + 1, total=len(STEPS)))
        name = STEPS[step]
        if name == "instruments":
            _q_instruments(bank, rec, lang)
        elif name == "group":
            _q_group(lang)
        elif name == "purpose":
            _q_purpose(lang)
        elif name == "carrier":
            _q_carrier(bank, lang)
        else:
            _q_readers(lang)
        _nav(lang, step)
    _sync_url()

