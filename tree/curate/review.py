"""Four eyes: a curator's change waits for a second curator before the wizard sees it.

Switched on per deployment (``BESLISBOOM_FOUR_EYES=1``). A change is then validated and kept
as a *proposal* in the app's database (the same one as rooms and submissions), with the text it
would write and the digest of the file it was made against. A second curator sees the diff and
approves or rejects it; the author cannot approve their own change. Approval goes through the
one write path (:func:`tree.curate.store.save_record`: validated again, conflict-checked against
the digest, recorded), and the history message names who proposed and who approved. A change
whose file moved on in the meantime cannot be approved blindly: it reports the conflict.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from ..schema import Taxonomy
from ..sqldb import Schema, Tx, VersionedStore, parse_ts
from ..workshop.rooms import _now
from . import store
from .commit import read_current
from .record_diff import FieldChange, field_changes

ENV_SWITCH = "BESLISBOOM_FOUR_EYES"
Status = Literal["open", "goedgekeurd", "afgewezen"]


def four_eyes() -> bool:
    return os.environ.get(ENV_SWITCH) == "1"


def _v1(tx: Tx) -> None:
    ident, time = tx.column("id"), tx.column("time")
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS proposed_changes (id {ident}, file TEXT NOT NULL, record TEXT NOT NULL, "
        f"text TEXT NOT NULL, base_digest TEXT, author TEXT NOT NULL, message TEXT NOT NULL, created {time} NOT NULL, "
        f"status TEXT NOT NULL DEFAULT 'open', decided_by TEXT, decided_at {time}, reason TEXT, feedback BIGINT)"
    )
    tx.execute("CREATE INDEX IF NOT EXISTS proposed_changes_status ON proposed_changes (status, file)")


SCHEMA = Schema("review", (_v1,))


class SelfApproval(PermissionError):
    """The author of a change may not approve it: that is the point of four eyes."""


class NotOpen(LookupError):
    """No open proposal with this id (already decided, or never made)."""


@dataclass(frozen=True)
class Proposal:
    id: int
    file: str
    record: dict[str, Any]
    text: str
    base_digest: str | None
    author: str
    message: str
    created: datetime
    status: Status
    decided_by: str | None
    reason: str | None
    feedback: int | None


_COLUMNS = "id, file, record, text, base_digest, author, message, created, status, decided_by, reason, feedback"


def _proposal(row: tuple) -> Proposal:
    pid, file, record, text, base, author, message, created, status, by, reason, feedback = row
    return Proposal(int(pid), file, json.loads(record), text, base, author, message, parse_ts(created), status, by,
                    reason, int(feedback) if feedback is not None else None)


class ReviewQueue(VersionedStore):
    schema = SCHEMA

    def propose(
        self, bank_path: str | os.PathLike[str], record: Mapping[str, Any], *, expected_digest: str | None,
        author: str, message: str, taxonomy: Taxonomy | None = None, feedback: int | None = None,
        now: datetime | None = None,
    ) -> Proposal:
        """Validate the change now (a curator hears of problems at once) and keep it for a second curator."""
        file, text = store.prepare_record(bank_path, record, expected_digest=expected_digest, taxonomy=taxonomy)
        with self._tx(True) as tx:
            row = tx.one(
                "INSERT INTO proposed_changes (file, record, text, base_digest, author, message, created, feedback) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (file, json.dumps(dict(record), ensure_ascii=False, default=str), text, expected_digest, author,
                 message, tx.ts(_now(now)), feedback),
            )
        assert row is not None
        return self.get(int(row[0]))

    def get(self, proposal_id: int) -> Proposal:
        with self._tx(False) as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM proposed_changes WHERE id = ?", (proposal_id,))
        if row is None:
            raise NotOpen(proposal_id)
        return _proposal(row)

    def open(self) -> list[Proposal]:
        with self._tx(False) as tx:
            return [_proposal(r) for r in tx.all(f"SELECT {_COLUMNS} FROM proposed_changes WHERE status = 'open' "
                                                  "ORDER BY id")]

    def decided(self, limit: int = 50) -> list[Proposal]:
        with self._tx(False) as tx:
            rows = tx.all(f"SELECT {_COLUMNS} FROM proposed_changes WHERE status <> 'open' ORDER BY id DESC")
        return [_proposal(r) for r in rows[:limit]]

    def diff(self, bank_path: str | os.PathLike[str], proposal: Proposal) -> str:
        """What the change would do to the file as it is now (a unified diff, empty for no change)."""
        found = read_current(Path(bank_path), proposal.file)
        before = found[0] if found else ""
        return "".join(difflib.unified_diff(
            before.splitlines(keepends=True), proposal.text.splitlines(keepends=True),
            fromfile=f"{proposal.file} (nu)", tofile=f"{proposal.file} (voorstel)",
        ))

    def changes(self, bank_path: str | os.PathLike[str], proposal: Proposal) -> list[FieldChange]:
        """What the change would do, field by field (a second curator reads this before the diff)."""
        found = read_current(Path(bank_path), proposal.file)
        before = yaml.safe_load(found[0]) if found else None
        return field_changes(before if isinstance(before, dict) else None, proposal.record)

    def pending_for(self) -> dict[int, Proposal]:
        """Open changes that answer a report from practice, by the report's id: the inbox shows such
        a report as waiting, so nobody opens the editor for it a second time."""
        return {p.feedback: p for p in self.open() if p.feedback is not None}

    def _close(self, proposal_id: int, status: Status, curator: str, reason: str | None, now: datetime | None) -> None:
        with self._tx(True) as tx:
            row = tx.one("SELECT status FROM proposed_changes WHERE id = ?" + tx.lock_clause("update"), (proposal_id,))
            if row is None or row[0] != "open":
                raise NotOpen(proposal_id)
            tx.execute(
                "UPDATE proposed_changes SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
                (status, curator, tx.ts(_now(now)), reason, proposal_id),
            )

    def approve(
        self, bank_path: str | os.PathLike[str], proposal_id: int, approver: str, *,
        taxonomy: Taxonomy | None = None, now: datetime | None = None,
    ) -> str:
        """Write the change through the one write path; returns the new digest.

        Raises :class:`SelfApproval` for the author, :class:`NotOpen` for a decided proposal, and the
        write path's ``ValidationFailed`` / ``Conflict`` when the databank moved on since.
        """
        proposal = self.get(proposal_id)
        if proposal.status != "open":
            raise NotOpen(proposal_id)
        if approver.strip().casefold() == proposal.author.strip().casefold():
            raise SelfApproval("u kunt uw eigen wijziging niet goedkeuren / you cannot approve your own change")
        message = (f"{proposal.message}\n\nVoorgesteld door: {proposal.author}\nGoedgekeurd door: {approver}")
        new_digest = store.save_record(
            bank_path, proposal.record, expected_digest=proposal.base_digest, author=proposal.author,
            message=message, taxonomy=taxonomy,
        )
        self._close(proposal_id, "goedgekeurd", approver, None, now)
        return new_digest

    def reject(self, proposal_id: int, curator: str, reason: str, *, now: datetime | None = None) -> None:
        if not reason.strip():
            raise ValueError("een afwijzing heeft een reden nodig / a rejection needs a reason")
        self._close(proposal_id, "afgewezen", curator, reason.strip(), now)
