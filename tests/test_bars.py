"""The projector's HTML bars: readable text, escaped labels, widths relative to the maximum."""

from __future__ import annotations

import re

from ui.bars import bars


def widths(html: str) -> list[float]:
    return [float(w) for w in re.findall(r"width:([\d.]+)%", html)]


def test_bars_scale_to_the_largest_count_and_bold_the_winner():
    html = bars([("Ouderen", 6), ("Jongeren", 3), ("Weet ik niet", 0)])
    assert widths(html) == [100.0, 50.0, 0.0]
    assert re.findall(r'<li( class="top")?><span class="label">([^<]+)</span>', html) == [
        (' class="top"', "Ouderen"), ("", "Jongeren"), ("", "Weet ik niet"),
    ]
    assert [int(n) for n in re.findall(r'<span class="n">(\d+)</span>', html)] == [6, 3, 0]


def test_a_funnel_keeps_its_first_bar_as_the_whole_and_has_no_winner():
    rows = [("Alle instrumenten", 68), ("Doelgroep: Ouderen", 48), ("Thema: Eenzaamheid", 17)]
    html = bars(rows, maximum=68, highlight_top=False, compact=True)
    assert widths(html) == [100.0, 70.6, 25.0]
    assert 'class="top"' not in html and html.startswith('<ul class="bars compact"')


def test_ties_are_all_bold_and_no_votes_bolds_nothing():
    assert bars([("a", 2), ("b", 2), ("c", 1)]).count('class="top"') == 2
    html = bars([("a", 0), ("b", 0)])
    assert 'class="top"' not in html and widths(html) == [0.0, 0.0]


def test_labels_are_escaped():
    html = bars([('<img src=x onerror="alert(1)">', 1)], label='Stemmen "zaal"')
    assert "<img" not in html and "&lt;img" in html
    assert 'aria-label="Stemmen &quot;zaal&quot;"' in html
