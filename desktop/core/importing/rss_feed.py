"""Read RSS feeds: arXiv's own (``rss.arxiv.org/rss/cs.CL``, RSS 2.0, and the older RSS 1.0
``export.arxiv.org/rss`` one), and any other feed whose items link to papers.

An RSS 2.0 ``item`` gives ``title``, ``link``, ``description``, ``guid``, ``category``,
``pubDate`` and ``dc:creator``. arXiv writes the description as ``arXiv:2612.00101v1 Announce
Type: new`` then ``Abstract: …``, the creators as one comma-separated line and the id in the
link and the guid (``oai:arXiv.org:2612.00101v1``). The RSS 1.0 (RDF) feed titles its items
``Title. (arXiv:2101.00001v1 [cs.CL])``, and writes its description and creators as escaped
HTML, which is read as text here (never rendered; no link is followed). Other feeds' items
are papers when they link to one (``arxiv.org/abs/…``, ``huggingface.co/papers/…``) or carry
an abstract. The XML is parsed by defusedxml: entity declarations and external references are
refused, and nothing is ever fetched.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from desktop.core.importing.arxiv_fields import clean_title, split_authors
from desktop.core.importing.arxiv_ids import cut_ids, find_id
from desktop.core.importing.plausibility import refusal
from desktop.core.importing.result import EMPTY, RSS_FEED, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_ITEM_TAG_RE = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?item[\s>]")
# "arXiv:2612.00101v1 Announce Type: new" and "Abstract:" before the abstract (RSS 2.0).
_ANNOUNCE_RE = re.compile(
    r"^\s*arXiv:\S+\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.IGNORECASE
)
# "Title. (arXiv:2101.00001v1 [cs.CL])" or "… [cs.CL] UPDATED)" (RSS 1.0).
_TITLE_SUFFIX_RE = re.compile(
    r"\.?\s*\(arXiv:[^()\[]*(?:\[(?P<category>[\w.-]+)\])?[^()]*\)\s*$", re.IGNORECASE
)
# RSS 2.0's <author> is an e-mail address, optionally with the name in brackets.
_AUTHOR_EMAIL_RE = re.compile(r"^\s*\S+@\S+\s*(?:\((?P<name>[^()]*)\))?\s*$")
_TAG_RE = re.compile(r"<[^>]*>")


def _text(node: ET.Element | None) -> str:
    return fold_space("".join(node.itertext())) if node is not None else ""


def _html_text(value: str) -> str:
    """Text of a field a feed may write as (escaped) HTML: tags go, entities are decoded."""
    if "<" in value:
        from desktop.core.importing.hf_html import html_to_text

        return fold_space(html_to_text(value).replace("\n", " "))
    return fold_space(html.unescape(value) if "&" in value else value)


def _date(raw: str) -> str | None:
    """An RFC 822 date (``Tue, 01 Dec 2026 00:00:00 -0500``) or ISO date as ``YYYY-MM-DD``."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        return None


def _best_id(
    candidates: list[tuple[str, int | None] | None],
) -> tuple[str, int | None] | None:
    """The first id named, with the first version named for that same id."""
    first = next((c for c in candidates if c is not None), None)
    if first is None or first[1] is not None:
        return first
    version = next((c[1] for c in candidates if c and c[0] == first[0] and c[1]), None)
    return first[0], version


def parse_rss(text: str) -> ParseResult:
    """Parse an RSS feed; never raises (bad or hostile XML is one skipped block)."""
    result = ParseResult(layout=RSS_FEED, format=RSS_FEED)
    try:
        root = fromstring(
            text.lstrip("\ufeff").encode("utf-8", errors="replace"),
            forbid_dtd=False,  # RSS 0.91 names Netscape's DTD; it is never loaded
            forbid_entities=True,
            forbid_external=True,
        )
    except DefusedXmlException:
        result.skipped.append(
            SkippedBlock(1, "XML that declares entities or names external ones is refused", "")
        )
        return result
    except (ET.ParseError, ValueError) as exc:
        result.skipped.append(SkippedBlock(1, f"not well-formed XML ({exc})", text[:200]))
        return result
    if root.tag == "rss":
        channel = root.find("channel")
        items = channel.findall("item") if channel is not None else []
        plain = ""
    elif root.tag == f"{RDF}RDF":
        channel = root.find(f"{RSS1}channel")
        items = root.findall(f"{RSS1}item")
        plain = RSS1
    else:
        result.skipped.append(SkippedBlock(1, "XML that is not an RSS feed", text[:200]))
        return result
    if channel is not None:
        for tag in ("pubDate", "lastBuildDate", f"{DC}date"):
            day = _date(_text(channel.find(f"{plain}{tag}" if tag[0] != "{" else tag)))
            if day is not None:
                result.digest_dates.append(day)
                break
    # The line of each item's start tag (ElementTree keeps none): the n-th "<item" of the text.
    starts = [text.count("\n", 0, m.start()) + 1 for m in _ITEM_TAG_RE.finditer(text)]
    for k, node in enumerate(items):
        _read_item(result, node, plain, starts[k] if k < len(starts) else 1)
    if not result.entries and not result.skipped:
        result.layout = result.format = EMPTY
    return result


def _read_item(result: ParseResult, node: ET.Element, ns: str, number: int) -> None:
    raw_title = _html_text(_text(node.find(f"{ns}title")))
    link = _text(node.find(f"{ns}link")) or (node.get(f"{RDF}about") or "")
    guid = _text(node.find(f"{ns}guid"))
    raw_description = _text(node.find(f"{ns}description")) or _text(node.find(f"{CONTENT}encoded"))
    title_found = None
    suffix_category = None
    suffix = _TITLE_SUFFIX_RE.search(raw_title)
    if suffix is not None:
        title_found = find_id(raw_title)
        suffix_category = suffix.group("category")
        raw_title = raw_title[: suffix.start()]
    title, inline = cut_ids(raw_title)
    title = clean_title(tex_to_unicode(title))
    problem = refusal(title, "an RSS item with no title")
    if problem is not None:
        result.skipped.append(SkippedBlock(number, problem, title[:200]))
        return
    description = _html_text(raw_description)
    announce = _ANNOUNCE_RE.match(description)
    # The id, from the link, the guid ("oai:arXiv.org:2612.00101v1"), the title's suffix, the
    # title or the description; its version from whichever of them names one.
    candidates = [
        find_id(link),
        find_id(guid.replace("oai:arXiv.org:", "arXiv:")),
        title_found,
        inline,
        find_id(description[: announce.end()] if announce else description),
    ]
    found = _best_id(candidates)
    if announce is not None:
        description = description[announce.end() :]
    creators = [_html_text(_text(c)) for c in node.findall(f"{DC}creator")]
    if not creators:
        for author in node.findall(f"{ns}author"):
            line = _html_text(_text(author))
            mail = _AUTHOR_EMAIL_RE.match(line)
            creators.append((mail.group("name") or "") if mail else line)
    names: list[str] = []
    for line in creators:
        names.extend(split_authors(line) if line else ())
    authors = tuple(dict.fromkeys(n for n in names if n))
    named = [_text(c) for c in node.findall(f"{ns}category")]
    categories = tuple(dict.fromkeys(c for c in (suffix_category, *named) if c))
    published_raw = _text(node.find(f"{ns}pubDate")) or _text(node.find(f"{DC}date")) or None
    result.entries.append(
        Entry(
            title,
            fold_space(tex_to_unicode(description)),
            number,
            len(result.entries) + 1,
            authors_count=len(authors) if authors else None,
            published=_date(published_raw) if published_raw else None,
            published_raw=published_raw,
            arxiv_id=found[0] if found else None,
            arxiv_version=found[1] if found else None,
            authors=authors,
            categories=categories,
            primary_category=categories[0] if categories else None,
        )
    )
