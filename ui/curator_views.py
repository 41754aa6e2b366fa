"""The curator's overview, answer options and spreadsheet round trip."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import subprocess

import altair as alt
import pandas as pd
import streamlit as st

from tree import Databank, coverage, export, rules
from tree import describe as d
from tree.curate import bulk, commit, dashboard, imports, linkcheck, store, sync, taxonomy_edit
from tree.curate.formspec import field_label
from tree.i18n import t

from . import frame, state

ss = st.session_state


# --- overview -------------------------------------------------------------------------------


def _table_or_success(rows: list[dict], all_clear: str) -> None:
    """A dashboard section: its rows as a table, or one green line saying there is nothing to do."""
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.success(all_clear)


def _highlight_gaps(value: int) -> str:
    if value == 0:
        return "background-color: #F8D7DA; color: #58151C"
    if value < coverage.MIN_PER_OPTION:
        return "background-color: #FFF3CD; color: #4D3A00"
    return ""


#: Heat map bands and their colours: the same red / yellow as the table, a pale green for enough.
_BANDS = {"none": "#F8D7DA", "thin": "#FFF3CD", "ok": "#E3F1EA"}
_INK = "#101412"  # the theme's text colour: the default pale axis labels are hard to read


def _matrix_chart(cells: pd.DataFrame) -> alt.LayerChart:
    """Doelgroep × thema as coloured cells with their counts, in the taxonomy's order."""
    base = alt.Chart(cells).encode(
        x=alt.X(
            "thema:N", sort=list(dict.fromkeys(cells["thema"])), title=None,
            axis=alt.Axis(
                orient="top", labelAngle=-40, labelLimit=260, labelOverlap=False, labelFontSize=13, labelColor=_INK
            ),
        ),
        y=alt.Y(
            "doelgroep:N", sort=list(dict.fromkeys(cells["doelgroep"])), title=None,
            axis=alt.Axis(labelLimit=260, labelFontSize=13, labelColor=_INK),
        ),
        tooltip=[alt.Tooltip("doelgroep:N"), alt.Tooltip("thema:N"), alt.Tooltip("n:Q")],
    )
    colours = alt.Color("band:N", scale=alt.Scale(domain=list(_BANDS), range=list(_BANDS.values())), legend=None)
    cells_layer = base.mark_rect(stroke="white", strokeWidth=2).encode(color=colours)
    counts = base.mark_text(fontSize=13, color=_INK).encode(text="n:Q")
    # room on the right for the last slanted label
    return (cells_layer + counts).properties(
        height=alt.Step(32), padding={"left": 5, "top": 5, "bottom": 5, "right": 70}
    )


def open_workspace(bank: Databank) -> Databank:
    """Once per session: finish a save a killed process left half done, and pull others' changes."""
    if not ss.get("_workspace_opened"):
        ss._workspace_opened = True
        commit.recover(bank.path)
        with contextlib.suppress(store.Conflict, OSError, subprocess.CalledProcessError):
            sync.pull(bank.path)  # a conflict is kept in the sync state and shown below
        return frame.databank()
    return bank


def sync_panel(bank: Databank, lang: str) -> None:
    """Where the databank's edits go: the remote, pending changes, last push and pull, conflicts."""
    s = sync.state(bank.path)
    st.subheader(t(lang, "curator.sync"))
    if s.remote is None:
        st.caption(t(lang, "curator.sync_off"))
        return
    cols = st.columns(4)
    cols[0].metric(t(lang, "curator.sync_remote"), s.remote)
    cols[1].metric(t(lang, "curator.sync_pending"), s.pending)
    cols[2].metric(t(lang, "curator.sync_push"), (s.last_push or "-").replace("T", " ")[:16])
    cols[3].metric(t(lang, "curator.sync_pull"), (s.last_pull or "-").replace("T", " ")[:16])
    if s.last_error:
        st.warning(t(lang, "curator.sync_error", error=s.last_error))
    found = sync.conflict_texts(bank.path)
    if found:
        file, theirs, mine = found
        st.error(t(lang, "curator.sync_conflict", file=file))
        left, right = st.columns(2)
        left.caption(t(lang, "curator.theirs"))
        left.code(theirs, language="yaml")
        right.caption(t(lang, "curator.mine"))
        right.code(mine, language="yaml")
        if st.button(t(lang, "curator.sync_resolved"), key="sync_resolved"):
            sync.resolve_conflict(bank.path)
            st.rerun()


def overview(bank: Databank) -> None:
    lang = state.lang()
    sync_panel(bank, lang)
    active = bank.active
    problems = [*bank.problems, *rules.databank_problems(bank), *coverage.load_plan(bank)[1]]
    cols = st.columns(4)
    cols[0].metric(t(lang, "curator.m_active"), len(active))
    cols[1].metric(t(lang, "curator.m_retired"), len(bank.instruments) - len(active))
    cols[2].metric(t(lang, "curator.m_problems"), len(problems))
    stale = dashboard.stale(bank, dt.date.today())
    cols[3].metric(t(lang, "curator.m_stale"), len(stale))

    st.subheader(t(lang, "curator.problems"))
    _table_or_success(
        [{"bestand": p.file, "regel": p.line, "veld": p.field, "probleem": p.message} for p in problems],
        t(lang, "curator.no_problems"),
    )

    st.subheader(t(lang, "curator.matrix"))
    st.caption(t(lang, "curator.matrix_help"))
    matrix = coverage.matrix(bank)
    # 13 thema's do not fit side by side as table columns even on a wide page: a heat map with
    # slanted labels shows every cell at once; the exact table stays one click away
    st.altair_chart(
        _matrix_chart(dashboard.coverage_cells(bank, lang)), width="stretch", alt=t(lang, "curator.matrix")
    )
    with st.expander(t(lang, "curator.matrix_table")):
        frame = pd.DataFrame(matrix).T
        frame.index = [d.option_label(bank, "doelgroep", o, lang) for o in frame.index]
        frame.columns = [d.option_label(bank, "thema", o, lang) for o in frame.columns]
        st.dataframe(frame.style.map(_highlight_gaps), width="stretch")

    st.subheader(t(lang, "curator.pairs"))
    st.caption(t(lang, "curator.pairs_help"))
    _table_or_success(
        [
            {
                "doelgroep": d.option_label(bank, "doelgroep", g.doelgroep, lang),
                "thema": d.option_label(bank, "thema", g.thema, lang),
                "via bredere optie": g.via_broader,
            }
            for g in coverage.pair_gaps(bank)
        ],
        t(lang, "curator.no_pairs"),
    )

    st.subheader(t(lang, "curator.thin"))
    thin = [c for c in coverage.option_coverage(bank) if c.thin]
    _table_or_success(
        [
            {
                "vraag": c.question,
                "optie": d.option_label(bank, c.question, c.option, lang),
                "direct": c.direct,
                "incl. breder": c.effective,
            }
            for c in thin
        ],
        t(lang, "curator.no_thin", n=coverage.MIN_PER_OPTION),
    )

    st.subheader(t(lang, "curator.stale", years=dashboard.REVIEW_YEARS))
    _table_or_success(
        [{"id": i.id, "naam": i.name, "laatst gecontroleerd": i.last_reviewed} for i in stale],
        t(lang, "curator.no_stale"),
    )

    st.subheader(t(lang, "curator.missing"))
    st.caption(t(lang, "curator.missing_help"))
    missing = dashboard.missing_recommended(bank)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": m.instrument.id,
                    "naam": m.instrument.name,
                    "ontbreekt": ", ".join(field_label(f, lang) for f in m.fields),
                }
                for m in missing
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    st.subheader(t(lang, "curator.links"))
    st.caption(t(lang, "curator.links_help"))
    if st.button(t(lang, "curator.links_run"), key="links_run"):
        urls = linkcheck.instrument_urls(bank)
        with st.spinner(t(lang, "curator.links_busy", n=len(urls))):
            ss.link_results = linkcheck.check_links(list(urls))
        ss.link_users = urls
    results = ss.get("link_results")
    if results:
        rows = [
            {
                "status": r.status,
                "url": r.url,
                "detail": r.detail,
                "instrumenten": ", ".join(ss.link_users.get(r.url, [])),
            }
            for r in results.values()
        ]
        order = {"broken": 0, "not_checked": 1, "ok": 2}
        st.dataframe(pd.DataFrame(sorted(rows, key=lambda r: order[r["status"]])), hide_index=True, width="stretch")


# --- answer options -------------------------------------------------------------------------


def options(bank: Databank, user: str) -> None:
    lang = state.lang()
    qid = st.selectbox(
        t(lang, "curator.question"),
        [q.id for q in bank.taxonomy.questions],
        format_func=lambda q: d.question_label(bank, q, lang),
        key="opt_question",
    )
    q = bank.taxonomy.question(qid)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": o.id,
                    "label (nl)": o.label.nl,
                    "label (en)": o.label.en,
                    "breder": o.broader or "",
                    "instrumenten": len(taxonomy_edit.usage(bank, qid, o.id)),
                }
                for o in q.options
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    with st.expander(t(lang, "curator.edit_question")), st.form(f"edit_question:{qid}"):
        label_nl = st.text_input(t(lang, "curator.label_nl"), q.label.nl)
        label_en = st.text_input(t(lang, "curator.label_en"), q.label.en)
        help_nl = st.text_area(t(lang, "curator.help_nl"), q.help.nl)
        help_en = st.text_area(t(lang, "curator.help_en"), q.help.en)
        if st.form_submit_button(t(lang, "curator.save"), type="primary"):
            _write_taxonomy(
                bank, user,
                lambda data: taxonomy_edit.edit_question(
                    data, qid, label={"nl": label_nl, "en": label_en}, help={"nl": help_nl, "en": help_en}
                ),
                t("nl", "curator.commit_edit_question", question=qid),
            )

    st.markdown(f"**{t(lang, 'curator.add_option')}**")
    with st.form("add_option", clear_on_submit=True):
        new_id = st.text_input("id", help=t(lang, "curator.id_help"))
        nl, en = st.text_input(t(lang, "curator.label_nl")), st.text_input(t(lang, "curator.label_en"))
        exp_nl = st.text_input(t(lang, "curator.explanation_nl"))
        exp_en = st.text_input(t(lang, "curator.explanation_en"))
        broader = st.selectbox(t(lang, "curator.broader"), ["", *(o.id for o in q.options)])
        if st.form_submit_button(t(lang, "curator.add"), type="primary"):
            option = {"id": new_id.strip(), "label": {"nl": nl, "en": en}, "explanation": {"nl": exp_nl, "en": exp_en}}
            if broader:
                option["broader"] = broader
            _write_taxonomy(
                bank,
                user,
                lambda data: taxonomy_edit.add_option(data, qid, option),
                t("nl", "curator.commit_add_option", id=new_id, question=qid),
            )

    st.markdown(f"**{t(lang, 'curator.rename_or_remove')}**")
    target = st.selectbox(t(lang, "curator.option"), [o.id for o in q.options], key="opt_target")
    used = taxonomy_edit.usage(bank, qid, target)
    st.caption(t(lang, "curator.used_by", n=len(used), ids=", ".join(used) or "-"))
    opt = bank.taxonomy.option(qid, target)
    with st.expander(t(lang, "curator.edit_option")), st.form(f"edit_option:{qid}:{target}"):
        o_nl = st.text_input(t(lang, "curator.label_nl"), opt.label.nl)
        o_en = st.text_input(t(lang, "curator.label_en"), opt.label.en)
        e_nl = st.text_input(t(lang, "curator.explanation_nl"), opt.explanation.nl)
        e_en = st.text_input(t(lang, "curator.explanation_en"), opt.explanation.en)
        others = ["", *(o.id for o in q.options if o.id != target)]
        broader = st.selectbox(t(lang, "curator.broader"), others, index=others.index(opt.broader or ""))
        if st.form_submit_button(t(lang, "curator.save"), type="primary"):
            _write_taxonomy(
                bank, user,
                lambda data: taxonomy_edit.edit_option(
                    data, qid, target, label={"nl": o_nl, "en": o_en}, explanation={"nl": e_nl, "en": e_en},
                    broader=broader or None,
                ),
                t("nl", "curator.commit_edit_option", id=target, question=qid),
            )
    new_name = st.text_input(t(lang, "curator.new_id"), key="opt_new_id")
    with st.container(horizontal=True):
        if st.button(t(lang, "curator.rename"), key="opt_rename", disabled=not new_name.strip()):
            try:
                changed = taxonomy_edit.rename_option(bank, qid, target, new_name.strip(), author=user)
            except (ValueError, store.ValidationFailed) as err:
                st.error(str(err))
            else:
                st.success(t(lang, "curator.renamed", n=len(changed)))
        if st.button(t(lang, "curator.remove"), key="opt_remove"):
            try:
                taxonomy_edit.remove_option(bank, qid, target, author=user)
            except taxonomy_edit.OptionInUse as err:
                st.error(t(lang, "curator.in_use", ids=", ".join(err.instruments)))
            except (ValueError, store.ValidationFailed) as err:
                st.error(str(err))
            else:
                st.success(t(lang, "curator.removed"))


def _write_taxonomy(bank: Databank, user: str, change, message: str) -> None:
    """Apply ``change`` to the questions file (comments kept) and save it in one recorded change."""
    data, text = taxonomy_edit.load_questions(bank.path)
    try:
        new = change(data)  # each edit returns the changed data (add_option returns a copy)
        taxonomy_edit.save_questions(bank.path, new, expected_digest=store.digest(text), author=user, message=message)
    except store.ValidationFailed as err:
        for p in err.problems:
            st.error(f"{p.field or '-'}: {p.message}")
    except (ValueError, store.Conflict) as err:
        st.error(str(err))
    else:
        st.success(t(state.lang(), "curator.saved", id=message))


# --- spreadsheets ---------------------------------------------------------------------------


def spreadsheets(bank: Databank, user: str) -> None:
    lang = state.lang()
    with st.container(horizontal=True):
        st.download_button(
            t(lang, "curator.export_csv"),
            data=lambda: export.to_csv(bank),
            file_name="beslisboom-instrumenten.csv",
            mime="text/csv",
            key="exp_csv",
        )
        st.download_button(
            t(lang, "curator.export_xlsx"),
            data=lambda: bulk.to_excel(bank),
            file_name="beslisboom-instrumenten.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="exp_xlsx",
        )
    st.subheader(t(lang, "curator.import"))
    st.caption(t(lang, "curator.import_help"))
    upload = st.file_uploader(t(lang, "curator.import_file"), type=["csv", "xlsx"], key="imp_file")
    if upload is None:
        return
    # one preview per uploaded file and databank state: Streamlit reruns this page on every click,
    # and a 10,000-row sheet must not be read and checked again each time
    data = upload.getvalue()
    cache_key = (hashlib.sha1(data).hexdigest(), upload.name, bank.version)
    if ss.get("imp_preview_key") != cache_key:
        try:
            rows = bulk.read_sheet(data, upload.name)
        except Exception as err:  # a sheet we cannot read at all: say so, lose nothing
            st.error(t(lang, "curator.import_unreadable", error=str(err)))
            return
        ss.imp_preview = imports.preview_import(bank, rows)
        ss.imp_preview_key = cache_key
    results = ss.imp_preview
    counts = {s: sum(r.status == s for r in results) for s in ("added", "changed", "unchanged", "invalid")}
    st.write(t(lang, "curator.import_counts", **counts))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "rij": r.row,
                    "id": r.id,
                    "status": r.status,
                    "wijzigingen": ", ".join(r.changes),
                    "problemen": "; ".join(f"{p.field}: {p.message}" for p in r.problems),
                }
                for r in results
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    writable = [r for r in results if r.status in ("added", "changed")]
    if st.button(
        t(lang, "curator.import_apply", n=len(writable)), type="primary", key="imp_apply", disabled=not writable
    ):
        n = imports.apply_import(bank, writable, author=user)
        st.success(t(lang, "curator.import_done", n=n))
