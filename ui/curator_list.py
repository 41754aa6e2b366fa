"""The curator's list of every record: search, filter, sort, then open one in the editor.

The table and its filters come from :mod:`tree.curate.record_list`; this module only draws them.
It is a fragment: typing in the search box or ticking a filter redraws the list, not the whole
workspace with its coverage matrix and a 50-field form.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import streamlit as st

from tree import Databank
from tree.curate import record_list as rl
from tree.curate.formspec import choice_label, field_label, field_specs
from tree.i18n import t, tm
from tree.schema import QUALITIES

from . import state

ss = st.session_state
#: The editor picks this up on the next full run (see :func:`ui.curator_edit.editor`).
REQUEST = "ed_request"
NEW = "__nieuw__"
#: The choice filters whose shown words change with the language.
FILTER_KEYS = ("rl_sort", "rl_status", "rl_quality", "rl_doelgroep", "rl_thema")


def _request(choice: str, duplicate: bool = False) -> None:
    """Ask the editor to open a record and rerun the whole page: the form lives outside this
    fragment, and its widgets may only be seeded before they are drawn."""
    ss[REQUEST] = (choice, duplicate)
    st.rerun(scope="app")


def _filters(bank: Databank, lang: str) -> tuple[rl.ListFilter, str]:
    """The filter widgets; kept for the session, so a curator who checks a record in the
    wizard comes back to the same list."""
    keep = {"persist_state": "session"}
    last = ss.get("rl_last")
    if last and last[0] != lang:
        # a choice widget's value travels as the words it showed; after a language switch they
        # match no option and the filter would be dropped: put back the values (ids) it had
        ss.update(last[1])
    search, sort = st.columns([3, 1], vertical_alignment="bottom")
    text = search.text_input(
        t(lang, "curator_list.search"), key="rl_text", type="search", live="300ms",
        placeholder=t(lang, "curator_list.search_placeholder"), help=t(lang, "curator_list.search_help"), **keep,
    )
    order = sort.selectbox(
        t(lang, "curator_list.sort"), rl.SORTS, key="rl_sort", format_func=lambda s: t(lang, f"curator_list.sort_{s}"),
        **keep,
    )
    cols = st.columns(5, vertical_alignment="bottom")
    everything = t(lang, "curator_list.all")
    statuses = next(s.choices for s in field_specs() if s.path == "status")
    status = cols[0].multiselect(
        field_label("status", lang), statuses, key="rl_status", placeholder=everything,
        format_func=lambda v: choice_label("status", v, lang), **keep,
    )
    quality = cols[1].multiselect(
        field_label("quality", lang), [*QUALITIES, rl.NO_QUALITY], key="rl_quality", placeholder=everything,
        format_func=lambda v: choice_label("quality", v, lang) if v else t(lang, "curator_list.no_quality"), **keep,
    )
    groups = {}
    for col, qid in ((cols[2], "doelgroep"), (cols[3], "thema")):
        q = bank.taxonomy.question(qid)
        labels = {o.id: o.label.get(lang) for o in q.options}
        groups[qid] = col.multiselect(
            field_label(qid, lang), list(labels), key=f"rl_{qid}", placeholder=everything,
            format_func=lambda o, labels=labels: labels.get(o, o), **keep,
        )
    before = cols[4].date_input(
        t(lang, "curator_list.reviewed_before"), value=None, key="rl_reviewed", format="YYYY-MM-DD",
        min_value=dt.date(1990, 1, 1), help=t(lang, "curator_list.reviewed_before_help"), **keep,
    )
    with st.container(horizontal=True, vertical_alignment="center"):
        missing = st.checkbox(
            t(lang, "curator_list.missing_only"), key="rl_missing", help=t(lang, "curator_list.missing_only_help"),
            **keep,
        )
        st.space("stretch")
        if st.button(t(lang, "curator.new"), key="ed_new", icon=":material/add:"):
            _request(NEW)
    chosen = rl.ListFilter(
        text=text or "",
        status=frozenset(status),
        quality=frozenset(quality),
        doelgroep=frozenset(groups["doelgroep"]),
        thema=frozenset(groups["thema"]),
        missing_only=missing,
        reviewed_before=before,
    )
    ss.rl_last = (lang, {k: ss[k] for k in FILTER_KEYS if k in ss})
    return chosen, order


def _column_config(lang: str) -> dict:
    """Column names in the page's language; widths so the triage facts show without scrolling
    at 1400 px (the lists of doelgroepen and thema's may scroll)."""

    def label(path: str) -> str:
        return field_label(path, lang)

    return {
        "name": st.column_config.TextColumn(label("name"), width=340),
        "status": st.column_config.TextColumn(label("status"), width="small"),
        "quality": st.column_config.TextColumn(label("quality"), width=230),
        "last_reviewed": st.column_config.DateColumn(label("last_reviewed"), format="YYYY-MM-DD", width=130),
        "missing_count": st.column_config.NumberColumn(
            t(lang, "curator_list.missing_count"), help=t(lang, "curator_list.missing_count_help"), width="small"
        ),
        "missing": st.column_config.ListColumn(t(lang, "curator_list.missing"), width="medium"),
        "kind": st.column_config.TextColumn(label("kind"), width=140),
        "doelgroep": st.column_config.ListColumn(label("doelgroep"), width="medium"),
        "thema": st.column_config.ListColumn(label("thema"), width="medium"),
        "id": st.column_config.TextColumn(label("id"), width="medium"),
    }


@st.fragment
def record_list(bank: Databank) -> None:
    """Filters and Nieuw instrument, the table, and Openen / Dupliceren for the chosen row."""
    lang = state.lang()
    f, sort = _filters(bank, lang)
    table = rl.record_table(bank, lang, f, sort)
    ids = list(table["id"])
    st.caption(t(lang, "curator_list.count", shown=len(ids), total=len(bank.instruments)))
    # A selection is a row position in the table as it was drawn. The key follows the rows'
    # order, so another filter or sort starts a fresh table instead of carrying a position
    # over to a different record.
    key = "rl_table:" + hashlib.sha1("\n".join(ids).encode()).hexdigest()[:12]
    event = st.dataframe(
        table, key=key, on_select="rerun", selection_mode="single-row", hide_index=True, height=420,
        column_config=_column_config(lang), alt=t(lang, "curator_list.table"), placeholder="",
    )
    rows = [r for r in event.selection.rows if r < len(ids)]
    # one row left after a search: that is the one meant, no need to click it
    chosen = ids[rows[0]] if rows else (ids[0] if len(ids) == 1 else None)

    with st.container(horizontal=True, vertical_alignment="center"):
        if not ids:
            st.caption(t(lang, "curator_list.none"), width="stretch")
        elif chosen is None:
            st.caption(t(lang, "curator_list.choose"), width="stretch")
        else:
            st.markdown(tm(lang, "curator_list.chosen", name=bank.instruments[chosen].name, id=chosen), width="stretch")
        if st.button(t(lang, "curator.open"), key="ed_open", type="primary", disabled=chosen is None):
            _request(chosen)
        if st.button(t(lang, "curator.duplicate"), key="ed_duplicate", disabled=chosen is None):
            _request(chosen, duplicate=True)
