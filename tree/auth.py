"""Who may write to the databank.

Two ways in, both configured outside the code: Streamlit's OIDC login (``[auth]`` in
``secrets.toml``) for production, with an allow-list of curator e-mail addresses, and local
accounts with a salted PBKDF2 hash (in ``secrets.toml`` or the ``BESLISBOOM_CURATORS``
environment variable) for small installs and tests. With nothing configured the workspace is
closed: there is no default password and no open mode.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENV_VAR = "BESLISBOOM_CURATORS"
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

    @property
    def closed(self) -> bool:
        return not self.local_users and not (self.oidc and self.oidc_emails)


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
    section = secrets.get("curators", {}) or {}
    users = {str(k): str(v) for k, v in dict(section.get("users", {}) or {}).items()}
    users.update(_parse_env(env.get(ENV_VAR, "")))
    emails = frozenset(str(e).strip().lower() for e in section.get("emails", []) or [])
    return CuratorConfig(users, oidc="auth" in secrets, oidc_emails=emails)


def authenticate(config: CuratorConfig, name: str, password: str) -> bool:
    hashed = config.local_users.get(name.strip())
    if hashed is None:
        # spend the same time as a real check, so a wrong name is not told apart from a wrong password
        verify_password(password, hash_password("x", iterations=1000))
        return False
    return verify_password(password, hashed)


def oidc_allowed(config: CuratorConfig, email: str | None) -> bool:
    return bool(config.oidc and email and email.strip().lower() in config.oidc_emails)
