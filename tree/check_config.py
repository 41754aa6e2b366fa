"""``python -m tree check-config``: is this deployment ready to take traffic?

Run it where the app runs, with the same environment and working directory (in the container:
``docker-compose run --rm app1 python -m tree check-config``; the image runs it before it starts
Streamlit). Each check below is a small function that reads the deployment and returns problem
lines ``area: what is wrong — what to do``, so an operator can act on every line without reading
code. Exit 1 with one line per problem; exit 0 when every check passes.

Checked: the databank loads without problems and can be written when curators may save; git sync
is really on when asked for; the room store is reachable and migrated; curator access is
configured (and can work) or closed on purpose (``BESLISBOOM_CURATORS=closed``); replicas share a
cookie secret; the open data folder is served and writable; switches hold values the app reads.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import opendata
from .curate.auth import ENV_VAR as CURATORS_ENV
from .curate.auth import closed_on_purpose, config_from, hash_is_wellformed
from .curate.history import _git, _git_prefix
from .databank import DEFAULT_PATH, DatabankError, load_databank
from .sqldb import ENV_URL as DATABASE_URL_ENV

DATABANK_ENV = "BESLISBOOM_DATABANK"
GIT_SYNC_ENV = "BESLISBOOM_GIT_SYNC"
SYNC_SECONDS_ENV = "BESLISBOOM_SYNC_SECONDS"
TRUST_PROXY_ENV = "BESLISBOOM_TRUST_PROXY"
#: Switches the app reads as exactly "1": any other value (true, yes, on) silently leaves them off.
SWITCHES = (GIT_SYNC_ENV, TRUST_PROXY_ENV)
#: Keys ``st.login()`` (no provider argument, as the curator page calls it) needs in ``[auth]``.
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class Deployment:
    """What the app would read at start: environment, Streamlit secrets and config, folders."""

    env: Mapping[str, str]
    databank: Path
    open_data: Path = opendata.DEFAULT_DIR
    secrets: Mapping[str, Any] = field(default_factory=dict)
    streamlit_config: Mapping[str, Any] = field(default_factory=dict)
    #: Files that could not be read (a broken secrets.toml): problems in their own right.
    read_problems: tuple[str, ...] = ()
    #: Run the room store's missing migrations before checking it (``--upgrade``).
    upgrade: bool = False


def _read_toml(paths: list[Path], label: str) -> tuple[dict[str, Any], list[str]]:
    """Merge TOML files in order (later wins per top-level key), as Streamlit does."""
    merged: dict[str, Any] = {}
    problems = []
    for path in paths:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{label}: {path} is geen geldige TOML / is not valid TOML: {exc}")
            continue
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged, problems


def from_environment(
    env: Mapping[str, str] | None = None,
    *,
    databank: str | os.PathLike[str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    upgrade: bool = False,
) -> Deployment:
    """The deployment as ``streamlit run app.py`` started in ``cwd`` would see it."""
    env = dict(os.environ if env is None else env)
    cwd = cwd or Path.cwd()
    home = home or Path.home()
    folders = [home / ".streamlit", cwd / ".streamlit"]  # Streamlit's order: global, then project
    secrets, secret_problems = _read_toml([f / "secrets.toml" for f in folders], "secrets")
    # Streamlit copies root-level secrets into the environment (how Community Cloud sets them)
    env.update({k: str(v) for k, v in secrets.items() if isinstance(v, str | int | float) and not isinstance(v, bool)})
    config, config_problems = _read_toml([f / "config.toml" for f in folders], "streamlit")
    bank = Path(databank or env.get(DATABANK_ENV) or DEFAULT_PATH)
    return Deployment(
        env=env,
        databank=bank,
        secrets=secrets,
        streamlit_config=config,
        read_problems=(*secret_problems, *config_problems),
        upgrade=upgrade,
    )


def _writable(path: Path) -> bool:
    """Can this user create and replace files in ``path``? (Its own function: tests run as root.)"""
    return os.access(path, os.W_OK | os.X_OK)


def _streamlit_option(d: Deployment, section: str, name: str) -> Any:
    """A Streamlit option as the server resolves it: ``STREAMLIT_<SECTION>_<NAME>`` over config.toml."""
    env_name = f"STREAMLIT_{section}_{re.sub(r'(?<!^)(?=[A-Z])', '_', name)}".upper()
    if d.env.get(env_name):
        return d.env[env_name]
    return (d.streamlit_config.get(section) or {}).get(name)


# --- the checks ----------------------------------------------------------------------------


def check_files(d: Deployment) -> list[str]:
    return list(d.read_problems)


def check_databank(d: Deployment) -> list[str]:
    """Every file loads (what the loader refuses is missing from the site) and there is something to show."""
    try:
        bank = load_databank(d.databank)
    except DatabankError as err:
        return [f"databank: {p}" for p in err.problems]
    problems = [f"databank: {p}" for p in bank.problems]
    if not bank.active:
        problems.append(f"databank: {d.databank} heeft geen actieve instrumenten / has no active instruments")
    if not closed_on_purpose(d.env) and not _writable(d.databank):
        problems.append(
            f"databank: {d.databank} is niet schrijfbaar / is not writable for this user (uid {os.getuid()}): "
            f"curator saves would fail — give the app user write access, or set {CURATORS_ENV}=closed"
        )
    return problems


def check_switches(d: Deployment) -> list[str]:
    """Values the app would misread silently: a switch that is not "1", an interval that is no number."""
    problems = []
    for name in SWITCHES:
        value = d.env.get(name, "")
        if value not in ("", "0", "1"):
            problems.append(f"settings: {name}={value!r} betekent uit / means off — the app reads only 1 (on) or 0")
    seconds = d.env.get(SYNC_SECONDS_ENV)
    if seconds is not None:
        try:
            ok = float(seconds) > 0
        except ValueError:
            ok = False
        if not ok:
            problems.append(f"settings: {SYNC_SECONDS_ENV}={seconds!r} moet een getal > 0 zijn / must be a number > 0")
    return problems


def check_git_sync(d: Deployment) -> list[str]:
    """Asked for git sync: the databank must be a working copy whose branch tracks a remote."""
    if d.env.get(GIT_SYNC_ENV) != "1":
        return []
    if shutil.which("git") is None:
        return [f"git sync: {GIT_SYNC_ENV}=1 maar git ontbreekt / but git is not installed"]
    upstream = ""
    if _git_prefix(d.databank) is not None:
        upstream = _git(d.databank, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", check=False).strip()
    if not upstream:
        return [
            f"git sync: {d.databank} is geen git-kopie met een remote / is not a git working copy whose branch "
            f"tracks a remote: saves would stay on this disk — clone the databank repository there, "
            f"or unset {GIT_SYNC_ENV}"
        ]
    return []


def check_rooms(d: Deployment) -> list[str]:
    """The workshop room store (PostgreSQL or SQLite, as the app would choose it) is reachable and migrated.

    The store reads the process environment itself, exactly as the app does; ``upgrade`` runs the
    missing migrations first (the image does, so a new release migrates before it takes traffic).
    """
    from .workshop import backend

    try:
        return [f"rooms: {p}" for p in backend.check_store(upgrade=d.upgrade)]
    except Exception as exc:  # a check that crashes is a problem to report, not a traceback
        first = (str(exc).splitlines() or [""])[0]
        return [f"rooms: controle mislukt / check failed: {type(exc).__name__}: {first}"]


def _env_entry_problems(value: str) -> list[str]:
    """Entries of BESLISBOOM_CURATORS that are not ``name:hash`` (they would be dropped silently)."""
    problems = []
    for n, part in enumerate(value.split(";"), 1):
        if not part.strip():
            continue
        name, sep, hashed = part.partition(":")
        if not sep or not name.strip() or not hashed.strip():
            problems.append(
                f"curators: {CURATORS_ENV} deel {n} is geen naam:hash / entry {n} is not name:hash "
                "— make one with python -m tree hash-password NAME"
            )
    return problems


def _oidc_problems(secrets: Mapping[str, Any]) -> list[str]:
    auth = secrets.get("auth")
    emails = (secrets.get("curators") or {}).get("emails")
    if not auth:
        if emails:
            return ["curators: [curators] emails staat er, maar [auth] ontbreekt / is set but secrets.toml has no "
                    "[auth] section, so nobody can sign in through OIDC"]
        return []
    problems = []
    if not emails:
        problems.append("curators: [auth] staat er, maar [curators] emails is leeg / is set but [curators] emails "
                        "is empty, so nobody may curate after an OIDC sign-in")
    missing = [k for k in OIDC_KEYS if not (isinstance(auth, Mapping) and auth.get(k))]
    if missing:
        problems.append(f"curators: [auth] mist / lacks {', '.join(missing)} (see Streamlit's st.login docs)")
    elif not str(auth["redirect_uri"]).endswith("/oauth2callback"):
        problems.append("curators: [auth] redirect_uri moet eindigen op / must end with /oauth2callback")
    return problems


def check_curators(d: Deployment) -> list[str]:
    """Curator access works for someone, or is closed on purpose; never closed by omission."""
    if closed_on_purpose(d.env):
        return []
    problems = _env_entry_problems(d.env.get(CURATORS_ENV, ""))
    cfg = config_from(d.secrets, d.env)
    for name, hashed in sorted(cfg.local_users.items()):
        if not hash_is_wellformed(hashed):  # never print the hash: it is a secret
            problems.append(
                f"curators: {name!r}: ongeldige wachtwoordhash / malformed password hash "
                f"— make one with python -m tree hash-password {name}"
            )
    problems += _oidc_problems(d.secrets)
    if not problems and cfg.closed:
        problems.append(
            f"curators: geen toegang ingesteld / no curator access configured — set {CURATORS_ENV} "
            f"(python -m tree hash-password NAME) or OIDC in secrets.toml, or {CURATORS_ENV}=closed "
            "to close the workspace on purpose"
        )
    return problems


def check_cookie_secret(d: Deployment) -> list[str]:
    """Replicas (a shared PostgreSQL room store) must share Streamlit's cookie secret."""
    if not d.env.get(DATABASE_URL_ENV) or _streamlit_option(d, "server", "cookieSecret"):
        return []
    return [
        "streamlit: STREAMLIT_SERVER_COOKIE_SECRET ontbreekt / is not set: replicas behind one load balancer "
        "must share server.cookieSecret (e.g. openssl rand -hex 32, the same value for every replica)"
    ]


def check_open_data(d: Deployment) -> list[str]:
    """The open data folder is served by Streamlit and writable, so it can follow the databank."""
    problems = []
    serving = str(_streamlit_option(d, "server", "enableStaticServing")).lower()
    if serving not in ("true", "1"):
        problems.append(
            "open data: server.enableStaticServing staat uit / is off, so /app/static/open-data/ is not served "
            "(see .streamlit/config.toml)"
        )
    folder = d.open_data
    existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    if not _writable(existing):
        problems.append(
            f"open data: {folder} is niet schrijfbaar / is not writable for this user (uid {os.getuid()}): "
            "the JSON and CSV cannot follow the databank — make it writable (in Docker: a volume)"
        )
    return problems


CHECKS: tuple[Callable[[Deployment], list[str]], ...] = (
    check_files,
    check_databank,
    check_switches,
    check_git_sync,
    check_rooms,
    check_curators,
    check_cookie_secret,
    check_open_data,
)


def run(d: Deployment) -> list[str]:
    """Every problem of the deployment, one line each (empty: ready for traffic)."""
    return [line for check in CHECKS for line in check(d)]
