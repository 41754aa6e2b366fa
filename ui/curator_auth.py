"""The gate in front of every write: nothing below :func:`require` runs for an anonymous session."""

from __future__ import annotations

import os

import streamlit as st

from tree.curate.auth import CuratorConfig, config_from, oidc_allowed, sign_in
from tree.i18n import t

from . import state
from .client import client_id

ss = st.session_state
USER_KEY = "curator_user"


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml at all: that is a valid, closed, set-up
        return {}


def config() -> CuratorConfig:
    return config_from(_secrets(), os.environ)


def _sign_out() -> None:
    ss.pop(USER_KEY, None)


def _local_login(cfg: CuratorConfig, lang: str) -> None:
    with st.form("curator_login"):
        name = st.text_input(t(lang, "curator.name"), key="login_name")
        password = st.text_input(t(lang, "curator.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t(lang, "curator.sign_in"), type="primary")
    if submitted:
        result = sign_in(cfg, name, password, client_id())
        if result.ok:
            ss[USER_KEY] = name.strip()
            st.rerun()
        if result.wait_seconds:
            st.error(t(lang, "curator.throttled", n=result.wait_seconds))
        else:
            st.error(t(lang, "curator.wrong_password"))


def signed_in() -> bool:
    """Whether this session has a curator who may still work here (same test as :func:`require`)."""
    user = ss.get(USER_KEY)
    if not user:
        return False
    cfg = config()
    return not cfg.closed and not cfg.closed_on_purpose and (user in cfg.local_users or oidc_allowed(cfg, user))


def require() -> str:
    """The signed-in curator's name; otherwise draw the login (or the closed notice) and stop."""
    lang = state.lang()
    cfg = config()
    if cfg.closed_on_purpose:  # a decision of this deployment: no how-to-open for visitors
        st.title(t(lang, "curator.title"))
        st.info(t(lang, "curator.closed_here"))
        st.stop()
    if cfg.closed:
        st.title(t(lang, "curator.title"))
        st.warning(t(lang, "curator.closed"))
        st.markdown(t(lang, "curator.closed_howto"))
        st.stop()
    user = ss.get(USER_KEY)
    if user and (user in cfg.local_users or oidc_allowed(cfg, user)):
        return user
    st.title(t(lang, "curator.title"))
    if cfg.oidc and cfg.oidc_emails:
        if st.user.is_logged_in:
            email = st.user.get("email")
            if oidc_allowed(cfg, email):
                ss[USER_KEY] = str(email)
                st.rerun()
            st.error(t(lang, "curator.not_allowed", email=email or "-"))
            st.button(t(lang, "curator.sign_out"), on_click=st.logout, key="oidc_logout")
        else:
            st.button(t(lang, "curator.sign_in_oidc"), on_click=st.login, type="primary", key="oidc_login")
    if cfg.local_users:
        _local_login(cfg, lang)
    st.stop()


def signed_in_bar(user: str) -> None:
    lang = state.lang()
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(t(lang, "curator.signed_in_as", user=user))
        st.button(t(lang, "curator.sign_out"), key="curator_sign_out", on_click=_sign_out, type="tertiary")
