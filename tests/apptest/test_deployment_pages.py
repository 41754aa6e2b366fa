"""What a deployment shows: the link to the open data (kept current by a page run), and a curator
workspace closed on purpose."""

from __future__ import annotations

import json

import pytest

from tree import load_databank, opendata
from tree.databank import DEFAULT_PATH

from ..conftest import complete_record, write_record
from .conftest import open_app, texts

CURATOR = str(DEFAULT_PATH.parent / "pages" / "curator.py")


@pytest.fixture
def site(tmp_path, bank_dir, monkeypatch):
    """A small databank of its own, published to a folder of its own (not the repository's static/)."""
    write_record(bank_dir, complete_record("a"))
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(bank_dir))
    monkeypatch.setattr(opendata, "DEFAULT_DIR", tmp_path / "open-data")
    opendata.forget()
    yield tmp_path / "open-data"
    opendata.forget()


def test_a_page_run_publishes_the_open_data_and_links_to_it(site, bank_dir):
    at = open_app()
    version = json.loads((site / opendata.VERSION_FILE).read_text(encoding="utf-8"))
    assert version["databank_version"] == load_databank(bank_dir).version
    links = [str(c.value) for c in at.sidebar.markdown if "Open data" in str(c.value)]
    assert len(links) == 1
    for name in (*opendata.DATA_FILES, opendata.VERSION_FILE):
        assert f"]({opendata.URL_PATH}/{name})" in links[0]  # relative: holds under a baseUrlPath too


def test_the_link_speaks_english_too(site):
    at = open_app(lang="en")
    assert any("the databank as [JSON]" in str(c.value) for c in at.sidebar.markdown)


def test_curator_workspace_closed_on_purpose(site, monkeypatch):
    monkeypatch.setenv("BESLISBOOM_CURATORS", "closed")
    at = open_app(CURATOR)
    shown = texts(at)
    assert "De werkplaats voor curatoren is in deze installatie gesloten." in shown
    assert "hash-password" not in shown  # a decision, not a set-up step: no how-to for visitors
    assert [b.key for b in at.button if b.key] == [] and not at.text_input


def test_closed_on_purpose_wins_over_accounts():
    from tree.curate.auth import config_from, hash_password

    cfg = config_from({"curators": {"users": {"anna": hash_password("x", iterations=1000)}}},
                      {"BESLISBOOM_CURATORS": " Closed "})
    assert cfg.closed and cfg.closed_on_purpose and not cfg.local_users
