"""What a curator should look at next: gaps, stale records, missing facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .. import coverage
from ..databank import Databank
from ..schema import Instrument, recommended_for

REVIEW_YEARS = 2


def review_cutoff(today: dt.date, years: int = REVIEW_YEARS) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def stale(bank: Databank, today: dt.date, years: int = REVIEW_YEARS) -> list[Instrument]:
    """Active records not checked in the last ``years`` years, oldest first."""
    cutoff = review_cutoff(today, years)
    return sorted((i for i in bank.active if i.last_reviewed < cutoff), key=lambda i: i.last_reviewed)


@dataclass(frozen=True)
class Missing:
    instrument: Instrument
    fields: tuple[str, ...]


def missing_facts(inst: Instrument) -> tuple[str, ...]:
    """The recommended facts (field names) this record does not give yet; see :func:`missing_recommended`."""
    return tuple(f for f in recommended_for(inst) if getattr(inst, f) is None)


def missing_recommended(bank: Databank) -> list[Missing]:
    """Active records without facts a team leader compares on (items and minutes of what people
    fill in; cost and the quality label of everything).

    These are not errors — an unknown fact stays unknown until a source confirms it — but they
    are the curator's research list.
    """
    out = []
    for inst in sorted(bank.active, key=lambda i: i.id):
        gaps = missing_facts(inst)
        if gaps:
            out.append(Missing(inst, gaps))
    return out


def coverage_cells(bank: Databank, lang: str) -> pd.DataFrame:
    """The doelgroep × thema matrix as one row per cell, in the taxonomy's order: the labels,
    the count of active instruments (broader options included) and its band — ``none``,
    ``thin`` (fewer than :data:`tree.coverage.MIN_PER_OPTION`) or ``ok`` — for a heat map."""
    rows = []
    for g, row in coverage.matrix(bank).items():
        for th, n in row.items():
            band = "none" if n == 0 else "thin" if n < coverage.MIN_PER_OPTION else "ok"
            rows.append(
                {
                    "doelgroep": bank.taxonomy.option("doelgroep", g).label.get(lang),
                    "thema": bank.taxonomy.option("thema", th).label.get(lang),
                    "n": n,
                    "band": band,
                }
            )
    return pd.DataFrame(rows, columns=["doelgroep", "thema", "n", "band"])
