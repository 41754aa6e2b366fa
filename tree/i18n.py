"""User-facing strings, one YAML file per language in ``tree/locales/``.

Dutch is the reference: a key missing in English falls back to Dutch, a key missing in Dutch
is a bug (and a test says so). Labels of questions and options are not here: they live in the
databank, next to the ids they name.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .yamlio import load_plain

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
_DIR = Path(__file__).resolve().parent / "locales"


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def strings(lang: str) -> dict[str, str]:
    path = _DIR / f"{lang}.yaml"
    return _flatten(load_plain(path.read_text(encoding="utf-8")) or {})


def t(lang: str, key: str, **values: Any) -> str:
    """The string for ``key`` in ``lang`` (falling back to Dutch), formatted with ``values``."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    key = _plural_key(lang, key, next((values[k] for k in ("n", "count", "minutes") if k in values), None))
    text = strings(lang).get(key)
    if text is None:
        text = strings(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def _plural_key(lang: str, key: str, n: Any) -> str:
    """``key.one`` for exactly 1 and ``key.other`` otherwise, when the string has plural forms.

    Dutch and English both have just these two forms; a key without them is used as it is.
    """
    table = strings(lang) if f"{key}.other" in strings(lang) else strings(DEFAULT_LANGUAGE)
    if f"{key}.other" not in table:
        return key
    return f"{key}.one" if n == 1 else f"{key}.other"


def tm(lang: str, key: str, **values: Any) -> str:
    """Like :func:`t`, for Markdown: the interpolated values (data, link parts) are escaped.

    The locale strings themselves are ours and may carry Markdown; the values may come from a
    link or the databank and must show as typed.
    """
    from .safe_text import md_inline

    return t(lang, key, **{k: md_inline(v) if isinstance(v, str) else v for k, v in values.items()})
