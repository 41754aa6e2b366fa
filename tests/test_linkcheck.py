"""Link check: ok / broken / not_checked, and never "broken" just because this machine is offline."""

from __future__ import annotations

import errno
import http.server
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tree.curate.linkcheck import LinkStatus, check_links, instrument_urls

from .conftest import record


class FakeResponse:
    def __init__(self, status: int) -> None:
        self.status = status
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakeOpener:
    """Answers per (method, url) or per url: an int is a status, an exception is raised."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, request: urllib.request.Request, timeout: float):
        url, method = request.full_url, request.get_method()
        with self.lock:
            self.calls.append((method, url))
        answer = self.answers.get((method, url), self.answers.get(url))
        if isinstance(answer, BaseException):
            raise answer
        if answer >= 400:  # urllib raises for error statuses
            raise urllib.error.HTTPError(url, answer, "error", {}, None)
        return FakeResponse(answer)


def dns_error() -> urllib.error.URLError:
    return urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))


def statuses(result: dict[str, LinkStatus]) -> dict[str, str]:
    return {url: s.status for url, s in result.items()}


def test_status_codes_with_fake_opener():
    opener = FakeOpener(
        {
            "https://a.nl/ok": 200,
            "https://a.nl/redirect": 301,
            "https://a.nl/weg": 404,
            "https://a.nl/stuk": 500,
            ("HEAD", "https://a.nl/geen-head"): 405,
            ("GET", "https://a.nl/geen-head"): 200,
            "https://a.nl/verboden": 403,
            "https://a.nl/rustig": 429,
        }
    )
    result = check_links(list(_urls(opener)), opener=opener)
    assert statuses(result) == {
        "https://a.nl/ok": "ok",
        "https://a.nl/redirect": "ok",
        "https://a.nl/weg": "broken",
        "https://a.nl/stuk": "broken",
        "https://a.nl/geen-head": "ok",
        "https://a.nl/verboden": "broken",
        "https://a.nl/rustig": "not_checked",
    }
    assert result["https://a.nl/weg"].detail == "HTTP 404"
    assert "blokkeren" in result["https://a.nl/verboden"].detail
    # HEAD first; GET only where HEAD was refused
    assert [m for m, u in opener.calls if u == "https://a.nl/geen-head"] == ["HEAD", "GET"]
    assert [m for m, u in opener.calls if u == "https://a.nl/ok"] == ["HEAD"]
    assert [m for m, u in opener.calls if u == "https://a.nl/weg"] == ["HEAD"]


def _urls(opener: FakeOpener) -> Iterator[str]:
    seen = []
    for key in opener.answers:
        url = key[1] if isinstance(key, tuple) else key
        if url not in seen:
            seen.append(url)
            yield url


def test_offline_everything_is_not_checked_with_the_reason():
    unreachable = urllib.error.URLError(OSError(errno.ENETUNREACH, "Network is unreachable"))
    opener = FakeOpener(
        {
            "https://a.nl/1": dns_error(),
            "https://b.nl/2": urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
            "https://c.nl/3": unreachable,
            "https://d.nl/4": TimeoutError("timed out"),
        }
    )
    result = check_links(list(opener.answers), opener=opener)
    assert set(statuses(result).values()) == {"not_checked"}
    assert "DNS" in result["https://a.nl/1"].detail
    assert "refused" in result["https://b.nl/2"].detail
    assert "unreachable" in result["https://c.nl/3"].detail
    assert "timed out" in result["https://d.nl/4"].detail


def test_network_errors_are_broken_when_other_servers_answer():
    opener = FakeOpener(
        {
            "https://werkt.nl/": 200,
            "https://bestaat-niet.nl/": dns_error(),
            "https://dicht.nl/": urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "refused")),
        }
    )
    result = check_links(list(opener.answers), opener=opener)
    assert statuses(result) == {
        "https://werkt.nl/": "ok",
        "https://bestaat-niet.nl/": "broken",
        "https://dicht.nl/": "broken",
    }
    # a 404 also proves the network works
    opener = FakeOpener({"https://a.nl/weg": 404, "https://b.nl/": dns_error()})
    assert statuses(check_links(list(opener.answers), opener=opener))["https://b.nl/"] == "broken"


def test_duplicates_checked_once_and_bad_urls_broken():
    opener = FakeOpener({"https://a.nl/": 200})
    result = check_links(["https://a.nl/", "https://a.nl/", "ftp://a.nl/x", ""], opener=opener)
    assert list(result) == ["https://a.nl/", "ftp://a.nl/x"]
    assert opener.calls == [("HEAD", "https://a.nl/")]
    assert result["ftp://a.nl/x"].status == "broken"
    assert check_links([], opener=opener) == {}


def test_checks_run_concurrently():
    barrier = threading.Barrier(3, timeout=5)

    def opener(request, timeout):
        barrier.wait()  # raises BrokenBarrierError if the three requests are not in flight together
        return FakeResponse(200)

    result = check_links([f"https://a.nl/{n}" for n in range(3)], opener=opener, max_workers=3)
    assert set(statuses(result).values()) == {"ok"}


# --- the real urllib path, on this machine only -----------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        code = {"/ok": 200, "/weg": 404}.get(self.path, 200)
        if self.path == "/alleen-get" and self.command == "HEAD":
            code = 405
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch) -> None:
    """A proxy from the environment would route 127.0.0.1 through it; these tests talk to localhost."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_real_urllib_against_a_local_server(local_server):
    dead = closed_port_url()
    result = check_links([f"{local_server}/ok", f"{local_server}/weg", f"{local_server}/alleen-get", dead], timeout=5)
    assert statuses(result) == {
        f"{local_server}/ok": "ok",
        f"{local_server}/weg": "broken",
        f"{local_server}/alleen-get": "ok",
        dead: "broken",  # the local server answered, so the network works: refused is the site's fault
    }


def test_real_urllib_offline_is_not_checked():
    dead = closed_port_url()
    result = check_links([dead], timeout=2)
    assert result[dead].status == "not_checked"
    assert "refused" in result[dead].detail


# --- which urls -------------------------------------------------------------------------


def test_instrument_urls(make_bank):
    shared = {"title": "Gedeeld", "url": "https://example.org/gedeeld"}
    bank = make_bank(
        record("a", url="https://example.org/a", sources=[shared, {"title": "A", "url": "https://example.org/a"}]),
        record("b", status="ingetrokken", sources=[shared]),
    )
    assert instrument_urls(bank) == {
        "https://example.org/a": ["a"],
        "https://example.org/gedeeld": ["a", "b"],
    }
