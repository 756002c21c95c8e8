"""Read arXiv API Atom feeds (``export.arxiv.org/api/query`` results saved as ``.xml``), and
other Atom feeds whose entries link to papers (an HTML summary is read as text).

Each ``entry`` gives ``id`` (``…/abs/2512.01234v2``), ``title``, ``summary``, ``author/name``,
``published``, ``arxiv:primary_category``, ``category``, and optionally ``arxiv:comment`` and
``arxiv:journal_ref``. The XML is parsed by defusedxml: a document declaring entities (the
billion-laughs bomb) or naming external ones is refused, and nothing is ever fetched.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from desktop.core.importing.arxiv_fields import clean_title
from desktop.core.importing.arxiv_ids import find_id, split_id
from desktop.core.importing.plausibility import refusal
from desktop.core.importing.result import ARXIV_ATOM, EMPTY, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

_ENTRY_TAG_RE = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?entry[\s>]")
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def _text(node: ET.Element | None) -> str:
    return fold_space("".join(node.itertext())) if node is not None else ""


def _id_of(raw: str) -> tuple[str, int | None] | None:
    # "http://arxiv.org/abs/2512.01234v2" or an old-style ".../abs/hep-th/9901001v1".
    found = find_id(raw)
    if found is not None:
        return found
    tail = raw.rsplit("/abs/", 1)[-1]
    return split_id(tail)


def _summary(node: ET.Element) -> str:
    """The entry's summary (or content) as text; an HTML one is read as text, never rendered."""
    for tag in ("summary", "content"):
        part = node.find(f"{ATOM}{tag}")
        if part is None:
            continue
        value = _text(part)
        if (part.get("type") or "").lower() in ("html", "xhtml") and "<" in value:
            from desktop.core.importing.hf_html import html_to_text

            value = html_to_text(value).replace("\n", " ")
        if value:
            return value
    return ""


def parse_arxiv_atom(text: str) -> ParseResult:
    """Parse an arXiv Atom feed; never raises (bad or hostile XML is one skipped block)."""
    result = ParseResult(layout=ARXIV_ATOM, format=ARXIV_ATOM)
    try:
        root = fromstring(text.lstrip("\ufeff").encode("utf-8", errors="replace"), forbid_dtd=True)
    except DefusedXmlException:
        result.skipped.append(
            SkippedBlock(1, "XML that declares entities or a DTD is refused", text[:200])
        )
        return result
    except (ET.ParseError, ValueError) as exc:
        result.skipped.append(SkippedBlock(1, f"not well-formed XML ({exc})", text[:200]))
        return result
    if root.tag != f"{ATOM}feed" and root.tag != f"{ATOM}entry":
        result.skipped.append(SkippedBlock(1, "XML that is not an Atom feed", text[:200]))
        return result
    entries = [root] if root.tag == f"{ATOM}entry" else root.findall(f"{ATOM}entry")
    # The line of each entry's start tag (ElementTree keeps none): the n-th "<entry" of the text.
    starts = [text.count("\n", 0, m.start()) + 1 for m in _ENTRY_TAG_RE.finditer(text)]
    for k, node in enumerate(entries):
        _read_entry(result, node, starts[k] if k < len(starts) else 1)
    if not result.entries and not result.skipped:
        result.layout = result.format = EMPTY
    return result


def _read_entry(result: ParseResult, node: ET.Element, number: int) -> None:
    title = clean_title(_text(node.find(f"{ATOM}title")))
    problem = refusal(title, "an Atom entry with no title")
    if problem is not None:
        result.skipped.append(SkippedBlock(number, problem, title[:200]))
        return
    found = _id_of(_text(node.find(f"{ATOM}id"))) or next(
        (f for f in (find_id(link.get("href") or "") for link in node.findall(f"{ATOM}link")) if f),
        None,
    )
    authors = tuple(
        name
        for name in (
            fold_space(tex_to_unicode(_text(a.find(f"{ATOM}name"))))
            for a in node.findall(f"{ATOM}author")
        )
        if name
    )
    primary_node = node.find(f"{ARXIV}primary_category")
    primary = primary_node.get("term") if primary_node is not None else None
    categories = [c.get("term") or "" for c in node.findall(f"{ATOM}category")]
    if primary and primary not in categories:
        categories.insert(0, primary)
    published_raw = _text(node.find(f"{ATOM}published")) or None
    published = None
    if published_raw:
        try:
            published = dt.date.fromisoformat(published_raw[:10]).isoformat()
        except ValueError:
            published = None
    comment = _text(node.find(f"{ARXIV}comment")) or None
    journal = _text(node.find(f"{ARXIV}journal_ref")) or None
    result.entries.append(
        Entry(
            title,
            fold_space(tex_to_unicode(_summary(node))),
            number,
            len(result.entries) + 1,
            authors_count=len(authors) if authors else None,
            published=published,
            published_raw=published_raw,
            arxiv_id=found[0] if found else None,
            arxiv_version=found[1] if found else None,
            authors=authors,
            arxiv_comments=comment,
            categories=tuple(dict.fromkeys(c for c in categories if c)),
            primary_category=primary or (categories[0] if categories else None),
            journal_ref=journal,
        )
    )
