"""The panes' flat scroll bars: installed on the sidebar, list and detail pane, they scroll
as Fusion's do (same geometry), paint the handle where the style puts it, and their handle
stands out from the groove by 3:1 in light and dark (WCAG's contrast for a control). Also
what both changes are for: a `j` repaints little (no gradient fills, no whole-list repaint
when the list scrolls under the focus ring)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractSlider, QPlainTextEdit
from pytestqt.qtbot import QtBot

from desktop.gui import theme
from desktop.gui.main_window import MainWindow
from desktop.gui.widgets.flat_scroll_bar import FlatScrollBar, mix, use_flat_scroll_bars
from tests.gui.conftest import press


@pytest.fixture(autouse=True)
def light_again() -> Iterator[None]:
    yield
    theme.set_current(theme.LIGHT)


def long_text_area(qtbot: QtBot) -> QPlainTextEdit:
    area = QPlainTextEdit("\n".join(f"line {n}" for n in range(400)))
    use_flat_scroll_bars(area)
    qtbot.addWidget(area)
    area.resize(300, 200)
    area.show()
    qtbot.waitExposed(area)
    return area


def test_the_three_panes_have_flat_bars(win: MainWindow) -> None:
    for area in (win.sidebar, win.list, win.detail.browser):
        assert isinstance(area.verticalScrollBar(), FlatScrollBar)
        assert isinstance(area.horizontalScrollBar(), FlatScrollBar)


def test_the_list_still_follows_its_bar(win: MainWindow, qtbot: QtBot) -> None:
    """The item view's own connections survive the replaced bar: moving it scrolls rows."""
    win.resize(900, 300)
    qtbot.wait(20)
    bar = win.list.verticalScrollBar()
    assert bar.maximum() > 0, "the seeded list is taller than 300 pixels"
    top = win.list.rowAt(0)
    bar.setValue(bar.maximum())
    qtbot.wait(20)
    assert win.list.rowAt(0) > top


def test_handle_painted_where_the_style_puts_it(qtbot: QtBot) -> None:
    area = long_text_area(qtbot)
    bar = area.verticalScrollBar()
    assert isinstance(bar, FlatScrollBar)
    image = bar.grab().toImage()
    handle = bar.handle_rect()
    assert handle.height() > 4 and handle.width() > 2
    inside = image.pixelColor(handle.center())
    groove = image.pixelColor(QPoint(handle.center().x(), bar.height() // 2 + handle.height()))
    assert inside.name() == bar.handle_color().name()
    assert groove.name() == bar.palette().color(QPalette.ColorRole.Base).name()


def test_clicks_scroll_as_before(qtbot: QtBot) -> None:
    area = long_text_area(qtbot)
    bar = area.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)
    assert bar.value() == bar.pageStep()
    below = QPoint(bar.width() // 2, bar.handle_rect().bottom() + 10)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=below)  # a page down, on the groove
    assert bar.value() == 2 * bar.pageStep()
    start = area.firstVisibleBlock().blockNumber()
    bar.setValue(bar.maximum())
    assert area.firstVisibleBlock().blockNumber() > start


@pytest.mark.parametrize("name", ["light", "dark"])
def test_handle_contrast(qtbot: QtBot, name: str) -> None:
    theme.set_current(theme.THEMES[name])
    area = long_text_area(qtbot)
    bar = area.verticalScrollBar()
    assert isinstance(bar, FlatScrollBar)
    base = bar.palette().color(QPalette.ColorRole.Base)
    assert theme.contrast(bar.handle_color(), base) >= 3.0
    assert theme.contrast(bar.palette().color(QPalette.ColorRole.PlaceholderText), base) >= 3.0


def test_mix() -> None:
    from PySide6.QtGui import QColor

    assert mix(QColor("#000000"), QColor("#ffffff"), 0.5).name() == "#808080"
    assert mix(QColor("#102030"), QColor("#ffffff"), 0).name() == "#102030"


class PaintHeights(QObject):
    """Records the height of every region a widget is asked to repaint."""

    def __init__(self) -> None:
        super().__init__()
        self.heights: list[int] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            assert isinstance(event, QPaintEvent)
            self.heights.append(event.region().boundingRect().height())
        return False


def test_a_scrolling_j_repaints_only_the_rows_that_changed(win: MainWindow, qtbot: QtBot) -> None:
    """With the focus ring shown, moving down past the last visible row scrolls the list's
    pixels and repaints a few rows, not the whole viewport (the ring is outside the pane)."""
    win.resize(900, 320)
    win.list.setFocus()
    qtbot.waitUntil(lambda: win.focus_ring.isVisible() and win.focus_ring.pane is win.list)
    viewport = win.list.viewport()
    rows_shown = viewport.height() // win.list.rowHeight(0)
    assert win.model.rowCount() > rows_shown + 3, "the seeded Inbox is longer than the window"
    for _ in range(rows_shown + 1):  # to the last visible row and one past: it scrolls
        press(qtbot, "j")
    qtbot.wait(30)
    spy = PaintHeights()
    viewport.installEventFilter(spy)
    top = win.list.rowAt(0)
    for _ in range(3):
        press(qtbot, "j")
        qtbot.wait(30)
    viewport.removeEventFilter(spy)
    assert win.list.rowAt(0) > top, "the list scrolled"
    assert spy.heights and max(spy.heights) < viewport.height() // 2, spy.heights
