"""The curator's inbox: what practice sent in, and (with four eyes) colleagues' changes to approve.

One queue with filters and counts. A fault report opens the record's editor with the report
beside it; accepting it records the change with the report in the history message. A proposal
becomes a draft record (status ``concept``), invisible to the wizard until a curator completes,
validates and publishes it. Every decision is kept in the store.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from tree import Databank, describe
from tree.curate import record_diff, review, store
from tree.feedback.backend import default_store
from tree.feedback.store import BadDecision, Item
from tree.feedback.submissions import KINDS as KINDS_SHOWN
from tree.i18n import t
from tree.safe_text import md_inline
from tree.workshop.backend import default_database

from . import state

ss = st.session_state

#: Curators work in the Netherlands; a server in UTC (a container) must not show times an hour off.
TIME_ZONE = ZoneInfo("Europe/Amsterdam")


def local_time(moment: dt.datetime) -> str:
    return moment.astimezone(TIME_ZONE).strftime("%Y-%m-%d %H:%M")


def queue() -> review.ReviewQueue:
    return review.ReviewQueue(default_database())


def _counts(lang: str) -> None:
    counts = default_store().counts()
    cols = st.columns(len(KINDS_SHOWN))
    for col, kind in zip(cols, KINDS_SHOWN, strict=True):
        col.metric(t(lang, f"inbox.kind_{kind}"), counts.get((kind, "nieuw"), 0), help=t(lang, "inbox.count_help"))


def item_text(item: Item, lang: str) -> str:
    f = item.fields
    def line(key: str, value: object) -> str:  # the curator's words, not the visitor's question
        return f"**{t(lang, f'inbox.l_{key}')}:** {md_inline(str(value))}"

    if item.kind == "melding":
        lines = [line("field", f.get("field", "")), line("should_be", f.get("should_be", ""))]
        if f.get("source"):
            lines.append(line("source", f["source"]))
    elif item.kind == "ervaring":
        lines = [line("for_whom", f.get("for_whom", ""))]
        for key in ("participants", "minutes", "organisation"):
            if f.get(key):
                lines.append(line(key, f[key]))
        lines.append(line("helped", t(lang, "practice.helped_" + str(f.get("helped")))))
        if f.get("story"):
            lines.append(f"> {md_inline(f['story'])}")
    else:
        lines = [line("name", f.get("name", "")), line("what", f.get("what", ""))]
        for key in ("url", "for_whom"):
            if f.get(key):
                lines.append(line(key, f[key]))
    if item.email:
        lines.append(f"**{t(lang, 'inbox.reply_to')}:** {md_inline(item.email)}")
    return "  \n".join(lines)


def _title(bank: Databank, item: Item, lang: str, pending: bool = False) -> str:
    inst = bank.instruments.get(item.instrument or "")
    about = describe.name_with_abbreviation(inst, lang) if inst else (item.fields.get("name") or "")
    when = local_time(item.created)
    title = f"#{item.id} · {t(lang, f'inbox.item_{item.kind}')} · {md_inline(about)} · {when}"
    return f"{title} · {t(lang, 'inbox.title_pending')}" if pending else title


def _decide(item: Item, action: str, user: str, lang: str, **kw) -> None:
    try:
        default_store().decide(item.id, action, user, **kw)  # type: ignore[arg-type]
    except BadDecision as err:
        ss.inbox_error = str(err)
        return
    ss.inbox_flash = t(lang, f"inbox.done_{action}", id=item.id)


def _actions(bank: Databank, item: Item, user: str, lang: str, others: list[Item],
             pending: review.Proposal | None = None) -> None:
    """Approve, open, reject or merge one submission; ``others`` are the ones it may be merged into."""
    key = f"inbox:{item.id}"
    if pending is not None:  # its fix waits for a second curator: no second fix, no rejection now
        st.info(t(lang, "inbox.report_pending", change=pending.id, author=md_inline(pending.author)))
        return
    with st.container(horizontal=True):
        if item.kind == "melding" and item.instrument in bank.instruments:
            st.button(t(lang, "inbox.open_editor"), key=f"{key}:edit", type="primary", on_click=_to_editor,
                      args=(lang, item.id), kwargs={"reopen": item.instrument})
        if item.kind == "ervaring":
            st.button(t(lang, "inbox.approve"), key=f"{key}:ok", type="primary", on_click=_decide,
                      args=(item, "goedkeuren", user, lang))
        if item.kind == "voorstel":
            st.button(t(lang, "inbox.make_draft"), key=f"{key}:draft", type="primary", on_click=_to_editor,
                      args=(lang, item.id), kwargs={"draft": _draft_from(item)})
    with st.form(f"{key}:reject", border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        reason = left.text_input(t(lang, "inbox.reason"), key=f"{key}:reason")
        if right.form_submit_button(t(lang, "inbox.reject")):
            _decide(item, "afwijzen", user, lang, reason=reason)
            st.rerun()
    others = [i for i in others if i.id != item.id]
    if others:
        with st.form(f"{key}:merge", border=False):
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            target = left.selectbox(t(lang, "inbox.merge_into"), [i.id for i in others], key=f"{key}:target",
                                    format_func=lambda i: f"#{i}")
            if right.form_submit_button(t(lang, "inbox.merge")):
                _decide(item, "samenvoegen", user, lang, merged_into=target)
                st.rerun()


def _to_editor(lang: str, report: int, *, reopen: str | None = None, draft: dict | None = None) -> None:
    """Open the editor tab with the submission beside the record (a callback: it runs before the
    tab bar is drawn, so the tab can still be switched)."""
    ss.ed_report = report
    if reopen:
        ss.ed_reopen = reopen
    if draft:
        ss.ed_draft = draft
    ss.curator_tab = t(lang, "curator.tab_instruments")


def _draft_from(item: Item) -> dict:
    """A proposal as the start of a draft record: only what the visitor said, status concept."""
    f = item.fields
    name = str(f.get("name") or "")
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())[:60] or f"voorstel-{item.id}"
    draft: dict = {"id": slug, "name": name, "summary": str(f.get("what") or ""), "status": "concept",
                   "last_reviewed": dt.date.today().isoformat()}
    if f.get("url"):
        draft["url"] = f["url"]
        draft["sources"] = [{"title": name, "url": f["url"]}]
    return draft


def _changes(bank: Databank, user: str, lang: str) -> None:
    """With four eyes: colleagues' changes waiting for approval, each with its diff."""
    st.subheader(t(lang, "inbox.changes"))
    q = queue()
    pending = q.open()
    if not pending:
        st.caption(t(lang, "inbox.no_changes"))
    for p in pending:
        with st.container(border=True):
            st.markdown(t(lang, "inbox.change_line", id=p.id, file=p.file, author=md_inline(p.author),
                          message=md_inline(p.message.splitlines()[0] if p.message else "")))
            if p.feedback is not None:
                st.caption(t(lang, "inbox.change_answers", report=p.feedback))
            _field_changes(q, bank, p, lang)
            own = p.author.strip().casefold() == user.strip().casefold()
            with st.container(horizontal=True):
                if st.button(t(lang, "inbox.approve_change"), key=f"chg:{p.id}:ok", type="primary", disabled=own,
                             help=t(lang, "inbox.own_change") if own else None):
                    try:
                        q.approve(bank.path, p.id, user, taxonomy=bank.taxonomy)
                        if p.feedback is not None:
                            default_store().decide(p.feedback, "verwerken", user)
                        ss.inbox_flash = t(lang, "inbox.change_approved", id=p.id)
                    except (review.SelfApproval, review.NotOpen, store.ValidationFailed, store.Conflict) as err:
                        ss.inbox_error = str(err)
                    st.rerun()
            with st.form(f"chg:{p.id}:reject", border=False):
                left, right = st.columns([3, 1], vertical_alignment="bottom")
                reason = left.text_input(t(lang, "inbox.reason"), key=f"chg:{p.id}:reason")
                if right.form_submit_button(t(lang, "inbox.reject")):
                    try:
                        q.reject(p.id, user, reason)
                    except (ValueError, review.NotOpen) as err:
                        ss.inbox_error = str(err)
                    st.rerun()


def _field_changes(q: review.ReviewQueue, bank: Databank, p: review.Proposal, lang: str) -> None:
    """Field by field what changes (a folded paragraph's file diff is hard to read); the file diff
    stays one click away for whoever wants the exact text."""
    rows = record_diff.labelled(q.changes(bank.path, p), lang)
    if rows:
        table = pd.DataFrame(rows).rename(columns={"field": t(lang, "inbox.col_field"),
                                                   "before": t(lang, "inbox.col_before"),
                                                   "after": t(lang, "inbox.col_after")})
        st.table(table.set_index(table.columns[0]))
    else:
        st.caption(t(lang, "inbox.no_diff"))
    with st.expander(t(lang, "inbox.file_diff")):
        st.code(q.diff(bank.path, p) or t(lang, "inbox.no_diff"), language="diff", wrap_lines=True)


def inbox(bank: Databank, user: str) -> None:
    lang = state.lang()
    if "inbox_flash" in ss:
        st.success(ss.pop("inbox_flash"))
    if "inbox_error" in ss:
        st.error(ss.pop("inbox_error"))
    if review.four_eyes():
        _changes(bank, user, lang)
        st.divider()
    st.subheader(t(lang, "inbox.title"))
    _counts(lang)
    left, right = st.columns(2)
    kind = left.selectbox(t(lang, "inbox.filter_kind"), ["", *KINDS_SHOWN], key="inbox_kind",
                          format_func=lambda k: t(lang, f"inbox.kind_{k}") if k else t(lang, "inbox.all"))
    status = right.selectbox(t(lang, "inbox.filter_status"), ["nieuw", "goedgekeurd", "afgewezen", "samengevoegd",
                                                                  "verwerkt", ""], key="inbox_status",
                             format_func=lambda s: t(lang, f"inbox.status_{s}") if s else t(lang, "inbox.all"))
    items = default_store().items(status=status or None, kind=kind or None)
    pending = queue().pending_for() if review.four_eyes() else {}
    # merge targets per kind, read once per run (not once per submission shown)
    mergeable: dict[str, list[Item]] = {}
    for other in default_store().items() if items else []:
        if other.status != "samengevoegd":
            mergeable.setdefault(other.kind, []).append(other)
    if not items:
        st.info(t(lang, "inbox.empty"))
    for item in items:
        with st.expander(_title(bank, item, lang, item.id in pending), expanded=len(items) <= 3):
            st.markdown(item_text(item, lang))
            decisions = default_store().decisions(item.id)
            for d in decisions:
                st.caption(t(lang, "inbox.decision", action=t(lang, f"inbox.action_{d.action}"),
                             curator=md_inline(d.curator), at=local_time(d.at),
                             reason=md_inline(d.reason or "")))
            if item.status == "nieuw":
                _actions(bank, item, user, lang, mergeable.get(item.kind, []), pending.get(item.id))
