"""The instrument's own page: every fact in one table with a header over each column."""

from __future__ import annotations

from tests.conftest import ROOT

from .conftest import open_app, texts

DETAIL = str(ROOT / "pages" / "instrument.py")


def test_the_facts_table_names_both_columns_and_says_how_the_score_reads():
    at = open_app(DETAIL, id="djg-11")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "| Gegeven | Waarde |" in shown
    assert "| Zo leest u de score | van 0 tot 11; een hogere score is slechter." in shown
    assert "| Aantal vragen of onderdelen | 11 |" in shown
    english = texts(open_app(DETAIL, id="djg-11", lang="en"))
    assert "| Fact | Value |" in english and "| How to read the score | from 0 to 11" in english
