"""``python -m tree check-config``: a good deployment passes; each problem is one clear line and exit 1."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from tree import check_config
from tree.check_config import Deployment, from_environment, run
from tree.cli import main
from tree.curate.auth import hash_password
from tree.workshop import backend

from .conftest import complete_record, write_record

GOOD_HASH = hash_password("geheim", iterations=1000)


@pytest.fixture
def store_ok(monkeypatch):
    """The room store answers 'reachable and migrated' (its own tests run the real one)."""
    calls = []

    def check_store(*, upgrade: bool = False) -> list[str]:
        calls.append(upgrade)
        return []

    monkeypatch.setattr(backend, "check_store", check_store)
    return calls


@pytest.fixture
def ready(bank_dir, tmp_path) -> Deployment:
    """A deployment with no problems of its own; the room store is whatever the environment says."""
    write_record(bank_dir, complete_record("a"))
    open_data = tmp_path / "site" / "static" / "open-data"
    open_data.mkdir(parents=True)
    return Deployment(
        env={"BESLISBOOM_CURATORS": f"anna:{GOOD_HASH}"},
        databank=bank_dir,
        open_data=open_data,
        streamlit_config={"server": {"enableStaticServing": True}},
    )


@pytest.fixture
def good(ready, store_ok) -> Deployment:
    return ready


def with_env(d: Deployment, **env: str) -> Deployment:
    return dataclasses.replace(d, env={**d.env, **env})


def test_a_good_deployment_has_no_problems(good):
    assert run(good) == []


def test_closed_on_purpose_is_a_good_deployment(good):
    assert run(with_env(good, BESLISBOOM_CURATORS="closed")) == []


def _one(problems: list[str], area: str, *words: str) -> str:
    assert len(problems) == 1, problems
    (line,) = problems
    assert "\n" not in line and line.startswith(f"{area}: "), line
    for w in words:
        assert w in line, (w, line)
    return line


def test_broken_record(good):
    write_record(good.databank, complete_record("b", items="veel"))
    _one(run(good), "databank", "b.yaml:", "items")


def test_missing_databank(good, tmp_path):
    _one(run(dataclasses.replace(good, databank=tmp_path / "nergens")), "databank", "nergens")


def test_databank_without_active_records(good):
    write_record(good.databank, complete_record("a", status="ingetrokken"))
    _one(run(good), "databank", "no active instruments")


def test_databank_not_writable_while_curators_may_save(good, monkeypatch):
    monkeypatch.setattr(check_config, "_writable", lambda p: Path(p) != good.databank)
    _one(run(good), "databank", "not writable", "BESLISBOOM_CURATORS=closed")
    assert run(with_env(good, BESLISBOOM_CURATORS="closed")) == []  # a read-only mirror may be read-only


def test_no_curator_access_and_not_closed(good):
    line = _one(run(dataclasses.replace(good, env={})), "curators", "BESLISBOOM_CURATORS=closed", "hash-password")
    assert "no curator access" in line


def test_malformed_hash_names_the_curator_not_the_hash(good):
    line = _one(run(with_env(good, BESLISBOOM_CURATORS="anna:pbkdf2_sha256$600000$kapot")), "curators", "'anna'")
    assert "kapot" not in line and "malformed" in line


def test_env_entry_without_a_hash(good):
    _one(run(with_env(good, BESLISBOOM_CURATORS="anna")), "curators", "entry 1 is not name:hash")


def test_oidc_emails_without_auth(good):
    d = dataclasses.replace(good, env={}, secrets={"curators": {"emails": ["a@movisie.nl"]}})
    _one(run(d), "curators", "[auth]")


def test_oidc_auth_incomplete(good):
    auth = {"redirect_uri": "https://x.nl/oauth2callback", "cookie_secret": "s", "client_id": "c"}
    d = dataclasses.replace(good, env={}, secrets={"auth": auth, "curators": {"emails": ["a@movisie.nl"]}})
    _one(run(d), "curators", "client_secret", "server_metadata_url")
    auth |= {"client_secret": "x", "server_metadata_url": "https://idp/.well-known/openid-configuration"}
    assert run(d) == []


def test_git_sync_asked_without_a_remote(good):
    _one(run(with_env(good, BESLISBOOM_GIT_SYNC="1")), "git sync", "BESLISBOOM_GIT_SYNC")


def test_git_sync_with_a_remote_passes(good, tmp_path):
    def git(*args: str, cwd: Path) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    remote = tmp_path / "remote.git"
    git("init", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    bank = good.databank
    git("init", "-b", "main", cwd=bank)
    git("add", ".", cwd=bank)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "start", cwd=bank)
    git("remote", "add", "origin", str(remote), cwd=bank)
    git("push", "-u", "origin", "main", cwd=bank)
    assert run(with_env(good, BESLISBOOM_GIT_SYNC="1")) == []


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("BESLISBOOM_TRUST_PROXY", "true", ("BESLISBOOM_TRUST_PROXY", "means off")),
        ("BESLISBOOM_GIT_SYNC", "yes", ("BESLISBOOM_GIT_SYNC", "means off")),
        ("BESLISBOOM_SYNC_SECONDS", "een minuut", ("BESLISBOOM_SYNC_SECONDS", "number")),
    ],
)
def test_switch_values_the_app_would_misread(good, name, value, words):
    _one(run(with_env(good, **{name: value})), "settings", *words)


def test_room_store_problem_is_reported(good, monkeypatch):
    monkeypatch.setattr(backend, "check_store", lambda *, upgrade=False: ["SQLite x: room tables missing"])
    _one(run(good), "rooms", "room tables missing")


def test_room_store_check_that_crashes_is_one_line(good, monkeypatch):
    def crash(*, upgrade=False):
        raise ConnectionError("connection refused\nmore detail")

    monkeypatch.setattr(backend, "check_store", crash)
    _one(run(good), "rooms", "ConnectionError", "connection refused")


def test_upgrade_is_passed_to_the_store(good, store_ok):
    run(dataclasses.replace(good, upgrade=True))
    assert store_ok == [True]


def test_replicas_without_a_shared_cookie_secret(good):
    d = with_env(good, BESLISBOOM_DATABASE_URL="postgresql://u:p@db:5432/b")
    _one(run(d), "streamlit", "STREAMLIT_SERVER_COOKIE_SECRET")
    assert run(with_env(d, STREAMLIT_SERVER_COOKIE_SECRET="s")) == []
    assert run(dataclasses.replace(d, streamlit_config={"server": {"enableStaticServing": True,
                                                                   "cookieSecret": "s"}})) == []


def test_static_serving_off(good):
    _one(run(dataclasses.replace(good, streamlit_config={})), "open data", "enableStaticServing")
    assert run(dataclasses.replace(good, streamlit_config={}, env={**good.env,
                                   "STREAMLIT_SERVER_ENABLE_STATIC_SERVING": "true"})) == []


def test_open_data_folder_not_writable(good, monkeypatch):
    monkeypatch.setattr(check_config, "_writable", lambda p: Path(p) != good.open_data)
    _one(run(good), "open data", "not writable", "volume")
    # not made yet: what counts is whether it can be made
    monkeypatch.setattr(check_config, "_writable", lambda p: Path(p) != good.open_data.parent)
    _one(run(dataclasses.replace(good, open_data=good.open_data.parent / "nieuw")), "open data", "not writable")


def test_broken_secrets_file(tmp_path, good):
    (tmp_path / "cwd" / ".streamlit").mkdir(parents=True)
    (tmp_path / "cwd" / ".streamlit" / "secrets.toml").write_text("[curators\n")
    (tmp_path / "home").mkdir()
    d = from_environment(good.env, databank=good.databank, cwd=tmp_path / "cwd", home=tmp_path / "home")
    problems = [p for p in run(d) if p.startswith("secrets")]
    _one(problems, "secrets", "secrets.toml", "not valid TOML")


def test_reads_streamlit_files_like_streamlit(tmp_path, bank_dir):
    """Project files over global ones; root-level secrets become environment variables."""
    (tmp_path / "home" / ".streamlit").mkdir(parents=True)
    (tmp_path / "cwd" / ".streamlit").mkdir(parents=True)
    (tmp_path / "home" / ".streamlit" / "config.toml").write_text('[server]\ncookieSecret = "global"\n')
    (tmp_path / "cwd" / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n")
    (tmp_path / "cwd" / ".streamlit" / "secrets.toml").write_text('BESLISBOOM_CURATORS = "closed"\n')
    d = from_environment({}, databank=bank_dir, cwd=tmp_path / "cwd", home=tmp_path / "home")
    assert d.streamlit_config["server"] == {"cookieSecret": "global", "enableStaticServing": True}
    assert d.env["BESLISBOOM_CURATORS"] == "closed"


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def deployed(tmp_path, bank_dir, monkeypatch, store_ok) -> Path:
    """A working directory and environment as the app's, with no problems."""
    write_record(bank_dir, complete_record("a"))
    (tmp_path / "app" / ".streamlit").mkdir(parents=True)
    (tmp_path / "app" / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n")
    monkeypatch.chdir(tmp_path / "app")
    monkeypatch.setenv("HOME", str(tmp_path / "app"))
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(bank_dir))
    monkeypatch.setenv("BESLISBOOM_CURATORS", f"anna:{GOOD_HASH}")
    for name in ("BESLISBOOM_GIT_SYNC", "BESLISBOOM_TRUST_PROXY", "BESLISBOOM_SYNC_SECONDS",
                 "BESLISBOOM_DATABASE_URL", "STREAMLIT_SERVER_ENABLE_STATIC_SERVING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(check_config.opendata, "DEFAULT_DIR", tmp_path / "app" / "static" / "open-data")
    return bank_dir


def test_command_exit_0_when_ready(capsys, deployed):
    assert main(["check-config", "--upgrade"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and "ready for traffic" in out.err


def test_command_exit_1_with_one_line_per_problem(capsys, deployed, monkeypatch):
    monkeypatch.delenv("BESLISBOOM_CURATORS")
    write_record(deployed, complete_record("b", items="veel"))
    assert main(["check-config"]) == 1
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["databank", "curators"]
    assert "2 problemen / problems" in out.err


def test_real_room_store_must_be_migrated(tmp_path, ready, monkeypatch):
    """Against the real SQLite store: missing tables are a problem until --upgrade migrates them."""
    good = ready
    monkeypatch.delenv("BESLISBOOM_DATABASE_URL", raising=False)
    monkeypatch.setenv("BESLISBOOM_ROOMS_DB", str(tmp_path / "rooms" / "rooms.sqlite3"))
    _one(run(good), "rooms", "room tables missing")
    assert run(dataclasses.replace(good, upgrade=True)) == []
    assert run(good) == []
