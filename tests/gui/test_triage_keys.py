"""Keyboard triage on the seeds, driven by key presses and checked against the database."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press


def paper(lib: Library, paper_id: int):  # noqa: ANN201 - a Paper
    found = lib.papers.get(paper_id)
    assert found is not None
    return found


def test_start_has_list_focus_first_paper_selected_and_titled(win: MainWindow) -> None:
    inbox = win.library.views.ids("inbox")
    assert win.list.hasFocus()
    assert win.current_id() == inbox[0]
    assert win.windowTitle() == "Digest Desk — Inbox"
    assert win.detail.paper is not None and win.detail.paper.id == inbox[0]
    assert paper(win.library, inbox[0]).title in win.detail.plain_text()


def test_triage_run_by_keys(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    inbox = fresh.views.ids("inbox")
    press(qtbot, "j j")
    assert win.current_id() == inbox[2]
    assert win.detail.paper is not None and win.detail.paper.id == inbox[2]
    press(qtbot, "o")
    assert paper(fresh, inbox[2]).is_read
    press(qtbot, "s")
    assert paper(fresh, inbox[2]).starred
    # l queues the paper: it leaves the Inbox and the next paper takes its place.
    press(qtbot, "l")
    assert paper(fresh, inbox[2]).queued
    assert win.current_id() == inbox[3]
    assert win.current_row() == 2
    # e archives: again the selection moves to the next paper, never to the top.
    press(qtbot, "e")
    assert paper(fresh, inbox[3]).archived
    assert win.current_id() == inbox[4]
    press(qtbot, "k m")
    assert win.current_id() == inbox[1]
    assert paper(fresh, inbox[1]).is_read
    press(qtbot, "m")
    assert not paper(fresh, inbox[1]).is_read
    press(qtbot, "Down Down Up Return")
    assert win.current_id() == inbox[4]
    assert paper(fresh, inbox[4]).is_read
    counts = fresh.views.counts()
    assert counts["queue"].total == 1
    assert counts["archive"].total == 1
    assert counts["inbox"].total == 286 - 2
    assert fresh.views.ids("starred") == [inbox[2]]


def test_archiving_the_last_paper_selects_the_one_before(qtbot: QtBot, win: MainWindow) -> None:
    inbox = win.library.views.ids("inbox")
    win.select_row(len(inbox) - 1)
    press(qtbot, "e")
    assert win.current_id() == inbox[-2]


def test_undo_and_redo_several_levels(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    inbox = fresh.views.ids("inbox")
    press(qtbot, "e e e")
    assert [paper(fresh, i).archived for i in inbox[:4]] == [True, True, True, False]
    assert win.current_id() == inbox[3]
    press(qtbot, "u")
    assert not paper(fresh, inbox[2]).archived
    assert win.current_id() == inbox[2], "undo shows the paper it brought back"
    press(qtbot, "Ctrl+Z")
    assert not paper(fresh, inbox[1]).archived
    assert win.current_id() == inbox[1]
    press(qtbot, "Ctrl+Shift+Z")
    assert paper(fresh, inbox[1]).archived
    press(qtbot, "u u")
    assert not any(paper(fresh, i).archived for i in inbox[:4])
    assert win.actions_by_name["redo"].isEnabled()
    assert not win.actions_by_name["undo"].isEnabled()


def test_queue_reordering_with_alt_arrows(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    inbox = fresh.views.ids("inbox")
    press(qtbot, "l l l")
    assert fresh.views.ids("queue") == inbox[:3]
    press(qtbot, "g,l")
    assert win.view == "queue" and win.windowTitle() == "Digest Desk — Queue"
    assert win.current_id() == inbox[0]
    press(qtbot, "Alt+Down")
    assert fresh.views.ids("queue") == [inbox[1], inbox[0], inbox[2]]
    assert win.current_id() == inbox[0], "the moved paper stays selected"
    press(qtbot, "Alt+Down Alt+Down")
    assert fresh.views.ids("queue") == [inbox[1], inbox[2], inbox[0]]
    press(qtbot, "Alt+Up")
    assert fresh.views.ids("queue") == [inbox[1], inbox[0], inbox[2]]
    assert win.model.ids == fresh.views.ids("queue")
    press(qtbot, "u")
    assert fresh.views.ids("queue") == [inbox[1], inbox[2], inbox[0]]


def test_go_keys_switch_views(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "s")
    for keys, view, title in [
        ("g,s", "starred", "Starred"),
        ("g,a", "all", "All papers"),
        ("g,e", "archive", "Archive"),
        ("g,l", "queue", "Queue"),
        ("g,i", "inbox", "Inbox"),
    ]:
        press(qtbot, keys)
        assert win.view == view
        assert win.windowTitle() == f"Digest Desk — {title}"
        assert win.model.ids == win.library.views.ids(view)
    assert win.list.hasFocus()


def test_space_scrolls_the_detail_pane(qtbot: QtBot, win: MainWindow) -> None:
    win.resize(900, 300)
    qtbot.waitUntil(lambda: win.detail.browser.verticalScrollBar().maximum() > 0)
    bar = win.detail.browser.verticalScrollBar()
    assert bar.value() == 0
    press(qtbot, "Space")
    assert bar.value() > 0
    press(qtbot, "Shift+Space")
    assert bar.value() == 0
    assert win.list.hasFocus()
    press(qtbot, "Space j")
    assert bar.value() == 0, "a newly shown paper starts at its top"
    qtbot.waitUntil(lambda: win.detail.related is not None)
    assert bar.value() == 0, "related papers arriving do not scroll"


def test_letters_typed_in_the_search_field_are_text_not_commands(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    press(qtbot, "/")
    assert win.search_field.hasFocus()
    qtbot.keyClicks(win.search_field, "emls")
    assert win.search_field.text() == "emls"
    assert fresh.views.ids("archive") == [] and fresh.views.ids("starred") == []
    press(qtbot, "Esc")
    assert win.search_field.text() == ""
    assert win.list.hasFocus()


def test_mouse_selection_of_several_rows_is_a_bulk_target(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    from PySide6.QtCore import Qt

    inbox = fresh.views.ids("inbox")
    view = win.list
    rect = view.visualRect(win.model.index(3, 0))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, rect.center()
    )
    assert win.targets() == inbox[:4]
    press(qtbot, "s")
    assert fresh.views.ids("starred") == inbox[:4]
    menu = win.build_context_menu()
    assert any(a.objectName() == "archive" for a in menu.actions())


def test_in_views_that_keep_the_paper_e_and_l_still_move_on(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    press(qtbot, "g,a")
    ids = fresh.views.ids("all")
    press(qtbot, "e")
    assert paper(fresh, ids[0]).archived
    assert win.current_id() == ids[1], "the archived paper stays in All; the cursor moves on"
    press(qtbot, "l")
    assert paper(fresh, ids[1]).queued
    assert win.current_id() == ids[2]
    press(qtbot, "k l")
    assert not paper(fresh, ids[1]).queued, "taking a paper out of the queue does not move"
    assert win.current_id() == ids[1]
    press(qtbot, "s")
    assert win.current_id() == ids[1], "star never moves the cursor"


def test_f5_picks_up_changes_made_through_another_connection(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    inbox = fresh.views.ids("inbox")
    press(qtbot, "j")
    fresh.triage.set_archived([inbox[0], inbox[2]], True)
    assert win.model.ids == inbox, "the window does not see other connections by itself"
    press(qtbot, "F5")
    assert win.model.ids == fresh.views.ids("inbox")
    assert win.current_id() == inbox[1]
    assert win.sidebar_model.entries[3].total == 2  # Archive


def _row_in_sight(win: MainWindow) -> bool:
    index = win.model.index(win.current_row(), 0)
    return win.list.viewport().rect().contains(win.list.visualRect(index))


def test_the_list_scrolls_to_keep_the_cursor_in_sight(qtbot: QtBot, win: MainWindow) -> None:
    rows_in_sight = win.list.viewport().height() // win.list.verticalHeader().defaultSectionSize()
    press(qtbot, " ".join("j" * (rows_in_sight + 5)))
    assert win.current_row() == rows_in_sight + 5
    assert win.list.verticalScrollBar().value() > 0
    assert _row_in_sight(win)
    press(qtbot, " ".join("k" * (rows_in_sight + 5)))
    assert win.current_row() == 0 and _row_in_sight(win)
