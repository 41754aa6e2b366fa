"""Benchmark: load, graph build and recommend at growing databank sizes, vs a pandas baseline.

Run: ``python -m bench.run`` (sizes 100, 1,000, 10,000; ``--sizes 100,1000`` to choose).
Synthetic databanks use the shipped questions file and random tags; they are written to a temp
dir and never shipped. Figures are printed as a Markdown table; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from tree import clear_cache, load_databank, recommend
from tree.databank import DEFAULT_PATH, QUESTIONS_FILE
from tree.schema import BRANCHES, Taxonomy
from tree.yamlio import dump

QUERIES = 1000
LIMIT = 20


def write_synthetic(folder: Path, n: int, taxonomy: Taxonomy, rng: random.Random) -> None:
    shutil.copy(DEFAULT_PATH / QUESTIONS_FILE, folder / QUESTIONS_FILE)
    plain = {q.id: [o.id for o in q.options if not o.combines] for q in taxonomy.questions}
    for k in range(n):
        rec = {
            "id": f"synth-{k:05d}",
            "name": f"Synthetisch instrument {k}",
            "summary": "Synthetisch record voor de benchmark. Het meet niets echts.",
            "kind": rng.choice(["vragenlijst", "methode", "schaal", "monitor"]),
        }
        for q in BRANCHES:
            rec[q] = rng.sample(plain[q], rng.randint(1, min(3, len(plain[q]))))
        rec.update(
            {
                "items": rng.randint(5, 60),
                "minutes": rng.randint(5, 60),
                "cost": rng.choice(["gratis", "gratis-voorwaarden", "betaald", "licentie"]),
                "quality": rng.choice(["praktijk", "methode"]),
                "sources": [{"title": "Synthetisch", "url": f"https://example.org/{k}"}],
                "last_reviewed": "2026-11-23",
            }
        )
        text = dump(rec).replace("last_reviewed: '2026-11-23'", "last_reviewed: 2026-11-23")
        (folder / f"{rec['id']}.yaml").write_text(text, encoding="utf-8")


def random_answers(taxonomy: Taxonomy, rng: random.Random) -> dict[str, list[str]]:
    answers = {}
    for q in taxonomy.questions:
        ids = [o.id for o in q.options]
        r = rng.random()
        if r < 0.25:
            answers[q.id] = []  # geen voorkeur
        elif q.multiple and r > 0.8:
            answers[q.id] = rng.sample(ids, 2)
        else:
            answers[q.id] = [rng.choice(ids)]
    return answers


def pandas_frame(bank) -> pd.DataFrame:
    """One row per instrument, one boolean column per (question, option), in rank order."""
    idx = bank.index
    rows = []
    for iid in idx.ids:
        inst = bank.instruments[iid]
        row = {"id": iid}
        for q in BRANCHES:
            for oid in inst.options(q):
                row[f"{q}:{oid}"] = True
        rows.append(row)
    df = pd.DataFrame(rows).fillna(False)
    df["rank"] = range(len(df))
    return df


def pandas_recommend(df: pd.DataFrame, bank, answers: dict[str, list[str]]) -> list[str]:
    """The straightforward way: a boolean row filter over option columns (broader options
    expanded to their column names), rows that fit directly before rows that fit through a
    broader option, then rank order, then the first LIMIT rows."""
    mask = pd.Series(True, index=df.index)
    indirect = pd.Series(0, index=df.index)
    false = pd.Series(False, index=df.index)

    def any_of(cols: set[str]) -> pd.Series:
        present = [c for c in cols if c in df]
        return df[present].any(axis=1) if present else false

    for q, oids in answers.items():
        if not oids:
            continue
        fits, direct = false, false
        for oid in oids:
            parts = bank.index.combines.get((q, oid))
            if parts:
                cols = [f"{q}:{p}" for p in parts]
                both = df[cols].all(axis=1) if all(c in df for c in cols) else false
                fits, direct = fits | both, direct | both
            else:
                fits = fits | any_of({f"{q}:{c}" for c in bank.index.chains[(q, oid)]})
                direct = direct | any_of({f"{q}:{oid}"})
        mask &= fits
        indirect += ~direct
    hits = df.loc[mask].assign(indirect=indirect[mask])
    return hits.sort_values(["indirect", "rank"], kind="stable")["id"].head(LIMIT).tolist()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def run_size(n: int, rng: random.Random) -> dict[str, float]:
    taxonomy = load_databank().taxonomy
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_synthetic(folder, n, taxonomy, rng)
        clear_cache()
        t0 = time.perf_counter()
        bank = load_databank(folder)
        cold = time.perf_counter() - t0
        assert not bank.problems, bank.problems[:3]
        t0 = time.perf_counter()
        load_databank(folder)
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        _ = bank.graph
        graph = time.perf_counter() - t0
        t0 = time.perf_counter()
        _ = bank.index
        index = time.perf_counter() - t0
        queries = [random_answers(taxonomy, rng) for _ in range(QUERIES)]
        times = []
        for a in queries:
            t0 = time.perf_counter()
            recommend(bank, a, limit=LIMIT)
            times.append(time.perf_counter() - t0)
        df = pandas_frame(bank)
        ptimes = []
        for a in queries:
            t0 = time.perf_counter()
            got = pandas_recommend(df, bank, a)
            ptimes.append(time.perf_counter() - t0)
        # the two must agree, or the comparison means nothing
        for a in queries[:50]:
            assert pandas_recommend(df, bank, a) == [
                m.instrument.id for m in recommend(bank, a, limit=LIMIT).matches
            ], a
        del got
    med, pmed = statistics.median(times), statistics.median(ptimes)
    return {
        "n": n,
        "cold_s": cold,
        "warm_ms": warm * 1e3,
        "graph_s": graph,
        "index_s": index,
        "rec_med_ms": med * 1e3,
        "rec_p95_ms": pct(times, 0.95) * 1e3,
        "pd_med_ms": pmed * 1e3,
        "pd_p95_ms": pct(ptimes, 0.95) * 1e3,
        "ratio": pmed / med,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--seed", type=int, default=2015)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"recommend: {QUERIES} random answer sets, limit={LIMIT}; pandas baseline = boolean row filter\n")
    print(
        "| instruments | cold load | warm load | graph build | index build | recommend median | "
        "recommend p95 | pandas median | pandas p95 | speed-up |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        r = run_size(n, rng)
        print(
            f"| {n:,} | {r['cold_s']:.2f} s | {r['warm_ms']:.1f} ms | {r['graph_s']:.3f} s | "
            f"{r['index_s']:.3f} s | {r['rec_med_ms']:.3f} ms | {r['rec_p95_ms']:.3f} ms | "
            f"{r['pd_med_ms']:.2f} ms | {r['pd_p95_ms']:.2f} ms | {r['ratio']:.0f}× |",
            flush=True,
        )


if __name__ == "__main__":
    main()
