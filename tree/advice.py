"""The take-away advice: what a team leader hands to the team or the municipality.

The wizard's result lives in a browser tab; a decision about measuring is made in a meeting.
This module turns a :class:`~tree.recommend.Recommendation` into a document that stands on its
own: the research question, the choices, the instruments with why they fit and where the facts
come from, and a plain-language justification. It is rendered as Markdown (to show or download)
and as PDF (to print or attach).

Both renderers (:mod:`tree.advice_render`) draw from one list of blocks built by
:func:`blocks`, so the two formats can never say different things. Fixed text comes from
``tree/locales/<lang>.yaml`` (section ``advice``), labels from the databank's questions file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from . import describe
from .databank import Databank
from .document import Block, Span, block, field
from .i18n import LANGUAGES, t
from .links import QUESTION_CHARS
from .nudges import SATISFACTION
from .recommend import Bundle, Match, Recommendation, Relaxation, explain
from .safe_text import plain_line
from .schema import BRANCHES

#: How many instruments and bundles the advice shows when the user did not pick any.
DEFAULT_INSTRUMENTS = 3
DEFAULT_BUNDLES = 2


@dataclass
class Advice:
    """Everything the document says, frozen at the moment the user asked for it.

    The document is built from this alone (plus the databank for labels), so a saved advice
    can be re-rendered in another format without re-running the recommendation.
    """

    question: str
    answers: dict[str, list[str]]
    instruments: list[Match]
    bundles: list[Bundle]
    lang: str
    created: dt.date
    databank_version: str
    link: str | None
    #: What to drop to get exact matches; shown when nothing (or nothing exact) fits.
    relaxation: Relaxation | None = None
    #: True when the user chose the instruments; the justification then says so.
    picked: bool = False
    #: Tellen én vertellen: the bundle that leads the advice (its parts are instruments 1 and 2).
    headline: Bundle | None = None


def build_advice(
    bank: Databank,
    rec: Recommendation,
    *,
    question: str = "",
    chosen: list[str] | None = None,
    lang: str = "nl",
    link: str | None = None,
    today: dt.date | None = None,
) -> Advice:
    """Collect what the advice document needs from a recommendation.

    ``chosen`` are the instrument ids the user picked or compared, in the user's order. Ids
    the databank does not know (a stale link) or instruments that were withdrawn are left out
    rather than raising: the advice must still be printable. Without a usable choice the
    advice takes the best three exact matches, or the best three near matches when nothing
    fits exactly.
    """
    lang = lang if lang in LANGUAGES else "nl"
    picked = _picked_matches(bank, rec, chosen or [])
    headline = None if picked else rec.headline
    if picked:
        instruments = picked
    elif headline is not None:
        # the specific answer first: the bundle's numbers and stories instruments, then the best exact match
        lead = list(headline.parts)
        lead_ids = {m.instrument.id for m in lead}
        rest = [m for m in rec.matches if m.instrument.id not in lead_ids]
        instruments = lead + rest[: max(0, DEFAULT_INSTRUMENTS - len(lead))]
    elif rec.matches:
        instruments = list(rec.matches[:DEFAULT_INSTRUMENTS])
    else:
        instruments = list(rec.near[:DEFAULT_INSTRUMENTS])
    return Advice(
        question=plain_line(question, QUESTION_CHARS),
        answers={q: list(rec.answers.get(q, [])) for q in BRANCHES},
        instruments=instruments,
        bundles=[b for b in rec.bundles if b is not headline][:DEFAULT_BUNDLES],
        lang=lang,
        created=today or dt.date.today(),
        databank_version=bank.version,
        link=link or None,
        relaxation=rec.best_relaxation,
        picked=bool(picked),
        headline=headline,
    )


def _picked_matches(bank: Databank, rec: Recommendation, chosen: Sequence[str]) -> list[Match]:
    """The user's instruments with their fit explanation, reusing the recommendation's."""
    known = {m.instrument.id: m for m in (*rec.matches, *rec.near)}
    out: list[Match] = []
    seen: set[str] = set()
    for iid in chosen:
        if iid in seen:
            continue
        seen.add(iid)
        if iid in known:
            out.append(known[iid])
            continue
        inst = bank.instruments.get(iid)
        if inst is not None and inst.active:  # the index only knows active instruments
            out.append(explain(bank, inst, rec.answers))
    return out


# --- the document as blocks ---------------------------------------------------------------------


def tx(lang: str, key: str, **values: object) -> str:
    """A string from the ``advice`` section of the locale files."""
    return t(lang, f"advice.{key}", **values)


_b = block
_field = field


instrument_name = describe.name_with_abbreviation


def _option_label(bank: Databank, lang: str, qid: str, oid: str) -> str:
    return describe.option_label(bank, qid, oid, lang)


def _question_label(bank: Databank, lang: str, qid: str) -> str:
    return describe.question_label(bank, qid, lang)


def _answer_labels(bank: Databank, advice: Advice, qid: str) -> list[str]:
    return [_option_label(bank, advice.lang, qid, o) for o in advice.answers.get(qid, [])]


def _instrument_blocks(bank: Databank, advice: Advice, n: int, match: Match) -> list[Block]:
    lang = advice.lang
    inst = match.instrument
    unknown = tx(lang, "unknown")
    blocks = [_b("h3", f"{n}. {instrument_name(inst, lang)}"), _b("p", describe.summary(inst, lang))]
    blocks.extend(_b("p", Span(caveat, bold=True)) for caveat in describe.caveats(inst, lang))
    measures = describe.text(inst, "measures", lang)
    if measures:
        blocks.append(_field(t(lang, "describe.measures"), measures))
    groups = ", ".join(_option_label(bank, lang, "doelgroep", o) for o in inst.doelgroep)
    blocks.append(_field(t(lang, "describe.for_whom"), groups))
    # the card's wording: "n.v.t." for a method, not "onbekend"
    blocks.append(_field(t(lang, "describe.items"), describe.per_person(inst, inst.items, lang)))
    minutes = describe.per_person(inst, inst.minutes, lang, "describe.minutes_value")
    blocks.append(_field(t(lang, "describe.minutes"), minutes))
    blocks.append(_field(t(lang, "describe.administered_by"), describe.text(inst, "administered_by", lang) or unknown))
    cost = describe.cost_text(inst, lang)
    blocks.append(_field(t(lang, "describe.cost"), cost))
    blocks.append(_field(t(lang, "describe.training"), describe.yes_no(inst.training_required, lang)))
    blocks.append(_field(t(lang, "describe.quality"), describe.quality_text(inst, lang)))
    where = Span(inst.url, url=inst.url) if inst.url else Span(tx(lang, "url_none"))
    blocks.append(_field(t(lang, "describe.where"), where))
    # a near match says what fits and what not, as its card does; half of the headline pair
    # fits together with the other half
    why_key = "card.why_near" if match.misses and not _in_headline(advice, match) else "advice.f_why"
    blocks.append(_b("li", Span(t(lang, why_key) + ":", bold=True)))
    why = fit_lines(bank, advice, match) or [tx(lang, "fit_nothing")]
    blocks.extend(_b("li", line, level=1) for line in why)
    blocks.append(_b("li", Span(tx(lang, "f_sources") + ":", bold=True)))
    blocks.extend(_b("li", Span(s.title, url=s.url), level=1) for s in inst.sources)
    blocks.append(_field(t(lang, "describe.last_reviewed"), inst.last_reviewed.isoformat()))
    return blocks


def _in_headline(advice: Advice, match: Match) -> bool:
    headline = advice.headline
    return headline is not None and any(p.instrument.id == match.instrument.id for p in headline.parts)


def fit_lines(bank: Databank, advice: Advice, match: Match) -> list[str]:
    """One line per answer the instrument fits, then one per answer it misses — the same
    wording as the result cards (:mod:`tree.describe`), so the document repeats the screen."""
    in_pair = _in_headline(advice, match)
    return describe.why_lines(bank, match, advice.answers, advice.lang, advice.headline if in_pair else None)


def _relaxation_block(bank: Databank, advice: Advice) -> Block:
    lang = advice.lang
    r = advice.relaxation
    if r is None or not r.exact_count:
        return _b("p", t(lang, "advice.relax_none"))
    key = "advice.relax_one" if r.exact_count == 1 else "advice.relax_many"
    return _b("p", t(lang, key, question=_question_label(bank, lang, r.question), count=r.exact_count))


def _bundle_blocks(bank: Databank, advice: Advice) -> list[Block]:
    lang = advice.lang
    if not advice.bundles:
        return []
    # the combining option (beide = cijfers + verhalen) names the bundle's parts, in order
    combining = [o for o in bank.taxonomy.question("gegevens").options if o.combines]
    parts = combining[0].combines if combining else None
    blocks = [_b("h2", t(lang, "advice.bundles_heading")), _b("p", t(lang, "advice.bundles_intro"))]
    for n, bundle in enumerate(advice.bundles, 1):
        blocks.append(_b("h3", t(lang, "advice.bundle", n=n)))
        for k, match in enumerate(bundle.parts):
            inst = match.instrument
            kind = _option_label(bank, lang, "gegevens", parts[k]) if parts and k < len(parts) else ""
            spans: list[str | Span] = []
            if kind:
                spans.append(Span(f"{kind}: ", bold=True))
            spans.append(instrument_name(inst, lang))
            measures = describe.text(inst, "measures", lang)
            if measures:
                spans.append(f" — {measures}")
            if inst.url:
                spans.extend([" (", Span(inst.url, url=inst.url), ")"])
            blocks.append(_b("li", *spans))
        if bundle.related:
            blocks.append(_b("p", t(lang, "advice.bundle_related")))
    return blocks


def _justification(bank: Databank, advice: Advice) -> list[Block]:
    """The "Verantwoording": why these instruments, in words a municipality reads."""
    lang = advice.lang
    chosen = [label for q in BRANCHES for label in _answer_labels(bank, advice, q)]
    answers = ", ".join(chosen)
    paras: list[str] = []
    if advice.picked:
        paras.append(tx(lang, "just_picked", answers=answers or tx(lang, "no_preference")))
    elif not chosen:
        paras.append(tx(lang, "just_fit_none"))
    elif advice.instruments and all(m.exact or _in_headline(advice, m) for m in advice.instruments):
        # the headline pair fits all answers together (numbers from one, stories from the other)
        paras.append(tx(lang, "just_fit", answers=answers))
    elif advice.instruments:
        paras.append(tx(lang, "just_near"))
    if SATISFACTION[1] in advice.answers.get(SATISFACTION[0], []):
        paras.append(tx(lang, "just_ervaring"))
    data = advice.answers.get("gegevens", [])
    combining = [o for o in data if o in bank.taxonomy.option_ids("gegevens")
                 and bank.taxonomy.option("gegevens", o).combines]
    if not data or combining or advice.bundles:
        paras.append(tx(lang, "just_tellen"))
    else:
        options = bank.taxonomy.question("gegevens").options
        others = [o.id for o in options if not o.combines and o.id not in data]
        if others:
            paras.append(tx(
                lang, "just_tellen_single",
                chosen=", ".join(_option_label(bank, lang, "gegevens", o).lower() for o in data),
                other=", ".join(_option_label(bank, lang, "gegevens", o).lower() for o in others),
            ))
    paras.append(tx(lang, "just_purpose"))
    paras.append(tx(lang, "just_ranking"))
    return [_b("h2", tx(lang, "justification_heading")), *(_b("p", p) for p in paras)]


def blocks(bank: Databank, advice: Advice) -> list[Block]:
    """The whole document, in order, independent of the output format."""
    lang = advice.lang
    blocks = [
        _b("h1", tx(lang, "title")),
        _b("p", Span(f"{tx(lang, 'date')}: ", bold=True), advice.created.isoformat(), " · ",
           Span(f"{tx(lang, 'version')}: ", bold=True), advice.databank_version),
    ]
    if advice.link:
        blocks.append(_b("p", Span(f"{tx(lang, 'link')}: ", bold=True), Span(advice.link, url=advice.link)))
    blocks.append(_b("p", tx(lang, "intro")))

    blocks.append(_b("h2", tx(lang, "question_heading")))
    blocks.append(_b("quote", advice.question) if advice.question else _b("p", tx(lang, "question_none")))

    blocks.append(_b("h2", tx(lang, "answers_heading")))
    for qid in BRANCHES:
        labels = _answer_labels(bank, advice, qid)
        value = ", ".join(labels) or tx(lang, "no_preference")
        blocks.append(_field(_question_label(bank, lang, qid), value))

    blocks.append(_b("h2", tx(lang, "instruments_heading")))
    if not advice.instruments:
        blocks.append(_b("p", tx(lang, "nothing_fits")))
        blocks.append(_relaxation_block(bank, advice))
    else:
        if advice.picked:
            blocks.append(_b("p", tx(lang, "picked_note")))
        elif advice.headline is not None:
            a, b = (instrument_name(m.instrument, lang) for m in advice.headline.parts)
            blocks.append(_b("p", Span(tx(lang, "headline_note", numbers=a, stories=b), bold=True)))
        elif not all(m.exact for m in advice.instruments):
            blocks.append(_b("p", tx(lang, "near_note")))
            blocks.append(_relaxation_block(bank, advice))
        for n, match in enumerate(advice.instruments, 1):
            blocks.extend(_instrument_blocks(bank, advice, n, match))

    blocks.extend(_bundle_blocks(bank, advice))
    blocks.extend(_justification(bank, advice))
    blocks.append(_b("rule"))
    blocks.append(_b("small", tx(lang, "footer")))
    return blocks
