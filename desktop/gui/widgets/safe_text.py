"""Rich text that never loads a resource: notes and imported text render with no file or
network access.

A note's Markdown may name images (``![x](/dev/zero)``, ``![x](file:///home/…)``,
``![x](https://…)``). Qt would load them while laying the document out: ``/dev/zero`` hangs
the GUI and fills the memory, ``file://`` reads local files. Two guards, either enough alone:
``insert_markdown`` turns every image it inserts into its alt text (linked when the image
is an http(s) URL, which only opens in the browser when clicked), and ``SafeTextBrowser``'s
document answers every resource request with nothing. (Refusing in the browser alone is not
enough: ``QTextDocument.loadResource`` then reads local files itself.)
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop.gui import theme


class SafeTextDocument(QTextDocument):
    """A document that loads no resource: no image, style sheet or file, local or remote."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.resource_requests: list[str] = []  # what layout asked for (always refused)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Refuse every resource (Qt would read local files and ``/dev/zero``)."""
        self.resource_requests.append(QUrl(name).toString())
        return None


class SafeTextBrowser(QTextBrowser):
    """A read-only text browser on a ``SafeTextDocument``; it never loads a resource either."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.safe_document = SafeTextDocument(self)
        self.setDocument(self.safe_document)

    @property
    def resource_requests(self) -> list[str]:
        """Every resource the shown text asked for; none was loaded."""
        return self.safe_document.resource_requests

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Refuse every resource."""
        self.safe_document.resource_requests.append(QUrl(name).toString())
        return None


def image_stand_in(fmt: QTextFormat) -> tuple[str, str | None]:
    """What an image is shown as: its alt text (else its URL), and the http(s) link, if any."""
    name = str(fmt.property(QTextFormat.Property.ImageName) or "")
    alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "").strip()
    url = QUrl(name)
    web = name if url.scheme().lower() in ("http", "https") and url.host() else None
    shown = alt or name or "image"
    return f"[{shown}]", web


def strip_images(doc: QTextDocument, start: int, end: int) -> None:
    """Replace every image between ``start`` and ``end`` by its stand-in text."""
    images: list[tuple[int, int, QTextFormat]] = []
    block = doc.findBlock(start)
    while block.isValid() and block.position() <= end:
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            char_format = fragment.charFormat()
            if char_format.isImageFormat() and start <= fragment.position() < end:
                images.append((fragment.position(), fragment.length(), char_format))
            it += 1
        block = block.next()
    for position, length, fmt in reversed(images):
        text, link = image_stand_in(fmt)
        plain = QTextCharFormat()
        if link is not None:
            plain.setAnchor(True)
            plain.setAnchorHref(link)
            plain.setForeground(theme.current().color("link"))
        cursor = QTextCursor(doc)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text, plain)


def insert_markdown(cursor: QTextCursor, markdown: str) -> tuple[int, int]:
    """Insert Markdown (never HTML) with images as text; the inserted (start, end) range."""
    start = cursor.position()
    cursor.insertMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownNoHTML)
    strip_images(cursor.document(), start, cursor.position())
    return start, cursor.position()  # the cursor moved with the edits before it
