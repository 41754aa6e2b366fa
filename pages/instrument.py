"""Everything the databank knows about one instrument."""

import streamlit as st

from tree import describe as d
from tree.i18n import t, tm
from tree.safe_text import md, md_inline
from ui import frame, practice_views, routes, state

bank = frame.setup()
lang = state.lang()
iid = st.query_params.get("id") or state.ss.get("detail")
inst = bank.instruments.get(iid or "")
if inst is None or not inst.active:
    st.warning(tm(lang, "detail.unknown", id=iid or "-"))
else:
    state.ss.detail = inst.id
    st.title(md_inline(d.name_with_abbreviation(inst, lang)))
    if inst.name_en and lang == "nl":
        st.caption(md_inline(inst.name_en))
    st.markdown(md(d.summary(inst, lang)))
    for caveat in d.caveats(inst, lang):
        st.warning(md_inline(caveat), icon=":material/info:")
    rows = [
        *d.facts(bank, inst, lang),
        (t(lang, "describe.themes"), d.option_labels(bank, "thema", inst.thema, lang)),
        (t(lang, "describe.what"), d.option_labels(bank, "meten", inst.meten, lang)),
        (t(lang, "plan.f_reading"), d.scoring_text(inst, lang) or t(lang, "common.unknown")),
        (t(lang, "detail.languages"), d.language_names(inst, lang) or t(lang, "common.unknown")),
        (t(lang, "detail.authors"), inst.authors or t(lang, "common.unknown")),
        (t(lang, "detail.year"), str(inst.year) if inst.year else t(lang, "common.unknown")),
    ]
    # one table with a header over each column (st.table of a dict left the label column unnamed)
    st.markdown("\n".join([f"| {t(lang, 'detail.fact')} | {t(lang, 'detail.value')} |", "|---|---|",
                            *(f"| {md_inline(label)} | {md_inline(value)} |" for label, value in rows)]))
    st.subheader(t(lang, "detail.quality"))
    st.markdown(f"**{md_inline(d.quality_text(inst, lang))}**")
    note = d.text(inst, "quality_note", lang)
    if note:
        st.markdown(md(note))
    if inst.quality_basis and inst.quality_basis.url:
        st.markdown(f"[{md_inline(inst.quality_basis.reference)}]({inst.quality_basis.url})")
    st.caption(t(lang, "detail.quality_help"))
    with st.expander(t(lang, "quality.help_title")):
        st.markdown(t(lang, "quality.help"))
    if inst.url:
        st.link_button(t(lang, "describe.where"), inst.url)
    st.subheader(t(lang, "detail.sources"))
    for s in inst.sources:
        st.markdown(f"- [{md_inline(s.title)}]({s.url})")
    if inst.related:
        st.subheader(t(lang, "detail.related"))
        for rid in inst.related:
            if rid in bank.instruments and bank.instruments[rid].active:
                st.markdown(f"- {md_inline(d.name_with_abbreviation(bank.instruments[rid], lang))}")
    st.subheader(t(lang, "practice.heading"))
    practice_views.practice_block(practice_views.practice_all().get(inst.id), lang)
    with st.expander(t(lang, "practice.report"), icon=":material/flag:"):
        practice_views.report_form(bank, inst, lang, "detail:r")
    with st.expander(t(lang, "practice.used"), icon=":material/rate_review:"):
        practice_views.experience_form(bank, inst, lang, "detail:e")
if st.button(t(lang, "detail.back"), type="primary", key="detail_back"):
    st.switch_page(routes.WIZARD.file, query_params=state.params())
practice_views.footer(bank, lang, "detail")
