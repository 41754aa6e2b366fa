"""From practice, on every card and detail page: report a fault, share an experience, propose an instrument.

No account: what a visitor sends is checked (:mod:`tree.feedback.submissions`), rate-limited per
client and kept for a curator; nothing is public before a curator approves it. The card shows
only approved experiences ("Uit de praktijk"). If the database is unreachable, the wizard goes
on without these parts rather than failing for everyone.
"""

from __future__ import annotations

import logging

import streamlit as st

from tree import Databank, describe
from tree.feedback import guard
from tree.feedback.backend import default_store
from tree.feedback.store import Practice
from tree.feedback.submissions import HELPED, LONG, SHORT, Invalid, check
from tree.i18n import t
from tree.safe_text import md_inline
from tree.schema import Instrument

from .client import client_id

log = logging.getLogger("beslisboom")


def practice_all() -> dict[str, Practice]:
    """Approved experiences per instrument; empty (and logged) when the database is down."""
    try:
        return default_store().practice_all()
    except Exception:
        log.exception("practice: database unavailable")
        return {}


def practice_block(practice: Practice | None, lang: str) -> None:
    """"Uit de praktijk": how many used it, the real minutes, a few quotes (approved only)."""
    if practice is None:
        return
    line = t(lang, "practice.used_by", n=practice.organisations)
    if practice.median_minutes is not None:
        line += " · " + t(lang, "practice.median_minutes", minutes=practice.median_minutes)
    st.markdown(f"**{t(lang, 'practice.heading')}:** {line}")
    for quote in practice.quotes:
        st.markdown(f"> {md_inline(quote)}")


def _send(kind: str, raw: dict, lang: str, *, bank: Databank, instrument: str | None = None) -> bool:
    try:
        sub = check(kind, raw, instrument=instrument, known=set(bank.instruments))
        guard.submit(default_store(), sub, client_id())
    except Invalid as err:
        for field, problem in err.problems.items():
            st.error(t(lang, f"practice.problem_{problem}", field=t(lang, f"practice.f_{field}")))
        return False
    except guard.TooMany as err:
        st.error(t(lang, "practice.too_many", seconds=err.seconds))
        return False
    except Exception:
        log.exception("practice: could not store a submission")
        st.error(t(lang, "practice.unavailable"))
        return False
    st.success(t(lang, "practice.thanks"))
    return True


def _email(lang: str, key: str) -> str:
    return st.text_input(t(lang, "practice.f_email"), key=f"{key}:email", max_chars=254,
                         help=t(lang, "practice.email_help"))


def report_form(bank: Databank, inst: Instrument, lang: str, key: str) -> None:
    """"Meld een fout": which fact, what it should be, a source."""
    facts = [t(lang, "fields.name"), t(lang, "fields.summary"),
             *(label for label, _ in describe.facts(bank, inst, lang)),
             t(lang, "describe.where"), t(lang, "fields.sources"), t(lang, "practice.other_fact")]
    with st.form(f"{key}:report", clear_on_submit=True, border=False):
        st.caption(t(lang, "practice.report_help"))
        field = st.selectbox(t(lang, "practice.f_field"), facts, key=f"{key}:field")
        should_be = st.text_area(t(lang, "practice.f_should_be"), key=f"{key}:should", max_chars=LONG)
        source = st.text_input(t(lang, "practice.f_source"), key=f"{key}:source", max_chars=LONG)
        email = _email(lang, key)
        if st.form_submit_button(t(lang, "practice.send_report"), type="primary"):
            _send("melding", {"field": field, "should_be": should_be, "source": source, "email": email}, lang,
                  bank=bank, instrument=inst.id)


def experience_form(bank: Databank, inst: Instrument, lang: str, key: str) -> None:
    """"Ik heb dit gebruikt": for whom, how many, real minutes, did it help, a short experience."""
    with st.form(f"{key}:experience", clear_on_submit=True, border=False):
        st.caption(t(lang, "practice.experience_help"))
        for_whom = st.text_input(t(lang, "practice.f_for_whom"), key=f"{key}:whom", max_chars=SHORT)
        left, right = st.columns(2)
        participants = left.number_input(t(lang, "practice.f_participants"), min_value=1, step=1, value=None,
                                         key=f"{key}:n")
        minutes = right.number_input(t(lang, "practice.f_minutes"), min_value=1, max_value=600, step=1, value=None,
                                     key=f"{key}:min")
        helped = st.radio(t(lang, "practice.f_helped"), HELPED, key=f"{key}:helped", horizontal=True,
                          format_func=lambda h: t(lang, f"practice.helped_{h}"), index=len(HELPED) - 1)
        story = st.text_area(t(lang, "practice.f_story"), key=f"{key}:story", max_chars=LONG)
        organisation = st.text_input(t(lang, "practice.f_organisation"), key=f"{key}:org", max_chars=SHORT)
        email = _email(lang, key)
        if st.form_submit_button(t(lang, "practice.send_experience"), type="primary"):
            _send("ervaring", {"for_whom": for_whom, "participants": participants, "minutes": minutes,
                               "helped": helped, "story": story, "organisation": organisation, "email": email},
                  lang, bank=bank, instrument=inst.id)


def proposal_form(bank: Databank, lang: str, key: str) -> None:
    """"Stel een instrument voor": name, where to find it, what it measures, for whom."""
    with st.form(f"{key}:proposal", clear_on_submit=True, border=False):
        st.caption(t(lang, "practice.proposal_help"))
        name = st.text_input(t(lang, "practice.f_name"), key=f"{key}:name", max_chars=SHORT)
        url = st.text_input(t(lang, "practice.f_url"), key=f"{key}:url", max_chars=LONG)
        what = st.text_area(t(lang, "practice.f_what"), key=f"{key}:what", max_chars=LONG)
        for_whom = st.text_input(t(lang, "practice.f_for_whom"), key=f"{key}:whom", max_chars=SHORT)
        email = _email(lang, key)
        if st.form_submit_button(t(lang, "practice.send_proposal"), type="primary"):
            _send("voorstel", {"name": name, "url": url, "what": what, "for_whom": for_whom, "email": email}, lang,
                  bank=bank)


def on_card(bank: Databank, inst: Instrument, lang: str, key: str) -> None:
    """One small entry on a card, so the cards stay calm; the forms open in a popover."""
    with st.popover(t(lang, "practice.respond"), icon=":material/rate_review:"):
        report, used = st.tabs([t(lang, "practice.report"), t(lang, "practice.used")])
        with report:
            report_form(bank, inst, lang, f"{key}:{inst.id}:r")
        with used:
            experience_form(bank, inst, lang, f"{key}:{inst.id}:e")


def footer(bank: Databank, lang: str, key: str) -> None:
    """At the foot of the public pages: "Stel een instrument voor"."""
    st.divider()
    with st.expander(t(lang, "practice.propose_heading"), icon=":material/add_circle:"):
        proposal_form(bank, lang, key)
