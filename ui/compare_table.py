"""The comparison as an HTML table that turns into stacked blocks on a phone.

``st.table`` draws one wide grid: on a 375 px phone the second instrument is off-screen and a
team leader has to scroll sideways within each row to compare. Here the same table (one column
per instrument, one row per fact) is plain HTML with the instrument's name on every cell as
``data-label``; below 640 px the CSS stacks each fact as a heading with one line per instrument.
No Streamlit import: built here, shown with ``st.html``.
"""

from __future__ import annotations

from html import escape

import pandas as pd

CSS = """
<style>
.cmp { border-collapse: collapse; width: 100%; font-size: 1rem; line-height: 1.45; }
.cmp th, .cmp td { border: 1px solid #D5DCD8; padding: 0.45rem 0.6rem; text-align: left; vertical-align: top; }
.cmp thead th { background: #F1F5F3; font-weight: 700; }
.cmp tbody th { background: #F1F5F3; font-weight: 600; width: 12rem; }
.cmp a { color: #0B5C42; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  .cmp thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .cmp, .cmp tbody, .cmp tr, .cmp th, .cmp td { display: block; width: auto; }
  .cmp tr { margin-bottom: 0.9rem; border: 1px solid #D5DCD8; border-radius: 0.4rem; }
  .cmp th, .cmp td { border: none; }
  .cmp tbody th { border-bottom: 1px solid #D5DCD8; width: auto; }
  .cmp td:empty { display: none; }
  .cmp td::before { content: attr(data-label); display: block; font-weight: 700; font-size: 0.9rem; color: #3D4A44; }
}
</style>
"""


def _cell(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if text.startswith(("https://", "http://")) and " " not in text:
        return f'<a href="{escape(text)}" target="_blank" rel="noopener">{escape(text)}</a>'
    return escape(text)


def compare_html(frame: pd.DataFrame, *, caption: str = "") -> str:
    """``frame`` (columns: instruments, index: facts) as a responsive, escaped HTML table."""
    names = [str(c) for c in frame.columns]
    head = "".join(f'<th scope="col">{escape(n)}</th>' for n in names)
    rows = []
    for fact, values in frame.iterrows():
        cells = "".join(
            f'<td data-label="{escape(n)}">{_cell(v)}</td>' for n, v in zip(names, values.tolist(), strict=True)
        )
        rows.append(f'<tr><th scope="row">{escape(str(fact))}</th>{cells}</tr>')
    label = f' aria-label="{escape(caption)}"' if caption else ""
    return f'<table class="cmp"{label}><thead><tr><td></td>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
