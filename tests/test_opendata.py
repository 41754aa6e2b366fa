"""The open data next to the app: made from the databank, current after every save, served over HTTP."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import jsonschema
import pytest

from tree import load_databank, opendata
from tree.cli import main
from tree.curate.commit import FileChange, commit
from tree.databank import DEFAULT_PATH

from .conftest import ROOT, complete_record, record, write_record


@pytest.fixture(autouse=True)
def _forget_publications():
    opendata.forget()
    yield
    opendata.forget()


@pytest.fixture
def bank(make_bank):
    return make_bank(record("a"), record("b", languages=["nl", "en"]), record("c", status="ingetrokken"))


def read(out: Path) -> tuple[dict, list[dict], dict, dict]:
    data = json.loads((out / opendata.JSON_FILE).read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((out / opendata.CSV_FILE).read_text(encoding="utf-8"))))
    schema = json.loads((out / opendata.SCHEMA_FILE).read_text(encoding="utf-8"))
    version = json.loads((out / opendata.VERSION_FILE).read_text(encoding="utf-8"))
    return data, rows, schema, version


def test_files_describe_the_active_records(bank, tmp_path):
    out = tmp_path / "open-data"
    assert opendata.write(bank.path, out)
    data, rows, _schema, version = read(out)
    assert [i["id"] for i in data["instruments"]] == ["a", "b"]  # the retired one is not published
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[1]["languages"] == "nl; en"
    assert len(data["questions"]) == 5 and data["databank_version"] == bank.version
    assert version["databank_version"] == bank.version and version["instruments"] == 2
    assert version["format"] == opendata.FORMAT and version["git_commit"] is None  # tmp folder: no git
    for name in opendata.DATA_FILES:
        raw = (out / name).read_bytes()
        assert version["files"][name] == {"sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}
    assert sorted(p.name for p in out.iterdir()) == sorted([*opendata.DATA_FILES, opendata.VERSION_FILE])


def test_schema_validates_every_shipped_record_and_refuses_a_wrong_one(tmp_path):
    out = tmp_path / "open-data"
    opendata.write(DEFAULT_PATH, out)
    data, rows, schema, _ = read(out)
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    assert len(data["instruments"]) == len(rows) == len(load_databank(DEFAULT_PATH).active) > 100
    for inst in data["instruments"]:
        validator.validate(inst)
    wrong = dict(data["instruments"][0], items="veel", onbekend=1)
    errors = {e.validator for e in validator.iter_errors(wrong)}
    assert {"additionalProperties", "anyOf"} <= errors


def test_git_commit_of_the_databank_when_there_is_one(bank, tmp_path):
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=bank.path, check=True, capture_output=True, text=True).stdout

    git("init", "-b", "main")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "start")
    opendata.write(bank.path, tmp_path / "out")
    assert read(tmp_path / "out")[3]["git_commit"] == git("rev-parse", "HEAD").strip()


def test_publish_writes_only_when_stale(bank, tmp_path, monkeypatch):
    out = tmp_path / "open-data"
    writes = []
    real = opendata._write_atomic
    monkeypatch.setattr(opendata, "_write_atomic", lambda f, n, t: (writes.append(n), real(f, n, t)))
    opendata.publish(bank, out)
    assert len(writes) == 4
    opendata.publish(bank, out)
    opendata.forget()  # a new process (another replica) that finds the files current
    opendata.publish(bank, out)
    assert len(writes) == 4
    monkeypatch.setattr(opendata, "FORMAT", opendata.FORMAT + 1)  # a release that changes the files
    opendata.forget()
    opendata.publish(bank, out)
    assert len(writes) == 8


def test_publish_follows_a_changed_databank(bank, tmp_path):
    out = tmp_path / "open-data"
    opendata.publish(bank, out)
    write_record(bank.path, record("d"))  # e.g. pulled by git sync, or saved by another replica
    changed = load_databank(bank.path)
    opendata.publish(changed, out)
    assert read(out)[3]["databank_version"] == changed.version != bank.version


def _record_text(tmp_path: Path, rec: dict) -> str:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    return write_record(scratch, rec).read_text(encoding="utf-8")


def test_a_save_through_the_commit_path_regenerates(bank, tmp_path):
    out = tmp_path / "open-data"
    opendata.publish(bank, out)
    entry = commit(bank.path, {"nieuw.yaml": FileChange(_record_text(tmp_path, record("nieuw")), None)},
                   author="anna", message="nieuw instrument")
    assert entry
    data, rows, _, version = read(out)
    assert version["databank_version"] == load_databank(bank.path).version
    assert "nieuw" in [i["id"] for i in data["instruments"]] and len(rows) == 3


def test_a_failed_regeneration_never_fails_the_save(bank, tmp_path, monkeypatch, caplog):
    out = tmp_path / "open-data"
    opendata.publish(bank, out)

    def broken(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(opendata, "write", broken)
    with caplog.at_level(logging.WARNING, logger="beslisboom.opendata"):
        entry = commit(bank.path, {"nieuw.yaml": FileChange(_record_text(tmp_path, record("nieuw")), None)},
                       author="anna", message="nieuw")
    assert entry and (bank.path / "nieuw.yaml").exists()
    assert "read-only file system" in caplog.text
    assert read(out)[3]["databank_version"] == bank.version  # the old files stay served


def test_a_save_regenerates_only_the_open_data_of_its_own_databank(bank, tmp_path, monkeypatch):
    """Another databank (a test copy, a working copy) never overwrites what the app publishes."""
    monkeypatch.setattr(opendata, "DEFAULT_DIR", tmp_path / "default")
    published = tmp_path / "published"
    shutil.copytree(bank.path, published)
    opendata.publish(load_databank(published), tmp_path / "site")
    before = (tmp_path / "site" / opendata.VERSION_FILE).read_text()
    commit(bank.path, {"nieuw.yaml": FileChange(_record_text(tmp_path, record("nieuw")), None)},
           author="anna", message="nieuw")
    assert (tmp_path / "site" / opendata.VERSION_FILE).read_text() == before
    assert not (tmp_path / "default").exists()


def test_interrupted_writes_leave_no_temp_files(bank, tmp_path):
    out = tmp_path / "open-data"
    out.mkdir()
    (out / ".instrumenten.json.abc.tmp").write_text("half")  # a writer killed halfway
    opendata.write(bank.path, out)
    assert not list(out.glob(".*"))
    assert oct((out / opendata.CSV_FILE).stat().st_mode & 0o777) == "0o644"


def test_cli_writes_the_app_databank(capsys, bank, tmp_path, monkeypatch):
    monkeypatch.setenv("BESLISBOOM_DATABANK", str(bank.path))
    assert main(["open-data", "--out", str(tmp_path / "o")]) == 0
    assert read(tmp_path / "o")[3]["databank_version"] == bank.version


# --- served next to the app -------------------------------------------------------------------


def _copy_app(dest: Path) -> None:
    """The app's code in a folder of its own, so the server serves (and writes) its own static/."""
    for name in ("app.py", ".streamlit/config.toml"):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, dest / name)
    for folder in ("pages", "ui", "tree"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))


def test_served_at_stable_addresses(tmp_path, make_bank):
    """As the image starts it: ``python -m tree open-data``, then ``streamlit run`` serves the files."""
    from tools.appserver import free_port

    bank = make_bank(complete_record("a"), complete_record("b"))
    app = tmp_path / "app"
    _copy_app(app)
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "BESLISBOOM_DATABANK": str(bank.path),
           "BESLISBOOM_ROOMS_DB": str(tmp_path / "rooms.sqlite3")}
    subprocess.run([sys.executable, "-m", "tree", "open-data"], cwd=app, env=env, check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("streamlit")), "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=app, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/{opendata.URL_PATH}"
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
        with urllib.request.urlopen(f"{base}/{opendata.VERSION_FILE}", timeout=10) as r:
            assert r.headers["Content-Type"].startswith("application/json")
            version = json.load(r)
        assert version["databank_version"] == bank.version
        with urllib.request.urlopen(f"{base}/{opendata.JSON_FILE}", timeout=10) as r:
            assert r.headers["Access-Control-Allow-Origin"] == "*"
            assert [i["id"] for i in json.load(r)["instruments"]] == ["a", "b"]
        with urllib.request.urlopen(f"{base}/{opendata.CSV_FILE}", timeout=10) as r:
            assert r.headers["Content-Type"].startswith("text/csv")
            assert len(list(csv.DictReader(io.StringIO(r.read().decode("utf-8"))))) == 2
        with urllib.request.urlopen(f"{base}/{opendata.SCHEMA_FILE}", timeout=10) as r:
            assert json.load(r)["$schema"].startswith("https://json-schema.org/")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_healthy(url: str, proc: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"streamlit exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("streamlit did not become healthy within 60 s")
