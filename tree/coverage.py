"""How well the databank covers each answer option, read from the graph."""

from __future__ import annotations

from dataclasses import dataclass

from .databank import Databank

MIN_PER_OPTION = 2


@dataclass(frozen=True)
class OptionCoverage:
    question: str
    option: str
    direct: int  # active instruments tagged with this option
    effective: int  # active instruments a user gets when choosing it (incl. broader options)

    @property
    def thin(self) -> bool:
        return self.direct < MIN_PER_OPTION


def option_coverage(bank: Databank) -> list[OptionCoverage]:
    idx = bank.index
    out = []
    for q in bank.taxonomy.questions:
        for o in q.options:
            key = (q.id, o.id)
            direct = idx.effective[key] if o.combines else idx.direct[key]
            out.append(OptionCoverage(q.id, o.id, direct.bit_count(), idx.effective[key].bit_count()))
    return out


def matrix(bank: Databank, rows: str = "doelgroep", cols: str = "thema") -> dict[str, dict[str, int]]:
    """Active instruments per (row option, column option), counting broader options too."""
    idx = bank.index
    return {
        r.id: {
            c.id: (idx.effective[(rows, r.id)] & idx.effective[(cols, c.id)]).bit_count()
            for c in bank.taxonomy.question(cols).options
        }
        for r in bank.taxonomy.question(rows).options
    }
