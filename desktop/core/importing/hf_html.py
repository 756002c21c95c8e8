"""Read HTML: a saved Hugging Face papers page, or the HTML flavour of the clipboard.

A link to ``/papers/<id>``, ``huggingface.co/papers/<id>`` or ``arxiv.org/abs/<id>`` whose text
reads as a title makes a paper with that id; the first long text block after it (before the next
paper) is its abstract, and an ``N authors`` block its author count. HTML with no such titles
(an arXiv listing saved as HTML, a page of title/abstract text) is turned into text, a line per
block, and read by the text readers. The HTML is parsed with the standard library's
``html.parser``, never rendered; no link is followed, no resource loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import groupby

from desktop.core.importing.arxiv_ids import ID_BODY, cut_ids, find_id
from desktop.core.importing.hf_text import count_value
from desktop.core.importing.plausibility import is_count, title_problem
from desktop.core.importing.result import EMPTY, HF_HTML, Entry, ParseResult
from desktop.core.importing.textnorm import fold_space

# A paper link: relative "/papers/<id>" or "/abs/<id>", or any form find_id() knows.
_RELATIVE_RE = re.compile(rf"^/(?:papers|abs)/{ID_BODY}(?:[#?].*)?$")
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_PARAGRAPH_TAGS = frozenset(["article", "h1", "h2", "h3", "h4", "h5", "h6", "li", "p", "section"])
_SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "head", "title", "textarea", "select"]
)
# Parts of a page around its content: links in them are never the listing's papers.
_CHROME_TAGS = frozenset({"aside", "footer", "header", "nav"})
_AUTHORS_IN_RE = re.compile(r"(?:^|[\s·•])(\d+)\s+authors?\b", re.IGNORECASE)
# Link texts that name the link, not the paper.
_CHROME_TEXTS = frozenset(
    {
        "pdf",
        "html",
        "other",
        "abstract",
        "arxiv",
        "arxiv page",
        "view pdf",
        "view arxiv page",
        "code",
        "github",
        "paper",
        "paper page",
        "comments",
        "discussion",
    }
)
MIN_ABSTRACT_WORDS = 20


@dataclass
class _Block:
    line: int
    text: list[str] = field(default_factory=list)
    href: str | None = None  # the link the block's first text sits in
    chrome: bool = False  # inside the page's header, navigation, sidebar or footer
    link_text: list[str] = field(default_factory=list)
    # Every piece of text with the link it sits in (None: none), for the reading-list reading.
    pieces: list[tuple[str, str | None]] = field(default_factory=list)


class _Collector(HTMLParser):
    """Text blocks of a document, each with the link (if any) its text starts in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.current = _Block(1)
        self.skip_depth = 0
        self.chrome_depth = 0
        self.href: str | None = None
        self.paragraph_after: list[int] = []  # indexes of blocks followed by a paragraph break

    def end_block(self, paragraph: bool = False) -> None:
        if self.current.text:
            self.blocks.append(self.current)
        if paragraph and self.blocks:
            self.paragraph_after.append(len(self.blocks) - 1)
        self.current = _Block(self.getpos()[0])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
            return
        if tag in _BLOCK_TAGS:
            self.end_block(tag in _PARAGRAPH_TAGS)
        if tag in _CHROME_TAGS:
            self.chrome_depth += 1
        if tag == "a":
            self.href = dict(attrs).get("href") or ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _BLOCK_TAGS:
            self.end_block(tag in _PARAGRAPH_TAGS)
        if tag in _CHROME_TAGS:
            self.chrome_depth = max(0, self.chrome_depth - 1)
        if tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.skip_depth or not data.strip():
            if data and self.current.text and data[:1].isspace():
                self.current.text.append(" ")
                self.current.pieces.append((" ", self.href))
            return
        if not self.current.text:
            self.current.line = self.getpos()[0]
            self.current.href = self.href
            self.current.chrome = self.chrome_depth > 0
        self.current.text.append(data)
        self.current.pieces.append((data, self.href))
        if self.href is not None and self.href == self.current.href:
            self.current.link_text.append(data)

    def close(self) -> None:
        super().close()
        self.end_block()


def _collect(html: str) -> _Collector:
    collector = _Collector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; anything left is kept as read
        collector.end_block()
    return collector


def _paper_id(href: str | None) -> tuple[str, int | None] | None:
    if not href:
        return None
    match = _RELATIVE_RE.match(href.strip())
    if match:
        version = match.group("version")
        return match.group("id"), int(version) if version else None
    return find_id(href)


def _block_lines(collector: _Collector, render: Callable[[_Block], str]) -> str:
    """The collected blocks as text, a line per block and a blank line after each paragraph."""
    breaks = set(collector.paragraph_after)
    out: list[str] = []
    for k, block in enumerate(collector.blocks):
        out.append(fold_space(render(block)))
        if k in breaks:
            out.append("")
    return "\n".join(out)


def _plain(block: _Block) -> str:
    return "".join(block.text)


def _linked(block: _Block) -> str:
    """A block's text with each run of it inside a link to a paper written ``[text](url)``."""
    parts = []
    for url, group in groupby(block.pieces, key=lambda piece: _absolute(piece[1] or "")):
        text = "".join(data for data, _ in group)
        parts.append(f"[{fold_space(text).replace(']', ')')}]({url})" if url else text)
    return "".join(parts)


def html_to_text(html: str) -> str:
    """The document's text, a line per block and a blank line after each paragraph."""
    return _block_lines(_collect(html), _plain)


def _absolute(href: str) -> str | None:
    """A paper link as an absolute URL (relative ``/papers/ID`` and ``/abs/ID`` too)."""
    href = href.strip()
    if not href:
        return None
    match = _RELATIVE_RE.match(href)
    if match:
        site = "https://huggingface.co" if href.startswith("/papers/") else "https://arxiv.org"
        return site + href
    return href if find_id(href) else None


def parse_html(html: str, today: dt.date | None = None) -> ParseResult:
    """Entries by the linked titles (a Hugging Face page), or the reading-list reading of the
    HTML (a paper per line with a link to it, :mod:`link_list`) when that finds more papers;
    never raises."""
    collector = _collect(html)  # parsed once for both readings
    result = _titled_links(collector)
    if "/abs/" not in html and "/papers/" not in html and "rxiv" not in html.lower():
        return result
    from desktop.core.importing.link_list import parse_link_list, reads_better

    listed = parse_link_list(_block_lines(collector, _linked))
    return listed if reads_better(listed, result) else result


def _titled_links(collector: _Collector) -> ParseResult:
    """Entries by the document's linked titles (none found: an empty, format-less result,
    and the caller may read ``html_to_text(html)`` instead)."""
    blocks = collector.blocks
    texts = [fold_space("".join(b.text)) for b in blocks]
    titles: list[tuple[int, str, tuple[str, int | None]]] = []  # (block index, title, id)
    seen: set[str] = set()
    for k, block in enumerate(blocks):
        found = _paper_id(block.href)
        if found is None or block.chrome:
            continue
        title = cut_ids(fold_space("".join(block.link_text)))[0]
        if (
            not title
            or is_count(title)
            or title.casefold() in _CHROME_TEXTS
            or title_problem(title) is not None
            or " " not in title
        ):
            continue
        if found[0] in seen:
            continue  # the same paper linked again (a sidebar, a second card)
        seen.add(found[0])
        titles.append((k, title, found))
    if not titles:
        return ParseResult()  # no linked titles: the caller reads the page's text instead
    result = ParseResult(layout=HF_HTML, format=HF_HTML)
    bounds = [k for k, _, _ in titles[1:]] + [len(blocks)]
    previous = -1
    for (k, title, (arxiv_id, version)), end in zip(titles, bounds, strict=True):
        abstract = ""
        authors_count = None
        upvotes = None
        # The card's upvote count: a count block (not a link) before the title.
        for j in range(k - 1, previous, -1):
            if blocks[j].href is None and is_count(texts[j]):
                upvotes = count_value(texts[j])
                break
        previous = k
        for j in range(k + 1, end):
            text = texts[j]
            match = _AUTHORS_IN_RE.search(text)
            if match and authors_count is None:
                authors_count = int(match.group(1))
                continue
            if (
                not abstract
                and _paper_id(blocks[j].href) is None
                and blocks[j].href is None
                and text.count(" ") + 1 >= MIN_ABSTRACT_WORDS
            ):
                abstract = text
        result.entries.append(
            Entry(
                title,
                abstract,
                blocks[k].line,
                len(result.entries) + 1,
                authors_count=authors_count,
                upvotes=upvotes,
                arxiv_id=arxiv_id,
                arxiv_version=version,
            )
        )
    if not result.entries:
        result.layout = result.format = EMPTY
    return result
