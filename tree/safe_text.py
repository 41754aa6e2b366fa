"""Text from outside the code, made safe for the place it is shown.

Everything a curator, a taxonomy edit or a shared link can put on a screen is plain text: no
field of the databank carries formatting (decided in wave 2; the summaries read fine without it).
So nothing needs sanitising, only escaping, and that is done where the text meets its medium:

- Markdown (Streamlit's ``st.markdown``, captions, labels, and the advice ``.md``): every ASCII
  punctuation character gets a backslash, which CommonMark defines as "show this character".
  That stops links, images, emphasis, HTML, and also GitHub's bare-URL autolinks (``https\\://``
  and ``www\\.`` no longer match), so a shared link cannot plant a clickable phishing address.
- HTML (``st.html`` tables and bars): :func:`html.escape`.
- Spreadsheets: a cell that starts like a formula gets a leading apostrophe (OWASP's advice for
  CSV injection), so Excel shows the text instead of running it.

Link parameters are also cut and cleaned by :func:`plain_line` before they are stored.
"""

from __future__ import annotations

import html
import re
import unicodedata

_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# line and paragraph separators (U+0085, U+2028, U+2029) and other controls break layouts and logs
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md(text: object) -> str:
    """``text`` as Markdown that shows exactly these characters and nothing more."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


_MD_DOC_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~$])")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)")
_LINE_START = re.compile(r"(?m)^(\s*)([#+\-=>])")


def md_doc(text: object) -> str:
    """Escape for a Markdown *document* a person may read raw (the advice ``.md``).

    Same guarantee as :func:`md` (no links, images, HTML or autolinks from data), but only the
    characters that can start formatting get a backslash, so the file stays readable in a text
    editor.
    """
    out = _MD_DOC_SPECIAL.sub(r"\\\1", str(text))
    out = _AUTOLINK.sub(lambda m: "\\" + (m.group(1) or m.group(2)), out)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)


def md_inline(text: object) -> str:
    """Like :func:`md`, on one line (for labels, list items and table cells)."""
    return md(" ".join(str(text).split()))


def html_text(text: object) -> str:
    return html.escape(str(text), quote=True)


def plain_line(text: str, limit: int) -> str:
    """One line of visible text: controls and direction overrides removed, spaces folded, cut."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def spreadsheet_cell(value: object) -> object:
    """A value that a spreadsheet will show, never evaluate."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo :func:`spreadsheet_cell` on import, so an export → import round trip is lossless."""
    if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value
