"""A highlight's note is Markdown, rendered like the paper note (and just as safely): bold,
links and headings show formatted, raw HTML shows as text, images become their alt text and
no resource is loaded. The highlights review lists the note's words, not its syntax."""

from __future__ import annotations

from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.gui.dialogs.highlights_view import COL_NOTE, COL_PAPER, HighlightsView
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press

NOTE = (
    "**Strong claim**, see [the code](https://example.org/code) and "
    "![secret](file:///etc/passwd) <b>raw</b> `snippet`"
)


def fragment_formats(win: MainWindow, text: str) -> list[tuple[bool, str, bool]]:
    """(bold, anchor href, italic) of each character of the first ``text`` in the pane."""
    doc = win.detail.browser.document()
    found = doc.find(text)
    assert not found.isNull(), f"{text!r} is not shown"
    out = []
    for pos in range(found.selectionStart() + 1, found.selectionEnd() + 1):
        c = QTextCursor(doc)
        c.setPosition(pos)
        fmt = c.charFormat()
        out.append((fmt.fontWeight() >= QFont.Weight.Bold, fmt.anchorHref(), fmt.fontItalic()))
    return out


def test_highlight_note_renders_markdown_safely(qtbot: QtBot, win: MainWindow) -> None:
    paper_id = win.current_id()
    assert paper_id is not None
    words = win.library.papers.get(paper_id).abstract.split()
    win.library.highlights.add_by_quote(paper_id, " ".join(words[1:5]), "green", NOTE)
    QApplication.processEvents()
    shown = win.detail.browser.toPlainText()
    assert "Strong claim, see the code and [secret] <b>raw</b> snippet" in shown
    assert "**" not in shown and "](" not in shown
    assert all(bold for bold, _, _ in fragment_formats(win, "Strong claim"))
    assert {href for _, href, _ in fragment_formats(win, "the code")} == {
        "https://example.org/code"
    }
    # The image named a local file: shown as its alt text, never loaded.
    assert not any("passwd" in r for r in win.detail.browser.resource_requests)
    assert not any(href.startswith("file:") for _, href, _ in fragment_formats(win, "[secret]"))

    press(qtbot, "g,h")
    view = win.last_dialog
    assert isinstance(view, HighlightsView)
    row = next(
        view.tree.topLevelItem(i)
        for i in range(view.tree.topLevelItemCount())
        if "Strong claim" in view.tree.topLevelItem(i).text(COL_NOTE)
    )
    assert row.text(COL_NOTE) == "Strong claim, see the code and secret <b>raw</b> snippet"
    view.close()


def test_highlights_review_marks_archived_papers(qtbot: QtBot, win: MainWindow) -> None:
    paper_id = win.current_id()
    assert paper_id is not None
    paper = win.library.papers.get(paper_id)
    win.library.highlights.add_by_quote(paper_id, " ".join(paper.abstract.split()[1:5]))
    win.library.triage.set_archived([paper_id], True)
    press(qtbot, "g,h")
    view = win.last_dialog
    assert isinstance(view, HighlightsView)
    tree = view.tree
    papers = [tree.topLevelItem(i).text(COL_PAPER) for i in range(tree.topLevelItemCount())]
    assert f"{paper.title}  (archived)" in papers
    view.close()
