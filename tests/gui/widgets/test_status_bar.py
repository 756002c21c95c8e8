"""At 800×600 a long status message is shown elided in the middle within the status bar's
room, and the whole of it is reachable: the tooltip (with the messages before it) and the
accessible description."""

from __future__ import annotations

from PySide6.QtGui import Qt, QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.controllers.search import results_message
from desktop.gui.main_window import MainWindow
from desktop.gui.widgets.status_bar import RECENT, StatusBar
from tests.gui.test_window_titles import shown_window


def bar_of(win: MainWindow) -> StatusBar:
    bar = win.statusBar()
    assert isinstance(bar, StatusBar)
    return bar


def literal(tip: str) -> str:
    """A tooltip's text as Qt shows it (rich text rendered)."""
    doc = QTextDocument()
    if Qt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText().replace("\u2028", "\n").replace("\u2029", "\n")


def test_a_long_message_at_800x600_is_elided_in_the_middle_and_whole_in_the_hints(
    qtbot: QtBot, seeded: Library
) -> None:
    win = shown_window(qtbot, seeded, (800, 600))
    try:
        bar = bar_of(win)
        query = "graph neural networks <b>out-of-core</b> training on a single machine"
        message = results_message(12, query, "Searched titles and abstracts only", None, "#ML")
        win.say(message)
        QApplication.processEvents()
        rect = bar.message_rect()
        metrics = bar.fontMetrics()
        assert metrics.horizontalAdvance(message) > rect.width(), "the message is long here"
        shown = bar.shown_message()
        assert bar.is_elided() and "…" in shown
        assert metrics.horizontalAdvance(shown) <= rect.width()  # what is drawn fits
        head, tail = shown.split("…")
        assert message.startswith(head) and message.endswith(tail)
        assert tail.endswith("Esc restores the view"), "both ends show, not just the start"
        # The room ends at the counts (a permanent widget), inside the window.
        assert rect.right() < win.counts_label.x() and rect.left() >= 0
        assert bar.width() <= 800
        # The whole message: for screen readers, and in the tooltip.
        assert bar.accessibleDescription() == message
        assert literal(bar.toolTip()).splitlines()[0] == message
        assert bar.childAt(20, bar.height() // 2) is None, "the bar's own tooltip shows there"
        bar.grab()  # the elided text paints without error
    finally:
        win.close()


def test_a_short_message_is_shown_whole_and_earlier_ones_stay_in_the_tooltip(
    qtbot: QtBot, seeded: Library
) -> None:
    win = shown_window(qtbot, seeded, (800, 600))
    try:
        bar = bar_of(win)
        for n in range(RECENT + 2):
            win.say(f"message {n}")
        QApplication.processEvents()
        assert bar.shown_message() == "message 6" and not bar.is_elided()
        assert bar.recent() == [f"message {n}" for n in range(6, 6 - RECENT, -1)]
        lines = literal(bar.toolTip()).splitlines()
        assert lines[0] == "message 6" and lines[2] == "Earlier:" and lines[3] == "message 5"
        bar.clearMessage()  # timed out: the bar is empty, the tooltip still has them
        assert bar.accessibleDescription() == ""
        assert literal(bar.toolTip()).splitlines()[:2] == ["Earlier:", "message 6"]
        win.resize(1920, 1080)
        win.say("a message that fits easily in a wide window")
        QApplication.processEvents()
        assert not bar.is_elided()
    finally:
        win.close()
