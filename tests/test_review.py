"""Four eyes: a change is a proposal until a second curator approves it; nobody approves their own."""

from __future__ import annotations

from pathlib import Path

import pytest

import tree
from tree.curate import history, store
from tree.curate.review import NotOpen, ReviewQueue, SelfApproval
from tree.sqldb import PostgresDatabase, SQLiteDatabase

from .conftest import complete_record


@pytest.fixture(params=["sqlite", "postgres"])
def queue(request: pytest.FixtureRequest, tmp_path: Path):
    db = SQLiteDatabase(tmp_path / "app.sqlite3") if request.param == "sqlite" else PostgresDatabase(
        request.getfixturevalue("pg_schema_url"))
    yield ReviewQueue(db)
    db.close()


@pytest.fixture
def bank(make_bank) -> tree.Databank:
    return make_bank(complete_record("lijst", name="Lijst", summary="Oude samenvatting."))


def proposal_of(bank, queue, author="anna", summary="Nieuwe samenvatting."):
    opened = store.open_record(bank.path, "lijst")
    record = {**tree.load_databank(bank.path).instruments["lijst"].model_dump(mode="json", exclude_none=True),
              "summary": summary}
    return queue.propose(bank.path, record, expected_digest=opened.digest, author=author,
                         message="Samenvatting aangepast")


def test_a_proposal_is_not_written_until_a_second_curator_approves(bank, queue):
    p = proposal_of(bank, queue)
    assert tree.load_databank(bank.path).instruments["lijst"].summary == "Oude samenvatting."  # the wizard's view
    assert "-summary: Oude samenvatting." in queue.diff(bank.path, p)
    assert "+summary: Nieuwe samenvatting." in queue.diff(bank.path, p)
    assert [x.id for x in queue.open()] == [p.id]
    queue.approve(bank.path, p.id, "bert")
    tree.clear_cache()
    assert tree.load_databank(bank.path).instruments["lijst"].summary == "Nieuwe samenvatting."
    assert queue.open() == [] and queue.get(p.id).status == "goedgekeurd" and queue.get(p.id).decided_by == "bert"


def test_the_author_cannot_approve_their_own_change(bank, queue):
    p = proposal_of(bank, queue, author="anna")
    with pytest.raises(SelfApproval):
        queue.approve(bank.path, p.id, "Anna ")
    assert queue.get(p.id).status == "open"
    assert tree.load_databank(bank.path).instruments["lijst"].summary == "Oude samenvatting."


def test_history_names_who_proposed_and_who_approved(bank, queue):
    p = proposal_of(bank, queue, author="anna")
    queue.approve(bank.path, p.id, "bert")
    entry = history.log(bank.path, "lijst.yaml")[0]
    assert entry.author == "anna"
    assert "Voorgesteld door: anna" in entry.message and "Goedgekeurd door: bert" in entry.message


def test_a_rejection_needs_a_reason_and_closes_the_proposal(bank, queue):
    p = proposal_of(bank, queue)
    with pytest.raises(ValueError):
        queue.reject(p.id, "bert", " ")
    queue.reject(p.id, "bert", "bron ontbreekt")
    assert (queue.get(p.id).status, queue.get(p.id).reason) == ("afgewezen", "bron ontbreekt")
    with pytest.raises(NotOpen):
        queue.approve(bank.path, p.id, "carla")


def test_an_invalid_change_is_refused_when_proposed(bank, queue):
    with pytest.raises(store.ValidationFailed):
        queue.propose(bank.path, {"id": "lijst", "name": ""}, expected_digest=None, author="anna", message="x")
    assert queue.open() == []


def test_a_proposal_made_against_an_older_file_reports_the_conflict(bank, queue):
    p = proposal_of(bank, queue, summary="Voorstel van anna.")
    later = proposal_of(bank, queue, author="carla", summary="Voorstel van carla.")
    queue.approve(bank.path, later.id, "bert")
    with pytest.raises(store.Conflict):
        queue.approve(bank.path, p.id, "bert")  # never silently over someone else's approved change
    assert queue.get(p.id).status == "open"
