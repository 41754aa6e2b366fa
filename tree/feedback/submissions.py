"""What visitors send in, checked before it is stored: fault reports, experiences, proposals.

No account is needed, so everything a visitor writes is treated as hostile until a curator has
read it: lengths are capped, markup is stripped to plain text, and free text may not carry an
e-mail address or a phone number (people write about their clients; the form asks them not to,
and this catches the obvious slips). The only personal data a submission may hold is the
optional e-mail address for a reply, in its own field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..safe_text import plain_line

Kind = Literal["melding", "ervaring", "voorstel"]
KINDS: tuple[Kind, ...] = ("melding", "ervaring", "voorstel")
Helped = Literal["ja", "deels", "nee", "weet-niet"]
HELPED: tuple[Helped, ...] = ("ja", "deels", "nee", "weet-niet")

SHORT = 120  # a field name, a group, an organisation
LONG = 1000  # a correction, an experience, a proposal
MAX_PARTICIPANTS = 100_000
MAX_MINUTES = 600

_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_EMAIL_IN_TEXT = re.compile(r"[^@\s]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}")
#: Dutch phone numbers as people type them (06-12345678, +31 6 1234 5678, 020 123 45 67).
_PHONE_IN_TEXT = re.compile(r"(?:\+31|0031|\b0)[\s-]?\d(?:[\s-]?\d){7,9}\b")
_TAGS = re.compile(r"<[^>]{0,200}>")
_MD_LINK = re.compile(r"!?\[([^\]]{0,200})\]\([^)]{0,500}\)")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Invalid(ValueError):
    """One problem per field (field name → a stable message key suffix), for the form to show."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def plain_text(text: object, limit: int) -> str:
    """Markup stripped (HTML tags, Markdown links and images keep only their text), whitespace
    tidied, control characters gone, cut to ``limit``: stored and shown as plain text."""
    raw = str(text or "")
    raw = _MD_LINK.sub(r"\1", raw)
    raw = _TAGS.sub("", raw)
    lines = [plain_line(line, limit) for line in raw.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()[:limit]


@dataclass(frozen=True)
class Submission:
    """A checked submission, ready to store. ``fields`` holds only the kind's own fields."""

    kind: Kind
    instrument: str | None
    fields: dict[str, object]
    email: str | None = None


def _text(raw: dict, name: str, limit: int, problems: dict[str, str], *, required: bool = False) -> str:
    value = plain_text(raw.get(name), limit)
    if required and not value:
        problems[name] = "required"
    elif value and (_EMAIL_IN_TEXT.search(value) or _PHONE_IN_TEXT.search(value)):
        problems[name] = "personal_data"
    return value


def _number(raw: dict, name: str, high: int, problems: dict[str, str]) -> int | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        problems[name] = "number"
        return None
    if not 1 <= number <= high:
        problems[name] = "range"
        return None
    return number


def check(kind: str, raw: dict, *, instrument: str | None = None, known: set[str] | None = None) -> Submission:
    """Validate one submission from a form; raises :class:`Invalid` with every problem at once."""
    if kind not in KINDS:
        raise Invalid({"kind": "unknown"})
    problems: dict[str, str] = {}
    if kind in ("melding", "ervaring"):
        if not instrument or not _ID.match(instrument) or (known is not None and instrument not in known):
            problems["instrument"] = "unknown"
    else:
        instrument = None
    fields: dict[str, object] = {}
    if kind == "melding":
        fields["field"] = _text(raw, "field", SHORT, problems, required=True)
        fields["should_be"] = _text(raw, "should_be", LONG, problems, required=True)
        fields["source"] = _text(raw, "source", LONG, problems)
    elif kind == "ervaring":
        fields["for_whom"] = _text(raw, "for_whom", SHORT, problems, required=True)
        fields["participants"] = _number(raw, "participants", MAX_PARTICIPANTS, problems)
        fields["minutes"] = _number(raw, "minutes", MAX_MINUTES, problems)
        helped = raw.get("helped") or "weet-niet"
        if helped not in HELPED:
            problems["helped"] = "unknown"
        fields["helped"] = helped
        fields["story"] = _text(raw, "story", LONG, problems)
        fields["organisation"] = _text(raw, "organisation", SHORT, problems)
    else:
        fields["name"] = _text(raw, "name", SHORT, problems, required=True)
        fields["url"] = _text(raw, "url", LONG, problems)
        fields["what"] = _text(raw, "what", LONG, problems, required=True)
        fields["for_whom"] = _text(raw, "for_whom", SHORT, problems)
    email = plain_line(str(raw.get("email") or ""), 254) or None
    if email and not _EMAIL.match(email):
        problems["email"] = "email"
    if problems:
        raise Invalid(problems)
    return Submission(kind, instrument, fields, email)  # type: ignore[arg-type]
