"""The one entry point for parsing digest text: detect the format, read it, tidy the result.

Formats (detected from the content, with the file's extension as a hint): Hugging Face page
copies old and current, compact copies and title/abstract text (:mod:`hf_text`), arXiv listing
pages (:mod:`arxiv_listing`), arXiv e-mail digests (:mod:`arxiv_email`), arXiv API Atom feeds
(:mod:`arxiv_atom`), HTML pages and clipboard HTML (:mod:`hf_html`) and the arXiv metadata
snapshot in JSON lines (:mod:`arxiv_snapshot`). Every reader returns a :class:`ParseResult`
naming the format found; none raises on any ``str``.

The names below are re-exported for the callers of the parser before it was split.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from desktop.core.importing.arxiv_ids import has_inline_marker
from desktop.core.importing.detect import detect_format
from desktop.core.importing.hf_text import (
    AUTHORS_LAST,
    AUTHORS_RE,
    DATE_RE,
    DIGEST_DATE_TRIGGERS,
    HEADER_LINES,
    MONTHS,
    _classify,
    _lines,
    parse_date,
    parse_hf_text,
)
from desktop.core.importing.plausibility import MAX_TITLE_CHARS
from desktop.core.importing.result import (
    ARXIV_ATOM,
    ARXIV_EMAIL,
    ARXIV_LIST,
    ARXIV_SNAPSHOT,
    FORMATS,
    HF_HTML,
    HF_PAGE,
    JSON_PAPERS,
    RSS_FEED,
    Entry,
    ParseResult,
    SkippedBlock,
)
from desktop.core.importing.textnorm import (
    ASCII_OTHER_SPACE,
    OTHER_SPACE,
    fold_space,
    normalise_digest_text,
    normalise_text,
    only_plain_spaces,
    title_key,
    title_keys,
)

__all__ = [
    "AUTHORS_LAST",
    "AUTHORS_RE",
    "ASCII_OTHER_SPACE",
    "DATE_RE",
    "DIGEST_DATE_TRIGGERS",
    "FORMATS",
    "HEADER_LINES",
    "MAX_TITLE_CHARS",
    "MONTHS",
    "OTHER_SPACE",
    "Entry",
    "ParseResult",
    "SkippedBlock",
    "_classify",
    "_lines",
    "dedupe_ids",
    "fold_space",
    "normalise_digest_text",
    "normalise_text",
    "only_plain_spaces",
    "parse_date",
    "parse_digest",
    "parse_text",
    "title_key",
    "title_keys",
]


def dedupe_ids(result: ParseResult) -> ParseResult:
    """Keep the first entry of each arXiv id; later ones are reported, positions renumbered."""
    seen: dict[str, int] = {}
    kept: list[Entry] = []
    dropped = False
    for entry in result.entries:
        if entry.arxiv_id is not None:
            first = seen.get(entry.arxiv_id)
            if first is not None:
                result.skipped.append(
                    SkippedBlock(
                        entry.line,
                        f"the same paper again (arXiv {entry.arxiv_id}, first at line {first})",
                        entry.title[:200],
                    )
                )
                dropped = True
                continue
            seen[entry.arxiv_id] = entry.line
        kept.append(entry)
    if dropped:
        result.entries = [
            e if e.position == k else dataclasses.replace(e, position=k)
            for k, e in enumerate(kept, 1)
        ]
        result.skipped.sort(key=lambda s: s.line)
    return result


def _json_document(text: str) -> ParseResult | None:
    """The papers of ``text`` read as one JSON document, or None when it is not one."""
    import json

    from desktop.core.importing.json_papers import parse_json_papers, records_of

    try:
        document = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None
    if records_of(document) is None:
        return None
    return parse_json_papers(text, document)


def _parse_text(text: str, today: dt.date | None) -> ParseResult:
    """``text`` read as one of the text layouts (a copied page, a list of links)."""
    result = parse_hf_text(text, today)
    if has_inline_marker(text):
        result = _prefer_link_list(result, text)
    return result


def _text_unless_json(snapshot: ParseResult, text: str, today: dt.date | None) -> ParseResult:
    """A text reading of what looked like JSON lines when not one line of it was JSON.

    Text that starts like a JSON object (a title such as ``{"Quoted"} words``) is still a
    digest; lines that were JSON but not papers keep their reasons instead.
    """
    from desktop.core.importing.arxiv_snapshot import NOT_JSON

    if any(block.reason != NOT_JSON for block in snapshot.skipped):
        return snapshot
    as_text = _parse_text(text, today)
    return as_text if as_text.entries else snapshot


def _prefer_link_list(result: ParseResult, text: str) -> ParseResult:
    """A reading list's reading (a paper per linked line) when it finds more papers."""
    from desktop.core.importing.link_list import parse_link_list, reads_better

    listed = parse_link_list(text)
    return listed if reads_better(listed, result) else result


def parse_digest(
    text: str, today: dt.date | None = None, source_name: str | None = None
) -> ParseResult:
    """Parse digest text into entries, whatever its format; never raises on any string.

    ``source_name`` (a file name) lends its extension as a hint: ``.xml`` for Atom, ``.html``
    for a saved page, ``.jsonl`` for the arXiv snapshot; the content decides otherwise.
    """
    return parse_text(text, today, source_name, html=True)


def parse_text(
    text: str, today: dt.date | None = None, source_name: str | None = None, html: bool = False
) -> ParseResult:
    """:func:`parse_digest`, reading HTML only when ``html`` (text made from HTML is not)."""
    fmt = detect_format(text, source_name)
    if fmt == HF_HTML and not html:
        fmt = HF_PAGE
    if fmt == ARXIV_LIST:
        from desktop.core.importing.arxiv_listing import parse_arxiv_listing

        result = parse_arxiv_listing(text)
    elif fmt == ARXIV_EMAIL:
        from desktop.core.importing.arxiv_email import parse_arxiv_email

        result = parse_arxiv_email(text)
    elif fmt == ARXIV_ATOM:
        from desktop.core.importing.arxiv_atom import parse_arxiv_atom

        result = parse_arxiv_atom(text)
    elif fmt == RSS_FEED:
        from desktop.core.importing.rss_feed import parse_rss

        result = parse_rss(text)
    elif fmt == HF_HTML:
        from desktop.core.importing.hf_html import html_to_text, parse_html

        result = parse_html(text, today)
        if not result.entries and not result.skipped:  # no linked titles: read its text
            result = parse_text(html_to_text(text), today)
    elif fmt == ARXIV_SNAPSHOT:
        from desktop.core.importing.arxiv_snapshot import parse_snapshot_text

        result = parse_snapshot_text(text)
        if not result.entries:  # not JSON lines: maybe one JSON document that lists papers
            result = _json_document(text) or _text_unless_json(result, text, today)
    elif fmt == JSON_PAPERS:
        from desktop.core.importing.json_papers import parse_json_papers

        result = parse_json_papers(text)
    else:
        result = _parse_text(text, today)
    if result.entries and any(e.arxiv_id for e in result.entries):
        dedupe_ids(result)
    return result
