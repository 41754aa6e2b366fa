"""Two app replicas behind HAProxy, rooms in PostgreSQL: the deployment of deploy/ and compose.yaml.

Everything is real and on loopback (tools/cluster.py): Debian's PostgreSQL and HAProxy with the
repo's ``deploy/haproxy.cfg``, two ``streamlit run`` processes, headless chromium. A browser is
pinned to a replica with HAProxy's sticky cookie, the way its first page load would pin it.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tools.appserver import ServerError
from tools.cluster import Cluster, HAProxyUnavailable, running_cluster
from tools.pg import PostgresUnavailable
from tree.curate.auth import hash_password
from tree.databank import DEFAULT_PATH
from tree.workshop.sql_store import PostgresRoomStore

from .conftest import App, chromium_path

pytestmark = pytest.mark.e2e

PHONES = 4
RECONNECT_MS = 45_000  # HAProxy takes a dead replica out in ~2 s; Streamlit's client retries with backoff


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    chromium_path()
    folder = tmp_path_factory.mktemp("cluster")
    bank = folder / "instruments"
    shutil.copytree(DEFAULT_PATH, bank)  # one databank folder, shared by both replicas (one host)
    env = {
        "BESLISBOOM_DATABANK": str(bank),
        "BESLISBOOM_CURATORS": "anna:" + hash_password("geheim", iterations=1000),
    }
    try:
        with running_cluster(2, env=env, folder=folder) as running:
            yield running
    except (PostgresUnavailable, HAProxyUnavailable) as err:
        if os.environ.get("BESLISBOOM_REQUIRE_SERVICES") == "1":
            pytest.fail(str(err), pytrace=False)
        pytest.skip(str(err))
    except ServerError as err:
        pytest.fail(str(err))


@pytest.fixture
def healthy(cluster: Cluster) -> Cluster:
    """Both replicas up and routed (a previous test may have killed one)."""
    for node in cluster.replicas:
        if node.proc is None or node.proc.poll() is not None:
            node.start()
            node.wait_healthy()
    cluster.wait_routed([n.name for n in cluster.replicas])
    return cluster


def pinned(browser, cluster: Cluster, replica: str, viewport: dict) -> App:
    """A browser session whose requests HAProxy sends to ``replica`` (its sticky cookie is set)."""
    context = browser.new_context(viewport=viewport, locale="nl-NL")
    context.set_default_timeout(20_000)
    host = urlsplit(cluster.url).hostname
    context.add_cookies([{"name": "BBSRV", "value": replica, "domain": host, "path": "/"}])
    return App(context.new_page(), cluster.url)


def served_by(app: App) -> str:
    return next(c["value"] for c in app.page.context.cookies() if c["name"] == "BBSRV")


def open_room(browser, cluster: Cluster, replica: str) -> tuple[App, str]:
    facilitator = pinned(browser, cluster, replica, {"width": 1920, "height": 1080})
    facilitator.open("presenter", heading="Beslisboom effectmeting — workshop")
    page = facilitator.page
    facilitator.act(lambda: page.get_by_role("button", name="Open een kamer").click())
    code = page.locator(".room-code").inner_text().strip()
    return facilitator, code


def join(browser, cluster: Cluster, replica: str, code: str, n: int) -> list[App]:
    phones = []
    for _ in range(n):
        phone = pinned(browser, cluster, replica, {"width": 375, "height": 800})
        phone.open(f"kamer?code={code}", heading="Doe mee met de workshop")
        phone.act(lambda phone=phone: phone.page.get_by_role("button", name="Doe mee").click())
        expect(phone.page.get_by_text("Even wachten")).to_be_visible()
        phones.append(phone)
    return phones


def vote(phone: App, answer: str, timeout: int = 20_000) -> None:
    """Tap ``answer`` until the phone shows it as its vote (a tap lost with a dying replica is tapped again)."""
    button = phone.page.get_by_role("button", name=answer, exact=True)
    expect(button).to_be_visible(timeout=timeout)
    button.click()
    expect(phone.page.get_by_role("button", name=f"✓ {answer}")).to_be_visible(timeout=timeout)


def next_question(facilitator: App, heading: str) -> None:
    page = facilitator.page
    facilitator.act(lambda: page.get_by_role("button", name="Volgende →").click(), heading=heading)


def test_projector_on_one_replica_phones_on_the_other_and_a_replica_dies_mid_vote(browser, healthy) -> None:
    cluster = healthy
    facilitator, code = open_room(browser, cluster, "app1")
    phones = join(browser, cluster, "app2", code, PHONES)
    assert served_by(facilitator) == "app1" and {served_by(p) for p in phones} == {"app2"}
    store = PostgresRoomStore(cluster.pg_url)
    page = facilitator.page

    # question 1: every phone votes on app2, the projector on app1 counts them all
    next_question(facilitator, "Doelgroep")
    answers = ["Ouderen", "Ouderen", "Jongeren", "Mantelzorgers"]
    for phone, answer in zip(phones, answers, strict=True):
        vote(phone, answer)
    expect(page.get_by_text(f"De zaal — gestemd: {PHONES} van {PHONES}")).to_be_visible(timeout=10_000)
    assert store.tally(code, "doelgroep") == {"ouderen": 2, "jongeren": 1, "mantelzorgers": 1}

    # question 2: two phones vote, a third taps, and the phones' replica is killed at that moment
    next_question(facilitator, "Inhoudelijk thema")
    vote(phones[0], "Eenzaamheid")
    vote(phones[1], "Opvoeding en opgroeien")
    tap = phones[2].page.get_by_role("button", name="Eenzaamheid", exact=True)
    expect(tap).to_be_visible()
    tap.click(no_wait_after=True)
    cluster.replicas[1].kill()
    cluster.wait_routed(["app1"])

    # the phones reconnect through the load balancer to app1 and come back as the same participants
    for phone, mine in zip(phones[:2], ["Eenzaamheid", "Opvoeding en opgroeien"], strict=True):
        expect(phone.page.get_by_role("button", name=f"✓ {mine}")).to_be_visible(timeout=RECONNECT_MS)
    vote(phones[2], "Eenzaamheid", timeout=RECONNECT_MS)  # the tap may or may not have landed: either way one vote
    vote(phones[3], "Participatie", timeout=RECONNECT_MS)
    # (their BBSRV cookie may still say app2: HAProxy redispatched the websocket without a new page load)
    expect(page.get_by_text(f"De zaal — gestemd: {PHONES} van {PHONES}")).to_be_visible(timeout=10_000)

    # no vote lost, none counted twice, and no phone joined a second time
    assert store.participants(code) == PHONES
    assert store.tally(code, "thema") == {"eenzaamheid": 2, "opvoeding": 1, "participatie": 1}
    assert store.tally(code, "doelgroep") == dict(Counter(a.lower() for a in answers))

    # and on: the room still works on the surviving replica
    next_question(facilitator, "Wat wilt u meten?")
    for phone in phones:
        vote(phone, "Effect bij de cliënt of deelnemer", timeout=RECONNECT_MS)
    expect(page.get_by_text(f"De zaal — gestemd: {PHONES} van {PHONES}")).to_be_visible(timeout=10_000)
    assert store.tally(code, "meten") == {"effect-client": PHONES}
    store.close()
    for app in [facilitator, *phones]:
        app.page.context.close()


def test_the_projector_resumes_its_room_when_its_replica_dies(browser, healthy) -> None:
    cluster = healthy
    facilitator, code = open_room(browser, cluster, "app1")
    phones = join(browser, cluster, "app2", code, 2)
    page = facilitator.page
    next_question(facilitator, "Doelgroep")
    vote(phones[0], "Ouderen")
    vote(phones[1], "Ouderen")
    expect(page.get_by_text("De zaal — gestemd: 2 van 2")).to_be_visible(timeout=10_000)

    cluster.replicas[0].kill()  # the projector's replica
    cluster.wait_routed(["app2"])
    # the projector reconnects to app2: its address carries the room and the facilitator key
    expect(page.locator(".room-code")).to_have_text(code, timeout=RECONNECT_MS)
    expect(page.get_by_text("De zaal — gestemd: 2 van 2")).to_be_visible(timeout=RECONNECT_MS)
    next_question(facilitator, "Inhoudelijk thema")  # and it still drives the room
    vote(phones[0], "Eenzaamheid")
    expect(page.get_by_text("De zaal — gestemd: 1 van 2")).to_be_visible(timeout=10_000)
    for app in [facilitator, *phones]:
        app.page.context.close()


def test_a_curator_save_on_one_replica_shows_in_the_wizard_on_the_other(browser, healthy) -> None:
    cluster = healthy
    new_summary = "Aangepast op replica 1, gelezen op replica 2."
    link = "?doelgroep=ouderen&thema=eenzaamheid&meten=effect-client&gegevens=cijfers&uitvoering=zelf"

    # the wizard on app2 has read (and cached) the databank before the save
    wizard = pinned(browser, cluster, "app2", {"width": 1280, "height": 1200})
    wizard.open(link, heading="Uw advies")
    expect(wizard.main().get_by_text(new_summary)).to_have_count(0)

    curator = pinned(browser, cluster, "app1", {"width": 1400, "height": 1400})
    page = curator.page
    curator.open("curator", heading="Werkplaats voor curatoren")
    page.get_by_label("Naam").fill("anna")
    page.get_by_label("Wachtwoord").fill("geheim")
    curator.act(lambda: page.get_by_role("button", name="Inloggen").click(), heading="Werkplaats voor curatoren")
    page.get_by_role("tab", name="Instrumenten").click()
    search = page.get_by_role("searchbox", name="Zoeken")
    search.fill("djg-11")
    curator.act(lambda: search.press("Enter"))  # one row left in the list: it is the chosen one
    curator.act(lambda: page.get_by_role("button", name="Openen").click())
    summary = page.get_by_role("textbox", name="Samenvatting (verplicht)", exact=True)
    summary.fill(new_summary)
    curator.act(lambda: summary.press("Control+Enter"))
    curator.act(lambda: page.get_by_role("button", name="Opslaan", exact=True).click())
    expect(page.get_by_text("Opgeslagen: djg-11")).to_be_visible()
    assert served_by(curator) == "app1" and served_by(wizard) == "app2"

    # the next rerun on app2 (here: a reload of the same advice) shows the saved text
    wizard.open(link, heading="Uw advies")
    expect(wizard.main().get_by_text(new_summary)).to_be_visible()
    wizard.page.context.close()
    curator.page.context.close()
