"""What a reader sees: the visible text of a page and the extracted text of a PDF."""

from __future__ import annotations

import io
import re
from html import unescape

from pypdf import PdfReader

_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>", flags=re.S | re.I)


def html_text(html: str) -> str:
    """Visible text of an HTML fragment: scripts and templates dropped, each tag a space,
    entities decoded, whitespace collapsed."""
    html = _INVISIBLE.sub(" ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def page_text(response) -> str:
    """The visible text of a response's page."""
    return html_text(response.content.decode())


def compact(text: str) -> str:
    """Text without any whitespace, for phrases split by markup or letter-spacing."""
    return re.sub(r"\s+", "", text)


def pdf_pages(data: bytes) -> list[str]:
    """Each page's extracted text."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    """The whole PDF's extracted text, one page after the other."""
    return "\n".join(pdf_pages(data))
