from __future__ import annotations

import pytest

from tree.curate.auth import CuratorConfig, authenticate, config_from, hash_password, oidc_allowed, verify_password

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


# --- issue 14: no name enumeration, throttling, a sign-in log ----------------------------------


def test_unknown_and_known_names_cost_the_same_work(monkeypatch):
    """An unknown name runs the same key derivation (same hash, same iterations) as a known one,
    so the time of a failed sign-in does not tell which names exist. Counted, not timed: a timing
    ratio was flaky on a busy machine."""
    import hashlib

    from tree.curate import auth

    cfg = CuratorConfig(local_users={"anna": hash_password("juist")})  # production cost
    auth._dummy_hash()  # made once per process, not part of a sign-in
    calls: list[tuple[str, int]] = []
    real = hashlib.pbkdf2_hmac

    def counting(name, password, salt, iterations, *args, **kwargs):
        calls.append((name, iterations))
        return real(name, password, salt, iterations, *args, **kwargs)

    monkeypatch.setattr(auth.hashlib, "pbkdf2_hmac", counting)
    authenticate(cfg, "anna", "fout")
    known, calls[:] = list(calls), []
    authenticate(cfg, "onbekend", "fout")
    assert calls == known and len(known) == 1 and known[0][1] >= 100_000


def test_backoff_grows_per_name_and_resets_on_success():
    from tree.throttle import Backoff

    now = [0.0]
    b = Backoff(free=2, base=2.0, cap=60, clock=lambda: now[0])
    assert [b.fail("anna") for _ in range(5)] == [0, 0, 2.0, 4.0, 8.0]
    assert b.wait("anna") == 8.0 and b.wait("bob") == 0
    now[0] += 8.0
    assert b.wait("anna") == 0
    assert [b.fail("anna") for _ in range(3)] == [16.0, 32.0, 60]  # capped
    b.succeed("anna")
    assert b.wait("anna") == 0 and b.fail("anna") == 0


def test_sign_in_is_throttled_logged_and_never_logs_the_password(monkeypatch, caplog):
    import logging

    from tree.curate import auth
    from tree.throttle import Backoff

    monkeypatch.setattr(auth, "NAME_BACKOFF", Backoff(free=3, base=2.0, cap=60))
    monkeypatch.setattr(auth, "CLIENT_BACKOFF", Backoff(free=100, base=2.0, cap=60))
    cfg = CuratorConfig(local_users={"anna": hash_password("juist", iterations=FAST)})
    caplog.set_level(logging.INFO, logger="beslisboom.auth")
    results = [auth.sign_in(cfg, "anna", f"geheim{n}", "10.0.0.1") for n in range(6)]
    assert [r.ok for r in results] == [False] * 6
    assert [r.wait_seconds > 0 for r in results] == [False, False, False, False, True, True]
    # while throttled even the right password is refused, without being checked
    assert not auth.sign_in(cfg, "anna", "juist", "10.0.0.1").ok
    text = caplog.text
    assert "sign-in failed" in text and "throttled" in text and "anna" in text
    assert "geheim" not in text and "juist" not in text


def test_a_client_guessing_many_names_is_throttled_too(monkeypatch):
    from tree.curate import auth
    from tree.throttle import Backoff

    monkeypatch.setattr(auth, "NAME_BACKOFF", Backoff(free=5, base=2.0, cap=60))
    monkeypatch.setattr(auth, "CLIENT_BACKOFF", Backoff(free=3, base=2.0, cap=60))
    cfg = CuratorConfig(local_users={"anna": hash_password("juist", iterations=FAST)})
    waits = [auth.sign_in(cfg, f"naam{n}", "x", "10.0.0.9").wait_seconds for n in range(6)]
    assert waits[:4] == [0, 0, 0, 0] and waits[4] > 0
    assert auth.sign_in(cfg, "anna", "juist", "10.0.0.10").ok  # another client is not affected
