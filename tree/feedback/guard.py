"""How much one client may send: enough for a team leader with several remarks, too little for a flood.

Per client address and per process, like the room limits (:mod:`tree.throttle` says why that is
good enough behind sticky sessions).
"""

from __future__ import annotations

from ..throttle import RateLimit
from .store import FeedbackStore
from .submissions import Submission

#: Submissions per client address per hour.
SUBMISSIONS = RateLimit(limit=10, per=3600)


class TooMany(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"te veel inzendingen; probeer het over {seconds:.0f} s opnieuw / too many submissions")
        self.seconds = max(1, round(seconds))


def submit(store: FeedbackStore, sub: Submission, client: str) -> int:
    if not SUBMISSIONS.allow(client):
        raise TooMany(SUBMISSIONS.retry_after(client))
    return store.submit(sub)
