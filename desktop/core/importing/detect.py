"""Which digest format a text is in, from its content (and a file name's extension as a hint)."""

from __future__ import annotations

import re

from desktop.core.importing.result import (
    ARXIV_ATOM,
    ARXIV_EMAIL,
    ARXIV_LIST,
    ARXIV_SNAPSHOT,
    HF_HTML,
    HF_PAGE,
    JSON_PAPERS,
    RSS_FEED,
)

# "[12] arXiv:2609.01234 [pdf, html, other]" (a listing page), or "arXiv:2609.01234 [pdf" at a
# line's start (a copy that lost the entry numbers).
_LISTING_RE = re.compile(
    r"^\s*(?:\[\d+\]\s*)?arXiv:\S+(?:\s+\([^)\n]*\))?\s+\[(?:pdf|ps|html|other)", re.M
)
# "\\" on its own line, then within a few lines "arXiv:ID" (an e-mail digest entry).
_EMAIL_RE = re.compile(r"^\\\\[ \t]*\r?\n(?:[^\n]*\n){0,3}?[ \t]*arXiv:\S+", re.M)
_ATOM_RE = re.compile(r"<feed\b[^>]*http://www\.w3\.org/2005/Atom", re.I)
_RSS_RE = re.compile(r"<rss\b|<rdf:RDF\b[^>]*purl\.org/rss/1\.0", re.I)
_HTML_RE = re.compile(r"<(?:!doctype\s+html|html|body|a\s[^>]*href|div|article|h[1-6]|p)\b", re.I)
# What only a whole HTML document starts with (a title that merely holds a tag does not).
DOCUMENT_RE = re.compile(r"<(?:!doctype\s+html|html|head|body|meta)\b", re.I)
# What a JSON object or an array of them starts with: ``{"key"`` or ``{}``, ``[{"key"`` or ``[]``.
# A title that merely starts with a brace ("{Braces} in titles") is text, not JSON.
_JSON_OBJECT_RE = re.compile(r'\{\s*["}]')
_JSON_ARRAY_RE = re.compile(r'\[\s*(?:\{\s*["}]|\])')
_EXTENSIONS = {
    ".xml": ARXIV_ATOM,
    ".atom": ARXIV_ATOM,
    ".rss": RSS_FEED,
    ".html": HF_HTML,
    ".htm": HF_HTML,
    ".jsonl": ARXIV_SNAPSHOT,
    ".json": ARXIV_SNAPSHOT,
    ".ndjson": ARXIV_SNAPSHOT,
}


def _head(text: str) -> str:
    return text[:4096].lstrip("\ufeff \t\r\n")


def detect_format(text: str, source_name: str | None = None) -> str:
    """The reader to use for ``text``: one of the arXiv, HTML or snapshot formats, else hf-page.

    ``hf-page`` stands for all the text layouts :mod:`hf_text` tells apart itself.
    """
    head = _head(text)
    if head.startswith("<"):
        if (head.startswith("<?xml") or "<feed" in head[:2048]) and _ATOM_RE.search(text[:8192]):
            return ARXIV_ATOM
        if (head.startswith(("<?xml", "<rss", "<rdf", "<!DOCTYPE rss"))) and _RSS_RE.search(
            text[:8192]
        ):
            return RSS_FEED
        named_html = (source_name or "").lower().endswith((".html", ".htm"))
        if DOCUMENT_RE.match(head) or (named_html and _HTML_RE.search(text[:65536])):
            return HF_HTML
        if head.startswith("<?xml"):
            return ARXIV_ATOM
    if _JSON_OBJECT_RE.match(head):
        return ARXIV_SNAPSHOT  # (a single JSON document is read as json-papers if it is one)
    if _JSON_ARRAY_RE.match(head):
        return JSON_PAPERS
    # An arXiv listing or e-mail names its first entry well within its first 64 KiB (the page
    # chrome and the mail header are short), so only that much is searched.
    start = text[:65536]
    if "arXiv:" in start:
        if "\\\\" in start and _EMAIL_RE.search(start):
            return ARXIV_EMAIL
        if _LISTING_RE.search(start):
            return ARXIV_LIST
    if source_name:
        dot = source_name.rfind(".")
        hinted = _EXTENSIONS.get(source_name[dot:].lower()) if dot != -1 else None
        # An HTML or XML file that does not start with a tag (a fragment saved with text
        # before it) is still read as what its name says.
        if hinted is not None and hinted != ARXIV_SNAPSHOT and "<" in text:
            return hinted
    return HF_PAGE
