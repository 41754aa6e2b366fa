from __future__ import annotations

from urllib.parse import parse_qsl

from tree import load_databank
from tree.links import parse_params, to_query

TAX = load_databank().taxonomy


def test_parse_contract_example():
    link = parse_params(
        {
            "doelgroep": "ouderen",
            "thema": "eenzaamheid,armoede-schulden",
            "meten": "effect-client",
            "gegevens": "cijfers",
            "uitvoering": "zelf",
        },
        TAX,
    )
    assert link.answers == {
        "doelgroep": ["ouderen"],
        "thema": ["eenzaamheid", "armoede-schulden"],
        "meten": ["effect-client"],
        "gegevens": ["cijfers"],
        "uitvoering": ["zelf"],
    }
    assert link.unknown == []
    assert link.has_answers


def test_unknown_ids_and_params_are_reported_not_raised():
    link = parse_params({"doelgroep": "ouderen,aliens", "smaak": "zoet", "thema": ""}, TAX)
    assert link.answers["doelgroep"] == ["ouderen"]
    assert ("doelgroep", "aliens") in link.unknown
    assert ("smaak", "zoet") in link.unknown


def test_single_choice_question_keeps_first_and_reports_rest():
    link = parse_params({"gegevens": "cijfers,verhalen"}, TAX)
    assert link.answers["gegevens"] == ["cijfers"]
    assert link.unknown == [("gegevens", "verhalen")]


def test_extras_are_kept_and_duplicates_dropped():
    link = parse_params(
        {"vraag": "Worden ouderen minder eenzaam?", "lang": "en", "thema": ["eenzaamheid", "eenzaamheid"]}, TAX
    )
    assert link.extras == {"vraag": "Worden ouderen minder eenzaam?", "lang": "en"}
    assert link.answers["thema"] == ["eenzaamheid"]


def test_round_trip():
    answers = {
        "doelgroep": ["ouderen", "mantelzorgers"],
        "thema": [],
        "meten": ["effect-client"],
        "gegevens": ["beide"],
        "uitvoering": [],
    }
    query = to_query(answers, vraag="Wat werkt?")
    assert query.startswith("doelgroep=ouderen,mantelzorgers&meten=effect-client&gegevens=beide")
    back = parse_params(dict(parse_qsl(query)), TAX)
    assert back.answers == answers
    assert back.extras["vraag"] == "Wat werkt?"


# --- hostile links (issue 14): one parser with limits; nothing raises ---------------------------


def test_step_accepts_ascii_digits_only():
    for raw in ("²", "①", "٣", "9" * 5000, "-1", "1.0", " 2"):
        link = parse_params({"stap": raw}, TAX)
        assert link.step is None
        assert link.unknown and link.unknown[0][0] == "stap"
        assert len(link.unknown[0][1]) <= 40  # the notice never repeats a huge value
    assert parse_params({"stap": "3"}, TAX).step == 3


def test_question_is_one_plain_line_cut_to_length():
    link = parse_params({"vraag": "Hoe\u2028gaat\u0085het?\n" + "x" * 5000}, TAX)
    q = link.extras["vraag"]
    assert len(q) <= 500 and q.endswith("…")
    assert q.startswith("Hoe gaat het? ")
    assert "\u2028" not in q and "\u0085" not in q and "\n" not in q


def test_limits_on_count_length_and_charset():
    many = {f"p{i}": "x" for i in range(200)}
    link = parse_params(many, TAX)
    assert len(link.unknown) <= 25
    link = parse_params({"thema": ",".join(["eenzaamheid"] * 500 + ["<script>"])}, TAX)
    assert link.answers["thema"] == ["eenzaamheid"]
    link = parse_params({"vergelijk": "djg-11,../../etc/passwd,A B"}, TAX)
    assert link.ids("vergelijk") == ["djg-11"]
    assert ("vergelijk", "../../etc/passwd") in link.unknown
    assert parse_params({"lang": "de"}, TAX).extras.get("lang") is None
    assert parse_params({"kamer": "ABCD-EFGH"}, TAX).extras["kamer"] == "ABCD-EFGH"
    assert "kamer" not in parse_params({"kamer": "<b>"}, TAX).extras


def test_platform_parameters_are_not_reported():
    assert parse_params({"embed": "true"}, TAX).unknown == []
