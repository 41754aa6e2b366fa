"""Limits per client on joins, code guesses and new rooms; a room cap (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tree.throttle import Backoff, RateLimit
from tree.workshop import guard as room_guard
from tree.workshop.rooms import RoomFull, RoomNotFound
from tree.workshop.sql_store import SQLiteRoomStore


@pytest.fixture
def store(tmp_path: Path) -> SQLiteRoomStore:
    return SQLiteRoomStore(tmp_path / "rooms.sqlite3")


def test_forty_phones_behind_one_school_address_all_get_in(store):
    code = store.create().code
    tokens = {room_guard.join(store, code, "192.0.2.1") for _ in range(40)}
    assert len(tokens) == 40 and store.participants(code) == 40


def test_joins_per_client_are_limited(store, monkeypatch):
    now = [0.0]
    monkeypatch.setattr(room_guard, "JOINS", RateLimit(limit=5, per=600, clock=lambda: now[0]))
    code = store.create().code
    for _ in range(5):
        room_guard.join(store, code, "192.0.2.2")
    with pytest.raises(room_guard.Throttled) as err:
        room_guard.join(store, code, "192.0.2.2")
    assert err.value.key == "throttled" and 1 <= err.value.seconds <= 600
    room_guard.join(store, code, "192.0.2.3")  # another address is not affected
    now[0] += 601
    room_guard.join(store, code, "192.0.2.2")
    assert store.participants(code) == 7


def test_code_guessing_slows_down(store, monkeypatch):
    monkeypatch.setattr(room_guard, "GUESSES", Backoff(free=3, base=2.0, cap=300))
    for _ in range(3):
        with pytest.raises(RoomNotFound):
            room_guard.join(store, "ZZZZ-ZZZZ", "198.51.100.7")
    with pytest.raises(RoomNotFound):
        room_guard.join(store, "ZZZZ-ZZZZ", "198.51.100.7")  # the 4th failure starts the wait
    with pytest.raises(room_guard.Throttled):
        room_guard.join(store, store.create().code, "198.51.100.7")  # even a right code waits now


def test_room_creation_is_limited_per_client(store, monkeypatch):
    monkeypatch.setattr(room_guard, "CREATES", RateLimit(limit=2, per=3600))
    room_guard.create(store, "203.0.113.5")
    room_guard.create(store, "203.0.113.5")
    with pytest.raises(room_guard.Throttled):
        room_guard.create(store, "203.0.113.5")


def test_a_capped_room_says_when_it_is_full(store):
    room = store.create(max_participants=2)
    assert room.max_participants == 2 and store.get(room.code).max_participants == 2
    store.join(room.code)
    store.join(room.code)
    with pytest.raises(RoomFull) as err:
        store.join(room.code)
    assert err.value.key == "full"
    assert store.participants(room.code) == 2


def test_an_old_rooms_file_gets_the_cap_column(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE rooms (code TEXT PRIMARY KEY, created TEXT NOT NULL, expires TEXT NOT NULL,"
        " step INTEGER NOT NULL DEFAULT 0, answers TEXT NOT NULL DEFAULT '{}', host_key TEXT);"
    )
    conn.close()
    store = SQLiteRoomStore(path)
    assert store.create(max_participants=3).max_participants == 3
