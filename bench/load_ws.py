"""Load test of workshop mode over Streamlit's own websocket protocol: a projector and N phones.

Run: ``python -m bench.load_ws --phones 200 [--url http://…] [--deadline 300]`` (or ``make loadtest-ws``);
``--cluster`` runs PostgreSQL, two replicas and HAProxy on loopback (``tools.cluster``) and puts the
room behind the load balancer.

Why next to the Chromium test (``bench/load_room.py``): there every phone is a browser tab, and on
two cores 30 tabs already take most of the machine, so the figures stop at 30. Here every phone is
a :class:`bench.ws_phone.Phone`, which sends the server the same messages a tab sends (page load,
websocket, reruns with widget states, the 2 s fragment poll) without rendering anything, so
hundreds fit. The walk is load_room's: the presenter opens a room, every phone joins, the
facilitator waits ``--settle`` seconds, then each of the five questions: every phone taps an answer
(``--think`` spreads the taps), the presenter waits for all of them and for its tally, and moves on;
at the end every phone must show the advice.

Measured, per vote:

- *click-to-render*: from the vote leaving the phone until the phone has the run that shows
  "✓ label" and the voted notice (load_room's in-page stopwatch ends at the same condition);
- *vote→projector*: from the vote leaving the phone until the projector has a run whose tally
  counts it. Which votes a count includes is not on the screen; the k-th vote of a question (in the
  order the phones had them confirmed) counts as shown once the projector's count reaches k.

And for the room: errors, lost or double votes (the phones' votes against the store, when it can
be read, and against the projector's final bars), join times, the time from the projector moving
on until a phone shows the new question, the servers' CPU and RSS per phone (sampled from
``/proc`` for the PIDs it started or was given), and the generator's own CPU and event-loop lag (a
busy generator would inflate every latency above). Markdown to stdout, JSON to
``artifacts/load_ws.json``; stops at ``--deadline`` and exits 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load_room import ProcSampler, percentile
from bench.ws_phone import LANG, PageError, Phone, Presenter, Tally
from tools.appserver import ROOT, running_app
from tree import BRANCHES, load_databank
from tree.i18n import t
from tree.workshop.rooms import normalise_code

ARTIFACT = ROOT / "artifacts" / "load_ws.json"
#: Longest single wait (a join, a vote's render); the global deadline caps it.
STEP_TIMEOUT_S = 60.0
#: Everyone joins before the facilitator starts; a few hundred joins at once queue on the server.
JOIN_TIMEOUT_S = 180.0
#: How long a phone waits for the next question: longer than the presenter's straggler + tally wait.
QUESTION_TIMEOUT_S = 120.0
#: How long the presenter waits for the last phones to vote before it checks the tally and moves on.
STRAGGLER_TIMEOUT_S = 60.0
#: How long the presenter waits for its own tally to show every vote before moving on anyway.
TALLY_TIMEOUT_S = 15.0
#: Phones per network address (X-Forwarded-For): a school or office puts a room behind one NAT.
PER_ADDRESS = 40
LAG_TICK_S = 0.1
#: A phone's user reads the question before tapping. Random, so taps do not all fall at the same
#: point of the projector's 2 s poll: with 0 every phone taps right after the same poll, and
#: vote→projector measures the phase between two timers instead of a latency.
THINK_S = 8.0


class Sampler(ProcSampler):
    """load_room's /proc sampler, plus a reading on demand, so costs can be split by phase."""

    def snapshot(self) -> tuple[float, float]:
        """(CPU seconds so far, RSS MB) of the server and its children, now."""
        try:
            return self._sample()
        except OSError:
            return 0.0, 0.0


@dataclass
class PhoneStats:
    """What one phone did; filled in as it goes, so a run cut off by the deadline still reports."""

    index: int
    address: str = ""
    replica: str = ""
    join_s: float | None = None
    answered: int = 0
    votes_attempted: int = 0
    votes_rendered: int = 0
    render_ms: list[float] = field(default_factory=list)
    question_seen_ms: list[float] = field(default_factory=list)  # projector moved on → phone shows it
    reloads: int = 0
    closes: list[str] = field(default_factory=list)  # websocket closes by the server: "+s since start: code"
    traffic: dict[str, int] = field(default_factory=dict)
    saw_advice: bool = False
    failed: bool = False
    token: str = ""
    choices: dict[str, str] = field(default_factory=dict)


class WsRun:
    """One run: the presenter, N phones, the phase marks and the bookkeeping they share."""

    def __init__(
        self, base: str, n: int, deadline: float, *, seed: int = 1, think: float = 0.0, settle: float = 10.0,
        ramp: float = 0.0, per_address: int = PER_ADDRESS, reloads: int = 0,
        samplers: dict[str, Sampler] | None = None, logs: list[Path] | None = None, allow_disconnects: bool = False,
    ) -> None:
        self.base = base
        self.n = n
        self.deadline = deadline  # time.monotonic() value
        self.rng = random.Random(seed)
        self.think, self.settle, self.ramp, self.reloads = think, settle, ramp, reloads
        self.allow_disconnects = allow_disconnects
        self.samplers = samplers or {}
        self.logs = {log: 0 for log in logs or []}  # server log -> its size when the walk ended
        bank = load_databank()
        self.options = {q: [o.id for o in bank.taxonomy.question(q).options] + [""] for q in BRANCHES}
        self.labels = {
            q: {**{o.id: o.label.get(LANG) for o in bank.taxonomy.question(q).options},
                "": t(LANG, "common.no_preference")}
            for q in BRANCHES
        }
        self.stats = [PhoneStats(i, address=self._address(i, per_address)) for i in range(n)]
        self.phones: list[Phone | None] = [None] * n
        self.presenter: Presenter | None = None
        self.code = ""
        self.errors: list[str] = []
        self.marks: dict[str, tuple[float, float, float]] = {}  # phase -> (time, cpu s, rss MB), all servers
        self.lag_ms: list[float] = []
        self.started = time.monotonic()
        self._code_ready = asyncio.Event()
        # a fresh address per run: a long-running server allows 10 new rooms an hour per address
        self._presenter_address = f"10.250.{random.randrange(256)}.{random.randrange(1, 255)}"
        self.settings: dict[str, object] = {
            "think_s": think, "settle_s": settle, "ramp_s": ramp, "per_address": per_address, "reloads": reloads,
            "allow_disconnects": allow_disconnects,
        }

    @staticmethod
    def _address(index: int, per_address: int) -> str:
        group = index // max(1, per_address)
        return f"10.77.{group // 250}.{group % 250 + 1}"

    def error(self, who: str, err: BaseException | str) -> None:
        text = err if isinstance(err, str) else f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        self.errors.append(f"{who}: {text}")

    def left(self, limit: float = STEP_TIMEOUT_S) -> float:
        """Seconds for the next wait: ``limit`` or what is left before the deadline, whichever is less."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("global deadline passed")
        return min(limit, left)

    def mark(self, phase: str) -> None:
        """Servers' CPU seconds and RSS (summed over replicas) at a phase boundary."""
        cpu = rss = 0.0
        for sampler in self.samplers.values():
            c, r = sampler.snapshot()
            cpu, rss = cpu + c, rss + r
        self.marks[phase] = (time.monotonic(), cpu, rss)

    # --- the presenter ----------------------------------------------------------------------

    async def present(self) -> None:
        self.presenter = Presenter(self.base, headers={"X-Forwarded-For": self._presenter_address})
        page = self.presenter.page
        try:
            self.code = await self.presenter.open_room(self.left())
            self.mark("room")
            self._code_ready.set()
            await self._wait_for(lambda: all(s.join_s is not None or s.failed for s in self.stats), JOIN_TIMEOUT_S)
            self.mark("joined")
            await asyncio.sleep(min(self.settle, max(0.0, self.deadline - time.monotonic())))
            self.mark("settled")
            for k, qid in enumerate(BRANCHES, start=1):
                await self.presenter.next(self.left())
                await self._wait_for(lambda k=k: all(s.answered >= k or s.failed for s in self.stats),
                                     STRAGGLER_TIMEOUT_S)
                await self._await_tally(k, qid)
            await self.presenter.next(self.left())
            self.mark("advice")
        except Exception as err:
            self.error("presenter", f"{type(err).__name__}: {err} (shows: {page.shows()})")
            raise
        finally:
            self._code_ready.set()  # phones waiting for a code that never came give up now
            self.errors += page.errors

    async def _wait_for(self, condition: Any, limit: float) -> None:
        """Waits (no messages) until every phone is done with a step, or the timeout."""
        end = time.monotonic() + limit
        while not condition():
            if time.monotonic() > min(end, self.deadline):
                return  # the late phones report their own timeouts
            await asyncio.sleep(0.05)

    async def _await_tally(self, step: int, qid: str) -> None:
        """Waits until the projector's tally (its 2 s poll) shows every vote the phones made."""
        assert self.presenter is not None
        want = sum(1 for s in self.stats if qid in s.choices)

        def caught_up(_: object) -> bool:
            last = self.presenter.tallies[-1] if self.presenter and self.presenter.tallies else None
            return last is not None and last.step == step and last.count >= want

        with contextlib.suppress(TimeoutError):
            await self.presenter.page.wait(caught_up, self.left(TALLY_TIMEOUT_S), "tally")
        shown = [x for x in self.presenter.tallies if x.step == step]
        if not shown or shown[-1].count < want:
            self.error("presenter", f"tally for {qid} showed {shown[-1].count if shown else None} of {want} votes "
                                    f"after {TALLY_TIMEOUT_S:.0f} s")

    # --- a phone ----------------------------------------------------------------------------

    async def phone(self, s: PhoneStats) -> None:
        rng = random.Random(self.rng.random())
        where = "join"
        phone: Phone | None = None
        try:
            await self._code_ready.wait()
            if not self.code:
                raise PageError("no room was opened")
            await asyncio.sleep(s.index * self.ramp)
            phone = self.phones[s.index] = Phone(self.base, self.code, index=s.index, address=s.address)
            t0 = time.monotonic()
            await phone.join(self.left(JOIN_TIMEOUT_S))
            s.join_s = time.monotonic() - t0
            s.token, s.replica = phone.token, phone.replica
            for k, qid in enumerate(BRANCHES, start=1):
                where = qid
                seen = await phone.wait_question(qid, self.left(QUESTION_TIMEOUT_S))
                moved = self.presenter.moved.get(k) if self.presenter else None
                if moved is not None:
                    s.question_seen_ms.append((seen - moved) * 1000)
                if self.think:
                    await asyncio.sleep(rng.uniform(0, self.think))
                choice = rng.choice(self.options[qid])
                s.votes_attempted += 1
                s.choices[qid] = choice
                vote = await phone.vote(qid, choice, self.left())
                s.votes_rendered += 1
                assert vote.confirmed is not None
                s.render_ms.append((vote.confirmed - vote.sent) * 1000)
                if warnings := phone.warnings():
                    raise PageError(f"the phone shows {warnings}")
                s.answered = k
                if k == 2 and s.index < self.reloads:
                    where = f"{qid} (reload)"
                    await phone.page.reload(self.left())
                    s.reloads += 1
                    if phone.token != s.token:
                        raise PageError(f"came back as another participant ({phone.token!r}, was {s.token!r})")
            where = "advice"
            await phone.wait_advice(self.left(QUESTION_TIMEOUT_S))
            s.saw_advice = True
        except Exception as err:
            s.failed = True
            shows = phone.page.shows() if phone else "nothing"
            first = str(err).splitlines()[0] if str(err) else ""
            self.error(f"phone {s.index} at {where}", f"{type(err).__name__}: {first} (shows: {shows})")
        finally:
            if phone is not None:
                self.errors += phone.page.errors

    async def _lag(self) -> None:
        """The generator's event-loop lag: a timer that should fire every 100 ms, and how late it is."""
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(LAG_TICK_S)
            self.lag_ms.append(max(0.0, (loop.time() - before - LAG_TICK_S) * 1000))

    async def drive(self) -> None:
        lag = asyncio.create_task(self._lag())
        try:
            await asyncio.gather(self.present(), *(self.phone(s) for s in self.stats), return_exceptions=True)
        finally:
            lag.cancel()
            for log in self.logs:  # what the servers log from here on is the teardown, not the walk
                self.logs[log] = log.stat().st_size if log.exists() else 0
            pages = [p.page for p in self.phones if p is not None]
            if self.presenter is not None:
                pages.append(self.presenter.page)
            await asyncio.gather(*(p.close() for p in pages), return_exceptions=True)
            for s, phone in zip(self.stats, self.phones, strict=True):
                if phone is not None:
                    s.traffic = asdict(phone.page.traffic)
                    s.closes = [f"+{at - self.started:.1f} s: code {code}" for at, code in phone.page.closes]
            if not self.allow_disconnects:
                # the page reconnected (as a browser does), but its user saw "connecting…": not a clean run
                for page in pages:
                    if page.closes:
                        at, code = page.closes[0]
                        self.error(page.name, f"the server closed its websocket {len(page.closes)} time(s), "
                                              f"first at +{at - self.started:.1f} s (code {code})")


# --- checking and figures ------------------------------------------------------------------------


def projector_latencies(run: WsRun) -> tuple[list[float], list[str]]:
    """Per vote, ms from sending it until the projector's count reached it (see the module docstring)."""
    lat: list[float] = []
    problems: list[str] = []
    tallies: list[Tally] = run.presenter.tallies if run.presenter else []
    for k, qid in enumerate(BRANCHES, start=1):
        votes = sorted(
            (v for p in run.phones if p is not None and (v := p.votes.get(qid)) and v.confirmed is not None),
            key=lambda v: v.confirmed or 0.0,
        )
        shown = [x for x in tallies if x.step == k]
        for rank, vote in enumerate(votes, start=1):
            hit = next((x for x in shown if x.count >= rank and x.at >= vote.sent), None)
            if hit is None:
                problems.append(f"vote {rank} of {len(votes)} on {qid} never reached the projector")
            else:
                lat.append((hit.at - vote.sent) * 1000)
        if shown and shown[-1].count > len(votes):
            problems.append(f"projector counted {shown[-1].count} votes on {qid}, phones made {len(votes)}")
    return lat, problems


def check_projector(run: WsRun) -> list[str]:
    """The projector's last bars per question against the phones' votes, option by option."""
    problems = []
    tallies = run.presenter.tallies if run.presenter else []
    for k, qid in enumerate(BRANCHES, start=1):
        want = Counter(run.labels[qid][s.choices[qid]] for s in run.stats if qid in s.choices)
        shown = [x for x in tallies if x.step == k]
        if not want and not shown:
            continue
        got = shown[-1].bars if shown else {}
        if dict(want) != got:
            problems.append(f"projector bars for {qid}: {got}, phones voted {dict(want)}")
    return problems


def check_store(run: WsRun, store: Any) -> tuple[dict[str, int], list[str]]:
    """The phones' votes against the store: per participant and per question; none lost, none double.

    ``store`` is any RoomStore (SQLite or PostgreSQL); read directly, not through the app.
    """
    problems: list[str] = []
    code = normalise_code(run.code)
    per_question = {q: sum(store.tally(code, q).values()) for q in BRANCHES}
    joined = [s for s in run.stats if s.token]
    people = store.participants(code)
    if people != len(joined):
        problems.append(f"store has {people} participants, {len(joined)} phones joined (a reload counted twice?)")
    for q in BRANCHES:
        voters = sum(1 for s in joined if q in s.choices)
        if per_question[q] != voters:
            kind = "lost" if per_question[q] < voters else "double"
            problems.append(f"store has {per_question[q]} votes on {q}, phones made {voters} ({kind})")
    for s in joined:
        stored = store.my_votes(code, s.token)
        if stored != s.choices:
            problems.append(f"phone {s.index}: store has {stored}, phone voted {s.choices}")
    return per_question, problems


def _stats(values: list[float]) -> dict[str, float | int | None]:
    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    return {"p50": r(percentile(values, 50)), "p95": r(percentile(values, 95)),
            "max": r(max(values) if values else None), "n": len(values)}


def summarise(
    run: WsRun, *, wall: float, store_votes: dict[str, int] | None, store_problems: list[str] | None,
    generator_cpu_s: float, replicas: dict[str, int] | None = None,
) -> dict:
    """The figures as one flat dict: the Markdown table and the JSON artifact show the same."""
    ss = run.stats
    render = [ms for s in ss for ms in s.render_ms]
    seen = [ms for s in ss for ms in s.question_seen_ms]
    joins = [s.join_s * 1000 for s in ss if s.join_s is not None]
    to_projector, projector_problems = projector_latencies(run)
    errors = list(run.errors) + projector_problems + check_projector(run) + list(store_problems or [])
    missing = [s.index for s in ss if not s.saw_advice and not s.failed]
    if missing:
        errors.append(f"{len(missing)} phone(s) never reached the advice (cut off): {missing[:20]}")
    attempted = sum(s.votes_attempted for s in ss)
    stored = sum(store_votes.values()) if store_votes is not None else None
    every = sum(1 for s in ss if len(s.choices) == len(BRANCHES))
    samples = {name: smp.samples for name, smp in run.samplers.items()}
    marks = run.marks

    def cpu_per_phone(a: str, b: str) -> float | None:
        """Servers' CPU between two marks, in % of one core per phone (None for a window under 2 s)."""
        if a not in marks or b not in marks or not run.samplers:
            return None
        (t0, c0, _), (t1, c1, _) = marks[a], marks[b]
        return 100 * (c1 - c0) / (t1 - t0) / max(run.n, 1) if t1 - t0 >= 2 else None

    idle_cpu, walk_cpu = cpu_per_phone("joined", "settled"), cpu_per_phone("settled", "advice")
    rss_per_phone = None
    if "room" in marks and "joined" in marks and run.samplers:
        rss_per_phone = (marks["joined"][2] - marks["room"][2]) / max(run.n, 1)
    walk_cpu_s = marks["advice"][1] - marks["settled"][1] if "advice" in marks and "settled" in marks else None
    cpu_pct = [sum(x) for x in zip(*(s.cpu_pct for s in samples.values()), strict=False)] if samples else []
    rss = [sum(x) for x in zip(*(s.rss_mb for s in samples.values()), strict=False)] if samples else []
    machine = next(iter(samples.values())).machine_pct if samples else []
    traffic = [p.page.traffic for p in run.phones if p is not None]
    poll_wall = max(wall, 1e-6)
    n_traffic = max(len(traffic), 1)

    def r(x: float | None, d: int = 1) -> float | None:
        return None if x is None else round(x, d)

    return {
        "phones": run.n,
        "settings": run.settings,
        "phones_reached_advice": sum(s.saw_advice for s in ss),
        "phones_voted_every_question": every,
        "phones_per_replica": replicas or {},
        "votes_attempted": attempted,
        "votes_rendered": sum(s.votes_rendered for s in ss),
        "votes_stored": stored,
        "votes_per_question_store": store_votes,
        "votes_lost": None if stored is None else max(0, attempted - stored),
        "votes_double": None if stored is None else max(0, stored - attempted),
        "store_checked": store_votes is not None,
        "errors": len(errors),
        "error_messages": errors,
        "click_to_render_ms": _stats(render),
        "vote_to_projector_ms": _stats(to_projector),
        "question_to_phone_ms": _stats(seen),
        "join_ms": _stats(joins),
        "reloads": sum(s.reloads for s in ss),
        "disconnects": sum(x.disconnects for x in traffic),
        "poll_timers_stopped_by_server": sum(x.stopped_timers for x in traffic),
        "runs_cut_short": sum(x.cut_short for x in traffic),
        "server_pids": {name: smp.pid for name, smp in run.samplers.items()},
        "server_rss_mb_start": r(marks["room"][2]) if "room" in marks and run.samplers else None,
        "server_peak_rss_mb": r(max(rss) if rss else None),
        "server_rss_mb_per_phone": r(rss_per_phone, 2),
        "server_cpu_mean_pct": r(statistics.fmean(cpu_pct) if cpu_pct else None),
        "server_cpu_peak_pct": r(max(cpu_pct) if cpu_pct else None),
        "server_cpu_pct_per_idle_phone": r(idle_cpu, 2),
        "server_cpu_pct_per_phone_walking": r(walk_cpu, 2),
        "server_cpu_ms_per_vote": r(1000 * walk_cpu_s / attempted if walk_cpu_s is not None and attempted else None),
        "machine_cpu_mean_pct": r(statistics.fmean(machine) if machine else None),
        "machine_cpu_peak_pct": r(max(machine) if machine else None),
        "generator_cpu_mean_pct": r(100 * generator_cpu_s / poll_wall),
        # the rest of the machine (other people's work on a shared box): all busy cores minus ours
        "other_cpu_mean_pct": r(max(0.0, statistics.fmean(machine) * (os.cpu_count() or 1)
                                    - statistics.fmean(cpu_pct) - 100 * generator_cpu_s / poll_wall)
                                if machine and cpu_pct else None),
        "generator_loop_lag_ms": {"p95": r(percentile(run.lag_ms, 95)),
                                  "max": r(max(run.lag_ms) if run.lag_ms else None)},
        "messages_per_phone_s": r(sum(x.received + x.sent for x in traffic) / n_traffic / poll_wall, 2),
        "kb_per_phone_s": r(sum(x.bytes_in + x.bytes_out for x in traffic) / 1024 / n_traffic / poll_wall, 2),
        "cpu_cores": os.cpu_count(),
        "wall_s": round(wall, 1),
    }


def markdown(s: dict) -> str:
    """The figures as a Markdown table, in load_room's style."""

    def f(x: float | None, unit: str = "", d: int = 0) -> str:
        return "—" if x is None else f"{x:,.{d}f}{unit}"

    def lat(k: str) -> str:
        v = s[k]
        return f"{f(v['p50'])} / {f(v['p95'])} / {f(v['max'])} ms (n={v['n']})"

    lost = "not checked (no store access)" if not s["store_checked"] else f"{s['votes_lost']} / {s['votes_double']}"
    per_replica = ", ".join(f"{k}: {v}" for k, v in s["phones_per_replica"].items()) or "—"
    rows = [
        ("phones", f"{s['phones']} ({s['phones_reached_advice']} reached the advice, "
                   f"{s['phones_voted_every_question']} voted on every question)"),
        ("phones per replica", per_replica),
        ("votes attempted / rendered / stored",
         f"{s['votes_attempted']} / {s['votes_rendered']} / {f(s['votes_stored'])}"),
        ("votes lost / double (store)", lost),
        ("errors", str(s["errors"])),
        ("click-to-render p50 / p95 / max", lat("click_to_render_ms")),
        ("vote→projector p50 / p95 / max", lat("vote_to_projector_ms")),
        ("projector moved on → phone shows it p50 / p95 / max", lat("question_to_phone_ms")),
        ("join p50 / p95 / max", lat("join_ms")),
        ("reloads / disconnects", f"{s['reloads']} / {s['disconnects']}"),
        # a run whose output the server dropped because the phone's next poll had already started
        # another one (FINISHED_EARLY_FOR_RERUN): the first sign of an overloaded replica
        ("phone runs cut short / poll timers stopped by the server",
         f"{s['runs_cut_short']} / {s['poll_timers_stopped_by_server']}"),
        ("server RSS at start / peak / per phone",
         f"{f(s['server_rss_mb_start'], ' MB')} / {f(s['server_peak_rss_mb'], ' MB')} / "
         f"{f(s['server_rss_mb_per_phone'], ' MB', 2)}"),
        ("server CPU mean / peak (100 % = 1 core, all replicas)",
         f"{f(s['server_cpu_mean_pct'], ' %')} / {f(s['server_cpu_peak_pct'], ' %')}"),
        ("server CPU per phone: polling / walking (% of a core)",
         f"{f(s['server_cpu_pct_per_idle_phone'], ' %', 2)} / {f(s['server_cpu_pct_per_phone_walking'], ' %', 2)}"),
        ("server CPU per vote (walk CPU / votes)", f(s["server_cpu_ms_per_vote"], " ms")),
        (f"machine CPU mean / peak ({s['cpu_cores']} cores, incl. generator)",
         f"{f(s['machine_cpu_mean_pct'], ' %')} / {f(s['machine_cpu_peak_pct'], ' %')}"),
        ("generator CPU mean / loop lag p95 / max",
         f"{f(s['generator_cpu_mean_pct'], ' %')} / {f(s['generator_loop_lag_ms']['p95'], ' ms')} / "
         f"{f(s['generator_loop_lag_ms']['max'], ' ms')}"),
        ("other processes' CPU mean (not server, not generator)", f(s["other_cpu_mean_pct"], " %")),
        ("traffic per phone", f"{f(s['messages_per_phone_s'], ' msg/s', 1)}, {f(s['kb_per_phone_s'], ' kB/s', 1)}"),
        ("total wall time", f"{s['wall_s']:.0f} s"),
        ("settings", ", ".join(f"{k}={v}" for k, v in s["settings"].items())),
    ]
    lines = ["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    if s["error_messages"]:
        lines += ["", "Errors:", *(f"- {e}" for e in s["error_messages"][:20])]
        if len(s["error_messages"]) > 20:
            lines.append(f"- … and {len(s['error_messages']) - 20} more (see {ARTIFACT.relative_to(ROOT)})")
    return "\n".join(lines)


# --- running it ------------------------------------------------------------------------------------


def measure(
    base: str, phones: int, *, deadline_s: float = 300.0, pids: dict[str, int] | None = None, store: Any = None,
    seed: int = 1, think: float = 0.0, settle: float = 10.0, ramp: float = 0.0, per_address: int = PER_ADDRESS,
    reloads: int = 0, logs: list[Path] | None = None, allow_disconnects: bool = False,
) -> tuple[dict, WsRun]:
    """One room against a running app at ``base``; returns the summary and the run (for its details).

    ``pids``: server processes to sample (name → PID); ``store``: a RoomStore to check votes against;
    ``logs``: server logs in which a traceback counts as an error; ``allow_disconnects``: a websocket the
    server closes (the page reconnects, as a browser does) is reported but not an error. Used by the CLI and by
    tests/test_ws_load.py.
    """
    started = time.monotonic()
    samplers = {name: Sampler(pid) for name, pid in (pids or {}).items()}
    for sampler in samplers.values():
        sampler.start()
    cpu0 = time.process_time()
    run = WsRun(base, phones, started + deadline_s, seed=seed, think=think, settle=settle, ramp=ramp,
                per_address=per_address, reloads=reloads, samplers=samplers, logs=logs,
                allow_disconnects=allow_disconnects)
    run.settings.update(deadline_s=deadline_s)
    try:
        asyncio.run(asyncio.wait_for(run.drive(), timeout=max(1.0, deadline_s)))
    except TimeoutError:
        run.error("run", f"global deadline of {deadline_s:.0f} s passed")
    finally:
        for sampler in samplers.values():
            sampler.stop()
    generator_cpu = time.process_time() - cpu0
    wall = time.monotonic() - started
    store_votes = store_problems = None
    if store is not None and run.code:
        try:
            store_votes, store_problems = check_store(run, store)
        except Exception as err:
            store_problems = [f"store check failed: {type(err).__name__}: {err}"]
    teardown = 0
    for log, walked in run.logs.items():
        data = log.read_bytes() if log.exists() else b""
        if b"Traceback" in data[:walked]:
            run.error("server", f"a traceback in {log.name}")
        # Closing hundreds of websockets at once makes Streamlit 1.67 on Starlette 1.10 log
        # "Cannot call send once a close message has been sent" now and then: counted, not an error.
        teardown += data[walked:].count(b"Traceback")
    replicas = dict(Counter(s.replica for s in run.stats if s.replica)) or None
    summary = summarise(run, wall=wall, store_votes=store_votes, store_problems=store_problems,
                        generator_cpu_s=generator_cpu, replicas=replicas)
    summary["server_tracebacks_at_teardown"] = teardown
    return summary, run


def _write(summary: dict, run: WsRun) -> None:
    ARTIFACT.parent.mkdir(exist_ok=True)
    detail = [{**asdict(s), "render_ms": [round(x, 1) for x in s.render_ms],
               "question_seen_ms": [round(x, 1) for x in s.question_seen_ms]} for s in run.stats]
    tallies = [asdict(x) for x in run.presenter.tallies] if run.presenter else []
    ARTIFACT.write_text(json.dumps({**summary, "phones_detail": detail, "projector_tallies": tallies}, indent=2),
                        encoding="utf-8")


def _open_store(*, sqlite: Path | None = None, pg_url: str | None = None) -> Any:
    from tree.workshop.sql_store import PostgresRoomStore, SQLiteRoomStore

    if pg_url:
        return PostgresRoomStore(pg_url)
    return SQLiteRoomStore(sqlite) if sqlite else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phones", type=int, default=200, help="simulated phones in the room (default 200)")
    ap.add_argument("--url", help="an app (or load balancer) that is already running; default: start one (SQLite)")
    ap.add_argument("--cluster", action="store_true",
                    help="start PostgreSQL, --replicas app replicas and HAProxy on loopback (tools.cluster)")
    ap.add_argument("--replicas", type=int, default=2, help="replicas for --cluster (default 2)")
    ap.add_argument("--pid", action="append", type=int, default=[], help="with --url: a server PID to sample (repeat)")
    ap.add_argument("--rooms-db", type=Path, help="with --url: the app's SQLite rooms file, to check the votes")
    ap.add_argument("--pg-url", help="with --url: the app's PostgreSQL URL, to check the votes")
    ap.add_argument("--deadline", type=float, default=300, help="global time limit in seconds (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="seed for the phones' random answers")
    ap.add_argument("--think", type=float, default=THINK_S,
                    help=f"each phone waits a random 0..THINK s before it taps (default {THINK_S:.0f}: people read the "
                         "question; 0 taps at once, as load_room does, and locks the taps to the polls' phase)")
    ap.add_argument("--settle", type=float, default=10.0,
                    help="seconds between the last phone joining and the first question (default 10; the "
                         "polling-only CPU per phone is measured here)")
    ap.add_argument("--ramp", type=float, default=0.0, help="seconds between two phones joining (default 0)")
    ap.add_argument("--per-address", type=int, default=PER_ADDRESS,
                    help=f"phones per X-Forwarded-For address (default {PER_ADDRESS}, one school network)")
    ap.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for the app servers it starts, to measure a setting before it is "
                         "made (e.g. STREAMLIT_SERVER_FILE_WATCHER_TYPE=none); repeat for several")
    ap.add_argument("--allow-disconnects", action="store_true",
                    help="a websocket closed by the server (the phone reconnects) is not an error, e.g. while a "
                         "replica is killed on purpose; counted either way")
    ap.add_argument("--reloads", type=int, default=0,
                    help="this many phones reload their page after question 2 (a new session from the address)")
    args = ap.parse_args(argv)
    server_env = dict(item.split("=", 1) for item in args.server_env if "=" in item)
    common = dict(deadline_s=args.deadline, seed=args.seed, think=args.think, settle=args.settle, ramp=args.ramp,
                  per_address=args.per_address, reloads=args.reloads, allow_disconnects=args.allow_disconnects)
    ARTIFACT.parent.mkdir(exist_ok=True)
    if args.url:
        pids = {f"pid {p}": p for p in args.pid}
        store = _open_store(sqlite=args.rooms_db, pg_url=args.pg_url)
        summary, run = measure(args.url.rstrip("/"), args.phones, pids=pids, store=store, **common)
    elif args.cluster:
        from tools.cluster import running_cluster

        logs_dir = ARTIFACT.with_name("load_ws_cluster")
        shutil.rmtree(logs_dir, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="load_ws_") as tmp, \
                running_cluster(args.replicas, env=server_env, folder=Path(tmp)) as cluster:
            pids = {r.name: r.pid for r in cluster.replicas}
            store = _open_store(pg_url=cluster.pg_url)
            logs = [r.log_path for r in cluster.replicas]
            summary, run = measure(cluster.url, args.phones, pids=pids, store=store, logs=logs, **common)
            store.close()
            shutil.copytree(tmp, logs_dir, ignore=shutil.ignore_patterns("*.pid", "*.sock"), dirs_exist_ok=True)
    else:
        log = ARTIFACT.with_name("load_ws_streamlit.log")
        with tempfile.TemporaryDirectory(prefix="load_ws_") as tmp:
            db = Path(tmp) / "rooms.sqlite3"
            # trust X-Forwarded-For: the phones come from --per-address simulated networks, not one
            env = {"BESLISBOOM_ROOMS_DB": str(db), "BESLISBOOM_TRUST_PROXY": "1", **server_env}
            with running_app(env=env, log_path=log) as (base, pid):
                store = _open_store(sqlite=db)
                summary, run = measure(base, args.phones, pids={"app": pid}, store=store, logs=[log], **common)
                store.close()
    summary["settings"]["server_env"] = server_env
    print(markdown(summary))
    _write(summary, run)
    print(f"\n(JSON: {ARTIFACT.relative_to(ROOT)})")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
