"""Keys that behave: a waiting g says so and gives up, x stays, undo names and shows its
paper, Shift+F10 and the Menu key open the context menu, menus show keys as typed, and the
highlights review's colour keys work from its search field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from desktop.gui.controllers.key_prefix import GIVE_UP_MS
from desktop.gui.dialogs.cheat_sheet import CheatSheet
from desktop.gui.dialogs.highlights_view import HighlightsView
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press


def status(win: MainWindow) -> str:
    return win.statusBar().currentMessage()


def test_g_says_it_waits_and_gives_up(qtbot: QtBot, win: MainWindow) -> None:
    assert win.key_hint.timer.interval() == GIVE_UP_MS == 1500
    win.key_hint.timer.setInterval(150)  # the same path, without waiting 1.5 s in a test
    first = win.current_id()
    press(qtbot, "g")
    qtbot.waitUntil(lambda: "then" in status(win))
    assert status(win).startswith("g … then ") and "i Inbox, l " in status(win)
    assert "e Archive" in status(win) and "h Highlights" in status(win)
    qtbot.waitUntil(lambda: "cancelled" in status(win), timeout=2000)
    press(qtbot, "e")  # on its own again: archive the paper, not "go to Archive"
    assert win.view == "inbox"
    assert win.library.papers.get(first).archived
    win.key_hint.timer.setInterval(GIVE_UP_MS)  # in time however busy the machine is
    press(qtbot, "g")
    qtbot.waitUntil(lambda: "then" in status(win))
    press(qtbot, "e")  # in time: the sequence
    assert win.view == "archive"
    assert "then" not in status(win)
    assert not win.key_hint.timer.isActive()


def test_g_typed_in_the_search_field_is_text(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "graph")
    QApplication.processEvents()
    assert win.search_field.text() == "graph"
    assert win.key_hint.pending is None and "then" not in status(win)


def test_x_selects_without_moving_and_the_cheat_sheet_says_so(
    qtbot: QtBot, win: MainWindow
) -> None:
    inbox = win.library.views.ids("inbox")
    press(qtbot, "x j x j x")
    assert win.model.marked_ids() == inbox[:3]
    assert win.current_id() == inbox[2]
    press(qtbot, "?")
    sheet = win.last_dialog
    assert isinstance(sheet, CheatSheet)
    assert (
        "x",
        "Select the paper for a bulk action, staying on it (triage keys then act on all).",
    ) in sheet.rows()
    sheet.reject()


def test_undo_names_the_paper_and_shows_it(qtbot: QtBot, win: MainWindow) -> None:
    inbox = win.library.views.ids("inbox")
    starred = inbox[0]
    title = win.library.papers.get(starred).title
    press(qtbot, "s j j j")
    assert win.current_id() == inbox[3]
    press(qtbot, "u")
    assert not win.library.papers.get(starred).starred
    assert status(win).startswith(f"Undone: star on ‘{title[:20]}")
    assert win.current_id() == starred  # shown, not undone out of sight
    assert win.detail.paper is not None and win.detail.paper.id == starred

    # Archived from the Inbox, then undone from the Starred view: the paper is not there,
    # so the window shows it in All papers.
    press(qtbot, "e g,s")
    assert win.view == "starred"
    press(qtbot, "u")
    assert not win.library.papers.get(starred).archived
    assert win.view == "all"
    assert win.current_id() == starred
    assert "archive" in status(win) and title[:15] in status(win)


def run_menu_key(qtbot: QtBot, keys: str, widget: QWidget) -> list[str]:
    """Press ``keys``, and return the texts of the popup menu they open (then close it)."""
    seen: list[str] = []

    def look() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            seen.extend(a.text() for a in popup.actions() if not a.isSeparator())
            popup.close()
        else:
            QTimer.singleShot(20, look)

    widget.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    qtbot.waitUntil(widget.window().isActiveWindow)
    QTimer.singleShot(20, look)
    widget.setFocus()
    press(qtbot, keys, widget)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    return seen


# A popup menu asks the offscreen platform to raise it and grab the keyboard.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_shift_f10_and_the_menu_key_open_the_context_menu(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "j")
    shown = run_menu_key(qtbot, "Shift+F10", win.list)
    assert "Star\ts" in shown and "Archive\te" in shown
    assert any(t.startswith("Select for bulk action") for t in shown)
    assert "Star\ts" in run_menu_key(qtbot, "Menu", win.list)
    shown = run_menu_key(qtbot, "Shift+F10", win.detail.browser)
    assert shown  # the detail pane's own menu (highlight colours, copy)


def test_menus_show_plain_keys_as_typed(win: MainWindow) -> None:
    text = {name: action.text() for name, action in win.actions_by_name.items()}
    assert text["toggle-star"] == "Star\ts"
    assert text["copy-bibtex"].endswith("\tShift+B")
    assert text["go-inbox"].endswith("\tg, i")
    assert text["cheat-sheet"].endswith("\t?")
    assert text["command-palette"].endswith("\tCtrl+K")
    assert text["undo"].endswith("\tu")
    # The toolbar shows the label alone.
    assert win.actions_by_name["toggle-star"].iconText() == "Star"
    press_menu = win.menuBar().actions()
    assert [a.text() for a in press_menu][:2] == ["&File", "&Edit"]


def test_review_colour_keys_work_from_the_search_field(qtbot: QtBot, win: MainWindow) -> None:
    paper = win.library.papers.get(win.library.views.ids("inbox")[0])
    words = paper.abstract.split()
    win.library.highlights.add_by_quote(paper.id, " ".join(words[1:4]), "yellow")
    win.library.highlights.add_by_quote(paper.id, " ".join(words[6:9]), "green")
    press(qtbot, "g,h")
    view = win.last_dialog
    assert isinstance(view, HighlightsView)
    view.search.setFocus()
    qtbot.keyClick(view.search, Qt.Key.Key_2)
    assert view.color.currentData() == "green"
    assert view.search.text() == ""
    assert [h.color for h in view.shown] == ["green"]
    qtbot.keyClick(view.search, Qt.Key.Key_3)  # blue: nothing, and it says so
    assert view.shown == []
    assert view.status.text().startswith("No highlight in blue (result)   ·   0 shows every")
    qtbot.keyClick(view.search, Qt.Key.Key_0)
    assert view.color.currentData() is None and len(view.shown) == 2
    qtbot.keyClick(view.search, Qt.Key.Key_7, Qt.KeyboardModifier.AltModifier)
    assert view.search.text() == "7"  # Alt+digit types the digit
    view.reload()
    assert view.shown == []
    assert view.status.text().startswith("No highlight matches “7”")
    view.close()


def test_the_result_count_is_singular_for_one(qtbot: QtBot, win: MainWindow) -> None:
    title = win.library.papers.get(win.library.views.ids("inbox")[0]).title
    win.search_field.setText(f'"{title}"')
    win.search.run()
    QApplication.processEvents()
    assert win.model.rowCount() == 1
    assert win.counts_label.text().startswith("1 result")
    assert not win.counts_label.text().startswith("1 results")
    win.search_field.setText("efficient")
    win.search.run()
    QApplication.processEvents()
    assert win.counts_label.text().startswith(f"{win.model.rowCount()} results")
