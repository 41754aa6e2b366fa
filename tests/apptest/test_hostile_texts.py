"""Curator texts and taxonomy labels show as plain text on every public page (issue 14)."""

from __future__ import annotations

import re

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, record, write_record
from tree.databank import DEFAULT_PATH, QUESTIONS_FILE

from .conftest import raw_markdown, texts

EVIL = "[klik hier](https://e.vil/phish) ![pixel](https://e.vil/t.png) <b>vet</b> www.e.vil"
# an unescaped link, image, tag or autolink to the planted address
PLANTED = re.compile(r"(?<!\\)(?:\]\(https://e\.vil|!\[|<b>|www\.e\.vil|https://e\.vil)")


@pytest.fixture
def hostile_bank(tmp_path, monkeypatch):
    folder = tmp_path / "instruments"
    folder.mkdir()
    questions = yaml.safe_load((DEFAULT_PATH / QUESTIONS_FILE).read_text(encoding="utf-8"))
    for q in questions["questions"]:
        if q["id"] == "doelgroep":
            for o in q["options"]:
                if o["id"] == "ouderen":
                    o["label"]["nl"] = "Ouderen " + EVIL
                    o["explanation"]["nl"] = "Uitleg " + EVIL
    (folder / QUESTIONS_FILE).write_text(yaml.safe_dump(questions, allow_unicode=True), encoding="utf-8")
    for iid in ("boos-een", "boos-twee"):
        write_record(
            folder,
            record(
                iid, name=f"Naam {EVIL}", summary=f"Samenvatting {EVIL}", measures=f"Meet {EVIL}",
                administered_by=f"Afname {EVIL}", doelgroep=["ouderen"], quality_note=f"Kwaliteit {EVIL}",
                sources=[{"title": f"Bron {EVIL}", "url": "https://example.org/bron"}],
            ),
        )
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(folder))
    return folder


def _open(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("app.py", {"doelgroep": "ouderen"}),  # results: cards, answers, bundles
        ("app.py", {"stap": "1"}),  # the question with its options and explanations
        ("pages/instrument.py", {"id": "boos-een"}),
        ("pages/presenter.py", {"doelgroep": "ouderen", "stap": "1"}),
        ("pages/presenter.py", {"doelgroep": "ouderen", "stap": "6"}),
    ],
)
def test_planted_markdown_never_renders(hostile_bank, path, params):
    at = _open(path, **params)
    raw = raw_markdown(at) + "\n".join(str(o) for p in at.get("button_group") for o in p.proto.options)
    assert not PLANTED.findall(raw), PLANTED.findall(raw)[:5]
    assert "Naam [klik hier](https://e.vil/phish)" in texts(at) or path != "pages/instrument.py"


def test_the_compare_table_escapes_html(hostile_bank):
    at = _open("pages/vergelijken.py", vergelijk="boos-een,boos-twee")
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "<b>vet</b>" not in html and "&lt;b&gt;vet&lt;/b&gt;" in html
