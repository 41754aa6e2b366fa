"""A Streamlit client without a browser: a simulated phone (or projector) for load runs.

Why: a headless chromium tab costs about 100 MB and a good share of a core while it parses and
renders, so on a 2-core machine the Chromium load test (``bench/load_room.py``) runs out of
browser long before the server runs out of anything. What the *server* sees of a phone is one
websocket carrying protobuf messages; this module speaks exactly that, with the protobufs shipped
in the ``streamlit`` package, so a simulated phone costs a few hundred kB and well under a
millisecond of CPU per poll.

What a Streamlit 1.67 browser tab does, read from the server (``web/server/starlette``,
``runtime``) and the frontend bundle, and confirmed by logging a real chromium tab's frames;
:class:`StreamlitPage` does the same:

- It loads the page over HTTP first; cookies set there travel with the websocket (HAProxy's sticky
  cookie, Streamlit's ``_streamlit_xsrf``). Then ``ws://host/_stcore/stream`` with the subprotocols
  ``streamlit``, the xsrf cookie (or ``PLACEHOLDER_AUTH_TOKEN``) and, when reconnecting, the last
  session id; the ``Origin`` header is the page's own.
- The first BackMsg is ``rerun_script`` with the address's ``query_string``, the ``page_name``
  (the URL path) and ``context_info``; later ones carry the ``page_script_hash`` of the page
  ``st.navigation`` chose (from its ``navigation`` ForwardMsg; ``new_session`` names app.py) and
  the widget states (a button press is a ``WidgetState`` with ``trigger_value``).
- Every run starts with a ``new_session`` ForwardMsg (its metadata names the run and, for a fragment
  run, the fragments) and ends with ``script_finished``. Deltas address elements by
  ``metadata.delta_path``; when a full run finishes, every element it did not write is stale and
  goes; when a fragment run finishes, the fragment's stale elements go.
- ``page_info_changed`` is ``st.query_params`` changing the address; the next rerun sends it, and a
  reload starts from it (that is how a phone keeps its ``deelnemer`` token).
- ``auto_rerun`` (``@st.fragment(run_every=…)``) starts a client-side interval timer that sends
  ``rerun_script`` with the fragment id and ``is_auto_rerun``; the server does not poll by itself.
  A full run's ``new_session`` clears all timers, ``stop_auto_rerun`` some.
- Messages marked ``cacheable`` are kept, their hashes go with every rerun, and the server may then
  answer with a ``ref_hash`` instead of the message (aged out after ``maxCachedMessageAge`` runs).

Not done, because the server does not see it: rendering, media and static-asset fetches, component
JavaScript. One exception: the participant page writes a cookie from a ``components.html`` script;
:class:`StreamlitPage` applies ``document.cookie = "…"`` lines from such a component itself, so a
second tab of the same phone finds it, as in a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from tree import BRANCHES
from tree.i18n import t

LANG = "nl"
USER_AGENT = "beslisboom-bench-ws/1 (simulated phone)"
#: What the browser sends when it has no xsrf cookie (the frontend's own fallback).
NO_XSRF = "PLACEHOLDER_AUTH_TOKEN"
_FINISHED = ForwardMsg.ScriptFinishedStatus
_ALERT = {1: "error", 2: "warning", 3: "info", 4: "success"}
_COOKIE_JS = re.compile(r"document\.cookie\s*=\s*(\"(?:[^\"\\]|\\.)*\")")


class PageError(Exception):
    """The page did not get where it should (timeout, closed socket, an exception on the page)."""


@dataclass
class Node:
    """One element or block as the browser would hold it: enough to find texts and widgets."""

    path: tuple[int, ...]
    kind: str  # element type (heading, markdown, button, alert, html, …) or "block"
    text: str = ""  # heading/markdown/alert/html body, button label
    widget_id: str = ""
    detail: str = ""  # heading tag, alert format, markdown type, block type
    fragment_id: str = ""
    run_id: str = ""

    @property
    def key(self) -> str:
        """The widget's ``key=`` (Streamlit ids look like ``$$ID-<hash>-<key>``); "" without one."""
        return self.widget_id.split("-", 2)[2] if self.widget_id.startswith("$$ID-") else ""


@dataclass
class Run:
    """One script run as the client saw it: from its ``new_session`` to its ``script_finished``."""

    run_id: str
    fragment_ids: tuple[str, ...]
    started: float  # time.monotonic() at new_session
    finished: float | None = None
    status: str = ""


@dataclass
class _Waiter:
    predicate: Callable[[StreamlitPage], bool]
    since: float
    future: asyncio.Future[Run]


@dataclass
class Traffic:
    """What went over this page's websocket(s), for the per-phone cost figures."""

    sent: int = 0
    received: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    runs: int = 0
    fragment_runs: int = 0
    auto_reruns: int = 0
    stopped_timers: int = 0  # fragment timers the server cancelled (stop_auto_rerun)
    cut_short: int = 0  # runs that ended early (FINISHED_EARLY_FOR_RERUN) or failed to compile
    connects: int = 0
    disconnects: int = 0


async def http_get(url: str, headers: Mapping[str, str], timeout: float = 30.0) -> tuple[int, list[tuple[str, str]]]:
    """One HTTP/1.1 GET; returns the status and the response headers (the body is read and dropped).

    A page load is what gives a browser its cookies (the load balancer's sticky cookie among them);
    a plain socket keeps the load generator free of another HTTP library.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close", "Accept: text/html"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1]) if head and len(head[0].split()) > 1 else 0
    found = []
    for line in head[1:]:
        name, _, value = line.partition(":")
        found.append((name.strip().lower(), value.strip()))
    return status, found


def _cookie_pair(text: str) -> tuple[str, str] | None:
    name, sep, value = text.split(";", 1)[0].strip().partition("=")
    return (name.strip(), value.strip()) if sep and name.strip() else None


class StreamlitPage:
    """One browser tab on one page of a Streamlit app, over the websocket protocol only.

    ``base`` is the app's (or the load balancer's) URL, ``path`` the page (``kamer``), ``query`` the
    address's query string. ``headers`` go with the page load and the websocket (a simulated phone
    sends its own ``X-Forwarded-For`` there). ``on_finish`` is called after every completed run, so a
    caller can record what the page showed at that moment (the projector's tally).
    """

    def __init__(
        self,
        base: str,
        path: str,
        query: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        locale: str = "nl-NL",
        name: str = "",
        auto_reconnect: bool = True,
        on_finish: Callable[[StreamlitPage, Run], None] | None = None,
    ) -> None:
        self.base = base.rstrip("/")
        self.path = path.strip("/")
        self.query = query
        self.headers = dict(headers or {})
        self.locale = locale
        self.name = name or path
        self.auto_reconnect = auto_reconnect
        self.on_finish = on_finish
        self.cookies: dict[str, str] = {}
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.values: dict[str, WidgetState] = {}  # widget id -> its current (non-trigger) value
        self.session_id = ""
        self.page_script_hash = ""
        self.runs: list[Run] = []
        self.current: Run | None = None
        self.errors: list[str] = []
        self.traffic = Traffic()
        self.closes: list[tuple[float, int | None]] = []  # unexpected closes: when (monotonic), close code
        self._ws: websockets.ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._timers: dict[str, tuple[float, asyncio.Task[None]]] = {}
        self._waiters: list[_Waiter] = []
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}
        self._cache_runs = 0
        self._max_cache_age = 2
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None

    # --- connecting ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{self.base}/{self.path}" + (f"?{self.query}" if self.query else "")

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.state is websockets.State.OPEN

    def params(self) -> dict[str, str]:
        """The address's query parameters now (what ``st.query_params`` last set)."""
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def open(self, timeout: float = 60.0) -> None:
        """Loads the page (for its cookies), connects and asks for the first run, as a new tab does."""
        status, headers = await http_get(
            self.url, {"User-Agent": USER_AGENT, **self.headers, **self._cookie_header()}, timeout
        )
        if status != 200:
            raise PageError(f"{self.name}: GET {self.url} answered {status}")
        for name, value in headers:
            if name == "set-cookie" and (pair := _cookie_pair(value)):
                self.cookies[pair[0]] = pair[1]
        await self._connect(resume=False, timeout=timeout)
        await self._send_rerun(first=True)

    async def _connect(self, *, resume: bool, timeout: float) -> None:
        parts = urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        protocols = ["streamlit", self.cookies.get("_streamlit_xsrf") or NO_XSRF]
        if resume and self.session_id:
            protocols.append(self.session_id)
        self._ws = await websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream",
            subprotocols=protocols,  # type: ignore[arg-type]
            additional_headers={**self.headers, **self._cookie_header()},
            user_agent_header=USER_AGENT,
            origin=f"{parts.scheme}://{parts.netloc}",  # type: ignore[arg-type]
            proxy=None,  # loopback; never an HTTP proxy from the environment
            open_timeout=timeout,
            ping_interval=None,  # a browser never pings; the server's pings are answered anyway
            max_size=None,
        )
        self.traffic.connects += 1
        self._reader = asyncio.create_task(self._read(self._ws), name=f"read {self.name}")

    async def close(self) -> None:
        """Closes the tab: no timers, no reconnect, socket closed."""
        self._closing = True
        self._stop_timers()
        if self._reconnecting:
            self._reconnecting.cancel()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 5)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        self._fail_waiters(PageError(f"{self.name}: closed"))

    async def reload(self, timeout: float = 60.0) -> None:
        """A reload (or a new tab on the same address): a fresh session that starts from the address.

        The cookies stay, as in a browser; the session id does not. This is how a phone that lost its
        replica, or whose user pulled to refresh, comes back: with ``?code=…&deelnemer=…``.
        """
        await self.close()
        self._closing = False
        self.nodes.clear()
        self.values.clear()
        self.session_id = ""
        self.page_script_hash = ""
        self.current = None
        self._cache.clear()
        await self.open(timeout)

    async def reconnect(self, timeout: float = 60.0) -> None:
        """A dropped websocket coming back, as the browser's connection manager does it.

        It offers the old session id (the same server may still hold the session) and then asks for
        a full rerun with the current address; a server that does not know the id starts a new
        session, which the app resumes from the address.
        """
        old, self._ws = self._ws, None  # its reader must not take this close for a dropped line
        if old is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.close(), 5)
        self._stop_timers()
        await self._connect(resume=True, timeout=timeout)
        await self._send_rerun()

    async def _reconnect_soon(self) -> None:
        """After an unexpected close: retry like the browser (growing waits), for up to a minute."""
        delay, last = 0.5, "gave up"
        end = time.monotonic() + 60
        while not self._closing and time.monotonic() < end:
            await asyncio.sleep(delay)
            try:
                await self.reconnect(timeout=10)
                return
            except Exception as err:  # keep trying; report once it is given up
                last = f"{type(err).__name__}: {err}"
            delay = min(delay * 2, 5)
        if not self._closing:
            self.errors.append(f"{self.name}: could not reconnect ({last})")
            self._fail_waiters(PageError(f"{self.name}: connection lost"))

    # --- sending ------------------------------------------------------------------------------

    def _context(self, msg: BackMsg) -> None:
        ctx = msg.rerun_script.context_info
        ctx.timezone = "Europe/Amsterdam"
        ctx.timezone_offset = -60
        ctx.locale = self.locale
        ctx.url = f"{self.base}/{self.path}"
        ctx.is_embedded = False
        ctx.color_scheme = "light"

    async def _send(self, msg: BackMsg) -> float:
        if self._ws is None:
            raise PageError(f"{self.name}: not connected")
        data = msg.SerializeToString()
        sent = time.monotonic()
        await self._ws.send(data)
        self.traffic.sent += 1
        self.traffic.bytes_out += len(data)
        return sent

    async def _send_rerun(
        self, *, first: bool = False, fragment_id: str = "", auto: bool = False, trigger: str = ""
    ) -> float:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        if first or not self.page_script_hash:
            rs.page_name = self.path
        else:
            rs.page_script_hash = self.page_script_hash
        rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        rs.widget_states.SetInParent()
        for wid, state in self.values.items():
            if wid != trigger:
                rs.widget_states.widgets.add().CopyFrom(state)
        if trigger:
            rs.widget_states.widgets.add(id=trigger, trigger_value=True)
        rs.cached_message_hashes.extend(self._cache)
        self._context(msg)
        return await self._send(msg)

    async def click(self, widget_id: str, fragment_id: str = "") -> float:
        """Presses a button; returns the moment the message went out (time.monotonic()).

        A button inside a fragment reruns only that fragment, as in the browser (the element's
        delta carries its fragment id).
        """
        return await self._send_rerun(fragment_id=fragment_id, trigger=widget_id)

    async def press(self, node: Node) -> float:
        return await self.click(node.widget_id, node.fragment_id)

    def type_text(self, widget_id: str, text: str) -> None:
        """Sets a text input's value; it goes with the next rerun (Streamlit sends it on blur/Enter)."""
        self.values[widget_id] = WidgetState(id=widget_id, string_value=text)

    # --- receiving ----------------------------------------------------------------------------

    async def _read(self, ws: websockets.ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.monotonic()
                data = raw if isinstance(raw, bytes) else raw.encode()
                self.traffic.received += 1
                self.traffic.bytes_in += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg, now)
        except websockets.ConnectionClosed:
            pass
        except Exception as err:
            self.errors.append(f"{self.name}: reading failed: {type(err).__name__}: {err}")
        if ws is self._ws and not self._closing:
            self.traffic.disconnects += 1
            self.closes.append((time.monotonic(), ws.close_code))
            self._stop_timers()
            if self.auto_reconnect:
                self._reconnecting = asyncio.create_task(self._reconnect_soon())
            else:
                self._fail_waiters(PageError(f"{self.name}: connection closed by the server"))

    def _handle(self, msg: ForwardMsg, now: float) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.errors.append(f"{self.name}: server referred to a message not in the cache")
                return
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            self._cache[msg.ref_hash] = (cached[0], self._cache_runs)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (msg, self._cache_runs)
        if kind == "new_session":
            self._new_session(msg, now)
        elif kind == "delta":
            self._delta(msg)
        elif kind == "navigation" and msg.navigation.page_script_hash:
            self.page_script_hash = msg.navigation.page_script_hash  # st.navigation's page, not app.py
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.traffic.stopped_timers += 1
                self._stop_timer(fid)
        elif kind == "script_finished":
            self._finished(msg, now)
        elif kind == "page_not_found":
            self.errors.append(f"{self.name}: page not found ({msg.page_not_found.page_name})")
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            self.errors.append(f"{self.name}: script compilation error")

    def _new_session(self, msg: ForwardMsg, now: float) -> None:
        ns = msg.new_session
        run = msg.metadata.run
        self.current = Run(run.script_run_id, tuple(run.fragment_ids), now)
        if ns.HasField("initialize") and ns.initialize.session_id:
            self.session_id = ns.initialize.session_id
        if ns.HasField("config") and ns.config.max_cached_message_age:
            self._max_cache_age = ns.config.max_cached_message_age
        if not self.current.fragment_ids:
            self._stop_timers()  # the browser's cleanupAutoReruns: a full run re-registers its fragments
        self.traffic.runs += 1
        self.traffic.fragment_runs += bool(self.current.fragment_ids)

    def _delta(self, msg: ForwardMsg) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        run_id = self.current.run_id if self.current else ""
        which = delta.WhichOneof("type")
        if which == "add_block":
            self.nodes[path] = Node(path, "block", detail=str(delta.add_block.WhichOneof("type")),
                                    fragment_id=delta.fragment_id, run_id=run_id)
            return
        if which != "new_element":
            return  # transient elements (toasts, spinners) carry nothing a phone needs
        el = delta.new_element
        kind = el.WhichOneof("type") or ""
        node = Node(path, kind, fragment_id=delta.fragment_id, run_id=run_id)
        if kind == "heading":
            node.text, node.detail = el.heading.body, el.heading.tag
        elif kind == "markdown":
            node.text, node.detail = el.markdown.body, str(el.markdown.element_type)
        elif kind == "alert":
            node.text, node.detail = el.alert.body, _ALERT.get(el.alert.format, "")
        elif kind == "button":
            node.text, node.widget_id = el.button.label, el.button.id
            node.detail = "disabled" if el.button.disabled else ""
        elif kind == "html":
            node.text = el.html.body
        elif kind == "text_input":
            ti = el.text_input
            node.text, node.widget_id = ti.label, ti.id
            self.values.setdefault(ti.id, WidgetState(id=ti.id, string_value=ti.value if ti.set_value else ti.default))
        elif kind == "iframe":
            self._component_cookie(el.iframe.srcdoc)
        elif kind == "exception":
            node.text = f"{el.exception.type}: {el.exception.message}"
            self.errors.append(f"{self.name}: exception on the page: {node.text[:200]}")
        self.nodes[path] = node

    def _component_cookie(self, srcdoc: str) -> None:
        """``document.cookie = "name=value; …"`` in a same-origin component: the browser would set it."""
        for literal in _COOKIE_JS.findall(srcdoc or ""):
            with contextlib.suppress(ValueError):
                pair = _cookie_pair(json.loads(literal))
                if pair:
                    self.cookies[pair[0]] = pair[1]

    def _finished(self, msg: ForwardMsg, now: float) -> None:
        status = msg.script_finished
        run = self.current or Run(msg.metadata.run.script_run_id, tuple(msg.metadata.run.fragment_ids), now)
        run.finished, run.status = now, _FINISHED.Name(status)
        self.current = None
        if status == _FINISHED.FINISHED_SUCCESSFULLY:
            self.nodes = {p: n for p, n in self.nodes.items() if n.run_id == run.run_id}
            self._age_cache(())
        elif status == _FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            self.nodes = {
                p: n for p, n in self.nodes.items() if n.fragment_id not in run.fragment_ids or n.run_id == run.run_id
            }
            self._age_cache(run.fragment_ids)
        else:
            self.traffic.cut_short += 1
            self.runs.append(run)
            return  # cut short for a rerun (or a compile error): the browser keeps the old, stale view
        self.runs.append(run)
        if len(self.runs) > 200:
            del self.runs[:100]
        if self.on_finish:
            self.on_finish(self, run)
        for waiter in list(self._waiters):
            if waiter.future.done():
                self._waiters.remove(waiter)
            elif run.started >= waiter.since and self._holds(waiter.predicate):
                waiter.future.set_result(run)
                self._waiters.remove(waiter)

    def _holds(self, predicate: Callable[[StreamlitPage], bool]) -> bool:
        try:
            return bool(predicate(self))
        except Exception:
            return False

    def _age_cache(self, fragment_ids: Sequence[str]) -> None:
        """The browser's ForwardMsgCache: count runs, drop messages unused for too many of them."""
        self._cache_runs += 1
        for key, (msg, used) in list(self._cache.items()):
            fid = msg.delta.fragment_id if msg.HasField("delta") else ""
            if fragment_ids and fid not in fragment_ids:
                continue
            if self._cache_runs - used > self._max_cache_age:
                del self._cache[key]

    # --- fragment timers ----------------------------------------------------------------------

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if not fragment_id or interval <= 0:
            return
        known = self._timers.get(fragment_id)
        if known and known[0] == interval:
            return  # the frontend keeps a running timer with the same interval
        self._stop_timer(fragment_id)
        task = asyncio.create_task(self._every(fragment_id, interval), name=f"poll {self.name}")
        self._timers[fragment_id] = (interval, task)

    async def _every(self, fragment_id: str, interval: float) -> None:
        """``setInterval``: a steady beat from when the fragment was registered."""
        loop = asyncio.get_running_loop()
        start, beat = loop.time(), 1
        while True:
            await asyncio.sleep(max(0.0, start + beat * interval - loop.time()))
            beat += 1
            if self.connected:
                self.traffic.auto_reruns += 1
                with contextlib.suppress(Exception):
                    await self._send_rerun(fragment_id=fragment_id, auto=True)

    def _stop_timer(self, fragment_id: str) -> None:
        known = self._timers.pop(fragment_id, None)
        if known:
            known[1].cancel()

    def _stop_timers(self) -> None:
        for fid in list(self._timers):
            self._stop_timer(fid)

    # --- waiting and reading the page ----------------------------------------------------------

    @property
    def idle(self) -> bool:
        return self.current is None and bool(self.runs)

    async def wait(
        self, predicate: Callable[[StreamlitPage], bool], timeout: float, what: str = "", since: float | None = None
    ) -> Run | None:
        """Waits for a completed run (started at or after ``since``) after which ``predicate`` holds.

        Without ``since`` a page that is idle and already shows it returns at once (None): like
        load_room's in-page waits, "idle and showing it" is the condition, checked when a run ends.
        """
        if since is None and self.idle and self._holds(predicate):
            return None
        future: asyncio.Future[Run] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(predicate, since if since is not None else 0.0, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, max(timeout, 0.01))
        except TimeoutError:
            raise TimeoutError(f"{what or 'condition'} not reached within {timeout:.0f} s") from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _fail_waiters(self, err: Exception) -> None:
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.set_exception(err)
        self._waiters.clear()

    def ordered(self) -> list[Node]:
        """Elements in reading order (main area first, as on screen)."""
        return [self.nodes[p] for p in sorted(self.nodes)]

    def find(self, kind: str, *, text: str | None = None, detail: str | None = None) -> list[Node]:
        return [
            n for n in self.ordered()
            if n.kind == kind and (text is None or n.text == text) and (detail is None or n.detail == detail)
        ]

    def button(self, key: str) -> Node | None:
        """The button with widget key ``key`` (keys are stable, labels carry "✓ " and translations)."""
        return next((n for n in self.ordered() if n.kind == "button" and n.key == key), None)

    def shows(self) -> str:
        """What the page shows, in one line: for the error message of a page that got stuck."""
        heads = [n.text for n in self.ordered() if n.kind == "heading"]
        alerts = [f"{n.detail}: {n.text[:60]}" for n in self.ordered() if n.kind == "alert"]
        state = "running" if self.current else "idle"
        last = self.runs[-1].finished if self.runs and self.runs[-1].finished else None
        ago = f"{time.monotonic() - last:.1f} s ago" if last else "never"
        return (f"{json.dumps(heads, ensure_ascii=False)}, {len(self.find('button'))} buttons, alerts {alerts}, "
                f"script {state}, last run ended {ago}, {len(self._timers)} poll timer(s), "
                f"{'connected' if self.connected else 'disconnected'}, address ?{self.query}")


# --- the workshop's two pages -------------------------------------------------------------------


def _tally_pattern() -> re.Pattern[str]:
    """The projector's tally line ("De zaal — gestemd: N van M") as a regex, from the locale."""
    text = re.escape(t(LANG, "workshop.room_votes", n="NN", people="PP"))
    return re.compile(text.replace("NN", r"(\d+)").replace("PP", r"(\d+)"))


_BAR = re.compile(r'<span class="label">(.*?)</span>.*?<span class="n">(\d+)</span>', re.S)


@dataclass
class Tally:
    """What the projector showed for the room's votes at the end of one of its runs."""

    at: float  # time.monotonic() when the run's script_finished arrived
    step: int
    count: int
    people: int
    bars: dict[str, int] = field(default_factory=dict)


class Presenter:
    """The projector: opens a room on ``/presenter``, walks the questions, records every tally it shows.

    It drives the real presenter page (the room is created by the app, through its rate limits, and
    the address then carries ``kamer`` and ``sleutel``), so the projector's own polling fragment is
    part of the load, as in a workshop.
    """

    def __init__(self, base: str, *, headers: Mapping[str, str] | None = None) -> None:
        self.page = StreamlitPage(base, "presenter", headers=headers, name="presenter", on_finish=self._seen)
        self.code = ""
        self.host_key = ""
        self.tallies: list[Tally] = []
        self.moved: dict[int, float] = {}  # step -> when its "Volgende" went out
        self._pattern = _tally_pattern()

    @property
    def step(self) -> int:
        """The step in the presenter's address (``stap``); the advice has none."""
        value = self.page.params().get("stap")
        return int(value) if value and value.isdigit() else len(BRANCHES) + 1

    def _seen(self, page: StreamlitPage, run: Run) -> None:
        for node in page.ordered():
            if node.kind == "markdown" and (m := self._pattern.search(node.text)):
                bars: dict[str, int] = {}
                for other in page.ordered():
                    if other.kind == "html" and other.text.startswith('<ul class="bars"'):
                        bars = {html.unescape(label): int(n) for label, n in _BAR.findall(other.text)}
                assert run.finished is not None
                self.tallies.append(Tally(run.finished, self.step, int(m.group(1)), int(m.group(2)), bars))
                return

    async def open_room(self, timeout: float) -> str:
        """Opens the page, presses *Open een kamer*, returns the room code as shown (``ABCD-EFGH``)."""
        await self.page.open(timeout)
        await self.page.wait(lambda p: p.button("open_room") is not None, timeout, "the open-room button")
        button = self.page.button("open_room")
        assert button is not None
        sent = await self.page.press(button)

        def opened(p: StreamlitPage) -> bool:
            return "kamer" in p.params() and any(n.text.startswith('<div class="room-code">') for n in p.find("html"))

        await self.page.wait(opened, timeout, "the room code", since=sent)
        shown = next(n.text for n in self.page.find("html") if n.text.startswith('<div class="room-code">'))
        self.code = re.sub(r"<[^>]+>", "", shown).strip()
        self.host_key = self.page.params().get("sleutel", "")
        return self.code

    async def next(self, timeout: float) -> int:
        """Presses *Volgende* and waits until the projector shows the next step; returns that step."""
        want = self.step + 1
        button = self.page.button("p_next")
        if button is None:
            raise PageError(f"presenter: no next button ({self.page.shows()})")
        sent = self.moved[want] = await self.page.press(button)
        advice = t(LANG, "workshop.advice")

        def arrived(p: StreamlitPage) -> bool:
            if self.step != want:
                return False
            title = p.find("heading", detail="h1")
            return bool(title) and (want <= len(BRANCHES) or title[0].text == advice)

        await self.page.wait(arrived, timeout, f"step {want} on the projector", since=sent)
        return want


@dataclass
class Vote:
    """One tap on a phone: what, when it went out, when the phone showed it as its vote."""

    question: str
    option: str
    sent: float
    confirmed: float | None = None


class Phone:
    """A participant: joins with the code, taps an answer per question, ends on the advice.

    ``address`` goes out as ``X-Forwarded-For``: behind a trusted proxy (``BESLISBOOM_TRUST_PROXY=1``)
    the app counts its per-address join limit by it, so a simulated room can be spread over a few
    school networks the way a real one is, instead of 200 phones on one address.
    """

    def __init__(self, base: str, code: str, *, index: int = 0, address: str | None = None) -> None:
        headers = {"X-Forwarded-For": address} if address else {}
        self.index = index
        self.code = code
        self.page = StreamlitPage(base, "kamer", f"code={code}", headers=headers, name=f"phone {index}")
        self.votes: dict[str, Vote] = {}

    @property
    def token(self) -> str:
        return self.page.params().get("deelnemer", "")

    @property
    def replica(self) -> str:
        """Which replica the load balancer pinned this phone to (its sticky cookie), if any."""
        return self.page.cookies.get("BBSRV", "")

    async def join(self, timeout: float) -> None:
        """Opens ``/kamer?code=…``, presses *Doe mee*, waits until the phone is in the room."""
        await self.page.open(timeout)
        await self.page.wait(lambda p: p.button("p_join") is not None, timeout, "the join button")
        button = self.page.button("p_join")
        assert button is not None
        sent = await self.page.press(button)
        joined = t(LANG, "workshop.in_room", code=self.code)

        def inside(p: StreamlitPage) -> bool:
            return bool(p.params().get("deelnemer")) and any(n.text == joined for n in p.find("markdown"))

        await self.page.wait(inside, timeout, "joined", since=sent)

    def options(self, qid: str) -> dict[str, Node]:
        """The vote buttons of question ``qid`` on screen, by option id ("" = no preference)."""
        prefix = f"v:{qid}:"
        return {n.key[len(prefix):]: n for n in self.page.find("button") if n.key.startswith(prefix)}

    async def wait_question(self, qid: str, timeout: float) -> float:
        """Waits until the phone shows question ``qid`` (its next poll after the projector moved on)."""
        await self.page.wait(lambda p: bool(self.options(qid)), timeout, f"question {qid}")
        return time.monotonic()

    async def vote(self, qid: str, option: str, timeout: float) -> Vote:
        """Taps ``option`` and waits for the phone's own render of it: "✓ label" and the voted notice.

        The same end condition as load_room's in-page stopwatch, so the two click-to-render figures
        can stand side by side.
        """
        button = self.options(qid).get(option)
        if button is None:
            raise PageError(f"{self.page.name}: no button for {qid}={option!r} ({self.page.shows()})")
        vote = Vote(qid, option, await self.page.press(button))
        self.votes[qid] = vote
        voted = t(LANG, "workshop.voted")

        def shown(p: StreamlitPage) -> bool:
            mine = self.options(qid).get(option)
            return (mine is not None and mine.text.startswith("✓ ")
                    and any(a.text == voted for a in p.find("alert", detail="success")))

        run = await self.page.wait(shown, timeout, f"'✓' on {qid}={option!r}", since=vote.sent)
        vote.confirmed = run.finished if run else time.monotonic()
        return vote

    async def wait_advice(self, timeout: float) -> None:
        """Waits for the advice header and at least one instrument card (an h3) under it."""
        advice = t(LANG, "workshop.advice")
        await self.page.wait(
            lambda p: bool(p.find("heading", text=advice)) and bool(p.find("heading", detail="h3")),
            timeout, "the advice",
        )

    def warnings(self) -> list[str]:
        """Error and warning notices on the phone (a refused vote, a full room, a throttled join)."""
        return [f"{n.detail}: {n.text}" for n in self.page.ordered() if n.kind == "alert" and n.detail in
                ("error", "warning")]

