"""Instrument facts and fit explanations as plain words, for every screen and document.

The wizard cards, the detail page, the compare table and the advice document all describe an
instrument the same way; this module is that one way, so a wording fixed here is fixed
everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from .databank import Databank
from .i18n import strings, t
from .nudges import AREA_EFFECT, CLIENT_EFFECT, SATISFACTION
from .recommend import Bundle, Fit, Match
from .schema import BRANCHES, METHOD_KINDS, SIGNAL_KINDS, Instrument


def option_label(bank: Databank, qid: str, oid: str, lang: str) -> str:
    return bank.taxonomy.option(qid, oid).label.get(lang)


def question_label(bank: Databank, qid: str, lang: str) -> str:
    # a label is always followed by a colon here; "Wat wilt u meten?: …" reads badly
    return bank.taxonomy.question(qid).label.get(lang).rstrip("?").rstrip()


def option_labels(bank: Databank, qid: str, oids: Iterable[str], lang: str) -> str:
    return ", ".join(option_label(bank, qid, o, lang) for o in oids)


def answers_text(bank: Databank, answers: dict[str, list[str]], lang: str) -> list[tuple[str, str]]:
    """(question label, chosen labels or 'geen voorkeur') for every question, in order."""
    no_preference = t(lang, "common.no_preference")
    return [
        (question_label(bank, q, lang), option_labels(bank, q, answers.get(q, []), lang) or no_preference)
        for q in BRANCHES
    ]


def fit_line(bank: Databank, fit: Fit, lang: str) -> str:
    """'Doelgroep: Ouderen' or 'Doelgroep: Ouderen — via Volwassenen (bredere doelgroep)'."""
    q = question_label(bank, fit.question, lang)
    chosen = option_label(bank, fit.question, fit.chosen, lang)
    if fit.direct:
        return t(lang, "describe.fit_direct", question=q, option=chosen)
    via = option_label(bank, fit.question, fit.via, lang)
    return t(lang, "describe.fit_via", question=q, option=chosen, via=via)


def miss_line(bank: Databank, match: Match, qid: str, answers: dict[str, list[str]], lang: str) -> str:
    q = question_label(bank, qid, lang)
    wanted = option_labels(bank, qid, answers.get(qid, []), lang)
    has = option_labels(bank, qid, match.instrument.options(qid), lang)
    return t(lang, "describe.miss", question=q, wanted=wanted, has=has)


def bundle_line(bank: Databank, bundle: Bundle, inst: Instrument, lang: str) -> str:
    """In a tellen-en-vertellen pair the type of data is answered by the pair, not by one part:
    'Type gegevens: Cijfers — samen met Most Significant Change (MSC) voor Verhalen'."""
    parts = [p.instrument for p in bundle.parts]
    other = next(p for p in parts if p.id != inst.id)
    return t(
        lang, "describe.bundle_part", question=question_label(bank, "gegevens", lang),
        own=option_labels(bank, "gegevens", inst.gegevens, lang), other=name_with_abbreviation(other, lang),
        other_data=option_labels(bank, "gegevens", other.gegevens, lang).lower(),
    )


def why_lines(
    bank: Databank, match: Match, answers: dict[str, list[str]], lang: str, bundle: Bundle | None = None
) -> list[str]:
    lines = [fit_line(bank, f, lang) for f in match.fits]
    for q in match.misses:
        if bundle is not None and q == "gegevens":
            lines.append(bundle_line(bank, bundle, match.instrument, lang))
        else:
            lines.append(miss_line(bank, match, q, answers, lang))
    return lines


def yes_no(value: bool | None, lang: str) -> str:
    if value is None:
        return t(lang, "common.unknown")
    return t(lang, "common.yes") if value else t(lang, "common.no")


def _or_unknown(value: object, lang: str, unit_key: str | None = None) -> str:
    if value is None:
        return t(lang, "common.unknown")
    return t(lang, unit_key, n=value) if unit_key else str(value)


def text(inst: Instrument, field: str, lang: str) -> str | None:
    """A free-text field in ``lang``: the ``<field>_en`` twin in English, the Dutch text otherwise.

    The rules (tree.rules) require every twin of an active record, so the Dutch fallback only
    shows for a record a curator is still completing.
    """
    if lang == "en":
        twin = getattr(inst, f"{field}_en", None)
        if twin:
            return twin
    return getattr(inst, field)


def cost_text(inst: Instrument, lang: str) -> str:
    base = t(lang, "common.unknown") if inst.cost is None else t(lang, f"describe.cost_{inst.cost}")
    # for a method the category is about the method, for a monitor about its results (the schema's
    # ``cost``): the card says so, or "gratis" next to an MKBA reads as "an MKBA costs nothing"
    if inst.cost is not None and inst.kind in METHOD_KINDS:
        base = t(lang, "describe.cost_of_method", cost=base)
    elif inst.cost is not None and inst.kind == "monitor":
        base = t(lang, "describe.cost_of_monitor", cost=base)
    note = text(inst, "cost_note", lang)
    return f"{base} — {note}" if note else base


def quality_label(inst: Instrument, lang: str) -> str:
    return t(lang, f"quality.{inst.quality}") if inst.quality else t(lang, "common.unknown")


def quality_text(inst: Instrument, lang: str) -> str:
    """'Getoetst in Nederland — De Jong Gierveld & Van Tilburg (2008): betrouwbaarheid, …'."""
    label = quality_label(inst, lang)
    basis = inst.quality_basis
    if basis is None:
        return label
    tested = ", ".join(t(lang, f"quality.tested_{p}") for p in basis.tested)
    reference = basis.reference if str(basis.year) in basis.reference else f"{basis.reference} ({basis.year})"
    return t(lang, "quality.with_basis", label=label, reference=reference, tested=tested)


def caveats(inst: Instrument, lang: str) -> list[str]:
    """What a team leader must know before reading a result of this instrument as an effect.

    Derived from the tags, so every card, detail page and advice says it the same way: the
    domain rules (tevredenheid is geen effect; a monitor does not attribute change; a screening
    shows change only when repeated) are carried by the product, not by each summary.
    """
    out = []
    if SATISFACTION[1] in inst.meten:
        out.append(t(lang, "caveat.satisfaction"))
    if inst.kind == "monitor" and AREA_EFFECT[1] in inst.meten:
        out.append(t(lang, "caveat.monitor", n=inst.interval_years or 0))
    if inst.kind in SIGNAL_KINDS and CLIENT_EFFECT[1] in inst.meten:
        out.append(t(lang, "caveat.repeat"))
    return out


def name_with_abbreviation(inst: Instrument, lang: str = "nl") -> str:
    name = inst.name_en if lang == "en" and inst.name_en else inst.name
    abbreviation = (inst.abbreviation_en or inst.abbreviation) if lang == "en" else inst.abbreviation
    if not abbreviation:
        return name
    short = abbreviation.split(" (")[0].strip()  # "CarerQol (CarerQol-7D en -VAS)" → "CarerQol"
    # as a word: "PAR" is not in "participatory", "CarerQol" is in "… (CarerQol)"
    if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", name, flags=re.IGNORECASE):
        return name
    if _ENDS_WITH_ABBREVIATION.search(name):  # "… (CBCL)" or "… (4DSQ)": a second one reads as a stutter
        return name
    return f"{name} ({abbreviation})"


#: A name that already ends in its own abbreviation: one word of capitals and digits in brackets.
_ENDS_WITH_ABBREVIATION = re.compile(r"\((?=[^)]*[A-Z][^)]*[A-Z])[A-Za-z0-9][A-Za-z0-9\-/&.]*\)\s*$")


def kind_label(inst: Instrument, lang: str) -> str:
    return t(lang, f"kinds.{inst.kind}")


def summary(inst: Instrument, lang: str) -> str:
    return text(inst, "summary", lang) or inst.summary


def language_names(inst: Instrument, lang: str) -> str:
    codes = inst.languages or []
    return ", ".join(t(lang, f"languages.{c}") if f"languages.{c}" in strings(lang) else c for c in codes)


def per_person(inst: Instrument, value: object, lang: str, unit_key: str | None = None) -> str:
    """Questions and minutes per person: "n.v.t." for a method, framework or return calculation
    (they have none; "onbekend" there reads as a gap in the databank)."""
    if value is None and inst.kind in METHOD_KINDS:
        return t(lang, "describe.not_applicable")
    return _or_unknown(value, lang, unit_key)


def facts(bank: Databank, inst: Instrument, lang: str) -> list[tuple[str, str]]:
    """The card facts a team leader compares on, in a fixed order; unknowns say 'onbekend'."""
    return [
        (t(lang, "describe.measures"), text(inst, "measures", lang) or t(lang, "common.unknown")),
        (t(lang, "describe.for_whom"), option_labels(bank, "doelgroep", inst.doelgroep, lang)),
        (t(lang, "describe.kind"), kind_label(inst, lang)),
        (t(lang, "describe.items"), per_person(inst, inst.items, lang)),
        (t(lang, "describe.minutes"), per_person(inst, inst.minutes, lang, "describe.minutes_value")),
        (t(lang, "describe.administered_by"), text(inst, "administered_by", lang) or t(lang, "common.unknown")),
        (t(lang, "describe.cost"), cost_text(inst, lang)),
        (t(lang, "describe.training"), yes_no(inst.training_required, lang)),
        (t(lang, "describe.quality"), quality_text(inst, lang)),
        (t(lang, "describe.easy_read"), yes_no(inst.easy_read, lang)),
        (t(lang, "describe.data"), option_labels(bank, "gegevens", inst.gegevens, lang)),
        (t(lang, "describe.execution"), option_labels(bank, "uitvoering", inst.uitvoering, lang)),
        (t(lang, "describe.last_reviewed"), inst.last_reviewed.isoformat()),
    ]


def scoring_range(inst: Instrument, lang: str) -> str:
    """The score's range and direction ("van 0 tot 11; een hogere score is slechter"), or ""."""
    s = inst.scoring
    if s is None:
        return ""
    parts = []
    if s.min is not None and s.max is not None:
        parts.append(t(lang, "plan.range_value", min=f"{s.min:g}", max=f"{s.max:g}"))
    if s.direction:
        parts.append(t(lang, f"plan.direction_{s.direction}"))
    return "; ".join(parts)


def scoring_text(inst: Instrument, lang: str) -> str | None:
    """How the score reads, in one line ("van 0 tot 11; een hogere score is slechter. 0-2 ...")."""
    s = inst.scoring
    if s is None:
        return None
    line = scoring_range(inst, lang)
    if s.interpretation:
        reading = s.interpretation.en if lang == "en" else s.interpretation.nl
        line = f"{line}. {reading}" if line else reading
    return line or None


def compare_table(bank: Databank, ids: list[str], lang: str) -> pd.DataFrame:
    """Instruments side by side: one column per instrument, one row per fact.

    What a team leader decides on comes first; how the score reads (so the choice also fits the
    report they must write) before where to get it; the review date, the same for most, last."""
    insts = [bank.instruments[i] for i in ids if i in bank.instruments]
    columns = {}
    reviewed = t(lang, "describe.last_reviewed")
    for inst in insts:
        rows = [row for row in facts(bank, inst, lang) if row[0] != reviewed]  # the summary is on the card
        rows.append((t(lang, "describe.themes"), option_labels(bank, "thema", inst.thema, lang)))
        rows.append((t(lang, "describe.what"), option_labels(bank, "meten", inst.meten, lang)))
        # what the cards say before a result may be read as an effect (satisfaction, monitors,
        # screening): side by side it must not get lost
        rows.append((t(lang, "describe.caveats"), " ".join(caveats(inst, lang)) or "—"))
        rows.append((t(lang, "plan.f_reading"), scoring_text(inst, lang) or t(lang, "common.unknown")))
        rows.append((t(lang, "describe.where"), inst.url or t(lang, "common.unknown")))
        rows.append((reviewed, inst.last_reviewed.isoformat()))
        columns[name_with_abbreviation(inst, lang)] = dict(rows)
    return pd.DataFrame(columns)
