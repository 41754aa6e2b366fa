"""Limits on what one client can do to rooms: join, guess codes, open rooms.

A room is open to anyone with its code, so the limits are per client (network address), sized
for a real room: a school or office puts 40 phones behind one address, so joins allow well over
that; a wrong code costs nothing for the first tries and then a growing wait; opening rooms is
rare. The room store stays a pure store; these checks sit in front of it.
"""

from __future__ import annotations

from ..throttle import Backoff, RateLimit
from .rooms import Room, RoomError, RoomNotFound, RoomStore

#: Joins per client address in any 10 minutes: a full room of 40 behind one NAT, each joining
#: up to three times (new tabs, reloads without the link), still fits.
JOINS = RateLimit(limit=150, per=600)
#: Wrong codes per client: 30 free (a whole room mistyping once), then 2 s, 4 s, … up to 5 minutes.
GUESSES = Backoff(free=30, base=2.0, cap=300)
#: Rooms opened per client address per hour.
CREATES = RateLimit(limit=10, per=3600)


class Throttled(RoomError):
    key = "throttled"

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Te veel pogingen; probeer het over {seconds:.0f} s opnieuw / too many attempts")
        self.seconds = max(1, round(seconds))


def join(store: RoomStore, code: str, client: str) -> str:
    """``store.join`` for one client, within the join and guess limits."""
    wait = GUESSES.wait(client)
    if wait > 0:
        raise Throttled(wait)
    if not JOINS.allow(client):
        raise Throttled(JOINS.retry_after(client))
    try:
        return store.join(code)
    except RoomNotFound:
        GUESSES.fail(client)
        raise


def create(store: RoomStore, client: str, *, max_participants: int | None = None) -> Room:
    if not CREATES.allow(client):
        raise Throttled(CREATES.retry_after(client))
    return store.create(max_participants=max_participants)
