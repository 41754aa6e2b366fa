"""The curator workspace through AppTest: the gate, editing, validation, cache refresh."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tree import load_databank
from tree.curate.auth import hash_password
from tree.databank import DEFAULT_PATH

from .conftest import APP, texts

PAGE = str(DEFAULT_PATH.parent / "pages" / "curator.py")
WIZARD = str(DEFAULT_PATH.parent / "pages" / "wizard.py")
WRITE_KEYS = ("ed_save", "ed_retire", "ed_open", "opt_rename", "opt_remove", "imp_apply", "hist_restore")


@pytest.fixture
def bank_copy(tmp_path, monkeypatch):
    """A private copy of the shipped databank, so tests may write to it."""
    folder = tmp_path / "instruments"
    shutil.copytree(DEFAULT_PATH, folder)
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(folder))
    return folder


@pytest.fixture
def curator_env(monkeypatch):
    monkeypatch.setenv("BESLISBOOM_CURATORS", "anna:" + hash_password("geheim", iterations=1000))


def open_page(path: str = PAGE) -> AppTest:
    at = AppTest.from_file(path, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def write_controls(at: AppTest) -> list[str]:
    return [
        w.key for w in [*at.button, *at.text_area, *at.text_input] if w.key in WRITE_KEYS or str(w.key).startswith("f:")
    ]


def sign_in(at: AppTest, name: str = "anna", password: str = "geheim") -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()  # the form's submit button
    return at


def test_closed_without_configuration(bank_copy, monkeypatch):
    monkeypatch.delenv("BESLISBOOM_CURATORS", raising=False)
    at = open_page()
    assert "De werkplaats is gesloten" in texts(at)
    assert "python -m tree hash-password" in texts(at)
    assert write_controls(at) == []
    assert not at.text_input  # not even a login form: there is nobody to log in


def test_anonymous_session_reaches_no_write_path(bank_copy, curator_env):
    at = open_page()
    assert [w.key for w in at.text_input] == ["login_name", "login_password"]
    assert write_controls(at) == []
    assert not at.tabs


def test_wrong_password_is_refused(bank_copy, curator_env):
    at = sign_in(open_page(), password="fout")
    assert "Naam of wachtwoord klopt niet." in [e.value for e in at.error]
    assert write_controls(at) == []
    at = sign_in(open_page(), name="bert", password="geheim")
    assert "Naam of wachtwoord klopt niet." in [e.value for e in at.error]


def test_repeated_wrong_passwords_get_a_clear_wait_message(bank_copy, curator_env, monkeypatch):
    from tree.curate import auth
    from tree.throttle import Backoff

    monkeypatch.setattr(auth, "NAME_BACKOFF", Backoff(free=2, base=30.0, cap=60))
    at = open_page()
    for _ in range(3):
        at = sign_in(at, password="fout")
    at = sign_in(at, password="geheim")  # right now, but the name waits
    assert any("Te veel mislukte pogingen" in e.value for e in at.error)
    assert write_controls(at) == []


def test_sign_in_shows_workspace(bank_copy, curator_env):
    at = sign_in(open_page())
    assert not at.exception, at.exception
    assert "Ingelogd als anna" in texts(at)
    assert len(at.tabs) == 4
    assert "Dekking doelgroep × thema" in texts(at)


def open_record(at: AppTest, iid: str) -> AppTest:
    at.selectbox(key="ed_choice").set_value(iid).run()
    at.button(key="ed_open").click().run()
    assert not at.exception, at.exception
    return at


def test_edit_summary_saves_and_wizard_sees_it_without_restart(bank_copy, curator_env):
    wizard = AppTest.from_file(APP, default_timeout=30)
    wizard.query_params["doelgroep"] = "ouderen"
    wizard.query_params["thema"] = "eenzaamheid"
    wizard.run()
    assert "Nieuwe samenvatting voor de test." not in texts(wizard)

    at = open_record(sign_in(open_page()), "djg-11")
    at.text_area(key="f:summary").input("Nieuwe samenvatting voor de test.").run()
    at.button(key="ed_save").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    text = (bank_copy / "djg-11.yaml").read_text(encoding="utf-8")
    assert "Nieuwe samenvatting voor de test." in text
    assert load_databank(bank_copy).instruments["djg-11"].summary == "Nieuwe samenvatting voor de test."

    wizard.run()  # the next rerun of an open wizard session sees the save
    assert "Nieuwe samenvatting voor de test." in texts(wizard)


def test_invalid_record_is_refused_and_nothing_written(bank_copy, curator_env):
    before = (bank_copy / "djg-11.yaml").read_bytes()
    at = open_record(sign_in(open_page()), "djg-11")
    at.text_input(key="f:name").input("").run()
    at.button(key="ed_save").click().run()
    messages = [e.value for e in at.error]
    assert any(m.startswith("name:") for m in messages), messages
    assert (bank_copy / "djg-11.yaml").read_bytes() == before


def test_retire_hides_from_wizard(bank_copy, curator_env):
    at = open_record(sign_in(open_page()), "djg-11")
    at.button(key="ed_retire").click().run()
    assert not at.exception, at.exception
    bank = load_databank(bank_copy)
    assert bank.instruments["djg-11"].status == "ingetrokken"
    assert "djg-11" not in {i.id for i in bank.active}


def test_conflict_shows_both_versions_and_overwrites_nothing(bank_copy, curator_env):
    at = open_record(sign_in(open_page()), "djg-11")
    path = bank_copy / "djg-11.yaml"
    theirs = path.read_text(encoding="utf-8").replace(
        "Met deze vragenlijst", "Een collega schreef: met deze vragenlijst"
    )
    path.write_text(theirs, encoding="utf-8")  # another curator saved meanwhile
    at.text_area(key="f:summary").input("Mijn versie.").run()
    at.button(key="ed_save").click().run()
    assert any("Iemand anders heeft dit record opgeslagen" in e.value for e in at.error)
    codes = [c.value for c in at.code]
    assert any("Een collega schreef" in c for c in codes) and any("Mijn versie." in c for c in codes)
    assert path.read_text(encoding="utf-8") == theirs
    at.button(key="ed_force").click().run()
    assert "Mijn versie." in path.read_text(encoding="utf-8")


def test_history_lists_saves_and_restores(bank_copy, curator_env):
    at = open_record(sign_in(open_page()), "djg-11")
    original = load_databank(bank_copy).instruments["djg-11"].summary
    at.text_area(key="f:summary").input("Eerste wijziging.").run()
    at.button(key="ed_save").click().run()
    at.text_area(key="f:summary").input("Tweede wijziging.").run()
    at.button(key="ed_save").click().run()
    assert load_databank(bank_copy).instruments["djg-11"].summary == "Tweede wijziging."
    table = next(df.value for df in at.dataframe if "wie" in df.value.columns)
    assert list(table["wie"]) == ["anna", "anna"]
    assert list(table["wat"]) == ["Instrument djg-11 bijgewerkt"] * 2
    at.selectbox(key="hist_pick").set_value(at.selectbox(key="hist_pick").options[1]).run()
    assert any("Eerste wijziging." in c.value for c in at.code)
    at.button(key="hist_restore").click().run()
    assert not at.exception, at.exception
    assert load_databank(bank_copy).instruments["djg-11"].summary == "Eerste wijziging."
    assert original != "Eerste wijziging."


def test_rename_option_migrates_instruments(bank_copy, curator_env):
    at = sign_in(open_page())
    at.selectbox(key="opt_question").set_value("doelgroep").run()
    at.selectbox(key="opt_target").set_value("mantelzorgers").run()
    users = load_databank(bank_copy).index.direct[("doelgroep", "mantelzorgers")].bit_count()
    at.text_input(key="opt_new_id").input("naasten").run()
    at.button(key="opt_rename").click().run()
    assert not at.exception, at.exception
    assert any(f"{users} instrumenten aangepast" in s.value for s in at.success)
    bank = load_databank(bank_copy)
    assert not bank.problems
    assert "naasten" in bank.taxonomy.option_ids("doelgroep")
    assert bank.index.direct[("doelgroep", "naasten")].bit_count() == users


def test_remove_used_option_is_refused_with_the_instruments(bank_copy, curator_env):
    at = sign_in(open_page())
    at.selectbox(key="opt_question").set_value("thema").run()
    at.selectbox(key="opt_target").set_value("eenzaamheid").run()
    at.button(key="opt_remove").click().run()
    assert any("djg-11" in e.value for e in at.error)
    assert "eenzaamheid" in load_databank(bank_copy).taxonomy.option_ids("thema")


def test_related_instruments_are_picked_by_name(bank_copy, curator_env):
    at = open_record(sign_in(open_page()), "djg-11")
    related = at.multiselect(key="f:related")
    assert "De Jong Gierveld Eenzaamheidsschaal, verkorte versie (6 items) (djg-6)" in related.options
    assert "djg-6" in related.value  # the stored value stays the id


def test_the_dashboard_shows_where_edits_go_and_pulls_on_open(tmp_path, monkeypatch, curator_env):
    import subprocess

    def git(cwd, *args):
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    seed = tmp_path / "seed"
    shutil.copytree(DEFAULT_PATH, seed)
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=S", "-c", "user.email=s@example.org", "commit", "-q", "-m", "begin")
    git(tmp_path, "clone", "-q", "--bare", str(seed), "remote.git")
    git(tmp_path, "clone", "-q", "remote.git", "host")
    # someone else pushes a change before the curator opens the workspace
    git(tmp_path, "clone", "-q", "remote.git", "other")
    other = tmp_path / "other"
    (other / "djg-6.yaml").write_text(
        (other / "djg-6.yaml").read_text(encoding="utf-8").replace("last_reviewed: ", "last_reviewed: ", 1)
        + "# gecontroleerd elders\n", encoding="utf-8",
    )
    git(other, "-c", "user.name=O", "-c", "user.email=o@example.org", "commit", "-qam", "elders")
    git(other, "push", "-q")
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(tmp_path / "host"))
    monkeypatch.setenv("BESLISBOOM_GIT_SYNC", "1")
    at = sign_in(open_page())
    assert "# gecontroleerd elders" in (tmp_path / "host" / "djg-6.yaml").read_text(encoding="utf-8")
    assert "Opslag en synchronisatie" in texts(at)
    assert any(m.value == "origin/main" for m in at.metric)
