"""The facilitator's presenter view and a participant's phone, in-process."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import tree
from tree import load_databank
from tree.databank import DEFAULT_PATH
from tree.workshop import backend, rooms

from .conftest import open_app, shown, texts

PRESENTER = str(DEFAULT_PATH.parent / "pages" / "presenter.py")
PHONE = str(DEFAULT_PATH.parent / "pages" / "kamer.py")


@pytest.fixture
def room_db(tmp_path, monkeypatch):
    monkeypatch.setenv("BESLISBOOM_ROOMS_DB", str(tmp_path / "rooms.sqlite3"))
    return backend.default_store()


def presenter(**params: str) -> AppTest:
    return open_app(PRESENTER, **params)


def pills(at: AppTest, qid: str):
    return next(b for b in at.get("button_group") if b.key == f"pp:{qid}")


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def test_next_back_and_reset(room_db):
    at = presenter()
    assert shown(at.title[0].value) == "Beslisboom effectmeting — workshop"
    click(at, "p_next")
    assert shown(at.title[0].value) == "Doelgroep"
    pills(at, "doelgroep").select("ouderen").run()
    assert at.session_state.answers["doelgroep"] == ["ouderen"]
    n = tree.count_fitting(tree.load_databank(), {"doelgroep": ["ouderen"]})
    assert f"Nog {n} instrumenten passen" in "\n".join(str(h.proto.body) for h in at.get("html"))
    click(at, "p_next")
    assert shown(at.title[0].value) == "Inhoudelijk thema"
    click(at, "p_back")
    assert pills(at, "doelgroep").value == ["ouderen"]
    click(at, "p_reset")
    assert shown(at.title[0].value) == "Beslisboom effectmeting — workshop"
    assert at.session_state.answers["doelgroep"] == []


def test_a_reload_keeps_the_room_but_the_public_code_alone_does_not(room_db):
    at = presenter()
    click(at, "open_room")
    click(at, "p_next")
    code, key = at.session_state.room_code, at.session_state.room_host_key
    assert at.query_params["kamer"] == code and at.query_params["sleutel"] == key
    # F5 on the projector: a new session with the same address keeps the room (and its phones)
    reloaded = presenter(stap="1", kamer=code, sleutel=key)
    assert reloaded.session_state.room_code == code
    assert rooms.format_code(code) in "\n".join(str(h.proto.body) for h in reloaded.get("html"))
    click(reloaded, "p_next")
    assert room_db.get(code).step == 2  # the phones follow the reloaded projector
    # a participant who knows the code from the screen cannot take over the projector
    intruder = presenter(stap="1", kamer=code, sleutel="geraden")
    assert "room_code" not in intruder.session_state
    assert any("hoort niet bij de begeleider" in w.value for w in intruder.warning)
    click(intruder, "p_next")
    assert room_db.get(code).step == 2


def test_opens_from_a_shared_link(room_db):
    at = presenter(doelgroep="ouderen", thema="eenzaamheid", stap="3")
    assert shown(at.title[0].value) == "Wat wilt u meten?"
    graph = at.get("graphviz_chart")[0].proto.spec
    assert '"o:doelgroep:ouderen"' in graph and '"q:meten"' in graph


def test_results_step_shows_advice_funnel_and_walk_qr(room_db):
    at = presenter(doelgroep="ouderen", thema="eenzaamheid")
    assert shown(at.title[0].value) == "Advies"
    assert "De Jong Gierveld Eenzaamheidsschaal (11 items)" in texts(at)
    assert any("doelgroep=ouderen" in c.value for c in at.code)  # the link the QR code carries
    assert at.get("image")


def test_room_votes_are_shown_and_followed(room_db):
    at = presenter(stap="1")
    click(at, "open_room")
    code = at.session_state.room_code
    room = room_db.get(code)
    assert room.step == 1
    taxonomy = load_databank().taxonomy
    for answer in ("jeugd", "jeugd", "ouderen"):
        room_db.vote(code, room_db.join(code), "doelgroep", answer, taxonomy=taxonomy)
    at.run()
    assert "De zaal — gestemd: 3 van 3" in texts(at)
    tally = next(h.proto.body for h in at.get("html") if 'aria-label="De zaal' in h.proto.body)
    rows = re.findall(r'class="label">([^<]+)</span>.*?class="n">(\d+)<', tally)
    assert rows == [("Kinderen en jeugd", "2"), ("Ouderen", "1")]  # the tree's order, counted once each
    click(at, "follow:doelgroep")
    assert at.session_state.answers["doelgroep"] == ["jeugd"]
    assert room_db.get(code).answers["doelgroep"] == ["jeugd"]
    click(at, "p_next")
    assert room_db.get(code).step == 2


def test_participant_joins_votes_changes_vote_and_sees_advice(room_db):
    code = room_db.create().code
    phone = AppTest.from_file(PHONE, default_timeout=30)
    phone.query_params["code"] = rooms.format_code(code)
    phone.run()
    click(phone, "p_join")
    assert "Even wachten" in texts(phone)
    room_db.set_step(code, 1)
    phone.run()
    click(phone, "v:doelgroep:ouderen")
    click(phone, "v:doelgroep:jeugd")  # changed my mind: counted once
    assert room_db.tally(code, "doelgroep") == {"jeugd": 1}
    assert "✓ Kinderen en jeugd" in [b.label for b in phone.button]
    taxonomy = load_databank().taxonomy
    room_db.follow(code, "doelgroep", ["ouderen"], taxonomy=taxonomy)
    room_db.follow(code, "thema", ["eenzaamheid"], taxonomy=taxonomy)
    room_db.set_step(code, 6)
    phone.run()
    assert "Advies" in [h.value for h in phone.header]
    assert "De Jong Gierveld Eenzaamheidsschaal (11 items)" in texts(phone)
    # what the room chose, and the wizard's own link to take the advice home (PDF, compare)
    assert "**Doelgroep:** Ouderen" in texts(phone) and "**Inhoudelijk thema:** Eenzaamheid" in texts(phone)
    link = phone.get("link_button")[0].proto.url
    assert link.endswith("/?doelgroep=ouderen&thema=eenzaamheid")


def test_a_phone_says_when_the_room_chose_nothing(room_db):
    code = room_db.create().code
    phone = AppTest.from_file(PHONE, default_timeout=30)
    phone.query_params["code"] = code
    phone.run()
    click(phone, "p_join")
    room_db.set_step(code, 6)
    phone.run()
    assert any("bij geen enkele vraag een antwoord gekozen" in i.value for i in phone.info)
    assert phone.get("link_button")[0].proto.url.endswith("/")


def phone_at(code: str, **params: str) -> AppTest:
    """A phone opening the room's link (a new session; ``params`` as a reloaded address has them)."""
    phone = AppTest.from_file(PHONE, default_timeout=30)
    phone.query_params["code"] = code
    for key, value in params.items():
        phone.query_params[key] = value
    return phone.run()


def voted_ouderen(room_db) -> tuple[str, AppTest]:
    """A room at the first question and one joined phone that tapped Ouderen."""
    code = room_db.create().code
    room_db.set_step(code, 1)
    phone = phone_at(code)
    click(phone, "p_join")
    click(phone, "v:doelgroep:ouderen")
    return code, phone


def test_a_reloaded_phone_stays_the_same_participant(room_db):
    code, phone = voted_ouderen(room_db)
    token = phone.query_params["deelnemer"]
    assert phone.query_params["code"] == code and token == phone.session_state.p_token
    # the browser drops the tab and loads the address again: a new session, the same person
    again = phone_at(code, deelnemer=token)
    assert "✓ Ouderen" in [b.label for b in again.button]
    click(again, "v:doelgroep:jeugd")
    assert room_db.tally(code, "doelgroep") == {"jeugd": 1} and room_db.participants(code) == 1
    # a token that is not in this room gets the ordinary join form
    stranger = phone_at(code, deelnemer="verzonnen")
    assert "p_token" not in stranger.session_state and stranger.button(key="p_join")


def test_a_new_walk_clears_the_phones_ticks(room_db):
    code, phone = voted_ouderen(room_db)
    assert "✓ Ouderen" in [b.label for b in phone.button]
    room_db.reset(code)  # the facilitator's "Nieuwe ronde"
    phone.run()
    assert "Even wachten" in texts(phone)
    room_db.set_step(code, 1)
    phone.run()
    labels = [b.label for b in phone.button]
    assert "Ouderen" in labels and not any(label.startswith("✓") for label in labels)
    assert "U hebt gestemd" not in texts(phone)


@pytest.mark.parametrize(
    ("entered", "message"), [("ZZZZ-ZZZZ", "Deze code kennen we niet"), ("kort", "Deze code kennen we niet")]
)
def test_unknown_code_gets_a_clear_message(room_db, entered, message):
    phone = AppTest.from_file(PHONE, default_timeout=30)
    phone.run()
    phone.text_input(key="p_code_input").input(entered).run()
    click(phone, "p_join")
    assert any(message in e.value for e in phone.error)


def test_expired_room_says_it_ended(room_db):
    import datetime as dt

    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    code = room_db.create(now=long_ago).code
    phone = AppTest.from_file(PHONE, default_timeout=30)
    phone.query_params["code"] = code
    phone.run()
    click(phone, "p_join")
    assert any("Deze kamer is gesloten" in e.value for e in phone.error)


def test_a_capped_room_tells_the_next_phone_it_is_full(room_db):
    at = presenter()
    click(at, "p_next")
    at.checkbox(key="room_cap_on").check().run()
    at.number_input(key="room_cap").set_value(2).run()
    click(at, "open_room")
    (room,) = room_db_rooms(room_db)
    assert room.max_participants == 2
    assert any("Maximaal 2 deelnemers" in c.value for c in at.caption)
    for _ in range(2):
        click(phone_at(room.code), "p_join")
    third = phone_at(room.code)
    click(third, "p_join")
    assert any("Deze kamer is vol" in e.value for e in third.error)
    assert room_db.participants(room.code) == 2


def room_db_rooms(store):
    with store.db.read() as tx:
        codes = [r[0] for r in tx.all("SELECT code FROM rooms")]
    return [store.get(c) for c in codes]


def test_phones_lead_with_the_tellen_en_vertellen_pair(room_db):
    code = room_db.create().code
    phone = phone_at(code)
    click(phone, "p_join")
    taxonomy = load_databank().taxonomy
    for qid, oids in (("doelgroep", ["ouderen"]), ("thema", ["eenzaamheid"]), ("gegevens", ["beide"])):
        room_db.follow(code, qid, oids, taxonomy=taxonomy)
    room_db.set_step(code, 6)
    phone.run()
    assert "Ons advies: tellen én vertellen" in [shown(s.value) for s in phone.subheader]
    names = [shown(s.value) for s in phone.subheader]
    headline = names.index("Ons advies: tellen én vertellen")
    assert names[headline + 1].startswith("De Jong Gierveld")
