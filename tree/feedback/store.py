"""Submissions from practice and the curators' decisions on them, in the app's one database.

Same database as the workshop rooms (:mod:`tree.sqldb`: SQLite by default, PostgreSQL when
configured), own versioned schema ``feedback``. Nothing a visitor writes is public until a
curator approves it: every read for the public side asks for ``goedgekeurd`` only. Every
decision is kept in ``feedback_decisions`` (who, when, what, why), also when a later decision
overrides an earlier one.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ..sqldb import Schema, Tx, VersionedStore, parse_ts
from ..workshop.rooms import _now
from .submissions import Kind, Submission

Status = Literal["nieuw", "goedgekeurd", "afgewezen", "samengevoegd", "verwerkt"]
STATUSES: tuple[Status, ...] = ("nieuw", "goedgekeurd", "afgewezen", "samengevoegd", "verwerkt")
Action = Literal["goedkeuren", "afwijzen", "samenvoegen", "verwerken"]
_STATUS_OF: dict[str, Status] = {
    "goedkeuren": "goedgekeurd", "afwijzen": "afgewezen", "samenvoegen": "samengevoegd", "verwerken": "verwerkt",
}
#: Quotes shown on a card under "Uit de praktijk".
QUOTES = 3


def _v1(tx: Tx) -> None:
    ident, time = tx.column("id"), tx.column("time")
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS feedback (id {ident}, kind TEXT NOT NULL, instrument TEXT, "
        f"fields TEXT NOT NULL, email TEXT, created {time} NOT NULL, status TEXT NOT NULL DEFAULT 'nieuw', "
        f"decided_by TEXT, decided_at {time}, reason TEXT, merged_into BIGINT)"
    )
    tx.execute("CREATE INDEX IF NOT EXISTS feedback_status ON feedback (status, kind)")
    tx.execute("CREATE INDEX IF NOT EXISTS feedback_instrument ON feedback (instrument, status)")
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS feedback_decisions (id {ident}, feedback BIGINT NOT NULL, "
        f"action TEXT NOT NULL, curator TEXT NOT NULL, at {time} NOT NULL, reason TEXT)"
    )


SCHEMA = Schema("feedback", (_v1,))


class NotFound(LookupError):
    pass


class BadDecision(ValueError):
    """A decision that cannot be taken (a reason is missing, a merge target is wrong)."""


@dataclass(frozen=True)
class Item:
    id: int
    kind: Kind
    instrument: str | None
    fields: dict[str, object]
    email: str | None
    created: datetime
    status: Status
    decided_by: str | None
    reason: str | None
    merged_into: int | None

    def history_note(self) -> str:
        """How a fault report is named in the history of the change it led to (Dutch, as every
        history message): "Melding #3: Samenvatting → … (bron: …)". The fields are plain text
        already (stripped when submitted)."""
        f = self.fields
        note = f"Melding #{self.id}: {f.get('field')} → {f.get('should_be')}"
        return f"{note} (bron: {f['source']})" if f.get("source") else note


@dataclass(frozen=True)
class Decision:
    action: Action
    curator: str
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class Practice:
    """What approved experiences say about one instrument: the card's "Uit de praktijk"."""

    uses: int
    organisations: int
    median_minutes: float | None
    quotes: tuple[str, ...]


_COLUMNS = "id, kind, instrument, fields, email, created, status, decided_by, reason, merged_into"


def _item(row: tuple) -> Item:
    iid, kind, instrument, fields, email, created, status, by, reason, merged = row
    return Item(int(iid), kind, instrument, json.loads(fields), email, parse_ts(created), status, by, reason,
                int(merged) if merged is not None else None)


class FeedbackStore(VersionedStore):
    schema = SCHEMA

    # visitors

    def submit(self, sub: Submission, *, now: datetime | None = None) -> int:
        with self._tx(True) as tx:
            row = tx.one(
                "INSERT INTO feedback (kind, instrument, fields, email, created) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (sub.kind, sub.instrument, json.dumps(sub.fields, ensure_ascii=False), sub.email, tx.ts(_now(now))),
            )
        assert row is not None
        return int(row[0])

    # curators

    def get(self, item_id: int) -> Item:
        with self._tx(False) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM feedback WHERE id = ?", (item_id,))
        if row is None:
            raise NotFound(item_id)
        return _item(row)

    def items(self, *, status: str | None = None, kind: str | None = None, instrument: str | None = None) -> list[Item]:
        """Newest first, filtered; the inbox's queue."""
        where, args = [], []
        for column, value in (("status", status), ("kind", kind), ("instrument", instrument)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT {_COLUMNS} FROM feedback" + (" WHERE " + " AND ".join(where) if where else "")
        with self._tx(False) as tx:
            return [_item(r) for r in tx.all(sql + " ORDER BY id DESC", args)]

    def counts(self) -> dict[tuple[str, str], int]:
        """(kind, status) → how many; for the inbox's filters."""
        with self._tx(False) as tx:
            rows = tx.all("SELECT kind, status, COUNT(*) FROM feedback GROUP BY kind, status")
        return {(k, s): int(n) for k, s, n in rows}

    def decide(
        self, item_id: int, action: Action, curator: str, *, reason: str | None = None,
        merged_into: int | None = None, now: datetime | None = None,
    ) -> Item:
        """Approve, reject (with a reason), merge into another submission, or mark as processed.

        Every decision is appended to the log; the submission shows the latest one.
        """
        if action not in _STATUS_OF:
            raise BadDecision(f"unknown action {action!r}")
        reason = (reason or "").strip() or None
        if action == "afwijzen" and not reason:
            raise BadDecision("een afwijzing heeft een reden nodig / a rejection needs a reason")
        with self._tx(True) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM feedback WHERE id = ?" + tx.lock_clause("update"), (item_id,))
            if row is None:
                raise NotFound(item_id)
            if action == "samenvoegen":
                target = tx.one("SELECT kind FROM feedback WHERE id = ?", (merged_into,)) if merged_into else None
                if target is None or merged_into == item_id:
                    raise BadDecision("samenvoegen met een andere, bestaande inzending / merge into another submission")
            moment = tx.ts(_now(now))
            target_id = merged_into if action == "samenvoegen" else None
            tx.execute(
                "UPDATE feedback SET status = ?, decided_by = ?, decided_at = ?, reason = ?, merged_into = ? "
                "WHERE id = ?",
                (_STATUS_OF[action], curator, moment, reason, target_id, item_id),
            )
            tx.execute(
                "INSERT INTO feedback_decisions (feedback, action, curator, at, reason) VALUES (?, ?, ?, ?, ?)",
                (item_id, action, curator, moment, reason),
            )
        return self.get(item_id)

    def decisions(self, item_id: int) -> list[Decision]:
        with self._tx(False) as tx:
            rows = tx.all(
                "SELECT action, curator, at, reason FROM feedback_decisions WHERE feedback = ? ORDER BY id", (item_id,)
            )
        return [Decision(a, c, parse_ts(at), r) for a, c, at, r in rows]

    # the public side: approved experiences only

    def practice(self, instrument: str) -> Practice | None:
        """None when no experience with this instrument has been approved."""
        return self.practice_all([instrument]).get(instrument)

    def practice_all(self, instruments: Iterable[str] | None = None) -> dict[str, Practice]:
        with self._tx(False) as tx:
            rows = tx.all(
                "SELECT instrument, fields FROM feedback WHERE kind = 'ervaring' AND status = 'goedgekeurd' ORDER BY id"
            )
        wanted = set(instruments) if instruments is not None else None
        grouped: dict[str, list[dict]] = {}
        for instrument, fields in rows:
            if wanted is None or instrument in wanted:
                grouped.setdefault(instrument, []).append(json.loads(fields))
        return {iid: _summary(items) for iid, items in grouped.items()}

    def usage(self) -> dict[str, int]:
        """"Gebruikt door N organisaties" per instrument: the ranking's last tie-breaker."""
        return {iid: p.organisations for iid, p in self.practice_all().items()}


def _summary(items: list[dict]) -> Practice:
    minutes = [int(i["minutes"]) for i in items if i.get("minutes")]
    named = {str(i["organisation"]).casefold() for i in items if i.get("organisation")}
    unnamed = sum(1 for i in items if not i.get("organisation"))
    quotes = tuple(str(i["story"]) for i in reversed(items) if i.get("story"))[:QUOTES]
    return Practice(
        uses=len(items),
        organisations=len(named) + unnamed,
        median_minutes=statistics.median(minutes) if minutes else None,
        quotes=quotes,
    )
