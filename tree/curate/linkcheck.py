"""Are the databank's sources still reachable?

Every fact in a record rests on its sources, so a dead link is a curator task. The check is
deliberately cautious about *why* a request failed: a curator working offline (or this build
machine, which has no internet) must not see every source flagged as broken. A network-level
failure (no DNS, connection refused, no route, time-out) only counts as "broken" when the same
run proved the network works by getting an HTTP answer from some other server; otherwise the
link is reported as ``not_checked`` with the reason.
"""

from __future__ import annotations

import errno
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from ..databank import Databank

#: ``opener(request, timeout)`` returns a response (``.status`` or ``.getcode()``) or raises
#: like :func:`urllib.request.urlopen` (``HTTPError`` for 4xx/5xx). Injectable for tests.
Opener = Callable[[urllib.request.Request, float], Any]

#: Some sites answer the default ``Python-urllib`` agent with 403; say who we are instead.
USER_AGENT = "Beslisboom-linkcheck/1.0 (+https://www.movisie.nl)"

#: HEAD is cheap, but some servers refuse it; these codes mean "try again with GET".
_HEAD_REFUSED = {403, 405, 501}

_OFFLINE_ERRNOS = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ENETDOWN,
    errno.ECONNREFUSED,
}


@dataclass(frozen=True)
class LinkStatus:
    url: str
    status: Literal["ok", "broken", "not_checked"]
    detail: str


@dataclass(frozen=True)
class _Outcome:
    """One URL's raw result before the run-wide offline decision is made."""

    url: str
    code: int | None  # HTTP status when a server answered
    error: str  # what went wrong otherwise
    network: bool  # True when the failure may just be "we are offline"


def _default_opener(request: urllib.request.Request, timeout: float) -> Any:
    # Only http(s) URLs get here: _check_one refuses other schemes (file:// would read local files).
    return urllib.request.urlopen(request, timeout=timeout)


def _status_code(response: Any) -> int:
    code = getattr(response, "status", None)
    if code is None and hasattr(response, "getcode"):
        code = response.getcode()
    return int(code) if code is not None else 200


def _close(response: Any) -> None:
    close = getattr(response, "close", None)
    if callable(close):
        close()


def _network_reason(exc: BaseException) -> str | None:
    """A human reason when ``exc`` is a network-level failure (maybe just offline), else None."""
    reason: Any = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.gaierror):
        return f"adres niet gevonden (DNS) / name not resolved: {reason}"
    if isinstance(reason, ConnectionRefusedError):
        return "verbinding geweigerd / connection refused"
    if isinstance(reason, TimeoutError):
        return "geen antwoord binnen de tijd / timed out"
    if isinstance(reason, ssl.SSLError):
        return None  # a TLS handshake means a server was reached: a real problem of the site
    if isinstance(reason, OSError) and reason.errno in _OFFLINE_ERRNOS:
        return f"netwerk niet bereikbaar / network unreachable: {reason.strerror or reason}"
    if isinstance(reason, ConnectionError):
        return f"verbinding mislukt / connection failed: {reason}"
    return None


def _request(url: str, method: str) -> urllib.request.Request:
    return urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})


def _check_one(url: str, opener: Opener, timeout: float) -> _Outcome:
    if not url.lower().startswith(("http://", "https://")):
        return _Outcome(url, None, "geen http(s)-adres / not an http(s) URL", network=False)
    for method in ("HEAD", "GET"):
        try:
            response = opener(_request(url, method), timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if method == "HEAD" and exc.code in _HEAD_REFUSED:
                continue
            return _Outcome(url, exc.code, "", network=False)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = _network_reason(exc)
            if reason is not None:
                return _Outcome(url, None, reason, network=True)
            detail = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            return _Outcome(url, None, f"{type(exc).__name__}: {detail}", network=False)
        try:
            return _Outcome(url, _status_code(response), "", network=False)
        finally:
            _close(response)
    raise AssertionError("unreachable: the GET attempt always returns")  # pragma: no cover


def _classify(outcome: _Outcome, online: bool) -> LinkStatus:
    url = outcome.url
    if outcome.code is not None:
        if 200 <= outcome.code < 400:
            return LinkStatus(url, "ok", f"HTTP {outcome.code}")
        if outcome.code == 429:
            return LinkStatus(url, "not_checked", "HTTP 429: te veel verzoeken, probeer later / rate limited")
        hint = " (de site kan automatische controles blokkeren / site may block automated checks)"
        return LinkStatus(url, "broken", f"HTTP {outcome.code}{hint if outcome.code == 403 else ''}")
    if outcome.network and not online:
        return LinkStatus(url, "not_checked", f"geen internet? / offline? {outcome.error}")
    return LinkStatus(url, "broken", outcome.error)


def check_links(
    urls: Iterable[str],
    *,
    timeout: float = 5.0,
    opener: Opener | None = None,
    max_workers: int = 8,
) -> dict[str, LinkStatus]:
    """Check each distinct URL once, concurrently; the result keeps the input order.

    "ok" for 2xx/3xx (redirects are followed by urllib), "broken" for 4xx/5xx and for errors a
    reachable network cannot explain, "not_checked" when no server answered at all in this run
    (offline) or the site asked us to slow down (429).
    """
    unique = list(dict.fromkeys(u for u in urls if u))
    if not unique:
        return {}
    use = opener or _default_opener
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(unique)))) as pool:
        outcomes = list(pool.map(lambda u: _check_one(u, use, timeout), unique))
    # Any server answer (even a 404) proves the network works; then DNS/refused/time-out
    # failures belong to the site, not to us.
    online = any(o.code is not None for o in outcomes)
    return {o.url: _classify(o, online) for o in outcomes}


def instrument_urls(bank: Databank) -> dict[str, list[str]]:
    """Every URL the databank cites (``url`` and sources, active and retired) → citing ids."""
    out: dict[str, list[str]] = {}
    for iid in sorted(bank.instruments):
        inst = bank.instruments[iid]
        for url in [inst.url, *(s.url for s in inst.sources)]:
            if url and iid not in out.setdefault(url, []):
                out[url].append(iid)
    return out
