"""tree.curate.history: every save is recorded (git commit or _history.jsonl), can be listed and restored."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import tree
from tree.curate import history, store
from tree.databank import QUESTIONS_FILE
from tree.yamlio import load_plain

from .conftest import record

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(params=["git", "jsonl"])
def bank(request, bank_dir: Path) -> Path:
    """The same tests run against a fresh git repository and against a plain folder."""
    if request.param == "git":
        if shutil.which("git") is None:
            pytest.skip("git not installed")
        _git(bank_dir, "init", "-q")
        _git(bank_dir, "config", "user.name", "Test Runner")
        _git(bank_dir, "config", "user.email", "runner@example.org")
        _git(bank_dir, "config", "commit.gpgsign", "false")
        _git(bank_dir, "add", QUESTIONS_FILE)
        _git(bank_dir, "commit", "-q", "-m", "begin")
    return bank_dir


def _save_three(bank: Path) -> list[str]:
    d = store.save_record(bank, record("abc"), expected_digest=None, author="Jan", message="Nieuw record")
    d = store.save_record(bank, record("abc", summary="Twee."), expected_digest=d, author="Piet", message="Tekst")
    store.save_record(bank, record("abc", summary="Drie."), expected_digest=d, author="Kim", message="Weer")
    return ["Kim", "Piet", "Jan"]


def test_log_shows_author_and_message_newest_first(bank):
    authors = _save_three(bank)
    entries = history.log(bank, "abc.yaml")
    assert [e.author for e in entries] == authors
    assert [e.message for e in entries] == ["Weer", "Tekst", "Nieuw record"]
    assert all(e.time.tzinfo is not None for e in entries)
    assert history.log(bank, "other.yaml") == []


def test_text_at_gives_each_version(bank):
    _save_three(bank)
    newest, middle, first = history.log(bank, "abc.yaml")
    assert load_plain(history.text_at(bank, "abc.yaml", first.id))["summary"] == "Een testrecord."
    assert load_plain(history.text_at(bank, "abc.yaml", middle.id))["summary"] == "Twee."
    assert history.text_at(bank, "abc.yaml", newest.id) == (bank / "abc.yaml").read_text(encoding="utf-8")


def test_restore_brings_back_earlier_text_and_is_logged(bank):
    _save_three(bank)
    first = history.log(bank, "abc.yaml")[-1]
    store.restore(bank, "abc.yaml", first.id, author="Sanne")
    assert (bank / "abc.yaml").read_text(encoding="utf-8") == history.text_at(bank, "abc.yaml", first.id)
    assert tree.load_databank(bank).instruments["abc"].summary == "Een testrecord."
    latest = history.log(bank, "abc.yaml")[0]
    assert latest.author == "Sanne" and len(history.log(bank, "abc.yaml")) == 4
    assert "abc.yaml" in latest.message


def test_restore_of_a_version_that_no_longer_validates_is_refused(bank):
    d = store.save_record(bank, record("abc", doelgroep=["ouderen"]), expected_digest=None, author="Jan", message="1")
    store.save_record(bank, record("abc"), expected_digest=d, author="Jan", message="2")
    old = history.log(bank, "abc.yaml")[-1]
    # the option 'ouderen' is removed since (nothing uses it now)
    opened = store.open_file(bank, QUESTIONS_FILE)
    data = load_plain(opened.text)
    q = data["questions"][0]
    q["options"] = [o for o in q["options"] if o["id"] != "ouderen"]
    store.save_taxonomy(bank, data, expected_digest=opened.digest, author="Kim", message="ouderen weg")
    current = (bank / "abc.yaml").read_bytes()
    with pytest.raises(store.ValidationFailed) as info:
        store.restore(bank, "abc.yaml", old.id, author="Sanne")
    assert any("ouderen" in p.message for p in info.value.problems)
    assert (bank / "abc.yaml").read_bytes() == current
    assert len(history.log(bank, "abc.yaml")) == 2


def test_multi_file_change_is_one_entry(bank):
    store.commit(
        bank,
        {
            "abc.yaml": store.FileChange(store.render_record(record("abc")), None),
            "def.yaml": store.FileChange(store.render_record(record("def")), None),
        },
        author="Kim",
        message="Import",
    )
    (a,) = history.log(bank, "abc.yaml")
    (b,) = history.log(bank, "def.yaml")
    assert a.id == b.id and a.message == "Import"


def test_unknown_entry_id_is_an_error(bank):
    store.save_record(bank, record("abc"), expected_digest=None, author="Jan", message="1")
    with pytest.raises(history.HistoryError):
        history.text_at(bank, "abc.yaml", "0" * 32)


# --- back-end specifics -------------------------------------------------------------------------


@needs_git
def test_git_commits_only_the_changed_files_with_the_curator_as_author(bank_dir):
    _git(bank_dir, "init", "-q")
    _git(bank_dir, "config", "user.name", "Test Runner")
    _git(bank_dir, "config", "user.email", "runner@example.org")
    (bank_dir / "notes.txt").write_text("half werk\n", encoding="utf-8")
    _git(bank_dir, "add", "notes.txt")  # staged by someone else: must not ride along
    store.save_record(bank_dir, record("abc"), expected_digest=None, author="Jan Jansen", message="Nieuw: abc")
    store.save_record(
        bank_dir, record("def"), expected_digest=None, author="Piet <piet@movisie.nl>", message="Nieuw: def"
    )
    assert _git(bank_dir, "show", "--name-only", "--format=", "HEAD").split() == ["def.yaml"]
    assert _git(bank_dir, "show", "--name-only", "--format=", "HEAD~1").split() == ["abc.yaml"]
    assert _git(bank_dir, "log", "-1", "--format=%an <%ae>|%s", "HEAD~1").strip() == (
        "Jan Jansen <jan-jansen@curator.local>|Nieuw: abc"
    )
    assert _git(bank_dir, "log", "-1", "--format=%an <%ae>").strip() == "Piet <piet@movisie.nl>"
    status = _git(bank_dir, "status", "--porcelain").splitlines()
    assert "A  notes.txt" in status  # still staged, not committed
    assert not any("abc.yaml" in s or "def.yaml" in s for s in status)
    assert not (bank_dir / history.HISTORY_FILE).exists()


def test_jsonl_is_append_only_with_full_texts(bank_dir):
    store.save_record(bank_dir, record("abc"), expected_digest=None, author="Jan", message="1")
    path = bank_dir / history.HISTORY_FILE
    first = path.read_bytes()
    store.commit(bank_dir, {"abc.yaml": store.FileChange(None, store.ANY)}, author="Kim", message="weg")
    assert path.read_bytes().startswith(first)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [set(e) for e in lines] == [{"id", "time", "author", "message", "files"}] * 2
    assert lines[0]["files"]["abc.yaml"] == store.render_record(record("abc"))
    assert lines[1]["files"] == {"abc.yaml": None}
    assert history.text_at(bank_dir, "abc.yaml", lines[1]["id"]) is None
    # the loader never takes the history for an instrument
    assert not tree.load_databank(bank_dir).problems
