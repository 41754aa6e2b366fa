from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


def open_app(path: str = APP, **params: str) -> AppTest:
    """Run a script (the whole app, or one page) as if opened from a link with ``params``."""
    at = AppTest.from_file(path, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app() -> Callable[..., AppTest]:
    """An AppTest of the whole app, optionally opened from a link's query parameters."""
    return open_app


def _parts(at: AppTest) -> list[str]:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(str(cb.label) for cb in at.checkbox)
    parts.extend(str(b.label) for b in at.button)
    return parts


def texts(at: AppTest) -> str:
    """All visible text of the run, to assert on what a user reads."""
    # data is shown as escaped Markdown (tree.safe_text.md): read it as the user sees it
    return shown("\n".join(_parts(at)))


def raw_markdown(at: AppTest) -> str:
    """Every Markdown-rendered value as sent to the browser (escapes included)."""
    return "\n".join([*_parts(at), *(str(o) for r in at.radio for o in r.options)])


def shown(value: object) -> str:
    """A Markdown value as the user reads it (escapes removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(value))
