from __future__ import annotations

import pytest

from tree.auth import CuratorConfig, authenticate, config_from, hash_password, oidc_allowed, verify_password

FAST = 1000  # iterations: the check is the same, only slower in production


def test_hash_and_verify():
    hashed = hash_password("geheim", iterations=FAST)
    assert hashed.startswith("pbkdf2_sha256$1000$")
    assert verify_password("geheim", hashed)
    assert not verify_password("Geheim", hashed)
    assert hash_password("geheim", iterations=FAST) != hashed  # salted


@pytest.mark.parametrize("bad", ["", "plain-text", "md5$1$a$b", "pbkdf2_sha256$x$y$z"])
def test_malformed_hash_never_matches(bad):
    assert not verify_password("geheim", bad)


def test_empty_password_refused():
    with pytest.raises(ValueError):
        hash_password("")


def test_closed_without_configuration():
    assert config_from({}, {}).closed
    # OIDC configured but nobody allowed: still closed
    assert config_from({"auth": {"client_id": "x"}}, {}).closed


def test_local_users_from_secrets_and_env():
    h1, h2 = hash_password("a", iterations=FAST), hash_password("b", iterations=FAST)
    cfg = config_from({"curators": {"users": {"anna": h1}}}, {"BESLISBOOM_CURATORS": f"bert:{h2}; :x;kapot"})
    assert set(cfg.local_users) == {"anna", "bert"}
    assert not cfg.closed
    assert authenticate(cfg, "anna", "a")
    assert authenticate(cfg, " bert ", "b")
    assert not authenticate(cfg, "anna", "b")
    assert not authenticate(cfg, "onbekend", "a")


def test_oidc_allow_list():
    cfg = config_from({"auth": {"client_id": "x"}, "curators": {"emails": ["Curator@Movisie.nl"]}}, {})
    assert not cfg.closed
    assert oidc_allowed(cfg, "curator@movisie.nl")
    assert not oidc_allowed(cfg, "iemand@example.org")
    assert not oidc_allowed(cfg, None)
    assert not oidc_allowed(CuratorConfig(oidc_emails=frozenset({"a@b.nl"})), "a@b.nl")  # no [auth]: no OIDC
