"""The process's feedback store, on the same database as the rooms (one setting for both)."""

from __future__ import annotations

import functools

from ..sqldb import Database
from ..workshop.backend import default_database
from .store import FeedbackStore


@functools.cache
def _store_for(db_id: int, db: Database) -> FeedbackStore:
    return FeedbackStore(db)


def default_store() -> FeedbackStore:
    db = default_database()
    return _store_for(id(db), db)
