"""Two hosts, one bare remote: edits survive any deployment (issue 13).

Each working copy stands for the databank folder of one host (or one container). A save is
committed and pushed; a push that loses the race is rebased; the same record edited on both
gives the conflict screen's two texts and loses nothing; an unreachable remote keeps the change
pending until the next try.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import tree
from tree.curate import store, sync
from tree.databank import DEFAULT_PATH, QUESTIONS_FILE

from .conftest import record

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture(autouse=True)
def _sync_on(monkeypatch):
    monkeypatch.setenv(sync.ENV, "1")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def hosts(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(remote, host A, host B): a bare repository with the questions file and two clones."""
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "-q", "-b", "main")
    shutil.copy(DEFAULT_PATH / QUESTIONS_FILE, seed / QUESTIONS_FILE)
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.org", "commit", "-q", "-m", "begin")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(remote))
    copies = []
    for name in ("host-a", "host-b"):
        git(tmp_path, "clone", "-q", str(remote), name)
        copy = tmp_path / name
        git(copy, "config", "user.name", name)
        git(copy, "config", "user.email", f"{name}@example.org")
        copies.append(copy)
    return remote, copies[0], copies[1]


def remote_file(remote: Path, name: str) -> str:
    return git(remote, "show", f"main:{name}")


def save(bank: Path, rec: dict, who: str) -> None:
    opened = store.open_record(bank, rec["id"]) if (bank / f"{rec['id']}.yaml").exists() else None
    store.save_record(bank, rec, expected_digest=opened.digest if opened else None, author=who, message=f"{who}")


def test_every_save_is_pushed_and_the_other_host_pulls_it(hosts):
    remote, a, b = hosts
    save(a, record("een", summary="Van A."), "Anna")
    assert "Van A." in remote_file(remote, "een.yaml")
    assert sync.state(a).pending == 0 and sync.state(a).last_push
    sync.pull(b)
    assert tree.load_databank(b).instruments["een"].summary == "Van A."


def test_edits_to_different_records_on_two_hosts_both_land(hosts):
    remote, a, b = hosts
    save(a, record("een", summary="Van A."), "Anna")
    save(b, record("twee", summary="Van B."), "Bert")  # B had not pulled: its push is rejected, then rebased
    assert "Van A." in remote_file(remote, "een.yaml") and "Van B." in remote_file(remote, "twee.yaml")
    sync.pull(a)
    assert set(tree.load_databank(a).instruments) == {"een", "twee"}
    assert sync.state(b).pending == 0


def test_the_same_record_on_two_hosts_gives_both_texts_and_loses_nothing(hosts):
    remote, a, b = hosts
    save(a, record("een", summary="Eerste."), "Anna")
    sync.pull(b)
    save(a, record("een", summary="Anna's versie."), "Anna")
    with pytest.raises(store.Conflict) as err:
        save(b, record("een", summary="Berts versie."), "Bert")
    assert err.value.file == "een.yaml"
    assert "Anna's versie." in err.value.theirs and "Berts versie." in err.value.mine
    # B's working copy now holds Anna's version; Bert's is kept under a ref and on the screen
    assert "Anna's versie." in (b / "een.yaml").read_text(encoding="utf-8")
    file, theirs, mine = sync.conflict_texts(b)
    assert file == "een.yaml" and "Berts versie." in mine and "Anna's versie." in theirs
    assert git(b, "for-each-ref", "refs/beslisboom/conflicts").strip()
    # the curator keeps both ideas: a new save on top of theirs, which pushes cleanly
    opened = store.open_record(b, "een")
    store.save_record(b, record("een", summary="Samen."), expected_digest=opened.digest, author="Bert", message="m")
    sync.resolve_conflict(b)
    assert "Samen." in remote_file(remote, "een.yaml") and sync.conflict_texts(b) is None


def test_an_unreachable_remote_keeps_the_change_pending_and_retries(hosts):
    remote, a, _ = hosts
    away = remote.with_name("remote-weg.git")
    remote.rename(away)
    save(a, record("een", summary="Offline."), "Anna")  # the save itself succeeds
    s = sync.state(a)
    assert s.pending == 1 and s.last_error
    assert "Offline." in (a / "een.yaml").read_text(encoding="utf-8")
    s = sync.pull(a)  # a pull while offline: the fetch error is kept, nothing is lost
    assert s.pending == 1 and s.last_error
    away.rename(remote)
    s = sync.pull(a)  # the next pull (or save) pushes what was pending
    assert s.pending == 0 and not s.last_error
    assert "Offline." in remote_file(remote, "een.yaml")


def test_switched_off_nothing_is_pushed(hosts, monkeypatch):
    remote, a, _ = hosts
    monkeypatch.delenv(sync.ENV)
    save(a, record("een", summary="Alleen lokaal."), "Anna")
    assert sync.state(a).remote is None
    with pytest.raises(subprocess.CalledProcessError):
        remote_file(remote, "een.yaml")


def test_without_a_remote_nothing_changes(bank_dir):
    git(bank_dir, "init", "-q")
    assert sync.upstream(bank_dir) is None and sync.state(bank_dir).remote is None
    store.save_record(bank_dir, record("een"), expected_digest=None, author="Anna", message="m")
    assert sync.pull(bank_dir).remote is None
