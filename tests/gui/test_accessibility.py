"""Screen readers: every row of the paper list and the sidebar tells its text and state
(unread, starred, queued, archived, selected for a bulk action) through Qt's accessible
roles, read here through QAccessible as a screen reader reads them; every control has a
name; Tab goes sidebar → search → list → detail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import COL_TITLE
from tests.gui.conftest import press


@pytest.fixture(autouse=True)
def screen_reader() -> Iterator[None]:
    """Accessibility active, as with a screen reader running: Qt then keeps its accessible
    tree up to date as the list's rows change."""
    QAccessible.setActive(True)
    yield
    QAccessible.setActive(False)


NAME = QAccessible.Text.Name
DESCRIPTION = QAccessible.Text.Description


def cell(win: MainWindow, row: int, column: int = COL_TITLE) -> QAccessible:
    """The accessible interface of a cell of the paper list, as a screen reader walks it:
    a corner and the column headers, then per row a row header and its cells."""
    table = QAccessible.queryAccessibleInterface(win.list)
    width = win.model.columnCount() + 1
    found = table.child(width + row * width + 1 + column)
    assert found is not None and found.role() == QAccessible.Role.Cell
    where = found.tableCellInterface()
    assert (where.rowIndex(), where.columnIndex()) == (row, column)
    return found


def read_row(win: MainWindow, row: int) -> tuple[str, list[str]]:
    """(name, state words) of a paper row, through QAccessible."""
    found = cell(win, row)
    return found.text(NAME), found.text(DESCRIPTION).split(", ")


def test_paper_rows_tell_their_text_and_state(qtbot: QtBot, win: MainWindow) -> None:
    first = win.library.papers.get(win.library.views.ids("inbox")[0])
    name, state = read_row(win, 0)
    assert name == first.title
    assert state == ["unread"]
    published = cell(win, 0, 1).text(NAME)
    assert published.startswith("published ")
    press(qtbot, "s x")
    name, state = read_row(win, 0)
    assert state == ["unread", "starred", "selected"]
    press(qtbot, "Esc m")
    assert read_row(win, 0)[1] == ["read", "starred"]
    press(qtbot, "l")  # queued: leaves the Inbox
    press(qtbot, "g,a")
    row = win.model.row_of(first.id)
    assert read_row(win, row)[1] == ["read", "starred", "queued"]
    win.select_row(row)
    press(qtbot, "e")
    assert read_row(win, win.model.row_of(first.id))[1] == ["read", "starred", "archived"]
    # The same words come from the model roles (for views that read models directly).
    index = win.model.index(win.model.row_of(first.id), COL_TITLE)
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == first.title
    assert "archived" in index.data(Qt.ItemDataRole.AccessibleDescriptionRole)


def test_sidebar_rows_tell_their_name_and_counts(qtbot: QtBot, win: MainWindow) -> None:
    win.refresh_counts()
    inbox = win.counts["inbox"] if win.counts else None
    assert inbox is not None
    side = QAccessible.queryAccessibleInterface(win.sidebar)
    names = [side.child(i).text(NAME) for i in range(side.childCount())]
    descriptions = [side.child(i).text(DESCRIPTION) for i in range(side.childCount())]
    assert f"Inbox, {inbox.unread} unread" in names
    assert f"view: {inbox.unread} unread of {inbox.total} papers" in descriptions
    assert any(n.startswith("Highlights, ") for n in names)
    assert "section heading" in descriptions
    assert any(d.startswith("digest: ") for d in descriptions)


def test_every_control_has_a_name(win: MainWindow) -> None:
    for widget in (
        win.sidebar,
        win.search_field,
        win.list,
        win.detail.browser,
        win.counts_label,
        win.progress,
        win.cancel_button,
        win.toolbar,
    ):
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface.text(NAME), widget.objectName()
    for button in win.toolbar.findChildren(QToolButton):
        if button.isVisible() and button.defaultAction() is not None:
            assert QAccessible.queryAccessibleInterface(button).text(NAME)


def test_tab_goes_sidebar_search_list_detail(qtbot: QtBot, win: MainWindow) -> None:
    order: list[QWidget] = [win.sidebar, win.search_field, win.list, win.detail.browser]
    win.sidebar.setFocus()
    qtbot.waitUntil(win.sidebar.hasFocus)
    for expected in order[1:]:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is expected, expected.accessibleName()
