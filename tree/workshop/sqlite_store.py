"""Rooms in one SQLite file: the embedded default behind :class:`tree.workshop.rooms.RoomStore`."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from ..nudges import RESULTS_STEP, START_STEP
from ..schema import BRANCHES, Taxonomy
from . import rooms
from .rooms import (
    _BUSY_TIMEOUT_MS,
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
    _parse_ts,
    _ts,
    normalise_code,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code     TEXT PRIMARY KEY,
    created  TEXT NOT NULL,
    expires  TEXT NOT NULL,
    step     INTEGER NOT NULL DEFAULT 0,
    answers  TEXT NOT NULL DEFAULT '{}',
    host_key TEXT,
    max_participants INTEGER
);
CREATE INDEX IF NOT EXISTS rooms_expires ON rooms (expires);
CREATE TABLE IF NOT EXISTS participants (
    room   TEXT NOT NULL,
    token  TEXT NOT NULL,
    PRIMARY KEY (room, token)
);
CREATE TABLE IF NOT EXISTS votes (
    room         TEXT NOT NULL,
    participant  TEXT NOT NULL,
    question     TEXT NOT NULL,
    option       TEXT NOT NULL,
    PRIMARY KEY (room, participant, question)
);
CREATE INDEX IF NOT EXISTS votes_room_question ON votes (room, question, option);
"""


class SQLiteRoomStore(RoomStore):
    """Rooms in one SQLite file, safe for many threads and several processes on one machine.

    Each thread gets its own connection (sqlite3 connections must not be shared between threads,
    and Streamlit runs every session in its own thread). WAL lets the presenter's frequent reads
    run beside the votes; ``busy_timeout`` makes a writer wait for another rather than fail; and
    every read-check-write runs inside ``BEGIN IMMEDIATE``, so "is this still the current
    question?" and the write of the vote are one atomic step even when the facilitator advances
    at the same moment from another process. Not for network file systems (SQLite's WAL needs
    shared memory on one host).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._init_lock = threading.Lock()
        self._ready = False

    # connections and transactions

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN ourselves, so the module never opens a
            # deferred transaction behind our back (a deferred read→write upgrade can fail in WAL
            # without waiting for busy_timeout).
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a lost last vote is no disaster
            self._local.conn = conn
        if not self._ready:
            self._init_schema(conn)
        return conn

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        with self._init_lock:
            if self._ready:
                return
            conn.execute("PRAGMA journal_mode = WAL")  # persistent in the file; a no-op when already WAL
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                columns = {row[1] for row in conn.execute("PRAGMA table_info(rooms)")}
                if "host_key" not in columns:  # a rooms file from before facilitator keys
                    conn.execute("ALTER TABLE rooms ADD COLUMN host_key TEXT")
                if "max_participants" not in columns:  # from before room caps
                    conn.execute("ALTER TABLE rooms ADD COLUMN max_participants INTEGER")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self._ready = True

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the write lock is taken at BEGIN, so checks inside stay true."""
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # helpers

    @staticmethod
    def _room(row: tuple) -> Room:
        code, created, expires, step, answers, cap = row
        return Room(
            code, _parse_ts(created), _parse_ts(expires), int(step), json.loads(answers), max_participants=cap
        )

    def _load(self, conn: sqlite3.Connection, code: str, now: datetime | None, *, check_expiry: bool = True) -> Room:
        wanted = normalise_code(code)
        row = None
        if _is_code(wanted):
            row = conn.execute(
                "SELECT code, created, expires, step, answers, max_participants FROM rooms WHERE code = ?", (wanted,)
            ).fetchone()
        if row is None:
            raise RoomNotFound(code)
        room = self._room(row)
        if check_expiry and room.expired(now):
            raise RoomExpired(room.code)
        return room

    @staticmethod
    def _check_participant(conn: sqlite3.Connection, room: Room, participant: str) -> None:
        """Raises ``InvalidVote`` (``unknown_participant``) unless the token joined this room."""
        known = conn.execute(
            "SELECT 1 FROM participants WHERE room = ? AND token = ?", (room.code, participant)
        ).fetchone()
        if known is None:
            raise InvalidVote(
                "Onbekende deelnemer; doe opnieuw mee / unknown participant, please join again",
                key="unknown_participant",
            )

    @staticmethod
    def _delete_room_rows(conn: sqlite3.Connection, where: str, args: tuple) -> None:
        for table, column in (("votes", "room"), ("participants", "room")):
            conn.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT code FROM rooms WHERE {where})", args)
        conn.execute(f"DELETE FROM rooms WHERE {where}", args)

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
            with self._write() as conn:
                row = conn.execute("SELECT expires FROM rooms WHERE code = ?", (code,)).fetchone()
                if row is not None:
                    if _parse_ts(row[0]) > moment:
                        continue  # a live room has this code: never hand out someone else's room
                    self._delete_room_rows(conn, "code = ?", (code,))  # an ended room's leftovers
                host_key = secrets.token_urlsafe(12)
                conn.execute(
                    "INSERT INTO rooms (code, created, expires, step, answers, host_key, max_participants)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (code, _ts(moment), _ts(moment + ttl), START_STEP, "{}", host_key, max_participants),
                )
            return Room(
                code, _parse_ts(_ts(moment)), _parse_ts(_ts(moment + ttl)), START_STEP, {}, host_key, max_participants
            )
        raise RuntimeError("could not find a free room code")  # pragma: no cover - needs ~1e-200 luck

    def get(self, code: str, *, now: datetime | None = None) -> Room:
        return self._load(self._connect(), code, now)

    def resume(self, code: str, host_key: str, *, now: datetime | None = None) -> Room:
        """The room again for its facilitator, after a reload of the projector page.

        The code alone is public (it is on the projector); only the key handed out by ``create``
        lets a browser drive the room, so a participant cannot take over the projector.
        """
        conn = self._connect()
        room = self._load(conn, code, now)
        row = conn.execute("SELECT host_key FROM rooms WHERE code = ?", (room.code,)).fetchone()
        if not row or not row[0] or not secrets.compare_digest(str(row[0]), str(host_key)):
            raise NotHost(room.code)
        return replace(room, host_key=row[0])

    def join(self, code: str, *, now: datetime | None = None) -> str:
        """A new anonymous participant: only this random token is stored, nothing about the person."""
        with self._write() as conn:
            room = self._load(conn, code, now)
            if room.max_participants is not None:
                (count,) = conn.execute("SELECT COUNT(*) FROM participants WHERE room = ?", (room.code,)).fetchone()
                if count >= room.max_participants:
                    raise RoomFull(room.code)
            token = secrets.token_urlsafe(16)
            conn.execute("INSERT INTO participants (room, token) VALUES (?, ?)", (room.code, token))
        return token

    def rejoin(self, code: str, participant: str, *, now: datetime | None = None) -> Room:
        """The room again for a phone that reloaded: same token, so its votes stay one person's.

        Phones drop background tabs and reload them; joining afresh would make a second
        participant whose vote counts next to the first. Raises ``InvalidVote``
        (``unknown_participant``) for a token that is not in this room.
        """
        conn = self._connect()
        room = self._load(conn, code, now)
        self._check_participant(conn, room, participant)
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
        with self._write() as conn:
            room = self._load(conn, code, now)
            self._check_participant(conn, room, participant)
            if question != room.question:
                raise InvalidVote(
                    "Deze vraag is niet meer aan de beurt / this question is no longer open", key="not_current"
                )
            if option != NO_PREFERENCE and option not in taxonomy.option_ids(question):
                raise InvalidVote(
                    f"'{option}' is geen antwoord op vraag {question} / not an option of question {question}",
                    key="invalid_option",
                )
            conn.execute(
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
        conn = self._connect()
        room = self._load(conn, code, None, check_expiry=False)
        rows = conn.execute(
            "SELECT option, COUNT(*) FROM votes WHERE room = ? AND question = ? GROUP BY option "
            "ORDER BY COUNT(*) DESC, option",
            (room.code, question),
        ).fetchall()
        return {option: count for option, count in rows}

    def participants(self, code: str) -> int:
        """How many phones have joined (shown on the projector: "12 deelnemers")."""
        conn = self._connect()
        room = self._load(conn, code, None, check_expiry=False)
        return conn.execute("SELECT COUNT(*) FROM participants WHERE room = ?", (room.code,)).fetchone()[0]

    def my_votes(self, code: str, participant: str) -> dict[str, str]:
        """This participant's current votes per question id ("" = geen voorkeur).

        The phone shows its "✓" from here, not from its own session: after the facilitator
        starts a new walk (``reset``) the old votes are gone, and the phone must not claim them.
        """
        conn = self._connect()
        room = self._load(conn, code, None, check_expiry=False)
        rows = conn.execute(
            "SELECT question, option FROM votes WHERE room = ? AND participant = ?", (room.code, participant)
        ).fetchall()
        return dict(rows)

    def set_step(self, code: str, step: int, *, now: datetime | None = None) -> Room:
        """Move the projector to ``step`` (0 = start, 1..5 = questions, 6 = results); votes are kept,
        so going back to a question shows its tally again."""
        if not START_STEP <= step <= RESULTS_STEP:
            raise ValueError(f"step must be {START_STEP}..{RESULTS_STEP}, not {step}")
        with self._write() as conn:
            room = self._load(conn, code, now)
            conn.execute("UPDATE rooms SET step = ? WHERE code = ?", (step, room.code))
        return Room(room.code, room.created, room.expires, step, room.answers)

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
        with self._write() as conn:
            room = self._load(conn, code, now)
            answers = {**room.answers, question: chosen}
            conn.execute("UPDATE rooms SET answers = ? WHERE code = ?", (json.dumps(answers), room.code))
        return Room(room.code, room.created, room.expires, room.step, answers)

    def reset(self, code: str, *, now: datetime | None = None) -> Room:
        """Start a new walk in the same room: step 0, no answers, no votes; phones stay joined."""
        with self._write() as conn:
            room = self._load(conn, code, now)
            conn.execute("DELETE FROM votes WHERE room = ?", (room.code,))
            conn.execute("UPDATE rooms SET step = ?, answers = '{}' WHERE code = ?", (START_STEP, room.code))
        return Room(room.code, room.created, room.expires, START_STEP, {})

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete ended rooms with their participants and votes; returns how many rooms went."""
        moment = _ts(_now(now))
        with self._write() as conn:
            count = conn.execute("SELECT COUNT(*) FROM rooms WHERE expires <= ?", (moment,)).fetchone()[0]
            if count:
                self._delete_room_rows(conn, "expires <= ?", (moment,))
        return count


