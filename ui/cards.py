"""An instrument as a result card: what it is, why it fits, what it takes."""

from __future__ import annotations

import streamlit as st

from tree import Databank, Match
from tree import describe as d
from tree.i18n import t
from tree.recommend import Bundle
from tree.safe_text import md, md_inline

from . import practice_views, routes, state


def _toggle_compare(iid: str) -> None:
    chosen = list(st.session_state.get("compare", []))
    if iid in chosen:
        chosen.remove(iid)
    elif len(chosen) < state.MAX_COMPARE:
        chosen.append(iid)
    st.session_state.compare = chosen


def sources(inst, lang: str) -> None:
    with st.expander(t(lang, "card.sources", n=len(inst.sources))):
        for s in inst.sources:
            st.markdown(f"- [{md_inline(s.title)}]({s.url})")


def card(
    bank: Databank, match: Match, answers: dict[str, list[str]], lang: str, key: str, *, actions: bool = True,
    bundle: Bundle | None = None, practice: dict | None = None,
) -> None:
    """A result card; ``actions=False`` leaves out compare/details (the curator's preview).

    ``bundle``: the card is one half of a tellen-en-vertellen pair, which answers the type of
    data together; its own 'cijfers' or 'verhalen' is then no miss.
    """
    inst = match.instrument
    with st.container(border=True):
        st.subheader(md_inline(d.name_with_abbreviation(inst, lang)), anchor=False)
        reviewed = inst.last_reviewed.isoformat()
        st.caption(f"{d.kind_label(inst, lang)} · {t(lang, 'describe.last_reviewed')}: {reviewed}")
        st.markdown(md(d.summary(inst, lang)))
        for caveat in d.caveats(inst, lang):
            st.warning(md_inline(caveat), icon=":material/info:")
        lines = [f"✓ {md_inline(line)}" for line in (d.fit_line(bank, f, lang) for f in match.fits)]
        for q in match.misses:
            if bundle is not None and q == "gegevens":
                lines.append(f"✓ {md_inline(d.bundle_line(bank, bundle, inst, lang))}")
            else:
                lines.append(f"✗ {md_inline(d.miss_line(bank, match, q, answers, lang))}")
        if lines:
            title = t(lang, "card.why") if match.exact else t(lang, "card.why_near")
            st.markdown(f"**{title}**  \n" + "  \n".join(lines))
        facts = dict(d.facts(bank, inst, lang))
        shown = [
            "describe.for_whom", "describe.items", "describe.minutes", "describe.administered_by",
            "describe.cost", "describe.training", "describe.quality",
        ]
        st.markdown("\n".join(f"- **{t(lang, k)}:** {md_inline(facts[t(lang, k)])}" for k in shown))
        if inst.url:
            st.markdown(f"**{t(lang, 'describe.where')}:** [{md_inline(inst.url)}]({inst.url})")
        sources(inst, lang)
        if practice is not None:
            practice_views.practice_block(practice.get(inst.id), lang)
        if not actions:
            return
        left, right = st.columns(2)
        chosen = inst.id in st.session_state.get("compare", [])
        full = len(st.session_state.get("compare", [])) >= state.MAX_COMPARE
        left.checkbox(
            t(lang, "card.compare"), value=chosen, key=f"cmp:{key}:{inst.id}",
            disabled=full and not chosen, on_change=_toggle_compare, args=(inst.id,),
        )
        if right.button(t(lang, "card.details"), key=f"det:{key}:{inst.id}"):
            st.switch_page(routes.INSTRUMENT.file, query_params={"id": inst.id, **state.params()})
        practice_views.on_card(bank, inst, lang, key)
