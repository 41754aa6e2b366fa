"""Any link, however crafted, gives a page and never an exception (issue 14).

A property test over arbitrary query strings against the pages a link can open: the wizard (at
every step), the presenter and the phone's room page.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from .conftest import APP, raw_markdown, shown, texts

#: More examples for a deeper fuzz run: BESLISBOOM_FUZZ_EXAMPLES=500 (the default keeps the suite quick).
EXAMPLES = int(os.environ.get("BESLISBOOM_FUZZ_EXAMPLES", "25"))

KEYS = st.sampled_from(
    ["stap", "vraag", "lang", "vergelijk", "id", "kamer", "sleutel", "code", "deelnemer", "doelgroep", "thema",
     "meten", "gegevens", "uitvoering", "x", "²"]
)
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["²", "①", "9" * 4400, "ouderen,aliens", "<img src=x>", "[a](http://e.vil)", "\u0085", "5"]),
)
QUERIES = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=6),
    st.text(max_size=200).map(lambda q: dict(parse_qsl(q, keep_blank_values=True))),
)


def _run(path: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(path, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES)
def test_any_link_gives_the_wizard_a_page(params):
    at = _run(APP, params)
    assert not at.exception, at.exception
    assert at.title or at.header, "no page drawn"
    assert "Traceback" not in texts(at)


@settings(max_examples=max(1, EXAMPLES * 3 // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES)
def test_any_link_gives_the_presenter_and_room_a_page(params):
    for page in ("pages/presenter.py", "pages/kamer.py"):
        at = _run(str(__import__("pathlib").Path(APP).parent / page), params)
        assert not at.exception, (page, at.exception)
        assert at.title or at.header or at.button, page


def test_crafted_steps_from_the_fuzz_report_do_not_crash():
    for raw in ("²", "①", "4" * 4301):
        at = _run(APP, {"stap": raw})
        assert not at.exception
        assert any("stap" in shown(i.value) for i in at.info), "the ignored step is announced"


def test_question_from_a_link_is_plain_text():
    at = _run(APP, {"doelgroep": "ouderen", "vraag": "Klik [hier](https://e.vil) ![x](https://e.vil/t.png) www.e.vil"})
    raw = next(line for line in raw_markdown(at).splitlines() if "Klik" in line)
    assert "](https" not in raw and "![" not in raw
    assert "www.e.vil" not in raw  # escaped: no bare-URL autolink either
    assert "Klik [hier](https://e.vil)" in texts(at)  # but the reader sees exactly what was typed


def test_all_unknown_answers_land_on_the_start_page_with_a_notice():
    at = _run(APP, {"doelgroep": "aliens", "thema": "sterrenkunde"})
    assert shown(at.title[0].value) == "Welk meetinstrument past bij uw werk?"
    notices = " ".join(shown(i.value) for i in at.info)
    assert "doelgroep=aliens" in notices and "thema=sterrenkunde" in notices
