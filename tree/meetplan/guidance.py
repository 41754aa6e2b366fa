"""General guidance the plan quotes (privacy, design, reporting): data with its sources, not code.

``guidance.yaml`` holds each text in Dutch and English with the public sources it rests on and
the verbatim quotes that were checked against them, so a curator can verify and update a text
without touching code. The plan shows the text and its sources; the quotes stay for review.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, HttpUrl

from ..yamlio import load_plain

PATH = Path(__file__).with_name("guidance.yaml")
#: Every topic the plan uses; a missing one fails the tests, not a team leader's download.
TOPICS = (
    "privacy_consent", "privacy_minimal", "privacy_pseudonymise", "privacy_retention", "privacy_access",
    "privacy_sensitive", "design_no_control_group", "design_baseline_followup", "response_followup",
    "satisfaction_not_effect", "tellen_vertellen", "learning_accounting",
)
PRIVACY = TOPICS[:6]


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: HttpUrl


class _Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote: str
    url: HttpUrl


class _Topic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nl: str
    en: str
    sources: list[_Source]
    evidence: list[_Evidence]


@dataclass(frozen=True)
class Guidance:
    text: str
    sources: tuple[tuple[str, str], ...]  # (title, url)


@functools.cache
def _topics() -> dict[str, _Topic]:
    raw = load_plain(PATH.read_text(encoding="utf-8")) or {}
    return {key: _Topic.model_validate(value) for key, value in raw.items()}


def guidance(topic: str, lang: str) -> Guidance:
    item = _topics()[topic]
    return Guidance(item.en if lang == "en" else item.nl, tuple((s.title, str(s.url)) for s in item.sources))
