"""Workshop rooms: codes, expiry, votes that count once, the facilitator's picks, and many writers at once.

The contract tests run against both backends (the ``store`` fixture: SQLite, and a real
PostgreSQL on loopback); SQLite-only behaviour (files, WAL, old files) is tested separately.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import tree
from tree import BRANCHES
from tree.workshop import backend
from tree.workshop import rooms as rooms_mod
from tree.workshop.rooms import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_TTL,
    RESULTS_STEP,
    InvalidVote,
    NotHost,
    Room,
    RoomError,
    RoomExpired,
    RoomNotFound,
    format_code,
    normalise_code,
)
from tree.workshop.sql_store import PostgresRoomStore, SQLiteRoomStore, SQLRoomStore

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def taxonomy() -> tree.Taxonomy:
    return tree.load_databank().taxonomy


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLRoomStore]:
    if request.param == "sqlite":
        made: SQLRoomStore = SQLiteRoomStore(tmp_path / "rooms.sqlite3")
    else:
        made = PostgresRoomStore(request.getfixturevalue("pg_schema_url"))
    yield made
    made.close()


def at_question(store: SQLRoomStore, qid: str, **kwargs) -> Room:
    room = store.create(**kwargs)
    return store.set_step(room.code, BRANCHES.index(qid) + 1, **({"now": kwargs["now"]} if "now" in kwargs else {}))


# --- codes -------------------------------------------------------------------------------------


def test_code_alphabet_and_length(store: SQLRoomStore) -> None:
    assert len(CODE_ALPHABET) == 31 == len(set(CODE_ALPHABET))
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = {store.create().code for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)


def test_format_and_normalise() -> None:
    assert format_code("ABCDEFGH") == "ABCD-EFGH"
    assert format_code("abcd efgh") == "ABCD-EFGH"
    for messy in ("abcd-efgh", " ABCD EFGH ", "abcd–efgh", "AbCdEfGh", "ab-cd-ef-gh"):
        assert normalise_code(messy) == "ABCDEFGH"


def test_create_and_get_with_messy_codes(store: SQLRoomStore) -> None:
    room = store.create()
    assert room.step == 0 and room.answers == {} and room.question is None
    assert room.expires - room.created == DEFAULT_TTL
    shown = format_code(room.code)
    assert shown[4] == "-"
    spaced = f"  {room.code[:4].lower()} {room.code[4:]} "
    for typed in (room.code, shown, shown.lower(), spaced, shown.replace("-", "—")):
        assert store.get(typed) == room


def test_unknown_code(store: SQLRoomStore) -> None:
    store.create()
    for code in ("ZZZZ-ZZZZ", "", "abc", "OOOO-0000", "ABCDEFGHJ"):
        with pytest.raises(RoomNotFound) as err:
            store.get(code)
        assert err.value.key == "not_found"
        assert isinstance(err.value, RoomError)
    with pytest.raises(RoomNotFound):
        store.join("ZZZZ-ZZZZ")
    with pytest.raises(RoomNotFound):
        store.tally("ZZZZ-ZZZZ", "thema")


def test_create_retries_on_collision_with_live_room(store: SQLRoomStore, monkeypatch: pytest.MonkeyPatch) -> None:
    first = store.create(now=T0)
    codes = iter([first.code, first.code, "ABCDEFGH"])
    monkeypatch.setattr(rooms_mod, "new_code", lambda: next(codes))
    second = store.create(now=T0)
    assert second.code == "ABCDEFGH"
    assert store.get(first.code, now=T0) == first  # the live room was not touched


def test_question_property() -> None:
    steps = [Room("ABCDEFGH", T0, T0, step, {}).question for step in range(RESULTS_STEP + 1)]
    assert steps == [None, *BRANCHES, None]


# --- expiry and purge ----------------------------------------------------------------------------


def test_expiry(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "gegevens", now=T0, ttl=timedelta(hours=2))
    token = store.join(room.code, now=T0)
    later = T0 + timedelta(hours=1, minutes=59)
    assert store.get(room.code, now=later).code == room.code
    ended = T0 + timedelta(hours=2)
    for call in (
        lambda: store.get(room.code, now=ended),
        lambda: store.join(room.code, now=ended),
        lambda: store.vote(room.code, token, "gegevens", "cijfers", taxonomy=taxonomy, now=ended),
        lambda: store.set_step(room.code, 5, now=ended),
    ):
        with pytest.raises(RoomExpired) as err:
            call()
        assert err.value.key == "expired"
        assert not isinstance(err.value, RoomNotFound)


def test_naive_now_is_refused(store: SQLRoomStore) -> None:
    with pytest.raises(ValueError):
        store.create(now=datetime(2026, 3, 2, 9, 0))


def test_purge_expired(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    old = at_question(store, "thema", now=T0, ttl=timedelta(hours=1))
    token = store.join(old.code, now=T0)
    store.vote(old.code, token, "thema", "armoede-schulden", taxonomy=taxonomy, now=T0)
    young = store.create(now=T0 + timedelta(minutes=30), ttl=timedelta(hours=1))
    assert store.purge_expired(T0 + timedelta(minutes=59)) == 0
    assert store.purge_expired(T0 + timedelta(hours=1)) == 1
    with pytest.raises(RoomNotFound):
        store.get(old.code, now=T0)
    assert store.get(young.code, now=T0 + timedelta(hours=1)).code == young.code
    with store.db.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM votes") == (0,)
        assert tx.one("SELECT COUNT(*) FROM participants") == (0,)
    assert store.purge_expired(T0 + timedelta(hours=2)) == 1


# --- joining and voting ------------------------------------------------------------------------


def test_join_gives_distinct_tokens(store: SQLRoomStore) -> None:
    room = store.create()
    tokens = {store.join(format_code(room.code).lower()) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 20 for t in tokens)
    assert store.participants(room.code) == 20


def test_vote_change_and_count_once(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "thema")
    a, b, c = (store.join(room.code) for _ in range(3))
    store.vote(room.code, a, "thema", "eenzaamheid", taxonomy=taxonomy)
    store.vote(room.code, b, "thema", "eenzaamheid", taxonomy=taxonomy)
    store.vote(room.code, c, "thema", "armoede-schulden", taxonomy=taxonomy)
    assert store.tally(room.code, "thema") == {"eenzaamheid": 2, "armoede-schulden": 1}
    store.vote(room.code, b, "thema", "armoede-schulden", taxonomy=taxonomy)  # changes her mind
    assert store.tally(room.code, "thema") == {"armoede-schulden": 2, "eenzaamheid": 1}
    for _ in range(3):  # a double (triple) tap changes nothing
        store.vote(room.code, a, "thema", "eenzaamheid", taxonomy=taxonomy)
    assert store.tally(room.code, "thema") == {"armoede-schulden": 2, "eenzaamheid": 1}
    assert sum(store.tally(room.code, "thema").values()) == 3


def test_no_preference_counts(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "meten")
    a, b = store.join(room.code), store.join(room.code)
    store.vote(room.code, a, "meten", "", taxonomy=taxonomy)
    store.vote(room.code, b, "meten", "ervaring", taxonomy=taxonomy)
    assert store.tally(room.code, "meten") == {"": 1, "ervaring": 1}
    store.vote(room.code, b, "meten", "", taxonomy=taxonomy)
    assert store.tally(room.code, "meten") == {"": 2}


def test_vote_for_option_of_another_question(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "thema")
    token = store.join(room.code)
    for option in ("cijfers", "no-such-option", "Eenzaamheid"):
        with pytest.raises(InvalidVote) as err:
            store.vote(room.code, token, "thema", option, taxonomy=taxonomy)
        assert err.value.key == "invalid_option"
    assert store.tally(room.code, "thema") == {}


def test_vote_for_question_no_longer_current(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "doelgroep")
    token = store.join(room.code)
    store.vote(room.code, token, "doelgroep", "jeugd", taxonomy=taxonomy)
    store.set_step(room.code, 2)
    with pytest.raises(InvalidVote) as err:
        store.vote(room.code, token, "doelgroep", "ouders", taxonomy=taxonomy)
    assert err.value.key == "not_current"
    assert store.tally(room.code, "doelgroep") == {"jeugd": 1}  # the late tap did not replace the vote
    store.set_step(room.code, 0)  # and nothing is open on the start or results step
    with pytest.raises(InvalidVote):
        store.vote(room.code, token, "doelgroep", "jeugd", taxonomy=taxonomy)


def test_vote_needs_a_participant_of_this_room(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room, other = at_question(store, "gegevens"), at_question(store, "gegevens")
    stranger = store.join(other.code)
    for token in ("made-up", stranger):
        with pytest.raises(InvalidVote) as err:
            store.vote(room.code, token, "gegevens", "cijfers", taxonomy=taxonomy)
        assert err.value.key == "unknown_participant"


def test_tally_is_per_question(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "doelgroep")
    a, b = store.join(room.code), store.join(room.code)
    store.vote(room.code, a, "doelgroep", "ouderen", taxonomy=taxonomy)
    store.vote(room.code, b, "doelgroep", "mantelzorgers", taxonomy=taxonomy)
    store.set_step(room.code, 2)
    assert store.tally(room.code, "thema") == {}
    store.vote(room.code, a, "thema", "mantelzorg", taxonomy=taxonomy)
    assert store.tally(room.code, "thema") == {"mantelzorg": 1}
    assert store.tally(room.code, "doelgroep") == {"ouderen": 1, "mantelzorgers": 1}
    store.set_step(room.code, 1)  # going back shows the earlier votes again
    assert store.tally(room.code, "doelgroep") == {"ouderen": 1, "mantelzorgers": 1}
    with pytest.raises(ValueError):
        store.tally(room.code, "nope")


# --- the facilitator -----------------------------------------------------------------------------


def test_follow_validates_and_keeps_taxonomy_order(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = store.create()
    got = store.follow(room.code, "thema", ["armoede-schulden", "eenzaamheid", "eenzaamheid"], taxonomy=taxonomy)
    assert got.answers == {"thema": ["eenzaamheid", "armoede-schulden"]}
    assert store.get(room.code).answers == got.answers
    got = store.follow(room.code, "meten", [""], taxonomy=taxonomy)  # geen voorkeur
    assert got.answers == {"thema": ["eenzaamheid", "armoede-schulden"], "meten": []}
    with pytest.raises(InvalidVote) as err:
        store.follow(room.code, "thema", ["eenzaamheid", "cijfers"], taxonomy=taxonomy)
    assert err.value.key == "invalid_option"
    with pytest.raises(InvalidVote) as err:
        store.follow(room.code, "vraag", ["x"], taxonomy=taxonomy)
    assert err.value.key == "unknown_question"
    assert store.get(room.code).answers["thema"] == ["eenzaamheid", "armoede-schulden"]  # unchanged


def test_follow_respects_single_choice(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    assert not taxonomy.question("gegevens").multiple
    room = store.create()
    with pytest.raises(InvalidVote) as err:
        store.follow(room.code, "gegevens", ["cijfers", "verhalen"], taxonomy=taxonomy)
    assert err.value.key == "single_choice"
    assert store.follow(room.code, "gegevens", ["beide"], taxonomy=taxonomy).answers == {"gegevens": ["beide"]}
    assert store.follow(room.code, "gegevens", ["cijfers", "cijfers"], taxonomy=taxonomy).answers == {
        "gegevens": ["cijfers"]
    }


def test_followed_answers_drive_the_advice(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = store.create()
    store.follow(room.code, "thema", ["eenzaamheid"], taxonomy=taxonomy)
    rec = tree.recommend(tree.load_databank(), store.get(room.code).answers)
    assert rec.answers.get("thema") == ["eenzaamheid"]


def test_set_step_bounds(store: SQLRoomStore) -> None:
    room = store.create()
    assert store.set_step(room.code, RESULTS_STEP).step == RESULTS_STEP
    for bad in (-1, RESULTS_STEP + 1):
        with pytest.raises(ValueError):
            store.set_step(room.code, bad)
    assert store.get(room.code).step == RESULTS_STEP


def test_my_votes_are_this_participants_latest_only(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "doelgroep")
    me, other = store.join(room.code), store.join(room.code)
    assert store.my_votes(room.code, me) == {}
    store.vote(room.code, me, "doelgroep", "ouderen", taxonomy=taxonomy)
    store.vote(room.code, other, "doelgroep", "jeugd", taxonomy=taxonomy)
    store.vote(room.code, me, "doelgroep", "", taxonomy=taxonomy)  # changed to geen voorkeur
    store.set_step(room.code, 2)
    store.vote(room.code, me, "thema", "eenzaamheid", taxonomy=taxonomy)
    assert store.my_votes(room.code, me) == {"doelgroep": "", "thema": "eenzaamheid"}
    assert store.my_votes(room.code, other) == {"doelgroep": "jeugd"}
    with pytest.raises(RoomNotFound):
        store.my_votes("ZZZZZZZZ", me)


def test_a_reloaded_phone_rejoins_as_the_same_participant(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "doelgroep", now=T0)
    token = store.join(room.code, now=T0)
    store.vote(room.code, token, "doelgroep", "ouderen", taxonomy=taxonomy, now=T0)
    assert store.rejoin(format_code(room.code), token, now=T0).code == room.code
    store.vote(room.code, token, "doelgroep", "jeugd", taxonomy=taxonomy, now=T0)  # after the reload
    assert store.tally(room.code, "doelgroep") == {"jeugd": 1} and store.participants(room.code) == 1
    other = store.create(now=T0)
    for code, wrong in ((room.code, "verzonnen"), (other.code, token)):  # a made-up token, another room's token
        with pytest.raises(InvalidVote) as err:
            store.rejoin(code, wrong, now=T0)
        assert err.value.key == "unknown_participant"
    with pytest.raises(RoomExpired):
        store.rejoin(room.code, token, now=T0 + DEFAULT_TTL)


def test_only_the_facilitator_key_resumes_a_room(store: SQLRoomStore) -> None:
    room = store.create(now=T0)
    assert room.host_key and len(room.host_key) >= 16
    assert room.host_key not in repr(room)  # never in a log line
    back = store.resume(format_code(room.code).lower(), room.host_key, now=T0)
    assert back == store.get(room.code, now=T0) and back.host_key == room.host_key
    assert store.get(room.code, now=T0).host_key is None  # a participant's view of the room has no key
    for wrong in ("", "raad-maar", room.host_key[:-1]):
        with pytest.raises(NotHost) as err:
            store.resume(room.code, wrong, now=T0)
        assert err.value.key == "not_host"
    other = store.create(now=T0)
    with pytest.raises(NotHost):
        store.resume(room.code, other.host_key, now=T0)  # another room's key opens nothing else
    with pytest.raises(RoomExpired):
        store.resume(room.code, room.host_key, now=T0 + DEFAULT_TTL)


def test_a_rooms_file_from_before_facilitator_keys_is_upgraded(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE rooms (code TEXT PRIMARY KEY, created TEXT NOT NULL, expires TEXT NOT NULL,"
            " step INTEGER NOT NULL DEFAULT 0, answers TEXT NOT NULL DEFAULT '{}')"
        )
    store = SQLiteRoomStore(path)
    room = store.create()
    assert store.resume(room.code, room.host_key).code == room.code
    store.close()


def test_reset_clears(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    room = at_question(store, "uitvoering")
    token = store.join(room.code)
    store.vote(room.code, token, "uitvoering", "zelf", taxonomy=taxonomy)
    store.follow(room.code, "uitvoering", ["zelf"], taxonomy=taxonomy)
    assert store.my_votes(room.code, token) == {"uitvoering": "zelf"}
    fresh = store.reset(room.code)
    assert (fresh.step, fresh.answers, fresh.question) == (0, {}, None)
    assert store.my_votes(room.code, token) == {}  # the phone must not show last walk's ✓
    assert store.get(room.code) == fresh
    assert store.tally(room.code, "uitvoering") == {}
    assert store.participants(room.code) == 1  # phones stay in the room for the next walk
    store.set_step(room.code, 5)
    store.vote(room.code, token, "uitvoering", "mix", taxonomy=taxonomy)
    assert store.tally(room.code, "uitvoering") == {"mix": 1}


# --- several sessions, threads and processes -----------------------------------------------------


def test_store_creates_its_folder(tmp_path: Path) -> None:
    store = SQLiteRoomStore(tmp_path / "new" / "folder" / "rooms.sqlite3")
    assert store.get(store.create().code)
    with store.db.read() as tx:
        assert tx.one("PRAGMA journal_mode") == ("wal",)


def _twin(store: SQLRoomStore) -> SQLRoomStore:
    """A second store on the same database: another process, or another replica."""
    if isinstance(store, SQLiteRoomStore):
        return SQLiteRoomStore(store.path)
    return PostgresRoomStore(store.db.url)


def _store_source(store: SQLRoomStore) -> str:
    if isinstance(store, SQLiteRoomStore):
        return f"SQLiteRoomStore({str(store.path)!r})"
    return f"PostgresRoomStore({store.db.url!r})"


def test_second_store_on_same_database_sees_rooms(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    presenter, phone = store, _twin(store)
    room = presenter.create()
    token = phone.join(format_code(room.code))
    presenter.set_step(room.code, 3)
    assert phone.get(room.code).question == "meten"
    phone.vote(room.code, token, "meten", "proces", taxonomy=taxonomy)
    assert presenter.tally(room.code, "meten") == {"proces": 1}
    assert presenter.participants(room.code) == 1


def test_votes_from_other_processes(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    """Three processes (as three replicas would) each join and vote 20 times at once: all 60 count once."""
    room = at_question(store, "gegevens")
    script = (
        "import sys, tree; from tree.workshop.sql_store import SQLiteRoomStore, PostgresRoomStore\n"
        f"s = {_store_source(store)}; tax = tree.load_databank().taxonomy\n"
        "for _ in range(20):\n"
        "    t = s.join(sys.argv[1])\n"
        "    s.vote(sys.argv[1], t, 'gegevens', 'verhalen', taxonomy=tax)\n"
        "    s.vote(sys.argv[1], t, 'gegevens', 'cijfers', taxonomy=tax)  # a change of mind: still one vote\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, room.code], cwd=ROOT) for _ in range(3)]
    assert [proc.wait(timeout=120) for proc in procs] == [0, 0, 0]
    assert store.tally(room.code, "gegevens") == {"cijfers": 60}
    assert store.participants(room.code) == 60


def test_default_store_uses_env_and_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BESLISBOOM_ROOMS_DB", str(tmp_path / "sub" / "r.sqlite3"))
    one = backend.default_store()
    assert one is backend.default_store()
    assert one.path == (tmp_path / "sub" / "r.sqlite3").resolve()
    assert one.get(one.create().code)
    assert (tmp_path / "sub" / "r.sqlite3").exists()


def test_concurrent_participants_while_facilitator_advances(store: SQLRoomStore, taxonomy: tree.Taxonomy) -> None:
    """30 phones vote (and change their minds) through all five questions while the projector moves on.

    Only late taps may fail, as InvalidVote "not_current"; every question ends with each phone
    counted exactly once, for the last vote it got accepted.
    """
    n = 30
    room = store.create()
    start = threading.Barrier(n + 1)
    done = threading.Event()
    accepted: list[dict[str, str]] = [{} for _ in range(n)]  # per phone: question -> last accepted option
    late = [0] * n  # taps refused because the step had moved
    attempts = [0] * n
    errors: list[BaseException] = []

    def phone(i: int) -> None:
        rng = random.Random(i)
        try:
            token = store.join(room.code)
            start.wait(timeout=30)
            while not done.is_set():
                question = store.get(room.code).question
                if question is None:
                    time.sleep(0.002)
                    continue
                option = rng.choice([*taxonomy.option_ids(question), ""])
                attempts[i] += 1
                try:
                    store.vote(room.code, token, question, option, taxonomy=taxonomy)
                except InvalidVote as exc:
                    if exc.key != "not_current":
                        raise
                    late[i] += 1
                else:
                    accepted[i][question] = option
                time.sleep(rng.random() * 0.004)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    try:  # whatever fails here, the phones must stop, or pytest would hang on their threads
        start.wait(timeout=30)
        assert store.participants(room.code) == n
        deadline = time.monotonic() + 60
        for step, question in enumerate(BRANCHES, start=1):
            store.set_step(room.code, step)
            # move on once every phone has voted, plus a moment of mind-changing
            while sum(store.tally(room.code, question).values()) < n and time.monotonic() < deadline and not errors:
                time.sleep(0.005)
            time.sleep(0.05)
        store.set_step(room.code, RESULTS_STEP)
    finally:
        done.set()
        start.abort()
        for th in threads:
            th.join(timeout=30)

    assert not errors, errors
    assert not any(th.is_alive() for th in threads)
    for question in BRANCHES:
        expected = Counter(a[question] for a in accepted if question in a)
        assert sum(expected.values()) == n
        assert store.tally(room.code, question) == dict(expected)
    # late taps are tolerated and counted; every other attempt was accepted
    accepted_votes = sum(attempts) - sum(late)
    assert accepted_votes >= n * len(BRANCHES)
    print(f"{sum(attempts)} votes, {accepted_votes} accepted, {sum(late)} late")


# --- schema versions and the deployment check --------------------------------------------------


def test_schema_version_is_recorded_and_migration_is_idempotent(store: SQLRoomStore) -> None:
    from tree.sqldb import stored_version
    from tree.workshop.sql_store import SCHEMA

    assert stored_version(store.db, "rooms") is None  # nothing before first use
    room = store.create()
    assert stored_version(store.db, "rooms") == SCHEMA.version == 3
    assert store.migrate() == 3  # a second replica starting: nothing to do, nothing lost
    assert store.get(room.code).code == room.code


def test_a_database_newer_than_the_app_is_refused(store: SQLRoomStore) -> None:
    from tree.sqldb import DatabaseUnavailable

    store.create()
    with store.db.write() as tx:
        tx.execute("UPDATE schema_versions SET version = 99 WHERE component = 'rooms'")
    with pytest.raises(DatabaseUnavailable, match="99"):
        _twin(store).migrate()


def test_replicas_starting_at_once_migrate_once(pg_schema_url: str) -> None:
    stores = [PostgresRoomStore(pg_schema_url) for _ in range(4)]
    errors: list[BaseException] = []

    def start(s: SQLRoomStore) -> None:
        try:
            s.migrate()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors, errors
    with stores[0].db.read() as tx:
        assert tx.all("SELECT component, version FROM schema_versions") == [("rooms", 3)]
    for s in stores:
        s.close()


def test_check_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_schema_url: str) -> None:
    monkeypatch.delenv("BESLISBOOM_DATABASE_URL", raising=False)
    monkeypatch.setenv("BESLISBOOM_ROOMS_DB", str(tmp_path / "c.sqlite3"))
    [problem] = backend.check_store()
    assert "ontbreken" in problem and "c.sqlite3" in problem
    assert backend.check_store(upgrade=True) == []
    assert backend.check_store() == []

    monkeypatch.setenv("BESLISBOOM_DATABASE_URL", pg_schema_url)
    assert backend.check_store(upgrade=True) == []
    monkeypatch.setenv("BESLISBOOM_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    [problem] = backend.check_store()
    assert "niet bereikbaar" in problem and "secret" not in problem and "***" in problem
    monkeypatch.setenv("BESLISBOOM_DATABASE_URL", "mysql://x")
    [problem] = backend.check_store()
    assert "postgresql://" in problem


def test_default_store_picks_postgres_by_setting(monkeypatch: pytest.MonkeyPatch, pg_schema_url: str) -> None:
    monkeypatch.setenv("BESLISBOOM_DATABASE_URL", pg_schema_url)
    store = backend.default_store()
    assert isinstance(store, PostgresRoomStore) and store is backend.default_store()
    assert store.get(store.create().code)
