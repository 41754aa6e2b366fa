"""Horizontal bars in plain HTML, for the projector's tally and funnel.

A chart library draws axis labels at 10–12 px, which nobody reads from the back of a room, and
its canvas or SVG is opaque to a screen reader. These are a list of label, bar and number in the
page's own (projector-sized) type, so they scale with the CSS and read as text. No Streamlit
import: the HTML is built here and shown by the caller with ``st.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: Styles for ``bars``; the caller adds them once per page (projector.projector does).
CSS = """
.bars { list-style: none; margin: 0 0 1rem 0; padding: 0; }
.bars li { display: grid; grid-template-columns: minmax(8rem, 2fr) 3fr 3.5rem; gap: 0.75rem;
  align-items: center; font-size: 1.45rem; line-height: 1.25; padding: 0.2rem 0; }
.bars .track { background: #E6ECE9; height: 1.6rem; border-radius: 0.3rem; overflow: hidden; }
.bars .fill { background: #0B6E4F; height: 100%; }
.bars .top .fill { background: #0B3D2E; }
.bars .top .label, .bars .top .n { font-weight: 700; }
.bars .n { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.bars.compact li { grid-template-columns: minmax(10rem, 3fr) 2fr 3rem; font-size: 1.2rem; padding: 0.1rem 0; }
.bars.compact .track { height: 1.2rem; }
"""


def bars(
    rows: Sequence[tuple[str, int]],
    *,
    maximum: int | None = None,
    label: str = "",
    highlight_top: bool = True,
    compact: bool = False,
) -> str:
    """``rows`` of (label, count) as an HTML list of bars; the largest count(s) in bold.

    ``maximum`` is the count of a full bar (default: the largest count), so a funnel can keep
    its first bar as the whole databank; a funnel also has no winner (``highlight_top``) and
    wants smaller, one-line rows (``compact``). Labels are escaped: they come from curators and rooms.
    """
    full = max([maximum or 0, *(n for _, n in rows), 1])
    top = max((n for _, n in rows), default=0)
    items = []
    for text, n in rows:
        width = round(100 * max(n, 0) / full, 1)
        cls = ' class="top"' if highlight_top and n == top and n > 0 else ""
        items.append(
            f'<li{cls}><span class="label">{escape(text)}</span>'
            f'<span class="track" aria-hidden="true"><span class="fill" style="display:block;width:{width}%">'
            f'</span></span><span class="n">{n}</span></li>'
        )
    aria = f' aria-label="{escape(label)}"' if label else ""
    kind = "bars compact" if compact else "bars"
    return f'<ul class="{kind}"{aria}>' + "".join(items) + "</ul>"
