"""The wizard's three kinds of screen: start, one question, results."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tree import BRANCHES, Databank, count_fitting, recommend
from tree import describe as d
from tree import refine as rf
from tree.i18n import t, tm
from tree.nudges import nudges as tree_nudges
from tree.safe_text import md, md_inline

from . import cards, practice_views, routes, state

ss = st.session_state
PAGE = 10  # result cards per "show more"


# --- start --------------------------------------------------------------------------------


def link_notice(lang: str) -> None:
    """What a shared link asked for that we ignored: said once, wherever the link landed."""
    notices = ss.get("link_notice", [])
    for qid, oid in notices[:5]:
        st.info(tm(lang, "results.link_ignored", question=qid, option=oid))
    if len(notices) > 5:
        st.info(t(lang, "results.link_ignored_more", n=len(notices) - 5))


def start(bank: Databank) -> None:
    lang = state.lang()
    st.title(t(lang, "start.title"))
    link_notice(lang)
    st.write(t(lang, "start.intro"))
    st.markdown(t(lang, "start.truths"))
    st.header(t(lang, "start.question_title"))
    st.write(t(lang, "start.question_help"))
    ss._vraag_input = ss.get("vraag", "")
    st.text_area(
        t(lang, "start.question_label"), key="_vraag_input", placeholder=t(lang, "start.question_placeholder"),
        max_chars=500, on_change=lambda: ss.update(vraag=ss._vraag_input.strip()),
    )
    st.caption(t(lang, "start.question_examples"))
    if st.button(t(lang, "start.begin"), type="primary", key="begin"):
        ss.vraag = ss._vraag_input.strip()
        state.go(1)
        st.rerun()
    st.caption(t(lang, "start.count", n=len(bank.active)))


# --- one question ---------------------------------------------------------------------------


def _on_multi(qid: str) -> None:
    options = [o.id for o in ss._bank_options[qid]]
    state.set_answer(qid, [o for o in options if ss.get(f"opt:{qid}:{o}")])


def _on_single(qid: str) -> None:
    value = ss.get(f"opt:{qid}")
    state.set_answer(qid, [value] if value else [])


def _clear_and_next(qid: str, step: int) -> None:
    state.set_answer(qid, [])
    state.go(step + 1)


def _add_option(qid: str, oid: str) -> None:
    current = state.answers()[qid]
    if oid not in current:
        state.set_answer(qid, [*current, oid])


def question(bank: Databank, step: int) -> None:
    lang = state.lang()
    qid = BRANCHES[step - 1]
    q = bank.taxonomy.question(qid)
    answers = state.answers()
    ss._bank_options = {x.id: x.options for x in bank.taxonomy.questions}

    st.progress(step / len(BRANCHES), text=t(lang, "wizard.progress", n=step, total=len(BRANCHES)))
    st.header(md_inline(q.label.get(lang)))
    st.markdown(md(q.help.get(lang)))

    others = {k: v for k, v in answers.items() if k != qid}

    def with_count(opt) -> str:
        n = count_fitting(bank, {**others, qid: [opt.id]})
        return f"{md_inline(opt.label.get(lang))} · {t(lang, 'wizard.option_count', n=n)}"

    if q.multiple:
        st.caption(t(lang, "wizard.pick_many"))
        for opt in q.options:
            key = f"opt:{qid}:{opt.id}"
            ss[key] = opt.id in answers[qid]
            with st.container(gap=None):
                st.checkbox(with_count(opt), key=key, on_change=_on_multi, args=(qid,))
                st.caption(md_inline(opt.explanation.get(lang)))
    else:
        key = f"opt:{qid}"
        ss[key] = answers[qid][0] if answers[qid] else ""
        ids = ["", *(o.id for o in q.options)]
        labels = {
            "": t(lang, "common.no_preference"),
            **{o.id: with_count(o) for o in q.options},
        }
        captions = [t(lang, "wizard.no_preference_help")] + [md_inline(o.explanation.get(lang)) for o in q.options]
        st.radio(
            md_inline(q.label.get(lang)), ids, key=key, format_func=labels.get, captions=captions,
            on_change=_on_single, args=(qid,), label_visibility="collapsed",
        )

    nudges(bank, qid, lang)
    n = count_fitting(bank, state.answers())
    (st.success if n else st.warning)(t(lang, "wizard.live_count" if n else "wizard.live_none", n=n))

    last = step == len(BRANCHES)
    with st.container(horizontal=True):
        st.button(t(lang, "wizard.back"), key=f"back:{qid}", on_click=state.go, args=(step - 1,))
        st.button(
            t(lang, "wizard.show_results" if last else "wizard.next"), key=f"next:{qid}", type="primary",
            on_click=state.go, args=(step + 1,),
        )
    if q.multiple:  # a single-choice question has 'geen voorkeur' as its first option already
        st.button(
            t(lang, "wizard.skip"), key=f"skip:{qid}", on_click=_clear_and_next, args=(qid, step),
            type="tertiary", help=t(lang, "wizard.skip_help"),
        )


def nudges(bank: Databank, qid: str, lang: str) -> None:
    """Domain truths at the moment they matter (which ones: :func:`tree.nudges.nudges`)."""
    chosen = state.answers()[qid]
    for n in tree_nudges(qid, chosen):
        show = st.warning if n.level == "warning" else st.info
        show(t(lang, f"nudge.{n.key}", n=len(chosen)))
        if n.add is not None:
            label = d.option_label(bank, *n.add, lang)
            st.button(
                tm(lang, "nudge.add_effect", option=label), key="nudge:effect", on_click=_add_option, args=n.add,
            )


# --- results --------------------------------------------------------------------------------


def _relax(qid: str) -> None:
    state.set_answer(qid, [])


def _refinement(lang: str) -> rf.Refinement:
    with st.expander(t(lang, "results.refine")):
        free = st.checkbox(t(lang, "results.free_only"), key="rf_free")
        quality = st.radio(
            t(lang, "results.quality_filter"), ["", "getoetst-nl", "getoetst"], key="rf_quality", horizontal=True,
            format_func=lambda v: t(lang, {"": "results.quality_any", "getoetst-nl": "results.quality_nl",
                                             "getoetst": "results.quality_tested"}[v]),
        )
        with st.popover(t(lang, "quality.help_title"), type="tertiary"):
            st.markdown(t(lang, "quality.help"))
        easy = st.checkbox(t(lang, "results.easy_read_only"), key="rf_easy")
        limit = st.checkbox(t(lang, "results.limit_minutes"), key="rf_limit")
        minutes = st.slider(
            t(lang, "results.max_minutes"), 5, 120, 30, step=5, key="rf_minutes", disabled=not limit,
        )
    return rf.Refinement(free, minutes if limit else None, quality or None, easy)


def answers_summary(bank: Databank, lang: str) -> None:
    st.markdown(f"**{t(lang, 'results.your_answers')}**")
    for n, (qid, (label, value)) in enumerate(zip(BRANCHES, d.answers_text(bank, state.answers(), lang), strict=True)):
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.markdown(f"{md_inline(label)}: **{md_inline(value)}**", width="content")
            st.button(
                t(lang, "results.change"), key=f"change:{qid}", on_click=state.go, args=(n + 1,), type="tertiary",
                help=tm(lang, "results.change_help", question=label),
            )


def results(bank: Databank) -> None:
    lang = state.lang()
    answers = state.answers()
    st.title(t(lang, "results.title"))
    if ss.get("vraag"):
        st.markdown(f"{t(lang, 'results.your_question')}: *{md_inline(ss.vraag)}*")
    link_notice(lang)

    with st.container(border=True):
        answers_summary(bank, lang)
    refinement = _refinement(lang)
    shown = ss.get("shown", PAGE)
    # refining needs the whole list; otherwise explain only the cards we draw
    practice = practice_views.practice_all()  # approved experiences only
    usage = {iid: p.organisations for iid, p in practice.items()}
    rec = recommend(bank, answers, limit=None if refinement.active else shown, usage=usage)
    exact, hidden_exact = rf.apply(rec.matches, refinement)
    near, hidden_near = rf.apply(rec.near, refinement)
    total = len(exact) if refinement.active else rec.exact_count
    exact = exact[:shown]

    if rec.exact_count:
        st.success(t(lang, "results.exact_count", n=rec.exact_count))
    else:
        st.warning(t(lang, "results.none_exact"))
        best = rec.best_relaxation
        if best:
            qlabel = d.question_label(bank, best.question, lang)
            st.button(
                tm(lang, "results.relax", question=qlabel, n=best.exact_count), type="primary",
                key="relax", on_click=_relax, args=(best.question,),
            )
    if refinement.active and (hidden_exact or hidden_near):
        st.caption(t(lang, "results.hidden_by_refine", n=hidden_exact + hidden_near))

    compare_bar(lang)
    headline = rec.headline
    if headline is not None:  # tellen én vertellen: the specific pair leads, before generic methods
        st.header(t(lang, "results.headline_title"))
        names = [d.name_with_abbreviation(p.instrument, lang) for p in headline.parts]
        st.markdown(tm(lang, "results.headline_help", numbers=names[0], stories=names[1]))
        for p in headline.parts:
            cards.card(bank, p, answers, lang, key="headline", bundle=headline, practice=practice)
    if exact:
        st.header(t(lang, "results.matches_title" if headline is None else "results.matches_title_after"))
    for m in exact:
        cards.card(bank, m, answers, lang, key="exact", practice=practice)
    if total > len(exact):
        st.button(
            t(lang, "results.show_more", n=min(PAGE, total - len(exact)), rest=total - len(exact)),
            key="show_more", on_click=lambda: ss.update(shown=shown + PAGE),
        )

    more_bundles = [b for b in rec.bundles if b is not headline]
    if more_bundles:
        st.header(t(lang, "results.bundles_title" if headline is None else "results.bundles_title_more"))
        st.write(t(lang, "results.bundles_help"))
        for n, b in enumerate(more_bundles):
            names = " + ".join(md_inline(d.name_with_abbreviation(p.instrument, lang)) for p in b.parts)
            with st.expander(f"{names}" + (f" · {t(lang, 'results.bundle_related')}" if b.related else "")):
                for p in b.parts:
                    cards.card(bank, p, answers, lang, key=f"bundle{n}", bundle=b, practice=practice)

    # an instrument already shown in a combination is not repeated as "nearly fitting" with a ✗
    in_bundles = {p.instrument.id for b in rec.bundles for p in b.parts}
    near = [m for m in near if m.instrument.id not in in_bundles]
    if near:
        st.header(t(lang, "results.near_title"))
        st.write(t(lang, "results.near_help", n=rec.near_misses))
        # when something fits, the near matches are a side road: folded, so a phone page stays
        # short and no near match sits between the fits and the rest of the advice
        folded = bool(exact) or headline is not None
        box = st.expander(t(lang, "results.near_open", n=len(near))) if folded else st.container()
        with box:
            for m in near:
                cards.card(bank, m, answers, lang, key="near", practice=practice)

    share_and_download(bank, rec, lang)
    practice_views.footer(bank, lang, "results")
    if st.button(t(lang, "results.restart"), key="restart"):
        state.reset()
        st.rerun()


def compare_bar(lang: str) -> None:
    chosen = ss.get("compare", [])
    if not chosen:
        st.caption(t(lang, "results.compare_hint", max=state.MAX_COMPARE))
        return
    with st.container(border=True):
        st.write(t(lang, "results.compare_count", n=len(chosen), max=state.MAX_COMPARE))
        if st.button(t(lang, "results.compare_go"), type="primary", disabled=len(chosen) < 2, key="compare_go"):
            st.switch_page(routes.COMPARE.file, query_params={**state.params(), "vergelijk": ",".join(chosen)})


def meetplan_entry(lang: str) -> None:
    """The next step after choosing: when, with whom, how much work, what may be stored."""
    with st.container(border=True):
        st.subheader(t(lang, "results.plan_heading"))
        st.write(t(lang, "results.plan_intro"))
        if st.button(t(lang, "results.plan_go"), type="primary", key="plan_go", icon=":material/event_note:"):
            for key in ("plan", "mp_step", "plan_notice"):
                ss.pop(key, None)  # a fresh plan from this advice
            st.switch_page(routes.MEETPLAN.file, query_params=state.params(
                vergelijk=",".join(ss.get("compare", [])) or None))


def share_and_download(bank: Databank, rec, lang: str) -> None:
    from tree import advice, advice_render

    meetplan_entry(lang)
    st.header(t(lang, "results.take_away"))
    base = str(st.context.url or "").split("?")[0] if hasattr(st.context, "url") else ""
    from tree.links import to_query

    link = f"{base}?{to_query(rec.answers, vraag=ss.get('vraag') or None, lang=lang if lang != 'nl' else None)}"
    st.write(t(lang, "results.share_help"))
    st.code(link, language=None, wrap_lines=True)
    doc = advice.build_advice(
        bank, rec, question=ss.get("vraag", ""), chosen=ss.get("compare", []), lang=lang, link=link,
        today=dt.date.today(),
    )
    left, right = st.columns(2)
    left.download_button(
        # deferred: the document is only rendered when someone clicks
        t(lang, "results.download_pdf"),
        data=lambda: advice_render.to_pdf(bank, doc),
        file_name="advies-meetinstrument.pdf",
        mime="application/pdf",
        type="primary",
        key="dl_pdf",
    )
    right.download_button(
        t(lang, "results.download_md"),
        data=lambda: advice_render.to_markdown(bank, doc),
        file_name="advies-meetinstrument.md",
        mime="text/markdown",
        key="dl_md",
    )
