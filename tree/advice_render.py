"""The advice as a file: Markdown (shown and downloadable) and an A4 PDF.

Both are drawn from the same blocks (:func:`tree.advice.blocks`), so the two documents say the
same; this module only decides how each block looks in each format.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

from fpdf import FPDF

from .advice import Advice, Block, Span, blocks
from .databank import Databank
from .i18n import t
from .safe_text import md_doc

# --- text normalisation for the PDF's core fonts -----------------------------------------------

#: Typographic characters outside latin-1 and a plain equivalent. Helvetica in a PDF has no
#: glyphs beyond latin-1, and curators (rightly) write real dashes and quotes.
_LATIN1_MAP: dict[str, str] = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2039": "<", "\u203a": ">",
    "\u2026": "...",
    "\u2022": "-", "\u2023": "-", "\u2043": "-", "\u25cf": "-", "\u25aa": "-",
    "\u2265": ">=", "\u2264": "<=", "\u2260": "!=", "\u2248": "~",
    "\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u21d2": "=>",
    "\u20ac": "EUR",
    "\u2009": " ", "\u200a": " ", "\u2002": " ", "\u2003": " ", "\u202f": " ", "\u2007": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i",
    "\u0152": "OE", "\u0153": "oe",
    "\t": " ",
}


def latin1_safe(text: str, replacement: str = "?") -> str:
    """Text that the PDF core fonts can show, keeping as much meaning as possible.

    Accented letters in latin-1 (é, ë, ï, ×) stay as they are; typographic dashes, quotes,
    ellipses, bullets and comparison signs get a plain equivalent; other accented letters lose
    their accent (ő → o); anything else becomes ``replacement``. The result always encodes
    as latin-1, so fpdf2 never raises halfway through a document.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    out: list[str] = []
    for ch in text:
        if ch in _LATIN1_MAP:
            out.append(_LATIN1_MAP[ch])
        elif ord(ch) < 256:
            out.append(ch)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 256 and not unicodedata.combining(c)
            )
            out.append(base or replacement)
    return "".join(out)


# --- Markdown -----------------------------------------------------------------------------------

def _md_escape(text: str) -> str:
    """Names, notes and the research question print as written: never as links, images or HTML."""
    return md_doc(text)


def _md_url(url: str) -> str:
    """A URL that cannot end its Markdown link early or open an HTML tag."""
    return url.translate({ord(c): f"%{ord(c):02X}" for c in ' ()<>"`\\'})


def _md_spans(spans: Iterable[Span]) -> str:
    out = []
    for s in spans:
        if s.url:
            url = _md_url(s.url)
            out.append(f"<{url}>" if s.text == s.url else f"[{_md_escape(s.text)}]({url})")
        elif s.bold and s.text.strip():
            # ``** x**`` is not bold in Markdown: keep the spaces outside the markers
            core = s.text.strip()
            lead, trail = s.text[: len(s.text) - len(s.text.lstrip())], s.text[len(s.text.rstrip()):]
            out.append(f"{lead}**{_md_escape(core)}**{trail}")
        else:
            out.append(_md_escape(s.text))
    return "".join(out)


def to_markdown(bank: Databank, advice: Advice) -> str:
    """The advice as Markdown: shown in the app and downloadable as a ``.md`` file."""
    lines: list[str] = []
    prev: Block | None = None
    for block in blocks(bank, advice):
        if prev is not None and not (prev.kind == "li" and block.kind == "li"):
            lines.append("")
        body = _md_spans(block.spans)
        if block.kind == "h1":
            lines.append(f"# {body}")
        elif block.kind == "h2":
            lines.append(f"## {body}")
        elif block.kind == "h3":
            lines.append(f"### {body}")
        elif block.kind == "quote":
            lines.extend(f"> {line}".rstrip() for line in body.split("\n"))
        elif block.kind == "li":
            lines.append(f"{'  ' * block.level}- {body}")
        elif block.kind == "small":
            lines.append(f"*{body}*")
        elif block.kind == "rule":
            lines.append("---")
        else:
            lines.append(body.replace("\n", "  \n"))
        prev = block
    return "\n".join(lines) + "\n"


# --- PDF ----------------------------------------------------------------------------------------

_FONT = "Helvetica"
_PDF_TOTAL_PAGES = "{nb}"  # fpdf2 replaces this with the page count when the PDF is written
_MARGIN = 20  # mm: room to punch and file, and comfortable line lengths on A4
_LINE = 5.5  # mm per line of 10.5 pt body text
_INDENT = 6  # mm per list level
_LINK_COLOUR = (0, 70, 160)
_SIZES: dict[str, tuple[str, float, float]] = {  # kind -> (style, size pt, line height mm)
    "h1": ("B", 18, 9),
    "h2": ("B", 14, 7),
    "h3": ("B", 12, 6.5),
    "p": ("", 10.5, _LINE),
    "quote": ("I", 10.5, _LINE),
    "li": ("", 10.5, _LINE),
    "small": ("I", 8.5, 4.5),
}


class _AdvicePDF(FPDF):
    """FPDF with the advice's footer: the page number on every page."""

    def __init__(self, page_label: str) -> None:
        """``page_label`` holds ``{page}`` (this page) and fpdf2's ``{nb}`` (total pages)."""
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._page_label = latin1_safe(page_label)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self._page_label.replace("{page}", str(self.page_no())), align="C")
        self.set_text_color(0, 0, 0)


def _pdf_block(pdf: FPDF, block: Block) -> None:
    if block.kind == "rule":
        pdf.ln(2)
        y = pdf.get_y()
        pdf.set_draw_color(180, 180, 180)
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.ln(3)
        return
    style, size, height = _SIZES[block.kind]
    if block.kind in ("h2", "h3"):
        # keep a heading with the text under it instead of alone at the bottom of a page
        if pdf.get_y() + height + 3 * _LINE > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(4 if block.kind == "h2" else 2)
    margin = pdf.l_margin
    indent = 0.0
    if block.kind == "li":
        indent = _INDENT * (block.level + 1)
        pdf.set_font(_FONT, "", size)
        pdf.set_x(margin + indent - 4)
        pdf.cell(4, height, "-" if block.level == 0 else "\xb7")
    elif block.kind == "quote":
        indent = _INDENT
        pdf.set_x(margin + indent)
    pdf.set_left_margin(margin + indent)
    try:
        for span in block.spans:
            span_style = style + ("B" if span.bold and "B" not in style else "")
            if span.url:
                pdf.set_text_color(*_LINK_COLOUR)
                pdf.set_font(_FONT, span_style + "U", size)
                pdf.write(height, latin1_safe(span.text), link=span.url)
                pdf.set_text_color(0, 0, 0)
            else:
                pdf.set_font(_FONT, span_style, size)
                pdf.write(height, latin1_safe(span.text))
        pdf.ln(height)
    finally:
        pdf.set_left_margin(margin)
    if block.kind in ("p", "quote", "h1", "h2", "h3"):
        pdf.ln(1.5)


def to_pdf(bank: Databank, advice: Advice, *, compress: bool = True) -> bytes:
    """The advice as an A4 PDF, with clickable links and page numbers.

    Only core fonts are used (no font files to ship), so every text goes through
    :func:`latin1_safe`. ``compress=False`` leaves the page content readable in the bytes,
    which lets tests check the text without a PDF parser.
    """
    lang = advice.lang
    pdf = _AdvicePDF(t(lang, "advice.page", page="{page}", pages=_PDF_TOTAL_PAGES))
    pdf.set_compression(compress)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.set_title(latin1_safe(t(lang, "advice.title")))
    pdf.set_creator("Beslisboom effectmeting")
    pdf.set_lang(lang)
    pdf.set_creation_date(dt.datetime.combine(advice.created, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()
    prev = None
    for block in blocks(bank, advice):
        if prev == "li" and block.kind in ("p", "quote"):
            pdf.ln(1.5)
        _pdf_block(pdf, block)
        prev = block.kind
    return bytes(pdf.output())


