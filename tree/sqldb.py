"""One small SQL layer under the app's shared state (workshop rooms, and what visitors send in).

Two backends, chosen by one setting:

- **SQLite** (default): one file beside the app, no server, so ``make run`` needs nothing else.
  Good for one host: several processes share it through WAL, but not over a network disk.
- **PostgreSQL** (``BESLISBOOM_DATABASE_URL=postgresql://…``): for several app replicas behind a
  load balancer, on one or more hosts.

The stores above this layer write their SQL once, with ``?`` placeholders, and describe what
they need from a transaction rather than how: :meth:`Tx.lock_clause` gives ``FOR SHARE`` /
``FOR UPDATE`` on PostgreSQL, where two replicas' transactions really run side by side, and
nothing on SQLite, where ``BEGIN IMMEDIATE`` already makes every write transaction run alone.

Schemas carry a version per component (``schema_versions``); :func:`migrate` runs the missing
steps on start, inside one transaction, under a lock, so two replicas starting at once do not
both upgrade.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgres"]
LockMode = Literal["share", "update"]

#: The setting that picks PostgreSQL; without it the app uses SQLite.
ENV_URL = "BESLISBOOM_DATABASE_URL"
#: Where the SQLite file lives (kept from before this layer: deployments already set it).
ENV_SQLITE = "BESLISBOOM_ROOMS_DB"
#: How many PostgreSQL connections one app process may hold.
ENV_POOL = "BESLISBOOM_DATABASE_POOL"

#: How long a writer waits for another before giving up (SQLite busy timeout, PostgreSQL lock timeout).
BUSY_TIMEOUT_MS = 15_000
#: Fixed width, so SQLite can compare the texts as times.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message says which and why, without secrets."""


class Tx(Protocol):
    """One transaction: run statements, get rows."""

    dialect: Dialect

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any: ...

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple | None: ...

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]: ...

    def lock_clause(self, mode: LockMode) -> str: ...

    def ts(self, moment: datetime) -> Any: ...

    def column(self, kind: Literal["id", "time"]) -> str: ...


def parse_ts(value: str | datetime) -> datetime:
    """A stored time back as an aware UTC datetime (SQLite keeps text, PostgreSQL a timestamptz)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(UTC)


def ts_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


# --- transactions --------------------------------------------------------------------------------


class _Tx:
    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        # Our SQL never holds a literal "?" or "%", so the placeholder swap is a plain replace.
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self._conn.execute(self._sql(sql), tuple(args))

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple | None:
        row = self.execute(sql, args).fetchone()
        return tuple(row) if row is not None else None

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        return [tuple(row) for row in self.execute(sql, args).fetchall()]

    def lock_clause(self, mode: LockMode) -> str:
        if self.dialect == "sqlite":
            return ""  # BEGIN IMMEDIATE: the whole write transaction already runs alone
        return " FOR SHARE" if mode == "share" else " FOR UPDATE"

    def ts(self, moment: datetime) -> Any:
        return ts_text(moment) if self.dialect == "sqlite" else moment.astimezone(UTC)

    def column(self, kind: Literal["id", "time"]) -> str:
        """The DDL type of a generated id or a timestamp in this dialect."""
        if kind == "id":
            if self.dialect == "sqlite":
                return "INTEGER PRIMARY KEY"
            return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        return "TEXT" if self.dialect == "sqlite" else "TIMESTAMPTZ"


# --- databases -----------------------------------------------------------------------------------


class Database(Protocol):
    dialect: Dialect

    def write(self) -> Any: ...  # context manager yielding a Tx

    def read(self) -> Any: ...  # context manager yielding a Tx

    def describe(self) -> str: ...

    def close(self) -> None: ...


class SQLiteDatabase:
    """One SQLite file, safe for many threads and several processes on one machine.

    Each thread gets its own connection (sqlite3 connections must not be shared between threads,
    and Streamlit runs every session in its own thread). WAL lets frequent reads run beside the
    writes; ``busy_timeout`` makes a writer wait for another rather than fail; every write runs in
    ``BEGIN IMMEDIATE``, so a read-check-write is one atomic step even across processes.
    """

    dialect: Dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # isolation_level=None: we issue BEGIN ourselves, so the module never opens a
                # deferred transaction behind our back (a deferred read→write upgrade can fail in
                # WAL without waiting for busy_timeout).
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode = WAL")  # persistent in the file; a no-op when already WAL
                conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a lost last vote is no disaster
            except (OSError, sqlite3.Error) as err:
                raise DatabaseUnavailable(f"SQLite-bestand {self.path} niet te openen / cannot open: {err}") from err
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self) -> Iterator[Tx]:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _Tx(conn, "sqlite")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        yield _Tx(self._connect(), "sqlite")

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class PostgresDatabase:
    """PostgreSQL through psycopg 3 and a small connection pool per app process.

    READ COMMITTED (PostgreSQL's default) plus explicit row locks: the stores lock the one row
    their check depends on (a room ``FOR SHARE`` while a vote is checked and written, ``FOR
    UPDATE`` while the facilitator moves on), so concurrent votes from many replicas neither
    wait on each other nor land on a question that has just closed. Upserts on a primary key
    make a double submit count once.
    """

    dialect: Dialect = "postgres"

    def __init__(self, url: str, *, max_size: int | None = None) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        size = max_size or int(os.environ.get(ENV_POOL, "8"))
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, size),
            open=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check=ConnectionPool.check_connection,  # a restarted server: a dead connection is replaced, not used
            kwargs={"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"} if "options=" not in url else {},
            name="beslisboom",
        )
        self._opened = False
        self._open_lock = threading.Lock()

    def describe(self) -> str:
        return f"PostgreSQL {redact(self.url)}"

    def probe(self, timeout_s: int = 5) -> None:
        """One direct connection, quickly: a deployment check should not wait out the pool's timeout."""
        import psycopg

        try:
            psycopg.connect(self.url, connect_timeout=timeout_s).close()
        except psycopg.Error as err:
            raise DatabaseUnavailable(f"{self.describe()} niet bereikbaar / unreachable: {_first_line(err)}") from err

    def _pool_open(self) -> Any:
        if not self._opened:
            with self._open_lock:
                if not self._opened:
                    self._pool.open(wait=False)
                    self._opened = True
        return self._pool

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self._pool_open().connection() as conn:
                yield conn
        except (PoolTimeout, psycopg.OperationalError) as err:
            raise DatabaseUnavailable(f"{self.describe()} niet bereikbaar / unreachable: {_first_line(err)}") from err

    @contextmanager
    def write(self) -> Iterator[Tx]:
        with self._connection() as conn, conn.transaction():
            yield _Tx(conn, "postgres")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._connection() as conn, conn.transaction():
            yield _Tx(conn, "postgres")

    def close(self) -> None:
        if self._opened:
            self._pool.close()
            self._opened = False


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def open_database(url: str | None = None, *, sqlite_path: Path | None = None) -> Database:
    """``postgresql://…`` → PostgreSQL; otherwise SQLite at ``sqlite_path``."""
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise DatabaseUnavailable(f"{ENV_URL} moet met postgresql:// beginnen / must start with postgresql://")
        return PostgresDatabase(url)
    if sqlite_path is None:
        raise ValueError("no database URL and no SQLite path")
    return SQLiteDatabase(sqlite_path)


# --- migrations ----------------------------------------------------------------------------------

#: A migration step: runs inside the migration transaction.
Step = Callable[[Tx], None]


@dataclass(frozen=True)
class Schema:
    """A component's schema as numbered steps; version N means steps 1..N have run."""

    component: str
    steps: tuple[Step, ...]

    @property
    def version(self) -> int:
        return len(self.steps)


_VERSIONS_DDL = "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
#: Any constant: the advisory lock that lets one replica migrate while the others wait.
_MIGRATION_LOCK = 0x6265736C


def stored_version(db: Database, component: str) -> int | None:
    """The component's schema version in the database; None when it has never been set up."""
    with db.read() as tx:
        if tx.dialect == "sqlite":
            exists = tx.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'")
        else:
            exists = tx.one("SELECT to_regclass('schema_versions')")
            exists = exists if exists and exists[0] is not None else None
        if not exists:
            return None
        row = tx.one("SELECT version FROM schema_versions WHERE component = ?", (component,))
        return int(row[0]) if row else None


def migrate(db: Database, schema: Schema) -> int:
    """Run the missing steps of ``schema``; returns the version now in place.

    A database newer than this code (a replica not yet upgraded) is refused rather than used
    with assumptions that no longer hold.
    """
    with db.write() as tx:
        if tx.dialect == "postgres":
            tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
        tx.execute(_VERSIONS_DDL)
        row = tx.one("SELECT version FROM schema_versions WHERE component = ?", (schema.component,))
        current = int(row[0]) if row else 0
        if current > schema.version:
            raise DatabaseUnavailable(
                f"{db.describe()}: schema '{schema.component}' heeft versie {current}, deze app kent tot "
                f"{schema.version} / the database is newer than this app; upgrade the app"
            )
        for step in schema.steps[current:]:
            step(tx)
        if current != schema.version:
            tx.execute(
                "INSERT INTO schema_versions (component, version) VALUES (?, ?) "
                "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (schema.component, schema.version),
            )
    return schema.version


def sqlite_columns(tx: Tx, table: str) -> set[str]:
    return {row[1] for row in tx.all(f"PRAGMA table_info({table})")}


class VersionedStore:
    """A store on a :class:`Database` whose schema is brought up to date on first use."""

    schema: Schema

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ready = False

    def migrate(self) -> int:
        """Create or upgrade the tables (also done on first use); returns the schema version."""
        version = migrate(self.db, self.schema)
        self._ready = True
        return version

    def _tx(self, write: bool):
        if not self._ready:
            self.migrate()
        return self.db.write() if write else self.db.read()
