"""Answers ⇄ shareable link.

The link format is a public contract: ``?doelgroep=ouderen&thema=eenzaamheid,armoede-schulden``
with question and option ids from the databank, several values comma-separated. Anything the
databank does not know is ignored and reported, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .schema import BRANCHES, Taxonomy

#: Query parameters that are not answers but still belong to a shared state: the research
#: question, language, wizard step, compared and opened instruments, and the presenter's room
#: with its facilitator key (so a reload of the projector keeps the room).
EXTRA_PARAMS = ("vraag", "lang", "stap", "vergelijk", "id", "kamer", "sleutel")


@dataclass
class ParsedLink:
    answers: dict[str, list[str]]
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (question, option) not known
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def has_answers(self) -> bool:
        return any(self.answers.values())


def _values(raw: str | Sequence[str]) -> list[str]:
    parts = [raw] if isinstance(raw, str) else list(raw)
    return [v.strip() for p in parts for v in p.split(",") if v.strip()]


def parse_params(params: Mapping[str, str | Sequence[str]], taxonomy: Taxonomy) -> ParsedLink:
    answers: dict[str, list[str]] = {q: [] for q in BRANCHES}
    unknown: list[tuple[str, str]] = []
    extras: dict[str, str] = {}
    for key, raw in params.items():
        if key in EXTRA_PARAMS:
            extras[key] = raw if isinstance(raw, str) else ",".join(raw)
            continue
        if key not in answers:
            unknown.extend((key, v) for v in _values(raw) or [""])
            continue
        question = taxonomy.question(key)
        for v in _values(raw):
            current = taxonomy.current_id(key, v)  # a link from before a rename still lands
            if current is None:
                unknown.append((key, v))
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
