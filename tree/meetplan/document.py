"""The meetplan as a document: sections as blocks, rendered as Markdown, PDF and Word.

The wording lives in ``tree/locales`` (section ``plan``) and in ``guidance.yaml``; the facts come
from the databank through :mod:`tree.describe`, the same wording module as the cards, so the plan
says about an instrument what its card says. Unknown facts print as "onbekend", open answers as
"nog in te vullen": never a guess.
"""

from __future__ import annotations

import datetime as dt

from .. import describe, document
from ..databank import Databank
from ..document import Block, Span, block, field, table
from ..i18n import t
from ..schema import BRANCHES
from .answers import READERS
from .guidance import PRIVACY, guidance
from .plan import Plan, PlanItem


def tx(lang: str, key: str, **values: object) -> str:
    return t(lang, f"plan.{key}", **values)


def date_text(day: dt.date, lang: str) -> str:
    """"3 maart 2027" / "3 March 2027": how a team writes a date in a plan."""
    month = tx(lang, "months").split(",")[day.month - 1]
    return f"{day.day} {month} {day.year}"


def _number(value: float) -> str:
    return f"{value:g}"


def _hours(lang: str, hours: float) -> str:
    return tx(lang, "hours_value", hours=_number(hours), count=hours)


def _names(items: list[PlanItem], lang: str) -> str:
    return ", ".join(describe.name_with_abbreviation(i.instrument, lang) for i in items)


def _sources(lang: str, topic: str) -> list[Block]:
    g = guidance(topic, lang)
    out = [block("p", g.text)]
    label = Span(f"{tx(lang, 'source')}: ", bold=True)
    out.extend(block("li", label, Span(title, url=url)) for title, url in g.sources)
    return out


def _readers(plan: Plan, lang: str) -> str:
    """The readers besides the team (the team discusses the results anyway), as "de gemeente en de deelnemers"."""
    names = [tx(lang, f"reader_list_{r}") for r in READERS if r in plan.choices.readers and r != "team"]
    if len(names) > 1:
        return t(lang, "common.and_list", head=", ".join(names[:-1]), last=names[-1])
    return names[0] if names else ""


# --- sections ----------------------------------------------------------------------------------


def _question(bank: Databank, plan: Plan) -> list[Block]:
    lang = plan.lang
    out = [block("h2", tx(lang, "s_question"))]
    out.append(block("quote", plan.question) if plan.question else block("p", t(lang, "advice.question_none")))
    out.append(block("p", tx(lang, "choices")))
    for qid in BRANCHES:
        labels = [describe.option_label(bank, qid, o, lang) for o in plan.answers.get(qid, [])]
        value = ", ".join(labels) or t(lang, "advice.no_preference")
        out.append(field(describe.question_label(bank, qid, lang), value))
    purpose = plan.choices.purpose
    out.append(block("p", tx(lang, f"purpose_{purpose}" if purpose else "purpose_open")))
    out.extend(_sources(lang, "learning_accounting"))
    return out


def _what(bank: Databank, plan: Plan) -> list[Block]:
    lang = plan.lang
    out = [block("h2", tx(lang, "s_what"))]
    if plan.dropped:
        out.append(block("small", tx(lang, "dropped", ids=", ".join(plan.dropped))))
    if not plan.items:
        out.append(block("p", tx(lang, "no_instruments")))
        return out
    out.append(block("p", tx(lang, "what_intro")))
    for item in plan.items:
        inst = item.instrument
        out.append(block("h3", describe.name_with_abbreviation(inst, lang)))
        out.append(block("p", describe.summary(inst, lang)))
        out.extend(block("p", Span(c, bold=True)) for c in describe.caveats(inst, lang))
        out.append(field(tx(lang, "f_role"), tx(lang, f"role_{item.role}")))
        out.append(field(t(lang, "describe.kind"), describe.kind_label(inst, lang)))
        measures = describe.text(inst, "measures", lang)
        if measures:
            out.append(field(t(lang, "describe.measures"), measures))
        out.append(field(t(lang, "advice.f_quality"), describe.quality_text(inst, lang)))
        # numbers and stories together answer "cijfers én verhalen"; one part alone need not
        match = item.match
        if plan.tellen_en_vertellen:
            match = match._replace(misses=tuple(q for q in match.misses if q != "gegevens"))
        why = describe.why_lines(bank, match, plan.answers, lang, None)
        if why:
            out.append(block("li", Span(tx(lang, "f_why") + ":", bold=True)))
            out.extend(block("li", line, level=1) for line in why)
        if inst.url:
            out.append(field(t(lang, "advice.f_url"), Span(inst.url, url=inst.url)))
    if not plan.stories:
        hint_inst = plan.stories_hint
        name = describe.name_with_abbreviation(hint_inst, lang) if hint_inst else None
        hint = tx(lang, "add_stories", name=name) if name else tx(lang, "add_stories_plain")
        out.append(block("p", hint))
    elif not plan.numbers:
        out.append(block("p", tx(lang, "add_numbers")))
    if any(i.role == "ervaring" for i in plan.items):
        out.extend(_sources(lang, "satisfaction_not_effect"))
    return out


def _design_line(item: PlanItem, lang: str) -> str:
    if item.role == "monitor":
        years = item.instrument.interval_years
        return tx(lang, "design_monitor", n=years) if years else tx(lang, "design_monitor_open")
    return tx(lang, f"design_{item.role}")


def _design(plan: Plan) -> list[Block]:
    lang = plan.lang
    out = [block("h2", tx(lang, "s_design"))]
    for item in plan.items:
        out.append(block("h3", describe.name_with_abbreviation(item.instrument, lang)))
        out.append(block("p", _design_line(item, lang)))
        for moment in item.moments:
            label = tx(lang, f"moment_{moment.kind}")
            text = tx(lang, "moment_on", label=label, date=date_text(moment.date, lang)) if moment.date else label
            out.append(block("li", text))
    if plan.items and (plan.choices.start is None or plan.choices.end is None):
        out.append(block("p", tx(lang, "dates_open")))
    if plan.has_effect:
        out.extend(_sources(lang, "design_baseline_followup"))
        out.append(block("h3", tx(lang, "claims_heading")))
        out.extend(_sources(lang, "design_no_control_group"))
    return out


def _respondents(bank: Databank, plan: Plan) -> list[Block]:
    lang = plan.lang
    groups = ", ".join(describe.option_label(bank, "doelgroep", o, lang) for o in plan.answers.get("doelgroep", []))
    out = [block("h2", tx(lang, "s_respondents"))]
    if groups:
        out.append(block("p", tx(lang, "respondents_who", groups=groups)))
    n = plan.choices.participants
    out.append(block("p", tx(lang, "respondents_n", n=n) if n else tx(lang, "respondents_n_open")))
    for item in plan.items:
        by = describe.text(item.instrument, "administered_by", lang)
        if by:
            out.append(field(describe.name_with_abbreviation(item.instrument, lang), by))
    if plan.has_effect:
        out.extend(_sources(lang, "response_followup"))
    return out


def _effort(plan: Plan) -> list[Block]:
    lang = plan.lang
    unknown, na = tx(lang, "unknown"), tx(lang, "not_applicable")
    out = [block("h2", tx(lang, "s_effort")), block("p", tx(lang, "effort_intro"))]
    rows = [[tx(lang, "col_instrument"), tx(lang, "col_minutes"), tx(lang, "col_respondents"), tx(lang, "col_moments"),
             tx(lang, "col_hours")]]
    for item in plan.items:
        e = item.effort
        name = describe.name_with_abbreviation(item.instrument, lang)
        if not e.applies:
            rows.append([name, na, na, na, na])
            continue
        rows.append([
            name,
            str(e.minutes) if e.minutes is not None else unknown,
            str(e.respondents) if e.respondents is not None else tx(lang, "open"),
            str(e.moments),
            _hours(lang, e.hours) if e.hours is not None else unknown,
        ])
    total = plan.total_hours
    if not any(i.effort.applies for i in plan.items):
        total_text = na  # nothing the team administers itself: no hours to add up
    else:
        total_text = _hours(lang, total) if total is not None else unknown
    rows.append([tx(lang, "col_total"), "", "", "", total_text])
    if plan.items:
        out.append(table(rows, widths=(40, 15, 15, 13, 17)))
    reasons = []
    missing = [i for i in plan.unknown_effort if i.effort.minutes is None]
    if missing:
        reasons.append(tx(lang, "reason_minutes", names=_names(missing, lang)))
    if plan.choices.participants is None and any(i.effort.applies for i in plan.items):
        reasons.append(tx(lang, "reason_respondents"))
    if reasons:
        out.append(block("p", tx(lang, "total_open", reasons="; ".join(reasons))))
    methods = [i for i in plan.items if i.role in ("verhalen", "methode", "rendement")]
    if methods:
        out.append(block("p", tx(lang, "effort_methods", names=_names(methods, lang))))
    for item in plan.items:
        inst = item.instrument
        out.append(block("h3", describe.name_with_abbreviation(inst, lang)))
        out.append(field(t(lang, "describe.cost"), describe.cost_text(inst, lang)))
        out.append(field(t(lang, "describe.training"), describe.yes_no(inst.training_required, lang)))
    return out


def _roles(plan: Plan) -> list[Block]:
    lang = plan.lang
    carrier = plan.choices.carrier
    return [block("h2", tx(lang, "s_roles")), block("p", tx(lang, f"roles_{carrier}" if carrier else "roles_open"))]


def _privacy(plan: Plan) -> list[Block]:
    lang = plan.lang
    out = [block("h2", tx(lang, "s_privacy")), block("p", Span(tx(lang, "privacy_intro"), bold=True))]
    for topic in PRIVACY:
        out.append(block("h3", tx(lang, f"h_{topic}")))
        out.extend(_sources(lang, topic))
    return out


def _scoring(item: PlanItem, lang: str) -> list[Block]:
    inst = item.instrument
    s = inst.scoring
    out: list[Block] = []
    if s is None or (s.min is None and s.max is None and s.direction is None and s.interpretation is None):
        if inst.url:
            out.append(block("p", tx(lang, "scoring_missing") + " ", Span(inst.url, url=inst.url)))
        else:
            out.append(block("p", tx(lang, "scoring_missing_no_url")))
        return out
    scores = describe.scoring_range(inst, lang)  # the compare table and detail page say it the same way
    if scores:
        out.append(field(tx(lang, "f_range"), scores))
    if s.interpretation:
        out.append(field(tx(lang, "f_reading"), s.interpretation.en if lang == "en" else s.interpretation.nl))
    if s.reference:
        out.append(field(tx(lang, "f_reference"), s.reference))
    return out


def _analysis(plan: Plan) -> list[Block]:
    lang = plan.lang
    out = [block("h2", tx(lang, "s_analysis"))]
    if plan.has_effect:
        out.append(block("p", tx(lang, "analysis_effect")))
    if plan.stories:
        out.append(block("p", tx(lang, "analysis_verhalen")))
    if any(i.role == "ervaring" for i in plan.items):
        out.append(block("p", tx(lang, "analysis_ervaring")))
    if any(i.role == "rendement" for i in plan.items):
        out.append(block("p", tx(lang, "analysis_rendement")))
    if any(i.role == "methode" for i in plan.items):
        out.append(block("p", tx(lang, "analysis_methode")))
    for item in plan.numbers:
        if item.role in ("monitor", "rendement", "proces"):
            continue
        out.append(block("h3", describe.name_with_abbreviation(item.instrument, lang)))
        out.extend(_scoring(item, lang))
    return out


def _timeline(plan: Plan) -> list[Block]:
    lang = plan.lang
    c = plan.choices

    def when(label: str, day: dt.date | None) -> str:
        return tx(lang, "when_on", label=label, date=date_text(day, lang)) if day else label

    by_moment: dict[str, list[PlanItem]] = {}
    for item in plan.items:
        for m in item.moments:
            by_moment.setdefault(m.kind, []).append(item)
    # questionnaires to prepare only when the plan has any; a return calculation or a stories
    # method needs materials and agreements, not forms
    questionnaires = any(i.effort.applies for i in plan.items)
    prepare = tx(lang, "do_prepare") if questionnaires else tx(lang, "do_prepare_methods")
    rows = [[tx(lang, "col_when"), tx(lang, "col_what")], [tx(lang, "when_before"), prepare]]
    if by_moment.get("voor"):
        names = _names(by_moment["voor"], lang)
        rows.append([when(tx(lang, "when_start"), c.start), tx(lang, "do_baseline", names=names)])
    if by_moment.get("tijdens"):
        middle = next((m.date for i in by_moment["tijdens"] for m in i.moments if m.kind == "tijdens"), None)
        names = _names(by_moment["tijdens"], lang)
        rows.append([when(tx(lang, "when_middle"), middle), tx(lang, "do_process", names=names)])
    # the end: a follow-up measurement, stories, and a closing calculation each say what they are
    # (an MKBA is no "nameting")
    end: list[str] = []
    listed: list[PlanItem] = []
    closing_text = {
        "na": lambda names: tx(lang, "do_followup", names=names),
        "verhalen": lambda names: tx(lang, "do_stories", names=names),
        "achteraf": lambda names: tx(lang, "do_closing", names=names),
    }
    for kind, say in closing_text.items():
        items = [i for i in by_moment.get(kind, []) if all(i is not x for x in listed)]
        if items:
            end.append(say(_names(items, lang)))
            listed.extend(items)
    if end:
        rows.append([when(tx(lang, "when_end"), c.end), " ".join(end)])
    readers = _readers(plan, lang)
    report = tx(lang, "do_report", readers=readers) if readers else tx(lang, "do_report_plain")
    rows.append([tx(lang, "when_after"), report])
    return [table(rows, widths=(30, 70))]


def _report(plan: Plan) -> list[Block]:
    lang = plan.lang
    out = [block("h2", tx(lang, "s_report")), block("p", tx(lang, "report_tellen"))]
    out.extend(_sources(lang, "tellen_vertellen"))
    if plan.choices.readers:
        # a paragraph of its own first, or Markdown runs these into the list of sources above
        out.append(block("p", Span(tx(lang, "report_readers_intro"), bold=True)))
        out.extend(block("li", tx(lang, f"reader_{r}")) for r in READERS if r in plan.choices.readers)
    else:
        out.append(block("p", tx(lang, "report_readers_open")))
    out.extend(_timeline(plan))
    return out


def blocks(bank: Databank, plan: Plan) -> list[Block]:
    """The whole plan, in order, independent of the output format."""
    lang = plan.lang
    out = [
        block("h1", tx(lang, "title")),
        block("p", Span(f"{t(lang, 'advice.date')}: ", bold=True), plan.created.isoformat(), " · ",
              Span(f"{t(lang, 'advice.version')}: ", bold=True), plan.databank_version),
    ]
    if plan.link:
        out.append(block("p", Span(f"{t(lang, 'advice.link')}: ", bold=True), Span(plan.link, url=plan.link)))
    out.append(block("p", tx(lang, "intro")))
    out.extend(_question(bank, plan))
    out.extend(_what(bank, plan))
    out.extend(_design(plan))
    out.extend(_respondents(bank, plan))
    out.extend(_effort(plan))
    out.extend(_roles(plan))
    out.extend(_privacy(plan))
    out.extend(_analysis(plan))
    out.extend(_report(plan))
    out.append(block("rule"))
    out.append(block("small", tx(lang, "footer")))
    return out


def meta(plan: Plan) -> document.Meta:
    page = tx(plan.lang, "page", page="{page}", pages="{pages}")
    return document.Meta(tx(plan.lang, "title"), plan.lang, plan.created, page)


def to_markdown(bank: Databank, plan: Plan) -> str:
    return document.to_markdown(blocks(bank, plan))


def to_pdf(bank: Databank, plan: Plan) -> bytes:
    return document.to_pdf(blocks(bank, plan), meta(plan))


def to_docx(bank: Databank, plan: Plan) -> bytes:
    return document.to_docx(blocks(bank, plan), meta(plan))
