"""The comparison table's HTML: every cell says which instrument it is about, and nothing is unescaped."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd

import tree
from tree import describe as d
from ui.compare_table import CSS, compare_html

BANK = tree.load_databank()


def test_one_column_per_instrument_and_every_cell_labelled_with_it():
    frame = d.compare_table(BANK, ["djg-11", "djg-6"], "nl")
    html = compare_html(frame, caption="Instrumenten vergelijken")
    heads = [unescape(h) for h in re.findall(r'<th scope="col">([^<]+)</th>', html)]
    assert heads == list(frame.columns) and len(heads) == 2
    facts = [unescape(f) for f in re.findall(r'<th scope="row">([^<]+)</th>', html)]
    assert facts == list(frame.index) and "Afnametijd" in facts
    labels = [unescape(n) for n in re.findall(r'<td data-label="([^"]+)">', html)]
    assert labels == heads * len(facts)  # on a phone each value says whose it is
    assert 'aria-label="Instrumenten vergelijken"' in html


def test_links_are_clickable_and_text_is_escaped():
    frame = pd.DataFrame(
        {'<b>"A"</b>': {"Waar te krijgen": "https://example.org/a?x=1&y=2", "Kosten": "<script>x</script>"}}
    )
    html = compare_html(frame)
    assert '<a href="https://example.org/a?x=1&amp;y=2" target="_blank" rel="noopener">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and 'data-label="&lt;b&gt;&quot;A&quot;&lt;/b&gt;"' in html


def test_the_phone_layout_stacks_below_640_px():
    assert "@media (max-width: 640px)" in CSS and "content: attr(data-label)" in CSS


def test_the_score_reading_is_compared_and_the_review_date_comes_last():
    frame = d.compare_table(BANK, ["djg-11", "djg-6"], "nl")
    rows = list(frame.index)
    assert rows[-1] == "Laatst gecontroleerd"
    assert rows.index("Thema's") < rows.index("Zo leest u de score") < rows.index("Waar te krijgen")
    djg = frame[d.name_with_abbreviation(BANK.instruments["djg-11"], "nl")]
    assert djg["Zo leest u de score"].startswith("van 0 tot 11; een hogere score is slechter.")
    english = d.compare_table(BANK, ["djg-11"], "en")
    assert english.iloc[:, 0]["How to read the score"].startswith("from 0 to 11; a higher score is worse.")


def test_the_caveats_of_the_cards_are_a_row_of_their_own():
    satisfaction = next(i for i in BANK.active if "ervaring" in i.meten and "effect-client" not in i.meten)
    frame = d.compare_table(BANK, ["djg-11", satisfaction.id], "nl")
    row = frame.loc["Let op"]
    assert row.iloc[0] == "—"
    assert "tevredenheid" in row.iloc[1].lower() or "geen effect" in row.iloc[1].lower()


def test_a_method_has_no_questions_or_minutes_rather_than_unknown_ones():
    facts = dict(d.facts(BANK, BANK.instruments["mkba"], "nl"))
    assert facts["Aantal vragen of onderdelen"] == "n.v.t." and facts["Afnametijd"] == "n.v.t."
    assert "de methode zelf" in facts["Kosten"]
    scale = dict(d.facts(BANK, BANK.instruments["djg-11"], "nl"))
    assert scale["Afnametijd"] == "onbekend"  # a questionnaire's unknown stays unknown


def test_a_name_that_ends_in_its_own_abbreviation_gets_no_second_one():
    cbcl = BANK.instruments["cbcl-6-18"]
    assert d.name_with_abbreviation(cbcl, "nl") == "Child Behavior Checklist 6-18 (CBCL)"
    # an English abbreviation of its own, found as a word ("PAR" is not in "participatory")
    pao = BANK.instruments["participatief-actieonderzoek"]
    assert d.name_with_abbreviation(pao, "en") == "Participatory action research (PAR)"
    assert d.name_with_abbreviation(pao, "nl") == "Participatief actieonderzoek (PAO)"
    # a bracket that is a gloss, not an abbreviation, keeps the abbreviation after it
    assert d.name_with_abbreviation(BANK.instruments["swls"], "nl").endswith("(Tevredenheid met het leven) (SWLS)")
