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
    assert len(at.tabs) == 5
    assert "Dekking doelgroep × thema" in texts(at)


def record_table(at: AppTest):
    """The list of records on the Instrumenten tab (its key changes with the rows shown)."""
    return next(df for df in at.dataframe if str(df.key).startswith("rl_table:"))


def choose_row(at: AppTest, iid: str) -> AppTest:
    """Click the row of ``iid`` in the list, as the browser reports a selection."""
    table = record_table(at)
    row = list(table.value["id"]).index(iid)
    at.session_state[table.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


def open_record(at: AppTest, iid: str) -> AppTest:
    choose_row(at, iid).button(key="ed_open").click().run()
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


# --- the desk: a wide page, a list of every record, Dutch and English field labels ---------------


def test_the_workspace_is_wide_and_the_sign_in_is_not(bank_copy, curator_env, monkeypatch):
    import streamlit as st

    layouts: list[str | None] = []
    real = st.set_page_config

    def spy(*args, **kwargs):
        layouts.append(kwargs.get("layout"))
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", spy)
    at = open_page()
    assert layouts == ["centered"]  # the sign-in form stays a narrow column
    sign_in(at)
    assert not at.exception, at.exception
    assert layouts[-1] == "wide"
    layouts.clear()
    at.run()
    # one layout per run, never two (two layout messages in one run race in the browser)
    assert layouts == ["wide"]


def test_the_list_shows_every_record_with_its_triage_facts(bank_copy, curator_env):
    at = sign_in(open_page())
    bank = load_databank(bank_copy)
    table = record_table(at).value
    assert len(table) == len(bank.instruments)
    assert list(table.columns) == ["name", "status", "quality", "last_reviewed", "missing_count", "missing", "kind",
                                   "doelgroep", "thema", "id"]
    assert f"{len(bank.instruments)} van {len(bank.instruments)} records" in texts(at)
    djg = table.set_index("id").loc["djg-11"]
    assert djg["quality"] == "Getoetst in Nederland" and "Ouderen" in list(djg["doelgroep"])
    assert at.button(key="ed_open").disabled  # nothing chosen yet
    assert "Klik een regel aan en kies Openen." in texts(at)


def test_the_list_filters_and_sorts(bank_copy, curator_env):
    at = sign_in(open_page())
    bank = load_databank(bank_copy)
    at.text_input(key="rl_text").input("eenzaamheidsschaal").run()
    assert sorted(record_table(at).value["id"]) == sorted(
        i.id for i in bank.instruments.values() if "eenzaamheidsschaal" in i.name.lower()
    )
    at.text_input(key="rl_text").input("").run()
    at.checkbox(key="rl_missing").check().run()
    shown = record_table(at).value
    assert len(shown) > 0 and (shown["missing_count"] > 0).all()
    at.multiselect(key="rl_thema").select("eenzaamheid").run()
    assert set(record_table(at).value["id"]) == {
        i.id for i in bank.instruments.values() if "eenzaamheid" in i.thema and set(shown["id"]) >= {i.id}
    }
    at.checkbox(key="rl_missing").uncheck().run()
    at.multiselect(key="rl_thema").unselect("eenzaamheid").run()
    at.selectbox(key="rl_sort").set_value("missing").run()
    counts = list(record_table(at).value["missing_count"])
    assert counts == sorted(counts, reverse=True) and len(counts) == len(bank.instruments)
    at.multiselect(key="rl_status").select("ingetrokken").run()
    assert set(record_table(at).value["id"]) == {i.id for i in bank.instruments.values() if not i.active}
    assert not at.exception, at.exception


def test_a_chosen_row_opens_duplicates_or_a_new_record_starts(bank_copy, curator_env):
    at = choose_row(sign_in(open_page()), "djg-11")
    assert "Gekozen: **De Jong Gierveld Eenzaamheidsschaal (11 items)** (djg-11)" in texts(at)
    assert not at.button(key="ed_open").disabled
    at.button(key="ed_open").click().run()
    assert at.text_input(key="f:id").value == "djg-11"
    assert at.text_area(key="f:summary").value == load_databank(bank_copy).instruments["djg-11"].summary
    at.button(key="ed_duplicate").click().run()
    assert at.text_input(key="f:id").value == "djg-11-kopie"
    at.button(key="ed_new").click().run()
    assert at.text_input(key="f:id").value == "" and at.text_input(key="f:name").value == ""
    assert not at.exception, at.exception


def test_a_search_that_leaves_one_row_opens_it_without_a_click(bank_copy, curator_env):
    at = sign_in(open_page())
    at.text_input(key="rl_text").input("djg-11").run()
    assert list(record_table(at).value["id"]) == ["djg-11"]
    at.button(key="ed_open").click().run()
    assert at.text_input(key="f:id").value == "djg-11"


def form_widgets(at: AppTest) -> list:
    kinds = (at.text_input, at.text_area, at.selectbox, at.multiselect, at.radio, at.number_input, at.date_input)
    return [w for kind in kinds for w in kind if str(w.key).startswith("f:")]


def test_form_labels_are_dutch_with_the_schema_help(bank_copy, curator_env):
    from tree.fields import leaf, leaves

    at = open_record(sign_in(open_page()), "djg-11")
    summary = at.text_area(key="f:summary")
    assert summary.label == "Samenvatting (verplicht)"
    assert summary.help == leaf("summary").description
    assert at.text_input(key="f:name_en").label == "Naam (Engels)"
    assert at.text_area(key="f:cost_note").label == "Toelichting op de kosten"
    assert at.text_input(key="f:administered_by").label == "Wie neemt het af"
    widgets = form_widgets(at)
    assert len(widgets) == len(leaves()) - 1  # every field but the sources table
    for w in widgets:
        assert not any(c in w.label for c in "*_`") and w.label != w.key[2:], (w.key, w.label)
    sources = [m.value for m in at.markdown if "Bronnen" in m.value]
    assert sources == ["**Bronnen (verplicht)**"]  # bold, and no stray asterisk
    assert at.selectbox(key="f:quality").format_func("getoetst-nl") == "Getoetst in Nederland"


def test_form_labels_and_help_are_english_on_the_english_page(bank_copy, curator_env):
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    at = open_record(sign_in(at), "djg-11")
    summary = at.text_area(key="f:summary")
    assert (summary.label, summary.help) == ("Summary (required)", "2–4 sentences in plain language (B1): what it "
                                             "measures, for whom, how.")
    assert at.text_input(key="f:name_en").label == "Name (English)"
    assert "**Sources (required)**" in [m.value for m in at.markdown]
    assert at.radio(key="f:easy_read").format_func("onbekend") == "unknown"


def test_a_new_sort_or_filter_never_carries_a_choice_over_to_another_record(bank_copy, curator_env):
    """A selection is a row position: after the rows change it would point at another record."""
    at = choose_row(sign_in(open_page()), "djg-11")
    at.selectbox(key="rl_sort").set_value("missing").run()  # same records, another order
    assert record_table(at).value["id"].tolist().index("djg-11") != 0
    assert "Gekozen:" not in texts(at)
    assert at.button(key="ed_open").disabled


def test_the_overview_draws_every_doelgroep_thema_cell(bank_copy, curator_env):
    """13 thema's do not fit as table columns: a heat map shows every cell without scrolling."""
    from streamlit import dataframe_util

    at = sign_in(open_page())
    chart = at.get("vega_lite_chart")[0].proto
    cells = dataframe_util.convert_arrow_bytes_to_pandas_df(chart.datasets[0].data.data)
    bank = load_databank(bank_copy)
    assert len(cells) == len(bank.taxonomy.option_ids("doelgroep")) * len(bank.taxonomy.option_ids("thema"))
    assert set(cells["band"]) <= {"none", "thin", "ok"}
    assert chart.alt == "Dekking doelgroep × thema"
