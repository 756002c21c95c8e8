"""The detail pane: one paper's title, metadata, abstract, digests and related papers.

Everything is inserted into the document as plain text with character formats, never as
HTML, so imported text cannot inject markup. Links are either internal (``dd:paper/ID``,
``dd:digest/ID``) or http(s) links found in the abstract, opened in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import urlencode

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from desktop.core.library import Library
from desktop.core.links import paper_links
from desktop.core.models import Paper
from desktop.gui import theme
from desktop.gui.core_errors import CORE_ERRORS
from desktop.gui.models.paper_list import authors_text, short_date
from desktop.gui.models.sidebar import digest_label
from desktop.gui.widgets.flat_scroll_bar import use_flat_scroll_bars
from desktop.gui.widgets.safe_text import SafeTextBrowser

URL_RE = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]", re.IGNORECASE)


class RelatedLookup(Protocol):
    """What the pane asks of a related-papers worker (controllers/related_worker.py)."""

    @property
    def found(self) -> Any:  # Signal(serial, paper_id, ids), delivered on the GUI thread
        ...

    def submit(self, paper_id: int, limit: int) -> int: ...

    def stop(self) -> None: ...


RELATED_LIMIT = 10  # related papers asked for (the paper itself may be among them)
RELATED_DELAY_MS = 120
# Where a title can be looked up on the web (the title goes in the query, URL-encoded).
LOOKUPS: tuple[tuple[str, str, dict[str, str], str], ...] = (
    ("arXiv", "https://arxiv.org/search/", {"searchtype": "title"}, "query"),
    ("Hugging Face", "https://huggingface.co/papers", {}, "q"),
    ("Google Scholar", "https://scholar.google.com/scholar", {}, "q"),
)  # related papers are looked up once the selection settles

# A section adds itself to the document after the abstract: (cursor, paper) -> None.
Section = Callable[[QTextCursor, Paper], None]


def lookup_urls(title: str) -> list[tuple[str, str]]:
    """(site, https URL) pairs that search the web for a paper title."""
    out = []
    for site, base, extra, key in LOOKUPS:
        query = urlencode({key: " ".join(title.split()), **extra})
        out.append((site, f"{base}?{query}"))
    return out


def web_links(paper: Paper) -> tuple[str, list[tuple[str, str]]]:
    """The line of web links under a paper's title: its own pages when its arXiv id is
    known (the addresses of ``show --json``), else title searches."""
    if not paper.arxiv_id:
        return "Look it up on ", lookup_urls(paper.title)
    links = paper_links(paper.arxiv_id, paper.title)
    return "On the web: ", [
        (f"arXiv {paper.arxiv_id}", links["abs"]),
        ("PDF", links["pdf"]),
        ("Hugging Face", links["hf"]),
    ]


def open_external(url: QUrl) -> None:
    """Open a web link in the user's browser."""
    QDesktopServices.openUrl(url)


def is_web_link(url: QUrl) -> bool:
    """True for http and https links, the only ones opened outside the app."""
    return url.scheme().lower() in ("http", "https") and bool(url.host())


class DetailPane(QWidget):
    """Shows the current paper; emits requests when a digest or related paper is clicked."""

    paper_requested = Signal(int)
    view_requested = Signal(str)
    rendered = Signal()  # after every render (the annotation layer redraws highlights)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.paper: Paper | None = None
        self.related: list[Paper] | None = None
        self.sections: list[Section] = []
        self.abstract_range: tuple[int, int] = (0, 0)
        self.title_range: tuple[int, int] = (0, 0)
        self.opened_urls: list[str] = []  # web links opened, for tests and the status bar
        self.browser = SafeTextBrowser(self)  # loads no image or file a note names
        self.browser.setObjectName("detail")
        use_flat_scroll_bars(self.browser)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setReadOnly(True)
        self.browser.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.browser.anchorClicked.connect(self._on_link)
        self.browser.document().setDocumentMargin(18)
        layout = self.column = QVBoxLayout(self)  # sections may add widgets under the text
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self._related_timer = QTimer(self)
        self._related_timer.setSingleShot(True)
        self._related_timer.setInterval(RELATED_DELAY_MS)
        self._related_timer.timeout.connect(self.load_related)
        self._related_worker: RelatedLookup | None = None  # use_related_worker
        self._related_serial = 0
        # Related papers (a search, 0.1-0.5 s on a large library) wait for the pane's first
        # frame, so they never hold up the window's first paint.
        self._painted = False
        self.browser.viewport().installEventFilter(self)
        self.show_empty("No paper selected.")

    # -- showing ---------------------------------------------------------------------------
    def show_paper(self, paper_id: int | None, *, keep_scroll: bool = False) -> None:
        """Show a paper (None clears the pane); related papers follow a moment later."""
        if paper_id is None:
            self.show_empty("No paper selected.")
            return
        paper = self.library.papers.get(paper_id)
        if paper is None:
            self.show_empty("This paper is no longer in the library.")
            return
        same = self.paper is not None and self.paper.id == paper.id
        if not same:
            self.related = None
        self.paper = paper
        self._render(keep_scroll=keep_scroll and same)
        if not same and self._painted:
            self._related_timer.start()

    def refresh(self) -> None:
        """Re-read the shown paper after a write, keeping the scroll position."""
        if self.paper is not None:
            self.show_paper(self.paper.id, keep_scroll=True)

    def show_empty(self, message: str) -> None:
        """Show a short message instead of a paper."""
        self.paper = None
        self.related = None
        doc = self.browser.document()
        doc.clear()
        cursor = QTextCursor(doc)
        fmt = QTextCharFormat()
        fmt.setForeground(theme.current().color("muted"))
        cursor.insertText(message, fmt)
        self.rendered.emit()

    def use_related_worker(self, worker: RelatedLookup | None) -> None:
        """Look related papers up on ``worker``'s thread (None: on this one)."""
        self._related_worker = worker
        if worker is not None:
            worker.found.connect(self._related_found)

    def load_related(self) -> None:
        """Look up and show the related papers now (normally a moment after showing); with
        a worker, they are shown when its answer comes."""
        if self.paper is None:
            return
        if self._related_worker is not None:
            self._related_serial = self._related_worker.submit(self.paper.id, RELATED_LIMIT)
            return
        try:
            hits = self.library.index.related(self.paper.id, limit=RELATED_LIMIT).hits
        except CORE_ERRORS:  # a broken index must not break reading
            hits = []
        self._show_related([int(h.id) for h in hits])

    def _related_found(self, serial: int, paper_id: int, ids: list[int]) -> None:
        if serial != self._related_serial or self.paper is None or self.paper.id != paper_id:
            return  # an answer for a paper no longer shown
        if self.library.closed:
            return  # the answer came after the window closed its library
        self._show_related(ids)

    def _show_related(self, ids: list[int]) -> None:
        assert self.paper is not None
        shown = [i for i in ids if i != self.paper.id][:8]
        self.related = self.library.papers.many(shown, with_sightings=False)
        self._render(keep_scroll=True)

    # -- building the document -------------------------------------------------------------
    def _render(self, keep_scroll: bool) -> None:
        paper = self.paper
        assert paper is not None
        bar = self.browser.verticalScrollBar()
        scroll = bar.value() if keep_scroll else 0
        # A shown scroll bar stays while the document is rebuilt: it would hide when the
        # document is cleared and show again when it fills, each time resizing the viewport
        # and laying the whole document out again (twice the work of a render).
        held = bar.isVisible()
        if held:
            self.browser.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        doc = self.browser.document()
        doc.clear()
        cursor = QTextCursor(doc)
        # One edit block: the document is laid out once, not after every insert (5x faster).
        cursor.beginEditBlock()
        base = QFont(self.browser.font())

        title_fmt = QTextCharFormat()
        title_font = QFont(base)
        title_font.setPointSizeF(base.pointSizeF() * 1.45)
        title_font.setBold(True)
        title_fmt.setFont(title_font)
        self.block(cursor, first=True, bottom=6, line_height=112)
        start = cursor.position()
        cursor.insertText(paper.title, title_fmt)
        self.title_range = (start, cursor.position())

        self.block(cursor, bottom=4)
        cursor.insertText(self._meta_line(paper), self.muted())
        self.block(cursor, bottom=4)
        self._state_line(cursor, paper)
        self.block(cursor, bottom=14)
        lead, links = web_links(paper)
        cursor.insertText(lead, self.muted())
        for n, (site, url) in enumerate(links):
            if n:
                cursor.insertText(" · ", self.muted())
            cursor.insertText(site, self.link(url))

        self.block(cursor, bottom=10, line_height=135)
        start = cursor.position()
        self._insert_linkified(cursor, paper.abstract or "(no abstract)")
        self.abstract_range = (start, cursor.position())

        for section in self.sections:
            section(cursor, paper)

        self.heading(cursor, "Seen in")
        for sighting in paper.sightings:
            self.block(cursor, bottom=2)
            cursor.insertText("• ", self.muted())
            cursor.insertText(
                digest_label(sighting.digest_name, sighting.digest_date),
                self.link(f"dd:digest/{sighting.digest_id}"),
            )
            cursor.insertText(f"  #{sighting.position}", self.muted())

        self.heading(cursor, "Related papers")
        if self.related is None:
            self.block(cursor)
            cursor.insertText("Looking for related papers…", self.muted())
        elif not self.related:
            self.block(cursor)
            cursor.insertText("None found.", self.muted())
        for other in self.related or []:
            self.block(cursor, bottom=4)
            cursor.insertText("• ", self.muted())
            cursor.insertText(other.title, self.link(f"dd:paper/{other.id}"))
        cursor.endEditBlock()
        if held:  # hidden again only if the new document fits
            self.browser.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # The browser's own cursor was pushed to the end by the inserts; without this it
        # scrolls to the bottom of the document on the next layout.
        self.browser.setTextCursor(QTextCursor(doc))
        bar.setValue(scroll)
        self.rendered.emit()

    def _meta_line(self, paper: Paper) -> str:
        parts = []
        if paper.published:
            date = short_date(paper.published)
            parts.append(
                f"Published {date}" + (" (year guessed)" if paper.published_year_inferred else "")
            )
        elif paper.published_raw:
            parts.append(f"Published {paper.published_raw}")
        who = authors_text(paper)
        if who:
            parts.append(who if paper.authors_count else f"submitted by {who}")
        if paper.upvotes:
            parts.append(f"{paper.upvotes} upvotes")
        if paper.version > 1:
            parts.append(f"abstract revised (v{paper.version})")
        parts.append(f"id {paper.id}")
        return "  ·  ".join(parts)

    def _state_line(self, cursor: QTextCursor, paper: Paper) -> None:
        t = theme.current()
        chips = [("Read", t.muted) if paper.is_read else ("Unread", t.unread)]
        if paper.starred:
            chips.append(("★ Starred", t.starred))
        if paper.queued:
            chips.append(("In reading queue", t.queued))
        if paper.archived:
            muted = self.library.rules.muted_reason(paper.id)  # a rule's mute says so
            chips.append((f"Archived: {muted}" if muted else "Archived", t.muted))
        for n, (text, color) in enumerate(chips):
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(color))
            fmt.setFontWeight(QFont.Weight.DemiBold)
            if n:
                cursor.insertText("   ", QTextCharFormat())
            cursor.insertText(text, fmt)

    def heading(self, cursor: QTextCursor, text: str) -> None:
        """A small upper-case section heading in a new block."""
        self.block(cursor, top=14, bottom=4)
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold)
        fmt.setForeground(theme.current().color("muted"))
        fmt.setFontCapitalization(QFont.Capitalization.AllUppercase)
        fmt.setFontLetterSpacing(104)
        font = QFont(self.browser.font())
        fmt.setFontPointSize(font.pointSizeF() * 0.85)
        cursor.insertText(text, fmt)

    @staticmethod
    def block(
        cursor: QTextCursor,
        *,
        first: bool = False,
        top: float = 0,
        bottom: float = 0,
        line_height: int = 100,
    ) -> None:
        """Start a block with these margins (``first``: format the current block instead)."""
        fmt = QTextBlockFormat()
        fmt.setTopMargin(top)
        fmt.setBottomMargin(bottom)
        if line_height != 100:
            fmt.setLineHeight(line_height, 1)  # 1 = ProportionalHeight
        if first:
            cursor.setBlockFormat(fmt)
        else:
            cursor.insertBlock(fmt, QTextCharFormat())

    @staticmethod
    def muted() -> QTextCharFormat:
        """The format of secondary text."""
        fmt = QTextCharFormat()
        fmt.setForeground(theme.current().color("muted"))
        return fmt

    @staticmethod
    def link(href: str) -> QTextCharFormat:
        """The format of a link to ``href``."""
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(href)
        fmt.setForeground(theme.current().color("link"))
        fmt.setFontUnderline(False)
        return fmt

    def _insert_linkified(self, cursor: QTextCursor, text: str) -> None:
        plain = QTextCharFormat()
        pos = 0
        for match in URL_RE.finditer(text):
            cursor.insertText(text[pos : match.start()], plain)
            url = QUrl(match.group(0), QUrl.ParsingMode.StrictMode)
            if url.isValid() and is_web_link(url):
                cursor.insertText(match.group(0), self.link(url.toString()))
            else:
                cursor.insertText(match.group(0), plain)
            pos = match.end()
        cursor.insertText(text[pos:], plain)

    # -- interaction -----------------------------------------------------------------------
    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "dd":
            kind, _, ident = url.path().partition("/")
            if ident.isdigit():
                if kind == "paper":
                    self.paper_requested.emit(int(ident))
                elif kind == "digest":
                    self.view_requested.emit(f"digest:{ident}")
            return
        if is_web_link(url):
            self.opened_urls.append(url.toString())
            open_external(url)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            watched.removeEventFilter(self)
            if self.paper is not None and self.related is None:
                self._related_timer.start()  # counted from the first frame
        return super().eventFilter(watched, event)

    def stop(self) -> None:
        """Cancel pending work (the window is closing)."""
        self._related_timer.stop()
        if self._related_worker is not None:
            self._related_worker.stop()

    def scroll_page(self, direction: int) -> None:
        """Scroll one page down (+1) or up (-1)."""
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(bar.pageStep() - 40, 40))

    def document(self) -> QTextDocument:
        """The rendered document (for tests and the annotation layer)."""
        return self.browser.document()

    def plain_text(self) -> str:
        """Everything shown, as plain text."""
        return self.browser.toPlainText()

    def related_titles(self) -> Sequence[str]:
        """Titles of the related papers shown."""
        return [p.title for p in self.related or []]

    def setFocusToText(self, *_: Any) -> None:
        """Move keyboard focus into the text (for selecting passages)."""
        self.browser.setFocus()
