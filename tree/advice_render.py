"""The advice as a file: Markdown (shown and downloadable), an A4 PDF and a Word document.

All three are drawn from the same blocks (:func:`tree.advice.blocks`) by :mod:`tree.document`,
so the documents say the same; this module only names the file's title and page label.
"""

from __future__ import annotations

from . import document
from .advice import Advice, blocks
from .databank import Databank
from .i18n import t


def meta(advice: Advice) -> document.Meta:
    lang = advice.lang
    return document.Meta(
        title=t(lang, "advice.title"),
        lang=lang,
        created=advice.created,
        page_label=t(lang, "advice.page", page="{page}", pages="{pages}"),
    )


def to_markdown(bank: Databank, advice: Advice) -> str:
    """The advice as Markdown: shown in the app and downloadable as a ``.md`` file."""
    return document.to_markdown(blocks(bank, advice))


def to_pdf(bank: Databank, advice: Advice, *, compress: bool = True) -> bytes:
    """The advice as an A4 PDF (embedded Unicode font, clickable links, page numbers)."""
    return document.to_pdf(blocks(bank, advice), meta(advice), compress=compress)


def to_docx(bank: Databank, advice: Advice) -> bytes:
    """The advice as an editable Word document."""
    return document.to_docx(blocks(bank, advice), meta(advice))
