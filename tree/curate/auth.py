"""Who may write to the databank.

Two ways in, both configured outside the code: Streamlit's OIDC login (``[auth]`` in
``secrets.toml``) for production, with an allow-list of curator e-mail addresses, and local
accounts with a salted PBKDF2 hash (in ``secrets.toml`` or the ``BESLISBOOM_CURATORS``
environment variable) for small installs and tests. With nothing configured the workspace is
closed: there is no default password and no open mode. ``BESLISBOOM_CURATORS=closed`` closes it
on purpose: ``python -m tree check-config`` then knows the closed workspace is a decision, not a
forgotten step, and the page says so instead of explaining how to open it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..safe_text import plain_line
from ..throttle import Backoff

ENV_VAR = "BESLISBOOM_CURATORS"
#: The value of ``BESLISBOOM_CURATORS`` that closes the workspace on purpose (a read-only mirror, or
#: replicas whose databank is curated elsewhere). It wins over every account, also in secrets.toml.
CLOSED_VALUE = "closed"
ALGORITHM = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 600_000  # OWASP 2023 guidance for PBKDF2-HMAC-SHA256


def hash_password(password: str, *, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hash>``: safe to put in a secrets file."""
    if not password:
        raise ValueError("wachtwoord mag niet leeg zijn / password must not be empty")
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    b64 = base64.b64encode
    return f"{ALGORITHM}${iterations}${b64(salt).decode()}${b64(digest).decode()}"


def hash_is_wellformed(encoded: str) -> bool:
    """Could this stored hash ever match? (A typo in a deployment's settings locks a curator out.)"""
    try:
        algorithm, iterations, salt, expected = encoded.split("$")
        return (
            algorithm == ALGORITHM
            and int(iterations) > 0
            and len(base64.b64decode(salt, validate=True)) > 0
            and len(base64.b64decode(expected, validate=True)) == hashlib.sha256().digest_size
        )
    except (ValueError, TypeError):
        return False


def verify_password(password: str, encoded: str) -> bool:
    """Constant-time check of a password against a stored hash; malformed hashes never match."""
    try:
        algorithm, iterations, salt, expected = encoded.split("$")
        if algorithm != ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations)
        )
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


@dataclass(frozen=True)
class CuratorConfig:
    local_users: dict[str, str] = field(default_factory=dict)  # name -> password hash
    oidc: bool = False  # Streamlit's [auth] section is present
    oidc_emails: frozenset[str] = frozenset()  # who may curate after an OIDC login
    closed_on_purpose: bool = False  # BESLISBOOM_CURATORS=closed

    @property
    def closed(self) -> bool:
        return self.closed_on_purpose or (not self.local_users and not (self.oidc and self.oidc_emails))


def closed_on_purpose(env: Mapping[str, str]) -> bool:
    return env.get(ENV_VAR, "").strip().lower() == CLOSED_VALUE


def _parse_env(value: str) -> dict[str, str]:
    """``naam:hash;naam2:hash2`` (hashes contain '$', never ';' or ':')."""
    users = {}
    for part in value.split(";"):
        if ":" in part:
            name, hashed = part.split(":", 1)
            if name.strip() and hashed.strip():
                users[name.strip()] = hashed.strip()
    return users


def config_from(secrets: Mapping[str, Any], env: Mapping[str, str]) -> CuratorConfig:
    """Read the curator set-up from Streamlit secrets and the environment."""
    if closed_on_purpose(env):
        return CuratorConfig(closed_on_purpose=True)
    section = secrets.get("curators", {}) or {}
    users = {str(k): str(v) for k, v in dict(section.get("users", {}) or {}).items()}
    users.update(_parse_env(env.get(ENV_VAR, "")))
    emails = frozenset(str(e).strip().lower() for e in section.get("emails", []) or [])
    return CuratorConfig(users, oidc="auth" in secrets, oidc_emails=emails)


@cache
def _dummy_hash() -> str:
    """A hash with the real cost, checked for unknown names (made once per process)."""
    return hash_password(os.urandom(16).hex())


def authenticate(config: CuratorConfig, name: str, password: str) -> bool:
    """True for a right name and password; the same work is done whatever the name.

    An unknown name is checked against a dummy hash of the same PBKDF2 cost as the real ones, so
    the answer's timing does not tell a curator's name apart from a made-up one.
    """
    hashed = config.local_users.get(name.strip())
    if hashed is None:
        verify_password(password, _dummy_hash())
        return False
    return verify_password(password, hashed)


# --- throttling and the sign-in log -------------------------------------------------------

#: Per name: 5 free tries, then 2 s, 4 s, 8 s … up to 15 minutes between tries.
NAME_BACKOFF = Backoff(free=5, base=2.0, cap=15 * 60)
#: Per client (browser address): 20 free tries, then the same doubling (one office behind one
#: address may have several curators mistyping).
CLIENT_BACKOFF = Backoff(free=20, base=2.0, cap=15 * 60)
log = logging.getLogger("beslisboom.auth")


@dataclass(frozen=True)
class SignIn:
    ok: bool
    wait_seconds: int = 0  # > 0: refused before checking, try again after this long


def sign_in(config: CuratorConfig, name: str, password: str, client: str) -> SignIn:
    """One sign-in attempt, throttled per name and per client, logged without the password."""
    who = plain_line(name.strip().casefold(), 80) or "-"
    wait = max(NAME_BACKOFF.wait(who), CLIENT_BACKOFF.wait(client))
    if wait > 0:
        log.warning("curator sign-in refused (throttled %.0fs): name=%r client=%s", wait, who, client)
        return SignIn(False, math.ceil(wait))
    if authenticate(config, name, password):
        NAME_BACKOFF.succeed(who)
        log.info("curator sign-in ok: name=%r client=%s", who, client)
        return SignIn(True)
    NAME_BACKOFF.fail(who)
    CLIENT_BACKOFF.fail(client)
    log.warning("curator sign-in failed: name=%r client=%s", who, client)
    return SignIn(False)


def oidc_allowed(config: CuratorConfig, email: str | None) -> bool:
    return bool(config.oidc and email and email.strip().lower() in config.oidc_emails)
