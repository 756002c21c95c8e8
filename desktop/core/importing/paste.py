"""Choosing between the clipboard's flavours when the user pastes a digest."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from desktop.core.importing.detect import DOCUMENT_RE as _DOCUMENT_RE
from desktop.core.importing.digest_parser import parse_digest
from desktop.core.importing.hf_html import parse_html
from desktop.core.importing.result import HF_HTML, LINK_LIST, ParseResult

# Windows' CF_HTML clipboard format puts a header ("Version:0.9", "StartHTML:…") before the HTML.
_CF_HTML_RE = re.compile(r"^Version:\d[\s\S]*?StartHTML:", re.IGNORECASE)


@dataclass(frozen=True)
class PasteChoice:
    """The flavour chosen (``html`` or ``text``), the text to import, and what it parses to."""

    flavour: str
    text: str
    result: ParseResult


def strip_cf_html(html: str) -> str:
    """The HTML of a clipboard payload, without a Windows CF_HTML header if it has one."""
    if _CF_HTML_RE.match(html):
        start = html.find("<")
        return html[start:] if start != -1 else ""
    return html


def choose_paste(text: str, html: str | None, today: dt.date | None = None) -> PasteChoice:
    """Prefer the HTML flavour when it yields papers with arXiv ids, else the plain text.

    The chosen ``text`` is what the GUI imports (``Library.import_text``): HTML is recognised
    from its content there, so it parses the same way again.
    """
    if html:
        html = strip_cf_html(html)
        from_html = parse_html(html, today)
        if from_html.format in (HF_HTML, LINK_LIST) and any(e.arxiv_id for e in from_html.entries):
            # A fragment (the clipboard holds one) is stored as a document, so that it is
            # read as HTML again however it starts.
            if not _DOCUMENT_RE.match(html.lstrip()):
                html = "<!DOCTYPE html>\n" + html
            return PasteChoice("html", html, parse_digest(html, today))
    return PasteChoice("text", text, parse_digest(text, today))
