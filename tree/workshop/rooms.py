"""Workshop rooms: a facilitator walks the Beslisboom on a projector while the room votes on phones.

A facilitator opens a *room*; participants join with a short code (no account) and, for the
question on the projector, tap their answer; the presenter view shows the live tally and the
facilitator picks which answer(s) to *follow*; at the end everyone sees the advice for the
followed answers.

Every Streamlit session runs in its own thread, and a deployment may run several server
processes, so the room state cannot live in memory: it lives behind the small :class:`RoomStore`
interface, with :class:`SQLiteRoomStore` as the embedded default (one file, WAL journal, every
write in a ``BEGIN IMMEDIATE`` transaction so checks and writes are atomic across threads and
processes) and :class:`PostgresRoomStore` for several app replicas (both in
:mod:`tree.workshop.sql_store`, one SQL implementation over :mod:`tree.sqldb`).

Room codes are 8 characters from a 31-character alphabet without look-alikes (no 0/O/1/I/L),
drawn with :mod:`secrets`: 31**8 ≈ 8.5e11 codes, while a room lives a few hours and there are at
most a handful of live rooms, so guessing a live code is impractical. Codes are shown grouped
(``ABCD-EFGH``) and read back ignoring case, spaces and dashes, because people type them from a
projector. Votes are anonymous: a participant is only a random token, and a vote row holds only
(room, token, question, option).

This module is plain Python (no Streamlit), like the rest of :mod:`tree`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from ..nudges import RESULTS_STEP, START_STEP
from ..schema import BRANCHES, Taxonomy

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_TTL",
    "NO_PREFERENCE",
    "RESULTS_STEP",
    "START_STEP",
    "InvalidVote",
    "Room",
    "RoomError",
    "RoomExpired",
    "RoomFull",
    "RoomNotFound",
    "RoomStore",
    "format_code",
    "new_code",
    "normalise_code",
]

#: No 0/O, 1/I/L: a code read from across a room must not be ambiguous. 8 digits + 23 letters = 31.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
#: Long enough for a half-day workshop; short enough that an old code soon stops working.
DEFAULT_TTL = timedelta(hours=4)
#: The vote "weet ik niet / geen voorkeur".
NO_PREFERENCE = ""

_CREATE_ATTEMPTS = 20


# --- errors -----------------------------------------------------------------------------------


class RoomError(Exception):
    """Something the UI should tell the user; ``key`` is a stable i18n key suffix (``room.error.<key>``)."""

    key = "error"

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        if key is not None:
            self.key = key


class _RoomCodeError(RoomError):
    """An error about one room: the message names its code (``{raw}`` as typed, ``{shown}`` as ABCD-EFGH)."""

    message = ""

    def __init__(self, code: str) -> None:
        super().__init__(self.message.format(raw=repr(code), shown=format_code(code)))
        self.code = code


class RoomNotFound(_RoomCodeError):
    """No room has this code (mistyped, or purged long ago)."""

    key = "not_found"
    message = "Geen sessie met code {raw} / no room with code {raw}"


class RoomExpired(_RoomCodeError):
    """The room existed but has ended: a separate error so the message can say so, not "mistyped"."""

    key = "expired"
    message = "Sessie {shown} is afgelopen / room {shown} has ended"


class NotHost(_RoomCodeError):
    """The facilitator key does not match: this browser may not drive the room's projector."""

    key = "not_host"
    message = "Geen begeleider van sessie {shown} / not the host of room {shown}"


class RoomFull(_RoomCodeError):
    """The room has as many participants as its facilitator allowed."""

    key = "full"
    message = "Sessie {shown} is vol / room {shown} is full"


class InvalidVote(RoomError):
    """A vote (or the facilitator's pick) that cannot count.

    ``key`` tells why: ``invalid_option`` (not an option of that question), ``not_current`` (the
    projector has moved on, the usual case for a late tap), ``unknown_participant`` (token not of
    this room), ``unknown_question`` or ``single_choice`` (more than one pick for a one-answer question).
    """

    key = "invalid_vote"


# --- codes -------------------------------------------------------------------------------------


def new_code() -> str:
    """A fresh random room code (unformatted). Module level so tests can force a collision."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the user typed → the stored code: upper case, without spaces, dashes or other separators.

    Only letters and digits are kept, so ``abcd efgh``, ``ABCD–EFGH`` (a phone's auto-dash) and
    ``abcd-efgh`` all find room ``ABCDEFGH``.
    """
    return "".join(ch for ch in text.upper() if ch.isalnum())


_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def is_token(text: str) -> bool:
    """Shaped like a participant token (``secrets.token_urlsafe(16)``); says nothing of validity."""
    return bool(_TOKEN_RE.match(text))


def device_cookie(code: str) -> str:
    """The cookie under which a phone keeps its participant token for one room."""
    return "bb_kamer_" + "".join(ch for ch in normalise_code(code) if ch in CODE_ALPHABET)[:CODE_LENGTH]


def format_code(code: str) -> str:
    """The code as shown on the projector: ``ABCD-EFGH`` (two groups are easier to read aloud)."""
    code = normalise_code(code)
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) == CODE_LENGTH else code


def _is_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


# --- time --------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    """Aware UTC time. Naive datetimes are refused: guessing their zone would shift expiry by hours."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)




# --- the room -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    """A snapshot of a room. ``answers``: what the facilitator chose to follow, per question id."""

    code: str
    created: datetime
    expires: datetime
    step: int
    answers: dict[str, list[str]] = field(hash=False)
    #: Only on what ``create`` and ``resume`` return: the secret that lets a browser drive the room.
    host_key: str | None = field(default=None, repr=False, compare=False, hash=False)
    #: At most this many participants (None: no cap); a phone beyond it is told the room is full.
    max_participants: int | None = None

    @property
    def question(self) -> str | None:
        """The question id on the projector, or None on the start and results steps."""
        return BRANCHES[self.step - 1] if 1 <= self.step <= len(BRANCHES) else None

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    def expired(self, now: datetime | None = None) -> bool:
        return _now(now) >= self.expires


class RoomStore(Protocol):
    """Where rooms live. Small on purpose, so a server backend can replace SQLite without UI changes."""

    def create(
        self, *, ttl: timedelta = DEFAULT_TTL, max_participants: int | None = None, now: datetime | None = None
    ) -> Room: ...

    def get(self, code: str, *, now: datetime | None = None) -> Room: ...

    def resume(self, code: str, host_key: str, *, now: datetime | None = None) -> Room: ...

    def join(self, code: str, *, now: datetime | None = None) -> str: ...

    def rejoin(self, code: str, participant: str, *, now: datetime | None = None) -> Room: ...

    def vote(
        self,
        code: str,
        participant: str,
        question: str,
        option: str,
        *,
        taxonomy: Taxonomy,
        now: datetime | None = None,
    ) -> None: ...

    def tally(self, code: str, question: str) -> dict[str, int]: ...

    def participants(self, code: str) -> int: ...

    def my_votes(self, code: str, participant: str) -> dict[str, str]: ...

    def set_step(self, code: str, step: int, *, now: datetime | None = None) -> Room: ...

    def follow(
        self, code: str, question: str, options: list[str], *, taxonomy: Taxonomy, now: datetime | None = None
    ) -> Room: ...

    def reset(self, code: str, *, now: datetime | None = None) -> Room: ...

    def purge_expired(self, now: datetime | None = None) -> int: ...
