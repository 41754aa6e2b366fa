"""A take-away document as format-free blocks, and its three renderings: Markdown, PDF, Word.

The advice and the meetplan are built once as a list of :class:`Block` s; each renderer only
decides how a block looks, so the formats can never say different things.

- **Markdown**: shown in the app and downloadable.
- **PDF**: A4 with page numbers and clickable links, in DejaVu Sans embedded as a Unicode font
  (shipped in ``tree/fonts``), so "≥", "€", "–" and names like "Łódź" print as written instead of
  turning into "?" as they would in the PDF core fonts.
- **Word** (python-docx): team leaders rework a plan in Word, so it uses real headings, lists and
  tables that Word's styles and navigation pane understand.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .safe_text import md_doc

FONT_DIR = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class Span:
    """A run of text, optionally bold or a link."""

    text: str
    url: str | None = None
    bold: bool = False


BlockKind = Literal["h1", "h2", "h3", "p", "quote", "li", "small", "rule", "table"]


@dataclass(frozen=True)
class Block:
    """One paragraph-level element; ``level`` nests list items (0 = top).

    A ``table`` keeps its cells in ``rows``; the first row is the header.
    """

    kind: BlockKind
    spans: tuple[Span, ...] = ()
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()
    #: Relative column widths of a table (None: equal).
    widths: tuple[int, ...] | None = None

    @property
    def text(self) -> str:
        if self.kind == "table":
            return "\n".join(" | ".join(row) for row in self.rows)
        return "".join(s.text for s in self.spans)


def block(kind: BlockKind, *parts: str | Span, level: int = 0) -> Block:
    return Block(kind, tuple(p if isinstance(p, Span) else Span(p) for p in parts), level)


def field(label: str, value: str | Span, level: int = 0) -> Block:
    """A list item "**label:** value"."""
    return block("li", Span(f"{label}: ", bold=True), value, level=level)


def table(rows: Sequence[Sequence[str]], widths: Sequence[int] | None = None) -> Block:
    cells = tuple(tuple(str(c) for c in row) for row in rows)
    return Block("table", rows=cells, widths=tuple(widths) if widths else None)


@dataclass(frozen=True)
class Meta:
    """What a file carries beside its blocks: title, language, date, the page label."""

    title: str
    lang: str
    created: dt.date
    #: Holds ``{page}`` and ``{pages}``, e.g. "Pagina {page} van {pages}".
    page_label: str


# --- Markdown -----------------------------------------------------------------------------------


def _md_url(url: str) -> str:
    """A URL that cannot end its Markdown link early or open an HTML tag."""
    return url.translate({ord(c): f"%{ord(c):02X}" for c in ' ()<>"`\\'})


def _md_spans(spans: Iterable[Span]) -> str:
    out = []
    for s in spans:
        if s.url:
            url = _md_url(s.url)
            out.append(f"<{url}>" if s.text == s.url else f"[{md_doc(s.text)}]({url})")
        elif s.bold and s.text.strip():
            # ``** x**`` is not bold in Markdown: keep the spaces outside the markers
            core = s.text.strip()
            lead, trail = s.text[: len(s.text) - len(s.text.lstrip())], s.text[len(s.text.rstrip()):]
            out.append(f"{lead}**{md_doc(core)}**{trail}")
        else:
            out.append(md_doc(s.text))
    return "".join(out)


def _md_cell(text: str) -> str:
    return md_doc(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: Iterable[Block]) -> str:
    lines: list[str] = []
    prev: Block | None = None
    for b in blocks:
        if prev is not None and not (prev.kind == "li" and b.kind == "li"):
            lines.append("")
        body = _md_spans(b.spans)
        if b.kind in ("h1", "h2", "h3"):
            lines.append(f"{'#' * int(b.kind[1])} {body}")
        elif b.kind == "quote":
            lines.extend(f"> {line}".rstrip() for line in body.split("\n"))
        elif b.kind == "li":
            lines.append(f"{'  ' * b.level}- {body}")
        elif b.kind == "small":
            lines.append(f"*{body}*")
        elif b.kind == "rule":
            lines.append("---")
        elif b.kind == "table":
            header, *rest = b.rows or ((),)
            lines.append("| " + " | ".join(_md_cell(c) for c in header) + " |")
            lines.append("|" + "---|" * len(header))
            lines.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rest)
        else:
            lines.append(body.replace("\n", "  \n"))
        prev = b
    return "\n".join(lines) + "\n"


# --- PDF ----------------------------------------------------------------------------------------

_FONT = "DejaVu"
_MARGIN = 20  # mm: room to punch and file, and comfortable line lengths on A4
_LINE = 5.5  # mm per line of 10.5 pt body text
_INDENT = 6  # mm per list level
_LINK_COLOUR = (0, 70, 160)
_GREY = (90, 90, 90)
_SIZES: dict[str, tuple[str, float, float]] = {  # kind -> (style, size pt, line height mm)
    "h1": ("B", 18, 9),
    "h2": ("B", 14, 7),
    "h3": ("B", 12, 6.5),
    "p": ("", 10.5, _LINE),
    "quote": ("", 10.5, _LINE),
    "li": ("", 10.5, _LINE),
    "small": ("", 8.5, 4.5),
    "table": ("", 9.5, 5),
}


def _pdf_class():
    from fpdf import FPDF

    class _DocPDF(FPDF):
        """FPDF with the document's font and footer: the page number on every page."""

        def __init__(self, page_label: str) -> None:
            super().__init__(orientation="portrait", unit="mm", format="A4")
            self.add_font(_FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font(_FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self._page_label = page_label

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(_FONT, "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, self._page_label.replace("{page}", str(self.page_no())), align="C")
            self.set_text_color(0, 0, 0)

    return _DocPDF


def _pdf_table(pdf, b: Block) -> None:
    style, size, height = _SIZES["table"]
    pdf.set_font(_FONT, style, size)
    pdf.ln(1)
    from fpdf.fonts import FontFace

    with pdf.table(
        line_height=height, text_align="LEFT", borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD"), first_row_as_headings=True, col_widths=b.widths,
    ) as tbl:
        for cells in b.rows:
            row = tbl.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(2)


def _pdf_block(pdf, b: Block) -> None:
    if b.kind == "rule":
        pdf.ln(2)
        y = pdf.get_y()
        pdf.set_draw_color(180, 180, 180)
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.ln(3)
        return
    if b.kind == "table":
        _pdf_table(pdf, b)
        return
    style, size, height = _SIZES[b.kind]
    if b.kind in ("h2", "h3"):
        # keep a heading with the text under it instead of alone at the bottom of a page
        if pdf.get_y() + height + 3 * _LINE > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(4 if b.kind == "h2" else 2)
    margin = pdf.l_margin
    indent = 0.0
    if b.kind == "li":
        indent = _INDENT * (b.level + 1)
        pdf.set_font(_FONT, "", size)
        pdf.set_x(margin + indent - 4)
        pdf.cell(4, height, "•" if b.level == 0 else "◦")
    elif b.kind == "quote":
        indent = _INDENT
        top = pdf.get_y()
    pdf.set_left_margin(margin + indent)
    if b.kind == "quote":
        pdf.set_x(margin + indent)
    grey = b.kind in ("quote", "small")
    try:
        for span in b.spans:
            span_style = style + ("B" if span.bold and "B" not in style else "")
            if span.url:
                pdf.set_text_color(*_LINK_COLOUR)
                pdf.set_font(_FONT, span_style, size)
                pdf.write(height, span.text, link=span.url)
            else:
                pdf.set_text_color(*(_GREY if grey else (0, 0, 0)))
                pdf.set_font(_FONT, span_style, size)
                pdf.write(height, span.text)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(height)
    finally:
        pdf.set_left_margin(margin)
    if b.kind == "quote":
        pdf.set_draw_color(150, 150, 150)
        pdf.line(margin + 2, top, margin + 2, pdf.get_y())  # a bar, as a quote has in the app
    if b.kind in ("p", "quote", "h1", "h2", "h3"):
        pdf.ln(1.5)


def to_pdf(blocks: Iterable[Block], meta: Meta, *, compress: bool = True) -> bytes:
    """An A4 PDF with clickable links, page numbers and an embedded Unicode font.

    ``compress=False`` leaves the page streams uncompressed (handy when debugging); tests read
    the text with a PDF text extractor either way.
    """
    pdf = _pdf_class()(meta.page_label.replace("{pages}", "{nb}"))
    pdf.set_compression(compress)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.set_title(meta.title)
    pdf.set_creator("Beslisboom effectmeting")
    pdf.set_lang(meta.lang)
    pdf.set_creation_date(dt.datetime.combine(meta.created, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()
    prev = None
    for b in blocks:
        if prev == "li" and b.kind in ("p", "quote"):
            pdf.ln(1.5)
        _pdf_block(pdf, b)
        prev = b.kind
    return bytes(pdf.output())


# --- Word ---------------------------------------------------------------------------------------


def _docx_hyperlink(paragraph, text: str, url: str) -> None:
    """python-docx has no public API for links: add the relationship and the run ourselves."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "00469F")
    props.append(colour)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def _docx_spans(paragraph, spans: Iterable[Span]) -> None:
    for s in spans:
        if s.url:
            _docx_hyperlink(paragraph, s.text, s.url)
        else:
            run = paragraph.add_run(s.text)
            run.bold = s.bold or None


def to_docx(blocks: Iterable[Block], meta: Meta) -> bytes:
    """An editable Word document with real headings, lists and tables (python-docx)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = meta.title
    doc.core_properties.language = meta.lang
    doc.core_properties.author = "Beslisboom effectmeting"
    doc.core_properties.created = dt.datetime.combine(meta.created, dt.time())
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            p = doc.add_heading(level=int(b.kind[1]))
            _docx_spans(p, b.spans)
        elif b.kind == "li":
            style = "List Bullet" if b.level == 0 else "List Bullet 2"
            _docx_spans(doc.add_paragraph(style=style), b.spans)
        elif b.kind == "quote":
            _docx_spans(doc.add_paragraph(style="Quote"), b.spans)
        elif b.kind == "small":
            p = doc.add_paragraph()
            _docx_spans(p, b.spans)
            for run in p.runs:
                run.font.size = Pt(8.5)
        elif b.kind == "rule":
            doc.add_paragraph("―" * 20)
        elif b.kind == "table":
            header, *rest = b.rows
            tbl = doc.add_table(rows=1, cols=len(header))
            tbl.style = "Light List Accent 1"
            for cell, text in zip(tbl.rows[0].cells, header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for row in rest:
                cells = tbl.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    cell.text = text
            doc.add_paragraph()
        else:
            _docx_spans(doc.add_paragraph(), b.spans)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
