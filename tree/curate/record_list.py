"""Every record as one row of facts a curator triages on, filtered and sorted.

With 150+ records a curator does not edit one file at a time; they look for the records that
need work — not checked for years, a fact missing, no quality label, a doelgroep or thema with
too few instruments — and open those. This module builds that list as a table, knowing nothing
of Streamlit, so the filters are tested directly and the page only draws the result.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..databank import Databank
from ..i18n import t
from ..schema import QUALITIES, Instrument
from .dashboard import missing_facts
from .formspec import choice_label, field_label

#: The table's columns, in the order shown: the name, then what needs work, then what it covers;
#: the id last (the page names it next to the chosen record).
COLUMNS: tuple[str, ...] = (
    "name", "status", "quality", "last_reviewed", "missing_count", "missing", "kind", "doelgroep", "thema", "id",
)
#: Ways to order the list, the first is the default.
SORTS: tuple[str, ...] = ("name", "reviewed", "missing", "quality")
#: The quality filter's value for "no label yet" (a record without ``quality``).
NO_QUALITY = ""


@dataclass(frozen=True)
class ListFilter:
    """What the curator narrowed the list to; an empty choice means 'no filter on this'."""

    text: str = ""
    status: frozenset[str] = frozenset()
    quality: frozenset[str] = frozenset()  # NO_QUALITY selects records without a label
    doelgroep: frozenset[str] = frozenset()  # option ids, matched on the record's own tags
    thema: frozenset[str] = frozenset()
    missing_only: bool = False
    reviewed_before: dt.date | None = None  # last checked before this date


def fold(text: str) -> str:
    """Text for matching: case and accents ignored, so 'geinformeerd' finds 'geïnformeerd'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _haystack(inst: Instrument) -> str:
    parts = (inst.name, inst.name_en, inst.abbreviation, inst.id, inst.authors)
    return fold(" ".join(p for p in parts if p))


def matches(inst: Instrument, f: ListFilter) -> bool:
    """Does the record pass every filter? Within one filter the chosen values are OR."""
    words = fold(f.text).split()
    if words and not all(w in _haystack(inst) for w in words):
        return False
    if f.status and inst.status not in f.status:
        return False
    if f.quality and (inst.quality or NO_QUALITY) not in f.quality:
        return False
    if f.doelgroep and not f.doelgroep & set(inst.doelgroep):
        return False
    if f.thema and not f.thema & set(inst.thema):
        return False
    if f.missing_only and not missing_facts(inst):
        return False
    return f.reviewed_before is None or inst.last_reviewed < f.reviewed_before


def _name_key(inst: Instrument) -> tuple:
    return (fold(inst.name), inst.id)


#: Sort keys; ties fall back to the name, so the order never depends on file order.
_SORT_KEYS: dict[str, Callable[[Instrument], tuple]] = {
    "name": _name_key,
    "reviewed": lambda i: (i.last_reviewed, *_name_key(i)),
    "missing": lambda i: (-len(missing_facts(i)), *_name_key(i)),
    "quality": lambda i: (QUALITIES.index(i.quality) if i.quality else -1, *_name_key(i)),
}


def record_table(bank: Databank, lang: str, f: ListFilter | None = None, sort: str = "name") -> pd.DataFrame:
    """The records that pass ``f``, sorted by ``sort`` (one of :data:`SORTS`), one row each.

    Cells are words in ``lang`` (status, quality label, kind, option labels, the names of the
    missing facts), except ``id``: it is what the page opens a record by.
    """
    f = f or ListFilter()
    chosen = sorted((i for i in bank.instruments.values() if matches(i, f)), key=_SORT_KEYS[sort])
    rows = []
    for inst in chosen:
        gaps = missing_facts(inst)
        rows.append(
            {
                "name": inst.name,
                "status": choice_label("status", inst.status, lang),
                "quality": choice_label("quality", inst.quality, lang)
                if inst.quality
                else t(lang, "curator_list.no_quality"),
                "last_reviewed": inst.last_reviewed,
                "missing_count": len(gaps),
                "missing": [field_label(g, lang) for g in gaps],
                "kind": choice_label("kind", inst.kind, lang),
                "doelgroep": _option_labels(bank, inst, "doelgroep", lang),
                "thema": _option_labels(bank, inst, "thema", lang),
                "id": inst.id,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _option_labels(bank: Databank, inst: Instrument, qid: str, lang: str) -> list[str]:
    """The record's own options of one question, as their labels (an id the taxonomy does not
    know stays an id: one odd record must not break the whole list)."""
    known = {o.id: o.label.get(lang) for o in bank.taxonomy.question(qid).options}
    return [known.get(o, o) for o in inst.options(qid)]
