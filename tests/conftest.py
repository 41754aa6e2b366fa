from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import tree
from tree.databank import DEFAULT_PATH, QUESTIONS_FILE
from tree.yamlio import dump

ROOT = Path(__file__).resolve().parent.parent


def record(iid: str, **fields) -> dict:
    """A minimal valid instrument record; keyword arguments override or add fields."""
    base = {
        "id": iid,
        "name": fields.pop("name", iid.replace("-", " ").title()),
        "summary": "Een testrecord.",
        "kind": "vragenlijst",
        "doelgroep": ["volwassenen"],
        "thema": ["eenzaamheid"],
        "meten": ["effect-client"],
        "gegevens": ["cijfers"],
        "uitvoering": ["zelf"],
        "sources": [{"title": "Bron", "url": "https://example.org/bron"}],
        "last_reviewed": "2026-11-23",
    }
    base.update(fields)
    return base


def write_record(folder: Path, rec: dict, name: str | None = None) -> Path:
    text = dump(rec)
    # dump() quotes the date string; a real curator file has a YAML date
    text = text.replace(f"last_reviewed: '{rec.get('last_reviewed')}'", f"last_reviewed: {rec.get('last_reviewed')}")
    path = folder / (name or f"{rec['id']}.yaml")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fresh_cache():
    tree.clear_cache()
    yield
    tree.clear_cache()


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """An empty databank folder with the shipped questions file."""
    shutil.copy(DEFAULT_PATH / QUESTIONS_FILE, tmp_path / QUESTIONS_FILE)
    return tmp_path


@pytest.fixture
def make_bank(bank_dir: Path) -> Callable[..., tree.Databank]:
    def make(*records: dict) -> tree.Databank:
        for rec in records:
            write_record(bank_dir, rec)
        return tree.load_databank(bank_dir)

    return make


@pytest.fixture(autouse=True)
def _fresh_throttles(monkeypatch):
    """Throttles live per process; every test starts with clean counts."""
    from tree.curate import auth
    from tree.throttle import Backoff

    monkeypatch.setattr(auth, "NAME_BACKOFF", Backoff(free=5, base=2.0, cap=15 * 60))
    monkeypatch.setattr(auth, "CLIENT_BACKOFF", Backoff(free=20, base=2.0, cap=15 * 60))


@pytest.fixture(autouse=True)
def _own_database(tmp_path_factory, monkeypatch):
    """Rooms, submissions and proposals of a test never land in the repo's var/ database."""
    monkeypatch.setenv("BESLISBOOM_ROOMS_DB", str(tmp_path_factory.mktemp("db") / "app.sqlite3"))
    monkeypatch.delenv("BESLISBOOM_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _fresh_submission_limits(monkeypatch):
    from tree.feedback import guard as feedback_guard
    from tree.throttle import RateLimit

    monkeypatch.setattr(feedback_guard, "SUBMISSIONS", RateLimit(limit=10, per=3600))


@pytest.fixture(autouse=True)
def _fresh_room_limits(monkeypatch):
    from tree.throttle import Backoff, RateLimit
    from tree.workshop import guard as room_guard

    monkeypatch.setattr(room_guard, "JOINS", RateLimit(limit=150, per=600))
    monkeypatch.setattr(room_guard, "GUESSES", Backoff(free=30, base=2.0, cap=300))
    monkeypatch.setattr(room_guard, "CREATES", RateLimit(limit=10, per=3600))


#: Record fields for an instrument tested in the Netherlands (the strongest quality label).
TESTED_NL = {
    "quality": "getoetst-nl",
    "quality_basis": {"reference": "Test e.a. (2020)", "year": 2020, "tested": ["betrouwbaarheid"]},
}


def complete_record(iid: str, **fields) -> dict:
    """A record that also keeps every editorial rule (tree.rules): what a curator should publish."""
    base = dict(
        name_en=iid.title(), summary_en="A test record.", measures="Iets", measures_en="Something",
        quality="praktijk", items=5, minutes=5, uitvoering=["mix"],
    )
    base.update(fields)
    return record(iid, **base)


def _require_services() -> bool:
    """Under ``make test`` a missing service fails the run; a bare ``pytest`` skips it."""
    return os.environ.get("BESLISBOOM_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def pg_url():
    """A real PostgreSQL on loopback for this test session (installed by scripts/ensure-services)."""
    from tools.pg import PostgresUnavailable, running_postgres

    try:
        with running_postgres() as url:
            yield url
    except PostgresUnavailable as err:
        if _require_services():
            pytest.fail(str(err), pytrace=False)
        pytest.skip(str(err))


@pytest.fixture
def pg_schema_url(pg_url, request) -> str:
    """``pg_url`` with a new, empty schema of its own: every test starts from nothing."""
    import re as _re

    from tools.pg import fresh_schema_url

    name = "t_" + _re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[-50:]
    return fresh_schema_url(pg_url, name)
