"""Submissions from practice: checked before they are kept, public only after a curator approved them.

The store's contract runs on both backends (SQLite and a real PostgreSQL), like the rooms'.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tree.feedback import guard
from tree.feedback.store import BadDecision, FeedbackStore, NotFound
from tree.feedback.submissions import LONG, Invalid, check, plain_text
from tree.sqldb import PostgresDatabase, SQLiteDatabase
from tree.throttle import RateLimit

KNOWN = {"djg-11", "ucla-loneliness"}
T0 = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def fstore(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeedbackStore]:
    if request.param == "sqlite":
        db = SQLiteDatabase(tmp_path / "app.sqlite3")
    else:
        db = PostgresDatabase(request.getfixturevalue("pg_schema_url"))
    yield FeedbackStore(db)
    db.close()


def experience(**fields) -> dict:
    return {"for_whom": "ouderen in de wijk", "participants": "40", "minutes": "12", "helped": "ja",
            "story": "Het gesprek over de uitslag opende veel.", **fields}


# --- checking what visitors send -----------------------------------------------------------------


def test_a_fault_report_needs_the_fact_and_what_it_should_be():
    sub = check("melding", {"field": "minutes", "should_be": "10 minuten", "source": "handleiding p. 4"},
                instrument="djg-11", known=KNOWN)
    assert sub.fields == {"field": "minutes", "should_be": "10 minuten", "source": "handleiding p. 4"}
    with pytest.raises(Invalid) as err:
        check("melding", {"field": "", "should_be": ""}, instrument="djg-11", known=KNOWN)
    assert err.value.problems == {"field": "required", "should_be": "required"}


def test_markup_is_stripped_to_plain_text():
    assert plain_text("<b>Vet</b> [klik](https://e.vil) ![x](https://e.vil/p.png) tekst", 200) == "Vet klik x tekst"
    assert plain_text("a\u0000b\r\nc", 200) == "a b\nc"
    assert len(plain_text("x" * 5000, LONG)) == LONG


def test_no_personal_data_in_free_text_only_an_optional_email_field():
    for story in ("Mail mevrouw via j.jansen@example.nl", "Bel haar op 06-12345678", "tel +31 6 1234 5678"):
        with pytest.raises(Invalid) as err:
            check("ervaring", experience(story=story), instrument="djg-11", known=KNOWN)
        assert err.value.problems == {"story": "personal_data"}
    ok = check("ervaring", experience(email="teamleider@welzijn.nl"), instrument="djg-11", known=KNOWN)
    assert ok.email == "teamleider@welzijn.nl"
    with pytest.raises(Invalid) as err:
        check("ervaring", experience(email="geen adres"), instrument="djg-11", known=KNOWN)
    assert err.value.problems == {"email": "email"}


def test_numbers_are_checked_and_the_instrument_must_exist():
    with pytest.raises(Invalid) as err:
        check("ervaring", experience(participants="veel", minutes="0", helped="misschien"), instrument="nope",
              known=KNOWN)
    assert err.value.problems == {"instrument": "unknown", "participants": "number", "minutes": "range",
                                  "helped": "unknown"}
    with pytest.raises(Invalid):
        check("onzin", {})


def test_a_proposal_needs_a_name_and_what_it_measures():
    sub = check("voorstel", {"name": "Nieuwe Lijst", "what": "Meet buurtbetrokkenheid", "url": "https://x.nl"},
                instrument="djg-11")
    assert sub.instrument is None and sub.fields["name"] == "Nieuwe Lijst"


def test_rate_limit_per_client(fstore: FeedbackStore, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(guard, "SUBMISSIONS", RateLimit(limit=3, per=3600))
    sub = check("ervaring", experience(), instrument="djg-11", known=KNOWN)
    for _ in range(3):
        guard.submit(fstore, sub, "10.0.0.1")
    with pytest.raises(guard.TooMany):
        guard.submit(fstore, sub, "10.0.0.1")
    guard.submit(fstore, sub, "10.0.0.2")  # another client has its own budget
    assert len(fstore.items()) == 4


# --- the store's contract (both backends) --------------------------------------------------------


def test_nothing_is_public_before_a_curator_approves(fstore: FeedbackStore):
    first = fstore.submit(check("ervaring", experience(), instrument="djg-11", known=KNOWN), now=T0)
    assert fstore.practice("djg-11") is None and fstore.usage() == {}
    fstore.decide(first, "goedkeuren", "anna", now=T0)
    practice = fstore.practice("djg-11")
    assert practice is not None and practice.uses == 1 and practice.median_minutes == 12
    assert practice.quotes == ("Het gesprek over de uitslag opende veel.",)
    rejected = fstore.submit(check("ervaring", experience(story="Onzin"), instrument="djg-11", known=KNOWN))
    fstore.decide(rejected, "afwijzen", "anna", reason="geen ervaring met dit instrument")
    assert fstore.practice("djg-11").uses == 1  # a rejected experience never shows


def test_practice_summary_counts_organisations_and_takes_the_median(fstore: FeedbackStore):
    for minutes, org in ((10, "Welzijn Noord"), (20, "welzijn noord"), (30, ""), (None, "Buurtwerk Zuid")):
        sid = fstore.submit(check("ervaring", experience(minutes=minutes, organisation=org), instrument="djg-11",
                                  known=KNOWN))
        fstore.decide(sid, "goedkeuren", "anna")
    practice = fstore.practice("djg-11")
    assert (practice.uses, practice.organisations, practice.median_minutes) == (4, 3, 20)
    assert len(practice.quotes) == 3
    assert fstore.usage() == {"djg-11": 3}


def test_every_decision_is_kept_and_a_rejection_needs_a_reason(fstore: FeedbackStore):
    sid = fstore.submit(check("melding", {"field": "cost", "should_be": "gratis"}, instrument="djg-11", known=KNOWN))
    with pytest.raises(BadDecision):
        fstore.decide(sid, "afwijzen", "anna", reason="  ")
    fstore.decide(sid, "afwijzen", "anna", reason="bron zegt iets anders", now=T0)
    fstore.decide(sid, "verwerken", "bert", now=T0)  # reconsidered: a later decision, the first one kept
    assert [(d.action, d.curator, d.reason) for d in fstore.decisions(sid)] == [
        ("afwijzen", "anna", "bron zegt iets anders"), ("verwerken", "bert", None)]
    assert fstore.get(sid).status == "verwerkt"


def test_merge_duplicates(fstore: FeedbackStore):
    a = fstore.submit(check("voorstel", {"name": "Lijst A", "what": "x"}))
    b = fstore.submit(check("voorstel", {"name": "Lijst A", "what": "x"}))
    with pytest.raises(BadDecision):
        fstore.decide(b, "samenvoegen", "anna", merged_into=b)
    with pytest.raises(BadDecision):
        fstore.decide(b, "samenvoegen", "anna", merged_into=999)
    merged = fstore.decide(b, "samenvoegen", "anna", merged_into=a)
    assert (merged.status, merged.merged_into) == ("samengevoegd", a)


def test_queue_filters_and_counts(fstore: FeedbackStore):
    fstore.submit(check("melding", {"field": "x", "should_be": "y"}, instrument="djg-11", known=KNOWN))
    e = fstore.submit(check("ervaring", experience(), instrument="ucla-loneliness", known=KNOWN))
    fstore.submit(check("voorstel", {"name": "N", "what": "w"}))
    fstore.decide(e, "goedkeuren", "anna")
    assert [i.kind for i in fstore.items(status="nieuw")] == ["voorstel", "melding"]  # newest first
    assert [i.id for i in fstore.items(instrument="ucla-loneliness")] == [e]
    assert fstore.counts() == {("melding", "nieuw"): 1, ("ervaring", "goedgekeurd"): 1, ("voorstel", "nieuw"): 1}
    with pytest.raises(NotFound):
        fstore.get(12345)


def test_texts_round_trip_with_unicode(fstore: FeedbackStore):
    sid = fstore.submit(check("melding", {"field": "naam", "should_be": "Łódź – “echt” ≥ 3"}, instrument="djg-11",
                              known=KNOWN))
    assert fstore.get(sid).fields["should_be"] == "Łódź – “echt” ≥ 3"
