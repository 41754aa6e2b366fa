"""Load test of workshop mode: one presenter and N phones in one room, in a real browser.

Run: ``python -m bench.load_room [--participants 30] [--deadline 240]`` (or ``make loadtest``).

Why a browser and not AppTest: the cost of a room is N live Streamlit sessions, each polling the
room every 2 s from an ``st.fragment`` over its own websocket, plus the presenter's tally; only
``streamlit run`` driven by real tabs has that shape. Every participant is its own browser
context (= its own Streamlit session) in ONE headless chromium, driven by Playwright's async API,
so 30 phones cost one event loop instead of 30 threads fighting over two cores.

Click-to-render is measured inside the page (``performance.now()`` at the click event until the
"✓" button is in the DOM and the script is idle), so the figure is the app's latency, not the
test harness's queueing. The server's CPU and RSS are sampled from ``/proc`` by a thread.

Not part of the pytest run (it lives outside ``tests/``): it takes minutes and its figures depend
on the machine. Figures go to stdout as Markdown and to ``artifacts/load_room.json``; the exit
code is 1 when anything went wrong (an exception, a timeout, a phone that did not reach a
question or the advice, or a vote that was not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tools.appserver import CHROMIUM_ARGS, ROOT, running_app
from tree import BRANCHES, load_databank
from tree.i18n import t
from tree.workshop.sql_store import SQLiteRoomStore

LANG = "nl"
ARTIFACT = ROOT / "artifacts" / "load_room.json"
PRESENTER_VIEWPORT = {"width": 1920, "height": 1080}
PHONE_VIEWPORT = {"width": 390, "height": 844}
#: Headless tabs are all "visible", but chromium may still throttle timers of tabs it thinks are
#: in the background; a phone in a real room is never backgrounded, so neither are ours.
EXTRA_CHROMIUM_ARGS = [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
#: Longest single wait (a page load, a question to appear, a vote to render); the global deadline caps it.
STEP_TIMEOUT_S = 60.0
#: A cold Streamlit tab is several MB of JavaScript to compile: 30 at once on two cores take long.
LOAD_TIMEOUT_S = 120.0
#: How long a phone waits for the next question: longer than the presenter's straggler wait + tally wait.
QUESTION_TIMEOUT_S = 120.0
#: How long the presenter waits for the last phones to vote before it checks the tally and moves on.
STRAGGLER_TIMEOUT_S = 30.0
#: Everyone joins before the facilitator starts, as in a real workshop; on 2 cores loading 30
#: Streamlit tabs alone takes a minute or more, so joining gets its own, longer wait.
JOIN_TIMEOUT_S = 180.0
#: How long the presenter waits for its own tally to show every vote before moving on anyway.
TALLY_TIMEOUT_S = 15.0
SAMPLE_S = 0.5

#: Every wait runs inside the page, woken by DOM mutations: one round trip per wait instead of
#: Playwright polling 30 tabs ten times a second, which would itself eat most of a core here.
_WAITER = """([arg, ms]) => new Promise((resolve) => {
  const pred = %s;
  const check = () => { if (window.__note) window.__note(); try { return pred(arg); } catch (e) { return false; } };
  if (check()) return resolve(true);
  let timer = null;
  const obs = new MutationObserver(() => {
    if (check()) { obs.disconnect(); clearTimeout(timer); resolve(true); }
  });
  obs.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
  timer = setTimeout(() => { obs.disconnect(); resolve(check()); }, ms);
})"""

#: Installed in every tab: keeps a trail of what the phone showed (script and connection state,
#: headers, stale elements) each time it changed while a wait was running. A stuck phone's trail
#: goes into its error message: it is how the lost question header and the dead poll timer were
#: found (see ui/participant_views.live).
_TRAIL = """() => {
  window.__trail = [];
  window.__note = () => {
    const app = document.querySelector("[data-testid='stApp']");
    const main = document.querySelector("[data-testid='stMain']");
    const heads = main ? [...main.querySelectorAll('h1, h2')].map(h => h.textContent.trim()).join(' | ') : '';
    const state = (name) => app && app.getAttribute(`data-test-${name}-state`);
    const stale = document.querySelectorAll("[data-stale='true']").length;
    const seen = `${state('script')} ${state('connection')} [${heads}] stale=${stale}`;
    const last = window.__trail[window.__trail.length - 1];
    if (!last || last[1] !== seen) window.__trail.push([Math.round(performance.now()), seen]);
    if (window.__trail.length > 200) window.__trail.shift();
  };
}"""

#: The app is connected and idle and, when ``selector`` is given, a fresh (not stale) element in
#: the main area matches it, with exactly ``text`` as its text when that is given.
_SETTLED = """([selector, text]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (selector === null) return true;
  return [...document.querySelectorAll(`[data-testid='stMain'] ${selector}`)]
    .some(el => (text === null || el.textContent.trim() === text) && el.closest("[data-stale='true']") === null);
}"""

#: Arms an in-page stopwatch for one vote: starts at the click on the button labelled ``label``, stops
#: when a fresh "✓ label" button and the "U hebt gestemd" notice are in the DOM and the script is idle.
#: Timed in the page because Playwright's round trips over 30 tabs would otherwise dominate the figure.
_ARM_VOTE = """([label, voted]) => {
  const main = document.querySelector("[data-testid='stMain']");
  const app = document.querySelector("[data-testid='stApp']");
  const want = '✓ ' + label;
  const fresh = (el) => el.closest("[data-stale='true']") === null;
  window.__vote = {start: null, end: null};
  const done = () => {
    if (window.__vote.start === null || window.__vote.end !== null) return;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return;
    const ok = [...main.querySelectorAll('button')].some(b => b.textContent.trim() === want && fresh(b))
      && [...main.querySelectorAll("[data-testid='stAlert']")].some(a => a.textContent.includes(voted) && fresh(a));
    if (ok) {
      window.__vote.end = performance.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(done);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  if (window.__voteClick) document.removeEventListener('click', window.__voteClick, {capture: true});
  window.__voteClick = (e) => {
    const b = e.target.closest && e.target.closest('button');
    if (b && b.textContent.trim() === label && window.__vote.start === null) window.__vote.start = performance.now();
  };
  document.addEventListener('click', window.__voteClick, {capture: true});
}"""

#: What a stuck phone shows: its headers, script and connection state, and its last changes (ms
#: since the tab opened), for the error message.
_SHOWS = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const heads = [...document.querySelectorAll("[data-testid='stMain'] :is(h1, h2)")].map(h => h.textContent.trim());
  const trail = (window.__trail || []).slice(-8).map(([ms, seen]) => `${ms} ms: ${seen}`).join('; ');
  return `${JSON.stringify(heads)}, script ${app && app.getAttribute('data-test-script-state')}, `
    + `connection ${app && app.getAttribute('data-test-connection-state')}; last changes: ${trail}`;
}"""

_VOTE_DONE = "() => window.__vote && window.__vote.end !== null"

#: The projector's tally line ("De zaal — gestemd: N van M") shows at least ``want`` votes.
_TALLY_AT_LEAST = """([pattern, want]) => {
  const main = document.querySelector("[data-testid='stMain']");
  const m = main && main.textContent.match(new RegExp(pattern));
  return m !== null && Number(m[1]) >= want;
}"""

_TALLY = """(pattern) => {
  const main = document.querySelector("[data-testid='stMain']");
  const m = main && main.textContent.match(new RegExp(pattern));
  return m ? Number(m[1]) : null;
}"""


def _post_script_gc() -> bool:
    """Whether the server runs Streamlit's gc.collect(2) after every run (the app's config turns it off)."""
    config = ROOT / ".streamlit" / "config.toml"
    return bool(tomllib.loads(config.read_text(encoding="utf-8")).get("runner", {}).get("postScriptGC", True))


class DeadlineExceeded(Exception):
    """The global deadline passed: the run stops where it is and reports what it got."""


@dataclass
class Question:
    """A question as a phone shows it: the header text and the button labels (options + no preference)."""

    qid: str
    label: str
    options: list[str]


@dataclass
class Participant:
    """What one phone did; filled in as it goes, so a run cut off by the deadline still reports."""

    index: int
    load_s: float | None = None
    join_s: float | None = None
    answered: int = 0  # questions finished (voted and rendered, or failed)
    votes_attempted: int = 0
    votes_rendered: int = 0
    render_ms: list[float] = field(default_factory=list)
    harness_ms: list[float] = field(default_factory=list)
    saw_advice: bool = False
    failed: bool = False


@dataclass
class Samples:
    """Server (streamlit process and its children) and whole-machine load, sampled from /proc."""

    rss_mb: list[float] = field(default_factory=list)
    cpu_pct: list[float] = field(default_factory=list)
    machine_pct: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0


class ProcSampler(threading.Thread):
    """Samples the server's CPU time and RSS every 0.5 s.

    A thread, not a coroutine: the event loop is busy driving 30 tabs and would sample unevenly.
    CPU % is per core (200 % = both cores of a 2-core machine); the machine figure is the share of
    all cores in use, which tells whether the load generator and the server were fighting for CPU.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples = Samples()
        self._halt = threading.Event()
        self._tick = os.sysconf("SC_CLK_TCK")

    def stop(self) -> Samples:
        self._halt.set()
        self.join(timeout=5)
        return self.samples

    def _tree(self) -> list[int]:
        """The server PID and its descendants (streamlit may start helpers; they count too)."""
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            kids = [p for p, pp in parents.items() if pp in frontier]
            tree += kids
            frontier = kids
        return tree

    @staticmethod
    def _cpu_ticks(pid: int) -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)

    @staticmethod
    def _rss_kb(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    @staticmethod
    def _machine() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    def _sample(self) -> tuple[float, float]:
        ticks = rss = 0
        for pid in self._tree():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ticks += self._cpu_ticks(pid)
                rss += self._rss_kb(pid)
        return ticks / self._tick, rss / 1024

    def run(self) -> None:
        start = last_t = time.monotonic()
        first_cpu, _ = self._sample()
        last_cpu = first_cpu
        last_busy, last_total = self._machine()
        while not self._halt.wait(SAMPLE_S):
            try:
                cpu, rss = self._sample()
            except OSError:
                break  # the server is gone
            now = time.monotonic()
            busy, total = self._machine()
            self.samples.rss_mb.append(rss)
            self.samples.cpu_pct.append(100 * (cpu - last_cpu) / max(now - last_t, 1e-6))
            self.samples.machine_pct.append(100 * (busy - last_busy) / max(total - last_total, 1))
            self.samples.cpu_seconds = cpu - first_cpu
            self.samples.wall_seconds = now - start
            last_cpu, last_t, last_busy, last_total = cpu, now, busy, total


class Run:
    """One load-test run: the presenter, N phones and the bookkeeping they share."""

    def __init__(
        self, base: str, n: int, deadline: float, seed: int, ramp: float = 0.0, settle: float = 0.0
    ) -> None:
        self.base = base
        self.ramp = ramp
        self.settle = settle
        self.n = n
        self.deadline = deadline  # time.monotonic() value
        self.rng = random.Random(seed)
        bank = load_databank()
        no_pref = t(LANG, "common.no_preference")
        self.questions = [
            Question(q, bank.taxonomy.question(q).label.get(LANG),
                     [o.label.get(LANG) for o in bank.taxonomy.question(q).options] + [no_pref])
            for q in BRANCHES
        ]
        self.advice = t(LANG, "workshop.advice")
        self.participants = [Participant(i) for i in range(n)]
        self.errors: list[str] = []
        self.code: asyncio.Future[str] | None = None
        self.code_text = ""
        self.tally_shown: dict[str, int | None] = {}
        self.advance_at: dict[int, float] = {}
        self.settings: dict[str, object] = {
            "ramp_s": ramp, "settle_s": settle, "post_script_gc": _post_script_gc(), "deadline_s": None
        }

    def error(self, who: str, err: BaseException | str) -> None:
        text = err if isinstance(err, str) else f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        self.errors.append(f"{who}: {text}")

    def timeout(self, limit: float = STEP_TIMEOUT_S) -> float:
        """Milliseconds for the next wait: ``limit`` or what is left before the deadline, whichever is less."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("global deadline passed")
        return min(limit, left) * 1000

    async def until(
        self, page: Page, predicate: str, arg: object = None, what: str = "", limit: float = STEP_TIMEOUT_S
    ) -> None:
        """Waits in the page until ``predicate(arg)`` holds; raises TimeoutError naming ``what``."""
        ms = self.timeout(limit)
        ok = await asyncio.wait_for(page.evaluate(_WAITER % predicate, [arg, ms]), timeout=ms / 1000 + 10)
        if not ok:
            raise TimeoutError(f"{what or 'condition'} not reached within {ms / 1000:.0f} s")

    async def settled(self, page: Page, selector: str | None = None, text: str | None = None) -> None:
        """Waits until the app is idle (and an element ``selector`` with ``text`` is on screen)."""
        await self.until(page, _SETTLED, [selector, text], f"{selector or 'idle'} {text or ''}".strip())

    async def open(self, context: BrowserContext, path: str) -> Page:
        page = await context.new_page()
        await page.add_init_script(_TRAIL)
        await page.goto(f"{self.base}/{path}", timeout=self.timeout(LOAD_TIMEOUT_S))
        await self.until(page, _SETTLED, [None, None], "first render", limit=LOAD_TIMEOUT_S)
        return page

    # --- the presenter ---------------------------------------------------------------------

    async def presenter(self, browser: Browser) -> None:
        assert self.code is not None
        context = await browser.new_context(viewport=PRESENTER_VIEWPORT, locale="nl-NL")
        try:
            page = await self.open(context, "presenter")
            await page.get_by_role("button", name=t(LANG, "workshop.open_room"), exact=True).click(
                timeout=self.timeout()
            )
            await self.settled(page, ".room-code")
            self.code_text = (await page.locator(".room-code").inner_text()).strip()
            self.code.set_result(self.code_text)
            await self._wait_for(
                lambda: all(p.join_s is not None or p.failed for p in self.participants), limit=JOIN_TIMEOUT_S
            )
            await asyncio.sleep(min(self.settle, max(0.0, self.deadline - time.monotonic())))
            for k, q in enumerate(self.questions, start=1):
                await self._next(page)
                await self.settled(page, "h1", q.label)
                self.advance_at[k] = time.monotonic()
                await self._wait_for(lambda k=k: all(p.answered >= k or p.failed for p in self.participants))
                self.tally_shown[q.qid] = await self._tally(page, q, k)
            await self._next(page)
            await self.settled(page, "h1", self.advice)
            self.advance_at[len(self.questions) + 1] = time.monotonic()
        except Exception as err:
            if self.code is not None and not self.code.done():
                self.code.set_exception(err)
            self.error("presenter", err)
            raise
        finally:
            await context.close()

    async def _next(self, page: Page) -> None:
        # not exact: the button's name ends with its shortcut hint ("Volgende → PageDown")
        await page.get_by_role("button", name=t(LANG, "workshop.next")).click(timeout=self.timeout())

    async def _wait_for(self, condition: Callable[[], bool], limit: float = STRAGGLER_TIMEOUT_S) -> None:
        """Waits (without a browser) until every phone is done with a step, or the timeout."""
        end = time.monotonic() + limit
        while not condition():
            if time.monotonic() > min(end, self.deadline):
                return  # the phones that are late report their own timeouts
            await asyncio.sleep(0.1)

    async def _tally(self, page: Page, q: Question, k: int) -> int | None:
        """The vote count the projector shows once it has caught up (its fragment polls every 2 s)."""
        want = sum(1 for p in self.participants if p.votes_attempted >= k)
        pattern = re.escape(t(LANG, "workshop.room_votes", n="NN", people="PP")).replace("NN", r"(\d+)").replace(
            "PP", r"(\d+)"
        )
        with contextlib.suppress(TimeoutError):
            await self.until(page, _TALLY_AT_LEAST, [pattern, want], "tally", limit=TALLY_TIMEOUT_S)
        shown: int | None = await page.evaluate(_TALLY, pattern)
        if shown is None or shown < want:
            self.error("presenter", f"tally for {q.qid} showed {shown} of {want} votes after {TALLY_TIMEOUT_S:.0f} s")
        return shown

    # --- a phone ---------------------------------------------------------------------------

    async def participant(self, browser: Browser, p: Participant) -> None:
        rng = random.Random(self.rng.random())
        context = await browser.new_context(viewport=PHONE_VIEWPORT, locale="nl-NL", has_touch=True)
        where = "join"
        try:
            assert self.code is not None
            code = await self.code
            await asyncio.sleep(p.index * self.ramp)
            t0 = time.monotonic()
            page = await self.open(context, f"kamer?code={code}")
            await self.settled(page, "button", t(LANG, "workshop.join"))
            p.load_s = time.monotonic() - t0
            t0 = time.monotonic()
            await page.get_by_role("button", name=t(LANG, "workshop.join"), exact=True).click(timeout=self.timeout())
            await self.settled(page, "[data-testid='stCaptionContainer']", t(LANG, "workshop.in_room", code=code))
            p.join_s = time.monotonic() - t0
            main = page.get_by_test_id("stMain")
            for k, q in enumerate(self.questions, start=1):
                where = q.qid
                await self.until(page, _SETTLED, ["h2", q.label], f"h2 {q.label}", limit=QUESTION_TIMEOUT_S)
                choice = rng.choice(q.options)
                await page.evaluate(_ARM_VOTE, [choice, t(LANG, "workshop.voted")])
                p.votes_attempted += 1
                t0 = time.monotonic()
                await main.get_by_role("button", name=choice, exact=True).click(timeout=self.timeout())
                await self.until(page, _VOTE_DONE, None, f"'✓ {choice}'")
                p.harness_ms.append((time.monotonic() - t0) * 1000)
                p.render_ms.append(await page.evaluate("() => window.__vote.end - window.__vote.start"))
                p.votes_rendered += 1
                p.answered = k
            where = "advice"
            await self.until(page, _SETTLED, ["h2", self.advice], "h2 advice", limit=QUESTION_TIMEOUT_S)
            await self.settled(page, "h3")  # the instrument cards
            p.saw_advice = True
            if await page.get_by_test_id("stException").count():
                raise AssertionError("a Streamlit exception is on the page")
        except Exception as err:
            p.failed = True
            self.error(f"participant {p.index} at {where}", f"{type(err).__name__}: {str(err).splitlines()[0]}"
                       f" (page shows: {await self._what_shows(context, p.index)})")
        finally:
            await context.close()

    @staticmethod
    async def _what_shows(context: BrowserContext, index: int) -> str:
        """The headers and script state of a phone that failed, plus a screenshot: why it was stuck."""
        try:
            page = context.pages[0]
            ARTIFACT.parent.mkdir(exist_ok=True)
            await asyncio.wait_for(page.screenshot(path=ARTIFACT.with_name(f"load_room_fail_{index}.png")), 10)
            return await asyncio.wait_for(page.evaluate(_SHOWS), 10)
        except Exception as err:
            return f"unknown ({type(err).__name__})"

    async def drive(self) -> None:
        self.code = asyncio.get_running_loop().create_future()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS + EXTRA_CHROMIUM_ARGS
            )
            try:
                await asyncio.gather(
                    self.presenter(browser),
                    *(self.participant(browser, p) for p in self.participants),
                    return_exceptions=True,
                )
            finally:
                await browser.close()


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no data (a run that never got that far)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summarise(run: Run, samples: Samples, accepted: int | None, wall: float, db_tally: dict[str, int]) -> dict:
    """The figures, as one flat dict: the Markdown table and the JSON artifact show the same."""
    ps = run.participants
    render = [ms for p in ps for ms in p.render_ms]
    harness = [ms for p in ps for ms in p.harness_ms]
    joins = [p.join_s * 1000 for p in ps if p.join_s is not None]
    loads = [p.load_s * 1000 for p in ps if p.load_s is not None]
    errors = list(run.errors)
    attempted = sum(p.votes_attempted for p in ps)
    if accepted is not None and accepted < attempted:
        errors.append(f"database: {accepted} of {attempted} attempted votes stored")
    missing = [p.index for p in ps if not p.saw_advice and not p.failed]
    if missing:
        errors.append(f"{len(missing)} participant(s) never reached the advice (cut off): {missing}")

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    return {
        "participants": run.n,
        "settings": run.settings,
        "participants_reached_advice": sum(p.saw_advice for p in ps),
        "votes_attempted": attempted,
        "votes_accepted": accepted,
        "votes_per_question_db": db_tally,
        "tally_shown_on_projector": run.tally_shown,
        "errors": len(errors),
        "error_messages": errors,
        "click_to_render_ms": {"p50": r(percentile(render, 50)), "p95": r(percentile(render, 95)),
                               "max": r(max(render) if render else None), "n": len(render)},
        "click_to_render_harness_ms": {"p50": r(percentile(harness, 50)), "p95": r(percentile(harness, 95)),
                                       "max": r(max(harness) if harness else None)},
        "page_load_ms": {"p50": r(percentile(loads, 50)), "p95": r(percentile(loads, 95))},
        "join_ms": {"p50": r(percentile(joins, 50)), "p95": r(percentile(joins, 95))},
        "server_peak_rss_mb": r(max(samples.rss_mb) if samples.rss_mb else None),
        "server_cpu_mean_pct": r(100 * samples.cpu_seconds / samples.wall_seconds if samples.wall_seconds else None),
        "server_cpu_peak_pct": r(max(samples.cpu_pct) if samples.cpu_pct else None),
        "machine_cpu_mean_pct": r(statistics.fmean(samples.machine_pct) if samples.machine_pct else None),
        "machine_cpu_peak_pct": r(max(samples.machine_pct) if samples.machine_pct else None),
        "cpu_cores": os.cpu_count(),
        "wall_s": round(wall, 1),
    }


def markdown(s: dict) -> str:
    """The figures as a Markdown table (what the README's bench section asks for)."""

    def f(x: float | None, unit: str = "") -> str:
        return "—" if x is None else f"{x:,.0f}{unit}"

    c, j = s["click_to_render_ms"], s["join_ms"]
    rows = [
        ("participants", f"{s['participants']} ({s['participants_reached_advice']} reached the advice)"),
        ("votes attempted / accepted", f"{s['votes_attempted']} / {f(s['votes_accepted'])}"),
        ("errors", str(s["errors"])),
        ("click-to-render p50 / p95 / max", f"{f(c['p50'])} / {f(c['p95'])} / {f(c['max'])} ms (n={c['n']})"),
        ("join p50 / p95", f"{f(j['p50'])} / {f(j['p95'])} ms"),
        ("page load p50 / p95", f"{f(s['page_load_ms']['p50'])} / {f(s['page_load_ms']['p95'])} ms"),
        ("server peak RSS", f(s["server_peak_rss_mb"], " MB")),
        ("server CPU mean / peak (100 % = 1 core)",
         f"{f(s['server_cpu_mean_pct'], ' %')} / {f(s['server_cpu_peak_pct'], ' %')}"),
        (f"machine CPU mean / peak ({s['cpu_cores']} cores, incl. chromium)",
         f"{f(s['machine_cpu_mean_pct'], ' %')} / {f(s['machine_cpu_peak_pct'], ' %')}"),
        ("total wall time", f"{s['wall_s']:.0f} s"),
        ("settings", ", ".join(f"{k}={v}" for k, v in s["settings"].items())),
    ]
    lines = ["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    if s["error_messages"]:
        lines += ["", "Errors:", *(f"- {e}" for e in s["error_messages"][:20])]
        if len(s["error_messages"]) > 20:
            lines.append(f"- … and {len(s['error_messages']) - 20} more (see {ARTIFACT.relative_to(ROOT)})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=30, help="phones in the room (default 30)")
    ap.add_argument("--deadline", type=float, default=240, help="global time limit in seconds (default 240)")
    ap.add_argument("--seed", type=int, default=1, help="seed for the phones' random answers")
    ap.add_argument("--settle", type=float, default=10.0,
                    help="seconds the facilitator talks between the last phone joining and the first question"
                         " (default 10; 0 starts at once, while 30 tabs are still busy with their first render)")
    ap.add_argument("--ramp", type=float, default=0.0,
                    help="seconds between two phones opening the join page (default 0: all at once)")
    args = ap.parse_args(argv)
    if not shutil.which("chromium"):
        print("chromium is not installed: run scripts/ensure-chromium", file=sys.stderr)
        return 2
    started = time.monotonic()
    deadline = started + args.deadline
    ARTIFACT.parent.mkdir(exist_ok=True)
    for stale in ARTIFACT.parent.glob("load_room_fail_*.png"):
        stale.unlink()  # screenshots of an earlier run would pass for this run's failures
    log = ARTIFACT.with_name("load_room_streamlit.log")
    with tempfile.TemporaryDirectory(prefix="load_room_") as tmp:
        db = Path(tmp) / "rooms.sqlite3"
        env = {"BESLISBOOM_ROOMS_DB": str(db)}
        with running_app(env=env, log_path=log) as (base, pid):
            sampler = ProcSampler(pid)
            sampler.start()
            run = Run(base, args.participants, deadline, args.seed, args.ramp, args.settle)
            run.settings.update(deadline_s=args.deadline)
            try:
                asyncio.run(asyncio.wait_for(run.drive(), timeout=max(1.0, deadline - time.monotonic())))
            except TimeoutError:
                run.error("run", f"global deadline of {args.deadline:.0f} s passed")
            finally:
                samples = sampler.stop()
        wall = time.monotonic() - started
        accepted: int | None = None
        db_tally: dict[str, int] = {}
        if run.code_text and db.exists():
            store = SQLiteRoomStore(db)
            db_tally = {q: sum(store.tally(run.code_text, q).values()) for q in BRANCHES}
            accepted = sum(db_tally.values())
            store.close()
        if any("Traceback" in line for line in log.read_text(errors="replace").splitlines()):
            run.error("server", "a traceback in the streamlit log")
    summary = summarise(run, samples, accepted, wall, db_tally)
    print(markdown(summary))
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps({**summary, "participants_detail": [asdict(p) for p in run.participants]},
                                   indent=2), encoding="utf-8")
    print(f"\n(JSON: {ARTIFACT.relative_to(ROOT)})")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
