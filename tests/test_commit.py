"""The one write path (issue 13): a kill at any point leaves the old state without an entry or the
new state with its entry; planted links and bad texts are refused before anything is written."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tree.curate import history, store
from tree.curate.commit import JOURNAL, recover

from .conftest import ROOT, record

ROUNDS = int(os.environ.get("BESLISBOOM_KILL_ROUNDS", "30"))

#: A writer that keeps saving abc.yaml with the next version number until it is killed.
WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from tree.curate import store
    from tree.yamlio import load_plain
    from tests.conftest import record
    bank = {bank!r}
    while True:
        opened = store.open_record(bank, "abc")
        n = int(load_plain(opened.text)["items"])
        store.save_record(bank, record("abc", items=n + 1), expected_digest=opened.digest,
                          author="Kill Test", message=f"ronde {{n + 1}}")
    """
)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(params=["git", "jsonl"])
def bank(request, bank_dir: Path) -> Path:
    if request.param == "git":
        _git(bank_dir, "init", "-q")
        _git(bank_dir, "config", "user.name", "Test Runner")
        _git(bank_dir, "config", "user.email", "runner@example.org")
        _git(bank_dir, "add", "-A")
        _git(bank_dir, "commit", "-q", "-m", "begin")
    store.save_record(bank_dir, record("abc", items=1), expected_digest=None, author="Jan", message="ronde 1")
    return bank_dir


def _state(bank: Path) -> tuple[int, list[str]]:
    """(items in abc.yaml, messages of its history entries newest first)."""
    from tree.yamlio import load_plain

    n = int(load_plain((bank / "abc.yaml").read_text(encoding="utf-8"))["items"])
    return n, [e.message for e in history.log(bank, "abc.yaml")]


def test_a_kill_at_any_point_leaves_old_without_entry_or_new_with_entry(bank):
    """Kill a writing process at random moments; after recovery every version has exactly one entry."""
    rng = random.Random(13)
    script = WRITER.format(root=str(ROOT), bank=str(bank))
    rolled_forward = 0
    for _ in range(ROUNDS):
        proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.35, 0.9))  # start-up takes ~0.3 s; then it saves as fast as it can
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        pending = (bank / JOURNAL).exists()
        recover(bank)
        rolled_forward += pending
        n, messages = _state(bank)
        # every version 1..n was recorded once, newest first, and no version beyond n was recorded
        assert messages == [f"ronde {k}" for k in range(n, 0, -1)], (n, messages[:5])
        assert not (bank / JOURNAL).exists()
        assert not [p for p in bank.iterdir() if p.name.endswith(".tmp")]
    assert _state(bank)[0] > ROUNDS  # the writer did get work done between kills
    print(f"kill test ({bank.name}): {ROUNDS} kills, {rolled_forward} rolled forward from the journal")


def test_a_journal_left_by_a_kill_is_rolled_forward_once(bank):
    """The moment after the commit point: files half renamed, no history yet."""
    new = store.render_record(record("abc", items=2))
    opened = store.open_record(bank, "abc")
    (bank / JOURNAL).write_text(
        '{"id": "0123456789abcdef0123456789abcdef", "author": "Kim", "message": "ronde 2", '
        '"time": "2026-12-04T00:00:00+00:00", "files": {"abc.yaml": ' + __import__("json").dumps(new) + "}}",
        encoding="utf-8",
    )
    assert store.open_record(bank, "abc").digest == opened.digest  # not yet renamed
    recover(bank)
    recover(bank)  # twice: still one entry
    assert _state(bank) == (2, ["ronde 2", "ronde 1"])


def test_a_planted_history_link_refuses_the_save_and_appends_nothing_outside(bank_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elders") / "gestolen.jsonl"
    outside.write_text("", encoding="utf-8")
    (bank_dir / history.HISTORY_FILE).symlink_to(outside)
    with pytest.raises(history.HistoryError):
        store.save_record(bank_dir, record("abc"), expected_digest=None, author="Jan", message="nieuw")
    assert outside.read_text(encoding="utf-8") == ""
    assert not (bank_dir / "abc.yaml").exists()  # refused before anything was written


def test_a_planted_journal_link_is_never_followed(bank_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elders") / "journal.json"
    outside.write_text('{"id": "x", "files": {"abc.yaml": "id: abc"}}', encoding="utf-8")
    (bank_dir / JOURNAL).symlink_to(outside)
    store.save_record(bank_dir, record("abc"), expected_digest=None, author="Jan", message="nieuw")
    assert outside.exists() and not (bank_dir / JOURNAL).exists()
    assert "Een testrecord." in (bank_dir / "abc.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"id": "a" * 300}, "id"),
        ({"summary": "Een\x85twee"}, "summary"),
        ({"name": "Naam\u2028met scheiding"}, "name"),
        ({"sources": [{"title": "Bron\x00", "url": "https://example.org"}]}, "sources[0].title"),
    ],
)
def test_bad_ids_and_control_characters_are_located_refusals(bank_dir, fields, where):
    rec = {**record("abc"), **fields}
    with pytest.raises(store.ValidationFailed) as err:
        store.save_record(bank_dir, rec, expected_digest=None, author="Jan", message="nieuw")
    assert where in {p.field for p in err.value.problems}, err.value.problems
    assert not any(bank_dir.glob("*.tmp"))
