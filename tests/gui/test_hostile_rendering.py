"""Imported text is shown literally everywhere: HTML such as ``<img src=x onerror=…>`` and
``<a href="file:///…">`` appears as text in every widget and tooltip, and only http(s) links
open, in the system browser.

A string shown by a QLabel in AutoText mode or by a tooltip is parsed as HTML when
``mightBeRichText`` says so; ``rendered`` below does the same, so the checks see what the
user would see.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QTextEdit, QTreeWidget
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.dialogs.highlights_view import HighlightsView
from desktop.gui.dialogs.import_dialog import ImportResultDialog, PasteDialog
from desktop.gui.main_window import MainWindow
from desktop.gui.widgets import detail_pane

IMG = "<img src=x onerror=alert(1)>"
FILE_LINK = '<a href="file:///etc/passwd">passwords</a>'
TITLE = f"{IMG} Rendering Attacks {FILE_LINK}"
ABSTRACT = (
    f"This abstract holds {IMG} and {FILE_LINK} and <script>alert(2)</script>, "
    "javascript:alert(3), file:///etc/shadow, [md](file:///etc/hosts) and one real link, "
    "https://example.org/paper?id=7 which is the only thing that may open."
)
DIGEST = f"{IMG}.txt"


def rendered(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> QTextDocument:
    """The document a label or tooltip makes of ``text`` in format ``fmt``."""
    doc = QTextDocument()
    rich = fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if rich:
        doc.setHtml(text)
    elif fmt == Qt.TextFormat.MarkdownText:
        doc.setMarkdown(text)
    else:
        doc.setPlainText(text)
    return doc


def formats(doc: QTextDocument) -> Iterator[tuple[bool, str]]:
    """(is an image, link target) for every fragment of a document."""
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            yield fmt.isImageFormat(), fmt.anchorHref() if fmt.isAnchor() else ""
            it += 1
        block = block.next()


def assert_literal(doc: QTextDocument, *payloads: str) -> None:
    """The document shows each payload as text, has no image, and links only http(s)/dd."""
    text = doc.toPlainText()
    for payload in payloads:
        assert payload in text, (payload, text[:300])
    for image, href in formats(doc):
        assert not image
        assert not href or href.startswith(("http://", "https://", "dd:")), href


def assert_tooltip_literal(tip: object, payload: str) -> None:
    assert isinstance(tip, str) and tip
    assert_literal(rendered(tip), payload)


@pytest.fixture
def hostile(seeded: Library) -> int:
    result = seeded.importer.import_text(f"{TITLE}\n\n{ABSTRACT}\n", DIGEST)
    assert result.ok and result.new_ids
    return int(result.new_ids[0])


@pytest.fixture
def shown(qtbot: QtBot, win: MainWindow, hostile: int) -> MainWindow:
    win.set_view("all")
    win.go_to_paper(hostile)
    assert win.current_id() == hostile
    return win


def _paper_index(win: MainWindow, paper_id: int, column: int) -> QModelIndex:
    return win.model.index(win.model.row_of(paper_id), column)


def test_the_paper_list_shows_titles_and_tooltips_literally(
    shown: MainWindow, hostile: int
) -> None:
    for column in range(shown.model.columnCount()):
        index = _paper_index(shown, hostile, column)
        display = index.data(Qt.ItemDataRole.DisplayRole)
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        if isinstance(display, str) and "<" in display:
            assert IMG in display  # item views paint display text as plain text
        if isinstance(tip, str) and "<" in tip:
            assert_tooltip_literal(tip, IMG)


def test_the_sidebar_shows_digest_names_literally(qtbot: QtBot, shown: MainWindow) -> None:
    qtbot.waitUntil(lambda: DIGEST in [e.label for e in shown.sidebar_model.entries])
    model = shown.sidebar_model
    for row in range(model.rowCount()):
        tip = model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        if isinstance(tip, str) and "<img" in tip:
            assert_tooltip_literal(tip, IMG)


def test_the_detail_pane_shows_title_abstract_and_digest_literally(
    shown: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = shown.detail.browser.document()
    assert_literal(doc, IMG, FILE_LINK, "<script>alert(2)</script>", DIGEST)
    opened: list[str] = []
    monkeypatch.setattr(detail_pane, "open_external", lambda url: opened.append(url.toString()))
    hrefs = [href for _, href in formats(doc) if href]
    for href in [*hrefs, "file:///etc/passwd", "javascript:alert(3)", "x", "ftp://example.org/"]:
        shown.detail.browser.anchorClicked.emit(QUrl(href))
    assert "https://example.org/paper?id=7" in opened
    assert all(url.startswith(("http://", "https://")) for url in opened)


def test_search_results_and_snippets_are_literal(qtbot: QtBot, shown: MainWindow) -> None:
    shown.search_field.setText("rendering attacks")
    shown.search.run()
    qtbot.waitUntil(lambda: shown.model.rowCount() >= 1)
    for row in range(shown.model.rowCount()):
        for column in range(shown.model.columnCount()):
            tip = shown.model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str) and "<" in tip:
                assert_tooltip_literal(tip, "<")
                assert not any(image for image, _ in formats(rendered(tip)))


def test_highlights_and_notes_on_hostile_text_are_literal(
    qtbot: QtBot,
    shown: MainWindow,
    seeded: Library,
    hostile: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeded.highlights.add_by_quote(hostile, IMG, "red", note=f"my note {FILE_LINK}")
    seeded.notes.set(
        hostile,
        f"# Note\n\n{IMG}\n\n{FILE_LINK}\n\n[md link](file:///etc/hosts) "
        "[web](https://example.org/)\n\n<script>alert(4)</script>",
    )
    shown.detail.refresh()
    doc = shown.detail.browser.document()
    assert IMG in doc.toPlainText() and "<script>alert(4)</script>" in doc.toPlainText()
    for widget in shown.findChildren(QTextEdit):
        for image, _ in formats(widget.document()):
            assert not image
    # The note's own Markdown links are links, but only http(s) ones ever open.
    opened: list[str] = []
    monkeypatch.setattr(detail_pane, "open_external", lambda url: opened.append(url.toString()))
    for _, href in formats(doc):
        if href:
            shown.detail.browser.anchorClicked.emit(QUrl(href))
    assert "https://example.org/" in opened
    assert all(url.startswith(("http://", "https://")) for url in opened)
    view = HighlightsView(seeded, lambda h: None, shown)
    qtbot.addWidget(view)
    tree = view.findChild(QTreeWidget)
    assert tree is not None and tree.topLevelItemCount() >= 1
    item = tree.topLevelItem(0)
    assert IMG in item.text(1)
    for column in range(tree.columnCount()):
        tip = item.toolTip(column)
        if "<" in tip:
            assert_tooltip_literal(tip, "<img")


def test_paste_preview_and_import_results_are_literal(qtbot: QtBot, seeded: Library) -> None:
    preview = seeded.importer.preview_text(f"{TITLE}\n\n{ABSTRACT}\n")
    paste = PasteDialog(preview, DIGEST)
    qtbot.addWidget(paste)
    details = paste.findChild(QPlainTextEdit)
    assert details is not None and TITLE in details.toPlainText()
    result = seeded.importer.import_text(f"{TITLE}\n\n{ABSTRACT} again\n", f"{IMG} second.txt")
    result.path = f"/tmp/{IMG}/{FILE_LINK}.txt"
    dialog = ImportResultDialog([result])
    qtbot.addWidget(dialog)
    item = dialog.table.topLevelItem(0)
    assert IMG in item.text(0)
    assert_tooltip_literal(item.toolTip(0), FILE_LINK)
    for widget in (paste, dialog):
        for label in widget.findChildren(QLabel):
            if "<" in label.text():
                assert_literal(rendered(label.text(), label.textFormat()), "<")


def test_no_label_anywhere_renders_imported_html(qtbot: QtBot, shown: MainWindow) -> None:
    """A sweep over every label of every window after showing the hostile paper."""
    for top in QApplication.topLevelWidgets():
        for label in top.findChildren(QLabel):
            text = label.text()
            if "<img" in text or "file:///" in text:
                assert_literal(rendered(text, label.textFormat()), "<img" if "<img" in text else "")
                assert label.textFormat() == Qt.TextFormat.PlainText
