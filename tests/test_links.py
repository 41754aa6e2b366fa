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
