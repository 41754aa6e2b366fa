"""Rooms in SQL: one implementation of :class:`tree.workshop.rooms.RoomStore` for SQLite and PostgreSQL.

The SQL is written once (see :mod:`tree.sqldb` for the two backends). Every read-check-write runs
in one write transaction and locks the room row it depends on: ``FOR SHARE`` while a vote is
checked and written (votes from many replicas do not wait on each other), ``FOR UPDATE`` while the
facilitator moves the projector or a capped room admits a phone. So "is this still the current
question?" and the write of the vote are one atomic step, even when the facilitator advances at
that moment from another replica; on SQLite ``BEGIN IMMEDIATE`` gives the same guarantee.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from ..nudges import RESULTS_STEP, START_STEP
from ..schema import BRANCHES, Taxonomy
from ..sqldb import Database, LockMode, PostgresDatabase, Schema, SQLiteDatabase, Tx, migrate, parse_ts, sqlite_columns
from . import rooms
from .rooms import (
    _CREATE_ATTEMPTS,
    DEFAULT_TTL,
    NO_PREFERENCE,
    InvalidVote,
    NotHost,
    Room,
    RoomExpired,
    RoomFull,
    RoomNotFound,
    RoomStore,
    _is_code,
    _now,
    normalise_code,
)

# --- schema --------------------------------------------------------------------------------------


def _v1_tables(tx: Tx) -> None:
    time = tx.column("time")
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, created {time} NOT NULL, "
        f"expires {time} NOT NULL, step INTEGER NOT NULL DEFAULT 0, answers TEXT NOT NULL DEFAULT '{{}}')"
    )
    tx.execute("CREATE INDEX IF NOT EXISTS rooms_expires ON rooms (expires)")
    tx.execute(
        "CREATE TABLE IF NOT EXISTS participants (room TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (room, token))"
    )
    tx.execute(
        "CREATE TABLE IF NOT EXISTS votes (room TEXT NOT NULL, participant TEXT NOT NULL, question TEXT NOT NULL, "
        "option TEXT NOT NULL, PRIMARY KEY (room, participant, question))"
    )
    tx.execute("CREATE INDEX IF NOT EXISTS votes_room_question ON votes (room, question, option)")


def _add_column(table: str, column: str, sql_type: str):
    """A step that adds a column; idempotent, because SQLite files from before versions may have it."""

    def step(tx: Tx) -> None:
        if tx.dialect == "sqlite":
            if column not in sqlite_columns(tx, table):
                tx.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
        else:
            tx.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}")

    return step


#: Version 2: facilitator keys (a projector resumes its room); version 3: room caps.
SCHEMA = Schema(
    "rooms",
    (_v1_tables, _add_column("rooms", "host_key", "TEXT"), _add_column("rooms", "max_participants", "INTEGER")),
)


class SQLRoomStore(RoomStore):
    """Rooms in a :class:`tree.sqldb.Database`; the schema is brought up to date on first use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ready = False

    def migrate(self) -> int:
        """Create or upgrade the tables (also done on first use); returns the schema version."""
        version = migrate(self.db, SCHEMA)
        self._ready = True
        return version

    def _write(self):
        if not self._ready:
            self.migrate()
        return self.db.write()

    def _read(self):
        if not self._ready:
            self.migrate()
        return self.db.read()

    def close(self) -> None:
        self.db.close()

    # helpers

    @staticmethod
    def _room(row: tuple) -> Room:
        code, created, expires, step, answers, cap = row
        return Room(code, parse_ts(created), parse_ts(expires), int(step), json.loads(answers), max_participants=cap)

    def _load(
        self, tx: Tx, code: str, now: datetime | None, *, check_expiry: bool = True, lock: LockMode | None = None
    ) -> Room:
        wanted = normalise_code(code)
        row = None
        if _is_code(wanted):
            row = tx.one(
                "SELECT code, created, expires, step, answers, max_participants FROM rooms WHERE code = ?"
                + (tx.lock_clause(lock) if lock else ""),
                (wanted,),
            )
        if row is None:
            raise RoomNotFound(code)
        room = self._room(row)
        if check_expiry and room.expired(now):
            raise RoomExpired(room.code)
        return room

    @staticmethod
    def _check_participant(tx: Tx, room: Room, participant: str) -> None:
        """Raises ``InvalidVote`` (``unknown_participant``) unless the token joined this room."""
        if tx.one("SELECT 1 FROM participants WHERE room = ? AND token = ?", (room.code, participant)) is None:
            raise InvalidVote(
                "Onbekende deelnemer; doe opnieuw mee / unknown participant, please join again",
                key="unknown_participant",
            )

    @staticmethod
    def _delete_room_rows(tx: Tx, where: str, args: tuple) -> None:
        for table in ("votes", "participants"):
            tx.execute(f"DELETE FROM {table} WHERE room IN (SELECT code FROM rooms WHERE {where})", args)
        tx.execute(f"DELETE FROM rooms WHERE {where}", args)

    # the interface

    def create(
        self, *, ttl: timedelta = DEFAULT_TTL, max_participants: int | None = None, now: datetime | None = None
    ) -> Room:
        """Open a room with a fresh code; also purges expired rooms, so the file does not grow forever."""
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        if max_participants is not None and max_participants < 1:
            raise ValueError("max_participants must be at least 1")
        moment = _now(now)
        self.purge_expired(moment)
        for _ in range(_CREATE_ATTEMPTS):
            code = rooms.new_code()  # looked up on the module, so a test can fix the codes
            with self._write() as tx:
                row = tx.one("SELECT expires FROM rooms WHERE code = ?", (code,))
                if row is not None:
                    if parse_ts(row[0]) > moment:
                        continue  # a live room has this code: never hand out someone else's room
                    self._delete_room_rows(tx, "code = ?", (code,))  # an ended room's leftovers
                host_key = secrets.token_urlsafe(12)
                tx.execute(
                    "INSERT INTO rooms (code, created, expires, step, answers, host_key, max_participants)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (code, tx.ts(moment), tx.ts(moment + ttl), START_STEP, "{}", host_key, max_participants),
                )
                room = self._load(tx, code, moment)
            return replace(room, host_key=host_key)
        raise RuntimeError("could not find a free room code")  # pragma: no cover - needs ~1e-200 luck

    def get(self, code: str, *, now: datetime | None = None) -> Room:
        with self._read() as tx:
            return self._load(tx, code, now)

    def resume(self, code: str, host_key: str, *, now: datetime | None = None) -> Room:
        """The room again for its facilitator, after a reload of the projector page.

        The code alone is public (it is on the projector); only the key handed out by ``create``
        lets a browser drive the room, so a participant cannot take over the projector.
        """
        with self._read() as tx:
            room = self._load(tx, code, now)
            row = tx.one("SELECT host_key FROM rooms WHERE code = ?", (room.code,))
        if not row or not row[0] or not secrets.compare_digest(str(row[0]), str(host_key)):
            raise NotHost(room.code)
        return replace(room, host_key=row[0])

    def join(self, code: str, *, now: datetime | None = None) -> str:
        """A new anonymous participant: only this random token is stored, nothing about the person."""
        with self._write() as tx:
            # A capped room admits one phone at a time, so two replicas cannot both take the last seat.
            room = self._load(tx, code, now)  # the cap never changes after create: safe to read unlocked
            if room.max_participants is not None:
                room = self._load(tx, code, now, lock="update")
                (count,) = tx.one("SELECT COUNT(*) FROM participants WHERE room = ?", (room.code,)) or (0,)
                if count >= room.max_participants:
                    raise RoomFull(room.code)
            token = secrets.token_urlsafe(16)
            tx.execute("INSERT INTO participants (room, token) VALUES (?, ?)", (room.code, token))
        return token

    def rejoin(self, code: str, participant: str, *, now: datetime | None = None) -> Room:
        """The room again for a phone that reloaded: same token, so its votes stay one person's.

        Phones drop background tabs and reload them; joining afresh would make a second
        participant whose vote counts next to the first. Raises ``InvalidVote``
        (``unknown_participant``) for a token that is not in this room.
        """
        with self._read() as tx:
            room = self._load(tx, code, now)
            self._check_participant(tx, room, participant)
        return room

    def vote(
        self,
        code: str,
        participant: str,
        question: str,
        option: str,
        *,
        taxonomy: Taxonomy,
        now: datetime | None = None,
    ) -> None:
        """Record (or replace) this participant's answer to the current question.

        One row per (room, participant, question): changing a vote replaces it and a double submit
        (a double tap, a rerun) changes nothing, so nobody counts twice. ``option`` "" is "weet ik
        niet / geen voorkeur". The current-question check and the write are one transaction, so a
        vote arriving just after the facilitator moved on is refused, never booked on the old question.
        """
        with self._write() as tx:
            room = self._load(tx, code, now, lock="share")  # the step cannot change until this vote is in
            self._check_participant(tx, room, participant)
            if question != room.question:
                raise InvalidVote(
                    "Deze vraag is niet meer aan de beurt / this question is no longer open", key="not_current"
                )
            if option != NO_PREFERENCE and option not in taxonomy.option_ids(question):
                raise InvalidVote(
                    f"'{option}' is geen antwoord op vraag {question} / not an option of question {question}",
                    key="invalid_option",
                )
            tx.execute(
                "INSERT INTO votes (room, participant, question, option) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (room, participant, question) DO UPDATE SET option = excluded.option",
                (room.code, participant, question, option),
            )

    def tally(self, code: str, question: str) -> dict[str, int]:
        """Votes per option id ("" = geen voorkeur), only options with votes, most votes first.

        Works on an ended room too, so the presenter view does not break at the stroke of expiry.
        """
        if question not in BRANCHES:
            raise ValueError(f"unknown question {question!r}")
        with self._read() as tx:
            room = self._load(tx, code, None, check_expiry=False)
            rows = tx.all(
                "SELECT option, COUNT(*) FROM votes WHERE room = ? AND question = ? GROUP BY option "
                "ORDER BY COUNT(*) DESC, option",
                (room.code, question),
            )
        return {option: int(count) for option, count in rows}

    def participants(self, code: str) -> int:
        """How many phones have joined (shown on the projector: "12 deelnemers")."""
        with self._read() as tx:
            room = self._load(tx, code, None, check_expiry=False)
            row = tx.one("SELECT COUNT(*) FROM participants WHERE room = ?", (room.code,))
        return int(row[0]) if row else 0

    def my_votes(self, code: str, participant: str) -> dict[str, str]:
        """This participant's current votes per question id ("" = geen voorkeur).

        The phone shows its "✓" from here, not from its own session: after the facilitator
        starts a new walk (``reset``) the old votes are gone, and the phone must not claim them.
        """
        with self._read() as tx:
            room = self._load(tx, code, None, check_expiry=False)
            rows = tx.all(
                "SELECT question, option FROM votes WHERE room = ? AND participant = ?", (room.code, participant)
            )
        return dict(rows)

    def set_step(self, code: str, step: int, *, now: datetime | None = None) -> Room:
        """Move the projector to ``step`` (0 = start, 1..5 = questions, 6 = results); votes are kept,
        so going back to a question shows its tally again."""
        if not START_STEP <= step <= RESULTS_STEP:
            raise ValueError(f"step must be {START_STEP}..{RESULTS_STEP}, not {step}")
        with self._write() as tx:
            room = self._load(tx, code, now, lock="update")  # waits for votes being written to the old step
            tx.execute("UPDATE rooms SET step = ? WHERE code = ?", (step, room.code))
        return replace(room, step=step)

    def follow(
        self, code: str, question: str, options: list[str], *, taxonomy: Taxonomy, now: datetime | None = None
    ) -> Room:
        """The facilitator's pick for ``question``: the answer the walk follows (not necessarily the majority).

        Ids are checked against the taxonomy, repeats dropped and put in taxonomy order (as the wizard
        does); "" or an empty list means geen voorkeur. Any question may be set, not only the current
        one, so the facilitator can correct an earlier pick from the results step.
        """
        if question not in BRANCHES:
            raise InvalidVote(f"Onbekende vraag / unknown question {question!r}", key="unknown_question")
        q = taxonomy.question(question)
        wanted = {o for o in options if o != NO_PREFERENCE}
        unknown = sorted(wanted - set(taxonomy.option_ids(question)))
        if unknown:
            raise InvalidVote(
                f"Geen antwoord op vraag {question} / not an option of question {question}: {', '.join(unknown)}",
                key="invalid_option",
            )
        if not q.multiple and len(wanted) > 1:
            raise InvalidVote(
                f"Bij vraag {question} past één antwoord / question {question} takes one answer", key="single_choice"
            )
        chosen = [o for o in taxonomy.option_ids(question) if o in wanted]
        with self._write() as tx:
            room = self._load(tx, code, now, lock="update")
            answers = {**room.answers, question: chosen}
            tx.execute("UPDATE rooms SET answers = ? WHERE code = ?", (json.dumps(answers), room.code))
        return replace(room, answers=answers)

    def reset(self, code: str, *, now: datetime | None = None) -> Room:
        """Start a new walk in the same room: step 0, no answers, no votes; phones stay joined."""
        with self._write() as tx:
            room = self._load(tx, code, now, lock="update")
            tx.execute("DELETE FROM votes WHERE room = ?", (room.code,))
            tx.execute("UPDATE rooms SET step = ?, answers = '{}' WHERE code = ?", (START_STEP, room.code))
        return replace(room, step=START_STEP, answers={})

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete ended rooms with their participants and votes; returns how many rooms went."""
        with self._write() as tx:
            moment = tx.ts(_now(now))
            count = int((tx.one("SELECT COUNT(*) FROM rooms WHERE expires <= ?", (moment,)) or (0,))[0])
            if count:
                self._delete_room_rows(tx, "expires <= ?", (moment,))
        return count




class SQLiteRoomStore(SQLRoomStore):
    """Rooms in one SQLite file: the embedded default (no server; one host)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(SQLiteDatabase(path))
        self.path = Path(path)


class PostgresRoomStore(SQLRoomStore):
    """Rooms in PostgreSQL: shared by every app replica behind the load balancer."""

    def __init__(self, url: str) -> None:
        super().__init__(PostgresDatabase(url))
