"""Helpers for the annotation GUI tests: a small digest with wide characters, caret moves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press

# Non-BMP characters (two UTF-16 units in Qt, one str character in Python) before the words
# we select, so a UTF-16/str mix-up lands the highlight on the wrong words.
TITLE = "Rocket 🚀 Science <b>not bold</b>"
ABSTRACT = (
    "We study 𝔼[x] and 🙂 smiles in deep nets. The key idea is offline sampling of graphs, "
    "which helps a lot."
)
DIGEST = f"{TITLE}\n\n{ABSTRACT}\n\nSecond Paper Title\n\nAnother abstract about graph sampling.\n"


def open_digest_paper(qtbot: QtBot, win: MainWindow, text: str = DIGEST) -> int:
    """Import ``text`` and show its first paper; returns its id."""
    result = win.library.importer.import_text(text, "annotation test digest")
    assert result.ok, result.error
    paper_id = int(result.new_ids[0])
    win.go_to_paper(paper_id)
    assert win.detail.paper is not None and win.detail.paper.id == paper_id
    # The related papers arrive a moment later and redraw the pane: wait for them, so that
    # no redraw lands between a test's caret moves (a caret move made stale is not acted on).
    qtbot.waitUntil(lambda: win.detail.related is not None, timeout=10_000)
    return paper_id


def select_in_abstract(qtbot: QtBot, win: MainWindow, skip: int, length: int) -> str:
    """Press v, move the caret ``skip`` characters right, select ``length`` with Shift+Right."""
    press(qtbot, "v")
    browser = win.detail.browser
    assert browser.hasFocus()
    for _ in range(skip):
        qtbot.keyClick(browser, Qt.Key.Key_Right)
    for _ in range(length):
        qtbot.keyClick(browser, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait(1)
    return browser.textCursor().selectedText()


def move_caret(qtbot: QtBot, win: MainWindow, steps: int) -> None:
    """Move the caret in the detail text right (or left) and let the selection follow."""
    key = Qt.Key.Key_Right if steps > 0 else Qt.Key.Key_Left
    for _ in range(abs(steps)):
        qtbot.keyClick(win.detail.browser, key)
    qtbot.wait(1)
