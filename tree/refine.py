"""Narrowing a result list on practical facts: cost, time, the quality label, easy-read.

These are not branches of the tree (they do not change why an instrument fits) but the
questions a team leader asks next: can we afford it, how long does it take, is it proven?
"""

from __future__ import annotations

from dataclasses import dataclass

from .recommend import Match
from .schema import FREE_COSTS, TESTED_QUALITIES


@dataclass(frozen=True)
class Refinement:
    free_only: bool = False
    max_minutes: int | None = None
    #: None: every label; "getoetst-nl": only tested in the Netherlands; "getoetst": tested anywhere
    quality: str | None = None
    easy_read_only: bool = False

    @property
    def active(self) -> bool:
        return self.free_only or self.max_minutes is not None or self.quality is not None or self.easy_read_only


def keep(match: Match, r: Refinement) -> bool:
    inst = match.instrument
    if r.free_only and inst.cost not in FREE_COSTS:  # free, also when the terms ask for a citation
        return False
    # an unknown time cannot be shown to fit a time limit
    if r.max_minutes is not None and (inst.minutes is None or inst.minutes > r.max_minutes):
        return False
    if r.quality == "getoetst-nl" and inst.quality != "getoetst-nl":
        return False
    if r.quality == "getoetst" and inst.quality not in TESTED_QUALITIES:
        return False
    return not (r.easy_read_only and not inst.easy_read)


def apply(matches: list[Match], r: Refinement) -> tuple[list[Match], int]:
    """The matches that pass, and how many were hidden."""
    kept = [m for m in matches if keep(m, r)]
    return kept, len(matches) - len(kept)
