"""The curator's inbox and four-eyes review, through AppTest."""

from __future__ import annotations

import pytest

from tree import load_databank
from tree.curate import history
from tree.curate.auth import hash_password
from tree.feedback.backend import default_store
from tree.feedback.submissions import check

from .conftest import texts
from .test_curator import bank_copy, open_page, sign_in  # noqa: F401  (fixtures and helpers)

KNOWN = {"djg-11"}


@pytest.fixture
def two_curators(monkeypatch):
    monkeypatch.setenv("BESLISBOOM_CURATORS", ";".join(
        f"{n}:" + hash_password("geheim", iterations=1000) for n in ("anna", "bert")))


def inbox_buttons(at) -> dict[str, object]:
    return {str(b.key): b for b in at.button if str(b.key).startswith(("inbox:", "chg:"))}


def test_inbox_counts_and_approves_an_experience(bank_copy, two_curators):  # noqa: F811
    store = default_store()
    eid = store.submit(check("ervaring", {"for_whom": "ouderen", "minutes": "8", "story": "Goed gesprek."},
                             instrument="djg-11", known=KNOWN))
    store.submit(check("voorstel", {"name": "Buurtbarometer", "what": "Buurtbeleving"}))
    at = sign_in(open_page())
    shown = texts(at)
    assert "Inzendingen uit de praktijk" in shown and "Goed gesprek." in shown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Ervaringen"] == "1" and metrics["Voorstellen"] == "1" and metrics["Meldingen"] == "0"
    inbox_buttons(at)[f"inbox:{eid}:ok"].click().run()
    assert not at.exception, at.exception
    assert f"Inzending #{eid} goedgekeurd." in texts(at)
    assert store.get(eid).status == "goedgekeurd"
    assert [(d.action, d.curator) for d in store.decisions(eid)] == [("goedkeuren", "anna")]


def test_a_report_opens_the_editor_and_the_saved_change_names_it(bank_copy, two_curators):  # noqa: F811
    store = default_store()
    rid = store.submit(check("melding", {"field": "Samenvatting", "should_be": "Een betere samenvatting.",
                                         "source": "handleiding"}, instrument="djg-11", known=KNOWN))
    at = sign_in(open_page())
    inbox_buttons(at)[f"inbox:{rid}:edit"].click().run()
    assert not at.exception, at.exception
    assert f"Melding #{rid} bij dit instrument" in texts(at)  # the report beside the record
    at.text_area(key="f:summary").input("Een betere samenvatting.").run()
    at.button(key="ed_save").click().run()
    assert not at.exception, at.exception
    assert load_databank(bank_copy).instruments["djg-11"].summary == "Een betere samenvatting."
    entry = history.log(bank_copy, "djg-11.yaml")[0]
    assert f"Melding #{rid}: Samenvatting → Een betere samenvatting. (bron: handleiding)" in entry.message
    assert store.get(rid).status == "verwerkt"


def test_a_rejection_needs_a_reason(bank_copy, two_curators):  # noqa: F811
    store = default_store()
    sid = store.submit(check("voorstel", {"name": "X", "what": "Y"}))
    at = sign_in(open_page())
    form_button = next(b for b in at.button if b.label == "Afwijzen")
    form_button.click().run()
    assert "een afwijzing heeft een reden nodig" in " ".join(e.value for e in at.error)
    assert store.get(sid).status == "nieuw"


def test_four_eyes_a_second_curator_approves_before_the_wizard_sees_it(bank_copy, two_curators,  # noqa: F811
                                                                       monkeypatch):
    monkeypatch.setenv("BESLISBOOM_FOUR_EYES", "1")
    before = load_databank(bank_copy).instruments["djg-11"].summary
    from .test_curator import open_record

    anna = open_record(sign_in(open_page(), "anna"), "djg-11")
    anna.text_area(key="f:summary").input("Voorstel van anna.").run()
    anna.button(key="ed_save").click().run()
    assert not anna.exception, anna.exception
    assert "een tweede curator keurt het goed" in texts(anna)
    assert load_databank(bank_copy).instruments["djg-11"].summary == before  # not public yet

    anna = sign_in(open_page(), "anna")
    (own,) = [b for key, b in inbox_buttons(anna).items() if key.endswith(":ok") and key.startswith("chg:")]
    assert own.disabled  # nobody approves their own change
    diff = "\n".join(str(c.value) for c in anna.code).splitlines()
    assert any(line.startswith("+") and "Voorstel van anna." in line for line in diff)  # the diff shows the change
    (changes,) = anna.table
    rows = changes.value
    assert list(rows.index) == ["Samenvatting"]  # field by field: only what changes, by its Dutch label
    assert rows.loc["Samenvatting", "Nu"] == before and rows.loc["Samenvatting", "Voorstel"] == "Voorstel van anna."

    bert = sign_in(open_page(), "bert")
    (approve,) = [b for key, b in inbox_buttons(bert).items() if key.endswith(":ok") and key.startswith("chg:")]
    assert not approve.disabled
    approve.click().run()
    assert not bert.exception, bert.exception
    assert load_databank(bank_copy).instruments["djg-11"].summary == "Voorstel van anna."
    entry = history.log(bank_copy, "djg-11.yaml")[0]
    assert entry.author == "anna" and "Goedgekeurd door: bert" in entry.message


def test_a_report_whose_fix_awaits_a_second_curator_is_not_fixed_twice(bank_copy, two_curators,  # noqa: F811
                                                                        monkeypatch):
    monkeypatch.setenv("BESLISBOOM_FOUR_EYES", "1")
    store = default_store()
    rid = store.submit(check("melding", {"field": "Samenvatting", "should_be": "Beter.", "source": "handleiding"},
                             instrument="djg-11", known=KNOWN))
    anna = sign_in(open_page(), "anna")
    inbox_buttons(anna)[f"inbox:{rid}:edit"].click().run()
    anna.text_area(key="f:summary").input("Beter.").run()
    anna.button(key="ed_save").click().run()
    assert not anna.exception, anna.exception

    bert = sign_in(open_page(), "bert")
    shown = texts(bert)
    assert f"Antwoord op melding #{rid} uit de praktijk." in shown  # the change names the report
    assert "wacht op een tweede curator" in " ".join(e.label for e in bert.expander)
    assert f"inbox:{rid}:edit" not in inbox_buttons(bert)  # no second fix while the first waits
    assert any("wacht op een tweede curator" in i.value for i in bert.info)
    assert store.get(rid).status == "nieuw"
    (approve,) = [b for key, b in inbox_buttons(bert).items() if key.endswith(":ok") and key.startswith("chg:")]
    approve.click().run()
    assert store.get(rid).status == "verwerkt"


def test_a_duplicate_is_merged_into_another_submission_of_its_kind(bank_copy, two_curators):  # noqa: F811
    store = default_store()
    first = store.submit(check("voorstel", {"name": "Buurtbarometer", "what": "Buurtbeleving"}))
    second = store.submit(check("voorstel", {"name": "Buurt barometer", "what": "Hetzelfde"}))
    store.submit(check("ervaring", {"for_whom": "ouderen", "story": "Goed."}, instrument="djg-11", known=KNOWN))
    at = sign_in(open_page())
    target = at.selectbox(key=f"inbox:{second}:target")
    assert target.options == [f"#{first}"]  # only the other proposal: not itself, not the experience
    target.set_value(first)
    next(b for b in at.button if b.label == "Samenvoegen" and f"inbox:{second}:merge" in str(b.proto.form_id)).click()
    at.run()
    assert not at.exception, at.exception
    merged = store.get(second)
    assert (merged.status, merged.merged_into) == ("samengevoegd", first)
    assert f"Inzending #{second} samengevoegd." in texts(at)


def test_times_read_in_dutch_time_whatever_the_server_runs_in():
    import datetime as dt

    from ui.curator_inbox import local_time

    winter = dt.datetime(2026, 12, 5, 0, 21, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert local_time(winter) == "2026-12-05 01:21" and local_time(summer) == "2026-07-01 14:00"
