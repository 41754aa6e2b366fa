"""Answers ⇄ shareable link.

The link format is a public contract: ``?doelgroep=ouderen&thema=eenzaamheid,armoede-schulden``
with question and option ids from the databank, several values comma-separated. Anything the
databank does not know is ignored and reported, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .i18n import LANGUAGES
from .safe_text import plain_line
from .schema import BRANCHES, Taxonomy

#: Query parameters that are not answers but still belong to a shared state: the research
#: question, language, wizard step, compared and opened instruments, the presenter's room with
#: its facilitator key (so a reload of the projector keeps the room), and a phone's room and
#: participant token.
EXTRA_PARAMS = ("vraag", "lang", "stap", "vergelijk", "id", "kamer", "sleutel", "code", "deelnemer")
#: The meetplan's answers (checked in full by :func:`tree.meetplan.answers.from_params`).
PLAN_PARAMS = ("plan", "aantal", "van", "tot", "doel", "wie", "lezers")
#: Streamlit's own parameters: not ours to report.
PLATFORM_PARAMS = ("embed", "embed_options")

# --- limits: a link is typed by people and crafted by others; nothing in it may cost much ----
MAX_PARAMS = 24  # distinct keys read; the rest is ignored with a notice
MAX_VALUES = 20  # comma-separated values per key
MAX_RAW_CHARS = 1000  # one parameter's raw text (a research question is cut to QUESTION_CHARS)
QUESTION_CHARS = 500  # the research question, as the start page's text box allows
NOTICE_CHARS = 40  # how much of an ignored value the notice repeats
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class ParsedLink:
    answers: dict[str, list[str]]
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (parameter, value) ignored
    extras: dict[str, str] = field(default_factory=dict)  # every extra that passed its check

    @property
    def has_answers(self) -> bool:
        return any(self.answers.values())

    @property
    def step(self) -> int | None:
        raw = self.extras.get("stap")
        return int(raw) if raw is not None else None

    def ids(self, key: str) -> list[str]:
        return [v for v in self.extras.get(key, "").split(",") if v]


def _short(value: str) -> str:
    value = plain_line(value, NOTICE_CHARS)
    return value


def _values(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()][:MAX_VALUES]


def _raw(raw: str | Sequence[str]) -> str:
    text = raw if isinstance(raw, str) else ",".join(str(r) for r in raw)
    return text[:MAX_RAW_CHARS]


def _extra(key: str, raw: str, unknown: list[tuple[str, str]]) -> str | None:
    """One extra parameter, checked; None (and a notice) when it is not what it should be."""
    if key == "vraag":
        return plain_line(raw, QUESTION_CHARS) or None
    if key == "lang":
        ok = raw in LANGUAGES
    elif key == "stap":
        # ASCII digits only: '²' and '①' are digits to str.isdigit but not to int()
        ok = raw.isascii() and raw.isdigit() and len(raw) <= 2
    elif key in ("vergelijk", "id"):
        values = _values(raw)
        good = [v for v in values if _ID.match(v)]
        unknown.extend((key, _short(v)) for v in values if not _ID.match(v))
        return ",".join(good) or None
    else:  # room code, facilitator key, participant token
        ok = bool(_TOKEN.match(raw.replace("-", "") or "-"))
    if not ok:
        unknown.append((key, _short(raw)))
        return None
    return raw


def parse_params(params: Mapping[str, str | Sequence[str]], taxonomy: Taxonomy) -> ParsedLink:
    """The one reader of a link: everything is parsed or ignored with a notice, nothing raises."""
    answers: dict[str, list[str]] = {q: [] for q in BRANCHES}
    unknown: list[tuple[str, str]] = []
    extras: dict[str, str] = {}
    for n, (key, raw_value) in enumerate(params.items()):
        key = str(key)
        if n >= MAX_PARAMS:
            unknown.append((_short(key), "…"))
            break
        raw = _raw(raw_value)
        if key in PLATFORM_PARAMS:
            continue
        if key in PLAN_PARAMS:
            extras[key] = raw  # already cut to MAX_RAW_CHARS; the meetplan checks each value
            continue
        if key in EXTRA_PARAMS:
            value = _extra(key, raw, unknown)
            if value is not None:
                extras[key] = value
            continue
        if key not in answers:
            unknown.extend((_short(key), _short(v)) for v in _values(raw) or [""])
            continue
        question = taxonomy.question(key)
        for v in _values(raw):
            current = taxonomy.current_id(key, v) if _ID.match(v) else None  # an old link still lands
            if current is None:
                unknown.append((key, _short(v)))
            elif current not in answers[key]:
                answers[key].append(current)
        if not question.multiple and len(answers[key]) > 1:
            unknown.extend((key, v) for v in answers[key][1:])
            answers[key] = answers[key][:1]
    return ParsedLink(answers, unknown, extras)


def to_params(answers: Mapping[str, Sequence[str]], **extras: str | None) -> dict[str, str]:
    """Answers (and extras such as ``vraag``) as query parameters, in question order."""
    out = {q: ",".join(answers[q]) for q in BRANCHES if answers.get(q)}
    out.update({k: v for k, v in extras.items() if v})
    return out


def to_query(answers: Mapping[str, Sequence[str]], **extras: str | None) -> str:
    return urlencode(to_params(answers, **extras), safe=",")
