"""The Beslisboom as one networkx graph: questions → options → instruments.

This graph is the single drawing of the tree. The recommendation index, the live counts in
the wizard, the presenter diagram, the funnel, the CLI coverage report and the curator's
coverage checks all read it, so the tree is never encoded twice.

Edges carry a ``kind``:
- ``option``:  question → option
- ``broader``: broader option → narrower option (an instrument for ``volwassenen`` also fits
  ``ouderen``, so choosing ``ouderen`` follows this edge backwards)
- ``tag``:     option → instrument, for every option the instrument is tagged with
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from .schema import FREE_COSTS, QUALITIES, Instrument, Taxonomy


def qnode(qid: str) -> str:
    return f"q:{qid}"


def onode(qid: str, oid: str) -> str:
    return f"o:{qid}:{oid}"


def inode(iid: str) -> str:
    return f"i:{iid}"


def rank_key(inst: Instrument) -> tuple:
    """The documented order within equal fit: the quality label (tested in NL first), then free,
    then fewer minutes, then name."""
    return (
        QUALITIES.index(inst.quality) if inst.quality in QUALITIES else len(QUALITIES),
        0 if inst.cost in FREE_COSTS else 1,
        inst.minutes if inst.minutes is not None else float("inf"),
        inst.name.casefold(),
    )


def build_graph(taxonomy: Taxonomy, instruments: Iterable[Instrument]) -> nx.DiGraph:
    g = nx.DiGraph()
    for q in taxonomy.questions:
        g.add_node(qnode(q.id), kind="question", qid=q.id, label=q.label, multiple=q.multiple)
        for o in q.options:
            g.add_node(
                onode(q.id, o.id), kind="option", qid=q.id, oid=o.id, label=o.label, combines=tuple(o.combines or ())
            )
            g.add_edge(qnode(q.id), onode(q.id, o.id), kind="option")
        for o in q.options:
            if o.broader:
                g.add_edge(onode(q.id, o.broader), onode(q.id, o.id), kind="broader")
    for inst in instruments:
        n = inode(inst.id)
        g.add_node(n, kind="instrument", iid=inst.id, rank_key=rank_key(inst))
        for q in taxonomy.questions:
            for oid in inst.options(q.id):
                opt = onode(q.id, oid)
                combined = g.nodes[opt]["combines"] if opt in g else ()
                # an instrument tagged with a combining option (gegevens: beide) has its parts
                for part in combined or (oid,):
                    g.add_edge(onode(q.id, part), n, kind="tag")
    return g


def broader_chain(g: nx.DiGraph, qid: str, oid: str) -> list[str]:
    """The option itself followed by its broader options, nearest first."""
    chain, cur = [oid], onode(qid, oid)
    while True:
        parents = [u for u, _, k in g.in_edges(cur, data="kind") if k == "broader"]
        if not parents:
            return chain
        cur = parents[0]
        chain.append(g.nodes[cur]["oid"])


def tagged_instruments(g: nx.DiGraph, qid: str, oid: str) -> set[str]:
    """Instrument ids tagged directly with an option."""
    return {g.nodes[v]["iid"] for _, v, k in g.out_edges(onode(qid, oid), data="kind") if k == "tag"}
