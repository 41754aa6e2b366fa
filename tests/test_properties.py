"""Random databanks and random answers never crash recommend, and its results stay coherent."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tree
from tree import load_databank, recommend
from tree.databank import DEFAULT_PATH, QUESTIONS_FILE
from tree.schema import BRANCHES

from .conftest import record, write_record

TAX = load_databank().taxonomy
OPTIONS = {q.id: [o.id for o in q.options] for q in TAX.questions}


def option_lists(qid: str, min_size: int = 0):
    return st.lists(st.sampled_from(OPTIONS[qid]), min_size=min_size, max_size=3, unique=True)


instrument = st.builds(
    lambda n, tags, minutes, quality, cost, status: record(
        f"i{n}", minutes=minutes, quality=quality, cost=cost, status=status, **tags
    ),
    n=st.integers(0, 10_000),
    tags=st.fixed_dictionaries({q: option_lists(q, 1) for q in BRANCHES}),
    minutes=st.none() | st.integers(1, 120),
    quality=st.none() | st.sampled_from(["praktijk", "methode"]),
    cost=st.none() | st.sampled_from(["gratis", "gratis-voorwaarden", "betaald", "licentie"]),
    status=st.sampled_from(["actief", "actief", "ingetrokken"]),
)
answers = st.fixed_dictionaries(
    {q: st.lists(st.sampled_from(OPTIONS[q] + ["onbekend-id"]), max_size=3) for q in BRANCHES}
)


def _strip_none(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if v is not None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(instrument, max_size=25, unique_by=lambda r: r["id"]),
    answer_sets=st.lists(answers, min_size=1, max_size=5),
)
def test_recommend_never_crashes_and_is_coherent(records, answer_sets):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(DEFAULT_PATH / QUESTIONS_FILE, folder / QUESTIONS_FILE)
        for rec in records:
            write_record(folder, _strip_none(rec))
        tree.clear_cache()
        bank = load_databank(folder)
        assert not bank.problems
        active = {r["id"] for r in records if r["status"] == "actief"}
        for a in answer_sets:
            rec = recommend(bank, a)
            got = [m.instrument.id for m in rec.matches]
            assert len(got) == rec.exact_count == len(set(got))
            assert set(got) <= active
            assert all(m.exact for m in rec.matches)
            assert all(m.misses and len(m.misses) == rec.near_misses for m in rec.near)
            assert not set(got) & {m.instrument.id for m in rec.near}
            answered = [q for q in BRANCHES if rec.answers[q]]
            for m in rec.matches:
                assert [f.question for f in m.fits] == answered
            if not active:
                assert rec.exact_count == 0 and rec.near == []
