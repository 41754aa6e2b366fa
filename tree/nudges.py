"""The domain truths, said at the moment they matter, and the option ids they key on — declared once.

The wizard shows these nudges; the cards, the rules and the advice use the same option ids. Pure
Python, so the words and the triggers are tested without a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import BRANCHES

#: Wizard and presenter steps: 0 = start, 1..5 = the questions in BRANCHES order, 6 = results.
START_STEP, RESULTS_STEP = 0, len(BRANCHES) + 1

#: What the domain truths key on (question id, option id).
SATISFACTION = ("meten", "ervaring")  # tevredenheid is geen effect
CLIENT_EFFECT = ("meten", "effect-client")
AREA_EFFECT = ("meten", "effect-omgeving")
NUMBERS = ("gegevens", "cijfers")  # tellen én vertellen
STORIES = ("gegevens", "verhalen")
#: Choosing this many themes or more: you cannot measure everything.
MANY_THEMES = 2


@dataclass(frozen=True)
class Nudge:
    """One nudge: its locale key (``nudge.<key>``), its level, and an option a button may add."""

    key: str
    level: str  # "warning" or "info"
    add: tuple[str, str] | None = None  # (question, option) offered as a one-click fix


def nudges(qid: str, chosen: list[str]) -> list[Nudge]:
    """The nudges for the answers ``chosen`` at question ``qid``, in the order to show them."""
    out: list[Nudge] = []
    if qid == SATISFACTION[0] and SATISFACTION[1] in chosen:
        out.append(Nudge("satisfaction", "warning", None if CLIENT_EFFECT[1] in chosen else CLIENT_EFFECT))
    if qid == "thema" and len(chosen) >= MANY_THEMES:
        out.append(Nudge("many_themes", "info"))
    if qid == NUMBERS[0] and chosen == [NUMBERS[1]]:
        out.append(Nudge("tellen_vertellen", "info"))
    return out
