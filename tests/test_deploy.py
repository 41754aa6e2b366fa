"""The deploy recipe cannot drift from the repository.

Nothing can be built or run in a container on these machines (no Docker daemon), so the recipe is
checked statically: compose.yaml with Debian's ``docker-compose config`` (daemon-free), the
Dockerfile's instructions against the files they name and against .dockerignore, and the README's
table against every environment variable the code reads.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, _require_services

COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
#: A hash as `python -m tree hash-password` prints it: '$' must survive .env and compose untouched.
HASH = "pbkdf2_sha256$600000$c2FsdHNhbHQ=$AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcd="
TEST_ENV = {
    "POSTGRES_PASSWORD": "0123abcd",
    "STREAMLIT_SERVER_COOKIE_SECRET": "test-cookie-secret-1234",
    "BESLISBOOM_CURATORS": f"'anna:{HASH}'",
}


# --- compose.yaml -----------------------------------------------------------------------------


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path:
        return path
    message = "docker-compose is not installed: run scripts/ensure-services (Debian's docker-compose package)"
    if _require_services() or os.environ.get("BESLISBOOM_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def compose(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``docker-compose config`` on compose.yaml with only ``env`` as its .env (not the shell's)."""
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    return subprocess.run(
        [docker_compose(), "-f", str(COMPOSE), "--env-file", str(env_file), "config", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )


def test_compose_config_is_valid_with_its_env(tmp_path):
    res = compose(tmp_path, TEST_ENV, "-q")
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("missing", sorted(TEST_ENV))
def test_compose_refuses_to_start_without_a_secret(tmp_path, missing):
    res = compose(tmp_path, {k: v for k, v in TEST_ENV.items() if k != missing}, "-q")
    assert res.returncode != 0
    assert f"set {missing} in .env" in res.stderr


@pytest.fixture(scope="module")
def resolved(tmp_path_factory) -> dict:
    res = compose(tmp_path_factory.mktemp("compose"), TEST_ENV)
    assert res.returncode == 0, res.stderr
    return yaml.safe_load(res.stdout)


def _unescape(value: str) -> str:
    return value.replace("$$", "$")  # `config` prints a literal '$' as '$$'


def test_replicas_share_one_image_and_one_environment(resolved):
    services = resolved["services"]
    app1, app2 = services["app1"], services["app2"]
    assert app1 == app2
    env = app1["environment"]
    assert env["STREAMLIT_SERVER_COOKIE_SECRET"] == TEST_ENV["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert env["BESLISBOOM_DATABASE_URL"] == "postgresql://beslisboom:0123abcd@db:5432/beslisboom"
    assert _unescape(env["BESLISBOOM_CURATORS"]) == f"anna:{HASH}"  # single-quoted in .env: kept whole
    assert env["BESLISBOOM_TRUST_PROXY"] == "1"
    targets = {v.split(":")[1] for v in app1["volumes"]}
    assert targets == {"/app/instruments", "/app/static/open-data"}  # shared databank and open data
    assert app1["depends_on"]["db"]["condition"] == "service_healthy"


def test_secrets_come_from_the_env_not_the_file():
    raw = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    app_env = raw["x-app"]["environment"]
    for name in ("STREAMLIT_SERVER_COOKIE_SECRET", "BESLISBOOM_CURATORS"):
        assert app_env[name].startswith("${" + name + ":?"), name
    assert "${POSTGRES_PASSWORD:?" in app_env["BESLISBOOM_DATABASE_URL"]
    assert raw["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_load_balancer_runs_the_tests_haproxy_config(resolved):
    lb = resolved["services"]["lb"]
    assert lb["image"] == "haproxy:2.6"
    assert f"{HAPROXY_CFG}:/usr/local/etc/haproxy/haproxy.cfg:ro" in lb["volumes"]
    wanted = set(re.findall(r"\$\{(BB_[A-Z0-9_]+)\}", HAPROXY_CFG.read_text(encoding="utf-8")))
    assert wanted <= set(lb["environment"]), wanted - set(lb["environment"])
    assert lb["environment"]["BB_APP1"] == "app1:8501"
    assert lb["environment"]["BB_APP2"] == "app2:8501"
    assert resolved["services"]["db"]["image"].startswith("postgres:15")


# --- Dockerfile and .dockerignore -------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions() -> list[Instruction]:
    """The Dockerfile as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    out: list[Instruction] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip()))
    return out


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it (Go filepath.Match plus '**')."""
    pattern = os.path.normpath(pattern.strip().lstrip("/"))
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(f"^{out}$")


def dockerignore() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        rules.append((negate, _ignore_regex(line[1:] if negate else line)))
    return rules


def ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Is this context path left out? The last rule matching it or a parent folder decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negate, rx in rules:
        if any(rx.match(c) for c in candidates):
            result = not negate
    return result


def copy_sources() -> list[str]:
    """Every source of COPY/ADD from the build context (not ``--from`` another stage)."""
    sources = []
    for ins in instructions():
        if ins.keyword not in ("COPY", "ADD"):
            continue
        words = shlex.split(ins.args)
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        sources.extend(w.rstrip("/") for w in words[:-1])
    return sources


def files_in_image() -> set[str]:
    rules = dockerignore()
    found = set()
    for src in copy_sources():
        path = ROOT / src
        candidates = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for p in candidates:
            rel = p.relative_to(ROOT).as_posix()
            if not ignored(rel, rules):
                found.add(rel)
    return found


def test_every_copied_source_exists_and_gets_through_dockerignore():
    rules = dockerignore()
    sources = copy_sources()
    assert sources, "the Dockerfile copies nothing"
    for src in sources:
        path = ROOT / src
        assert path.exists(), f"COPY {src}: not in the repository"
        assert not ignored(src, rules), f"COPY {src}: excluded by .dockerignore"
        if path.is_dir():
            inside = [p for p in path.rglob("*") if p.is_file() and not ignored(p.relative_to(ROOT).as_posix(), rules)]
            assert inside, f"COPY {src}: every file in it is excluded by .dockerignore"


def test_the_image_holds_what_the_app_needs_and_no_secrets():
    image = files_in_image()
    needed = ["app.py", "requirements.txt", ".streamlit/config.toml", "instruments/_questions.yaml",
              "tree/locales/nl.yaml", "tree/locales/en.yaml"]
    for folder in ("pages", "ui", "tree"):
        needed += [p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*.py")]
    assert sorted(set(needed) - image) == []
    rules = dockerignore()
    for private in (".streamlit/secrets.toml", ".env", "var/rooms.sqlite3", "tests/conftest.py",
                    "tree/__pycache__/cli.cpython-311.pyc", "instruments/_pending.json", ".git/config"):
        assert ignored(private, rules), private


def test_dockerignore_reading_matches_docker():
    """The matcher above reads the patterns as Docker does (last match wins, parents count)."""
    rules = [(False, _ignore_regex("*")), (True, _ignore_regex("tree/")), (False, _ignore_regex("**/__pycache__"))]
    assert ignored("tests/x.py", rules) and ignored("tree/__pycache__/a.pyc", rules)
    assert not ignored("tree/curate/commit.py", rules)


def test_only_the_pinned_requirements_are_installed():
    runs = [i.args for i in instructions() if i.keyword == "RUN" and "pip install" in i.args]
    assert runs, "the Dockerfile installs no requirements"
    for cmd in runs:
        words = shlex.split(cmd)
        tail = words[words.index("install") + 1:]
        packages = [w for n, w in enumerate(tail) if not w.startswith("-") and tail[n - 1] not in ("-r", "-c")]
        assert packages == [], f"installed without a pin: {packages}"
        assert tail[tail.index("-r") + 1] == "requirements.txt"
        assert tail[tail.index("-c") + 1] == "requirements.lock"  # transitive dependencies held too
    pins = re.compile(r"^[A-Za-z0-9_.-]+(\[[A-Za-z0-9_,-]+\])?==[A-Za-z0-9_.+!-]+$")
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert pins.match(line), f"requirements.txt: not pinned with ==: {line}"
    ins = instructions()
    first_copy = next(n for n, i in enumerate(ins) if i.keyword == "COPY" and "requirements.txt" in i.args)
    first_install = next(n for n, i in enumerate(ins) if i.keyword == "RUN" and "pip install" in i.args)
    assert first_copy < first_install


def test_base_image_is_slim():
    (base,) = [i.args for i in instructions() if i.keyword == "FROM"]
    assert re.match(r"python:3\.11-slim", base), base


def test_healthcheck_asks_streamlits_health_endpoint():
    (check,) = [i.args for i in instructions() if i.keyword == "HEALTHCHECK"]
    assert "/_stcore/health" in check and ":8501/" in check
    (expose,) = [i.args for i in instructions() if i.keyword == "EXPOSE"]
    assert expose == "8501"
    (cmd,) = [i.args for i in instructions() if i.keyword == "CMD"]
    assert "--server.port=8501" in cmd


def test_runs_as_a_non_root_user_and_checks_its_config_first():
    ins = instructions()
    users = [i.args for i in ins if i.keyword == "USER"]
    assert users, "no USER: the app would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    keywords = [i.keyword for i in ins]
    assert keywords.index("USER") < keywords.index("CMD")
    (cmd,) = [i.args for i in ins if i.keyword == "CMD"]
    start = cmd.index("streamlit run")
    assert -1 < cmd.index("check-config") < start and "|| exit 1" in cmd[:start]
    assert -1 < cmd.index("tree open-data") < start


# --- every setting documented ----------------------------------------------------------------

_SCANNED = ("tree", "ui", "pages", "tools", "bench", "tests", "scripts", "deploy")
_NAME = re.compile(r"\b((?:BESLISBOOM|STREAMLIT|BB)_[A-Z0-9_]*[A-Z0-9])\b(?!\{)")  # not f"BB_APP{i}"


def settings_in_code() -> set[str]:
    """Every environment variable a deployment or a test run may set, as the code spells them."""
    texts = [(ROOT / name).read_text(encoding="utf-8") for name in ("app.py", "Makefile", "Dockerfile")]
    for folder in _SCANNED:
        for p in (ROOT / folder).rglob("*"):
            if p.is_file() and p.suffix in (".py", ".cfg", ".env", "") and "__pycache__" not in p.parts:
                texts.append(p.read_text(encoding="utf-8", errors="replace"))
    compose_text = COMPOSE.read_text(encoding="utf-8")
    names = set(_NAME.findall("\n".join(texts))) | set(_NAME.findall(compose_text))
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))  # what an operator sets in .env
    names.discard("BESLISBOOM_")
    return names


def test_every_environment_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploy / Hosting", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))
    missing = sorted(n for n in settings_in_code() if f"`{n}`" not in table)
    assert missing == [], f"add these to the table in README 'Deploy / Hosting': {missing}"


def _canonical(name: str) -> str:
    """A distribution name as PEP 503 compares it (extras dropped)."""
    return re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", name).strip().lower())


def test_the_lock_holds_every_runtime_requirement_at_its_pin():
    """requirements.lock is compiled from requirements.txt (uv pip compile); a pin changed in one
    and not the other would make the image install something else than the tests ran with."""
    lock = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==")
            lock[_canonical(name)] = version
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            assert lock.get(_canonical(name)) == version, line
