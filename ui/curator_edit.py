"""Create, edit, duplicate and retire instruments through a form built from the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from tree import Databank, Instrument
from tree import describe as d
from tree.curate import history, review, store
from tree.curate.formspec import FieldSpec, choice_label, clean_record, field_help, field_specs, widget_label
from tree.databank import Problem, validation_problems
from tree.feedback.backend import default_store as default_feedback
from tree.fields import flatten
from tree.i18n import t, tm
from tree.recommend import Match
from tree.safe_text import md_inline

from . import cards, curator_inbox, curator_list, state

ss = st.session_state
NEW = curator_list.NEW
BOOL_CHOICES = ("onbekend", "ja", "nee")
#: How the three answers read (the stored values stay Dutch, as in the YAML).
BOOL_WORDS = {"onbekend": "common.unknown", "ja": "common.yes", "nee": "common.no"}


def _key(name: str) -> str:
    return f"f:{name}"


def _seed(record: dict[str, Any]) -> None:
    """Put a record into the form's widgets (once per opened record)."""
    flat = flatten(record)
    for spec in field_specs():
        value = flat.get(spec.path)
        if spec.kind == "bool":
            value = "onbekend" if value is None else ("ja" if value else "nee")
        elif spec.kind == "list":
            value = "; ".join(value or [])
        elif spec.kind in ("options", "ids", "multichoice"):
            value = list(value or [])
        elif spec.kind == "choice":
            value = value if value is not None else (spec.default or "")
        elif spec.kind == "date":
            value = value or dt.date.today()
        elif spec.kind == "sources":
            ss["ed_sources"] = pd.DataFrame(value or [], columns=["title", "url"])
            continue
        elif spec.kind in ("text", "longtext"):
            value = value or ""
        ss[_key(spec.path)] = value
    ss.pop("ed_sources_editor", None)


def _collect() -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for spec in field_specs():
        value = ss.get(_key(spec.path))
        if spec.kind == "bool":
            value = None if value in (None, "onbekend") else value == "ja"
        elif spec.kind == "list":
            value = [v.strip() for v in (value or "").split(";") if v.strip()]
        elif spec.kind == "int":
            value = int(value) if value is not None else None
        elif spec.kind == "number":
            value = int(value) if isinstance(value, float) and value.is_integer() else value
        elif spec.kind == "sources":
            edited = ss.get("ed_sources_value")
            frame = edited if isinstance(edited, pd.DataFrame) else ss.get("ed_sources")
            value = frame.fillna("").to_dict("records") if frame is not None else []
        raw[spec.path] = value
    return clean_record(raw)


def _open(bank: Databank, choice: str, duplicate: bool = False) -> None:
    if choice == NEW:
        ss.ed_target, ss.ed_digest, ss.ed_file = None, None, None
        _seed({"last_reviewed": dt.date.today()})
    else:
        opened = store.open_record(bank.path, choice)
        record = bank.instruments[choice].to_record() if choice in bank.instruments else {}
        if duplicate:
            record = {**record, "id": f"{choice}-kopie", "name": f"{record.get('name', choice)} (kopie)"}
            ss.ed_target, ss.ed_digest, ss.ed_file = None, None, None
        else:
            ss.ed_target, ss.ed_digest, ss.ed_file = choice, opened.digest, opened.file
        _seed(record)
    ss.ed_loaded = choice
    ss.pop("ed_conflict", None)
    ss.pop("ed_problems", None)


def _widget(bank: Databank, spec: FieldSpec, lang: str) -> None:
    label, help_ = widget_label(spec, lang), field_help(spec, lang) or None
    key = _key(spec.path)
    if spec.kind == "options":
        q = bank.taxonomy.question(spec.path)
        st.multiselect(
            label,
            [o.id for o in q.options],
            key=key,
            help=help_,
            format_func=lambda oid, q=q: d.option_label(bank, q.id, oid, lang),
        )
    elif spec.kind == "ids":
        # by name, so a curator can search "Jong Gierveld" rather than remember 'djg-11'; the id still shows
        st.multiselect(
            label, sorted(bank.instruments), key=key, help=help_,
            format_func=lambda i: f"{d.name_with_abbreviation(bank.instruments[i], lang)} ({i})"
            if i in bank.instruments else i,
        )
    elif spec.kind == "bool":
        # a toggle would force a guess; 'onbekend' must stay possible
        st.radio(
            label, BOOL_CHOICES, key=key, help=help_, horizontal=True, format_func=lambda v: t(lang, BOOL_WORDS[v])
        )
    elif spec.kind == "int":
        st.number_input(label, min_value=0, step=1, value=None, key=key, help=help_)
    elif spec.kind == "number":
        st.number_input(label, value=None, key=key, help=help_)
    elif spec.kind == "multichoice":
        st.multiselect(
            label, list(spec.choices), key=key, help=help_, format_func=lambda v: choice_label(spec.path, v, lang)
        )
    elif spec.kind == "choice":
        options = list(spec.choices) if spec.required or spec.default else ["", *spec.choices]
        st.selectbox(
            label, options, key=key, help=help_,
            format_func=lambda v: choice_label(spec.path, v, lang) if v else t(lang, "common.unknown"),
        )
    elif spec.kind == "date":
        st.date_input(label, key=key, help=help_, format="YYYY-MM-DD")
    elif spec.kind == "longtext":
        st.text_area(label, key=key, help=help_)
    elif spec.kind == "list":
        st.text_input(label, key=key, help=(help_ or "") + " " + t(lang, "curator.list_help"))
    elif spec.kind == "sources":
        # a table has no widget label: its name is a plain line above it and the grid's own
        # accessible name (the label's words are ours, no data, so nothing to escape)
        st.markdown(f"**{label}**", help=help_)
        ss.ed_sources_value = st.data_editor(
            ss.get("ed_sources", pd.DataFrame(columns=["title", "url"])),
            key="ed_sources_editor",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            alt=t(lang, "curator_form.sources_table"),
            column_config={
                "title": st.column_config.TextColumn(t(lang, "curator.source_title"), required=True),
                "url": st.column_config.LinkColumn(t(lang, "curator.source_url"), required=True),
            },
        )
    else:
        st.text_input(label, key=key, help=help_)


def _preview(bank: Databank, record: dict[str, Any], lang: str) -> Instrument | None:
    st.subheader(t(lang, "curator.preview"))
    try:
        inst = Instrument.model_validate(record)
    except ValidationError as err:
        for p in validation_problems(f"{record.get('id', '?')}.yaml", err, None):
            st.caption(f"⚠ {p.field}: {p.message}")
        return None
    cards.card(bank, Match(inst, (), ()), {}, lang, key="preview", actions=False)
    return inst


def _save(bank: Databank, user: str, record: dict[str, Any], lang: str, *, force: bool = False) -> None:
    expected = ss.ed_digest
    if force and ss.get("ed_conflict"):
        expected = store.digest(ss.ed_conflict.theirs)
    message = t("nl", "curator.commit_edit" if ss.ed_target else "curator.commit_new", id=record.get("id", "?"))
    report = _report()
    if report is not None:  # the change answers a report from practice: the history says which
        message += "\n\n" + report.history_note()
    try:
        if review.four_eyes():
            proposal = curator_inbox.queue().propose(
                bank.path, record, expected_digest=expected, author=user, message=message, taxonomy=bank.taxonomy,
                feedback=report.id if report is not None else None,
            )
            ss.pop("ed_problems", None)
            ss.pop("ed_conflict", None)
            ss.pop("ed_report", None)
            ss.ed_flash = t(lang, "inbox.proposed", id=proposal.id)
            return
        new_digest = store.save_record(
            bank.path,
            record,
            expected_digest=expected,
            author=user,
            message=message,
            taxonomy=bank.taxonomy,
        )
    except store.ValidationFailed as err:
        ss.ed_problems = err.problems
        return
    except history.HistoryError as err:  # e.g. a planted _history.jsonl link: refused, nothing written
        ss.ed_problems = [Problem(history.HISTORY_FILE, None, None, str(err))]
        return
    except store.Conflict as err:
        ss.ed_conflict = err
        return
    ss.ed_target, ss.ed_digest = record["id"], new_digest
    ss.ed_file = f"{record['id']}.yaml"
    ss.ed_loaded = record["id"]
    ss.pop("ed_problems", None)
    ss.pop("ed_conflict", None)
    if report is not None:
        default_feedback().decide(report.id, "verwerken", user)
        ss.pop("ed_report", None)
    ss.ed_flash = t(lang, "curator.saved", id=record["id"])  # shown after the rerun that follows


def _report():
    """The report from practice this edit answers (opened from the inbox), if any."""
    rid = ss.get("ed_report")
    if rid is None:
        return None
    try:
        return default_feedback().get(rid)
    except LookupError:
        ss.pop("ed_report", None)
        return None


def editor(bank: Databank, user: str) -> None:
    """The form for the record opened from the list above it (:mod:`ui.curator_list`)."""
    lang = state.lang()
    request = ss.pop(curator_list.REQUEST, None)
    if request:  # asked for in the list, before the form is drawn: seed the widgets now
        _open(bank, *request)
    if ss.get("ed_reopen"):  # asked for after the form was drawn: reload before drawing it again
        _open(bank, ss.pop("ed_reopen"))
    if ss.get("ed_draft"):  # a proposal from practice, as the start of a draft (status concept)
        ss.ed_target, ss.ed_digest, ss.ed_file = None, None, None
        _seed(ss.pop("ed_draft"))
        ss.ed_loaded = NEW
    if "ed_loaded" not in ss:  # the list above says how to open one
        return
    report = _report()
    if ss.get("ed_lang", lang) != lang and "ed_last" in ss:
        # The browser keeps a choice widget's value as the words it showed; after a language
        # switch those words match no option and the value would be dropped. Put back what the
        # form held (as ids) before the widgets are drawn in the new language.
        _seed(ss.ed_last)

    st.divider()
    if "ed_flash" in ss:
        st.success(ss.pop("ed_flash"))
    current = bank.instruments.get(ss.ed_target or "")
    st.subheader(md_inline(current.name) if current else t(lang, "curator.new"), anchor=False)
    st.markdown(tm(lang, "curator.editing", id=ss.ed_target or "-"))
    left, right = st.columns([3, 2])
    with left:
        for spec in field_specs():
            _widget(bank, spec, lang)
    record = _collect()
    ss.ed_last, ss.ed_lang = record, lang
    with right:
        if report is not None:  # beside the form, where the curator types the fix
            with st.container(border=True):
                st.markdown(f"**{t(lang, 'inbox.report_beside', id=report.id)}**")
                st.markdown(curator_inbox.item_text(report, lang))
        _preview(bank, record, lang)

    for p in ss.get("ed_problems", []):
        st.error(f"{p.field or '-'}: {p.message}")
    conflict = ss.get("ed_conflict")
    if conflict:
        st.error(t(lang, "curator.conflict"))
        theirs, mine = st.columns(2)
        theirs.markdown(f"**{t(lang, 'curator.theirs')}**")
        theirs.code(conflict.theirs, language="yaml")
        mine.markdown(f"**{t(lang, 'curator.mine')}**")
        mine.code(conflict.mine, language="yaml")
        with st.container(horizontal=True):
            if st.button(t(lang, "curator.keep_mine"), key="ed_force"):
                _save(bank, user, record, lang, force=True)
                st.rerun()
            if st.button(t(lang, "curator.take_theirs"), key="ed_reload"):
                ss.ed_reopen = ss.ed_target
                st.rerun()

    with st.container(horizontal=True):
        if st.button(t(lang, "curator.save"), type="primary", key="ed_save"):
            _save(bank, user, record, lang)
            st.rerun()
        if current is not None and current.active and st.button(t(lang, "curator.retire"), key="ed_retire"):
            _save(bank, user, {**record, "status": "ingetrokken"}, lang)
            st.rerun()
    if ss.get("ed_file"):
        record_history(bank, user, ss.ed_file, lang)


def record_history(bank: Databank, user: str, file: str, lang: str) -> None:
    with st.expander(t(lang, "curator.history")):
        entries = history.log(bank.path, file)
        if not entries:
            st.caption(t(lang, "curator.history_none"))
            return
        st.dataframe(
            pd.DataFrame([{"wanneer": e.time, "wie": e.author, "wat": e.message, "id": e.id[:10]} for e in entries]),
            hide_index=True,
            width="stretch",
        )
        pick = st.selectbox(
            t(lang, "curator.history_pick"),
            [e.id for e in entries],
            key="hist_pick",
            format_func=lambda i: next(
                f"{e.time:%Y-%m-%d %H:%M} · {e.author} · {e.message}" for e in entries if e.id == i
            ),
        )
        text = history.text_at(bank.path, file, pick)
        st.code(text or "", language="yaml")
        if st.button(t(lang, "curator.restore"), key="hist_restore"):
            try:
                store.restore(bank.path, file, pick, author=user)
            except store.ValidationFailed as err:
                for p in err.problems:
                    st.error(f"{p.field or '-'}: {p.message}")
            except history.HistoryError as err:
                st.error(str(err))
            else:
                ss.ed_reopen = ss.ed_target
                ss.ed_flash = t(lang, "curator.restored")
                st.rerun()
