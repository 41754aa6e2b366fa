"""The team leader's walk, driven in-process with Streamlit's AppTest."""

from __future__ import annotations

import tree
from tree import BRANCHES
from tree import describe as d

from .conftest import shown, texts


def next_(at, qid):
    at.button(key=f"next:{qid}").click().run()
    assert not at.exception, at.exception
    return at


def test_start_asks_what_you_want_to_know(app):
    at = app()
    assert shown(at.title[0].value) == "Welk meetinstrument past bij uw werk?"
    assert "Tevredenheid is geen effect" in texts(at)
    at.text_area(key="_vraag_input").input("Worden ouderen minder eenzaam?").run()
    at.button(key="begin").click().run()
    assert shown(at.header[0].value) == "Doelgroep"
    assert at.session_state.vraag == "Worden ouderen minder eenzaam?"
    assert at.query_params["stap"] == "1"
    assert at.query_params["vraag"] == "Worden ouderen minder eenzaam?"


def test_each_question_in_seed_order_with_help_and_progress(app):
    at = app(stap="1")
    seen = []
    for n, qid in enumerate(BRANCHES, start=1):
        seen.append(shown(at.header[0].value))
        assert f"Vraag {n} van 5" in at.get("progress")[0].proto.text
        next_(at, qid)
    assert seen == ["Doelgroep", "Inhoudelijk thema", "Wat wilt u meten?", "Type gegevens",
                    "Zelf doen, uitbesteden of een mix?"]
    assert shown(at.title[0].value) == "Uw advies"


def test_live_count_updates_with_answers(app):
    at = app(stap="1")
    before = at.success[0].value
    at.checkbox(key="opt:doelgroep:jeugd").check().run()
    after = at.success[0].value
    assert before != after
    n_before = int(before.split("nog ")[1].split()[0])
    n_after = int(after.split("nog ")[1].split()[0])
    assert 0 < n_after < n_before


def test_back_and_next_keep_every_answer(app):
    at = app(stap="1")
    at.checkbox(key="opt:doelgroep:ouderen").check().run()
    at.checkbox(key="opt:doelgroep:mantelzorgers").check().run()
    next_(at, "doelgroep")
    at.checkbox(key="opt:thema:eenzaamheid").check().run()
    next_(at, "thema")
    at.button(key="back:meten").click().run()
    assert at.checkbox(key="opt:thema:eenzaamheid").value is True
    at.button(key="back:thema").click().run()
    assert at.checkbox(key="opt:doelgroep:ouderen").value is True
    assert at.checkbox(key="opt:doelgroep:mantelzorgers").value is True
    assert at.checkbox(key="opt:doelgroep:jeugd").value is False
    assert at.session_state.answers["thema"] == ["eenzaamheid"]


def test_single_choice_question_and_no_preference(app):
    at = app(stap="4")
    at.radio(key="opt:gegevens").set_value("verhalen").run()
    assert at.session_state.answers["gegevens"] == ["verhalen"]
    at.radio(key="opt:gegevens").set_value("").run()
    assert at.session_state.answers["gegevens"] == []


def test_skip_clears_answer_and_moves_on(app):
    at = app(stap="2", thema="eenzaamheid")
    at.button(key="skip:thema").click().run()
    assert at.session_state.answers["thema"] == []
    assert shown(at.header[0].value) == "Wat wilt u meten?"


def test_satisfaction_nudge_offers_effect(app):
    at = app(stap="3")
    at.checkbox(key="opt:meten:ervaring").check().run()
    assert "tevredenheid is geen effect" in texts(at)
    at.button(key="nudge:effect").click().run()
    assert set(at.session_state.answers["meten"]) == {"effect-client", "ervaring"}


def test_many_themes_reminds_you_cannot_measure_everything(app):
    at = app(stap="2")
    at.checkbox(key="opt:thema:eenzaamheid").check().run()
    assert "U kunt niet alles tegelijk meten" not in texts(at)
    at.checkbox(key="opt:thema:armoede-schulden").check().run()
    assert "U kunt niet alles tegelijk meten" in texts(at)


def test_deep_link_opens_results_with_answers(app):
    at = app(doelgroep="ouderen", thema="eenzaamheid", meten="effect-client", gegevens="cijfers", uitvoering="zelf")
    assert shown(at.title[0].value) == "Uw advies"
    text = texts(at)
    assert "Doelgroep: **Ouderen**" in text
    assert "De Jong Gierveld Eenzaamheidsschaal (11 items)" in text
    assert "✓ Inhoudelijk thema: Eenzaamheid" in text


def test_unknown_ids_in_link_get_a_notice_not_an_error(app):
    at = app(doelgroep="ouderen,marsmannetjes", kleur="rood")
    assert shown(at.title[0].value) == "Uw advies"
    notices = [i.value for i in at.info]
    assert any("doelgroep=marsmannetjes" in n for n in notices)
    assert any("kleur=rood" in n for n in notices)


def test_relaxation_button_when_nothing_fits(app):
    answers = {"doelgroep": "beperking", "meten": "ervaring", "gegevens": "cijfers", "uitvoering": "uitbesteden"}
    expected = tree.recommend(tree.load_databank(), {k: [v] for k, v in answers.items()}).best_relaxation
    assert expected is not None and expected.question == "uitvoering"
    n = expected.exact_count
    at = app(**answers)
    assert "Geen enkel instrument past bij al uw antwoorden" in texts(at)
    relax = at.button(key="relax")
    noun = "instrument" if n == 1 else "instrumenten"
    assert shown(relax.label) == f"Laat 'Zelf doen, uitbesteden of een mix' los: {n} {noun}"
    relax.click().run()
    assert "Geen enkel instrument past" not in texts(at)
    assert f"{n} {noun} pas" in texts(at)
    assert at.session_state.answers["uitvoering"] == []


def test_beide_shows_tellen_en_vertellen_bundles(app):
    at = app(doelgroep="ouderen", thema="eenzaamheid", gegevens="beide")
    headers = [shown(h.value) for h in at.header]
    # the specific pair leads, before any generic method that yields both in one
    assert headers.index("Ons advies: tellen én vertellen") < headers.index(
        "Methoden die cijfers én verhalen in één opleveren"
    )
    first_cards = [shown(h.value) for h in at.subheader][:2]
    assert first_cards[0].startswith("De Jong Gierveld") and "Most Significant Change" in first_cards[1]
    # within the pair the type of data is answered together, not a miss of each half
    pair_text = texts(at)
    assert "✓ Type gegevens: Cijfers — samen met Most Significant Change (MSC) voor de verhalen" in pair_text


def cost_lines(at):
    return [m.value for m in at.markdown if "**Kosten:**" in m.value]


def test_refine_free_only_hides_paid(app):
    at = app(doelgroep="volwassenen")
    assert any("**Kosten:** gratis" not in line for line in cost_lines(at))
    at.checkbox(key="rf_free").check().run()
    lines = cost_lines(at)
    assert lines
    assert all("- **Kosten:** gratis" in line for line in lines)
    assert "verborgen door uw verfijning" in texts(at)


def test_results_are_paged_with_show_more(app):
    at = app(doelgroep="volwassenen")
    cards = [b for b in at.button if b.key and b.key.startswith("det:exact:")]
    assert len(cards) == 10
    more = at.button(key="show_more")
    assert more.label.startswith("Toon 10 meer")
    more.click().run()
    assert len([b for b in at.button if b.key and b.key.startswith("det:exact:")]) == 20


def test_compare_two_instruments(app):
    at = app(doelgroep="ouderen", thema="eenzaamheid")
    boxes = [c for c in at.checkbox if c.key and c.key.startswith("cmp:exact:")]
    boxes[0].check().run()
    boxes = [c for c in at.checkbox if c.key and c.key.startswith("cmp:exact:")]
    boxes[1].check().run()
    assert len(at.session_state.compare) == 2
    at.button(key="compare_go").click().run()
    assert not at.exception
    assert shown(at.title[0].value) == "Instrumenten vergelijken"
    table = next(h.proto.body for h in at.get("html") if 'class="cmp"' in h.proto.body)
    assert table.count('<th scope="col">') == 2
    assert '<th scope="row">Afnametijd</th>' in table


def test_language_switch_to_english(app):
    at = app()
    switch = next(b for b in at.get("button_group") if b.key == "_lang_choice")
    assert switch.value == "nl"
    switch.set_value("en").run()  # the widget itself: no fallback that would hide a broken switch
    assert shown(at.title[0].value) == "Which measurement instrument fits your work?"
    assert at.query_params["lang"] == "en"
    next(b for b in at.get("button_group") if b.key == "_lang_choice").set_value("nl").run()
    assert shown(at.title[0].value) == "Welk meetinstrument past bij uw werk?"


def test_english_link_shows_english_labels(app):
    at = app(doelgroep="ouderen", thema="eenzaamheid", lang="en")
    assert shown(at.title[0].value) == "Your advice"
    assert "Target group: **Older people**" in texts(at)
    # every fact on the cards is in English now: no notice, and an English 'what it measures'
    assert not any("only available in Dutch" in c.value for c in at.caption)
    assert "self-completion or interview (face-to-face, telephone, written or digital)" in texts(at)
    assert "zelfinvullijst" not in texts(at)


def test_dutch_results_do_not_announce_dutch(app):
    at = app(doelgroep="ouderen")
    assert not any("alleen in het Nederlands" in c.value for c in at.caption)


def test_state_in_url_restores_mid_walk(app):
    at = app(stap="3", doelgroep="ouderen", thema="eenzaamheid")
    assert shown(at.header[0].value) == "Wat wilt u meten?"
    at.button(key="back:meten").click().run()
    assert at.checkbox(key="opt:thema:eenzaamheid").value is True


def test_detail_page_shows_full_record(app):
    at = app(doelgroep="ouderen", thema="eenzaamheid")
    first = next(b for b in at.button if b.key and b.key.startswith("det:exact:"))
    iid = first.key.split(":")[-1]
    first.click().run()
    assert not at.exception
    text = texts(at)
    assert "Bronnen" in text
    assert at.session_state.detail == iid


def test_restart_clears_answers(app):
    at = app(doelgroep="ouderen")
    at.button(key="restart").click().run()
    assert shown(at.title[0].value) == "Welk meetinstrument past bij uw werk?"
    assert at.session_state.answers["doelgroep"] == []


def test_near_matches_are_folded_when_something_fits_and_never_repeat_a_combination(app):
    # walk 2: DJG-11 led the advice as half of the pair and came back below as "Bijna passend" with
    # a ✗; and ten open near-match cards made a phone page 30,000 px long
    at = app(doelgroep="ouderen", thema="eenzaamheid", meten="effect-client", gegevens="beide", uitvoering="zelf")
    rec = tree.recommend(tree.load_databank(), {"doelgroep": ["ouderen"], "thema": ["eenzaamheid"],
                                                "meten": ["effect-client"], "gegevens": ["beide"],
                                                "uitvoering": ["zelf"]})
    assert rec.headline is not None and rec.exact_count
    in_pairs = {p.instrument.id for b in rec.bundles for p in b.parts}
    assert any(m.instrument.id in in_pairs for m in rec.near)  # the engine still lists them
    (folded,) = [e for e in at.expander if "bijna pas" in e.label]
    near_cards = [shown(h.value) for h in folded.subheader]
    assert near_cards, "the near matches are inside the folded section"
    names = {d.name_with_abbreviation(tree.load_databank().instruments[i], "nl") for i in in_pairs}
    assert not names & set(near_cards)
