"""The meetplan as data: from a team's choices and the databank's facts to what the plan says.

The plan is computed, not written: moments follow from what an instrument measures (an effect on
clients needs a measurement before and after; a monitor has its own rhythm; satisfaction is asked
once, afterwards); effort is minutes × respondents × moments, from the databank's facts only. A
fact the databank does not have stays ``None`` and the document names it as unknown — a plan that
guesses the hours would be worse than one that says "onbekend".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal

from ..databank import Databank
from ..recommend import Match, Recommendation, explain
from ..schema import QUESTIONNAIRE_KINDS, Instrument
from .answers import PlanAnswers

#: What an instrument does in this plan; it decides its moments and how its result is read.
Role = Literal["effect", "omgeving", "ervaring", "verhalen", "methode", "rendement", "proces", "monitor", "raamwerk"]
#: When a measurement happens, relative to the activity.
MomentKind = Literal["voor", "na", "tijdens", "achteraf", "monitor", "verhalen"]

#: How many moments each role asks of the team (a monitor's waves are run by others).
_MOMENTS: dict[str, tuple[MomentKind, ...]] = {
    "effect": ("voor", "na"),
    "omgeving": ("voor", "na"),
    "ervaring": ("na",),
    "verhalen": ("verhalen",),
    "methode": ("tijdens", "na"),
    "rendement": ("achteraf",),
    "proces": ("tijdens",),
    "monitor": ("monitor",),
    "raamwerk": (),
}
_STORY_KINDS = frozenset({"methode", "groepsmethode", "interview", "observatie"})


def role_of(inst: Instrument) -> Role:
    """The instrument's part in the plan, from its kind and its meten/gegevens tags."""
    if inst.kind == "raamwerk":
        return "raamwerk"
    if inst.kind == "monitor":
        return "monitor"
    if inst.kind == "economische-evaluatie" or (inst.meten == ["rendement"]):
        return "rendement"
    if inst.kind in _STORY_KINDS:
        # a qualitative or participatory method: stories only, or a method that yields both
        return "verhalen" if "cijfers" not in inst.gegevens else "methode"
    if "effect-client" in inst.meten:
        return "effect"
    if "effect-omgeving" in inst.meten:
        return "omgeving"
    if "ervaring" in inst.meten:
        return "ervaring"
    if "verhalen" in inst.gegevens:
        return "verhalen"
    return "proces"


@dataclass(frozen=True)
class Moment:
    kind: MomentKind
    date: dt.date | None  # None: the team has not given its dates yet


@dataclass(frozen=True)
class Effort:
    """Administration time for one instrument; None where a fact is missing."""

    minutes: int | None  # per respondent per moment (the databank's ``minutes``)
    respondents: int | None
    moments: int
    applies: bool  # False for a monitor or framework: the team does not administer it

    @property
    def total_minutes(self) -> int | None:
        if not self.applies:
            return 0
        if self.minutes is None or self.respondents is None:
            return None
        return self.minutes * self.respondents * self.moments

    @property
    def hours(self) -> float | None:
        """Rounded up to a half hour: a plan that promises too little time fails in practice."""
        total = self.total_minutes
        return None if total is None else math.ceil(total / 30) / 2


@dataclass(frozen=True)
class PlanItem:
    match: Match
    role: Role
    moments: tuple[Moment, ...]
    effort: Effort

    @property
    def instrument(self) -> Instrument:
        return self.match.instrument


@dataclass
class Plan:
    question: str
    answers: dict[str, list[str]]
    choices: PlanAnswers
    items: list[PlanItem]
    lang: str
    created: dt.date
    databank_version: str
    link: str | None = None
    #: Ids in the plan's answers that the databank does not (or no longer) know.
    dropped: list[str] = field(default_factory=list)
    #: A stories method to suggest when the plan has only numbers (tellen én vertellen).
    stories_hint: Instrument | None = None

    @property
    def numbers(self) -> list[PlanItem]:
        return [i for i in self.items if i.role not in ("verhalen", "raamwerk") and "cijfers" in i.instrument.gegevens]

    @property
    def stories(self) -> list[PlanItem]:
        return [i for i in self.items if i.role == "verhalen" or "verhalen" in i.instrument.gegevens]

    @property
    def tellen_en_vertellen(self) -> bool:
        """Numbers and stories together: then no single item has to yield both."""
        return bool(self.numbers) and bool(self.stories)

    @property
    def has_effect(self) -> bool:
        return any(i.role in ("effect", "omgeving") for i in self.items)

    @property
    def total_hours(self) -> float | None:
        """The team's administration hours; None when any instrument's are unknown."""
        hours = [i.effort.hours for i in self.items if i.effort.applies]
        return None if any(h is None for h in hours) else sum(h for h in hours if h is not None)

    @property
    def unknown_effort(self) -> list[PlanItem]:
        return [i for i in self.items if i.effort.applies and i.effort.hours is None]


def default_instruments(rec: Recommendation, chosen: list[str] | None = None) -> list[str]:
    """Pre-filled from the advice: the user's chosen cards, else the headline bundle, else the best exact match."""
    if chosen:
        return list(dict.fromkeys(chosen))
    if rec.headline is not None:
        return [m.instrument.id for m in rec.headline.parts]
    # an instrument for this very group and theme beats a generic method that fits "alle doelgroepen"
    for match in (*rec.matches, *rec.near):
        if all(f.direct for f in match.fits if f.question in ("doelgroep", "thema")):
            return [match.instrument.id]
    if rec.matches:
        return [rec.matches[0].instrument.id]
    return [rec.near[0].instrument.id] if rec.near else []


def suggest_stories(bank: Databank, rec: Recommendation, items: list[PlanItem]) -> Instrument | None:
    """A stories method for a plan with only numbers: one the chosen instruments name as related,
    else the best-ranked stories method in the recommendation."""
    chosen = {i.instrument.id for i in items}
    for item in items:
        for rid in item.instrument.related or ():
            other = bank.instruments.get(rid)
            if other is not None and other.active and rid not in chosen and role_of(other) == "verhalen":
                return other
    for match in (*rec.matches, *rec.near):
        if match.instrument.id not in chosen and role_of(match.instrument) == "verhalen":
            return match.instrument
    return None


def default_carrier(answers: dict[str, list[str]]) -> str | None:
    chosen = answers.get("uitvoering", [])
    return chosen[0] if len(chosen) == 1 else None


def _moments(role: Role, choices: PlanAnswers) -> tuple[Moment, ...]:
    dates = {"voor": choices.start, "na": choices.end, "achteraf": choices.end, "verhalen": choices.end,
             "tijdens": None, "monitor": None}
    if choices.start and choices.end and choices.start < choices.end:
        dates["tijdens"] = choices.start + (choices.end - choices.start) / 2
    return tuple(Moment(kind, dates[kind]) for kind in _MOMENTS[role])


#: Roles whose time the databank cannot give per respondent: a method's time depends on how the
#: team runs it, a monitor and a framework ask no administration of the team.
_NO_MINUTES = frozenset({"monitor", "raamwerk", "verhalen", "methode", "rendement"})


def _effort(inst: Instrument, role: Role, moments: tuple[Moment, ...], choices: PlanAnswers) -> Effort:
    applies = role not in _NO_MINUTES
    minutes = inst.minutes if inst.kind in QUESTIONNAIRE_KINDS or inst.minutes is not None else None
    return Effort(minutes=minutes, respondents=choices.participants, moments=len(moments), applies=applies)


def build_plan(
    bank: Databank,
    rec: Recommendation,
    choices: PlanAnswers,
    *,
    question: str = "",
    lang: str = "nl",
    link: str | None = None,
    today: dt.date | None = None,
) -> Plan:
    """The plan for ``choices``; unknown or withdrawn instrument ids are dropped and reported."""
    known = {m.instrument.id: m for m in (*rec.matches, *rec.near)}
    items: list[PlanItem] = []
    dropped: list[str] = []
    for iid in choices.instruments:
        inst = bank.instruments.get(iid)
        if inst is None or not inst.active:
            dropped.append(iid)
            continue
        match = known.get(iid) or explain(bank, inst, rec.answers)
        role = role_of(inst)
        moments = _moments(role, choices)
        items.append(PlanItem(match, role, moments, _effort(inst, role, moments, choices)))
    has_stories = any(i.role == "verhalen" or "verhalen" in i.instrument.gegevens for i in items)
    return Plan(
        stories_hint=None if has_stories or not items else suggest_stories(bank, rec, items),
        question=question,
        answers={q: list(v) for q, v in rec.answers.items()},
        choices=choices,
        items=items,
        lang=lang,
        created=today or dt.date.today(),
        databank_version=bank.version,
        link=link,
        dropped=dropped,
    )
