from __future__ import annotations

from tree.graph import broader_chain, inode, onode, qnode, tagged_instruments

from .conftest import TESTED_NL, record


def test_graph_has_questions_options_instruments(make_bank):
    bank = make_bank(record("a", doelgroep=["ouderen"]), record("b", status="ingetrokken"))
    g = bank.graph
    assert g.nodes[qnode("doelgroep")]["kind"] == "question"
    assert g.edges[qnode("doelgroep"), onode("doelgroep", "ouderen")]["kind"] == "option"
    assert g.edges[onode("doelgroep", "ouderen"), inode("a")]["kind"] == "tag"
    # retired instruments are not in the graph that drives results
    assert inode("b") not in g


def test_broader_edges_point_from_broader_to_narrower(make_bank):
    g = make_bank().graph
    assert g.edges[onode("doelgroep", "volwassenen"), onode("doelgroep", "ouderen")]["kind"] == "broader"
    assert broader_chain(g, "doelgroep", "ouderen") == ["ouderen", "volwassenen", "iedereen"]
    assert broader_chain(g, "thema", "eenzaamheid") == ["eenzaamheid", "alle-themas"]
    assert broader_chain(g, "meten", "ervaring") == ["ervaring"]


def test_combining_option_tags_its_parts(make_bank):
    bank = make_bank(record("a", gegevens=["beide"]), record("b", gegevens=["cijfers", "verhalen"]))
    g = bank.graph
    assert tagged_instruments(g, "gegevens", "cijfers") == {"a", "b"}
    assert tagged_instruments(g, "gegevens", "verhalen") == {"a", "b"}
    assert bank.index.effective[("gegevens", "beide")].bit_count() == 2


def test_index_orders_bits_by_rank(make_bank):
    bank = make_bank(
        record("traag", minutes=30, **TESTED_NL, cost="gratis"),
        record("snel", minutes=5, **TESTED_NL, cost="gratis"),
        record("betaald", minutes=1, **TESTED_NL, cost="licentie"),
        record("ongetoetst", minutes=1, cost="gratis"),
    )
    assert bank.index.ids == ["snel", "traag", "betaald", "ongetoetst"]
