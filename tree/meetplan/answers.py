"""What a team tells the meetplan step, and how those answers travel in a shareable link.

Every answer is optional: a team may skip any question and still gets a plan, in which the
skipped parts are named as open ("nog in te vullen") rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

#: What the measuring is for: leren (improve the work), verantwoorden (account to the funder), or both.
PURPOSES = ("leren", "verantwoorden", "beide")
#: Who reads the report. Order is the order shown.
READERS = ("team", "organisatie", "gemeente", "deelnemers")
#: Who carries the measuring out: the options of the Beslisboom's fifth question.
CARRIERS = ("zelf", "uitbesteden", "mix")

#: The link parameters of the plan (beside the wizard's answers and the research question).
PARAMS = ("plan", "aantal", "van", "tot", "doel", "wie", "lezers")
MAX_PARTICIPANTS = 100_000
MAX_INSTRUMENTS = 6
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PlanAnswers:
    instruments: tuple[str, ...] = ()
    participants: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    purpose: str | None = None
    carrier: str | None = None
    readers: tuple[str, ...] = ()

    def with_(self, **changes: object) -> PlanAnswers:
        return replace(self, **changes)

    @property
    def period_ok(self) -> bool:
        return self.start is None or self.end is None or self.start <= self.end


def _ids(raw: str, allowed: Sequence[str] | None = None, limit: int = MAX_INSTRUMENTS) -> tuple[str, ...]:
    out: list[str] = []
    for value in raw.split(","):
        value = value.strip()
        if value and _ID.match(value) and (allowed is None or value in allowed) and value not in out:
            out.append(value)
    return tuple(out[:limit])


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if len(raw.strip()) == 10 else None
    except ValueError:
        return None


def _int(raw: str) -> int | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 6:
        n = int(raw)
        return n if 1 <= n <= MAX_PARTICIPANTS else None
    return None


def from_params(params: Mapping[str, str | Sequence[str]]) -> tuple[PlanAnswers, list[tuple[str, str]]]:
    """The plan answers in a link; unusable values are dropped and reported, never raised."""
    def raw(key: str) -> str:
        value = params.get(key, "")
        text = value if isinstance(value, str) else ",".join(str(v) for v in value)
        return text[:400]

    ignored: list[tuple[str, str]] = []
    values: dict[str, object] = {}
    if raw("plan"):
        values["instruments"] = _ids(raw("plan"))
    if raw("aantal"):
        values["participants"] = _int(raw("aantal"))
    for key, name in (("van", "start"), ("tot", "end")):
        if raw(key):
            values[name] = _date(raw(key))
    if raw("doel"):
        values["purpose"] = raw("doel") if raw("doel") in PURPOSES else None
    if raw("wie"):
        values["carrier"] = raw("wie") if raw("wie") in CARRIERS else None
    if raw("lezers"):
        values["readers"] = _ids(raw("lezers"), READERS, len(READERS))
    for key, name in (("aantal", "participants"), ("van", "start"), ("tot", "end"), ("doel", "purpose"),
                      ("wie", "carrier")):
        if raw(key) and values.get(name) is None:
            ignored.append((key, raw(key)[:40]))
    answers = PlanAnswers(**values)  # type: ignore[arg-type]
    if not answers.period_ok:
        ignored.append(("tot", raw("tot")[:40]))
        answers = answers.with_(end=None)
    return answers, ignored


def to_params(answers: PlanAnswers) -> dict[str, str]:
    """The plan answers as link parameters; empty answers are left out."""
    out = {
        "plan": ",".join(answers.instruments),
        "aantal": str(answers.participants) if answers.participants else "",
        "van": answers.start.isoformat() if answers.start else "",
        "tot": answers.end.isoformat() if answers.end else "",
        "doel": answers.purpose or "",
        "wie": answers.carrier or "",
        "lezers": ",".join(answers.readers),
    }
    return {k: v for k, v in out.items() if v}
