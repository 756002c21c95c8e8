"""Notes render without loading any resource: images show as their alt text, never as images.

Before the fix a note image ``![x](/dev/zero)`` hung the GUI reading an endless file, and
``![x](file:///…)`` made it read local files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor, QTextDocument
from pytestqt.qtbot import QtBot

from desktop.gui.main_window import MainWindow
from desktop.gui.widgets.safe_text import SafeTextBrowser, insert_markdown
from tests.gui.annotation_helpers import open_digest_paper


def image_names(doc: QTextDocument) -> Iterator[str]:
    """The source of every image fragment in a document."""
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                yield fmt.toImageFormat().name()
            it += 1
        block = block.next()


def anchors(doc: QTextDocument) -> list[str]:
    """Every link target in a document."""
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                out.append(fmt.anchorHref())
            it += 1
        block = block.next()
    return out


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A real local file a hostile note points at."""
    path = tmp_path / "secret.png"
    path.write_bytes(b"not for the GUI to read")
    return path


def hostile_note(secret: Path) -> str:
    return (
        "Intro ![zero device](/dev/zero) then ![local file](" + secret.as_uri() + ") and "
        "![remote pic](http://example.com/tracker.png) and ![](https://example.org/x.png)\n\n"
        "- item ![in a list](/dev/zero)\n"
    )


def test_insert_markdown_turns_images_into_alt_text(qapp: object, secret: Path) -> None:
    browser = SafeTextBrowser()
    doc = browser.document()
    cursor = QTextCursor(doc)
    cursor.insertText("before ")
    start, end = insert_markdown(cursor, hostile_note(secret))
    cursor.insertText(" after")
    assert list(image_names(doc)) == []
    text = doc.toPlainText()
    for alt in ("[zero device]", "[local file]", "[remote pic]", "[in a list]"):
        assert alt in text
    assert text.startswith("before Intro") and text.endswith(" after")
    assert 0 < start < end <= doc.characterCount()
    # A web image becomes a link (opened only in the browser, on a click); local ones do not.
    # (Qt's Markdown reader drops an image without alt text altogether.)
    assert anchors(doc) == ["http://example.com/tracker.png"]
    browser.resize(400, 300)
    doc.documentLayout().documentSize()  # lay out: nothing to load
    kind = int(QTextDocument.ResourceType.ImageResource)
    for url in ("/dev/zero", secret.as_uri(), "http://example.com/tracker.png"):
        assert doc.resource(kind, QUrl(url)) is None  # asked for or not, never loaded
    assert "<img" not in doc.toHtml()


def test_safe_browser_refuses_every_resource(qapp: object, secret: Path) -> None:
    browser = SafeTextBrowser()
    kind = int(QTextDocument.ResourceType.ImageResource)
    for url in ("/dev/zero", secret.as_uri(), "http://example.com/a.png", "qrc:/x.png"):
        assert browser.loadResource(kind, QUrl(url)) is None
    assert len(browser.resource_requests) == 4
    # Even an image inserted behind the guard's back loads nothing.
    browser.document().setHtml(f"<img src='{secret.as_uri()}'><img src='/dev/zero'>")
    browser.resize(300, 200)
    browser.document().documentLayout().documentSize()
    assert browser.document().resource(kind, QUrl(secret.as_uri())) is None


def test_a_hostile_note_in_the_window_loads_nothing_and_shows_alt_text(
    qtbot: QtBot, win: MainWindow, secret: Path
) -> None:
    paper_id = open_digest_paper(qtbot, win)
    browser = win.detail.browser
    assert isinstance(browser, SafeTextBrowser)
    win.library.notes.set(paper_id, hostile_note(secret))
    qtbot.wait(20)  # paint the pane
    doc = win.detail.document()
    assert list(image_names(doc)) == []
    text = win.detail.plain_text()
    assert "[zero device]" in text and "[local file]" in text and "[remote pic]" in text
    kind = int(QTextDocument.ResourceType.ImageResource)
    for url in ("/dev/zero", secret.as_uri(), "http://example.com/tracker.png"):
        assert doc.resource(kind, QUrl(url)) is None
    assert secret.as_uri() not in anchors(doc)
