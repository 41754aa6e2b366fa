"""A short run of the websocket load generator (bench/load_ws.py): 20 simulated phones, one room.

Why in the normal suite, when the load runs themselves are not: the generator speaks Streamlit's
websocket protocol and finds the app's buttons by their keys, so a Streamlit upgrade or a change
to the workshop pages can break it silently, and with it every figure it reports. This run is the
guard: every phone joins, votes on all five questions and reaches the advice; three of them reload
halfway (a new session that must come back as the same participant); the store and the
projector must end with exactly the phones' votes. About 25 s (the app's own 2 s polls set the pace).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import load_ws
from tools.appserver import running_app
from tree import BRANCHES
from tree.workshop.sql_store import SQLiteRoomStore

PHONES = 20
RELOADS = 3


@pytest.fixture(scope="module")
def room_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, load_ws.WsRun]:
    folder = tmp_path_factory.mktemp("ws_load")
    db, log = folder / "rooms.sqlite3", folder / "streamlit.log"
    env = {"BESLISBOOM_ROOMS_DB": str(db), "BESLISBOOM_TRUST_PROXY": "1"}
    with running_app(env=env, log_path=log) as (base, pid):
        store = SQLiteRoomStore(db)
        # In its own thread: the generator runs its own asyncio loop, and in the whole suite the
        # browser tests' sync Playwright keeps a loop running in this thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            try:
                summary, run = pool.submit(
                    load_ws.measure, base, PHONES, deadline_s=120, pids={"app": pid}, store=store, settle=0, think=0,
                    reloads=RELOADS, logs=[log],
                ).result()
            finally:
                store.close()
    return summary, run


def test_the_run_has_no_errors(room_run):
    summary, _ = room_run
    assert summary["error_messages"] == []


def test_every_phone_voted_on_every_question_and_saw_the_advice(room_run):
    summary, run = room_run
    assert [s.index for s in run.stats if len(s.choices) != len(BRANCHES)] == []
    assert [s.index for s in run.stats if s.votes_rendered != len(BRANCHES)] == []
    assert summary["phones_reached_advice"] == PHONES
    assert summary["reloads"] == RELOADS


def test_the_store_holds_exactly_the_phones_votes(room_run):
    summary, run = room_run
    assert summary["store_checked"]
    assert summary["votes_lost"] == 0 and summary["votes_double"] == 0
    expected = {q: sum(1 for s in run.stats if q in s.choices) for q in BRANCHES}
    assert summary["votes_per_question_store"] == expected == dict.fromkeys(BRANCHES, PHONES)


def test_the_projector_ended_on_every_vote(room_run):
    _, run = room_run
    assert load_ws.check_projector(run) == []
    latencies, problems = load_ws.projector_latencies(run)
    assert problems == []
    assert len(latencies) == PHONES * len(BRANCHES)


def test_the_checks_catch_a_lost_and_a_double_vote(tmp_path: Path):
    """The store check itself can fail: a vote the store lacks, and one it has twice over."""
    store = SQLiteRoomStore(tmp_path / "rooms.sqlite3")
    room = store.create()
    store.set_step(room.code, 1)
    run = load_ws.WsRun("http://unused", 3, time.monotonic() + 60)
    run.code = room.code
    from tree import load_databank

    taxonomy = load_databank().taxonomy
    for s in run.stats:
        s.token = store.join(room.code)
        s.choices = {"doelgroep": "ouderen"}
    for s in run.stats[:2]:  # the third phone's vote never arrives
        store.vote(room.code, s.token, "doelgroep", "ouderen", taxonomy=taxonomy)
    _, problems = load_ws.check_store(run, store)
    assert any("lost" in p for p in problems)
    assert any(p.startswith("phone 2:") for p in problems)

    store.vote(room.code, run.stats[2].token, "doelgroep", "ouderen", taxonomy=taxonomy)
    stranger = store.join(room.code)  # a participant no phone knows (a reload that counted twice)
    store.vote(room.code, stranger, "doelgroep", "jeugd", taxonomy=taxonomy)
    _, problems = load_ws.check_store(run, store)
    assert any("double" in p for p in problems)
    assert any("participants" in p for p in problems)
    store.close()
