"""Server time per wizard step (one Streamlit rerun), at the shipped databank and at 10,000
synthetic instruments. Run: ``python -m bench.wizard [--sizes 0,10000]`` (0 = shipped).

Each step is timed as AppTest's in-process rerun: the whole script — load (cached), live
counts, recommend and rendering to protobuf — without network or browser.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.run import write_synthetic
from tree import BRANCHES, load_databank

APP = str(Path(__file__).resolve().parent.parent / "app.py")
REPEAT = 5


def walk_times() -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"start": [], **{q: [] for q in BRANCHES}, "results": []}
    for _ in range(REPEAT):
        at = AppTest.from_file(APP, default_timeout=120)
        t0 = time.perf_counter()
        at.run()
        times["start"].append(time.perf_counter() - t0)
        at.button(key="begin").click()
        for qid in BRANCHES:
            t0 = time.perf_counter()
            at.run()
            times[qid].append(time.perf_counter() - t0)
            if qid == "gegevens":
                at.radio(key="opt:gegevens").set_value("cijfers")
            else:
                next(c for c in at.checkbox if c.key and c.key.startswith(f"opt:{qid}:")).check()
                at.run()
            at.button(key=f"next:{qid}").click()
        t0 = time.perf_counter()
        at.run()
        times["results"].append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="0,10000")
    args = ap.parse_args()
    print("| databank | start | " + " | ".join(BRANCHES) + " | results |")
    print("|---" * (len(BRANCHES) + 3) + "|")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            if n:
                write_synthetic(Path(tmp), n, load_databank().taxonomy, random.Random(n))
                os.environ["BESLISBOOM_DATABANK"] = tmp
                load_databank(tmp)  # the first visitor pays the cold load; steps are what we time
            else:
                os.environ.pop("BESLISBOOM_DATABANK", None)
            times = walk_times()
        label = f"{n:,} synthetic" if n else f"shipped ({len(load_databank().active)})"
        cells = [f"{statistics.median(v) * 1e3:.0f} ms" for v in times.values()]
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
