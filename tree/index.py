"""A compiled view of the graph for fast queries: one bitmask per option.

Instruments are numbered in rank order, so bit 0 is the best-ranked instrument. Every
option's set of fitting instruments (direct tags plus tags of its broader options) is a Python
int; answering five questions is a handful of big-int ANDs and ORs, and the lowest set bits
are the best matches without sorting. The graph stays the source of truth: this is built from
it and thrown away with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from .graph import broader_chain, onode
from .schema import Taxonomy


@dataclass
class Index:
    ids: list[str]  # bit position -> instrument id
    position: dict[str, int]  # instrument id -> bit position
    direct: dict[tuple[str, str], int]  # (qid, oid) -> instruments tagged with it
    effective: dict[tuple[str, str], int]  # (qid, oid) -> instruments that fit when chosen
    all_bits: int
    chains: dict[tuple[str, str], list[str]]  # (qid, oid) -> [oid, broader, broader's broader…]
    combines: dict[tuple[str, str], tuple[str, ...]]  # (qid, oid) -> parts, for combining options
    tags: dict[str, dict[str, frozenset[str]]]  # instrument id -> question -> tagged option ids

    @classmethod
    def from_graph(cls, g: nx.DiGraph, taxonomy: Taxonomy) -> Index:
        inst_nodes = [n for n, k in g.nodes(data="kind") if k == "instrument"]
        inst_nodes.sort(key=lambda n: g.nodes[n]["rank_key"])
        ids = [g.nodes[n]["iid"] for n in inst_nodes]
        position = {iid: n for n, iid in enumerate(ids)}
        direct: dict[tuple[str, str], int] = {}
        for q in taxonomy.questions:
            for o in q.options:
                mask = 0
                for _, v, k in g.out_edges(onode(q.id, o.id), data="kind"):
                    if k == "tag":
                        mask |= 1 << position[g.nodes[v]["iid"]]
                direct[(q.id, o.id)] = mask
        effective: dict[tuple[str, str], int] = {}
        chains = {(q.id, o.id): broader_chain(g, q.id, o.id) for q in taxonomy.questions for o in q.options}
        combines = {(q.id, o.id): tuple(o.combines) for q in taxonomy.questions for o in q.options if o.combines}
        for q in taxonomy.questions:
            for o in q.options:
                if o.combines:
                    continue
                mask = 0
                for oid in chains[(q.id, o.id)]:
                    mask |= direct[(q.id, oid)]
                effective[(q.id, o.id)] = mask
            for o in q.options:
                if o.combines:
                    mask = (1 << len(ids)) - 1
                    for part in o.combines:
                        mask &= effective[(q.id, part)]
                    effective[(q.id, o.id)] = mask
        tags: dict[str, dict[str, set[str]]] = {iid: {q.id: set() for q in taxonomy.questions} for iid in ids}
        for u, v, k in g.edges(data="kind"):
            if k == "tag":
                node = g.nodes[u]
                tags[g.nodes[v]["iid"]][node["qid"]].add(node["oid"])
        frozen = {iid: {q: frozenset(s) for q, s in by_q.items()} for iid, by_q in tags.items()}
        return cls(ids, position, direct, effective, (1 << len(ids)) - 1, chains, combines, frozen)

    def answer_mask(self, qid: str, oids: list[str]) -> int:
        """Instruments fitting one question: chosen options are OR; none chosen = all."""
        if not oids:
            return self.all_bits
        mask = 0
        for oid in oids:
            mask |= self.effective.get((qid, oid), 0)
        return mask

    def direct_answer_mask(self, qid: str, oids: list[str]) -> int:
        """Instruments tagged with a chosen option itself (not only with a broader one)."""
        mask = 0
        for oid in oids:
            mask |= self.effective[(qid, oid)] if (qid, oid) in self.combines else self.direct.get((qid, oid), 0)
        return mask

    def iter_ids(self, mask: int, limit: int | None = None) -> Iterator[str]:
        """Instrument ids in a mask, best-ranked first."""
        n = 0
        while mask and (limit is None or n < limit):
            low = mask & -mask
            yield self.ids[low.bit_length() - 1]
            mask ^= low
            n += 1
