"""The wizard's nudges: which domain truth, when, and what one click may add (issue 13)."""

from __future__ import annotations

from tree.i18n import t
from tree.nudges import CLIENT_EFFECT, nudges


def keys(qid, chosen):
    return [n.key for n in nudges(qid, chosen)]


def test_satisfaction_is_not_an_effect_offers_to_add_the_effect():
    (n,) = nudges("meten", ["ervaring"])
    assert (n.key, n.level, n.add) == ("satisfaction", "warning", CLIENT_EFFECT)
    # with the effect already chosen the warning stays, the button goes
    (n,) = nudges("meten", ["effect-client", "ervaring"])
    assert n.key == "satisfaction" and n.add is None
    assert keys("meten", ["effect-client"]) == []


def test_many_themes_from_two():
    assert keys("thema", ["eenzaamheid"]) == []
    assert keys("thema", ["eenzaamheid", "armoede-schulden"]) == ["many_themes"]
    assert "2 thema's" in t("nl", "nudge.many_themes", n=2)


def test_numbers_only_suggests_telling_too():
    assert keys("gegevens", ["cijfers"]) == ["tellen_vertellen"]
    assert keys("gegevens", ["beide"]) == [] and keys("gegevens", ["verhalen"]) == []


def test_nudges_only_on_their_own_question():
    assert keys("doelgroep", ["ervaring", "cijfers", "a", "b"]) == []
